"""A provider's live check, as data, and the pure functions that turn it into a request and read the answer.

A provider record sets ``verify=`` to one :class:`Check` (or a tuple of them, one per key kind)::

    Check("https://api.openai.com/v1/models", auth=bearer(), kinds=("project-key", ...),
          outcomes=(on(200, "valid"), on(401, "invalid"), on(403, "valid_scoped")))

Safety is structural, not a convention:

- the scheme is always https and the port always the default: neither is part of the template;
- the host is fixed, or a template whose placeholders are filled from validated values and whose
  result must match ``host_pattern``, a pattern pinned to the provider's own domain;
- values from scanned files only ever fill placeholders after matching the parameter's own pattern
  (and, in paths, percent-encoding), so no scanned text can choose a host, port, scheme or path;
- config-defined providers (``[[tool.keylint.providers]]``) cannot carry a check at all.

Nothing here does I/O; :mod:`keylint.verify.client` sends what :func:`prepare` builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from keylint import TYPE_CHECKING
from keylint.records import dataclass, field

if TYPE_CHECKING:
    from typing import Any

# Every scan imports this module (the provider records hold checks) and only --verify runs build
# requests: json, base64 and urllib.parse are imported where they are used, and the data classes
# generate nothing but __init__ (dataclass code generation is most of this module's import time).

STATUSES: dict[str, str] = {
    "valid": "the provider accepted the key",
    "valid_scoped": "the key authenticated, but the endpoint is forbidden to it (restricted or scoped key)",
    "invalid": "the provider rejects the key",
    "revoked": "the provider says the key was revoked, disabled or deleted",
    "expired": "the provider says the key expired",
    "rate_limited": "the provider asked us to slow down; no answer about the key",
    "unknown": "no conclusive answer (network error, timeout, server error, unexpected answer)",
    "unverifiable": "keylint cannot check this key (no safe endpoint, or a partner value is missing/ambiguous)",
}

# How much of an answer is read: enough for every JSON error body, bounded against a hostile endpoint.
MAX_BODY_BYTES = 256 * 1024

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_HOSTNAME = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_DETAIL_VALUE = re.compile(r"[^A-Za-z0-9 _.:/@+-]")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


class Unverifiable(Exception):
    """This key cannot be checked safely; the message says why (it never contains the key)."""


@dataclass(eq=False, repr=False)
class Auth:
    """Where the key goes. Values are templates over ``{key}`` and the check's parameters."""

    place: str  # header | basic | query | form | json | path (the URL template holds it) | aws-sigv4
    # | azure-shared-key (the two signers: the key itself is never sent, only a signature made with it)
    name: str = ""  # header name, query parameter, form or JSON field
    value: str = "{key}"  # for basic: the user part
    password: str = ""  # basic only


def bearer() -> Auth:
    return Auth("header", "Authorization", "Bearer {key}")


def header(name: str, value: str = "{key}") -> Auth:
    return Auth("header", name, value)


def basic(user: str, password: str = "") -> Auth:
    return Auth("basic", value=user, password=password)


def query(name: str, value: str = "{key}") -> Auth:
    return Auth("query", name, value)


def form(name: str, value: str = "{key}") -> Auth:
    return Auth("form", name, value)


def json_field(name: str, value: str = "{key}") -> Auth:
    return Auth("json", name, value)


def in_path() -> Auth:
    return Auth("path")


@dataclass(eq=False, repr=False)
class Param:
    """A value the check needs besides the key, found next to it in the same file (or section).

    Found by variable name (``env_vars``, matched on the last component of the key path) or, for
    partners that are keys themselves, by the provider key ``kinds`` the detector recognised. The
    value (after ``extract``, a regex whose first group is kept) must fully match ``pattern`` and,
    when given, be one of ``choices``.
    """

    name: str
    env_vars: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    pattern: str = r"[A-Za-z0-9._-]{1,128}"
    extract: str | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None  # used when no variable holds it (not when one holds something unusable)
    required: bool = True
    secret: bool = False  # a partner secret: part of the cache key, never shown
    label: str = ""  # how messages name it: "the account SID (TWILIO_ACCOUNT_SID)"
    # Words a setting uses for a value, e.g. SQUARE_ENVIRONMENT=sandbox for the sandbox API host: matched
    # case-insensitively and replaced before ``pattern`` and ``choices`` are checked, so only listed words work.
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def described(self) -> str:
        if self.label:
            return self.label
        names = ", ".join(self.env_vars[:3])
        return f"{self.name.replace('_', ' ')}" + (f" ({names})" if names else "")


@dataclass(eq=False, repr=False)
class NoCheck:
    """Why keys of some kinds are never sent anywhere, in a provider's ``verify=`` next to its checks.

    ``keylint providers ID`` shows the reason, and ``--verify`` gives it as the ``unverifiable`` detail
    (a self-hosted service whose address would come from the scanned files, a key that is public by design).
    """

    reason: str
    kinds: tuple[str, ...] = ()  # () = every kind no check covers


@dataclass(eq=False, repr=False)
class Outcome:
    """One rule of the answer -> status mapping; the first that matches wins."""

    status: str
    codes: tuple[int, ...] = ()  # HTTP status codes; () = any
    field: str | None = None  # dotted path into a JSON answer ("ok", "result.status", "errors.0.code")
    equals: tuple[Any, ...] = ()  # the field equals one of these; () = the field is present and truthy
    contains: str | None = None  # the body contains this marker
    detail: str = ""  # may use {value} (the field's value) and {code}

    def matches(self, code: int, text: str, data: Any) -> bool:
        if self.codes and code not in self.codes:
            return False
        if self.contains is not None and self.contains not in text:
            return False
        if self.field is not None:
            found, value = lookup(data, self.field)
            if not found:
                return False
            if self.equals:
                return any(value == e and type(value) is type(e) for e in self.equals)
            return bool(value)
        return True

    def describe(self, code: int, data: Any) -> str:
        value = lookup(data, self.field)[1] if self.field else None
        text = self.detail or "HTTP {code}"
        return text.replace("{value}", clean_value(value)).replace("{code}", str(code))


def on(
    codes: int | Iterable[int] | None,
    status: str,
    *,
    field: str | None = None,
    equals: Any = (),
    contains: str | None = None,
    detail: str = "",
) -> Outcome:
    """``on(401, "invalid")``, ``on(200, "revoked", field="ok", equals=False)`` ..."""
    if status not in STATUSES:
        raise ValueError(f"unknown verification status {status!r}")
    code_tuple = () if codes is None else (codes,) if isinstance(codes, int) else tuple(codes)
    equals_tuple = equals if isinstance(equals, tuple) else (equals,)
    return Outcome(status, code_tuple, field, equals_tuple, contains, detail)


def standard(
    *before: Outcome,
    valid: int | tuple[int, ...] = 200,
    invalid: int | tuple[int, ...] | None = 401,
    scoped: int | tuple[int, ...] | None = 403,
) -> tuple[Outcome, ...]:
    """The usual mapping (200 valid, 401 invalid, 403 valid but scoped), after any provider-specific ``before``."""
    outcomes = list(before)
    if valid:  # valid=() when a field of the answer decides (see ``before``)
        outcomes.append(on(valid, "valid"))
    if invalid is not None:
        outcomes.append(on(invalid, "invalid"))
    if scoped is not None:
        outcomes.append(on(scoped, "valid_scoped"))
    return tuple(outcomes)


# ``extract`` for a host named by a URL or given bare: "https://x.example.com/path" or "x.example.com".
# Any port but 443 fails to match, so a file can never steer a key to another port.
URL_HOST = r"^(?:https://)?([A-Za-z0-9.-]+?)\.?(?::443)?(?:[/?#].*)?$"


def instance(*env_vars: str, hosts: tuple[str, ...], default: str) -> Param:
    """A guard: when the file names another instance (self-hosted GitLab, GitHub Enterprise, an EU region
    the check does not cover), the key is left unverified instead of being sent to the public host."""
    return Param(
        "instance",
        env_vars=env_vars,
        extract=r"^(?:https?://)?([A-Za-z0-9.-]+?)\.?(?::\d+)?(?:[/?#].*)?$",
        pattern=r"[a-z0-9.-]{1,253}",
        choices=hosts,
        default=default,
        label=f"the instance ({', '.join(env_vars[:2])})",
    )


@dataclass(eq=False, repr=False)
class Check:
    """One request that tells whether a key of some kinds works."""

    url: str  # https://host/path?query; {placeholders} for the key and parameters
    method: str = "GET"
    auth: Auth = field(default_factory=bearer)
    headers: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    json: Any = None  # a JSON body; string leaves are templates
    outcomes: tuple[Outcome, ...] = ()
    kinds: tuple[str, ...] = ()  # key kinds of the provider this check applies to; () = every secret kind
    environments: tuple[str | None, ...] = ()  # ("live",) / ("test",) when the endpoint differs; () = any
    # The key's own variable names (upper case) this check is for, when only the name tells which endpoint a
    # key belongs to (a Postmark server token and account token are both UUIDs); () = any variable.
    variables: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    key_pattern: str | None = None  # regex with named groups that become parameters (Mailchimp's data centre)
    # A templated host ("{org}.okta.com") must end in one of ``domains`` (the provider's own) and, when
    # given, fully match ``host_pattern``. A fixed host needs neither.
    domains: tuple[str, ...] = ()
    host_pattern: str | None = None
    signer: str | None = None  # "aws-sigv4" (keylint.verify.aws) or "azure-shared-key" (keylint.verify.azure)
    note: str = ""  # shown by `keylint providers`: what the check does (e.g. "mints a short-lived token")

    def applies_to(self, kind: str, environment: str | None, variable: str | None = None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.variables and variable not in self.variables:
            return False
        return not self.environments or environment in self.environments

    @property
    def host_template(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).netloc.lower()


def describe(check: Check) -> str:
    """One line for `keylint providers ID`: which kinds, what request, where the key goes, what else it needs."""
    kinds = ", ".join(check.kinds) if check.kinds else "all kinds"
    if check.environments:
        kinds += f" ({', '.join(e or 'any' for e in check.environments)})"
    if check.variables:
        kinds += f" in {', '.join(check.variables)}"
    auth = check.auth
    where = {
        "header": f"header {auth.name}",
        "basic": "basic auth",
        "query": f"query ?{auth.name}=",
        "form": f"form field {auth.name}",
        "json": f"JSON field {auth.name}",
        "path": "URL path",
        "aws-sigv4": "SigV4 signature",
        "azure-shared-key": "Shared Key signature",
    }.get(auth.place, auth.place)
    needs = [p.described for p in check.params if p.required and p.default is None]
    text = f"{kinds}: {check.method} {check.url.split('?')[0]}  (key in {where}"
    text += f"; needs {', '.join(needs)})" if needs else ")"
    return text + (f"  [{check.note}]" if check.note else "")


def checks_of(provider: Any) -> tuple[Check, ...]:
    verify = getattr(provider, "verify", None)
    if verify is None:
        return ()
    if isinstance(verify, Check):
        return (verify,)
    if isinstance(verify, NoCheck):
        return ()
    return tuple(c for c in verify if isinstance(c, Check))


def no_check_reason(provider: Any, kind: str) -> str | None:
    """The provider's recorded reason why keys of ``kind`` are never checked, or None when it records none."""
    verify = getattr(provider, "verify", None)
    for entry in verify if isinstance(verify, tuple) else (verify,):
        if isinstance(entry, NoCheck) and (not entry.kinds or kind in entry.kinds):
            return entry.reason
    return None


def check_for(provider: Any, kind: str, environment: str | None, variable: str | None = None) -> Check | None:
    for check in checks_of(provider):
        if check.applies_to(kind, environment, variable):
            return check
    return None


def partner_kinds(provider: Any) -> set[str]:
    """Key kinds that are only ever checked together with another key (an AWS secret, a Twilio token ...)."""
    kinds: set[str] = set()
    for check in checks_of(provider):
        for param in check.params:
            kinds.update(param.kinds)
    return kinds


# --- building a request -------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class Prepared:
    """A request ready to send: always https to ``host`` on the default port."""

    provider: str
    method: str
    host: str
    path: str  # percent-encoded
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    check: Check

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def key_values(check: Check, key: str) -> dict[str, str]:
    """Named groups of ``key_pattern`` (e.g. Mailchimp's ``dc`` from ``...-us21``); raises when it does not match."""
    if not check.key_pattern:
        return {}
    found = re.search(check.key_pattern, key)
    if not found:
        raise Unverifiable("the key does not have the shape this provider's check needs")
    return {k: v for k, v in found.groupdict().items() if v is not None}


def _fill(template: str, values: Mapping[str, str], encode: Any = None) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return encode(values[name]) if encode else values[name]

    return _PLACEHOLDER.sub(substitute, template)


def _fill_json(template: Any, values: Mapping[str, str]) -> Any:
    if isinstance(template, str):
        return _fill(template, values)
    if isinstance(template, list):
        return [_fill_json(v, values) for v in template]
    if isinstance(template, dict):
        return {k: _fill_json(v, values) for k, v in template.items()}
    return template


def _safe_header_value(value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise Unverifiable("a value for the request contains a line break")
    return value


def _path_segment(value: str) -> str:
    from urllib.parse import quote

    # Everything but unreserved characters and ':' '@' is encoded: no '/', '?', '#' or '%' survives.
    return quote(value, safe=":@")


def resolve_host(check: Check, values: Mapping[str, str]) -> str:
    template = check.host_template
    if "@" in template or ":" in template:
        raise Unverifiable("the check's URL names a user or port (refused)")
    host = _fill(template, values).lower()
    if _PLACEHOLDER.search(host):
        raise Unverifiable("a value the check's host needs is missing")
    if not _HOSTNAME.fullmatch(host):
        raise Unverifiable("the host built for the check is not a valid DNS name (refused)")
    if _PLACEHOLDER.search(template):
        pinned = any(host == d or host.endswith("." + d) for d in check.domains)
        if not pinned or (check.host_pattern and not re.fullmatch(check.host_pattern, host)):
            raise Unverifiable("the host built for the check is outside the provider's domain (refused)")
    return host


def prepare(check: Check, provider: str, key: str, params: Mapping[str, str], now: Any = None) -> Prepared:
    """The request for ``key``; ``params`` are validated partner values (see :mod:`keylint.verify.pairing`)."""
    import base64
    import json
    from urllib.parse import parse_qsl, urlencode, urlsplit

    values = {**params, **key_values(check, key), "key": key}
    parts = urlsplit(check.url)
    if parts.scheme != "https":
        raise Unverifiable("the check's URL is not https (refused)")
    host = resolve_host(check, values)
    path = _fill(parts.path or "/", values, _path_segment)
    if _PLACEHOLDER.search(path):
        raise Unverifiable("a value the check's path needs is missing")
    query_pairs = [(k, _fill(v, values)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    headers = [(name, _safe_header_value(_fill(value, values))) for name, value in check.headers]
    form_pairs = [(k, _fill(v, values)) for k, v in check.form]
    json_body = _fill_json(check.json, values) if check.json is not None else None
    auth = check.auth
    if auth.place == "header":
        headers.append((auth.name, _safe_header_value(_fill(auth.value, values))))
    elif auth.place == "basic":
        pair = f"{_fill(auth.value, values)}:{_fill(auth.password, values)}"
        headers.append(("Authorization", "Basic " + base64.b64encode(pair.encode()).decode("ascii")))
    elif auth.place == "query":
        query_pairs.append((auth.name, _fill(auth.value, values)))
    elif auth.place == "form":
        form_pairs.append((auth.name, _fill(auth.value, values)))
    elif auth.place == "json":
        json_body = dict(json_body or {})
        json_body[auth.name] = _fill(auth.value, values)
    elif auth.place not in {"path", "aws-sigv4", "azure-shared-key"}:
        raise ValueError(f"unknown auth place {auth.place!r}")
    body = b""
    if form_pairs:
        body = urlencode(form_pairs).encode("ascii")
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"))
    elif json_body is not None:
        body = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
        headers.append(("Content-Type", "application/json"))
    prepared = Prepared(provider, check.method, host, path, tuple(query_pairs), tuple(headers), body, check)
    if check.signer == "aws-sigv4":
        from keylint.verify.aws import sign_prepared

        prepared = sign_prepared(prepared, key, params, now=now)
    elif check.signer == "azure-shared-key":
        from keylint.verify.azure import sign_shared_key

        prepared = sign_shared_key(prepared, key, params, now=now)
    elif check.signer is not None:
        raise ValueError(f"unknown signer {check.signer!r}")
    return prepared


# --- reading the answer --------------------------------------------------------------------------


def lookup(data: Any, path: str | None) -> tuple[bool, Any]:
    """``lookup({"a": {"b": 1}}, "a.b") == (True, 1)``; list items by index."""
    if path is None:
        return False, None
    current = data
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def clean_value(value: Any) -> str:
    """A provider's error code, safe to show: short, printable, no markup."""
    import json

    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return _DETAIL_VALUE.sub("", text)[:60]


def parse_body(body: bytes) -> tuple[str, Any]:
    import json

    text = body[:MAX_BODY_BYTES].decode("utf-8", "replace")
    data: Any = None
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
    return text, data


def interpret(check: Check, code: int, body: bytes) -> tuple[str, str] | None:
    """(status, detail) from the check's own mapping, or None when no rule matches."""
    text, data = parse_body(body)
    for outcome in check.outcomes:
        if outcome.matches(code, text, data):
            return outcome.status, outcome.describe(code, data)
    return None


def default_outcome(code: int) -> tuple[str, str]:
    """What an answer means when the check's mapping does not say: never guessed as valid or invalid."""
    if 300 <= code < 400:
        return "unknown", f"the provider answered with a redirect (HTTP {code}), which is not followed"
    if code == 429:
        return "rate_limited", "the provider is rate limiting (HTTP 429)"
    if code >= 500:
        return "unknown", f"the provider had a server error (HTTP {code})"
    return "unknown", f"unexpected answer (HTTP {code})"


# --- checking the data itself (tests run this over the whole registry) ----------------------------


def problems(check: Check) -> list[str]:
    """Everything unsafe or inconsistent about a check; empty when it is fine."""
    from urllib.parse import urlsplit

    found: list[str] = []
    parts = urlsplit(check.url)
    if parts.scheme != "https":
        found.append("URL must be https")
    if parts.port is not None or "@" in parts.netloc or parts.fragment:
        found.append("URL must not carry a port, user or fragment")
    declared = {"key"} | {p.name for p in check.params}
    if check.key_pattern:
        declared |= set(re.compile(check.key_pattern).groupindex)
    host = check.host_template
    templated = bool(_PLACEHOLDER.search(host))
    if templated:
        if not check.domains:
            found.append("a templated host needs the provider's domains")
        for domain in check.domains:
            if not _HOSTNAME.fullmatch(domain) or domain.count(".") < 1:
                found.append(f"domain {domain!r} is not a registrable DNS name")
        if "key" in _PLACEHOLDER.findall(host):
            found.append("the key must never be part of a host")
    elif not _HOSTNAME.fullmatch(host):
        found.append(f"host {host!r} is not a DNS name")
    for where, text in [("url", check.url)] + [(f"header {n}", v) for n, v in check.headers]:
        for name in _PLACEHOLDER.findall(text):
            if name not in declared:
                found.append(f"{where}: undeclared placeholder {{{name}}}")
    for name, _ in check.headers:
        if not _HEADER_NAME.fullmatch(name):
            found.append(f"bad header name {name!r}")
    key_groups = set(re.compile(check.key_pattern).groupindex) if check.key_pattern else set()
    in_path = set(_PLACEHOLDER.findall(parts.path)) & ({"key"} | key_groups)
    if check.auth.place == "path" and not in_path:
        found.append("auth in_path() but the path holds neither {key} nor a group of key_pattern")
    if check.signer in {"aws-sigv4", "azure-shared-key"} and check.auth.place != check.signer:
        found.append(f"{check.signer} checks use Auth({check.signer!r})")
    if check.auth.place in {"aws-sigv4", "azure-shared-key"} and check.signer != check.auth.place:
        found.append(f"Auth({check.auth.place!r}) needs signer={check.auth.place!r}: the key would go unsigned")
    if check.method not in {"GET", "POST", "HEAD"}:
        found.append(f"method {check.method} is not a read-only verb keylint uses")
    for param in check.params:
        try:
            re.compile(param.pattern)
            if param.extract:
                re.compile(param.extract)
        except re.error as error:
            found.append(f"param {param.name}: bad regex ({error})")
        if param.default is not None and not re.fullmatch(param.pattern, param.default):
            found.append(f"param {param.name}: default does not match its pattern")
        for word, value in param.aliases:
            if not re.fullmatch(param.pattern, value) or (param.choices and value not in param.choices):
                found.append(f"param {param.name}: alias {word!r} stands for a value its pattern or choices refuse")
    if not check.outcomes:
        found.append("no outcomes: every answer would be 'unknown'")
    if not any(o.status in {"valid", "valid_scoped"} for o in check.outcomes):
        found.append("no outcome says 'valid'")
    return found
