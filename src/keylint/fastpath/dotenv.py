"""`.env` files of one-line statements, a block of lines at a time: only the statements that matter become entries.

A large .env file has millions of lines and almost none matter, so no Python code runs per line: one regex (in C)
reads every line of a block, the names' hashes go to the duplicate check in bulk, the names are asked about per
digit shape (``_NamedShapes``) and the values through ``ValueCandidates``. The statements that matter are made into
the entries parsers/dotenv.py makes of them (``_entry``; tests/test_fastpath_dotenv.py compares the two).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from itertools import chain, compress, count, pairwise

from keylint import TYPE_CHECKING
from keylint.fastpath.candidates import value_candidates
from keylint.fastpath.reading import Reading, _blocks
from keylint.model import Entry

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# Every line of a block: a statement (an optional `export`, the name, `=`, a plain value without quotes, `#` or
# backslashes, or a quoted value closed on its line without backslashes, an optional ` # comment`), a comment or
# a blank line. Comments and blank lines match without the groups (re.split gives None); quoted values keep their
# quotes. Whatever is optional is an alternative that ends in an empty one, `(?:x|)`, not `(?:x)?`: the same lines
# match the same way (an empty value is tried after the quoted ones, which cannot match where it does), and the
# regex engine runs a branch faster than a repeat (~30% less time over a block).
_LINE = re.compile(
    r"""^[ ]*(?:(?:export[ ]+|)([A-Za-z_][A-Za-z0-9_.]*)="""
    r"""([^\s'"`\\#](?:[^'"`\\#\n]*[^\s'"`\\#]|)|"[^"\\\n]*"|'[^'\\\n]*'|)"""
    r"""(?:[ ]+\#[^\n]*|[ ]*)$|\#[^\n]*$|$)""",
    re.MULTILINE,
)

_BLOCK = 1 << 20  # characters read at a time


def read(text: str, prefilter: Prefilter, want_keys: bool) -> Reading | None:
    candidates = value_candidates(prefilter)
    named = named_shapes(prefilter)
    keys: list[tuple[str, int]] = []
    entries: list[Entry] = []
    # Duplicates in a file of several blocks are found from the names' hashes (8 bytes each, not a set of 1.7
    # million strings), sorted a block at a time; equal hashes, a duplicate or a collision, send the file to the
    # full parser. A file of one block (most are) needs only a set of its names.
    hashes: list[array[int]] = []
    one_block = text.find("\n", _BLOCK) < 0  # where _blocks() would cut it
    first_line = 1
    for block in _blocks(text, _BLOCK):
        lines_in_block = block.count("\n") + 1
        columns = _plain_statements(block, lines_in_block)
        plain = columns is not None
        if columns is None:
            # re.split, not findall: the groups come as one flat list (before, name, value, between, name, value,
            # ...), without a tuple per line.
            parts = _LINE.split(block)
            if len(parts) != 3 * lines_in_block + 1:
                return None  # a line of another shape
            columns = _statements(parts[1::3], parts[2::3], lines_in_block)
        statements, values, at = columns
        if one_block:
            if len(set(statements)) < len(statements):
                return None  # a duplicate: the full parser reports it
        else:
            hashes.append(array("q", sorted(map(hash, statements))))
        if want_keys:
            numbers = range(first_line, first_line + len(statements)) if at is None else map(first_line.__add__, at)
            keys.extend(zip(statements, numbers, strict=True))
        wanted = named.lines(statements) | candidates.kept_all(values)  # indices of statements
        if wanted and plain:
            # Each line is its name, "=" and its value: the entry _entry() would read off it, without the lines.
            for statement in sorted(wanted):
                name, value = statements[statement], values[statement]
                number = first_line + (statement if at is None else at[statement])
                entries.append(Entry(name, value, value, number, len(name) + 2, "", number, None))
        elif wanted:
            lines = block.split("\n")
            for statement in sorted(wanted):
                index = statement if at is None else at[statement]
                entries.append(_entry(lines[index], statements[statement], values[statement], first_line + index))
        first_line += lines_in_block
    if hashes and _any_equal(hashes):
        return None  # a duplicate: the full parser reports it
    return Reading(entries, keys)


# A line of a block of plain statements (_plain_statements), after the line break before it: its name and "=" (its
# value is what follows, up to the next line); with _OR_BLANK, or nothing (a blank line), which costs the regex
# engine a branch at every line (~30% more steps), so that it is tried only for a block with a blank line. The name's
# repeat is possessive (*+): "=" is none of its characters, so it never gives one back, and the regex engine keeps
# no way back into it.
_NAMED_LINE = re.compile(r"\n([A-Za-z_][A-Za-z0-9_.]*+)=")
_NAMED_OR_BLANK_LINE = re.compile(r"\n(?:([A-Za-z_][A-Za-z0-9_.]*+)=|(?![^\n]))")
# What _LINE reads otherwise than as part of a plain value: quotes, comments, escapes, and the whitespace other than
# a space that a value's ends may not be (``\s`` in ASCII).
_NOT_PLAIN = "'\"`\\#\t\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _statements(
    names: list[str | None], values: list[str | None], lines: int
) -> tuple[list[str], list[str], list[int] | None]:
    """The names and values of the statements among a block's ``lines`` (a line without one has None for both), and
    the line in the block of each statement, or None where that is its index. Comments and blank lines are left
    out in C."""
    statements: list[str] = list(filter(None, names))  # type: ignore[arg-type]
    if len(statements) == lines:
        return statements, values, None  # type: ignore[return-value]
    if len(statements) == lines - 1 and names[-1] is None:  # a blank last line (a file's final line break)
        return statements, values[:-1], None  # type: ignore[return-value]
    return statements, list(compress(values, names)), list(compress(count(), names))  # type: ignore[arg-type]


def _plain_statements(block: str, lines: int) -> tuple[list[str], list[str], list[int] | None] | None:
    """_statements() of a block (of ``lines`` lines) whose every line is a name, "=" and a plain value, or blank, as
    _LINE reads them; None for any other block, which _LINE reads.

    Most .env files hold nothing else, and there _LINE's groups are the line split at its first "=". A search
    for the names alone (from one line break to the next, a literal the regex engine skips to in C) cuts the
    block in half the time _LINE takes to read it, values left unread: what _LINE would refuse in a value, or
    read as something else, is looked for in the whole block first, one character at a time (in C), and its
    absence leaves every value plain: ASCII with no quote, backslash, "#" or whitespace but spaces, no space
    after "=" (the value's first character: a superset of what _LINE refuses, "a= b" too) or before a line
    break or the end (trailing blanks, which _LINE leaves out of the value)."""
    if not block.isascii():  # a character outside ASCII may be whitespace at a value's end
        return None
    for character in _NOT_PLAIN:
        if character in block:
            return None
    if " " in block and ("= " in block or " \n" in block or block.endswith(" ")):
        return None
    # Most blocks have no blank line but the last (a file's final line break), which is read apart.
    final_break = block.endswith("\n")
    parts = _NAMED_LINE.split("\n" + block[:-1] if final_break else "\n" + block)  # "", name, value, name, ...
    if len(parts) == 2 * (lines - final_break) + 1:
        return parts[1::2], parts[2::2], None
    if "\n\n" not in block and not block.startswith("\n"):
        return None  # a line of another shape
    parts = _NAMED_OR_BLANK_LINE.split("\n" + block)  # "", name or None, value, ...
    if len(parts) != 2 * lines + 1:
        return None  # a line of another shape
    return _statements(parts[1::2], parts[2::2], lines)


def _entry(line: str, key: str, raw: str, number: int) -> Entry:
    """The entry parsers/dotenv.py makes of a statement that _LINE read as ``key`` = ``raw`` (its value, in its
    quotes if quoted), line ``number`` of the file: the shapes _LINE reads have no escapes, so the value is the text
    inside the quotes, and all that can follow it is blanks and a `` # comment``."""
    start = line.index("=") + 1  # neither the name nor `export` holds a "="
    rest = line[start + len(raw) :]
    if raw[:1] in ("'", '"'):
        value, quote = raw[1:-1], raw[0]
        start += 1
    else:
        value, quote = raw, ""
        if not raw:  # the parser places an empty value where the blanks after "=" end
            start += len(rest) - len(rest.lstrip(" "))
    comment_at = rest.find("#")
    comment = rest[comment_at + 1 :].strip() if comment_at >= 0 else None
    return Entry(key, value, raw, number, start + 1, quote, number, comment)


# Every digit as 0: a name's digit shape (SERVICE_HOST_17 -> SERVICE_HOST_00), made in C for a whole block.
_DIGITS_AS_ZERO = str.maketrans("123456789", "0" * 9)


class _NamedShapes:
    """Which names matter, asked once per digit shape and remembered from block to block and file to file (the
    blocks of a large file, and the files of a tree, repeat the same few thousand shapes).

    Numbered variables (SERVICE_HOST_17) are asked about once per digit shape: within a shape the names differ
    only in their digits' values, so they share a generalised form (``Prefilter.generalize_names``) unless that
    form keeps a digit, which the same shape written with 1s instead of 0s tells. Names of such shapes
    (OAUTH2_TOKEN, AUTH0_DOMAIN, when digits inside words count) are asked about one by one, as they are."""

    _REMEMBERED = 1 << 16  # shapes; past that they are forgotten (a file of all different names would keep all)

    def __init__(self, prefilter: Prefilter) -> None:
        self._prefilter = prefilter
        self._known: set[str] = set()
        self._named: set[str] = set()  # known shapes whose names all matter
        self._mixed: set[str] = set()  # known shapes whose names may answer differently
        self._asked: set[str] = set()  # the two together: the shapes whose lines a block looks at

    def lines(self, names: list[str]) -> set[int]:
        """Indices of the ``names`` that matter (an empty name never does)."""
        shapes = "\n".join(names).translate(_DIGITS_AS_ZERO).split("\n")
        known = self._known
        if not known.issuperset(shapes):
            new = set(shapes) - known
            if len(known) + len(new) > self._REMEMBERED:
                for remembered in (known, self._named, self._mixed, self._asked):
                    remembered.clear()
                new = set(shapes)
            self._learn(new)
        # One pass over the shapes (in C) for both kinds: a block has a few dozen lines of either among hundreds.
        # A name of a mixed shape is asked about as it is: name_matters remembers it, and answers for it what it
        # answers for its generalised form.
        named = self._named
        name_matters = self._prefilter.name_matters
        return {
            index
            for index in compress(count(), map(self._asked.__contains__, shapes))
            if shapes[index] in named or name_matters(names[index])
        }

    def _learn(self, shapes: set[str]) -> None:
        generalize = self._prefilter.generalize_names
        name_matters = self._prefilter.name_matters
        ordered = "\n".join(shapes)  # generalised all at once, and written with 1s to see which keep a digit
        forms = generalize(ordered).split("\n")
        forms_with_ones = generalize(ordered.replace("0", "1")).split("\n")
        for shape, form, with_ones in zip(ordered.split("\n"), forms, forms_with_ones, strict=True):
            self._known.add(shape)
            if form != with_ones:
                self._mixed.add(shape)
                self._asked.add(shape)
            elif shape and name_matters(form):
                self._named.add(shape)
                self._asked.add(shape)


def named_shapes(prefilter: Prefilter) -> _NamedShapes:
    """The _NamedShapes of ``prefilter`` (kept for the run, like the prefilter itself)."""
    return prefilter.derived(_NamedShapes)


def _any_equal(runs: list[array[int]]) -> bool:
    """Do sorted runs of 64-bit hashes share a value, or repeat one? Checked a sixteenth of the hash range at a
    time, so that only that part of the hashes is ever held as Python integers, and by a set of them (a sort
    would compare each about as many times as there are runs)."""
    bounds = [-(1 << 63) + part * (1 << 60) for part in range(17)]
    for low, high in pairwise(bounds):
        parts = [run[bisect_left(run, low) : bisect_left(run, high)] for run in runs]
        if len(set(chain.from_iterable(parts))) != sum(map(len, parts)):
            return True
    return False
