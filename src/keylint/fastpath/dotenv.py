"""`.env` files of one-line statements: only the statements that matter go to the real parser."""

from __future__ import annotations

import re
from array import array
from typing import TYPE_CHECKING

from keylint.fastpath.reading import Reading, _lines
from keylint.model import Entry
from keylint.records import replace

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

_DOTENV_STATEMENT = re.compile(
    r"""[ ]*(?:export[ ]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)="""
    r"""(?:(?P<plain>(?:[^\s'"`\\#](?:[^'"`\\#\n]*[^\s'"`\\#])?)?)|"(?P<double>[^"\\\n]*)"|'(?P<single>[^'\\\n]*)')"""
    r"""(?:[ ]+\#[^\n]*)?[ ]*"""
)


def read(text: str, prefilter: Prefilter, want_keys: bool) -> Reading | None:
    from keylint.parsers.dotenv import parse

    keys: list[tuple[str, int]] = []
    # Duplicates are found from the names' hashes (8 bytes each, not a set of 1.7 million strings), in 16
    # parts by their low bits so that checking one part at a time stays small; equal hashes, a duplicate
    # or a collision, send the file to the full parser.
    parts = [array("q") for _ in range(16)]
    entries: list[Entry] = []
    name_matters = prefilter.name_matters
    value_matters = prefilter.value_matters
    statement = _DOTENV_STATEMENT.fullmatch
    for number, line in enumerate(_lines(text), start=1):
        found = statement(line)
        if found is None:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue
            return None
        key, value, double, single = found.group("key", "plain", "double", "single")
        digest = hash(key)
        parts[digest & 15].append(digest)
        if want_keys:
            keys.append((key, number))
        if value is None:
            value = double if double is not None else single
        if not (value_matters(value) or name_matters(key)):
            continue
        parsed = parse(line + "\n")
        if parsed.problems or len(parsed.entries) != 1:
            return None
        entry = parsed.entries[0]
        shift = number - 1
        entries.append(replace(entry, line=entry.line + shift, key_line=entry.key_line + shift))
    for part in parts:
        if len(set(part)) != len(part):
            return None  # a duplicate: the full parser reports it
    return Reading(entries, keys)
