"""The shortcuts of the entry rules' value questions (#8) answer exactly what the plain steps answer.

KL102 and KL401 ask every value in a secret-named variable whether it is benign data or a placeholder; the
faster forms are compared here with the straightforward ones on registry-generated keys, their damaged
variants and generated text near each shape.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import diagnose, values
from keylint.rules import placeholder
from lintcorpus import DAMAGE, FORMATS

_SHAPES = (
    (values._NUMBER, "number"),
    (values._VERSION, "version"),
    (values._UUID, "uuid"),
    (values._HASH, "hash"),
    (values._SRI, "hash"),
    (values._DIGEST, "image digest"),
)


def _plain_shape(value: str) -> str | None:
    for pattern, kind in _SHAPES:
        if pattern.match(value):
            return kind
    return None


def _fast_shape(value: str) -> str | None:
    shape = values._BENIGN_SHAPES.match(value)
    return None if shape is None else values._BENIGN_SHAPE_KINDS[shape.lastgroup]


def _generated_values() -> list[str]:
    rng = random.Random(102)
    found = [example.text for make in DAMAGE.values() for example in make()]
    for _, fmt in FORMATS:
        token = fmt.generate(rng)
        found += [token, token.lower(), f"sha256:{token}", f"{token}\n"]
    return found


def test_benign_shapes_on_keys_and_damaged_values():
    for value in _generated_values():
        assert _fast_shape(value) == _plain_shape(value), value


# Pieces of every shape (numbers, versions, UUIDs, hashes, SRI and image digests) and what breaks them.
_PIECES = st.sampled_from(
    [
        *("0", "1", "9", "_", ".", "e", "E", "+", "-", "x", "0x", "0o", "v", "=", "^", "~", "<", ">", "a", "f", "A"),
        *("sha256:", "sha1-", "md5:", "sha512-", "sha384-", "@", "/", ":", "\n", "Z", "g", "=="),
        *("0123456789abcdef" * 2, "0123abcd", "0123-", "1.2.3", "a" * 64, "AbC+/xyz" * 6, "nginx"),
    ]
)


@settings(max_examples=4000, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=20))
def test_benign_shapes_are_the_patterns_in_turn(value):
    assert _fast_shape(value) == _plain_shape(value)


# Long values (is_placeholder searches them word by word) of key characters, with the marks of stand-ins
# (words, runs, endings, separators, whitespace and quotes at the ends) here and there.
_MARKS = st.sampled_from(
    [
        *("example", "changeme", "your-key", "yourapi", "xxxxxx", "xXxXxX", "xxxxx"),
        *("****", "***", "....", "...", "•••"),
        *("…", "<key>", "[x]", "{x}", "####", "____", "nil", "here", "tbd", " ", "-", "_", ".", "\n", '"', "'", "\t"),
    ]
)
_KEY_TEXT = st.text(alphabet=st.sampled_from("aBc9Zq0X7-_+/="), min_size=1, max_size=120)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_KEY_TEXT | _MARKS, min_size=1, max_size=12), st.integers(1, 400))
def test_kl401_placeholder_after_kl102_is_looks_like_placeholder(pieces, size):
    random.Random(size).shuffle(pieces)
    text = "".join(pieces)
    value = (text * (size // len(text) + 1))[: size + len(text) % 7]
    for asked in (value, value.strip()):
        values.is_placeholder.cache_clear()
        values.is_placeholder(asked)  # what KL102 asks first
        assert placeholder._looks_like_placeholder(asked) == diagnose.looks_like_placeholder.__wrapped__(asked), asked


def test_kl401_placeholder_without_kl102_is_looks_like_placeholder():
    value = "aB3-" * 100
    values.is_placeholder(value + "x")  # another value: nothing known about this one
    assert not values.known_non_placeholder(value)
    assert placeholder._looks_like_placeholder(value) == diagnose.looks_like_placeholder.__wrapped__(value)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.text(max_size=12) | _KEY_TEXT | _MARKS, max_size=6).map("".join))
def test_kl401_placeholder_after_kl102_on_short_values(value):
    values.is_placeholder.cache_clear()
    values.is_placeholder(value)
    assert placeholder._looks_like_placeholder(value) == diagnose.looks_like_placeholder.__wrapped__(value)
