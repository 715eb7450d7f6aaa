"""Finding keys (category ``secret``): provider formats, generic secrets, URL credentials, private keys.

These findings are informational on their own: a key in a git-ignored local
``.env`` is where it belongs. Whether it leaks (tracked, staged, template
files) or is broken (format, placeholder, verification) is for other rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.model import Entry, Match, Severity
from keylint.providers import by_id
from keylint.rules import Problem, rule
from keylint.values import (
    benign_kind,
    has_embedded_reference,
    is_placeholder,
    is_reference,
    looks_like_password,
    looks_random,
    names_secret,
)

if TYPE_CHECKING:
    from keylint.engine import FileContext

_URL_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.\-]{1,20})://([^\s:/@?#]*):([^\s@/?#]+)@([^\s/?#:]+)", re.IGNORECASE)
_PRIVATE_KEY = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----")
_PASSWORD_NAME = re.compile(r"pass|pwd", re.IGNORECASE)


def provider_name(provider_id: str | None) -> str:
    provider = by_id(provider_id) if provider_id else None
    return provider.name if provider else (provider_id or "unknown")


def describe(match: Match) -> str:
    """'GitHub personal-access-token' / 'Stripe live secret-key'."""
    # Remembered: a scan describes the same few kinds of key for most of its findings (bounded by the registry).
    cache_key = (match.provider, match.environment, match.kind)
    described = _DESCRIBED.get(cache_key)
    if described is None:
        kind = match.kind.replace("-", " ")
        env = f"{match.environment} " if match.environment else ""
        described = _DESCRIBED[cache_key] = f"{provider_name(match.provider)} {env}{kind}"
    return described


_DESCRIBED: dict[tuple[str, str | None, str], str] = {}


@rule("KL101", "provider-key", Severity.INFO, "secret", gate=("valid-match",))
def provider_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A credential in a known provider format.

    ## What it does
    Finds keys of every registered provider (`keylint providers` lists them) anywhere in a
    config value: on its own, inside a URL, or inside a longer string. The key must match
    the provider's format completely (prefix, length, alphabet and checksum where the
    format has one); near-misses are reported by the format rules (KL2xx) instead.

    ## Why is this bad?
    On its own this finding is informational: a key in a git-ignored local `.env` is where
    it belongs. It becomes an error where the key leaks (a tracked, staged or template file,
    see KL5xx) or is broken (KL2xx, KL4xx, KL7xx). The inventory helps audits and rotation.
    In a tracked, staged or template file the key is reported once, by KL501 or KL503, in
    place of this finding.

    ## Example
    ```dotenv
    GITHUB_TOKEN=ghp_...   # a GitHub personal access token
    ```

    ## How to fix
    Nothing to fix if the file is local and git-ignored. Otherwise move the key to a secret
    store or an ignored `.env`, and rotate it if it was ever committed.
    """
    examples = ctx_examples(ctx) if matches else {}
    for match in matches:
        if not match.valid or not match.is_secret or match.token in examples:
            continue
        described, rotate_url = _inventoried(match)
        # Every field by position, in Problem's order (message, entry, line, column, key, provider, secret, fix,
        # severity, path, public_prefix, extra): seven keyword arguments took ~0.4 us more a problem, and KL101 makes
        # most findings (40.7k of the dense tree's 69k); tests/test_entry_fastpaths.py compares it with the by-name one.
        yield Problem(
            f"{described} in {entry.key}" if entry.key else described,
            entry,
            None,
            entry.position_of(match.start)[1] if match.start else None,
            None,
            match.provider,
            match.token,
            None,
            None,
            None,
            len(match.format.prefix) if match.format else 0,
            {"kind": match.kind, "rotate_url": rotate_url},
        )


def _inventoried(match: Match) -> tuple[str, str | None]:
    """describe(match) and its provider's rotation URL, remembered together by what decides them (bounded by the
    registry): KL101 asks for both for most findings of a scan."""
    cache_key = (match.provider, match.environment, match.kind)
    known = _INVENTORIED.get(cache_key)
    if known is None:
        provider = by_id(match.provider)
        known = _INVENTORIED[cache_key] = (describe(match), provider.rotate_url if provider else None)
    return known


_INVENTORIED: dict[tuple[str, str | None, str], tuple[str, str | None]] = {}


def ctx_examples(ctx: FileContext) -> dict[str, object]:
    """The providers' documented example keys, kept in the file's notes (asked for every entry with a match:
    importing the engine's detector_for at each call was most of the time of KL105)."""
    examples = ctx.notes.get("examples")
    if examples is None:
        from keylint.engine import detector_for

        examples = ctx.notes["examples"] = detector_for(ctx.settings).examples
    return examples


@rule("KL105", "example-key", Severity.INFO, "secret", gate=("example",))
def example_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A provider's documented example key, not a real credential.

    ## What it does
    Recognises example values that providers publish in their documentation (such as AWS's
    `AKIAIOSFODNN7EXAMPLE`) and notes them instead of reporting a secret.

    ## Why is this bad?
    It is not a secret, but a config that the application really uses will fail to
    authenticate with it.

    ## Example
    ```dotenv
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    ```

    ## How to fix
    Replace it with a real key in local, ignored config; keep it in templates if you like.
    """
    examples = ctx_examples(ctx)
    for match in matches:
        if match.token in examples:
            yield Problem(
                f"{describe(match)} in {entry.key} is the provider's documented example, not a real key",
                entry=entry,
                provider=match.provider,
            )


@rule("KL102", "generic-secret", Severity.INFO, "secret", gate=("no-valid-match", "filled"))
def generic_secret(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A secret-looking value in a variable named for a secret, in no known provider format.

    ## What it does
    Reports values of variables whose names ask for a secret (`*_KEY`, `*_TOKEN`, `*SECRET*`,
    `*PASSWORD*`, `*CREDENTIAL*`, `*AUTH*`, `*DSN*` ...) when the value looks generated:
    random enough, not a reference (`${VAR}`, `{{ .Values.x }}`, `vault:`/`op://` URIs,
    ARNs), not a placeholder, and not benign data (numbers, versions, hashes, UUIDs, URLs,
    paths, public keys, image references).

    ## Why is this bad?
    Informational on its own, like KL101. Such values are credentials for services keylint
    has no format for: databases, internal APIs, signing keys.

    ## Example
    ```yaml
    session:
      signing_secret: 9f8Kq2LmZx71PqR0aB3cD4eF
    ```

    ## How to fix
    Keep it in an ignored local file or a secret store; reference it from shared config.
    """
    if (matches and any(m.valid or m.token == entry.value for m in matches)) or not names_secret(entry.key):
        return
    value = entry.value.strip()
    if not value or "\n" in value or is_reference(value) or has_embedded_reference(value):
        return
    if is_placeholder(value) or benign_kind(value) or _credentials_or_private_key(value):
        return
    if not (looks_random(value) or (_PASSWORD_NAME.search(entry.key) and looks_like_password(value))):
        return
    # By position, as in KL101 (message, entry, line, column, key, provider, secret, fix, severity, path,
    # public_prefix, extra): KL102 reports a quarter of the dense tree's findings.
    message = f"secret-looking value in {entry.key}"
    yield Problem(message, entry, None, None, None, None, value, None, None, None, 0, {"kind": "generic"})


def _credentials_or_private_key(value: str) -> bool:
    """What KL103 or KL104 report (the literal each needs is looked for first: most values have neither)."""
    return ("://" in value and bool(_URL_CREDENTIALS.search(value))) or (
        "-----BEGIN" in value and bool(_PRIVATE_KEY.search(value))
    )


@rule("KL103", "url-credentials", Severity.INFO, "secret", gate=("marker",))
def url_credentials(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A password embedded in a URL (`postgres://user:password@host`).

    ## What it does
    Finds `scheme://user:password@host` in any value and reports the password part, unless it
    is a reference (`${DB_PASSWORD}`) or a placeholder (`password`, `changeme`, `<pass>`).

    ## Why is this bad?
    Connection strings are copied into logs, error messages and dashboards; the password
    travels with them. Informational on its own; an error when the file leaks.

    ## Example
    ```dotenv
    DATABASE_URL=postgres://app:Zk29fQ8wLp@db.internal:5432/app
    ```

    ## How to fix
    Pass the password separately (`DATABASE_PASSWORD`) or reference it
    (`postgres://app:${DB_PASSWORD}@db/app`), and keep the real value out of shared files.
    """
    if "://" not in entry.value:  # what every match has; most values are no URL at all
        return
    for found in _URL_CREDENTIALS.finditer(entry.value):
        password = found.group(3)
        if is_reference(password) or has_embedded_reference(password) or is_placeholder(password):
            continue
        if password.startswith("$") or len(password) < 4:
            continue
        line, column = entry.position_of(found.start(3))
        yield Problem(
            f"{found.group(1)} URL in {entry.key} embeds a password for user {found.group(2) or '(none)'!r} "
            f"at {found.group(4)}",
            entry=entry,
            line=line,
            column=column,
            secret=password,
            extra={"kind": "url-password"},
        )


@rule("KL104", "private-key", Severity.INFO, "secret", gate=("marker",))
def private_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A PEM private key block (RSA, EC, OpenSSH, PKCS#8, PGP ...).

    ## What it does
    Finds `-----BEGIN ... PRIVATE KEY-----` in a value (a YAML block scalar, a quoted
    multi-line `.env` value, a JSON string with `\\n` escapes). Public keys and certificates
    are not reported.

    ## Why is this bad?
    A private key grants whatever the key signs for: TLS, SSH, JWT signing, service accounts.
    Informational on its own; an error when the file leaks.

    ## Example
    ```yaml
    tls:
      key: |
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEI...
    ```

    ## How to fix
    Mount the key from a secret store or a file outside the repository.
    """
    found = _PRIVATE_KEY.search(entry.value)
    if not found:
        return
    body = entry.value[found.end() : found.end() + 200]
    if is_placeholder(body.strip()[:40]) and len(body.strip()) < 40:
        return
    kind = (found.group(1) or "").strip() or "PKCS#8"
    yield Problem(
        f"{kind} private key in {entry.key}",
        entry=entry,
        secret=entry.value[found.start() :].strip(),
        extra={"kind": "private-key"},
    )
