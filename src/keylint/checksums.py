"""Checksums built into provider key formats. Pure functions, no I/O.

Each entry of :data:`CHECKSUMS` knows where its checksum sits in a token:
``valid(token)`` checks it and ``complete(token)`` rewrites the checksum part
so that the token passes (used to generate test keys, never to "fix" a user's key).

Every algorithm here reproduces the test vectors of the provider reference
(``tests/test_checksums.py``). Formats whose checksum is unpublished or could not
be reproduced (Supabase ``sb_secret_``) deliberately have none: a wrong checksum
would flag every real key.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable

from keylint.records import dataclass

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
# microsoft/security-utilities IdentifiableMetadata.AadClientPasswordCharacterSet (note: digits 1-9 then 0).
AAD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890.-_~"

_MASK32 = 0xFFFFFFFF


def encode_base(number: int, alphabet: str, width: int) -> str:
    """``number`` in the given alphabet, most significant digit first, left-padded to ``width``."""
    base = len(alphabet)
    digits = []
    while number:
        number, rem = divmod(number, base)
        digits.append(alphabet[rem])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def crc32(text: str) -> int:
    return zlib.crc32(text.encode("latin-1", "replace")) & _MASK32


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _marvin_block(p0: int, p1: int) -> tuple[int, int]:
    p1 ^= p0
    p0 = _rotl(p0, 20)
    p0 = (p0 + p1) & _MASK32
    p1 = _rotl(p1, 9)
    p1 ^= p0
    p0 = _rotl(p0, 27)
    p0 = (p0 + p1) & _MASK32
    p1 = _rotl(p1, 19)
    return p0, p1


def marvin32(data: bytes, seed: int) -> int:
    """.NET's Marvin hash folded to 32 bits (``Marvin.ComputeHash32``), as an unsigned int."""
    p0, p1 = seed & _MASK32, (seed >> 32) & _MASK32
    whole = len(data) - len(data) % 4
    for i in range(0, whole, 4):
        p0 = (p0 + int.from_bytes(data[i : i + 4], "little")) & _MASK32
        p0, p1 = _marvin_block(p0, p1)
    # The 0-3 tail bytes are folded in with a 0x80 terminator byte right after them.
    tail = data[whole:]
    p0 = (p0 + (int.from_bytes(tail, "little") | (0x80 << (8 * len(tail))))) & _MASK32
    p0, p1 = _marvin_block(p0, p1)
    p0, p1 = _marvin_block(p0, p1)
    return p1 ^ p0


@dataclass(frozen=True)
class Checksum:
    """Where a checksum sits in a token and how to compute it.

    The checksum occupies ``width`` characters that end ``trailer`` characters before
    the end of the token. ``trailer`` covers layouts such as Azure's base64 keys,
    where the checksum is followed by ``==`` padding it does not include.
    """

    name: str
    description: str
    expected: Callable[[str], str]  # token -> the checksum characters it should hold (ValueError: undecodable)
    width: int  # how many characters hold the checksum
    trailer: int = 0  # characters after the checksum that are not part of it
    # A second encoding of the same checksum the provider also issues (CASK keys carry it either base64- or
    # base62-encoded); ``complete`` always writes ``expected``.
    alternative: Callable[[str], str] | None = None

    def span(self, token: str) -> tuple[int, int]:
        """Start and end offsets of the checksum characters in ``token`` (for precise messages)."""
        end = len(token) - self.trailer
        return end - self.width, end

    def valid(self, token: str) -> bool:
        start, end = self.span(token)
        if start <= 0:
            return False
        found = token[start:end]
        try:
            return found == self.expected(token) or (self.alternative is not None and found == self.alternative(token))
        except ValueError:
            return False

    def complete(self, token: str) -> str:
        start, end = self.span(token)
        if start <= 0:
            raise ValueError(f"token too short to hold a {self.name} checksum")
        return token[:start] + self.expected(token) + token[end:]


def _github(token: str) -> str:
    # 4-char prefix (ghp_, npm_ ...), 30 random chars, 6 chars base62(CRC32(random part))
    return encode_base(crc32(token[4:-6]), BASE62, 6)


def _github_fine_grained(token: str) -> str:
    # github_pat_<22>_<59>: characters -16..-8 are the first 8 of the base32 SHA-256 of everything before them
    # (prefix included); the last 8 are not covered. GitHub does not document it: mongodb/kingfisher's rule
    # kingfisher.github.1 (PR #342, 2026-04) checks exactly this, and every fine-grained PAT published in public
    # code that was tried (7, revoked ones included) satisfies it.
    import hashlib  # only for these tokens: a scan without one does not pay for its import

    return base64.b32encode(hashlib.sha256(token[:-16].encode("latin-1", "replace")).digest()).decode("ascii")[:8]


def _grafana(token: str) -> str:
    # glsa_<32>_<8 hex>: CRC32 of "glsa_<32>" (prefix included), bytes little-endian, lowercase hex.
    return crc32(token[:-9]).to_bytes(4, "little").hex()


def _gitlab_routable(token: str) -> str:
    # Everything before the CRC (prefix, payload, ".01.", length) in lowercase base36, padded to 7.
    return encode_base(crc32(token[:-7]), BASE36, 7)


def _atlassian(token: str) -> str:
    # ATATT3.../ATCTT3...=<crc>, ATBB<24><crc>: CRC32 of every preceding character, uppercase hex.
    return f"{crc32(token[:-8]):08X}"


def _cloudflare(token: str) -> str:
    # cfk_/cfut_/cfat_ + 40-char body + 8 hex: CRC32 of the body only (prefixes differ in length).
    return f"{crc32(token[-48:-8]):08x}"


_AAD_SEED = 0x4161645077643030  # "AadPwd00"


def _entra(token: str) -> str:
    # Only the first 3 of the 6 encoded characters are kept in the secret.
    digest = marvin32(token[:-3].encode("latin-1", "replace"), _AAD_SEED)
    return encode_base(digest, AAD_ALPHABET, 6)[:3]


def azure_identifiable_64(seed: int) -> Callable[[str], str]:
    """Checksum characters of a 64-byte Azure identifiable key (88 base64 chars, ``==`` at the end).

    The last 4 decoded bytes are the little-endian Marvin32 of bytes 0-59. Bytes 0-59
    are exactly the first 80 characters, so the checksum is characters 80-85.
    """

    def expected(token: str) -> str:
        body = token[:-8]
        if len(body) % 4:
            raise ValueError("not a 64-byte base64 key")
        try:
            data = base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise ValueError(str(exc)) from None
        return base64.b64encode(marvin32(data, seed).to_bytes(4, "little")).decode("ascii")[:6]

    return expected


# Microsoft's Common Annotated Security Key, 84 characters: Marvin32 (seed "Default0") of the 60 bytes the first
# 80 characters decode to, in the last 4 characters either as the base64 of its first 3 little-endian bytes or as
# the first 4 characters of the base62 text of those 4 bytes. Exactly as microsoft/security-utilities
# IdentifiableSecrets.TryValidateCommonAnnotatedKey(string) accepts it (with GetBase62EncodedChecksum and
# Base62.ToBase62(byte[])). Azure OpenAI keys seen in public carry the base64 form, Azure DevOps PATs the base62.
_CASK_SEED = 0x44656661756C7430  # ComputeHisV1ChecksumSeed("Default0"), as for the 64-byte identifiable keys


def _cask_checksum(token: str) -> bytes:
    if len(token) != 84:
        raise ValueError("a CASK key has 84 characters")
    try:
        data = base64.b64decode(token[:80], validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    return marvin32(data, _CASK_SEED).to_bytes(4, "little")


def base62_of_bytes(data: bytes) -> str:
    """Base62.Net's ToBase62(byte[]): the bytes as one big-endian number, after a '0' per leading zero byte
    (all but the last byte)."""
    zeros = min(len(data) - len(data.lstrip(b"\0")), len(data) - 1)
    return "0" * zeros + encode_base(int.from_bytes(data, "big"), BASE62, 1)


def _cask_base62(token: str) -> str:
    return base62_of_bytes(_cask_checksum(token)).ljust(6, "0")[:4]


def _cask_base64(token: str) -> str:
    return base64.b64encode(_cask_checksum(token)[:3]).decode("ascii")


CHECKSUMS: dict[str, Checksum] = {
    c.name: c
    for c in (
        Checksum(
            "github-crc32",
            "CRC32 of the 30 random characters, base62-encoded in the last 6 characters",
            _github,
            6,
        ),
        Checksum(
            "github-pat-sha256",
            "first 8 base32 characters of the SHA-256 of everything before them, followed by 8 other characters",
            _github_fine_grained,
            8,
            trailer=8,
        ),
        Checksum(
            "grafana-crc32",
            "CRC32 of 'glsa_' and the 32 secret characters, little-endian, as the last 8 hex characters",
            _grafana,
            8,
        ),
        Checksum(
            "gitlab-routable-crc32",
            "CRC32 of everything before it (prefix included), base36-encoded in the last 7 characters",
            _gitlab_routable,
            7,
        ),
        Checksum(
            "atlassian-crc32",
            "CRC32 of every preceding character, as the last 8 uppercase hex characters",
            _atlassian,
            8,
        ),
        Checksum(
            "cloudflare-crc32",
            "CRC32 of the 40-character body, as the last 8 lowercase hex characters",
            _cloudflare,
            8,
        ),
        Checksum(
            "entra-marvin32",
            "Marvin32 (seed 'AadPwd00') of the first 37 characters; first 3 of its 6-character encoding at the end",
            _entra,
            3,
        ),
        Checksum(
            "azure-storage-marvin32",
            "Marvin32 (seed 'Default0') of the first 60 decoded bytes, little-endian in the last 4 bytes",
            azure_identifiable_64(0x44656661756C7430),
            6,
            trailer=2,
        ),
        Checksum(
            "cask-marvin32",
            "Marvin32 (seed 'Default0') of the first 60 decoded bytes, base62 or base64 in the last 4 characters",
            _cask_base62,
            4,
            alternative=_cask_base64,
        ),
    )
}
