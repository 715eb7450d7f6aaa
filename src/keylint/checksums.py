"""Checksums built into provider key formats. Pure functions, no I/O.

Each entry of :data:`CHECKSUMS` knows where its checksum sits in a token:
``valid(token)`` checks it and ``complete(token)`` rewrites the checksum part
so that the token passes (used to generate test keys, never to "fix" a user's key).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def encode_base(number: int, alphabet: str, width: int) -> str:
    """``number`` in the given alphabet, most significant digit first, left-padded to ``width``."""
    base = len(alphabet)
    digits = []
    while number:
        number, rem = divmod(number, base)
        digits.append(alphabet[rem])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def crc32(text: str) -> int:
    return zlib.crc32(text.encode("latin-1", "replace")) & 0xFFFFFFFF


@dataclass(frozen=True)
class Checksum:
    name: str
    description: str
    expected: Callable[[str], str]  # token -> the checksum characters it should end with
    width: int  # how many trailing characters hold the checksum

    def valid(self, token: str) -> bool:
        return len(token) > self.width and token[-self.width :] == self.expected(token)

    def complete(self, token: str) -> str:
        return token[: -self.width] + self.expected(token)


def _github(token: str) -> str:
    # 4-char prefix (ghp_, npm_ ...), 30 random chars, 6 chars base62(CRC32(random part))
    return encode_base(crc32(token[4:-6]), BASE62, 6)


CHECKSUMS: dict[str, Checksum] = {
    "github-crc32": Checksum(
        "github-crc32",
        "CRC32 of the 30 random characters, base62-encoded in the last 6 characters",
        _github,
        6,
    ),
}
