"""YAML files (every document of a stream), read from PyYAML's event stream.

We run libyaml's parser (``CSafeLoader``; the pure-Python ``SafeLoader`` when
libyaml is missing) and compose in a single iterative pass over its events: no
Python objects are constructed and no node graph is kept (libyaml's own composer
is ten times slower than its parser, mostly from keeping every event's marks
alive), so a 5 MB file costs about a second and very deep files cannot overflow
the stack. Each scalar is read once, where it is written: an alias is never
followed, so a "billion laughs" file costs what its text costs (and is reported),
and a value shared through an anchor is reported at the anchor.

* ``Entry.value`` is the scalar as loaded (quotes and escapes resolved, block
  scalars folded); for plain scalars ``Entry.tag`` is what PyYAML's YAML 1.1
  resolver makes of them (``int``, ``float``, ``bool``, ``null``, ``timestamp``,
  ``str``...); explicitly tagged scalars carry their tag (``binary``, ``!vault``).
* Key paths are dotted (``services.api.environment.OPENAI_API_KEY``) and list items
  use their index, except two list shapes that name their values: docker-compose
  ``environment: ["KEY=value"]`` gives ``environment.KEY`` (positions of the value
  part) and Kubernetes ``env: [{name: KEY, value: ...}]`` gives ``env.KEY``. Merge
  keys (``<<``) add no path segment; scalars inside complex keys are not values.
* Kubernetes ``kind: Secret``: the scalars under ``data:`` are base64-decoded
  (``decoded_from="base64"``, positions at the encoded text).
* libyaml refuses nesting deeper than 1000 levels: a ``limit`` problem with
  ``failed=True``, like any syntax error (Helm templates are not YAML until rendered).

Positions: lines are separated by ``\\n``, ``\\r\\n`` or ``\\r`` (not by the NEL and
U+2028/9 breaks YAML also counts); columns count code points.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_right

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from keylint import TYPE_CHECKING, limits
from keylint.model import Entry, ParseProblem, ParseResult
from keylint.parsers import yamlcore
from keylint.parsers.yamlcore import STR_TAG as _STR_TAG
from keylint.parsers.yamlcore import TAG_PREFIX as _TAG_PREFIX
from keylint.parsers.yamlcore import resolve as _resolve
from keylint.parsers.yamlcore import short_tag as _short_tag
from keylint.records import replace

if TYPE_CHECKING:
    from typing import Any

# Report aliases that expand to this many values (and far more than the file holds).
ALIAS_EXPANSION_LIMIT = 100_000

_LOADER: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_MERGE_TAG = _TAG_PREFIX + "merge"
_NEWLINE = re.compile(r"\r\n?|\n")
_LINE_REST = re.compile(r"[^\r\n]*(?:\r\n?|\n)?")
_TRAILING_COMMENT = re.compile(r"[ \t]+#([^\r\n]*)")
_BLOCK_HEADER_COMMENT = re.compile(r"[|>][0-9+\-]*[ \t]+#([^\r\n]*)")
_WHITESPACE = re.compile(r"\s+")


class _Stop(Exception):
    pass


def _join(path: str | None, segment: str) -> str:
    return segment if path is None else f"{path}.{segment}"


class _Frame:
    """An open mapping or sequence."""

    __slots__ = (
        "anchor",
        "count",
        "data",
        "env_name",
        "env_value",
        "expect_key",
        "index",
        "is_key",
        "is_map",
        "key",
        "key_line",
        "keys",
        "merge",
        "name",
        "path",
        "secret",
        "silent",
    )

    def __init__(
        self, is_map: bool, path: str | None, name: str, silent: bool, is_key: bool, anchor: str | None
    ) -> None:
        self.is_map = is_map
        self.path = path
        self.name = name  # the key this collection is the value of ("environment"), "[]env" for a list item
        self.silent = silent  # inside a complex key: its scalars are not values
        self.is_key = is_key
        self.anchor = anchor
        self.count = 0  # values inside, with aliases expanded
        self.expect_key = True
        self.key = ""
        self.key_line = 0
        self.merge = False
        self.keys: dict[tuple[str, str], int] | None = None
        self.index = 0
        self.secret = False
        self.data: list[int] | None = None  # [first, end) entry indices under a `data:` key
        self.env_name: tuple[str, int, int] | None = None  # Kubernetes env item: (name, key line, entry index)
        self.env_value: int | None = None


class _Reader:
    def __init__(self, text: str, bom_skipped: bool) -> None:
        self.text = text
        self.max_depth = min(yamlcore.MAX_DEPTH, limits.max_depth())
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        # libyaml's mark indexes do not count a leading BOM (PyYAML's own reader's do). Marks' lines and
        # columns are not used: they count breaks we do not (NEL, U+2028) and a last line that is not there.
        self.shift = 1 if bom_skipped else 0
        self.size = len(text)
        self.result = ParseResult()
        self.entries: list[Entry | None] = []  # None: an entry dropped after the fact (a Kubernetes env name)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[int, str | None]] = {}  # anchor -> (values inside, scalar text)
        self.alias_hits = 0
        self.expanded = 0

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def mark_position(self, mark: Any, skip: int = 0) -> tuple[int, int]:
        """(line, column) of a mark, ``skip`` characters further on the same line."""
        return self.position(min(mark.index + self.shift + skip, self.size))

    # -- events ---------------------------------------------------------------

    def run(self, loader: Any) -> None:
        while True:
            event = loader.get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                self.scalar(event)
            elif kind is MappingStartEvent:
                self.start(event, True)
            elif kind is SequenceStartEvent:
                self.start(event, False)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self.end()
            elif kind is AliasEvent:
                self.alias(event)
            elif kind is DocumentStartEvent:
                self.anchors = {}
            elif kind is StreamEndEvent:
                return

    def scalar(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(event.value) if event.implicit[0] else _STR_TAG
        start = event.start_mark.index + self.shift
        self.anchor(event, (1, event.value))
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.is_map and frame.expect_key:
            self.key(frame, event.value, tag, event.start_mark)
            return
        if frame is not None and frame.silent:
            self.done(frame, 1)
            return
        path, key_line = self.place(frame, event.start_mark)
        if frame is not None and not frame.is_map and frame.name == "environment" and "=" in event.value:
            self.compose_variable(event, path, start)
        else:
            self.emit(event, tag, path, key_line, start)
        if frame is None:
            self.expanded += 1
        else:
            self.done(frame, 1)

    def start(self, event: Any, is_map: bool) -> None:
        frame = self.stack[-1] if self.stack else None
        mark = event.start_mark
        if frame is not None and frame.is_map and frame.expect_key:
            frame.key, frame.key_line, frame.merge = "?", self.mark_position(mark)[0], False
            child = _Frame(is_map, frame.path, "?", True, True, event.anchor)
        else:
            path, _ = self.place(frame, mark)
            # an item of a list is named after the list's key, marked as an item: "[]env"
            name = "" if frame is None else frame.key if frame.is_map else "[]" + frame.name
            child = _Frame(is_map, path, name, frame is not None and frame.silent, False, event.anchor)
        self.anchor(event, (0, None))
        self.stack.append(child)
        if len(self.stack) > self.max_depth:
            line, column = self.mark_position(mark)
            self.result.problems.append(
                ParseProblem(
                    kind="limit",
                    message=f"nesting deeper than {self.max_depth} levels (max-depth)",
                    line=line,
                    column=column,
                )
            )
            self.result.failed = True
            raise _Stop

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.count, None)
        if frame.is_map and not frame.silent:
            if frame.secret and frame.data is not None:
                self.decode_secret(frame.data)
            if frame.env_name is not None and frame.env_value is not None:
                self.kubernetes_variable(frame.env_name, frame.env_value)
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            self.expanded += frame.count
        elif frame.is_key:
            parent.expect_key = False
        else:
            self.done(parent, frame.count)

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        count, text = self.anchors[event.anchor]
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.is_map and frame.expect_key:
            self.key(frame, text if text is not None else "?", _STR_TAG, event.start_mark)
            return
        self.alias_hits += 1
        if frame is None:
            self.expanded += count
        else:
            if not frame.is_map:
                frame.index += 1
            self.done(frame, count)

    def anchor(self, event: Any, info: tuple[int, str | None]) -> None:
        name = event.anchor
        if name is None:
            return
        if name in self.anchors:
            raise ComposerError(f"found duplicate anchor {name!r}", None, "second occurrence", event.start_mark)
        self.anchors[name] = info

    # -- structure ------------------------------------------------------------

    def key(self, frame: _Frame, name: str, tag: str, mark: Any) -> None:
        line = self.mark_position(mark)[0]
        frame.key, frame.key_line, frame.expect_key = name, line, False
        frame.merge = tag == _MERGE_TAG
        if frame.merge:
            return
        if frame.keys is None:
            frame.keys = {}
        first = frame.keys.get((tag, name))
        if first is not None and not frame.silent:
            path = _join(frame.path, name)
            column = self.mark_position(mark)[1]
            self.result.problems.append(
                ParseProblem(
                    kind="duplicate-key",
                    message=f"{path} is defined on line {first} and again on line {line};"
                    f" PyYAML keeps the last one (line {line}), other loaders refuse the file",
                    line=line,
                    column=column,
                    key=path,
                )
            )
        frame.keys[(tag, name)] = line
        if name == "data":
            frame.data = [len(self.entries), len(self.entries)]

    def place(self, frame: _Frame | None, mark: Any) -> tuple[str | None, int]:
        """Key path and key line of a value about to start."""
        if frame is None:
            return None, self.mark_position(mark)[0]  # the root: an empty key is a path of its own
        if frame.is_map:
            return (frame.path if frame.merge else _join(frame.path, frame.key)), frame.key_line
        frame.index += 1
        return _join(frame.path, str(frame.index - 1)), self.mark_position(mark)[0]

    def done(self, frame: _Frame, count: int) -> None:
        """A value of ``frame`` is complete."""
        frame.count += count
        if frame.is_map:
            if frame.key == "data" and frame.data is not None:
                frame.data[1] = len(self.entries)
            frame.expect_key = True

    # -- entries --------------------------------------------------------------

    def emit(self, event: Any, tag: str, path: str | None, key_line: int, start: int) -> None:
        style = event.style or ""
        end = event.end_mark.index + self.shift
        value = event.value
        if style == "|" or style == ">":
            line, column = self.block_start(value, start, end)
            match = _BLOCK_HEADER_COMMENT.match(self.text, start)
        else:
            line, column = self.mark_position(event.start_mark, 1 if style else 0)
            match = _TRAILING_COMMENT.match(self.text, end)
        if style and tag == _STR_TAG:
            short: str | None = None  # quoted and block scalars are strings; only plain ones need resolving
        else:
            short = _short_tag(tag)
        self.add(
            Entry(
                key=path if path is not None else "",
                value=value,
                raw=self.text[start:end],
                line=line,
                column=column,
                quote=style,
                key_line=key_line,
                comment=match.group(1).strip() if match else None,
                tag=short,
            )
        )
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.is_map:
            if frame.key == "kind" and value == "Secret":
                frame.secret = True
            elif frame.key == "name" and frame.name == "[]env":
                frame.env_name = (value, frame.key_line, len(self.entries) - 1)
            elif frame.key == "value" and frame.name == "[]env":
                frame.env_value = len(self.entries) - 1

    def compose_variable(self, event: Any, path: str | None, start: int) -> None:
        """``- KEY=value`` in a docker-compose environment list: the value is named KEY."""
        name, value = event.value.split("=", 1)
        end = event.end_mark.index + self.shift
        raw = self.text[start:end]
        quote = event.style if event.style in ("'", '"') else ""
        prefix = name + "="
        if "\n" not in raw and raw.startswith(prefix, len(quote)):
            value_start = start + len(quote) + len(prefix)
            raw = quote + raw[len(quote) + len(prefix) :]  # as if the value part were quoted on its own
        else:  # escapes or line folding before the `=`: point at the item
            value_start = start + len(quote)
        line, column = self.position(value_start)
        match = _TRAILING_COMMENT.match(self.text, end)
        self.add(
            Entry(
                key=_join((path or "").rsplit(".", 1)[0], name.strip()),
                value=value,
                raw=raw,
                line=line,
                column=column,
                quote=quote,
                key_line=line,
                comment=match.group(1).strip() if match else None,
                tag=None if quote else "str",
            )
        )

    def kubernetes_variable(self, name: tuple[str, int, int], value_index: int) -> None:
        """``- name: KEY`` / ``value: ...`` in a Kubernetes env list: the value is named KEY."""
        text, key_line, name_index = name
        entry = self.entries[value_index]
        if entry is None:
            return
        list_path = entry.key.rsplit(".", 2)[0]
        self.entries[value_index] = replace(entry, key=_join(list_path, text), key_line=key_line)
        self.entries[name_index] = None

    def decode_secret(self, span: list[int]) -> None:
        for index in range(span[0], span[1]):
            entry = self.entries[index]
            if entry is None or entry.decoded_from:
                continue
            try:
                data = base64.b64decode(_WHITESPACE.sub("", entry.value), validate=True)
            except (binascii.Error, ValueError):
                self.result.problems.append(
                    ParseProblem(
                        kind="invalid-base64",
                        message=f"{entry.key} in a Kubernetes Secret's data is not valid base64;"
                        " the API server rejects it",
                        line=entry.line,
                        column=entry.column,
                        key=entry.key,
                    )
                )
                continue
            try:
                decoded = data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # binary data (a keystore, an image): nothing a text detector can use
            self.entries[index] = replace(entry, value=decoded, decoded_from="base64")

    def block_start(self, value: str, start: int, end: int) -> tuple[int, int]:
        """First character of a ``|``/``>`` scalar's content: the first non-blank line after the header."""
        text = self.text
        pos = _LINE_REST.match(text, start).end()  # type: ignore[union-attr]
        while pos < end:
            line_end = _LINE_REST.match(text, pos).end()  # type: ignore[union-attr]
            content = text[pos:line_end].rstrip("\r\n")
            if content.strip(" \t"):
                first = value.lstrip("\n").split("\n", 1)[0]
                # more-indented first lines keep their extra spaces in the value
                extra = len(first) - len(first.lstrip(" "))
                indent = len(content) - len(content.lstrip(" "))
                return self.position(pos + max(indent - extra, 0))
            pos = line_end
        return self.position(start + 1)

    def add(self, entry: Entry) -> None:
        if len(self.entries) >= yamlcore.MAX_ENTRIES:
            self.result.problems.append(
                ParseProblem(
                    kind="limit",
                    message=f"more than {yamlcore.MAX_ENTRIES:,} values; stopped reading the structure",
                    line=entry.line,
                    column=entry.column,
                )
            )
            self.result.failed = True
            raise _Stop
        self.entries.append(entry)

    def finish(self) -> ParseResult:
        self.result.entries = [e for e in self.entries if e is not None]
        count = len(self.result.entries)
        if self.alias_hits and self.expanded > ALIAS_EXPANSION_LIMIT and self.expanded > 10 * count:
            self.result.problems.append(
                ParseProblem(
                    kind="alias-bomb",
                    message=f"aliases expand {count:,} values into {self.expanded:,} (a 'billion laughs' file);"
                    " each value was read once",
                    line=1,
                )
            )
        return self.result


def _problem(error: yaml.YAMLError, reader: _Reader, libyaml: bool) -> ParseProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        line, column = reader.position(min(mark.index + reader.shift, len(reader.text)))
    elif isinstance(getattr(error, "position", None), int):  # ReaderError: a character YAML does not allow
        offset = error.position  # type: ignore[attr-defined]
        if libyaml:  # a UTF-8 byte offset there
            offset = len(reader.text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
        line, column = reader.position(min(offset, len(reader.text)))
    else:
        line, column = 1, 1
    parts = (getattr(error, "context", None), getattr(error, "problem", None))
    message = ", ".join(p for p in parts if p) or str(error).split("\n", 1)[0]  # ReaderError: no parts
    kind = "limit" if "maximum nesting depth" in message else "syntax"
    return ParseProblem(kind=kind, message=message, line=line, column=column)


def uses_libyaml() -> bool:
    """Whether files are read by libyaml (else by PyYAML's pure-Python parser)."""
    return any(cls.__name__ == "CParser" for cls in _LOADER.__mro__)


def _parse(text: str) -> ParseResult:
    libyaml = uses_libyaml()
    reader = _Reader(text, bom_skipped=libyaml and text.startswith("\ufeff"))
    loader = None
    try:
        loader = _LOADER(text)  # PyYAML's own reader refuses control characters right here
        reader.run(loader)
    except _Stop:
        pass
    except yaml.YAMLError as error:
        reader.result.problems.append(_problem(error, reader, libyaml))
        reader.result.failed = True
    finally:
        if loader is not None:
            loader.dispose()
    return reader.finish()


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
