"""YAML block mappings and sequences of one-line scalars, read line by line once libyaml has checked the file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from keylint.fastpath.reading import Reading, _lines
from keylint.model import Entry

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

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


def read(text: str, prefilter: Prefilter) -> Reading | None:
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
