"""ValueCandidates' searches of an ASCII block in one pass of Hyperscan, when the optional ``hyperscan`` package is
installed (``pip install 'keylint[fast]'``).

The regex engine searches a block once per pattern, at ~50 ns a character all told; one Hyperscan database of all
the patterns finds the same values at a few ns a character. It gives exactly the values the regexes give (tested in
tests/test_fastpath_accelerated.py), so findings do not depend on whether it is installed.
``KEYLINT_NO_ACCELERATOR=1`` leaves it unused (the regexes search every block).

Hyperscan has no lookbehind, and a character class before a set of prefixes makes its compiler take ~150 ms: the
prefixes are searched as plain literals, and a hit counts only where the character before it is no ASCII letter or
digit, which is what ``[^A-Za-z0-9](?:prefixes)`` asks. The text is searched as bytes, so only ASCII blocks come
here (a character class then means the same to both engines).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_ASCII_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# What the regex engine's \s matches in ASCII (str.isspace: the four separators \x1c-\x1f too, unlike PCRE's \s).
_ASCII_SPACE = "".join(char for char in map(chr, range(128)) if char.isspace())


def enabled() -> bool:
    return not os.environ.get("KEYLINT_NO_ACCELERATOR")


def ascii_class(characters: str, negated: bool = False) -> str:
    """A character class of ``characters`` (ASCII), every one written as a hex escape both engines read alike."""
    return f"[{'^' if negated else ''}{''.join(map(_hex, characters))}]"


def literal(text: str) -> str:
    """``text`` as a pattern that matches it literally in both engines (letters and digits as they are)."""
    return "".join(char if char.isascii() and char.isalnum() else _hex(char) for char in text)


def _hex(char: str) -> str:
    return f"\\x{ord(char):02x}"


NOT_SPACE = ascii_class(_ASCII_SPACE, negated=True)  # \S on ASCII text
BLANK = ascii_class(_ASCII_SPACE.replace("\n", ""))  # [^\S\n] on ASCII text


class Accelerator:
    """A compiled database of ``prefixes`` (where one starts after no ASCII letter or digit), ``literals`` anywhere,
    and regular ``expressions`` that never match across a "\\n" except at their start."""

    def __init__(self, hyperscan: Any, prefixes: Iterable[str], literals: Iterable[str], expressions: list[str]):
        self._hyperscan = hyperscan
        ascii_prefixes = [prefix for prefix in prefixes if prefix.isascii()]  # others are never in an ASCII block
        patterns = [literal(prefix) for prefix in ascii_prefixes]
        patterns += [literal(text) for text in literals if text.isascii()]
        patterns += expressions
        # A pattern id's prefix length: how far before a hit's end the character to check is (0: nothing to check).
        self._checked_length = [len(prefix) for prefix in ascii_prefixes] + [0] * (len(patterns) - len(ascii_prefixes))
        self._database = _database(hyperscan, [pattern.encode("ascii") for pattern in patterns])

    def found(self, joined: str) -> set[int]:
        """Indices of the values of ``joined`` (ASCII, each value after a "\\n") with a hit of any pattern."""
        data = joined.encode("ascii")
        checked_length = self._checked_length
        ends: list[int] = []
        add = ends.append

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            length = checked_length[pattern]
            # joined starts with "\n": a prefix always has a character before it.
            if not length or data[end - length - 1] not in _ASCII_ALNUM:
                add(end)

        self._database.scan(data, match_event_handler=on_match)
        # A hit's value is the one its last character is in (its start may be the "\n" before that value): the
        # "\n"s before its end, counted from the last hit's (in order of the ends, which Hyperscan mostly keeps).
        ends.sort()
        found: set[int] = set()
        index = -1
        counted = 0
        count = joined.count
        for end in ends:
            index += count("\n", counted, end)
            counted = end
            found.add(index)
        return found


def _database(hyperscan: Any, patterns: list[bytes]) -> Any:
    """The compiled database of ``patterns`` (pattern id: its index), kept between runs in keylint.recache's table
    (compiling takes ~100 ms, loading well under 1): patterns made of keylint's registry and config data, never
    scanned content. Hyperscan checks a kept database's version and platform when loading it, but not all of its
    content, so it is kept with its digest."""
    from keylint import recache

    def compiled() -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=patterns, ids=list(range(len(patterns))), elements=len(patterns))
        return database

    databases: list[Any] = []

    def serialised() -> tuple[bytes, bytes]:
        databases.append(compiled())
        blob = hyperscan.dumpb(databases[0])
        return blob, _digest(blob)

    def loads(kept: object) -> bool:
        if not (type(kept) is tuple and len(kept) == 2 and type(kept[0]) is bytes and kept[1] == _digest(kept[0])):
            return False
        try:
            database = hyperscan.loadb(kept[0], hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)  # a loaded database comes without one
        except hyperscan.error:  # another Hyperscan build or CPU
            return False
        databases.append(database)
        return True

    recache.kept(("hyperscan-database", hyperscan.__version__, tuple(patterns)), serialised, loads)
    return databases[0]  # compiled or loaded, whichever kept() did


def _digest(blob: bytes) -> bytes:
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - CPython always has it
        from hashlib import blake2b
    return blake2b(blob, digest_size=16).digest()


def build(prefixes: Iterable[str], literals: Iterable[str], expressions: list[str]) -> Accelerator | None:
    """An Accelerator of these patterns, or None: hyperscan is not installed, or cannot take one of them (the
    regexes search every block then)."""
    try:
        import hyperscan
    except ImportError:
        return None
    try:
        return Accelerator(hyperscan, prefixes, literals, expressions)
    except (hyperscan.error, UnicodeEncodeError):
        return None
