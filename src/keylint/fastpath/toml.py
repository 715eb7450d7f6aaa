"""TOML files of one-line statements, read line by line with the checks tomllib would make."""

from __future__ import annotations

import re

from keylint import TYPE_CHECKING
from keylint.fastpath.reading import Reading, _lines
from keylint.model import Entry

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# The shapes read here; a line of any other shape sends the file to parsers/toml. Strings without escapes
# (their value is their source text), decimal numbers exactly as tomllib's RE_NUMBER has them (no inf/nan,
# no hex/octal/binary), booleans, one-line arrays of those, and tables named by bare keys.
_BARE_KEY = r"[A-Za-z0-9_\-]+"
_NUMBER = r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
_SCALAR = rf""""[^"\\]*"|'[^']*'|true|false|{_NUMBER}"""
_STATEMENT = re.compile(
    rf"[ ]*(?:"
    rf"(?P<key>{_BARE_KEY})[ ]*=[ ]*"
    rf"(?:(?P<value>{_SCALAR})|\[(?P<array>[ ]*(?:(?:{_SCALAR})[ ]*,[ ]*)*(?:(?:{_SCALAR})[ ]*)?)\])"
    rf"|\[[ ]*(?P<table>{_BARE_KEY}(?:[ ]*\.[ ]*{_BARE_KEY})*)[ ]*\]"
    rf")?[ ]*(?:#(?P<comment>.*))?"
)
# The elements of an array _STATEMENT accepted (finditer skips the spaces and commas between them).
_ELEMENT = re.compile(r""""[^"]*"|'[^']*'|[^ ,\]]+""")
_DOT = re.compile(r"[ ]*\.[ ]*")
# Control characters TOML allows in no string or comment (tab and CR are declined by fastpath.read).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Path = tuple[str, ...]


class _Invalid(Exception):
    """What tomllib would refuse (a key or table defined twice, a value where a table is wanted)."""


class _Document:
    """What the file has defined so far: enough to refuse what tomllib would, and how deeply it nests."""

    def __init__(self) -> None:
        self.values: set[Path] = set()  # keys holding a value (a scalar or an array)
        self.tables: set[Path] = set()  # tables, declared by a header or made on the way to one
        self.declared: set[Path] = set()  # tables declared by a header
        self.depth = 1  # tomllib's document is a table: parsers/toml counts it as a level

    def table(self, path: Path) -> None:
        if path in self.declared:
            raise _Invalid  # "Cannot declare ... twice"
        for end in range(1, len(path) + 1):
            if path[:end] in self.values:
                raise _Invalid  # "Cannot overwrite a value"
        self.declared.add(path)
        self.tables.update(path[:end] for end in range(1, len(path) + 1))
        self.depth = max(self.depth, len(path) + 1)

    def value(self, path: Path, array: bool) -> None:
        if path in self.values or path in self.tables:
            raise _Invalid  # "Cannot overwrite a value"
        self.values.add(path)
        if array:
            self.depth = max(self.depth, len(path) + 1)


def read(text: str, prefilter: Prefilter) -> Reading | None:
    """The entries parsers/toml gives ``text`` that the prefilter keeps, or None to parse it in full."""
    from keylint import limits

    if _CONTROL.search(text):
        return None
    value_matters = prefilter.value_matters
    name_matters = prefilter.name_matters
    document = _Document()
    table: Path = ()
    entries: list[Entry] = []
    statement = _STATEMENT.fullmatch
    try:
        for number, line in enumerate(_lines(text), start=1):
            found = statement(line)
            if found is None:
                return None
            key, value, array, header = found.group("key", "value", "array", "table")
            if key is not None:
                path = (*table, key)
                document.value(path, array is not None)
                if value is not None:
                    start = found.start("value")
                    content = value[1:-1] if value[0] in "\"'" else value
                    if value_matters(content) or name_matters(key):
                        comment = found.group("comment")
                        entries.append(_entry(path, value, content, number, start, comment))
                else:
                    start = found.start("array")
                    for index, element in enumerate(_ELEMENT.finditer(line, start, found.end("array"))):
                        raw = element.group()
                        content = raw[1:-1] if raw[0] in "\"'" else raw
                        if value_matters(content) or name_matters(str(index)):
                            entries.append(_entry((*path, str(index)), raw, content, number, element.start(), None))
            elif header is not None:
                table = tuple(_DOT.split(header))
                document.table(table)
    except _Invalid:
        return None
    if document.depth > limits.max_depth():
        return None  # parsers/toml reports how deep
    return Reading(entries)


def _entry(path: Path, raw: str, content: str, line: int, start: int, comment: str | None) -> Entry:
    """The entry parsers/toml makes of the scalar ``raw`` written at ``start`` on ``line``."""
    quoted = raw[0] in "\"'"
    return Entry(
        key=".".join(path),
        value=content,
        raw=raw,
        line=line,
        column=start + 1 + quoted,
        quote=raw[0] if quoted else "",
        key_line=line,
        comment=comment.strip() if comment is not None else None,
        tag=None if quoted else _tag(raw),
    )


def _tag(raw: str) -> str:
    if raw in ("true", "false"):
        return "bool"
    return "float" if "." in raw or "e" in raw or "E" in raw else "int"
