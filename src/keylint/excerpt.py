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


def _window(line: str, column: int) -> str:
    if len(line) <= CONTEXT_WIDTH:
        return line
    begin = max(0, min(column - 1 - _LEAD, len(line) - CONTEXT_WIDTH))
    piece = line[begin : begin + CONTEXT_WIDTH]
    return ("…" if begin else "") + piece + ("…" if begin + CONTEXT_WIDTH < len(line) else "")


def _hide(line: str, secret: str) -> str:
    if len(secret) >= 8:
        return scrub(line, secret)
    # scrub() leaves short strings alone (too many false hits in messages); on a source line
    # a short password is still a password.
    return line.replace(secret, mask(secret) or "") if len(secret) >= 4 else line


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
    masked: dict[int, str] = {}
    for line_no, line in lines.items():
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(hidden.get(line_no, ()), key=len, reverse=True):
            line = _hide(line, secret)
        masked[line_no] = line
    for finding in findings:
        line = masked.get(finding.line)
        if line is not None:
            finding.extra["context"] = _window(line, finding.column)
