"""What a fast path returns, and the line splitting they share."""

from __future__ import annotations

from collections.abc import Iterator

from keylint.model import Entry, ParseResult
from keylint.records import dataclass, field


@dataclass(slots=True)
class Reading:
    """The entries that matter, in file order, and for ``.env`` files every (key, line)."""

    entries: list[Entry]
    keys: list[tuple[str, int]] = field(default_factory=list)

    def parsed(self) -> ParseResult:
        return ParseResult(entries=self.entries)


def _blocks(text: str, block: int = 1 << 20) -> Iterator[str]:
    """``text`` in whole lines of about ``block`` characters (split at a ``\\n``, which belongs to neither side):
    a 50 MB file never has all of its lines in memory at once."""
    start = 0
    while True:
        end = text.find("\n", start + block)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """``text.split("\\n")``, a block at a time."""
    for part in _blocks(text, block):
        yield from part.split("\n")
