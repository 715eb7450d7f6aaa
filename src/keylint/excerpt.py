"""The source line of a finding, with every secret on it masked, for reports people read (HTML).

Only lines that carry a finding are kept, each cut to a window around the finding,
so memory stays bounded by the number of findings, not by the size of the files.
Masking happens here, before the text leaves the engine, and is deliberately broad:
besides the finding's own secret it hides every provider token, every value of a
secret-named variable and every base64-encoded Kubernetes value on the line.
"""

from __future__ import annotations

from collections.abc import Iterable

from keylint.model import Entry, Finding, Match
from keylint.redact import mask, scrub
from keylint.values import names_secret

CONTEXT_WIDTH = 160  # characters of a long line kept around the finding's column
_LEAD = 40  # of which before the column


def _lines_at(text: str, wanted: set[int]) -> dict[int, str]:
    """The text of the 1-based lines in ``wanted``, without splitting the whole file."""
    found: dict[int, str] = {}
    last = max(wanted)
    start = 0
    number = 1
    while number <= last:
        end = text.find("\n", start)
        if number in wanted:
            found[number] = text[start:] if end < 0 else text[start:end]
        if end < 0:
            break
        start = end + 1
        number += 1
    return found


_MANY = 16  # secrets on one line beyond which only the finding's own one is looked for written out whole
_INDEXED = 4096  # secrets up to this long are scrubbed through an index of their pieces


class _Pieces:
    """Every 8-character piece of the secrets on a line, to scrub a window in one pass, however many
    secrets the line holds (minified JSON: thousands)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.grams: set[str] = set()
        self.long: list[str] = []
        for secret in secrets:
            if len(secret) > _INDEXED:
                self.long.append(secret)
            elif len(secret) >= 8:
                self.grams.update(secret[i : i + 8] for i in range(len(secret) - 7))

    def scrub(self, text: str) -> str:
        for secret in self.long:
            text = scrub(text, secret)
        while self.grams:
            covered = [j for j in range(len(text) - 7) if text[j : j + 8] in self.grams]
            if not covered:
                break
            pieces: list[str] = []
            kept, run_end = 0, -1
            for j in covered:
                if j > run_end:
                    pieces.append(text[kept:j] + "…")
                run_end = kept = j + 8
            pieces.append(text[kept:])
            text = "".join(pieces)
        return text


def _masked_window(line: str, column: int, whole: list[str], pieces: _Pieces) -> str:
    """The line (a window of it around ``column`` when long) with every secret masked.

    Secrets (longest first) written out whole are found near the window and replaced by their
    mask; a window edge never cuts one (the window widens to take it in, the mask keeps it short).
    Then any remaining piece of a secret (a spelling with escapes, a part cut by a line break) is
    scrubbed. Only the window's neighbourhood is searched, so a long line (minified JSON, a
    100 MB value) with many secrets costs little per finding.
    """
    if len(line) <= CONTEXT_WIDTH:
        begin, end = 0, len(line)
    else:
        begin = max(0, min(column - 1 - _LEAD, len(line) - CONTEXT_WIDTH))
        end = begin + CONTEXT_WIDTH
    spans: list[tuple[int, int, str]] = []
    for secret in whole:
        size = len(secret)
        if size < 4:
            continue
        low, high = max(0, begin - size + 1), min(len(line), end + size - 1)
        found = line.find(secret, low, high)
        while found >= 0:
            if all(found >= stop or found + size <= start for start, stop, _ in spans):
                spans.append((found, found + size, secret))
            found = line.find(secret, found + 1, high)
    if spans:
        begin = min(begin, *(start for start, _, _ in spans))
        end = max(end, *(stop for _, stop, _ in spans))
    shown: list[str] = []
    at = begin
    for start, stop, secret in sorted(spans):
        shown.append(line[at:start] + (mask(secret) or ""))
        at = stop
    shown.append(line[at:end])
    piece = pieces.scrub("".join(shown))
    return ("…" if begin else "") + piece + ("…" if end < len(line) else "")


def _hidden_by_line(wanted: set[int], entries: list[Entry], matches: list[list[Match]]) -> dict[int, set[str]]:
    hidden: dict[int, set[str]] = {}
    for entry, entry_matches in zip(entries, matches, strict=False):
        first = entry.key_line or entry.line
        last = entry.line + entry.raw.count("\n")
        lines = [n for n in range(min(first, entry.line), last + 1) if n in wanted]
        if not lines:
            continue
        strings = [m.token for m in entry_matches]
        if entry.decoded_from:
            strings.append(entry.raw.strip("\"'"))
        if entry.value and names_secret(entry.key):
            strings.append(entry.value)
        if strings and entry.value not in entry.raw:
            # The source spells the value differently (escapes, folded lines): hide that spelling too,
            # or `\u0067hp_...` would show the key to anyone who decodes it.
            strings.append(entry.raw)
        for n in lines:
            hidden.setdefault(n, set()).update(s for s in strings if s)
    return hidden


def attach_context(
    findings: list[Finding],
    text: str,
    entries: list[Entry],
    matches: list[list[Match]],
    secrets: Iterable[tuple[int, str]] = (),
) -> None:
    """Set ``finding.extra["context"]`` to the masked source line of each finding.

    ``secrets`` are more (line, secret) pairs to hide: the secrets of findings that an
    inline directive suppressed still sit on their lines.
    """
    wanted = {f.line for f in findings if f.line >= 1}
    if not wanted or not text:
        return
    lines = _lines_at(text, wanted)
    hidden = _hidden_by_line(wanted, entries, matches)
    for line_no, secret in secrets:
        if secret and line_no in wanted:
            hidden.setdefault(line_no, set()).add(secret)
    for f in findings:
        if f.secret and f.line in wanted:
            hidden.setdefault(f.line, set()).add(f.secret)
    masked: dict[tuple[int, int, str | None], str] = {}
    indexes: dict[int, tuple[list[str], _Pieces]] = {}
    for finding in findings:
        line = lines.get(finding.line)
        if line is None:
            continue
        if finding.line not in indexes:
            # Longest first, so a secret that contains another is masked whole.
            secrets = sorted(hidden.get(finding.line, ()), key=len, reverse=True)
            indexes[finding.line] = (secrets, _Pieces(secrets))
        secrets, pieces = indexes[finding.line]
        many = len(secrets) > _MANY
        place = (finding.line, finding.column if len(line) > CONTEXT_WIDTH else 0, finding.secret if many else None)
        if place not in masked:
            whole = [finding.secret] if many and finding.secret else [] if many else secrets
            masked[place] = _masked_window(line, finding.column, whole, pieces)
        finding.extra["context"] = masked[place]
