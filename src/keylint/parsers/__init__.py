"""One parser per config format. Each module exposes ``parse(text) -> ParseResult``.

Parsers never raise on bad input: a syntax error becomes a ParseProblem of kind
"syntax" with ``failed=True``, and the engine then falls back to ``lines``,
which finds ``KEY=value`` / ``key: value`` pairs line by line, so that no key
in a broken file is missed.
"""

from __future__ import annotations

import fnmatch
from importlib import import_module

from keylint.model import ParseResult

FORMATS = ("dotenv", "yaml", "toml", "json", "ini", "properties", "lines")

# Suffixes that mark a copy or template of another config file: config.yaml.dist -> yaml
_TEMPLATE_SUFFIXES = (".dist", ".example", ".sample", ".template", ".tmpl", ".tpl", ".orig", ".bak")

_BY_NAME = {".npmrc": "ini", ".pypirc": "ini", ".env": "dotenv"}
_BY_SUFFIX = {
    ".env": "dotenv",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
    ".ini": "ini",
    ".cfg": "ini",
    ".properties": "properties",
}


def format_for(filename: str) -> str | None:
    """The config format of a file, from its name alone (None: not a config file)."""
    name = filename.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in _BY_NAME:
        return _BY_NAME[lower]
    if lower.startswith(".env.") or lower.startswith(".env-"):
        return "dotenv"
    for suffix, fmt in _BY_SUFFIX.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return fmt
    for suffix in _TEMPLATE_SUFFIXES:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return format_for(name[: -len(suffix)])
    return None


def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def parse(fmt: str, text: str) -> ParseResult:
    return import_module(f"keylint.parsers.{fmt}").parse(text)
