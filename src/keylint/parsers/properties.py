"""Java ``.properties`` files, read as ``java.util.Properties.load`` reads them.

Logical lines: a natural line ending in an odd number of backslashes continues on
the next one (whose leading whitespace is dropped); lines whose first
non-whitespace character is ``#`` or ``!`` are comments (and never continue). The
key runs to the first unescaped ``=``, ``:`` or whitespace; ``key=value``,
``key: value`` and ``key value`` all work. ``\\uXXXX``, ``\\t``, ``\\n``, ``\\r``,
``\\f`` are decoded, any other escaped character stands for itself, and there are
no inline comments nor quotes. Trailing whitespace stays in the value, as in Java.

A malformed ``\\uXXXX`` makes Java's loader throw: a ``syntax`` problem, and the
file fails. Duplicate keys (the last wins) are ``duplicate-key`` problems.

Positions: lines are separated by ``\\n``, ``\\r\\n`` or ``\\r``; columns count code points.
"""

from __future__ import annotations

import re

from keylint.model import Entry, ParseProblem, ParseResult

_NEWLINE = re.compile(r"\r\n?|\n")
_WHITESPACE = " \t\f"
_KEY = re.compile(r"(?:[^=: \t\f\\]|\\[\s\S])*\\?")
_SEPARATOR = re.compile(r"[=:][ \t\f]*|[ \t\f]+(?:[=:][ \t\f]*)?")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|u|[\s\S]?)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SIMPLE_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


class _Malformed(Exception):
    def __init__(self, where: int) -> None:
        super().__init__("Malformed \\uxxxx encoding.")
        self.where = where


def _convert(text: str) -> str:
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.startswith("u"):
            if len(escape) != 5:
                raise _Malformed(match.start())
            return chr(int(escape[1:], 16))
        return _SIMPLE_ESCAPES.get(escape, escape)

    converted = _ESCAPE.sub(one, text)
    if _SURROGATE.search(converted):
        # Java strings are UTF-16: \ud83d\ude00 is one character; a lone half becomes U+FFFD
        converted = converted.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return converted


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, text) of every natural line."""
    starts = [0]
    ends = []
    for match in _NEWLINE.finditer(text):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(text))
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


def _first_non_blank(line: str) -> int:
    return len(line) - len(line.lstrip(_WHITESPACE))


class _Segment:
    """One natural line of a logical line."""

    __slots__ = ("column", "end", "line", "logical", "offset")

    def __init__(self, logical: int, offset: int, line: int, column: int, end: int) -> None:
        self.logical = logical  # where it starts in the logical line
        self.offset = offset  # where it starts in the text
        self.line = line
        self.column = column
        self.end = end  # end of the natural line in the text


def _segment(segments: list[_Segment], where: int) -> _Segment:
    # the last natural line starting at or before `where`: a value that starts a line is found on it
    chosen = segments[0]
    for segment in segments:
        if segment.logical <= where:
            chosen = segment
    return chosen


def _locate(segments: list[_Segment], where: int) -> tuple[int, int, int]:
    """(line, column, text offset) of character ``where`` of a logical line."""
    segment = _segment(segments, where)
    shift = where - segment.logical
    return segment.line, segment.column + shift, segment.offset + shift


def _parse(text: str) -> ParseResult:
    result = ParseResult()
    lines = _lines(text)
    seen: dict[str, int] = {}
    index = 0
    while index < len(lines):
        offset, line = lines[index]
        start = _first_non_blank(line)
        if start == len(line) or line[start] in "#!":
            index += 1
            continue
        key_line = index + 1
        segments: list[_Segment] = []
        parts: list[str] = []
        length = 0
        while True:
            offset, line = lines[index]
            part = line[start:]
            backslashes = len(part) - len(part.rstrip("\\"))
            if backslashes % 2:
                part = part[:-1]
            segments.append(_Segment(length, offset + start, index + 1, start + 1, offset + len(line)))
            parts.append(part)
            length += len(part)
            index += 1
            if not backslashes % 2 or index >= len(lines):
                break
            start = _first_non_blank(lines[index][1])
            if start == len(lines[index][1]):
                index += 1  # a blank line ends the continuation, and is used up by it
                break
        logical = "".join(parts)
        key_end = _KEY.match(logical).end()  # type: ignore[union-attr]
        separator = _SEPARATOR.match(logical, key_end)
        value_start = separator.end() if separator else key_end
        try:
            where = 0
            key = _convert(logical[:key_end])
            where = value_start
            value = _convert(logical[value_start:])
        except _Malformed as error:
            line_number, column, _ = _locate(segments, where + error.where)
            result.problems.append(ParseProblem(kind="syntax", message=str(error), line=line_number, column=column))
            result.failed = True
            return result
        line_number, column, value_offset = _locate(segments, value_start)
        if key in seen:
            result.problems.append(
                ParseProblem(
                    kind="duplicate-key",
                    message=f"{key} is set on line {seen[key]} and again on line {key_line};"
                    f" java.util.Properties keeps the last one (line {key_line})",
                    line=key_line,
                    column=segments[0].column,
                    key=key,
                )
            )
        seen[key] = key_line
        result.entries.append(
            Entry(
                key=key,
                value=value,
                raw=text[value_offset : segments[-1].end],
                line=line_number,
                column=column,
                key_line=key_line,
            )
        )
    return result


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
