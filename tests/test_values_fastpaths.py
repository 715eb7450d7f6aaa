"""The value predicates' shortcuts (#8) answer exactly what the plain computations answer.

Detection asks whether every key it finds is a stand-in, and the rules ask the same questions of
the values they judge; the faster forms are compared here with the straightforward versions, on
registry-generated keys, their damaged variants (as the lint corpus damages them) and generated
text: the entropy threshold settled by bounds from the number of distinct characters, and placeholder words
looked for word by word in long values.
"""

from __future__ import annotations

import math
import random
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import diagnose, values
from lintcorpus import DAMAGE, FORMATS


def _plain_looks_random(value: str) -> bool:
    v = value.strip()
    if len(v) < 12 or " " in v or values._WORDS.match(v):
        return False
    if values._character_classes(v) < 2:
        return False
    return values.entropy(v) >= (3.0 if len(v) < 20 else 3.3)


def _generated_keys() -> list[str]:
    rng = random.Random(84)
    keys = []
    for _, fmt in FORMATS:
        for _ in range(3):
            token = fmt.generate(rng)
            keys += [token, token[: len(token) // 2], token + token[-5:], f"Bearer {token}", token.upper()]
    return keys


def _damaged_values() -> list[str]:
    return [example.text for make in DAMAGE.values() for example in make()]


def _shuffled_repeats(chars: list[str], counts: list[int], seed: int) -> str:
    letters = [char for char, count in zip(chars, counts, strict=False) for _ in range(count)]
    random.Random(seed).shuffle(letters)
    return "".join(letters)


# Values of a few distinct characters repeated: their entropies sit on or next to the thresholds (8 equally
# frequent characters have exactly 3 bits), where no bound may decide.
_NEAR_THRESHOLD = st.builds(
    _shuffled_repeats,
    st.lists(st.sampled_from("abcdefghijkXYZ0123456789-_"), min_size=6, max_size=14, unique=True),
    st.lists(st.integers(1, 6), min_size=14, max_size=14),
    st.integers(0, 1000),
)


# Long values of a key's alphabet: bounded piece by piece.
_LONG = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", min_size=30, max_size=5000)


@settings(max_examples=3000, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from("aab01XYZ-_=+/é"), max_size=300) | _NEAR_THRESHOLD | _LONG,
    threshold=st.sampled_from([3.0, 3.3]) | st.floats(0, 9),
)
def test_entropy_at_least_is_the_comparison_of_the_entropy(value, threshold):
    exact = values.entropy(value)
    for level in (threshold, exact, math.nextafter(exact, math.inf), math.nextafter(exact, -math.inf)):
        assert values.entropy_at_least(value, level) == (exact >= level), (value, level)


def test_entropy_at_least_on_equally_frequent_characters():
    for distinct in range(1, 40):
        for repeat in (1, 2, 3, 7):
            value = "".join(chr(48 + i) for i in range(distinct)) * repeat
            exact = values.entropy(value)
            for level in (3.0, 3.3, exact, math.log2(distinct)):
                assert values.entropy_at_least(value, level) == (exact >= level), (value, level)


def test_looks_random_is_the_plain_answer_on_keys_and_damaged_values():
    for value in _generated_keys() + _damaged_values():
        assert values.looks_random.__wrapped__(value) == _plain_looks_random(value), value


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09 _-.é²\t"), max_size=40) | _NEAR_THRESHOLD | st.text(max_size=30))
def test_looks_random_is_the_plain_answer(value):
    assert values.looks_random.__wrapped__(value) == _plain_looks_random(value), repr(value)


def test_entropy_at_least_past_the_longest_bounded_value():
    rng = random.Random(5)
    for alphabet in ("0123456789abcdef", "ab", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
        value = "".join(rng.choice(alphabet) for _ in range(values._MOST_BOUNDED + 7))
        for size in (values._MOST_BOUNDED - 1, values._MOST_BOUNDED, len(value)):
            exact = values.entropy(value[:size])
            for level in (3.3, exact, math.nextafter(exact, math.inf)):
                assert values.entropy_at_least(value[:size], level) == (exact >= level)


_WORD_LISTS = [
    (values._PLACEHOLDER_WORDS, values._placeholder_words),
    (diagnose._PLACEHOLDER_MARKS, diagnose._placeholder_marks),
]


@settings(max_examples=1000, deadline=None)
@given(
    which=st.sampled_from(range(len(_WORD_LISTS))),
    filler=st.text(alphabet="abcdefxyz0189-_.*<", max_size=8),
    size=st.sampled_from([0, 5, 250, 255, 256, 257, 300, 900]),
    word=st.integers(0, 60),
    where=st.floats(0, 1),
)
def test_holds_any_is_a_search_per_word(which, filler, size, word, where):
    """Short texts are searched by the words' regex, long ones word by word: the same answer either way."""
    words, pattern = _WORD_LISTS[which]
    text = (filler * (size // max(len(filler), 1) + 1))[:size] if filler else "q" * size
    if word < len(words):
        cut = int(where * len(text))
        text = text[:cut] + words[word] + text[cut:]
    assert values.holds_any(text, words, pattern) == any(w in text for w in words)
    assert (pattern().search(text) is not None) == any(w in text for w in words)


def test_entropy_at_least_around_the_length_pieces_are_tried_from():
    """Up to _PIECES_FROM characters only the whole value's set bounds the entropy, past it the pieces first."""
    rng = random.Random(9)
    base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for alphabet in ("0123456789abcdef", "abcdefgh", base64url):
        value = "".join(rng.choice(alphabet) for _ in range(values._PIECES_FROM + 40))
        for size in range(values._PIECES_FROM - 2, values._PIECES_FROM + 40, 3):
            exact = values.entropy(value[:size])
            for level in (3.0, 3.3, 3.9, exact, math.nextafter(exact, math.inf)):
                assert values.entropy_at_least(value[:size], level) == (exact >= level)


# ASCII values past _PIECES_FROM: bounded by their characters counted in 16 groups (values._grouped_bits). Keys of
# the usual alphabets, and values of a few characters repeated unevenly, whose entropies (and their groups') sit
# around the thresholds.
_KEY_ALPHABETS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    "0123456789abcdef",
    "0123456789ABCDEF",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "abcdefghijklmnopqrstuvwxyz0123456789",
)
_GROUPED = st.one_of(
    st.builds(
        lambda alphabet, size, seed: "".join(random.Random(seed).choices(alphabet, k=size)),
        st.sampled_from(_KEY_ALPHABETS),
        st.sampled_from([values._PIECES_FROM, values._PIECES_FROM + 1, 200, 511, 512, 513, 900, 3000]),
        st.integers(0, 10**6),
    ),
    st.builds(
        _shuffled_repeats,
        st.lists(st.sampled_from("abcdefqrstuvQRSTUV0123456789-_=+/.~ "), min_size=6, max_size=20, unique=True),
        st.lists(st.integers(1, 90), min_size=20, max_size=20),
        st.integers(0, 1000),
    ).filter(lambda value: len(value) > values._PIECES_FROM),
)


@settings(max_examples=2000, deadline=None)
@given(value=_GROUPED, threshold=st.sampled_from([3.0, 3.3]) | st.floats(2.5, 4.5))
def test_entropy_at_least_of_long_ascii_values_is_the_comparison_of_the_entropy(value, threshold):
    exact = values.entropy(value)
    assert values._grouped_bits(value) <= exact * len(value) * (1 + 1e-12)
    for level in (threshold, exact, math.nextafter(exact, math.inf), math.nextafter(exact, -math.inf)):
        assert values.entropy_at_least(value, level) == (exact >= level), (value, level)


def test_grouped_bits_of_hex_keys_are_their_entropy():
    """Hex digits of either case are one to a group: a hex key's groups hold all its bits."""
    rng = random.Random(3)
    for alphabet in ("0123456789abcdef", "0123456789ABCDEF"):
        value = "".join(rng.choices(alphabet, k=300))
        assert math.isclose(values._grouped_bits(value), values.entropy(value) * len(value))


@settings(max_examples=1000, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abyou_-", min_size=1, max_size=7), min_size=1, max_size=12, unique=True),
    pieces=st.lists(st.text(alphabet="abyou_-xz", max_size=9), min_size=1, max_size=40),
    size=st.sampled_from([values._SEARCHED_WORD_BY_WORD + 1, 600]),
)
def test_holds_any_by_plan_is_a_search_per_word(words, pieces, size):
    """Past _SEARCHED_WORD_BY_WORD characters the words are looked for by _search_plan's gates and members: the
    same answer as a search per word, on any list of words (some holding others, some sharing their beginnings)
    and texts made of their pieces."""
    words = tuple(words)
    text = ("".join(pieces) * (size // max(len("".join(pieces)), 1) + 1))[:size].ljust(size, "z")
    assert values.holds_any(text, words, lambda: None) == any(w in text for w in words), (words, text)


@pytest.mark.parametrize("words", [values._PLACEHOLDER_WORDS, diagnose._LONG_PLACEHOLDER_WORDS])
def test_holds_any_by_plan_on_each_word_and_its_beginnings(words):
    """Every placeholder word, each of its beginnings and the word with a character changed, in long filler."""
    filler = "q7Z" * 100
    for word in words:
        for text in {word, *(word[:k] for k in range(1, len(word))), word[:-1] + "q", "q" + word[1:]}:
            for where in (0, 150, 300):
                long_text = filler[:where] + text + filler[where:]
                assert values.holds_any(long_text, words, lambda: None) == any(w in long_text for w in words)


# Values that end (or nearly end) with what a stand-in ends with, a final newline among them.
_ENDINGS_TEXT = st.text(alphabet=st.sampled_from(list("aZ09.…*#_xX<>[]{}\n •é")), max_size=24)


@settings(max_examples=3000, deadline=None)
@given(value=_ENDINGS_TEXT | st.text(max_size=12))
def test_endings_answer_what_ends_with_any_answers(value):
    """Endings turns a value away by its last character only where ends_with_any would find nothing."""
    for literals, brackets in (
        (values._ELLIPSIS_TAIL, ("<>",)),
        (diagnose._PLACEHOLDER_TAIL, diagnose._PLACEHOLDER_BRACKETS),
        (("ab", "…"), ("()",)),
    ):
        expected = values.ends_with_any(value, literals, brackets)
        assert values.Endings(literals, brackets)(value) == expected, (value, literals)
    assert values._ELLIPSIS_ENDINGS(value) == values.ends_with_any(value, values._ELLIPSIS_TAIL, ("<>",))
    assert diagnose._PLACEHOLDER_ENDINGS(value) == values.ends_with_any(
        value, diagnose._PLACEHOLDER_TAIL, diagnose._PLACEHOLDER_BRACKETS
    )


_GREEDY_WORDS = re.compile(r"^[A-Za-z]+(?:[ _.\-][A-Za-z]+)*$")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abZ _.-0\n\u212aé")), max_size=30))
def test_words_regex_matches_what_the_greedy_one_matches(value):
    """_WORDS' possessive repeats match exactly what the greedy ones match (a final newline included)."""
    assert bool(values._WORDS.match(value)) == bool(_GREEDY_WORDS.match(value)), repr(value)


_TAIL = re.compile(r"(?:\.\.\.|…|[xX]{4,}|\*{3,}|#{4,}|_{4,}|<[^>]*>|\[[^\]]*\]|\{[^}]*\})$")
_RUN = re.compile(r"[xX]{6,}|\*{4,}|\.{4,}|•{3,}")


def _plain_looks_like_placeholder(value: str) -> bool:
    """looks_like_placeholder by the regexes its checks replaced and the plain randomness test."""
    v = value.strip().strip("\"'")
    if not v:
        return False
    if _TAIL.search(v) or _RUN.search(v):
        return True
    if not _plain_looks_random(re.sub(r"\s+", "", v)):
        return values.is_placeholder.__wrapped__(v) or values.is_placeholder.__wrapped__(re.sub(r"[-_.\s]+", "", v))
    return any(word in v.lower() for word in diagnose._LONG_PLACEHOLDER_WORDS)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["your", "key", "here", "-", "_", ".", " ", "xxxx", "x", "***", "…", "<>", "[", "]", "{}"])
        | st.sampled_from(["dummy", "Sample", "CHANGE_ME", "XxX", "••", "..", "**", "kQ9aZ0+/kQ9aZ0"])
        | st.text(alphabet="aZ09kQ+/=•\"'\n", max_size=12),
        max_size=6,
    ).map("".join)
)
def test_looks_like_placeholder_is_the_plain_answer(value):
    assert diagnose.looks_like_placeholder.__wrapped__(value) == _plain_looks_like_placeholder(value), repr(value)


def test_looks_like_placeholder_is_the_plain_answer_on_keys_and_damaged_values():
    for value in _generated_keys() + _damaged_values():
        assert diagnose.looks_like_placeholder.__wrapped__(value) == _plain_looks_like_placeholder(value), value


def _with_separators(word: str, where: list[int], separators: list[str]) -> str:
    """``word`` with separators put between its characters (``my-key`` as ``m_y-k.ey``)."""
    chars = list(word)
    for place, separator in zip(where, separators, strict=False):
        chars.insert(place % (len(chars) + 1), separator)
    return "".join(chars)


# Every placeholder word, exact placeholder and mark, in any case, with separators in them, next to runs of what
# stand-ins are made of and key characters: the values _may_be_placeholder judges and the ones next to them.
_WORD = st.sampled_from(
    sorted({*values._PLACEHOLDER_WORDS, *values._PLACEHOLDER_EXACT, *diagnose._PLACEHOLDER_MARKS} - {""})
)
_PLAIN_PIECES = st.lists(
    st.builds(
        _with_separators,
        _WORD | _WORD.map(str.upper) | _WORD.map(str.title),
        st.lists(st.integers(0, 12), max_size=3),
        st.lists(st.sampled_from(["-", "_", ".", "--", "._"]), max_size=3),
    )
    | st.sampled_from(["x", "X", "xx", "0", "*", "**", "#", ".", "-", "_", "xxxx", "....", "***", "=", "+/", ":", "$"])
    | st.text(alphabet="aZ09kQ7bx", min_size=1, max_size=30)
    | st.text(alphabet="aB", min_size=1, max_size=12)  # too few characters to look random
    | st.sampled_from([" ", '"', "'", "<", ">", "[", "]", "é", "\n"]),
    max_size=8,
).map("".join)


@settings(max_examples=5000, deadline=None)
@given(_PLAIN_PIECES)
def test_token_looks_like_placeholder_is_the_plain_answer(value):
    """The values of ASCII letters, digits and punctuation that _may_be_placeholder settles without the other tests."""
    assert diagnose.token_looks_like_placeholder(value) == _plain_looks_like_placeholder(value), repr(value)


@pytest.mark.parametrize(
    "value",
    [
        "aaaaaaaaaaaaxx-xx",  # an ending once the separators are gone
        "abababababab**-*",
        "abababababab*.**",
        "ab.ab.ab.ab....ab",  # a run of dots
        "x-x-x-x-x-x-0-0-0",  # a run of stand-in characters
        "x0x0x0x0x0x0",
        "#*#*#*#*#*#*#*",
        "a_a_a_a_a_a_a_a_a",  # one character repeated
        "A-a-A-a-A-a-A-a-A",
        "api-key",  # exact placeholders
        "pass.word",
        "-.-.-.-.-.-.-.-",
        "n/a",
        "my-key-my-key-my-key",  # words, with separators in them
        "k.e.y_h.e.r.e.abababab",
        "Do.Not.Use.abababab",
        "n.i.l.kQ9aZ0kQ9aZ0kQ9aZ0",
        "kQ9aZ0kQ9aZ0kQ9aZ0x-x-x-x-x-x",
        "kQ9aZ0kQ9aZ0kQ9aZ0todo",
        "ghp_kQ9aZ0kQ9aZ0kQ9aZ0kQ9aZ0kQ9aZ0kQ9a",
        "_''''''''key",  # quotes, brackets and spaces at the ends once the separators are gone
        "-\"\"\"\"\"\"\"\"token",
        "_[aaaaaaaaaa]",
        "-<aaaaaaaaaa>",
        "your api key",
        "a b c d e f g h i j",
        "pass word",
    ],
)
def test_token_looks_like_placeholder_is_the_plain_answer_where_each_test_of_plain_text_says_yes(value):
    assert diagnose.token_looks_like_placeholder(value) == _plain_looks_like_placeholder(value)


def test_token_looks_like_placeholder_is_the_plain_answer_on_keys_and_damaged_values():
    for value in _generated_keys() + _damaged_values():
        assert diagnose.token_looks_like_placeholder(value) == _plain_looks_like_placeholder(value), value


def test_token_looks_like_placeholder_is_the_plain_answer_around_the_longest_plain_text():
    rng = random.Random(11)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for size in (diagnose._PLAIN_TEXT_LONGEST - 1, diagnose._PLAIN_TEXT_LONGEST, diagnose._PLAIN_TEXT_LONGEST + 1):
        for word in ("", "nil", "dummy", "xxxxxx", "...."):
            value = "".join(rng.choice(alphabet) for _ in range(size - len(word))) + word
            assert diagnose.token_looks_like_placeholder(value) == _plain_looks_like_placeholder(value)


def test_long_placeholder_words_are_placeholder_words():
    """looks_like_placeholder looks for the long words before the randomness test that chose between them and
    is_placeholder's words: right only because a value holding a long word holds one of those words too."""
    for word in diagnose._LONG_PLACEHOLDER_WORDS:
        assert values.holds_any(word, values._PLACEHOLDER_WORDS, values._placeholder_words), word
        assert word == word.lower() and not set(word) & set(" \"'")  # found the same after strip() and squashing


def test_lower_casing_makes_and_breaks_no_placeholder_run():
    """The runs (****, ...., •••, and [xX]{6,} as xxxxxx) are looked for in the lower-cased value."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lowered = char.lower()
        if any(mark in lowered for mark in "*.•x") or char in "*.•":
            assert lowered == char or char == "X", hex(code)


def _grouped_bits_plainly(value: str) -> float:
    """The bits of an ASCII value's 16 groups, a term per group (what _grouped_bits sums in C)."""
    n = len(value)
    groups = value.encode("ascii").translate(values._group_table())
    return -sum(count * math.log2(count / n) for count in map(groups.count, range(16)) if count)


@settings(max_examples=1000, deadline=None)
@given(
    value=_GROUPED
    | st.text(alphabet="aA0-_.zZ9 ~", min_size=1, max_size=600)
    | st.builds(
        lambda char, size: char * size,
        st.sampled_from("aZ5-"),
        st.sampled_from([1, values._TABLED_LENGTH, values._TABLED_LENGTH + 1, 4000]),
    )
)
def test_grouped_bits_are_the_sum_of_a_term_per_group(value):
    """Summed by the entropy's table of terms up to _TABLED_LENGTH and as n*log2(n) - sum(c*log2(c)) past it: the
    plain sum to within float rounding, a million times inside the margin every comparison leaves."""
    assert math.isclose(values._grouped_bits(value), _grouped_bits_plainly(value), rel_tol=1e-12, abs_tol=1e-9)


def test_grouped_bits_around_the_tabled_length():
    rng = random.Random(17)
    for alphabet in (*_KEY_ALPHABETS, "ab", "abcdefgh-_"):
        value = "".join(rng.choices(alphabet, k=values._TABLED_LENGTH + 40))
        for size in range(values._TABLED_LENGTH - 40, len(value) + 1):
            bits = values._grouped_bits(value[:size])
            assert math.isclose(bits, _grouped_bits_plainly(value[:size]), rel_tol=1e-12, abs_tol=1e-9), size


_REFERENCE_SAMPLES = [
    "${DB_PASSWORD}", "$API_KEY", "${{ secrets.KEY }}", "{{ .Values.key }}", "{% raw %}", "%(key)s", "#{key}",
    "<%= ENV['KEY'] %>", "@Microsoft.KeyVault(SecretUri=https://v/s)", "!Ref Secret", "((cred))", "vault://kv/app",
    "op://vault/item/field", "VAULT:secret/app", "arn:aws:secretsmanager:us-east-1:1:secret:x",
    "projects/p/secrets/s", "ENC[AES256_GCM,data:x]", "enc[x]", "Sops://x", "ref+awsssm://x",
]


@settings(max_examples=500, deadline=None)
@given(st.one_of(
    st.sampled_from(_REFERENCE_SAMPLES),
    st.builds(lambda s, pad: pad + s + pad, st.sampled_from(_REFERENCE_SAMPLES), st.sampled_from(["", " ", "\t\n"])),
    st.text(alphabet="${}%#<>@!()[]:/=_-. aA0zZ9\tEeNnCcVv", max_size=30),
    st.text(max_size=20),
))
def test_is_reference_is_the_plain_match(value):
    """The pre-check on the first character and on ':', '/' and '[' turns away only what the regex turns away."""
    v = value.strip()
    assert values.is_reference(value) == (bool(v) and bool(values._REFERENCE.match(v)))


def test_is_reference_on_keys_and_damaged_values():
    for key in _generated_keys():
        v = key.strip()
        assert values.is_reference(key) == (bool(v) and bool(values._REFERENCE.match(v)))
