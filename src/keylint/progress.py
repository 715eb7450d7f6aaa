"""A one-line progress bar on stderr for long interactive scans.

Shown only to a person watching a terminal: never on a pipe or a file, in CI, under
pre-commit (which captures the output and shows it on failure), or when the report
itself is machine-readable. It appears only once a scan has run for a moment, so
quick scans print nothing extra.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TextIO

DELAY_SECONDS = 0.5  # scans shorter than this never show the bar
REFRESH_SECONDS = 0.1
BAR_WIDTH = 30


def wanted(fmt: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if fmt != "text" or env.get("PRE_COMMIT") == "1" or env.get("TERM") == "dumb":
        return False
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ProgressBar:
    """Call with (done, total) after each file; ``close()`` erases the line."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < DELAY_SECONDS or (now - self.last_draw < REFRESH_SECONDS and done < total):
            return
        self.last_draw = now
        fraction = done / total if total else 1.0
        filled = int(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} files")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False
