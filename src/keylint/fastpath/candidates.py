"""Which of many values can matter, decided a block of values at a time.

``Prefilter.value_matters`` answers for one value in about a microsecond, which is most of the
cost of a large file when it is asked for every value. Here the values of a block are joined and
searched with two compiled regexes (in C) for anything that could make a value matter; only the
values they find are asked. The regexes are a superset of the prefilter's value triggers, built
from the prefilter's own data (its prefix regex, the documented examples, the near-miss windows),
so they move with it; tests/test_fastpath.py checks the superset on generated values.

With the optional ``hyperscan`` package, an ASCII block is searched for all of them in one pass instead
(keylint.fastpath.accelerated), once a run has searched enough text to pay for loading it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import compress, count

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from keylint.fastpath.accelerated import Accelerator
    from keylint.prefilter import Prefilter


_NON_ASCII = re.compile("[^\\x00-\\x7f]")
# Loading Hyperscan and compiling its database (~50 ms) pays for itself after about a megabyte of text searched
# (it saves ~50 ns a character); a pre-commit run never gets there, a large file or tree soon does.
_ACCELERATE_AFTER = 1 << 20


class ValueCandidates:
    """Built once per prefilter: ``possible(values)`` lists the indices of the values that may matter."""

    def __init__(self, prefilter: Prefilter) -> None:
        from keylint import prefilter as triggers

        self._value_matters = prefilter.value_matters

        # Anything in a value that value_matters reacts to, wherever it is: a registered prefix, a marker,
        # URL credentials (where "://" is enough to look closer), an escape, or a documented example as a whole
        # value (found here inside any value); a non-ASCII character too, looked for only in a block that has one.
        # One search each: a literal is found far faster alone than as a branch of one large pattern.
        literals = sorted({*triggers._MARKERS, *prefilter._examples, "://", "\\"})
        # A prefix where the prefilter finds one (Prefilter._hits) has no letter or digit before it: the "\n"
        # before its value or a character inside it. Searched as that character and then the prefix, the regex
        # engine skips in C to the characters that may start a word (a lookbehind first makes it try the prefixes
        # at every position: about 1.6 times as long over prose).
        word_hits = re.compile(f"[^A-Za-z0-9](?:{prefilter._prefix_trie})")
        self._searches = [word_hits, *(re.compile(re.escape(literal)) for literal in literals)]
        # A prefix typo of a checksummed format is one token starting with a letter that has a window of
        # lengths (Prefilter._near_windows); its first ``low`` characters are then all non-blank. Each value
        # follows a "\n" in the joined text (a literal start, which the regex engine finds fast), and may still
        # be in its quotes.
        near_miss = _near_miss(prefilter._near_windows, "\\S", "[^\\S\\n]")
        if near_miss:
            self._searches.append(re.compile(near_miss))

        # What accelerate() builds the same searches from, for Hyperscan.
        self._prefixes = tuple(prefilter._by_prefix)
        self._literals = literals
        self._near_windows = prefilter._near_windows
        self._accelerator: Accelerator | None = None
        self._until_accelerated: float = _ACCELERATE_AFTER  # characters the regexes search before accelerate()

    def accelerate(self) -> None:
        """Search ASCII blocks with Hyperscan from now on, where it is installed and allowed; tried once (a parallel
        scan asks before its workers fork, so that they share the database)."""
        if self._until_accelerated == math.inf:
            return
        self._until_accelerated = math.inf
        from keylint import prefilter
        from keylint.fastpath import accelerated

        if not (prefilter.enabled() and accelerated.enabled()):
            return
        near_miss = _near_miss(self._near_windows, accelerated.NOT_SPACE, accelerated.BLANK)
        self._accelerator = accelerated.build(self._prefixes, self._literals, [near_miss] if near_miss else [])

    def kept(self, values: Sequence[str | None]) -> set[int]:
        """Indices of the ``values`` that ``Prefilter.value_matters`` keeps, a value in quotes (a quoted value
        without escapes, quotes and all) asked about without them (``values``: one line each, or None for a line
        without a value, which never matters)."""
        # Each distinct value is searched for once: a block's values repeat (flags, numbers, types, names).
        unique = set(values)
        unique.discard(None)
        distinct: list[str] = list(unique)  # type: ignore[arg-type]
        mattering = set(map(distinct.__getitem__, self._asked(distinct)))
        if not mattering:
            return set()
        return set(compress(count(), map(mattering.__contains__, values)))

    def kept_all(self, values: Sequence[str]) -> set[int]:
        """``kept(values)`` of ``values`` without a None, each value searched as it comes once Hyperscan searches:
        it goes over a repeated value in less time than finding the repeats takes (a set of the values, its list
        and a lookup per value to map the answers back, ~25% of kept() on the dense tree's .env blocks, where 43%
        of the values repeat). Before that kept() is cheaper; so it is for a block with a character outside ASCII
        (rare), which the regexes search."""
        if self._accelerator is None:
            return self.kept(values)
        return self._asked(values)

    def _asked(self, values: Sequence[str]) -> set[int]:
        """Indices of the ``values`` that ``possible`` finds and ``Prefilter.value_matters`` keeps (without their
        quotes, if quoted)."""
        value_matters = self._value_matters
        asked = set()
        for index in self.possible(values):
            value = values[index]
            if value_matters(value[1:-1] if value[:1] in ("'", '"') else value):
                asked.add(index)
        return asked

    def possible(self, values: Sequence[str]) -> list[int]:
        """Indices, in order, of the ``values`` that may matter: every value that ``Prefilter.value_matters``
        keeps, alone or in quotes, is among them (``values``: one line each)."""
        joined = "\n" + "\n".join(values)
        if joined.count("\n") != len(values):  # a value with a line break of its own: every value may matter
            return list(range(len(values)))
        is_ascii = joined.isascii()
        if is_ascii:
            if self._accelerator is None:
                self._until_accelerated -= len(joined)
                if self._until_accelerated < 0:
                    self.accelerate()
            if self._accelerator is not None:
                return sorted(self._accelerator.found(joined))
        found: set[int] = set()
        for pattern in self._searches:
            found |= self._starts(pattern, joined)
        if not is_ascii:
            found |= self._starts(_NON_ASCII, joined)
        return sorted(found)

    @staticmethod
    def _starts(pattern: re.Pattern[str], joined: str) -> set[int]:
        """Indices of the values in which ``pattern`` is found (each value is searched up to its first hit)."""
        found: set[int] = set()
        index = -1  # the value the last hit was in; the text before the first value's "\n" belongs to none
        counted = 0  # position up to which the "\n"s have been counted into ``index``
        search = pattern.search
        hit = search(joined)
        while hit is not None:
            start = hit.start()
            if joined[start] == "\n":  # a near-miss hit starts at the break before its value
                start += 1
            index += joined.count("\n", counted, start + 1)
            counted = start + 1
            found.add(index)
            following = joined.find("\n", start + 1)
            if following < 0:
                break
            hit = search(joined, following)
        return found


def _near_miss(windows: dict[str, tuple[int, int]], not_space: str, blank: str) -> str:
    """Where a prefix typo can start (Prefilter._near_windows), with classes of the regex engine at hand for \\S and
    [^\\S\\n]; "" without windows."""
    near = [f"[{letter}{letter.upper()}]{not_space}{{{low - 1}}}" for letter, (low, _) in windows.items()]
    return f"\\n[\"']?{blank}*(?:{'|'.join(near)})" if near else ""


def value_candidates(prefilter: Prefilter) -> ValueCandidates:
    """The ValueCandidates of ``prefilter``, built on first use."""
    return prefilter.derived(ValueCandidates)
