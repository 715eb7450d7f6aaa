"""Bytes to text: size and binary guards, encodings, line endings.

Config loaders read files in text mode with universal newlines, so CRLF and
lone CR become LF here too and positions match what editors show.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat

from keylint.config import Settings
from keylint.model import Notice

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 8192


class ReadError(Exception):
    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


def _sniff_utf16_32(sample: bytes) -> str | None:
    """UTF-16/32 without a BOM: ASCII text leaves a regular pattern of NUL bytes."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if sample[1:4] == b"\0\0\0" and sample[0]:
        return "utf-32-le"
    if sample[0:3] == b"\0\0\0" and sample[3]:
        return "utf-32-be"
    if odd.count(0) > len(odd) * 0.9 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.9 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def is_binary(sample: bytes) -> bool:
    """Binary data, not text: NUL bytes together with bytes that are not UTF-8, or mostly control bytes.

    A text file with a few stray NUL bytes (a bad paste, an editor accident) is still text, and
    the keys in it must be found: NUL alone does not make a file binary.
    """
    if b"\0" not in sample:
        return False
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if control > len(sample) * 0.3:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < len(sample) - 3  # not just a character cut in two by the end of the sample
    return False


def decode(data: bytes, display: str) -> tuple[str, list[Notice]]:
    notices: list[Notice] = []
    encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    if encoding is None and b"\0" in data[:_SAMPLE]:
        encoding = _sniff_utf16_32(data[:_SAMPLE])
    if encoding is None and is_binary(data[:_SAMPLE]):
        raise ReadError(f"{display}: binary file, skipped", "skipped")
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        text = data.decode(encoding or "utf-8", errors="replace")
        notices.append(
            Notice(
                display,
                f"{display}: not valid {encoding or 'UTF-8'} (byte {error.start}); "
                "undecodable bytes replaced with U+FFFD",
                "warning",
            )
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, notices


# Non-blocking: opening a FIFO would wait for a writer (the file type is checked once open).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class NotRegularFile(OSError):
    """The path is a directory, FIFO, socket or device (``str()``: which)."""

    def __str__(self) -> str:
        return str(self.args[0])


def read_text(
    path: str, settings: Settings, *, display: str | None = None, data: bytes | None = None
) -> tuple[str, list[Notice]]:
    """The file's text, or ReadError naming the file and the reason."""
    display = display or path
    if data is None:
        try:
            data = read_regular(path, display, settings.max_file_size)
        except ReadError:
            raise
        except NotRegularFile as error:
            raise ReadError(f"{display}: not scanned: it is {error} now (it changed after it was found)") from None
        except FileNotFoundError:
            raise ReadError(f"{display}: file vanished before it could be read") from None
        except IsADirectoryError:
            raise ReadError(f"{display}: is a directory") from None
        except PermissionError:
            raise ReadError(f"{display}: permission denied") from None
        except OSError as error:
            raise ReadError(f"{display}: cannot read ({error.strerror or error})") from None
    if len(data) > settings.max_file_size:
        raise ReadError(
            f"{display}: not scanned: over the size limit ({settings.max_file_size:,} bytes; "
            "raise it with --max-file-size)",
            "limit",
        )
    return decode(data, display)


_CHUNK = 1 << 16  # bytes asked for by each read past the size fstat gave (below malloc's mmap threshold)


def read_regular(path: str, display: str, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of ``path`` if it is a regular file, else NotRegularFile or IsADirectoryError (both
    OSErrors); ReadError when its size is over ``limit``.

    Opened non-blocking and checked once open: a path swapped for a FIFO or a device after discovery must not hang
    the scan (opening a FIFO waits for a writer, a device never ends). One descriptor with one fstat: a scan reads
    every file, and a buffered ``read(limit + 1)`` would allocate the whole limit (64 MB by default, ~0.15 ms a
    file) before finding a few kilobytes."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):  # as open() says of a directory
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile("no longer a regular file")
        if status.st_size > limit:
            raise ReadError(
                f"{display}: not scanned: {status.st_size:,} bytes is over the size limit "
                f"({limit:,} bytes; raise it with --max-file-size)",
                "limit",
            )
        # The size fstat gave and one byte more, to meet the end; then on to the end (a short read, a file that
        # grew since fstat, one whose size the system does not report such as /proc's) or past the limit.
        data = os.read(fd, status.st_size + 1)
        rest = _read_on(fd, limit + 1 - len(data)) if data else b""
    finally:
        os.close(fd)
    return data + rest if rest else data


def _read_on(fd: int, wanted: int) -> bytes:
    """Up to ``wanted`` more bytes of ``fd``, read a chunk at a time; mostly none (at the end already)."""
    chunks = []
    while wanted > 0 and (chunk := os.read(fd, min(wanted, _CHUNK))):
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)
