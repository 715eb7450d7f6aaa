"""Checksum algorithms against the reference test vectors, and their typo detection.

Secrets hygiene: the vectors are kept split (body / checksum) as in the provider
reference; complete tokens only exist at test time.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.checksums import BASE62, CHECKSUMS, Checksum, crc32, encode_base, marvin32
from keylint.providers import builtin_providers
from keylint.providers.schema import KeyFormat

# Algorithms that catch every single-character substitution by construction: CRC32 detects any
# error burst of up to 32 bits, and any change inside the checksum characters changes them.
EXACT = {"github-crc32", "grafana-crc32", "gitlab-routable-crc32", "atlassian-crc32", "cloudflare-crc32"}
# Marvin32 is a keyed hash: collisions are possible (2^-32, or ~1/17000 for Entra's 3 kept characters).
PROBABILISTIC = {"entra-marvin32", "azure-storage-marvin32", "cask-marvin32"}
# SHA-256 truncated to 40 bits over all but the last 16 characters: the last 8 are not covered at all.
PARTIAL = {"github-pat-sha256"}


def _with_checksum(head: str, checksum: str, tail: str = "") -> str:
    return head + checksum + tail


# --- reference vectors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "body", "expected"),
    [
        ("ghp_", "0123456789abcdefghijABCDEFGHIJ", "3mpbCX"),
        ("ghp_", "KeylintTestVectorDoNotUse00000", "1vUt6T"),
        ("npm_", "KeylintTestVectorDoNotUse00000", "1vUt6T"),
        ("gho_", "0123456789abcdefghijABCDEFGHIJ", "3mpbCX"),
    ],
)
def test_github_vectors(prefix: str, body: str, expected: str) -> None:
    checksum = CHECKSUMS["github-crc32"]
    assert crc32("0123456789abcdefghijABCDEFGHIJ") == 0xCED364A5
    assert checksum.expected(prefix + body + "000000") == expected
    assert checksum.valid(_with_checksum(prefix + body, expected))
    assert checksum.complete(prefix + body + "zzzzzz") == prefix + body + expected


def test_github_refresh_token_vector() -> None:
    # ghr_ + 70 + 6: the classic CRC32/base62 over the 70 random characters, at 80 characters.
    checksum = CHECKSUMS["github-crc32"]
    head = "ghr_" + ("KeylintTestVectorDoNotUse0" * 3)[:70]
    assert checksum.expected(head + "000000") == "0hT1q6"
    assert checksum.valid(_with_checksum(head, "0hT1q6"))
    assert not checksum.valid(_with_checksum(head[:-1] + "1", "0hT1q6"))


def test_github_fine_grained_vector() -> None:
    checksum = CHECKSUMS["github-pat-sha256"]
    head = "github_pat_11KeylintTestVectorDoNo_" + ("KeylintTestVectorDoNotUse0" * 2)[:43]
    digest = base64.b32encode(hashlib.sha256(head.encode()).digest()).decode()
    assert digest[:8] == "FWDANW6D"
    for tail in ("A" * 8, "zZ09zZ09"):  # the last 8 characters are not covered
        assert checksum.valid(_with_checksum(head, "FWDANW6D", tail))
    assert checksum.span(head + "FWDANW6D" + "A" * 8) == (78, 86)
    assert not checksum.valid(_with_checksum(head, "FWDANW6E", "A" * 8))
    assert not checksum.valid(_with_checksum(head, "fwdanw6d", "A" * 8))  # base32 is upper case
    assert not checksum.valid(_with_checksum(head.replace("Vector", "Vectar"), "FWDANW6D", "A" * 8))
    assert checksum.complete(head + "x" * 16) == _with_checksum(head, "FWDANW6D", "x" * 8)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(seed=st.integers(0, 2**32), pick=st.integers(0, 2**32))
def test_fine_grained_substitutions_fail_except_in_the_uncovered_tail(seed: int, pick: int) -> None:
    """Against the plain computation: a substitution before the last 8 characters changes the SHA-256 (or the
    checksum itself), one in the last 8 is not seen."""
    fmt = next(f for p in builtin_providers() for f in p.formats if f.checksum == "github-pat-sha256")
    token = fmt.generate(random.Random(seed))
    rng = random.Random(pick)
    pos, alphabet = rng.choice(_variable_positions(fmt, token))
    mutated = token[:pos] + rng.choice([c for c in alphabet if c != token[pos]]) + token[pos + 1 :]
    plain = base64.b32encode(hashlib.sha256(mutated[:-16].encode()).digest()).decode()[:8] == mutated[-16:-8]
    assert CHECKSUMS["github-pat-sha256"].valid(mutated) == plain
    assert plain == (pos >= len(token) - 8)


def test_grafana_vector() -> None:
    checksum = CHECKSUMS["grafana-crc32"]
    head = "glsa_KeylintTestVectorDoNotUse0000000"
    assert crc32(head) == 0xAF4A328A
    assert checksum.expected(head + "_00000000") == "8a324aaf"  # little-endian bytes of 0xAF4A328A
    assert checksum.valid(_with_checksum(head + "_", "8a324aaf"))
    assert not checksum.valid(_with_checksum(head + "_", "af4a328a"))  # big-endian is wrong


def test_atlassian_vector() -> None:
    checksum = CHECKSUMS["atlassian-crc32"]
    head = "ATBBKeylintTestVectorDoNotUs"
    assert checksum.expected(head + "00000000") == "0CC655D1"
    assert checksum.valid(_with_checksum(head, "0CC655D1"))
    assert not checksum.valid(_with_checksum(head, "0cc655d1"))  # uppercase only
    # One-character-modified twin fails.
    assert not checksum.valid(_with_checksum("ATBBKeylintTestVectorDoNotUt", "0CC655D1"))


def test_atlassian_covers_prefix_and_separator() -> None:
    checksum = CHECKSUMS["atlassian-crc32"]
    head = "ATATT3xFfGF0" + "K" * 171 + "="
    expected = f"{zlib.crc32(head.encode()):08X}"
    assert checksum.expected(head + "00000000") == expected
    assert not checksum.valid(_with_checksum("ATATT3xFfGF0" + "K" * 171 + "-", expected))


@pytest.mark.parametrize("prefix", ["cfk_", "cfut_", "cfat_"])
def test_cloudflare_vector(prefix: str) -> None:
    checksum = CHECKSUMS["cloudflare-crc32"]
    body = "KeylintTestVectorDoNotUse000000000000000"
    assert len(body) == 40
    assert checksum.expected(prefix + body + "00000000") == "3bc108b6"
    assert checksum.valid(_with_checksum(prefix + body, "3bc108b6"))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("zzz8Q~" + "z" * 31, "blP"),  # microsoft/security-utilities' own vector
        ("Kyl8Q~KeylintTestVectorDoNotUse000000", "apA"),
    ],
)
def test_entra_vectors(head: str, expected: str) -> None:
    checksum = CHECKSUMS["entra-marvin32"]
    assert len(head) == 37
    assert checksum.expected(head + "aaa") == expected
    assert checksum.valid(_with_checksum(head, expected))
    assert checksum.span(head + expected) == (37, 40)


def test_azure_storage_vector() -> None:
    checksum = CHECKSUMS["azure-storage-marvin32"]
    head = "A" * 76 + "+ASt"
    token = _with_checksum(head, "vmNvzw", "==")
    assert len(token) == 88
    data = base64.b64decode(token)
    assert data[57:60] == bytes.fromhex("f804ad")  # the signature bytes
    assert marvin32(data[:60], 0x44656661756C7430).to_bytes(4, "little") == data[60:]
    assert checksum.valid(token)
    assert checksum.span(token) == (80, 86)
    assert checksum.complete(head + "AAAAAA==") == token


def test_azure_storage_rejects_malformed() -> None:
    checksum = CHECKSUMS["azure-storage-marvin32"]
    head = "A" * 76 + "+ASt"
    assert not checksum.valid(_with_checksum(head, "vmNvzx", "=="))  # padding bits must be zero
    assert not checksum.valid(_with_checksum("A" * 75 + "*+ASt", "vmNvzw", "=="))  # not base64
    assert not checksum.valid(_with_checksum(head[1:], "vmNvzw", "=="))  # wrong length


# CASK: kept split (head / checksum) like every vector here. The head is 80 characters: 52 "random", JQQJ99,
# year B (2025), month L, 16 reserved, the provider signature. Each key carries one of the two encodings.
_CASK_HEAD = ("KeylintTestVectorDoNotUse0" * 2) + "JQQJ99BLAC" + "A" * 14


def _base62_net(data: bytes) -> str:
    """Base62.Net's ToBase62(byte[]) written out from its BaseConvert loop (repeated division of the digit list),
    as security-utilities encodes the checksum bytes: the plain computation to hold keylint's shortcut against."""
    source = list(data)
    leading = 0
    while leading < len(source) - 1 and source[leading] == 0:
        leading += 1
    result: list[int] = []
    while source:
        quotient: list[int] = []
        remainder = 0
        for digit in source:
            value, remainder = divmod(digit + remainder * 256, 62)
            if quotient or value > 0:
                quotient.append(value)
        result.insert(0, remainder)
        source = quotient
    return "".join(BASE62[d] for d in [0] * leading + result)


def _cask_forms(head: str) -> tuple[str, str]:
    """(base62, base64) checksum characters of an 80-character CASK head, from the library's steps."""
    raw = marvin32(base64.b64decode(head), 0x44656661756C7430).to_bytes(4, "little")  # BitConverter.GetBytes
    padded = _base62_net(raw) + "0" * (6 - len(_base62_net(raw))) + "=="  # GetBase62ChecksumBytes
    base62 = base64.b64encode(base64.b64decode(padded)).decode()  # GetBase62EncodedChecksum
    return base62[:4], base64.b64encode(raw[:3]).decode()


@pytest.mark.parametrize(("signature", "base62", "b64"), [("ACOG", "Z0lh", "HtY2"), ("AZDO", "48Fe", "4bD8")])
def test_cask_vectors_either_encoding(signature: str, base62: str, b64: str) -> None:
    checksum = CHECKSUMS["cask-marvin32"]
    head = _CASK_HEAD + signature
    assert len(head) == 80 and _cask_forms(head) == (base62, b64)
    assert checksum.valid(_with_checksum(head, base62)) and checksum.valid(_with_checksum(head, b64))
    assert checksum.complete(head + "0000") == _with_checksum(head, base62)  # generated keys use the base62 form
    assert not checksum.valid(_with_checksum(head, base62[::-1]))
    assert not checksum.valid(_with_checksum(head.replace("Vector", "Vectar"), base62))
    assert not checksum.valid(_with_checksum(head + "A", base62))  # 85 characters: not a CASK key
    assert checksum.span(head + base62) == (80, 84)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    body=st.text(alphabet=BASE62, min_size=52, max_size=52),
    raw=st.binary(min_size=4, max_size=4),
    zeros=st.integers(0, 4),
)
def test_cask_checksum_matches_the_library_steps(body: str, raw: bytes, zeros: int) -> None:
    """keylint's encodings against the library's steps written out, on generated heads, and its base62 text of
    4 bytes on any bytes, leading zero bytes included (rare in a real checksum: forced here)."""
    from keylint.checksums import _cask_base62, _cask_base64, base62_of_bytes

    head = body + "JQQJ99BLAC" + "A" * 14 + "AZDO"
    assert (_cask_base62(head + "0000"), _cask_base64(head + "0000")) == _cask_forms(head)
    forced = bytes(zeros) + raw[zeros:]
    assert base62_of_bytes(forced) == _base62_net(forced)


def _gitlab_routable(prefix: str, payload: str, random_bytes: bytes) -> tuple[str, int]:
    """GitLab's RoutableToken generator, step by step (routable_token.rb)."""
    raw = random_bytes + payload.encode() + bytes([len(payload)])
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    head = f"{prefix}{b64}.01.{encode_base(len(b64), '0123456789abcdefghijklmnopqrstuvwxyz', 2)}"
    return head, zlib.crc32(head.encode())


@pytest.mark.parametrize(
    ("prefix", "payload"),
    [("glpat-", "o:1"), ("glpat-", "c:1\ng:5k\no:2s\nu:1a2b"), ("glrt-t1_", "o:zz\nt:3")],
)
def test_gitlab_routable(prefix: str, payload: str) -> None:
    checksum = CHECKSUMS["gitlab-routable-crc32"]
    head, crc = _gitlab_routable(prefix, payload, bytes(range(16)))
    expected = checksum.expected(head + "0000000")
    # Cross-check by parsing rather than encoding: base36, lowercase, zero-padded to 7.
    assert len(expected) == 7
    assert expected == expected.lower()
    assert int(expected, 36) == crc
    assert checksum.valid(_with_checksum(head, expected))
    fmt = _format("gitlab", prefix, checksum="gitlab-routable-crc32")
    assert fmt.regex.fullmatch(_with_checksum(head, expected))


# --- helpers --------------------------------------------------------------------------------------


def test_encode_base() -> None:
    assert encode_base(0, BASE62, 6) == "000000"
    assert encode_base(0xCED364A5, BASE62, 6) == "3mpbCX"
    assert encode_base(35, "0123456789abcdefghijklmnopqrstuvwxyz", 2) == "0z"


def test_marvin32_tail_lengths_differ() -> None:
    # The tail fold must depend on the tail length, not only on its bytes.
    seed = 0x44656661756C7430
    assert len({marvin32(b"\x00" * n, seed) for n in range(9)}) == 9


def test_checksum_short_tokens() -> None:
    for checksum in CHECKSUMS.values():
        assert not checksum.valid("")
        assert not checksum.valid("x" * (checksum.width + checksum.trailer))
        with pytest.raises(ValueError):
            checksum.complete("x" * checksum.width)


def test_checksum_registry_names() -> None:
    assert set(CHECKSUMS) == EXACT | PROBABILISTIC | PARTIAL
    for name, checksum in CHECKSUMS.items():
        assert isinstance(checksum, Checksum)
        assert checksum.name == name
        assert checksum.description


def test_every_checksum_is_used() -> None:
    used = {f.checksum for p in builtin_providers() for f in p.formats if f.checksum}
    assert used == set(CHECKSUMS)


# --- single-character substitutions ---------------------------------------------------------------


def _format(provider_id: str, prefix: str, checksum: str | None = None) -> KeyFormat:
    for provider in builtin_providers():
        if provider.id == provider_id:
            for fmt in provider.formats:
                if fmt.prefix and prefix.startswith(fmt.prefix) and (checksum is None or fmt.checksum == checksum):
                    return fmt
    raise LookupError(f"{provider_id}: no format starting {prefix!r}")


CHECKSUMMED = [(p.id, f) for p in builtin_providers() for f in p.formats if f.checksum]


def _variable_positions(fmt: KeyFormat, token: str) -> list[tuple[int, str]]:
    """(offset, alphabet) for every character of ``token`` that a template slot (not a literal) produced."""
    grouped = re.compile("".join(f"({s.regex()})" for s in fmt.segments))
    match = grouped.fullmatch(token)
    assert match, token
    return [
        (pos, seg.alphabet)
        for i, seg in enumerate(fmt.segments, start=1)
        if not seg.is_literal
        for pos in range(match.start(i), match.end(i))
    ]


def _substitute(fmt: KeyFormat, token: str, rng: random.Random) -> str:
    pos, alphabet = rng.choice(_variable_positions(fmt, token))
    replacement = rng.choice([c for c in alphabet if c != token[pos]])
    mutated = token[:pos] + replacement + token[pos + 1 :]
    assert fmt.regex.fullmatch(mutated)  # still the right shape: only the checksum can tell
    return mutated


def test_checksummed_formats_are_covered() -> None:
    assert {f.checksum for _, f in CHECKSUMMED} == EXACT | PROBABILISTIC | PARTIAL


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(index=st.integers(0, len(CHECKSUMMED) - 1), seed=st.integers(0, 2**32), pick=st.integers(0, 2**32))
def test_single_substitution_always_fails_crc(index: int, seed: int, pick: int) -> None:
    provider_id, fmt = CHECKSUMMED[index]
    checksum = CHECKSUMS[fmt.checksum or ""]
    token = fmt.generate(random.Random(seed))
    assert checksum.valid(token)
    mutated = _substitute(fmt, token, random.Random(pick))
    if fmt.checksum in EXACT:
        assert not checksum.valid(mutated), (provider_id, fmt.template)


@pytest.mark.parametrize("name", sorted(PROBABILISTIC))
def test_single_substitution_marvin_rate(name: str) -> None:
    rng = random.Random(20260401)
    formats = [f for _, f in CHECKSUMMED if f.checksum == name]
    trials = 3000
    caught = 0
    for i in range(trials):
        fmt = formats[i % len(formats)]
        token = fmt.generate(rng)
        caught += not CHECKSUMS[name].valid(_substitute(fmt, token, rng))
    assert caught / trials >= 0.99
