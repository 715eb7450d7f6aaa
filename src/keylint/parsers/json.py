"""JSON files, read with the standard library's own string and number rules, iteratively.

An iterative scanner walks the text (so 100,000 nested brackets cannot overflow
the stack: past 1000 levels, where ``json.loads`` gives up too, it stops with a
``limit`` problem) and decodes strings with ``json.decoder.scanstring``, the C function
``json.loads`` itself uses, so values are exactly what ``json.loads`` returns. It
accepts what ``json.loads`` accepts (including ``NaN``/``Infinity``); when the text
is not valid JSON, ``json.loads`` is run for its message and position.

Key paths are dotted (``a.b.c``), array elements use their index (``items.0.token``).
Numbers, booleans and ``null`` give their source text, with ``Entry.tag`` = ``int``,
``float``, ``bool`` or ``null``. Duplicate keys (``json.loads`` keeps the last) are
reported as ``duplicate-key`` problems.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from json.decoder import scanstring

from keylint import TYPE_CHECKING, limits
from keylint.model import Entry, ParseProblem, ParseResult

if TYPE_CHECKING:
    from typing import Any

_NEWLINE = re.compile(r"\r\n?|\n")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
# json.loads gives up (RecursionError) near here too; past it, key paths alone would grow quadratically
MAX_DEPTH = 1000
_CONSTANTS = (("true", "bool"), ("false", "bool"), ("null", "null"), ("NaN", "float"), ("Infinity", "float"))


class _Invalid(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


def _join(path: str | None, segment: str) -> str:
    return segment if path is None else f"{path}.{segment}"


class _TooDeep(Exception):
    def __init__(self, problem: ParseProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.max_depth = min(MAX_DEPTH, limits.max_depth())
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.result = ParseResult()

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def run(self) -> None:
        text = self.text
        skip = _WHITESPACE.match
        # ["{", path, keys seen] or ["[", path, index]
        stack: list[list[Any]] = []
        path: str | None = None  # None: the root (an empty key is a path of its own)
        key_pos = -1  # where the current value's key is written; -1: the value's own line
        pos = skip(text, 0).end()  # type: ignore[union-attr]
        while True:
            # a value starts at pos
            char = text[pos : pos + 1]
            if char == "{":
                pos = skip(text, pos + 1).end()  # type: ignore[union-attr]
                if text.startswith("}", pos):
                    pos += 1
                else:
                    stack.append(["{", path, {}])
                    self.check_depth(stack, pos)
                    path, key_pos, pos = self.member(stack[-1], pos)
                    continue
            elif char == "[":
                pos = skip(text, pos + 1).end()  # type: ignore[union-attr]
                if text.startswith("]", pos):
                    pos += 1
                else:
                    stack.append(["[", path, 0])
                    self.check_depth(stack, pos)
                    path, key_pos = _join(path, "0"), -1
                    continue
            else:
                pos = self.scalar(pos, path, key_pos)
            # a value ended: close containers until one continues
            while stack:
                frame = stack[-1]
                pos = skip(text, pos).end()  # type: ignore[union-attr]
                char = text[pos : pos + 1]
                if char == ",":
                    pos = skip(text, pos + 1).end()  # type: ignore[union-attr]
                    if frame[0] == "{":
                        path, key_pos, pos = self.member(frame, pos)
                    else:
                        frame[2] += 1
                        path, key_pos = _join(frame[1], str(frame[2])), -1
                    break
                if char != ("}" if frame[0] == "{" else "]"):
                    raise _Invalid(pos)
                pos += 1
                stack.pop()
            else:
                end = skip(text, pos).end()  # type: ignore[union-attr]
                if end != len(text):
                    raise _Invalid(end)  # "Extra data"
                return

    def check_depth(self, stack: list[list[Any]], pos: int) -> None:
        if len(stack) > self.max_depth:
            line, column = self.position(pos)
            message = f"nesting deeper than {self.max_depth} levels (max-depth)"
            raise _TooDeep(ParseProblem(kind="limit", message=message, line=line, column=column))

    def member(self, frame: list[Any], pos: int) -> tuple[str, int, int]:
        """``"key": `` of an object member; returns the value's path, the key's offset and the value's offset."""
        text = self.text
        if not text.startswith('"', pos):
            raise _Invalid(pos)
        key, end = scanstring(text, pos + 1, True)
        end = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
        if not text.startswith(":", end):
            raise _Invalid(end)
        path = _join(frame[1], key)
        keys: dict[str, int] = frame[2]
        line = self.position(pos)[0]
        first = keys.get(key)
        if first is not None:
            self.result.problems.append(
                ParseProblem(
                    kind="duplicate-key",
                    message=f"{path} is defined on line {first} and again on line {line};"
                    f" json.loads keeps the last one (line {line})",
                    line=line,
                    column=self.position(pos)[1],
                    key=path,
                )
            )
        keys[key] = line
        return path, pos, _WHITESPACE.match(text, end + 1).end()  # type: ignore[union-attr]

    def scalar(self, pos: int, path: str | None, key_pos: int) -> int:
        text = self.text
        char = text[pos : pos + 1]
        tag: str | None = None
        if char == '"':
            value, end = scanstring(text, pos + 1, True)
            start = pos + 1
            quote = '"'
        else:
            start, quote = pos, ""
            match = _NUMBER.match(text, pos)
            if text.startswith("-Infinity", pos):
                end, tag = pos + 9, "float"
            elif match is not None:
                end = match.end()
                tag = "float" if match.group(1) or match.group(2) else "int"
            else:
                for word, word_tag in _CONSTANTS:
                    if text.startswith(word, pos):
                        end, tag = pos + len(word), word_tag
                        break
                else:
                    raise _Invalid(pos)
            value = text[pos:end]
        line, column = self.position(start)
        self.result.entries.append(
            Entry(
                key=path or "",
                value=value,
                raw=text[pos:end],
                line=line,
                column=column,
                quote=quote,
                key_line=self.position(key_pos)[0] if key_pos >= 0 else line,
                tag=tag,
            )
        )
        return end


def _syntax(scanner: _Scanner, pos: int) -> ParseProblem:
    """json.loads' own account of what is wrong (ours when it is too deep for json.loads)."""
    try:
        json.loads(scanner.text)
    except json.JSONDecodeError as error:
        message, pos = error.msg, error.pos  # its lineno/colno ignore lone \r line breaks
    except RecursionError:
        message = "invalid JSON"
    else:
        message = "invalid JSON"
    line, column = scanner.position(min(pos, len(scanner.text)))
    return ParseProblem(kind="syntax", message=message, line=line, column=column)


def _parse(text: str) -> ParseResult:
    scanner = _Scanner(text)
    try:
        scanner.run()
    except _Invalid as error:
        return ParseResult(problems=[_syntax(scanner, error.pos)], failed=True)
    except json.JSONDecodeError as error:
        return ParseResult(problems=[_syntax(scanner, error.pos)], failed=True)
    except _TooDeep as error:
        return ParseResult(problems=[error.problem], failed=True)
    return scanner.result


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
