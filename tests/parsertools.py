"""Helpers shared by the parser tests: positions must be real places in the text."""

from __future__ import annotations

import re

from keylint.model import Entry, ParseResult

NEWLINE = re.compile(r"\r\n?|\n")


def assert_inside(text: str, result: ParseResult) -> None:
    """Every reported position is a real place in the text."""
    lines = NEWLINE.split(text)
    for item in [*result.entries, *result.problems]:
        assert 1 <= item.line <= len(lines), item
        assert 1 <= item.column <= len(lines[item.line - 1]) + 1, item
    for entry in result.entries:
        assert 1 <= entry.key_line <= entry.line, entry


def offset_of(text: str, line: int, column: int) -> int:
    starts = [0, *(m.end() for m in NEWLINE.finditer(text))]
    return starts[line - 1] + column - 1


def only(result: ParseResult, key: str) -> Entry:
    found = [e for e in result.entries if e.key == key]
    assert len(found) == 1, result.entries
    return found[0]
