"""Per-file limits: how long a file may take and how deeply it may nest (its size is ``max-file-size``).

keylint reads untrusted files. Each parser guards against the classic traps (alias bombs,
deep nesting, quadratic regexes), and these limits are the backstop for whatever is left:

- ``parse-timeout`` (seconds, default 60): the analysis of one file (parsing, detection,
  rules) is stopped when it takes longer. The file is then scanned again line by line under a
  fresh budget, and the report says so; if that is cut short too, the file is reported as not
  scanned. On POSIX the limit is a real-time interval timer (``SIGALRM``) in the main thread,
  which interrupts any Python code and the regex engine; elsewhere (Windows, or a scan run
  from a thread) the limit is checked between parsing and each rule.
- ``max-depth`` (default and upper bound 1000, libyaml's own limit and where ``json.loads``
  gives up): deeper YAML, JSON or TOML is a ``limit`` problem; the file is scanned line by line.

A limit that is hit is always reported: a ``limit`` notice (the file was not fully scanned,
so the scan is incomplete) or, for the depth, a ``KL001`` finding naming the limit.
"""

from __future__ import annotations

import _signal  # signal's C module: importing signal builds enums of every signal and handler (~1 ms a run)
import contextlib
import time

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

DEFAULT_PARSE_TIMEOUT = 60.0
DEFAULT_MAX_DEPTH = 1000
MAX_DEPTH_CEILING = 1000  # libyaml refuses more, and json.loads runs out of recursion near it

_max_depth = DEFAULT_MAX_DEPTH
_deadline: float | None = None  # time.monotonic() value of the cooperative check


class FileTimeout(BaseException):
    """The analysis of one file ran past ``parse-timeout``.

    A BaseException, so that the parsers' "never take the run down" ``except Exception`` lets
    it through to the engine, which reports it.
    """


def max_depth() -> int:
    """The nesting depth parsers accept (``max-depth``)."""
    return _max_depth


# The limits are entered for every file scanned: plain classes, not generator context managers (~1.5 us less a file).
class _DepthLimit:
    __slots__ = ("_depth", "_previous")

    def __init__(self, depth: int) -> None:
        self._depth = min(depth, MAX_DEPTH_CEILING)

    def __enter__(self) -> None:
        global _max_depth
        self._previous, _max_depth = _max_depth, self._depth

    def __exit__(self, *exception: object) -> None:
        global _max_depth
        _max_depth = self._previous


def depth_limit(depth: int) -> _DepthLimit:
    """Parsers accept nesting up to ``depth`` (at most MAX_DEPTH_CEILING) inside the ``with`` block."""
    return _DepthLimit(depth)


def check() -> None:
    """Raise FileTimeout when the cooperative deadline has passed (where no timer can interrupt)."""
    if _deadline is not None and time.monotonic() > _deadline:
        raise FileTimeout


def _expired(_signum: int, _frame: Any) -> None:
    raise FileTimeout


_NO_TIMER = object()


def _timer_handler() -> Any:
    """Install the handler that ends the file's analysis; the one it replaces, or _NO_TIMER where no timer can
    interrupt (no interval timers on Windows; only the main thread may set signal handlers)."""
    if not hasattr(_signal, "setitimer"):
        return _NO_TIMER
    try:
        return _signal.signal(_signal.SIGALRM, _expired)
    except ValueError:  # not the main thread
        return _NO_TIMER


class _TimeLimit:
    __slots__ = ("_previous_deadline", "_previous_handler", "_seconds")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        global _deadline
        if self._seconds <= 0:
            return
        self._previous_deadline, _deadline = _deadline, time.monotonic() + self._seconds
        self._previous_handler = _timer_handler()
        if self._previous_handler is not _NO_TIMER:
            _signal.setitimer(_signal.ITIMER_REAL, self._seconds)

    def __exit__(self, *exception: object) -> None:
        global _deadline
        if self._seconds <= 0:
            return
        if self._previous_handler is not _NO_TIMER:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, self._previous_handler)
        _deadline = self._previous_deadline


def time_limit(seconds: float) -> _TimeLimit:
    """Raise FileTimeout inside the ``with`` block once ``seconds`` have passed (0: no limit)."""
    return _TimeLimit(seconds)


def parse_timeout(value: Any, where: str) -> float:
    """Seconds from a config or command-line value (``30``, ``2.5``, ``"90s"``, ``"2m"``); 0 turns the limit off."""
    from keylint.config import ConfigError

    text = str(value).strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(suffix) and not isinstance(value, (int, float)):
            text, scale = text[: -len(suffix)].strip(), factor
            break
    try:
        if isinstance(value, bool):
            raise ValueError
        seconds = float(text) * scale
    except ValueError:
        raise ConfigError(f"{where}: expected seconds such as 30, 2.5 or 2m, got {value!r}") from None
    if seconds < 0 or seconds != seconds:
        raise ConfigError(f"{where}: must be 0 (no limit) or more seconds, got {value!r}")
    return seconds


def parse_max_depth(value: Any, where: str) -> int:
    from keylint.config import ConfigError

    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a whole number from 1 to {MAX_DEPTH_CEILING}, got {value!r}")
    try:
        depth = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: expected a whole number from 1 to {MAX_DEPTH_CEILING}, got {value!r}") from None
    if not 1 <= depth <= MAX_DEPTH_CEILING:
        raise ConfigError(f"{where}: expected a whole number from 1 to {MAX_DEPTH_CEILING}, got {value!r}")
    return depth


# from_settings' answers by the values asked about (and their types: True is no 1 here): it is asked for every file.
_FROM_SETTINGS: dict[tuple[Any, ...], tuple[float, int]] = {}


def from_settings(settings: Any) -> tuple[float, int]:
    """(parse-timeout seconds, max-depth) from ``[tool.keylint]`` and the command line (Settings.options)."""
    options = settings.options
    source = settings.config_path or "config"
    timeout = options.get("parse-timeout", DEFAULT_PARSE_TIMEOUT)
    depth = options.get("max-depth", DEFAULT_MAX_DEPTH)
    key = (source, type(timeout), timeout, type(depth), depth)
    try:
        return _FROM_SETTINGS[key]
    except (KeyError, TypeError):  # TypeError: a value that is no key (a list), for the error below
        pass
    limits = parse_timeout(timeout, f"{source}: parse-timeout"), parse_max_depth(depth, f"{source}: max-depth")
    if len(_FROM_SETTINGS) >= 64:
        _FROM_SETTINGS.clear()
    with contextlib.suppress(TypeError):
        _FROM_SETTINGS[key] = limits
    return limits
