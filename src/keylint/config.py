"""Settings: defaults, ``[tool.keylint]`` in pyproject.toml or ``.keylint.toml``, then the command line.

The config file is found upward from the first scanned path (like ruff): the
first ``.keylint.toml``, or ``pyproject.toml`` that has a ``[tool.keylint]``
table. A pyproject.toml without the table is passed over.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys

from keylint import TYPE_CHECKING
from keylint.model import Severity
from keylint.providers.schema import KeyFormat, Provider
from keylint.records import dataclass, field, replace

if TYPE_CHECKING:
    from typing import Any

DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024


class ConfigError(Exception):
    """A bad setting: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Settings:
    ignore: frozenset[str] = frozenset()  # rule codes switched off everywhere
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob, codes)
    severity: dict[str, Severity] = field(default_factory=dict)  # per-rule overrides
    extra_providers: tuple[Provider, ...] = ()  # user-defined patterns
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    include: tuple[str, ...] = ()  # extra file-name globs to treat as config files
    exclude: tuple[str, ...] = ()  # path globs never to scan
    follow_symlinks: bool = False
    fail_on: Severity | None = Severity.ERROR  # None: never fail
    show_secrets: bool = False
    jobs: int = 0  # 0: as many as CPUs, for large scans
    config_path: str | None = None
    root: str = "."  # directory of the config file (per-file-ignores are relative to it)
    options: dict[str, Any] = field(default_factory=dict)  # feature settings (verify, git, baseline ...)

    def enabled(self, code: str, path: str) -> bool:
        if code in self.ignore:
            return False
        for pattern, codes in self.per_file_ignores:
            if (code in codes or "ALL" in codes) and path_matches(path, pattern):
                return False
        return True

    def with_options(self, **options: Any) -> Settings:
        return replace(self, options={**self.options, **options})


def path_matches(path: str, pattern: str) -> bool:
    """gitignore-ish globs: ``*`` crosses directories, a pattern without ``/`` matches any path component,
    and ``dir/`` matches everything below ``dir``."""
    posix = path.replace(os.sep, "/").removeprefix("./")
    pattern = pattern.removeprefix("./")
    if pattern.endswith("/"):
        pattern += "*"
    if fnmatch.fnmatchcase(posix, pattern) or fnmatch.fnmatchcase(posix, "*/" + pattern.removeprefix("**/")):
        return True
    return "/" not in pattern and any(fnmatch.fnmatchcase(part, pattern) for part in posix.split("/"))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    if isinstance(text, int):
        return text
    match = _SIZE.match(str(text))
    if not match:
        raise ConfigError(f"invalid size {text!r} (examples: 500KB, 10MB, 1GB)")
    number = float(match.group(1))
    unit = (match.group(2) or "b").lower()[0]
    return int(number * {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])


def _load_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None


# Every way TOML can spell a keylint table under `tool` (headers, dotted keys, a `[tool]` table or an inline
# `tool = {...}` holding a `keylint` key), bare or quoted, with the spaces TOML allows around dots and brackets.
# A pyproject.toml that matches none of them has no [tool.keylint] and is passed over without importing tomllib
# and parsing it: most Python projects' pyproject.toml names keylint as a dependency, and so does keylint's own.
# (A quoted key with an escape in it may spell `tool` too.)
_TOOL = rb"""(?:tool|"tool"|'tool'|"[^"\n]*\\[^"\n]*")"""
_TOOL_KEYLINT = re.compile(rb"%s[ \t]*\.[ \t]*[\"']?keylint" % _TOOL)
_TOOL_TABLE = re.compile(rb"^[ \t]*\[\[?[ \t]*%s[ \t]*\]|^[ \t]*%s[ \t]*=" % (_TOOL, _TOOL), re.MULTILINE)


def _mentions_keylint(pyproject: str) -> bool:
    """Cheap pre-check so that most runs never pay for a TOML parse of an unrelated pyproject.toml: could this
    file hold a [tool.keylint] table (its name appears as `tool.keylint`, or under a `[tool]` or `tool = `)?"""
    try:
        with open(pyproject, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return b"keylint" in data and (_TOOL_KEYLINT.search(data) is not None or _TOOL_TABLE.search(data) is not None)


def find_config(start: str) -> tuple[str, dict[str, Any]] | None:
    """The nearest config file at or above ``start``, with its keylint table."""
    # os.path rather than pathlib: pathlib's import is a measurable part of a pre-commit run.
    start = os.path.realpath(start)
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        dedicated = os.path.join(folder, ".keylint.toml")
        if os.path.isfile(dedicated):
            data = _load_toml(dedicated)
            return dedicated, data.get("tool", {}).get("keylint", data)
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _mentions_keylint(pyproject):
            data = _load_toml(pyproject)
            table = data.get("tool", {}).get("keylint")
            if table is not None:
                return pyproject, table
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# Settings owned by feature modules; validated by them, carried in Settings.options.
FEATURE_KEYS = {
    "baseline",
    "max-age",
    "expiry-warning",
    "verify-timeout",
    "verify-connect-timeout",
    "verify-concurrency",
    "verify-host-concurrency",
    "cache-ttl",
    "fingerprint-salt",
    "parse-timeout",
    "max-depth",
}
_KNOWN_KEYS = {
    "ignore",
    "per-file-ignores",
    "severity",
    "providers",
    "max-file-size",
    "include",
    "exclude",
    "follow-symlinks",
    "fail-on",
    "jobs",
} | FEATURE_KEYS


def _codes(value: Any, where: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of rule codes")
    from keylint.rules import resolve

    codes = set()
    for item in value:
        if item.upper() == "ALL":
            codes.add("ALL")
            continue
        found = resolve(item)
        if found is None:
            raise ConfigError(f"{where}: unknown rule {item!r} (see `keylint rules`)")
        codes.add(found.code)
    return frozenset(codes)


def _provider(spec: Any, where: str) -> Provider:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: each provider is a table")
    unknown = set(spec) - {"id", "name", "template", "templates", "kind", "env-vars", "rotate-url", "needs-context"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if "id" not in spec or not ("template" in spec or "templates" in spec):
        raise ConfigError(f'{where}: a provider needs `id` and `template` (e.g. template = "acme_{{alnum:32}}")')
    templates = spec.get("templates") or [spec["template"]]
    formats = []
    for template in templates:
        fmt = KeyFormat(
            template=str(template),
            kind=str(spec.get("kind", "api-key")),
            needs_context=bool(spec.get("needs-context", False)),
        )
        try:
            _ = fmt.regex, fmt.prefix
        except (ValueError, re.error) as error:
            raise ConfigError(f"{where}: bad template {template!r}: {error}") from None
        if not fmt.prefix and not fmt.needs_context:
            fmt = replace(fmt, needs_context=True)
        formats.append(fmt)
    return Provider(
        id=str(spec["id"]),
        name=str(spec.get("name", spec["id"])),
        formats=tuple(formats),
        env_vars=tuple(str(v).upper() for v in spec.get("env-vars", ())),
        rotate_url=spec.get("rotate-url"),
    )


def settings_from_table(table: dict[str, Any], source: str, root: str) -> Settings:
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {"config_path": source, "root": root}
    if "ignore" in table:
        kwargs["ignore"] = _codes(table["ignore"], f"{source}: ignore")
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{source}: per-file-ignores must be a table of glob = [codes]")
        kwargs["per_file_ignores"] = tuple(
            (pattern, _codes(codes, f"{source}: per-file-ignores.{pattern}")) for pattern, codes in pfi.items()
        )
    if "severity" in table:
        if not isinstance(table["severity"], dict):
            raise ConfigError(f'{source}: severity must be a table of CODE = "error|warning|info"')
        overrides = {}
        for code, level in table["severity"].items():
            (resolved,) = _codes([code], f"{source}: severity")
            try:
                overrides[resolved] = Severity.parse(str(level))
            except ValueError as error:
                raise ConfigError(f"{source}: severity.{code}: {error}") from None
        kwargs["severity"] = overrides
    if "providers" in table:
        if not isinstance(table["providers"], list):
            raise ConfigError(f"{source}: providers must be an array of tables ([[tool.keylint.providers]])")
        kwargs["extra_providers"] = tuple(
            _provider(spec, f"{source}: providers[{i}]") for i, spec in enumerate(table["providers"])
        )
    if "max-file-size" in table:
        try:
            kwargs["max_file_size"] = parse_size(table["max-file-size"])
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from None
    for name in ("include", "exclude"):
        if name in table:
            value = table[name]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{source}: {name} must be a list of globs")
            kwargs[name] = tuple(value)
    if "follow-symlinks" in table:
        kwargs["follow_symlinks"] = bool(table["follow-symlinks"])
    if "fail-on" in table:
        try:
            kwargs["fail_on"] = parse_fail_on(str(table["fail-on"]))
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from None
    if "jobs" in table:
        kwargs["jobs"] = int(table["jobs"])
    kwargs["options"] = {k: table[k] for k in FEATURE_KEYS if k in table}
    return Settings(**kwargs)


def parse_fail_on(text: str) -> Severity | None:
    if text.strip().lower() == "never":
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise ConfigError(f"invalid fail-on {text!r} (expected error, warning, info or never)") from None


def load_settings(start: str | None, explicit: str | None = None, isolated: bool = False) -> Settings:
    """Settings from the config file that applies to ``start`` (or ``explicit``)."""
    if isolated:
        return Settings()
    if explicit:
        path = os.path.normpath(explicit)
        if not os.path.isfile(path):
            raise ConfigError(f"config file not found: {explicit}")
        data = _load_toml(path)
        table = data.get("tool", {}).get("keylint", data)
        return settings_from_table(table, path, os.path.dirname(os.path.realpath(path)))
    found = find_config(start or ".")
    if found is None:
        return Settings()
    path, table = found
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.keylint] must be a table")
    return settings_from_table(table, path, os.path.dirname(path))
