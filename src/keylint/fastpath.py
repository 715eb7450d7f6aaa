"""Reading only what matters: the common shapes of `.env`, YAML and JSON files without a full parse.

A full parse builds an entry for every value of a file, and in a large config tree almost
none of them can matter to any rule (see :mod:`keylint.prefilter`). For files in the plain
shapes most config files have, :func:`read` finds the same entries the full parser would,
but materialises only those the prefilter keeps, at a fraction of the cost:

- ``.env``: every line a one-line ``KEY=value`` statement (optionally ``export``; a plain
  value without quotes, ``#`` or backslashes, or a quoted value closed on its line without
  backslashes; optionally a `` # comment``), a comment or blank. The statements that matter
  are handed, one line each, to the real parser (:mod:`keylint.parsers.dotenv`), so their
  entries are exactly its entries.
- YAML: block mappings and sequences, indented with spaces, with plain keys and one-line
  plain or simply quoted values (no anchors, aliases, tags, flow collections, block
  scalars, multi-line scalars, merge keys, Kubernetes ``Secret`` data or ``env`` lists);
  libyaml's own parser (in C) confirms the file is valid YAML first. Entries carry exactly
  what :mod:`keylint.parsers.yaml` gives them (key path, value, raw text, line and column,
  key line, trailing comment, resolved tag).
- JSON without backslashes in which nothing matters: ``json.loads`` (in C) reads every value
  and member name, and the reading has no entries; any value that matters sends the file to
  the full parser for its positions.

Anything else, including any duplicate key or anything the full parser would report, makes
:func:`read` return None and the engine parses the file as usual. Equivalence with the full
parsers is tested on generated files (tests/test_fastpath.py), and the engine's findings
with and without the prefilter (``KEYLINT_NO_PREFILTER=1``) are compared in tests.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from keylint.model import Entry, ParseResult

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# What each file-scope rule reads, and why a reading (entries that matter, no parse problems) serves it.
FILE_RULES = {
    "KL001": "parse problems",
    "KL003": "parse problems",
    "KL004": "parse problems",
    "KL303": "parse problems; entries expecting a secret (kept: a match or a secret name)",
    "KL304": "parse problems (a duplicate key makes read() decline)",
    "KL502": "the first entry a secret rule reports (kept, in file order)",
}


@dataclass(slots=True)
class Reading:
    """The entries that matter, in file order, and for ``.env`` files every (key, line)."""

    entries: list[Entry]
    keys: list[tuple[str, int]] = field(default_factory=list)

    def parsed(self) -> ParseResult:
        return ParseResult(entries=self.entries)


def read(fmt: str, text: str, prefilter: Prefilter, keys: bool = True) -> Reading | None:
    """The entries of ``text`` that ``prefilter`` keeps, or None when the file needs the full parser;
    with ``keys``, a .env file's reading lists every variable with its line too."""
    if "\r" in text or "\t" in text or text.startswith("\ufeff"):
        return None
    if not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text):
        return None  # line breaks for YAML, not for keylint's positions
    if fmt == "dotenv":
        return _dotenv(text, prefilter, keys)
    if fmt == "yaml":
        return _yaml(text, prefilter)
    if fmt == "json":
        return _json(text, prefilter)
    return None


# -- JSON -------------------------------------------------------------------------------------


class _Matters(Exception):
    """A JSON value or member name that matters: the file is parsed in full for its positions."""


def _json(text: str, prefilter: Prefilter) -> Reading | None:
    """A JSON file in which nothing matters: no entries, once json.loads (in C) has read every value.

    Without backslashes, every string json.loads returns is its source text, and numbers and
    constants come back as their source text too (parse_* hooks): exactly the ``Entry.value``
    parsers/json gives them. Anything that matters, a duplicate key or invalid JSON: full parse.
    """
    import json

    from keylint import limits
    from keylint.parsers.json import MAX_DEPTH

    if "\\" in text or text.count("{") + text.count("[") >= min(MAX_DEPTH, limits.max_depth()):
        return None
    name_matters = prefilter.name_matters
    value_matters = prefilter.value_matters
    if any(value_matters(constant) for constant in ("true", "false", "null")):
        return None  # json.loads gives these as True/False/None, which check() lets pass

    def check(value: object) -> None:
        if isinstance(value, str):
            if value_matters(value):
                raise _Matters
        elif isinstance(value, list):
            for item in value:
                check(item)
        elif value is not None and not isinstance(value, (bool, dict)):
            raise _Matters  # not produced with the hooks below: be safe

    def members(pairs: list[tuple[str, object]]) -> dict:
        names = set()
        for name, value in pairs:
            if name in names or name_matters(name):
                raise _Matters  # a duplicate (reported by the full parser) or a name that matters
            names.add(name)
            check(value)
        return {}  # nothing of the object is needed any more

    try:
        root = json.loads(text, object_pairs_hook=members, parse_int=str, parse_float=str, parse_constant=str)
        check(root)
    except (_Matters, ValueError, RecursionError):
        return None
    return Reading([])


def _lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """``text.split("\\n")``, a block at a time: a 50 MB file never has all of its lines in memory at once."""
    start = 0
    while True:
        end = text.find("\n", start + block)
        if end < 0:
            yield from text[start:].split("\n")
            return
        yield from text[start:end].split("\n")
        start = end + 1


# -- .env -------------------------------------------------------------------------------------

_DOTENV_STATEMENT = re.compile(
    r"""[ ]*(?:export[ ]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)="""
    r"""(?:(?P<plain>(?:[^\s'"`\\#](?:[^'"`\\#\n]*[^\s'"`\\#])?)?)|"(?P<double>[^"\\\n]*)"|'(?P<single>[^'\\\n]*)')"""
    r"""(?:[ ]+\#[^\n]*)?[ ]*"""
)


def _dotenv(text: str, prefilter: Prefilter, want_keys: bool) -> Reading | None:
    from keylint.parsers.dotenv import parse

    keys: list[tuple[str, int]] = []
    # Duplicates are found from the names' hashes (8 bytes each, not a set of 1.7 million strings), in 16
    # parts by their low bits so that checking one part at a time stays small; equal hashes, a duplicate
    # or a collision, send the file to the full parser.
    parts = [array("q") for _ in range(16)]
    entries: list[Entry] = []
    name_matters = prefilter.name_matters
    value_matters = prefilter.value_matters
    statement = _DOTENV_STATEMENT.fullmatch
    for number, line in enumerate(_lines(text), start=1):
        found = statement(line)
        if found is None:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue
            return None
        key, value, double, single = found.group("key", "plain", "double", "single")
        digest = hash(key)
        parts[digest & 15].append(digest)
        if want_keys:
            keys.append((key, number))
        if value is None:
            value = double if double is not None else single
        if not (value_matters(value) or name_matters(key)):
            continue
        parsed = parse(line + "\n")
        if parsed.problems or len(parsed.entries) != 1:
            return None
        entry = parsed.entries[0]
        shift = number - 1
        entries.append(replace(entry, line=entry.line + shift, key_line=entry.key_line + shift))
    for part in parts:
        if len(set(part)) != len(part):
            return None  # a duplicate: the full parser reports it
    return Reading(entries, keys)


# -- YAML -------------------------------------------------------------------------------------

# A mapping key we read ourselves: plain, no spaces, not a YAML indicator, not a merge key.
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-/]*):(?: +|$)")
# First characters of a plain scalar that would make it something else (or need care).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SECRET_KIND = re.compile(r"^[ -]*kind: *['\"]?Secret\b", re.MULTILINE)
_TRAILING_COMMENT = re.compile(r"[ \t]+#([^\r\n]*)")


class _Fallback(Exception):
    """The file leaves the shapes this module reads: parse it in full."""


class _Frame:
    __slots__ = ("indent", "index", "is_map", "key", "key_line", "keys", "path")

    def __init__(self, indent: int, is_map: bool, path: str | None) -> None:
        self.indent = indent
        self.is_map = is_map
        self.path = path
        self.keys: set[str] = set()
        self.index = 0
        self.key = ""  # the last key of a mapping
        self.key_line = 0


def _join(path: str | None, segment: str) -> str:
    return segment if path is None else f"{path}.{segment}"


def _yaml(text: str, prefilter: Prefilter) -> Reading | None:
    if _SECRET_KIND.search(text):
        return None  # Kubernetes Secret data is base64-decoded by the full parser
    from keylint.parsers import yaml as full

    try:
        from yaml._yaml import CParser
    except ImportError:  # no libyaml: nothing to check the file against quickly
        return None
    try:
        CParser(text).raw_parse()  # in C: the file is valid YAML (else the full parser reports why)
    except Exception:
        return None
    try:
        return _YamlReader(text, prefilter, full).run()
    except _Fallback:
        return None


class _YamlReader:
    def __init__(self, text: str, prefilter: Prefilter, full: object) -> None:
        self.text = text
        self.name_matters = prefilter.name_matters
        self.value_matters = prefilter.value_matters
        self.resolve = full._resolve  # type: ignore[attr-defined]
        self.short_tag = full._short_tag  # type: ignore[attr-defined]
        self.entries: list[Entry] = []
        self.max_entries = full.MAX_ENTRIES  # type: ignore[attr-defined]
        # Scalars read (the full parser stops past MAX_ENTRIES: then so does this), one more per document
        # for the empty value an empty document holds.
        self.values = 1

    def run(self) -> Reading:
        # The loop body runs for every line of large files: the common `key: plain value` line is handled
        # inline, everything else in methods.
        value_matters = self.value_matters
        name_matters = self.name_matters
        key_match = _KEY.match
        stack: list[_Frame] = []
        pending: tuple[_Frame, int] | None = None  # a mapping key with its value still to come (its indent)
        offset = 0  # of the current line in the text
        number = 0
        values = 0  # plain scalars read inline (the others count in self.values)
        for line in _lines(self.text):
            number += 1
            start = offset
            offset += len(line) + 1
            content = line.lstrip(" ")
            if not content:
                continue
            first = content[0]
            if first == "#":
                continue
            indent = len(line) - len(content)
            if (first == "-" or first == "." or first == "%") and content.startswith(("---", "...", "%")):
                if content.rstrip(" ") != "---" or indent:
                    raise _Fallback
                self.close(pending)
                pending, stack = None, []
                self.values += 1
                continue
            dash = first == "-" and (len(content) == 1 or content[1] == " ")
            if pending is not None:
                frame, key_indent = pending
                pending = None
                if indent > key_indent or (dash and indent == key_indent):
                    if frame.key in ("env", "environment") and dash:
                        raise _Fallback  # named list items (Kubernetes env, compose environment)
                    stack.append(_Frame(indent, not dash, _join(frame.path, frame.key)))
                else:
                    self.close((frame, key_indent))
            while stack and stack[-1].indent > indent:
                stack.pop()
            if dash:
                pending = self.item(stack, content, indent, start, number)
                continue
            if not stack:
                if indent:
                    raise _Fallback
                stack.append(_Frame(0, True, None))
            frame = stack[-1]
            if not frame.is_map or frame.indent != indent:
                raise _Fallback
            found = key_match(content)
            if found is None:
                raise _Fallback  # a multi-line scalar, a complex key, a quoted key ...
            key = found.group(1)
            keys = frame.keys
            if key in keys:
                raise _Fallback  # a duplicate: the full parser reports it
            keys.add(key)
            frame.key = key
            frame.key_line = number
            at = found.end()
            if at == len(content) or content[at] == "#":
                pending = (frame, indent)
                continue
            rest = content[at:]
            if rest[0] in _INDICATORS:
                self.scalar(frame.path, key, rest, start + indent + at, number, number)
                continue
            cut = rest.find(" #")
            value = (rest if cut < 0 else rest[:cut]).rstrip(" ")
            if ": " in value or value[-1] == ":":
                raise _Fallback
            values += 1
            if value_matters(value) or name_matters(key):
                self.add(frame.path, key, value, value, "", start + indent + at, number, number)
        self.close(pending)
        if values + self.values > self.max_entries:
            raise _Fallback  # the full parser stops there and says so
        return Reading(self.entries)

    def item(
        self, stack: list[_Frame], content: str, indent: int, start: int, number: int
    ) -> tuple[_Frame, int] | None:
        """A ``- item`` line; returns the pending key of a ``- key:`` item."""
        if not stack:
            if indent:
                raise _Fallback
            stack.append(_Frame(indent, False, None))
        frame = stack[-1]
        if frame.is_map or frame.indent != indent:
            raise _Fallback
        item = content[1:].lstrip(" ")
        if not item or item[0] == "#":
            raise _Fallback  # the item's content starts on the next line
        column = indent + len(content) - len(item)
        segment = str(frame.index)
        frame.index += 1
        found = _KEY.match(item)
        if found is None:
            self.scalar(frame.path, segment, item, start + column, number, number)
            return None
        child = _Frame(column, True, _join(frame.path, segment))
        stack.append(child)
        return self.key(child, found, item, start + column, number)

    def key(
        self, frame: _Frame, found: re.Match[str], content: str, start: int, number: int
    ) -> tuple[_Frame, int] | None:
        """A ``key: value`` line of ``frame``; returns the pending key when its value is on later lines."""
        key = found.group(1)
        if key in frame.keys:
            raise _Fallback  # a duplicate: the full parser reports it
        frame.keys.add(key)
        frame.key, frame.key_line = key, number
        rest = content[found.end() :]
        if not rest or rest[0] == "#":
            return frame, frame.indent
        self.scalar(frame.path, key, rest, start + found.end(), number, number)
        return None

    def close(self, pending: tuple[_Frame, int] | None) -> None:
        """A key whose value never came: YAML's null, an empty plain scalar."""
        if pending is None:
            return
        frame, _ = pending
        self.values += 1
        if self.name_matters(frame.key):
            raise _Fallback  # where libyaml places an empty value is the full parser's business

    def scalar(self, parent: str | None, segment: str, rest: str, start: int, number: int, key_line: int) -> None:
        """A one-line scalar at key path ``parent.segment``, starting at text offset ``start`` (``rest``:
        the rest of its line)."""
        self.values += 1
        first = rest[0]
        if first == "'" or first == '"':
            close = rest.find(first, 1)
            while first == "'" and close > 0 and rest.startswith("''", close):
                close = rest.find("'", close + 2)
            if close < 0 or (first == '"' and "\\" in rest[:close]):
                raise _Fallback
            after = rest[close + 1 :]
            if after.strip(" ") and not (after[0] == " " and after.lstrip(" ")[0] == "#"):
                raise _Fallback
            raw = rest[: close + 1]
            value = raw[1:-1].replace("''", "'") if first == "'" else raw[1:-1]
            quote = first
            value_start = start + 1
        else:
            if first in _INDICATORS and not (first == "-" and rest[1:2].isdigit()):
                raise _Fallback
            cut = rest.find(" #")
            value = (rest if cut < 0 else rest[:cut]).rstrip(" ")
            if ": " in value or value.endswith(":"):
                raise _Fallback
            raw = value
            quote = ""
            value_start = start
        # The last key component is the segment's (name_matters reads only that): no path for most values.
        if self.value_matters(value) or self.name_matters(segment):
            self.add(parent, segment, value, raw, quote, value_start, number, key_line)

    def add(
        self, parent: str | None, segment: str, value: str, raw: str, quote: str, value_start: int, number: int,
        key_line: int,
    ) -> None:
        """The entry parsers/yaml makes of this scalar (``value_start``: its text offset, inside any quote)."""
        end = value_start - (1 if quote else 0) + len(raw)
        comment = _TRAILING_COMMENT.match(self.text, end)
        line_start = self.text.rfind("\n", 0, value_start) + 1
        tag = None if quote else self.short_tag(self.resolve(value))
        self.entries.append(
            Entry(
                key=_join(parent, segment),
                value=value,
                raw=raw,
                line=number,
                column=value_start - line_start + 1,
                quote=quote,
                key_line=key_line,
                comment=comment.group(1).strip() if comment else None,
                tag=tag,
            )
        )
