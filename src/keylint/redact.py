"""Keeping secrets secret: masking, fingerprints and terminal-safe text.

Every piece of scanned content passes through here before a reporter sees it.
"""

from __future__ import annotations

import re

try:  # hashlib's own BLAKE2; importing hashlib would also load OpenSSL, a few ms of every run's start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - interpreters without the built-in module
    from hashlib import blake2b

# Fingerprints are keyed hashes: the key binds them to keylint, the rule, the file and the key path,
# so equal secrets in different places get unrelated fingerprints and no table of common
# secrets can be precomputed against them.
_FINGERPRINT_KEY = b"keylint-fingerprint-v1"
# The hash with the key already absorbed: a copy of it hashes like a new keyed hash, without compressing the key
# block again (a third of a fingerprint's time; the dense tree makes 69k).
_KEYED = blake2b(key=_FINGERPRINT_KEY, digest_size=16)

# Lone surrogates too: a file name that is not UTF-8 arrives with its bytes as U+DC80-U+DCFF
# (surrogateescape), which no output stream can encode.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def mask(secret: str | None) -> str | None:
    """At most 4 leading and 2 trailing characters, never more than a quarter of the secret."""
    if secret is None:
        return None
    n = len(secret)
    if n < 8:
        return "*" * max(n, 3)
    if n >= 16:  # the usual case: 4 and 2 characters (a quarter and an eighth of n at least)
        return escape(secret[:4] + "…" + secret[-2:])
    shown = secret[: n // 4] + "…" + secret[-1:]  # 8-15 characters: 2 or 3 leading, 1 trailing
    return escape(shown)


def fingerprint(rule: str, path: str, key: str | None, secret: str | None, salt: str = "") -> str:
    """A stable id for a finding: bound to the secret's content, not to its line number."""
    return _keyed_hash("\0".join((rule, path, key or "", secret or "", salt)).encode("utf-8", "surrogatepass"))


def secret_digest(secret: str) -> str:
    """Identity of a secret across files (for drift and de-duplication), never shown to users."""
    return _keyed_hash(secret.encode("utf-8", "surrogatepass"))


def _keyed_hash(material: bytes) -> str:
    """``blake2b(material, key=_FINGERPRINT_KEY, digest_size=16).hexdigest()``."""
    hashed = _KEYED.copy()
    hashed.update(material)
    return hashed.hexdigest()


def escape(text: str) -> str:
    """Make scanned text safe for a terminal or a log: control (newlines included, so one finding stays
    one line) and bidi characters become escapes."""
    # Every character escaped here is one str.isprintable() turns down (tested over all of Unicode), and that test
    # runs several times faster than the regular expression's search on the short texts of a report.
    if text.isprintable() or not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name: show the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def scrub(text: str, secret: str | None, public_prefix: int = 0) -> str:
    """Safety net: remove a secret (or any 8+ character piece of it) that a message would leak.

    Pieces that lie wholly inside the first ``public_prefix`` characters (a format's documented
    literal prefix, such as ``sk-ant-api03-``) are public knowledge and may stay. Every 8-character
    window of the text that occurs in the secret (outside that prefix) is removed, each run of them
    becoming one ``…``; repeated until none is left, since joining what surrounds a removed run can
    form a new piece. The work is proportional to the length of the text, not of the secret, so a
    megabyte-long value costs no more than a key.
    """
    if not secret or len(secret) < 8:
        return text
    if secret in text:
        text = text.replace(secret, mask(secret) or "")
    first = public_prefix - 7 if public_prefix > 7 else 0  # pieces starting before this lie inside the public prefix
    if not _may_share_window(text, secret[first:] if first else secret):
        return text  # nearly every message (the dense tree's 69k): turned away before the runs are set out
    while True:
        runs = _secret_runs(text, secret, first)
        if not runs:
            return text
        pieces: list[str] = []
        kept = 0  # text[kept:] is not yet copied
        for start, end in runs:
            pieces.append(text[kept:start] + "…")
            kept = end
        pieces.append(text[kept:])
        text = "".join(pieces)


def _secret_runs(text: str, secret: str, first: int) -> list[tuple[int, int]]:
    """The maximal runs of ``text`` covered by 8-character windows that occur in ``secret[first:]``.

    A window found in the secret is extended character by character along that occurrence, so
    text that quotes a long stretch of the secret costs one search, not one per character.
    """
    runs: list[tuple[int, int]] = []
    size = len(text)
    if not _may_share_window(text, secret[first:] if first else secret):
        return runs
    j = 0
    while j + 8 <= size:
        found = secret.find(text[j : j + 8], first)
        if found < 0:
            j += 1
            continue
        end = j + 8
        while end < size and found + end - j < len(secret) and text[end] == secret[found + end - j]:
            end += 1
        if runs and j <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((j, end))
        j = max(j + 1, end - 7)  # windows inside the run are pieces of the secret already
    return runs


def _may_share_window(text: str, searched: str) -> bool:
    """False when no 8-character window of ``text`` occurs in ``searched`` (True: one may).

    The usual case (a message that quotes nothing of the secret) is decided in a fifth of the searches: an
    8-character window at position j of a string holds its 4 characters at 5k+4 to 5k+8 for k = j // 5, so a
    window the two strings share holds one of those pieces of each, and looking for the pieces of the shorter
    string in the longer one is enough. When the secret holds no space, a shared window lies inside one
    space-free word of the text, and only the pieces of words of 8 characters or more are looked for: the words of
    a message are mostly shorter. The dense tree's 61k scrubbed messages: ~38% fewer instructions than the pieces
    of the whole text at 0, 5, 10 ...; tests/test_entry_fastpaths.py compares it with every window.
    """
    if len(searched) < len(text):
        words, other = (searched,), text
    else:
        words, other = text.split(" ") if " " not in searched else (text,), searched
    for word in words:  # a loop rather than any(): no generator to start for each of tens of thousands of findings
        if len(word) >= 8:  # most words of a message are shorter: no range to make for them
            for end in range(8, len(word) + 1, 5):
                if word[end - 4 : end] in other:
                    return True
    return False
