"""The per-file limits as the engine sets them up for every file: remembered settings answer as parsing them
does, and the limits leave the process as they found it, however the block ends."""

from __future__ import annotations

import _signal
import contextlib
import threading
import time

import pytest

from keylint import limits
from keylint.config import ConfigError, Settings

VALUES = [None, 30, 2.5, 0, "90s", "2m", "500ms", " 7 ", True, 1, 1.0, -1, "soon", [1], float("nan")]
DEPTHS = [None, 1, 3, 1000, "12", True, 0, 1001, "deep", [3]]


def plain(settings: Settings) -> tuple[float, int] | str:
    options, source = settings.options, settings.config_path or "config"
    try:
        return (
            limits.parse_timeout(options.get("parse-timeout", 60.0), f"{source}: parse-timeout"),
            limits.parse_max_depth(options.get("max-depth", 1000), f"{source}: max-depth"),
        )
    except ConfigError as error:
        return f"ConfigError: {error}"


def remembered(settings: Settings) -> tuple[float, int] | str:
    try:
        return limits.from_settings(settings)
    except ConfigError as error:
        return f"ConfigError: {error}"


@pytest.mark.parametrize("source", [None, "pyproject.toml"])
def test_from_settings_answers_as_parsing_does_however_often_asked(source):
    for _ in range(2):  # the second round is answered from what the first remembered
        for timeout in VALUES:
            for depth in DEPTHS:
                options = {k: v for k, v in (("parse-timeout", timeout), ("max-depth", depth)) if v is not None}
                settings = Settings(config_path=source, options=options)
                assert repr(remembered(settings)) == repr(plain(settings)), options


def _state() -> tuple:
    return limits.max_depth(), limits._deadline, _signal.getsignal(_signal.SIGALRM), _signal.getitimer(0)


@pytest.mark.parametrize("ending", ["normally", "raising", "timing out"])
def test_the_limits_leave_the_process_as_they_found_it(ending):
    before = _state()
    ends = pytest.raises((ValueError, limits.FileTimeout)) if ending != "normally" else contextlib.nullcontext()
    with ends, limits.depth_limit(5), limits.time_limit(0.05 if ending == "timing out" else 60):
        assert limits.max_depth() == 5 and limits._deadline is not None
        if ending != "timing out":  # (a nested time limit's end disarms the timer: files are not nested)
            with limits.depth_limit(2000), limits.time_limit(30):  # nested: the ceiling, a new budget
                assert limits.max_depth() == limits.MAX_DEPTH_CEILING
        assert limits.max_depth() == 5 and _signal.getsignal(_signal.SIGALRM) is limits._expired
        if ending == "raising":
            raise ValueError
        if ending == "timing out":
            time.sleep(5)
    assert _state() == before


def test_no_time_limit_sets_nothing():
    before = _state()
    with limits.time_limit(0):
        assert _state() == before
    assert _state() == before


def test_outside_the_main_thread_the_deadline_is_checked_instead():
    seen: list = []

    def run() -> None:
        with limits.time_limit(0.05):
            seen.append(_signal.getitimer(0) == (0.0, 0.0))
            time.sleep(0.1)
            try:
                limits.check()
            except limits.FileTimeout:
                seen.append("timed out")
        seen.append(limits._deadline)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == [True, "timed out", None]
