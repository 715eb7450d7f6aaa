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


def _lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """``text.split("\\n")``, a block at a time: a 50 MB file never has all of its lines in memory at once."""
    start = 0
    while True:
        end = text.find("\n", start + block)
        if end < 0:
            yield from text[start:].split("\n")
            return
        yield from text[start:end].split("\n")
        start = end + 1
