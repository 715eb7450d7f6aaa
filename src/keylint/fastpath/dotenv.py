"""`.env` files of one-line statements, a block of lines at a time: only the statements that matter go to the real
parser.

A large .env file has millions of lines and almost none matter, so no Python code runs per line: one regex (in C)
reads every line of a block, the names' hashes go to the duplicate check in bulk, the names are asked about per
digit shape (``_named_lines``) and the values through ``ValueCandidates``.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from itertools import chain, compress, count, islice, pairwise
from operator import eq, itemgetter

from keylint import TYPE_CHECKING
from keylint.fastpath.candidates import value_candidates
from keylint.fastpath.reading import Reading, _blocks
from keylint.model import Entry
from keylint.records import replace

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# Every line of a block: a statement (an optional `export`, the name, `=`, a plain value without quotes, `#` or
# backslashes, or a quoted value closed on its line without backslashes, an optional ` # comment`), a comment or
# a blank line. Comments and blank lines match with an empty name; quoted values keep their quotes.
_LINE = re.compile(
    r"""^[ ]*(?:(?:export[ ]+)?([A-Za-z_][A-Za-z0-9_.]*)="""
    r"""((?:[^\s'"`\\#](?:[^'"`\\#\n]*[^\s'"`\\#])?)?|"[^"\\\n]*"|'[^'\\\n]*')"""
    r"""(?:[ ]+\#[^\n]*)?[ ]*|\#[^\n]*)?$""",
    re.MULTILINE,
)

_BLOCK = 1 << 20  # characters read at a time


def read(text: str, prefilter: Prefilter, want_keys: bool) -> Reading | None:
    from keylint.parsers.dotenv import parse

    candidates = value_candidates(prefilter)
    value_matters = prefilter.value_matters
    keys: list[tuple[str, int]] = []
    entries: list[Entry] = []
    # Duplicates are found from the names' hashes (8 bytes each, not a set of 1.7 million strings), sorted a
    # block at a time; equal hashes, a duplicate or a collision, send the file to the full parser.
    hashes: list[array[int]] = []
    first_line = 1
    for block in _blocks(text, _BLOCK):
        rows = _LINE.findall(block)
        lines_in_block = block.count("\n") + 1
        if len(rows) != lines_in_block:
            return None  # a line of another shape
        names = list(map(itemgetter(0), rows))
        statements = list(filter(None, names))  # comments and blank lines have no name
        hashes.append(array("q", sorted(map(hash, statements))))
        if want_keys:
            keys.extend(zip(statements, compress(count(first_line), names), strict=True))
        wanted = _named_lines(names, prefilter)
        for index in candidates.possible(list(map(itemgetter(1), rows))):
            value = rows[index][1]
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            if value_matters(value):
                wanted.add(index)
        if wanted:
            lines = block.split("\n")
            for index in sorted(wanted):
                parsed = parse(lines[index] + "\n")
                if parsed.problems or len(parsed.entries) != 1:
                    return None
                entry = parsed.entries[0]
                shift = first_line + index - 1
                entries.append(replace(entry, line=entry.line + shift, key_line=entry.key_line + shift))
        first_line += lines_in_block
    if _any_equal(hashes):
        return None  # a duplicate: the full parser reports it
    return Reading(entries, keys)


# Every digit as 0: a name's digit shape (SERVICE_HOST_17 -> SERVICE_HOST_00), made in C for a whole block.
_DIGITS_AS_ZERO = str.maketrans("123456789", "0" * 9)


def _named_lines(names: list[str], prefilter: Prefilter) -> set[int]:
    """Indices of the ``names`` that matter (an empty name never does).

    Numbered variables (SERVICE_HOST_17) are asked about once per digit shape: within a shape the names differ
    only in their digits' values, so they share a generalised form (``Prefilter.generalize_names``) unless that
    form keeps a digit, which the same shape written with 1s instead of 0s tells. Names of such shapes
    (OAUTH2_TOKEN, when digits inside words count) are generalised and asked about one by one."""
    generalize = prefilter.generalize_names
    name_matters = prefilter.name_matters
    shapes = "\n".join(names).translate(_DIGITS_AS_ZERO).split("\n")
    distinct = "\n".join(set(shapes))  # generalised all at once, and written with 1s to see which keep a digit
    forms = generalize(distinct).split("\n")
    forms_with_ones = generalize(distinct.replace("0", "1")).split("\n")
    named: set[str] = set()
    mixed: set[str] = set()  # shapes whose names may answer differently
    for shape, form, with_ones in zip(distinct.split("\n"), forms, forms_with_ones, strict=True):
        if form != with_ones:
            mixed.add(shape)
        elif shape and name_matters(form):
            named.add(shape)
    wanted = set(compress(count(), map(named.__contains__, shapes))) if named else set()
    if mixed:
        for index in compress(count(), map(mixed.__contains__, shapes)):
            if name_matters(generalize(names[index])):
                wanted.add(index)
    return wanted


def _any_equal(runs: list[array[int]]) -> bool:
    """Do sorted runs of 64-bit hashes share a value? Checked a sixteenth of the hash range at a time, so that
    only that part of the hashes is ever held as Python integers."""
    bounds = [-(1 << 63) + part * (1 << 60) for part in range(17)]
    for low, high in pairwise(bounds):
        part = sorted(chain.from_iterable(run[bisect_left(run, low) : bisect_left(run, high)] for run in runs))
        if any(map(eq, part, islice(part, 1, None))):
            return True
    return False
