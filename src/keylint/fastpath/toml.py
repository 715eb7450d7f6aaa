"""TOML files of one-line statements, a block of lines at a time, with the checks tomllib would make.

One regex (in C) cuts every line of a block into a row: a ``key = value`` statement (a scalar or a one-line array),
a ``[table]`` header, or a comment or blank line; a line of any other shape sends the file to parsers/toml. What
tomllib refuses in these shapes is refused without a Python step per line, from sets of names:

- a key defined twice: a key's path can only repeat among one table's statements (tables are declared once, and
  there are no dotted keys here), so each table's keys must be distinct;
- a table declared twice: the headers, all found first, must be distinct;
- a value where a table goes (``a = 1`` and ``[a.b]``, in either order): no table's statements may name one of its
  subtables, declared or made on the way to one;
- nesting past max-depth.

Names are asked about once per distinct name of a block, values through ``ValueCandidates``; only the rows that
may matter, and arrays (read element by element), are matched again, one line each, for their positions.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, compress, count
from operator import methodcaller

from keylint import TYPE_CHECKING
from keylint.fastpath.candidates import value_candidates
from keylint.fastpath.reading import Reading, _blocks
from keylint.model import Entry

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# The shapes read here. Strings without escapes (their value is their source text), decimal numbers exactly as
# tomllib's RE_NUMBER has them (no inf/nan, no hex/octal/binary), booleans, one-line arrays of those, and tables
# named by bare keys. No part of a statement crosses a line break, and no string or comment holds a control
# character, which TOML allows in none (tab and CR are declined by fastpath.read).
_BARE_KEY = r"[A-Za-z0-9_\-]+"
_NUMBER = r"[+-]?(?:0|[1-9][0-9]*+(?:_[0-9]++)*+)(?:\.[0-9]++(?:_[0-9]++)*+)?(?:[eE][+-]?[0-9]++(?:_[0-9]++)*+)?"
# The repeats are possessive (*+): none ever has to give back what it took (what follows each is a character it
# does not take), and the regex engine then keeps no state to backtrack into it.
_SCALAR = rf""""[^"\\\x00-\x1f\x7f]*+"|'[^'\x00-\x1f\x7f]*+'|true|false|{_NUMBER}"""
_ELEMENTS = rf"[ ]*+(?:(?:{_SCALAR})[ ]*+,[ ]*+)*(?:(?:{_SCALAR})[ ]*+)?"
_TABLE = rf"{_BARE_KEY}(?:[ ]*\.[ ]*{_BARE_KEY})*"
# Every line of a block as a row (key, scalar value with its quotes, table): a statement has a key and, unless its
# value is an array, a scalar; a header has a table; a comment or blank line has neither.
# (The spaces before each alternative rather than before all three: ~10% fewer steps in the regex engine.)
_ROW = re.compile(
    rf"^(?:[ ]*+({_BARE_KEY}+)[ ]*+=[ ]*+(?:({_SCALAR})|\[{_ELEMENTS}\])|[ ]*+\[[ ]*({_TABLE})[ ]*\]|)"
    r"[ ]*+(?:\#[^\x00-\x1f\x7f]*+)?$",
    re.MULTILINE,
)
# One line _ROW read as a statement, again, for the positions of what it holds.
_STATEMENT = re.compile(
    rf"[ ]*(?P<key>{_BARE_KEY})[ ]*=[ ]*(?:(?P<value>{_SCALAR})|\[(?P<array>{_ELEMENTS})\])[ ]*(?:#(?P<comment>.*))?"
)
# Every header, found before the rows (a line _ROW reads as a header starts like this, and no other line it reads
# does), so that a table's statements can be checked against the subtables declared after them. A header after a
# line break, and one on the first line: a pattern starting with a literal is searched far faster than "^".
_HEADER = rf"[ ]*\[[ ]*({_TABLE})[ ]*\]"
_FIRST_HEADER = re.compile(_HEADER)
_NEXT_HEADER = re.compile(rf"\n{_HEADER}")
# Where an array may start (a superset: also inside strings), so that blocks without one skip looking for them.
_ARRAY_START = re.compile(r"=[ ]*\[")
# A scalar as a whole value (a row's value group of _ROW is one).
_SCALAR_VALUE = re.compile(_SCALAR)
# A row of a block of simple rows (_simple_rows), after the line break before it: `key = ` (its value is what follows
# up to the next row), `[table]` or a blank line. Its keys' repeats are possessive (++), as _NUMBER's.
_SIMPLE_ROW = re.compile(rf"\n(?:({_BARE_KEY}+) = (?=[^\n])|\[({_BARE_KEY}+(?:\.{_BARE_KEY}+)*+)\](?![^\n])|(?![^\n]))")
# The elements of an array _STATEMENT accepted (finditer skips the spaces and commas between them).
_ELEMENT = re.compile(r""""[^"]*"|'[^']*'|[^ ,\]]+""")

_BLOCK = 1 << 20  # characters read at a time
_SHORT = 24  # values this long or shorter, quotes included, are asked about without ValueCandidates


class _Invalid(Exception):
    """What tomllib would refuse, or a shape not read here: parse the file in full."""


def read(text: str, prefilter: Prefilter) -> Reading | None:
    """The entries parsers/toml gives ``text`` that the prefilter keeps, or None to parse it in full."""
    from keylint import limits

    try:
        return _TomlReader(text, prefilter, limits.max_depth()).run()
    except _Invalid:
        return None


class _TomlReader:
    def __init__(self, text: str, prefilter: Prefilter, max_depth: int) -> None:
        self.text = text
        self.prefilter = prefilter
        self.max_depth = max_depth  # parsers/toml reports deeper nesting; the document itself is a level
        self.entries: list[Entry] = []
        # A file of one block (most are) has every header among its rows; a longer one is searched for them first.
        self.one_block = text.find("\n", _BLOCK) < 0  # where _blocks() would cut it
        if not self.one_block:
            first = _FIRST_HEADER.match(text)
            self.declare(([first.group(1)] if first else []) + _NEXT_HEADER.findall(text))

    def declare(self, headers: list[str]) -> None:
        """Take ``headers`` (every header of the file, as written, in file order) as the file's tables, refusing
        what tomllib refuses of them."""
        self.headers = headers
        # Each table as its dotted path (bare keys hold no dots; the spaces around the dots go).
        self.tables = [header.replace(" ", "") for header in headers]
        if len(set(self.tables)) != len(self.tables):
            raise _Invalid  # "Cannot declare ... twice"
        max_depth = self.max_depth
        if max_depth < 1 or (self.tables and _deepest(self.tables) + 2 > max_depth):
            raise _Invalid
        self.subtables = _subtables(self.tables)

    def run(self) -> Reading:
        carried = ""  # the table whose statements may go on into the next block
        carried_keys: set[str | None] = set()  # its keys so far
        headers_read = 0
        first_line = 1
        turned_away = self.prefilter.derived(_TurnedAway)
        for block in _blocks(self.text, _BLOCK):
            rows = block.count("\n") + 1
            arrays = False  # whether the block may have an array (simple rows have none)
            columns = _simple_rows(block, rows)
            if columns is not None:
                keys, values, header_column = columns
                new = set(values) - turned_away.values
                if not all(map(_SCALAR_VALUE.fullmatch, new)):  # a value _ROW reads otherwise, or refuses
                    columns = None
            if columns is None:
                arrays = _ARRAY_START.search(block) is not None
                # re.split, not findall: the groups come as one flat list (before, key, value, table, between, key,
                # ...) without a tuple per row (~20% less time than findall and taking the tuples apart); a group a
                # row does not have is None.
                parts = _ROW.split(block)
                if len(parts) != 4 * rows + 1:
                    raise _Invalid  # a line of another shape
                keys, values, header_column = parts[1::4], parts[2::4], parts[3::4]
                new = set(values) - turned_away.values
            headers = list(filter(None, header_column))
            if self.one_block:
                self.declare(headers)
            following = headers_read + len(headers)
            if headers != self.headers[headers_read:following]:
                raise _Invalid  # cannot happen (the header patterns find every header _ROW reads); never guess
            tables = [carried, *self.tables[headers_read:following]]
            headers_read = following
            # Each row's table, as an index into ``tables``: how many headers there are up to it (the first row's
            # count is a bool, which indexes as 0 or 1).
            owners = list(accumulate(map(bool, header_column)))
            self.check_keys(keys, owners, tables, carried_keys)
            if headers:
                carried_keys = set(keys[bisect_left(owners, len(headers)) :])
            else:
                carried_keys.update(keys)
            carried_keys.discard(None)
            carried = tables[-1]
            wanted = self.wanted(keys, values, new)
            if arrays:
                wanted.update(index for index in compress(count(), keys) if not values[index])
            if wanted and columns is not None:
                # Each row is its key, " = " and its value: the entry read_line() would read off it, without the lines.
                for index in sorted(wanted):
                    key, raw = keys[index], values[index]
                    path = _path(tables[owners[index]], key)  # type: ignore[arg-type]
                    self.entries.append(_entry(path, raw, len(key) + 3, first_line + index, None))  # type: ignore[arg-type]
            elif wanted:
                lines = block.split("\n")
                for index in sorted(wanted):
                    self.read_line(lines[index], first_line + index, tables[owners[index]])
            first_line += rows
        if headers_read != len(self.headers):
            raise _Invalid  # cannot happen, as above
        return Reading(self.entries)

    def check_keys(
        self, keys: list[str | None], owners: list[int], tables: list[str], carried_keys: set[str | None]
    ) -> None:
        """Refuse what tomllib refuses of a block's keys (``owners``: each row's index into ``tables``; a row without
        a key has None)."""
        statements = list(filter(None, keys))
        if len(set(zip(compress(owners, keys), statements, strict=True))) != len(statements):
            raise _Invalid  # "Cannot overwrite a value": a key defined twice in one table
        if not carried_keys.isdisjoint(keys[: bisect_right(owners, 0)]):
            raise _Invalid  # the same, in a table whose statements began in an earlier block
        for index in compress(count(), map(self.subtables.__contains__, tables)):
            if not self.subtables[tables[index]].isdisjoint(
                keys[bisect_left(owners, index) : bisect_right(owners, index)]
            ):
                raise _Invalid  # "Cannot overwrite a value": a key naming a table

    def wanted(self, keys: list[str | None], values: list[str | None], new: set[str | None]) -> set[int]:
        """Indices of the rows whose scalar value or name may matter (a row without either has None or "" there;
        ``new``: the values the prefilter has not turned away yet). A value or name is asked about once per block,
        and not at all once the prefilter has turned it away: they repeat (ports, flags, hosts, the same settings in
        every table) far more than lines do."""
        prefilter = self.prefilter
        value_matters = prefilter.value_matters
        turned_away = prefilter.derived(_TurnedAway)
        names: set[str] = set(keys) - turned_away.names  # type: ignore[assignment]
        named = set(filter(prefilter.name_matters, names))
        turned_away.remember_names(names - named)
        wanted: set[int] = set()
        if named:  # an array's key is no entry's name: its elements are named by their index
            wanted = {index for index in compress(count(), map(named.__contains__, keys)) if values[index]}
            # The names first: a row kept for its name needs no answer about its value, and those are the long values
            # (keys, tokens) the prefilter does not remember and weighs again each time, under names that ask for a
            # secret. Only the values of the other rows are asked about.
            others = values.copy()
            for index in wanted:
                others[index] = None
            new = new.intersection(others)
        # Short values are asked straight away (the prefilter remembers its answers for them); the others only when
        # ValueCandidates finds something in them that could make them matter.
        short: list[str] = []
        long: list[str] = []
        for value in new:
            (short if len(value) <= _SHORT else long).append(value)  # type: ignore[arg-type]
        asked = chain(short, map(long.__getitem__, value_candidates(prefilter).possible(long)))
        mattering = {value for value in asked if value_matters(value[1:-1] if value[0] in "\"'" else value)}
        turned_away.remember_values(set(short) - mattering)
        if mattering:
            wanted.update(compress(count(), map(mattering.__contains__, values)))
        return wanted

    def read_line(self, line: str, number: int, table: str) -> None:
        """The entries of a statement whose value or name may matter, or of an array's elements that do."""
        found = _STATEMENT.fullmatch(line)
        if found is None:
            raise _Invalid  # cannot happen (_ROW read it as a statement); never guess
        path = _path(table, found.group("key"))
        if found.group("value") is not None:
            self.entries.append(_entry(path, found["value"], found.start("value"), number, found["comment"]))
            return
        depth = (table.count(".") + 1 if table else 0) + 2  # the document, the tables, the array
        if depth > self.max_depth:
            raise _Invalid
        name_matters = self.prefilter.name_matters
        value_matters = self.prefilter.value_matters
        for index, element in enumerate(_ELEMENT.finditer(line, found.start("array"), found.end("array"))):
            raw = element.group()
            if value_matters(raw[1:-1] if raw[0] in "\"'" else raw) or name_matters(str(index)):
                self.entries.append(_entry(_path(path, str(index)), raw, element.start(), number, None))


class _TurnedAway:
    """Short values (as written, quotes included) and names a prefilter turned away, so that a block asks only
    about the ones it has not met before (a set difference, in C). None or "", a row's missing value or name, is
    none a row asks about (a scalar or key is never empty). Each value was read as a whole scalar (_SCALAR): one
    met again needs no new check that it is one."""

    _MOST = 1 << 16  # forgotten past this many of each: a large file's distinct values need not all stay
    _LONGEST_NAME = 64  # longer names are asked about every time (a hostile file's huge names are not kept)

    def __init__(self, _prefilter: Prefilter) -> None:  # one per prefilter (Prefilter.derived)
        self.values: set[str | None] = {None, ""}
        self.names: set[str | None] = {None}

    def remember_values(self, values: set[str]) -> None:
        if len(self.values) > self._MOST:
            self.values = {None, ""}
        self.values |= values

    def remember_names(self, names: set[str]) -> None:
        if len(self.names) > self._MOST:
            self.names = {None}
        self.names.update(name for name in names if len(name) <= self._LONGEST_NAME)


def _simple_rows(block: str, rows: int) -> tuple[list[str | None], list[str], list[str | None]] | None:
    """The keys, values and tables of a block (of ``rows`` rows) of rows written the simplest way, `key = value`
    with a space either side of "=" and nothing after the value, `[table]` without spaces, and blank lines: each
    row's key or None, its value as written or "", its table or None; None for another block (_ROW reads it, and
    refuses what is no TOML). The values are not checked here: what _ROW reads the rows as (its groups) if each
    value is a scalar (``_SCALAR_VALUE.fullmatch``), which run() checks once per distinct value.

    Most TOML files hold nothing else, and _ROW's steps for every character of a row and for the parts it may have
    (blanks, a comment) cost about twice what finding each row's start does: a search from one line break to the
    next (a literal the regex engine skips to in C). Comments are looked for first, so that a block of them (most
    hand-written files) is not searched twice; indented lines and arrays are not (a block of them is searched
    twice): a search for two or three characters takes ~20% of the time cutting a block does, one for "#" ~1%."""
    if "#" in block:
        return None
    parts = _SIMPLE_ROW.split("\n" + block)  # "", key, table, value, key, table, value, ...
    if len(parts) != 3 * rows + 1:  # a line break not followed by a simple row
        return None
    return parts[1::3], parts[3::3], parts[2::3]


def _subtables(tables: list[str]) -> dict[str, set[str]]:
    """The names of each table's subtables ("" is the document), declared or made on the way to one."""
    if "." not in "".join(tables):  # all top-level (most files): a step per table is ~2/3 of the time for nothing
        return {"": set(tables)} if tables else {}
    subtables: dict[str, set[str]] = {}
    for parent, _, name in map(methodcaller("rpartition", "."), tables):
        subtables.setdefault(parent, set()).add(name)
    for table in [parent for parent in subtables if parent]:  # a parent is a table too, though maybe undeclared
        while table:
            table, _, name = table.rpartition(".")
            subtables.setdefault(table, set()).add(name)
    return subtables


def _deepest(tables: list[str]) -> int:
    """The most dots in a table's path (counted only where there are any: most files' tables are all top-level)."""
    return max(map(methodcaller("count", "."), tables)) if "." in "".join(tables) else 0


def _path(table: str, key: str) -> str:
    return f"{table}.{key}" if table else key


def _entry(path: str, raw: str, start: int, line: int, comment: str | None) -> Entry:
    """The entry parsers/toml makes of the scalar ``raw`` found at index ``start`` of ``line``."""
    quoted = raw[0] in "\"'"
    # Entry's fields by position (key, value, raw, line, column, quote, key_line, comment, tag), as the YAML reader
    # makes them: keyword arguments cost ~1 us more per entry; the tests compare the entries with the full parser's.
    return Entry(
        path,
        raw[1:-1] if quoted else raw,
        raw,
        line,
        start + 1 + quoted,
        raw[0] if quoted else "",
        line,
        comment.strip() if comment is not None else None,
        None if quoted else _tag(raw),
    )


def _tag(raw: str) -> str:
    if raw in ("true", "false"):
        return "bool"
    return "float" if "." in raw or "e" in raw or "E" in raw else "int"
