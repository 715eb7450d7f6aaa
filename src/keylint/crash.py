"""Internal errors without leaks: tracebacks whose messages cannot quote a scanned secret.

An exception message can carry data (``ValueError: invalid literal ... 'sk_live_...'``), and
``--debug`` prints tracebacks. Every message in a traceback printed by keylint is therefore
scrubbed first: any 8-character piece of a secret keylint has seen in this run, or of the
file being scanned when the error happened, is removed. Code lines in the traceback come from
keylint's own source and are kept.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable

from keylint.redact import scrub

# Secrets of this run (finding secrets and the keys files hold), for scrubbing tracebacks raised
# outside a file's own analysis (cross-file rules, verification, reporting).
_SEEN: set[str] = set()
_MESSAGE_LIMIT = 2000  # characters of an exception message kept (before scrubbing)


def remember(secrets: Iterable[str | None]) -> None:
    _SEEN.update(s for s in secrets if s and len(s) >= 8)


def forget() -> None:
    _SEEN.clear()


class FileCrash(Exception):
    """An internal error while analysing one file, with a traceback already made safe to print."""

    def __init__(self, display: str, safe_traceback: str) -> None:
        super().__init__(f"internal error while scanning {display}")
        self.display = display
        self.safe_traceback = safe_traceback

    def __reduce__(self) -> tuple[type[FileCrash], tuple[str, str]]:  # raised in worker processes too
        return FileCrash, (self.display, self.safe_traceback)


def _clean(message: str, texts: Iterable[str]) -> str:
    message = message[:_MESSAGE_LIMIT]
    for text in (*texts, *sorted(_SEEN, key=len, reverse=True)):
        message = scrub(message, text)
    return message


def safe_traceback(error: BaseException, texts: Iterable[str] = ()) -> str:
    """The traceback of ``error`` (and of its causes), every exception message scrubbed.

    Frame lines (``File ..., line N``) and the code they show come from keylint and are kept;
    everything else in the traceback is an exception's message (or a note) and may quote data.
    """
    texts = tuple(t for t in texts if t)
    parts: list[str] = []
    for part in traceback.TracebackException.from_exception(error).format():
        if part.startswith(_STRUCTURE):
            parts.append(part)
        else:
            parts.append(_clean(part, texts))
    return "".join(parts)


_STRUCTURE = ("Traceback (most recent call last)", "  File ", "  [Previous line", "\nThe above", "\nDuring handling")
