"""Stale keys (category ``stale``): expired or expiring tokens, keys past their rotation age,
and keys that drifted apart between sibling files.

Expiry is read offline from the token itself, never by verifying a signature:
JWTs (``exp``/``nbf``), PyPI tokens (the macaroon's expiry caveat) and Azure SAS
tokens (``se=``/``st=``). Rotation age (``--max-age``) comes from ``git blame`` in a
post stage; drift compares the files of one scan.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, contains

from keylint import TYPE_CHECKING
from keylint.config import ConfigError
from keylint.model import Entry, Finding, Match, Severity
from keylint.records import dataclass
from keylint.rules import Problem, rule
from keylint.rules.leak import is_stand_in, rotate_advice
from keylint.rules.secrets import describe

if TYPE_CHECKING:
    import argparse
    from typing import Any

    from keylint.config import Settings
    from keylint.engine import FileContext, FileSummary, ScanContext, ScanReport

DEFAULT_EXPIRY_WARNING_DAYS = 14
LEEWAY_SECONDS = 60  # clock skew allowed around exp/nbf (RFC 7519 §4.1.4)
DAY = 86400

# --- options ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w|mo|y)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": DAY, "w": 7 * DAY, "mo": 30 * DAY, "y": 365 * DAY}


def parse_duration(text: Any, where: str = "max-age") -> float:
    """Seconds in ``90d``, ``12w``, ``6mo``, ``1y``, ``36h`` (a bare number is days)."""
    match = _DURATION.match(str(text))
    if not match or isinstance(text, bool):
        raise ConfigError(f"invalid {where} {text!r} (examples: 90d, 12w, 6mo, 1y)")
    return float(match.group(1)) * _UNITS[(match.group(2) or "d").lower()]


def expiry_warning_days(settings: Settings) -> float:
    value = settings.options.get("expiry-warning", DEFAULT_EXPIRY_WARNING_DAYS)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"invalid expiry-warning {value!r} (a number of days, e.g. 14)")
    try:
        days = float(value)
    except ValueError:
        raise ConfigError(f"invalid expiry-warning {value!r} (a number of days, e.g. 14)") from None
    if days < 0:
        raise ConfigError("expiry-warning must not be negative")
    return days


def validate_options(settings: Settings) -> None:
    """Fail early (exit 2) on a bad expiry-warning or max-age from the command line or a config file."""
    expiry_warning_days(settings)
    if settings.options.get("max-age") is not None:
        parse_duration(settings.options["max-age"])


# --- reading dates out of tokens ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validity:
    """The validity window a token carries, found at ``start`` in a value."""

    kind: str  # "JWT", "PyPI token", "Azure SAS token"
    start: int
    token: str  # the secret text (masked in reports)
    expires: float | None
    not_before: float | None
    issuer: str | None = None


# (?<![A-Za-z0-9])eyJ... and (?<![A-Za-z0-9])pypi-..., with the lookbehind after the literal: the regex engine then
# skips to the literal in C, where a leading lookbehind has it try every position (the values read here are mostly
# long tokens: ~15 us of each pypi- search on dense/team0).
_JWT = re.compile(r"eyJ(?<![A-Za-z0-9]eyJ)[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_PYPI = re.compile(r"pypi-(?<![A-Za-z0-9]pypi-)(AgE[A-Za-z0-9_-]{40,})")
_SAS_PARAM = re.compile(r"(?:^|[?&;\s])(se|st|sig|sv)=([^&;\s\"']*)")


def _b64url(text: str | bytes) -> bytes:
    import base64  # here, not at the top: only a token that looks like a JWT or macaroon needs it

    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def _numeric_date(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _json_object(segment: str) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(_b64url(segment))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return None
    return data if isinstance(data, dict) else None


def _may_be_object(segment: str) -> bool:
    """False when base64url ``segment`` cannot decode to a JSON object (_json_object's None), told from its last
    4-character group alone: an object's text ends with "}" before any whitespace. The dense tree's eyJ tokens are no
    JWTs, their "headers" up to kilobytes of random text: decoding each whole and failing to read it as JSON took
    ~15 us; tests/test_entry_fastpaths.py compares the answer with _json_object's on generated segments."""
    try:
        tail = _b64url(segment[(len(segment) - 1) // 4 * 4 :]).rstrip()
    except ValueError:  # a last group of one character: the whole segment does not decode either
        return False
    return not tail or tail.endswith(b"}")  # only whitespace in the last group: undecided


def _jwts(value: str) -> Iterator[Validity]:
    for found in _JWT.finditer(value):
        token = found.group()
        header_text, payload_text, _signature = token.split(".", 2)
        header = _json_object(header_text) if _may_be_object(header_text) else None
        if header is None or not ({"alg", "typ"} & header.keys()):
            continue  # the payload (often kilobytes) is not decoded for what is no JWT header
        payload = _json_object(payload_text)
        if payload is None:
            continue
        issuer = payload.get("iss")
        yield Validity(
            "JWT",
            found.start(),
            token,
            _numeric_date(payload.get("exp")),
            _numeric_date(payload.get("nbf")),
            issuer if isinstance(issuer, str) and len(issuer) <= 80 and "@" not in issuer else None,
        )


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 35:
            raise ValueError("varint too long")


def macaroon_caveats(raw: bytes) -> list[bytes] | None:
    """First-party caveat identifiers of a binary (v2) macaroon, or None when it is not one."""
    if not raw or raw[0] != 2:
        return None
    pos = 1

    def field() -> tuple[int, bytes]:
        nonlocal pos
        kind = raw[pos]
        pos += 1
        if kind == 0:
            return 0, b""
        length, pos = _varint(raw, pos)
        data = raw[pos : pos + length]
        if len(data) != length:
            raise ValueError("truncated")
        pos += length
        return kind, data

    try:
        kind, _ = field()
        if kind == 1:  # location
            kind, _ = field()
        if kind != 2 or field()[0] != 0:  # identifier, end of header
            return None
        caveats = []
        while True:
            kind, data = field()
            if kind == 0:  # end of the caveat list
                return caveats
            if kind == 1:
                kind, data = field()
            if kind != 2:
                return None
            caveats.append(data)
            kind, _ = field()
            if kind == 4:  # verification id of a third-party caveat
                kind, _ = field()
            if kind != 0:
                return None
    except (IndexError, ValueError):
        return None


def _pypi_tokens(value: str) -> Iterator[Validity]:
    for found in _PYPI.finditer(value):
        try:
            caveats = macaroon_caveats(_b64url(found.group(1)))
        except ValueError:  # binascii.Error is one
            continue
        import json  # here, not at the top: only a PyPI token needs it, a scan with text output may not load it

        expires = not_before = None
        for caveat in caveats or ():
            try:
                data = json.loads(caveat)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(data, list) and len(data) >= 2 and data[0] == 0:  # warehouse Expiration caveat
                expires = _numeric_date(data[1])
                not_before = _numeric_date(data[2]) if len(data) > 2 else None
            elif isinstance(data, dict) and "exp" in data:  # the legacy form
                expires, not_before = _numeric_date(data.get("exp")), _numeric_date(data.get("nbf"))
        if caveats is not None and (expires is not None or not_before is not None):
            yield Validity("PyPI token", found.start(), found.group(), expires, not_before)


def _sas_time(text: str) -> float | None:
    from datetime import datetime, timezone  # here and below: only for tokens that carry dates (start-up time)
    from urllib.parse import unquote

    text = unquote(text).strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _sas_tokens(value: str) -> Iterator[Validity]:
    if "sig=" not in value or "se=" not in value:
        return
    params: dict[str, tuple[int, str]] = {}
    for found in _SAS_PARAM.finditer(value):
        params.setdefault(found.group(1), (found.start(2), found.group(2)))
    if not {"se", "sig", "sv"} <= params.keys() or len(params["sig"][1]) < 16:
        return
    expires = _sas_time(params["se"][1])
    if expires is None:
        return
    start = _sas_time(params["st"][1]) if "st" in params else None
    yield Validity("Azure SAS token", params["se"][0], params["sig"][1], expires, start)


@lru_cache(maxsize=4096)
def validities(value: str) -> tuple[Validity, ...]:
    """Every token with a validity window in a value (cached: four rules ask about each value)."""
    if "eyJ" not in value and "pypi-" not in value and "sig=" not in value:
        return ()
    return (*_jwts(value), *_pypi_tokens(value), *_sas_tokens(value))


def _when(timestamp: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _days(seconds: float) -> str:
    days = int(abs(seconds) // DAY)
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = int(abs(seconds) // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}" if hours else "minutes"


def _subject(v: Validity, entry: Entry) -> str:
    where = f" in {entry.key}" if entry.key else ""
    issued = f" (issuer {v.issuer})" if v.issuer else ""
    return f"{v.kind}{where}{issued}"


def _problem(v: Validity, entry: Entry, message: str, fix: str, extra: dict[str, Any]) -> Problem:
    line, column = entry.position_of(v.start)
    return Problem(message, entry=entry, line=line, column=column, secret=v.token, fix=fix, extra=extra)


def _candidates(entry: Entry) -> tuple[Validity, ...]:
    found = validities(entry.value)  # most values carry no token: no need to ask whether they are stand-ins
    if found and is_stand_in(entry.value):
        return ()
    return found


@rule("KL601", "expired-token", Severity.ERROR, "stale", gate=("marker",))
def expired_token(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A token whose built-in expiry date has passed.

    ## What it does
    Decodes tokens that carry their own validity window, without checking any signature:
    JWTs (the `exp` claim), PyPI tokens (the macaroon's expiry caveat) and Azure SAS tokens
    (`se=`). Reports the ones that expired, with the date.

    ## Why is this bad?
    The provider rejects an expired token: the application fails with "invalid token" or
    "401 Unauthorized" although the configuration looks right.

    ## Example
    ```dotenv
    SERVICE_JWT=eyJhbGciOi...   # exp = 2024-01-31
    ```

    ## How to fix
    Issue a new token and replace this one; if it expires on a schedule, automate the refresh.
    """
    now = time.time()
    for v in _candidates(entry):
        if v.expires is not None and now >= v.expires + LEEWAY_SECONDS:
            yield _problem(
                v,
                entry,
                f"{_subject(v, entry)} expired on {_when(v.expires)} ({_days(now - v.expires)} ago)",
                "issue a new token and replace this one",
                {"expires": _when(v.expires)},
            )


@rule("KL602", "expiring-token", Severity.WARNING, "stale", gate=("marker",))
def expiring_token(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A token that expires soon (within `--expiry-warning` days, default 14).

    ## What it does
    Like KL601, decodes JWTs, PyPI tokens and Azure SAS tokens offline, and reports those
    whose expiry falls within the warning window (`--expiry-warning DAYS`, or
    `expiry-warning` in the config file).

    ## Why is this bad?
    The application will break on that date unless someone renews the token first.

    ## Example
    ```dotenv
    AZURE_STORAGE_SAS=sv=2022-11-02&ss=b&se=2024-06-01T00:00:00Z&sig=...
    ```

    ## How to fix
    Renew the token now, or automate its renewal.
    """
    candidates = _candidates(entry)
    if not candidates:
        return
    now = time.time()
    window = expiry_warning_days(ctx.settings) * DAY
    for v in candidates:
        if v.expires is not None and now < v.expires + LEEWAY_SECONDS and v.expires - now <= window:
            yield _problem(
                v,
                entry,
                f"{_subject(v, entry)} expires on {_when(v.expires)} (in {_days(v.expires - now)})",
                "renew it before it expires",
                {"expires": _when(v.expires)},
            )


@rule("KL603", "token-not-yet-valid", Severity.INFO, "stale", gate=("marker",))
def token_not_yet_valid(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A token whose validity starts in the future (`nbf`, `st=`).

    ## What it does
    Reports JWTs whose `nbf` (not before) claim, PyPI tokens whose expiry caveat, and Azure
    SAS tokens whose `st=` start time lies in the future.

    ## Why is this bad?
    Until then the provider rejects it. Usually harmless for a token minted in advance, but
    a clock or timezone mistake when the token was created looks exactly like this.

    ## Example
    ```dotenv
    UPLOAD_SAS=sv=2022-11-02&st=2031-01-01T00:00:00Z&se=2031-02-01T00:00:00Z&sig=...
    ```

    ## How to fix
    Nothing, if the start is intended; otherwise issue the token again with the right start.
    """
    now = time.time()
    for v in _candidates(entry):
        if v.not_before is not None and now < v.not_before - LEEWAY_SECONDS:
            yield _problem(
                v,
                entry,
                f"{_subject(v, entry)} is not valid before {_when(v.not_before)} (in {_days(v.not_before - now)})",
                "if the start date is a mistake, issue the token again",
                {"not_before": _when(v.not_before)},
            )


@rule("KL604", "token-without-expiry", Severity.INFO, "stale", gate=("marker",))
def token_without_expiry(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A JWT with no `exp` claim: a credential that never expires.

    ## What it does
    Reports JWTs (decoded without verification) that carry no `exp` claim, such as
    long-lived service keys.

    ## Why is this bad?
    A token without an expiry stays usable forever once it leaks; only revoking its signing
    key or the token itself stops it.

    ## Example
    ```dotenv
    SERVICE_TOKEN=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZXJ2aWNlIn0.sig
    ```

    ## How to fix
    Prefer short-lived tokens issued at runtime; if a long-lived one is needed, rotate it on
    a schedule (see `--max-age`).
    """
    for v in _candidates(entry):
        if v.kind == "JWT" and v.expires is None:
            yield _problem(
                v,
                entry,
                f"{_subject(v, entry)} has no exp claim: it never expires",
                "prefer short-lived tokens, or rotate this one on a schedule",
                {},
            )


# --- rotation age (git blame) -------------------------------------------------------------------


@rule("KL605", "key-age", Severity.WARNING, "stale", scope="external")
def key_age(*_args: object) -> Iterator[Problem]:
    """A key whose line was last changed longer ago than `--max-age`.

    ## What it does
    With `--max-age DURATION` (e.g. `90d`, `12w`, `6mo`, `1y`; or `max-age` in the config
    file), runs `git blame` once per tracked file that holds secrets and reports each secret
    whose line was last changed (committed) longer ago than that, naming the date. Lines
    that are not committed yet are new and never reported.

    ## Why is this bad?
    Rotation policies (PCI DSS, SOC 2, most cloud providers' guidance) expect keys to be
    replaced regularly. An old key has had more time to be copied, logged and leaked.

    ## Example
    ```text
    config/prod.env:4:19: KL605 [warning] Stripe live secret key in STRIPE_SECRET_KEY was last
    changed on 2023-02-01 (480 days ago; max-age 90d)
    ```

    ## How to fix
    Rotate the key at the provider and commit the new value (or, better, move it out of the
    repository).
    """
    return iter(())


def rotation_age_stage(report: ScanReport, args: argparse.Namespace) -> None:
    """Post stage: KL605 for secrets in tracked files older than max-age (one ``git blame`` per file)."""
    settings = report.settings
    if settings.options.get("max-age") is None or not settings.options.get("git", True):
        return
    from keylint import gitinfo
    from keylint.engine import make_finding
    from keylint.model import Notice
    from keylint.rules import all_rules

    rule_ = all_rules()["KL605"]
    max_age = parse_duration(settings.options["max-age"])
    by_path: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.category == "secret" and f.secret and f.extra.get("git") in ("tracked", "staged"):
            by_path.setdefault(f.path, []).append(f)
    now = time.time()
    added: list[Finding] = []
    for path, findings in by_path.items():
        if not settings.enabled(rule_.code, path):
            continue
        root = gitinfo.find_root(path)
        if root is None:
            continue
        try:
            lines = gitinfo.blame(root, gitinfo.relpath(path, root))
        except gitinfo.GitError as error:
            if "no such path" not in str(error) and "no such ref" not in str(error).lower():
                report.notices.append(Notice(path, f"{path}: {error}; key age unknown", "warning"))
            continue
        seen: set[tuple[int, str]] = set()
        for f in findings:
            assert f.secret is not None
            needle = f.secret.split("\n", 1)[0]
            holding = [b for b in lines if needle in b.text]
            if not holding or (f.line, f.secret) in seen:
                continue  # not committed yet: a new key is not an old one
            seen.add((f.line, f.secret))
            last = min(holding, key=lambda b: abs(b.line - f.line))
            age = now - last.author_time
            if age <= max_age:
                continue
            date = time.strftime("%Y-%m-%d", time.gmtime(last.author_time))
            subject = f.message if f.rule == "KL101" else f"secret in {f.key}" if f.key else "secret"
            problem = Problem(
                f"{subject} was last changed on {date} ({_days(age)} ago; max-age {settings.options['max-age']})",
                line=f.line,
                column=f.column,
                key=f.key,
                provider=f.provider,
                secret=f.secret,
                path=f.path,
                fix=f"{rotate_advice(f.provider, f.extra.get('kind'))} and replace it",
                extra={"date": date, "commit": last.commit, "git": f.extra.get("git")},
            )
            added.append(make_finding(rule_, problem, f.path, settings))
    if added:
        report.findings.extend(added)
        report.findings.sort(key=lambda f: f.sort_key)


# --- drift between files -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment_words() -> frozenset[str]:
    from keylint.engine import ENVIRONMENT_WORDS

    return frozenset(word for _env, words in ENVIRONMENT_WORDS for word in words)


def family(display: str) -> tuple[str, str]:
    """Files that are one config for different environments share a family:
    ``.env``/``.env.production``, ``values.yaml``/``values-prod.yaml``, ``config.json``/``config.dev.json``."""
    directory, name = os.path.split(display.replace("\\", "/"))
    return directory, _family_name(name)


# Asked for every file of a scan (twice when it runs KL611), and a tree repeats a few names many times.
@lru_cache(maxsize=4096)
def _family_name(name: str) -> str:
    words = _environment_words()
    return ".".join(p for p in _NAME_WORDS.split(name.lower()) if p and p not in words)


_NAME_WORDS = re.compile(r"[._-]")


def _real(entry: Entry, match: Match) -> bool:
    return not is_stand_in(match.token) and not is_stand_in(entry.value)


@rule("KL611", "key-drift", Severity.INFO, "stale", scope="scan")
def key_drift(scan: ScanContext) -> Iterator[Problem]:
    """The same variable holds different real keys in sibling environment files.

    ## What it does
    Groups the files of one scan that are the same config for different environments
    (`.env` and `.env.production`; `values.yaml` and `values-prod.yaml`; same directory) and
    reports a variable that holds different provider keys in them. Reported once per
    variable, at the first file, naming the others.

    ## Why is this bad?
    Often intended (each environment has its own key). But it is also what a rotation that
    reached only some of the files looks like: one of the copies may be dead. With
    `--verify`, KL614 tells which.

    ## Example
    ```dotenv
    # .env                          # .env.staging
    STRIPE_SECRET_KEY=sk_live_A...  STRIPE_SECRET_KEY=sk_live_B...
    ```

    ## How to fix
    Nothing, if the difference is intended. After rotating a key, update every file that
    held the old one.
    """
    groups: dict[tuple[str, str], list[FileSummary]] = {}
    for summary in scan.files:
        # A file without keys gives no variable a holder; a scan keeps them only where a family has siblings.
        if summary.secrets and not summary.template:
            groups.setdefault(family(summary.display), []).append(summary)
    for files in groups.values():
        if len(files) < 2:
            continue
        by_key: dict[str, dict[str, tuple[Entry, Match]]] = {}
        for summary in sorted(files, key=lambda s: s.display):
            for entry, match in summary.secrets:
                if entry.key and _real(entry, match):
                    by_key.setdefault(entry.key, {}).setdefault(summary.display, (entry, match))
        for key, holders in by_key.items():
            if len(holders) < 2 or len({m.token for _e, m in holders.values()}) < 2:
                continue
            first, *others = holders
            entry, match = holders[first]
            yield Problem(
                f"{key} holds a different {describe(match)} in {first} than in {', '.join(others)}: "
                "expected if each environment has its own key; after a rotation, check that no copy is stale",
                entry=entry,
                path=first,
                column=entry.position_of(match.start)[1] if match.start else None,
                provider=match.provider,
                secret=match.token,
                public_prefix=len(match.format.prefix) if match.format else 0,
                extra={"files": [first, *others]},
            )


_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".tpl", ".dist")
_TEMPLATE_PREFIXES = ("example.", "sample.", "template.")


def template_base(display: str) -> str | None:
    """The file a template stands for: ``.env.example`` -> ``.env``, ``example.env`` -> ``.env``."""
    directory, name = os.path.split(display.replace("\\", "/"))
    lower = name.lower()
    base = None
    for suffix in _TEMPLATE_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            break
    else:
        for prefix in _TEMPLATE_PREFIXES:
            if lower.startswith(prefix) and len(name) > len(prefix):
                base = name[len(prefix) :]
                base = "." + base if base.lower() == "env" else base
                break
    if base is None:
        return None
    return f"{directory}/{base}" if directory else base


def _template_pairs(scan: ScanContext) -> Iterator[tuple[FileSummary, FileSummary]]:
    dotenv = {s.display: s for s in scan.files if s.fmt == "dotenv"}
    for summary in dotenv.values():
        if summary.template:
            base = template_base(summary.display)
            if base is not None and base in dotenv and not dotenv[base].template:
                yield summary, dotenv[base]


@rule("KL612", "missing-from-env", Severity.WARNING, "stale", scope="scan")
def missing_from_env(scan: ScanContext) -> Iterator[Problem]:
    """A variable declared in `.env.example` (or another template) is missing from `.env`.

    ## What it does
    When a scan includes both a template (`.env.example`, `.env.sample`, `.env.template`,
    `.env.dist`) and the file it stands for (`.env`), reports each variable the template
    declares that the real file lacks, at the template's line (like dotenv-linter's
    `compare`).

    ## Why is this bad?
    The application expects the variable; without it, it fails at start-up or, worse, falls
    back to a default (an empty key, a sandbox endpoint).

    ## Example
    ```dotenv
    # .env.example          # .env
    OPENAI_API_KEY=         (no OPENAI_API_KEY)
    ```

    ## How to fix
    Add the variable to `.env`, or remove it from the template if it is no longer used.
    """
    for template, real in _template_pairs(scan):
        present = {key for key, _line in real.keys}
        for key, line in _first_lines(template.keys):
            if key not in present:
                yield Problem(
                    f"{key} is declared in {template.display} but missing from {real.display}",
                    line=line,
                    column=1,
                    key=key,
                    path=template.display,
                    fix=f"add {key} to {real.display}, or remove it from the template",
                )


@rule("KL613", "missing-from-example", Severity.WARNING, "stale", scope="scan")
def missing_from_example(scan: ScanContext) -> Iterator[Problem]:
    """A variable set in `.env` is not declared in its template (`.env.example`).

    ## What it does
    The reverse of KL612: reports each variable of the real file (`.env`) that its template
    in the same scan does not declare, at the real file's line.

    ## Why is this bad?
    The template is the documentation of the configuration: the next developer (or the
    deployment) does not know the variable exists and the application fails for them.

    ## Example
    ```dotenv
    # .env                        # .env.example
    SENTRY_DSN=https://...        (no SENTRY_DSN)
    ```

    ## How to fix
    Add the variable to the template with a placeholder value: `SENTRY_DSN=your-sentry-dsn`.
    """
    for template, real in _template_pairs(scan):
        declared = {key for key, _line in template.keys}
        for key, line in _first_lines(real.keys):
            if key not in declared:
                yield Problem(
                    f"{key} is set in {real.display} but not declared in {template.display}",
                    line=line,
                    column=1,
                    key=key,
                    path=real.display,
                    fix=f"add {key} with a placeholder value to {template.display}",
                )


def _first_lines(keys: list[tuple[str, int]]) -> list[tuple[str, int]]:
    first: dict[str, int] = {}
    for key, line in keys:
        first.setdefault(key, line)
    return list(first.items())


# --- stale copies after rotation (needs verification results) ---------------------------------

PASSED = frozenset({"valid", "valid_scoped"})
FAILED = frozenset({"invalid", "revoked", "expired"})


@rule("KL614", "stale-copy", Severity.ERROR, "stale", scope="external")
def stale_copy(*_args: object) -> Iterator[Problem]:
    """A key failed verification while a sibling file's copy of the same variable works.

    ## What it does
    After `--verify`, compares the keys of one variable across sibling environment files
    (see KL611). When a file's key is rejected by the provider (invalid, revoked or expired)
    while another file holds a different key for the same variable that the provider
    accepts, the failing copy is reported: it is most likely what was left behind after a
    rotation.

    ## Why is this bad?
    The application that reads the stale file fails with "invalid API key" although the
    team believes the key was rotated everywhere.

    ## Example
    ```text
    .env.staging:2:19: KL614 [error] stale copy left after rotation? STRIPE_SECRET_KEY failed
    verification (revoked) here, while .env holds a different key that works
    ```

    ## How to fix
    Copy the working key (or, better, a key of its own for that environment) into the stale
    file and redeploy whatever reads it.
    """
    return iter(())


_extra_of = attrgetter("extra")


def _status(finding: Finding) -> str | None:
    verification = finding.extra.get("verification")
    if isinstance(verification, dict):
        status = verification.get("status")
        return status if isinstance(status, str) else None
    return None


def stale_copy_stage(report: ScanReport, args: argparse.Namespace) -> None:
    """Post stage: KL614 from the verification statuses in ``Finding.extra["verification"]``."""
    from keylint.engine import make_finding
    from keylint.rules import all_rules

    rule_ = all_rules()["KL614"]
    judged = PASSED | FAILED
    groups: dict[tuple[tuple[str, str], str], list[Finding]] = {}
    # Tens of thousands of findings, mostly never verified: those with a status are picked out in C first.
    has_status = map(contains, map(_extra_of, report.findings), repeat("verification"))
    for f in compress(report.findings, has_status):
        if f.secret and f.key and _status(f) in judged:
            groups.setdefault((family(f.path), f.key), []).append(f)
    added: list[Finding] = []
    for (_family, key), findings in groups.items():
        working = {f.secret: f for f in findings if _status(f) in PASSED}
        if not working:
            continue
        reported: set[tuple[str, int]] = set()
        for f in findings:
            status = _status(f)
            if status not in FAILED or f.secret in working or (f.path, f.line) in reported:
                continue
            if not report.settings.enabled(rule_.code, f.path):
                continue
            reported.add((f.path, f.line))
            good = sorted({w.path for w in working.values() if w.path != f.path}) or [f.path]
            problem = Problem(
                f"stale copy left after rotation? {key} failed verification ({status}) here, while "
                f"{', '.join(good)} holds a different key for it that works",
                line=f.line,
                column=f.column,
                key=key,
                provider=f.provider,
                secret=f.secret,
                path=f.path,
                fix=f"replace it with the current key (as in {good[0]}) and redeploy what reads {f.path}",
                extra={"verification": f.extra.get("verification"), "git": f.extra.get("git")},
            )
            added.append(make_finding(rule_, problem, f.path, report.settings))
    if added:
        report.findings.extend(added)
        report.findings.sort(key=lambda f: f.sort_key)
