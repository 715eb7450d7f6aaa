"""YAML block mappings and sequences of one-line scalars, read a block of lines at a time.

One regex (in C) cuts a block into rows; the common ``key: plain value`` and ``key:`` rows are read
inline and any other line by :meth:`_YamlReader.line`. Whatever the reader accepts is valid YAML
(tests/test_fastpath.py checks it against libyaml): every line must take one of the shapes read here,
and what libyaml alone refuses (control characters, long keys, deep nesting) is refused too.
"""

from __future__ import annotations

import re

from keylint import TYPE_CHECKING
from keylint.fastpath.reading import Reading, _blocks
from keylint.model import Entry
from keylint.parsers import yamlcore

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# A mapping key we read ourselves: plain, no spaces, not a YAML indicator, not a merge key, and short enough for
# libyaml (a key must end within 1024 characters of its start).
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-/]{0,999}):(?: +|$)")
# Every line as a row (spaces, key, value, other): the common `key: plain value` or `key:` (with an optional
# comment) gives its key and its value as _YamlReader.line() would read them (a plain scalar that does not start
# with an indicator; for speed, without any ":" or "#" in it); any other line is `other`, after its spaces.
_ROW = re.compile(
    r"""^([ ]*)(?:([A-Za-z0-9_][A-Za-z0-9_.\-/]{0,999}):"""
    r"""(?:[ ]+([^ \n:#\-?,\[\]{}&*!|>'"%@`](?:[^\n:#]*[^ \n:#])?))?(?:[ ]+\#[^\n]*)?[ ]*"""
    r"""|([^\n]*))$""",
    re.MULTILINE,
)
_BLOCK = 1 << 20  # characters read at a time
# First characters of a plain scalar that would make it something else (or need care).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What YAML does not allow in a stream (its printable set, as libyaml and PyYAML check it).
_NOT_PRINTABLE = re.compile("[^\\x09\\x0a\\x0d\\x20-\\x7e\\x85\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]")
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
    # Kubernetes Secret data is base64-decoded by the full parser. (The word alone is found far faster than the
    # pattern, which the regex engine tries at every position.)
    if "Secret" in text and _SECRET_KIND.search(text):
        return None
    if _NOT_PRINTABLE.search(text) or "\ufeff" in text:
        return None  # libyaml refuses the file: the full parser reports why
    from keylint import limits

    if not yamlcore.libyaml_installed():
        return None  # PyYAML's own parser reads some corners differently: leave them to the full parser
    try:
        return _YamlReader(text, prefilter, min(yamlcore.MAX_DEPTH, limits.max_depth())).run()
    except _Fallback:
        return None


class _YamlReader:
    def __init__(self, text: str, prefilter: Prefilter, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth  # deeper nesting is a problem the full parser reports
        self.name_matters = prefilter.name_matters
        self.value_matters = prefilter.value_matters
        self.resolve = yamlcore.resolve
        self.short_tag = yamlcore.short_tag
        self.entries: list[Entry] = []
        self.max_entries = yamlcore.MAX_ENTRIES
        # Scalars read (the full parser stops past MAX_ENTRIES: then so does this), one more per document
        # for the empty value an empty document holds.
        self.values = 1
        self.stack: list[_Frame] = []
        self.pending: tuple[_Frame, int] | None = None  # a mapping key with its value still to come (its indent)

    def run(self) -> Reading:
        # The loop body runs for every line of large files: a block's lines are cut into rows by one regex (in C),
        # the common `key: plain value` and `key:` rows are handled inline, comments and blank lines skipped, and
        # every other line goes to line() whole.
        value_matters = self.value_matters
        name_matters = self.name_matters
        stack = self.stack
        max_depth = self.max_depth
        number = 0
        values = 0  # plain scalars read inline (the others count in self.values)
        for block in _blocks(self.text, _BLOCK):
            rows = _ROW.findall(block)
            if len(rows) != block.count("\n") + 1:
                raise _Fallback  # cannot happen (every line is a row); never guess
            lines: list[str] | None = None
            for index, (spaces, key, value, other) in enumerate(rows):
                number += 1
                if not key:
                    if other and other[0] != "#":  # not a blank line, not a comment
                        if lines is None:
                            lines = block.split("\n")
                        self.line(lines[index], number)
                    continue
                indent = len(spaces)
                pending = self.pending
                if pending is not None:
                    self.pending = None
                    if indent > pending[1]:
                        parent = pending[0]
                        stack.append(_Frame(indent, True, _join(parent.path, parent.key)))
                        if len(stack) > max_depth:
                            raise _Fallback
                    else:
                        self.close(pending)
                while stack and stack[-1].indent > indent:
                    stack.pop()
                if not stack:
                    if indent:
                        raise _Fallback
                    self.push(_Frame(0, True, None))
                frame = stack[-1]
                if not frame.is_map or frame.indent != indent:
                    raise _Fallback
                keys = frame.keys
                if key in keys:
                    raise _Fallback  # a duplicate: the full parser reports it
                keys.add(key)
                frame.key = key
                frame.key_line = number
                if not value:
                    self.pending = (frame, indent)
                    continue
                values += 1
                if value_matters(value) or name_matters(key):
                    if lines is None:
                        lines = block.split("\n")
                    line = lines[index]
                    column = line.index(value, indent + len(key) + 1)
                    self.add(frame.path, key, value, value, "", line, column, number, number)
        self.close(self.pending)
        if values + self.values > self.max_entries:
            raise _Fallback  # the full parser stops there and says so
        return Reading(self.entries)

    def line(self, line: str, number: int) -> None:
        """Any line but a comment, a blank line or a ``key: plain value`` / ``key:`` line."""
        stack = self.stack
        content = line.lstrip(" ")
        first = content[0]
        indent = len(line) - len(content)
        if (first == "-" or first == "." or first == "%") and content.startswith(("---", "...", "%")):
            if content.rstrip(" ") != "---" or indent:
                raise _Fallback
            self.close(self.pending)
            self.pending = None
            stack.clear()
            self.values += 1
            return
        dash = first == "-" and (len(content) == 1 or content[1] == " ")
        pending = self.pending
        if pending is not None:
            frame, key_indent = pending
            self.pending = None
            if indent > key_indent or (dash and indent == key_indent):
                if frame.key in ("env", "environment") and dash:
                    raise _Fallback  # named list items (Kubernetes env, compose environment)
                self.push(_Frame(indent, not dash, _join(frame.path, frame.key)))
            else:
                self.close(pending)
        while stack and stack[-1].indent > indent:
            stack.pop()
        if dash:
            self.pending = self.item(content, line, indent, number)
            return
        if not stack:
            if indent:
                raise _Fallback
            self.push(_Frame(0, True, None))
        frame = stack[-1]
        if not frame.is_map or frame.indent != indent:
            raise _Fallback
        found = _KEY.match(content)
        if found is None:
            raise _Fallback  # a multi-line scalar, a complex key, a quoted key ...
        self.pending = self.key(frame, found, content, line, indent, number)

    def push(self, frame: _Frame) -> None:
        """A mapping or sequence opens (the full parser reports nesting deeper than max-depth)."""
        self.stack.append(frame)
        if len(self.stack) > self.max_depth:
            raise _Fallback

    def item(self, content: str, line: str, indent: int, number: int) -> tuple[_Frame, int] | None:
        """A ``- item`` line; returns the pending key of a ``- key:`` item."""
        stack = self.stack
        if not stack:
            if indent:
                raise _Fallback
            self.push(_Frame(indent, False, None))
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
            self.scalar(frame.path, segment, item, line, column, number, number)
            return None
        child = _Frame(column, True, _join(frame.path, segment))
        self.push(child)
        return self.key(child, found, item, line, column, number)

    def key(
        self, frame: _Frame, found: re.Match[str], content: str, line: str, column: int, number: int
    ) -> tuple[_Frame, int] | None:
        """A ``key: value`` at ``column`` of ``line`` (``content``: the line from there on), in ``frame``;
        returns the pending key when its value is on later lines."""
        key = found.group(1)
        if key in frame.keys:
            raise _Fallback  # a duplicate: the full parser reports it
        frame.keys.add(key)
        frame.key, frame.key_line = key, number
        rest = content[found.end() :]
        if not rest or rest[0] == "#":
            return frame, frame.indent
        self.scalar(frame.path, key, rest, line, column + found.end(), number, number)
        return None

    def close(self, pending: tuple[_Frame, int] | None) -> None:
        """A key whose value never came: YAML's null, an empty plain scalar."""
        if pending is None:
            return
        frame, _ = pending
        self.values += 1
        if self.name_matters(frame.key):
            raise _Fallback  # where libyaml places an empty value is the full parser's business

    def scalar(
        self, parent: str | None, segment: str, rest: str, line: str, column: int, number: int, key_line: int
    ) -> None:
        """A one-line scalar at key path ``parent.segment``, starting at ``column`` of ``line`` (``rest``: the
        line from there on)."""
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
            value_column = column + 1
        else:
            if first in _INDICATORS and not (first == "-" and rest[1:2].isdigit()):
                raise _Fallback
            cut = rest.find(" #")
            value = (rest if cut < 0 else rest[:cut]).rstrip(" ")
            if ": " in value or value.endswith(":"):
                raise _Fallback
            raw = value
            quote = ""
            value_column = column
        # The last key component is the segment's (name_matters reads only that): no path for most values.
        if self.value_matters(value) or self.name_matters(segment):
            self.add(parent, segment, value, raw, quote, line, value_column, number, key_line)

    def add(
        self, parent: str | None, segment: str, value: str, raw: str, quote: str, line: str, value_column: int,
        number: int, key_line: int,
    ) -> None:
        """The entry parsers/yaml makes of this scalar (``value_column``: where its value starts in ``line``, inside
        any quote)."""
        end = value_column - (1 if quote else 0) + len(raw)
        comment = _TRAILING_COMMENT.match(line, end)
        tag = None if quote else self.short_tag(self.resolve(value))
        self.entries.append(
            Entry(
                key=_join(parent, segment),
                value=value,
                raw=raw,
                line=number,
                column=value_column + 1,
                quote=quote,
                key_line=key_line,
                comment=comment.group(1).strip() if comment else None,
                tag=tag,
            )
        )
