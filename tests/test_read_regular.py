"""read_text reads a file on one descriptor, asking for the size fstat gives: the same bytes and the same errors
as reading it whole through a buffered ``read(max_file_size + 1)``, whatever the reads return."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import read
from keylint.config import Settings
from keylint.read import ReadError, read_text


def plain_read(path: Path, limit: int) -> tuple[str, list] | str:
    """What a plain buffered read of up to limit + 1 bytes makes of the file: its text and notices, or the error."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        return "over the size limit"
    return read.decode(data, str(path))


def outcome(path: Path, limit: int) -> tuple[str, list] | str:
    try:
        return read_text(str(path), Settings(max_file_size=limit))
    except ReadError as error:
        assert error.kind == "limit"
        return "over the size limit"


_SIZES = st.one_of(st.integers(0, 40), st.integers(read._CHUNK - 3, read._CHUNK + 3), st.integers(0, 3 * read._CHUNK))
_PIECES = st.one_of(st.integers(1, 40), st.integers(4096, 3 * read._CHUNK))  # bytes a read returns at most
_LINES = b"".join(b"KEY_%d=value\r\n" % i for i in range(20_000))


@settings(max_examples=60, deadline=None)
@given(size=_SIZES, limit=_SIZES, reported=st.sampled_from(["true", "zero", "smaller", "larger"]), piece=_PIECES)
def test_the_text_is_that_of_a_plain_read(tmp_path_factory, size, limit, reported, piece):
    """Whatever size fstat reports (a file grown since, /proc's zero) and however short each read comes back."""
    path = tmp_path_factory.mktemp("read") / "config.env"
    path.write_bytes(_LINES[:size])
    expected = plain_read(path, limit)
    real_fstat, real_read = os.fstat, os.read

    def fstat(fd):
        status = real_fstat(fd)
        told = {"true": size, "zero": 0, "smaller": size // 2, "larger": size + 100}[reported]
        return os.stat_result((*status[:6], told, *status[7:]))

    def short_read(fd, wanted):
        return real_read(fd, min(wanted, piece))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read.os, "fstat", fstat)
        patch.setattr(read.os, "read", short_read)
        got = outcome(path, limit)
    if reported != "larger" or size + 100 <= limit:
        assert got == expected
    else:  # told it is over the limit before reading
        assert got == "over the size limit"


def test_what_is_not_a_regular_file_is_said_as_before(tmp_path):
    directory = tmp_path / "config.d"
    directory.mkdir()
    fifo = tmp_path / "pipe.env"
    os.mkfifo(fifo)
    messages = {}
    for name, path in {"directory": directory, "fifo": fifo, "missing": tmp_path / "gone.env"}.items():
        with pytest.raises(ReadError) as raised:
            read_text(str(path), Settings(), display=name)
        messages[name] = (str(raised.value), raised.value.kind)
    assert messages == {
        "directory": ("directory: is a directory", "error"),
        "fifo": ("fifo: not scanned: it is no longer a regular file now (it changed after it was found)", "error"),
        "missing": ("missing: file vanished before it could be read", "error"),
    }


def test_the_descriptor_is_closed_whatever_happens(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 100)
    small = tmp_path / "small.yaml"
    small.write_bytes(b"a: 1\n")
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(50):
        with pytest.raises(ReadError):
            read_text(str(big), Settings(max_file_size=10))
        with pytest.raises(ReadError):
            read_text(str(tmp_path), Settings())
        assert read_text(str(small), Settings()) == ("a: 1\n", [])
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
