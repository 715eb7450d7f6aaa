"""Detection's shortcuts (#8) find exactly what detection finds without them.

Each shortcut is switched off by patching its gate to the answer that makes detection do the
full work (diagnose every prefix typo, every near-miss), and the matches are compared on generated
entries: every registered format's keys in their own and in unrelated variables, inside longer
values, with prefix typos, damaged as the lint corpus damages them, and random text made of
prefixes and key characters. The gates' own claims (a lower bound of the edit distance, the
endings of a key path) are checked against the plain computations.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import detect, diagnose
from keylint.model import Entry
from keylint.parsers import format_for, parse
from keylint.records import fields
from keylint.values import normalized_name
from lintcorpus import DAMAGE, DETECTOR, FORMATS, _prefix_typos

PREFIXES = sorted({f.prefix for _, f in FORMATS if f.prefix})
KEY_CHARACTERS = "abcXYZ0189_-+/="


def _found(entry: Entry) -> list[tuple]:
    return [(m.provider, m.kind, m.start, m.end, m.token, m.valid, m.format.template) for m in DETECTOR.find(entry)]


def _forget() -> None:
    """Drop remembered answers, so that the plain run computes everything again."""
    diagnose.diagnose.cache_clear()
    diagnose.looks_like_placeholder.cache_clear()
    DETECTOR._found.clear()


@contextmanager
def _without_shortcuts() -> Iterator[None]:
    """Detection with every shortcut's gate open (and nothing remembered from before)."""
    with pytest.MonkeyPatch.context() as patch:
        for module in (detect, diagnose):
            patch.setattr(module, "prefix_typo_possible", lambda fmt, text: True)
        patch.setattr(detect, "_settled", lambda best: False)
        patch.setattr(detect, "_to_the_end", lambda end, value: False)
        patch.setattr(detect, "_whole_key", lambda value, start, prefixes, by_prefix: None)
        _forget()
        yield
    _forget()


def _plain(entries: list[Entry]) -> list[list[tuple]]:
    with _without_shortcuts():
        return [_found(e) for e in entries]


def _entry(key: str, value: str) -> Entry:
    return Entry(key, value, value, 1, 1)


def _generated_entries() -> Iterator[Entry]:
    rng = random.Random(8)
    for provider, fmt in FORMATS:
        token = fmt.generate(rng)
        own = (fmt.env_vars or provider.env_vars or (f"{provider.id.upper()}_API_KEY",))[0]
        body = token[len(fmt.prefix) :]
        values = [token, f"Bearer {token}", f"https://u:{token}@example.com", token + token, token + body[:5]]
        values += [token[:-3], token + "\n" + token[-4:], token[:10] + "\u200b" + token[10:]]
        values += [typo + body for typo in _prefix_typos(fmt.prefix)[:6]] if fmt.prefix else []
        if token:
            # The same first letter and a random body of about its length: the values prefix typos are sought in.
            values.append(token[0] + "".join(rng.choice(sorted(fmt.charset)) for _ in body))
        for value in values:
            for key in (own, "SOME_SETTING", f"services.3.{own.lower()}", "app.api_token"):
                yield _entry(key, value)
    yield _entry("OPENAI_API_KEY", "your-api-key-here")


def _damaged_entries() -> Iterator[Entry]:
    for make in DAMAGE.values():
        for example in make():
            fmt = format_for(example.name) or "lines"
            yield from parse(fmt, example.text).entries


def test_generated_keys_are_found_as_without_the_shortcuts():
    entries = list(_generated_entries())
    assert [_found(e) for e in entries] == _plain(entries)


def test_damaged_keys_are_found_as_without_the_shortcuts():
    entries = list(_damaged_entries())
    assert entries
    assert [_found(e) for e in entries] == _plain(entries)


def test_remembered_matches_are_what_detection_finds_afresh(monkeypatch):
    """find remembers its matches by the value and the key's last component, all that detection reads of the key:
    the same names in other paths and in other cases, asked again, and after the memory is full and cleared."""
    monkeypatch.setattr(detect, "_REMEMBERED", 50)
    detector = detect.Detector(DETECTOR.providers)
    entries = [*_generated_entries(), *_damaged_entries()]
    entries += [_entry(f"x.{e.key}", e.value) for e in entries] + [_entry(e.key.lower(), e.value) for e in entries]
    for entry in entries + entries[::-1]:
        assert detector.find(entry) == DETECTOR._find_real(entry), entry
    assert 0 < len(detector._found) <= 50


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(PREFIXES), st.text(alphabet=KEY_CHARACTERS, min_size=1, max_size=40)), max_size=6
    ),
    key=st.sampled_from(["GITHUB_TOKEN", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "SOME_SETTING", "db.password"]),
)
def test_random_values_are_found_as_without_the_shortcuts(pieces, key):
    entry = _entry(key, "".join(pieces))
    assert _found(entry) == _plain([entry])[0]


@settings(max_examples=1000, deadline=None)
@given(
    data=st.data(),
    index=st.integers(min_value=0, max_value=len(FORMATS) - 1),
    before=st.sampled_from(["", "Bearer ", "x=", "\u200b"]),
)
def test_whole_keys_are_found_as_without_the_shortcuts(data, index, before):
    """_whole_key: a value that is (after its start) a key of one or more formats sharing a prefix, of the format's
    characters and of about its length, or of a valid key's shape with one character changed."""
    _, fmt = FORMATS[index]
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    size = data.draw(st.integers(max(fmt.min_length - 1, 1), fmt.max_length + 1))
    body = "".join(rng.choice(sorted(fmt.charset)) for _ in range(max(size - len(fmt.prefix), 0)))
    token = fmt.generate(rng)
    at = data.draw(st.integers(0, max(len(token) - 1, 0)))
    changed = token[:at] + data.draw(st.sampled_from(["", "A", "0", "-", "_"])) + token[at + 1 :]
    for value in (fmt.prefix + body, token, changed):
        for key in ("SOME_SETTING", "GITHUB_TOKEN"):
            entry = _entry(key, before + value)
            assert _found(entry) == _plain([entry])[0]


def test_whole_keys_take_the_shortcut():
    """Every generated key of a format found by its prefix is found by _whole_key when it is the whole value."""
    rng = random.Random(5)
    for _, fmt in FORMATS:
        if not fmt.prefix or fmt.needs_context:
            continue
        token = fmt.generate(rng)
        longest = DETECTOR._prefix_at_start.match(token).group()
        whole = detect._whole_key(token, 0, DETECTOR._prefixes_in(longest), DETECTOR._by_prefix)
        assert whole is not None and whole.token == token and whole.valid, fmt.template


def test_whole_keys_valid_for_several_formats_go_to_the_first_tried():
    """Where a value is a key of several formats (none in the registry: extra providers may do it), the ranks pick
    the longest prefix, then the first format listed, and so does _whole_key."""
    from keylint.providers.schema import KeyFormat, Provider

    formats = (
        KeyFormat("zz_{hex:8-40}", kind="broad"),
        KeyFormat("zz_{hex:20}", kind="narrow"),
        KeyFormat("zz_ab{hex:18}", kind="longer-prefix"),
        KeyFormat("zz_{base62:20}", kind="base62"),
    )
    for order in ((0, 1, 2, 3), (3, 1, 0, 2), (1, 3, 2, 0)):
        detector = detect.Detector((Provider("zz", "ZZ", tuple(formats[i] for i in order)),))
        for value in ("zz_" + "a1" * 10, "zz_ab" + "c" * 18, "zz_" + "0" * 12, "zz_" + "Ab" * 10, " zz_" + "a1" * 10):
            entry = _entry("SOME_SETTING", value)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(detect, "_whole_key", lambda value, start, prefixes, by_prefix: None)
                plain = detector.find(entry)
            assert detector.find(entry) == plain, (order, value)


@settings(max_examples=3000, deadline=None)
@given(a=st.text(alphabet="abc_-xy", max_size=9), b=st.text(alphabet="abc_-xy", max_size=9))
def test_edit_distance_is_at_least_the_characters_one_side_lacks(a, b):
    """prefix_typo_possible's bound: each character of the prefix missing from a head costs an edit."""
    assert diagnose.damerau(a, b) >= len(set(b) - set(a))


@settings(max_examples=500, deadline=None)
@given(
    path=st.lists(st.sampled_from(["services", "12", "app.db", "spec", ""]), max_size=3),
    last=st.text(alphabet="aZ0_-.: ", max_size=12),
)
def test_key_endings_are_the_endings_of_the_normalized_name(path, last):
    key = ".".join([*path, last])
    assert detect.key_endings(key) == detect.name_endings(normalized_name(key))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000\u200b\ufeff", max_size=20))
def test_splitting_on_whitespace_removes_what_the_regex_removes(value):
    """looks_like_placeholder removes whitespace with str.split (the regex \\s+ it replaced)."""
    assert "".join(value.split()) == re.sub(r"\s+", "", value)


def _prefix_re_hits(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in DETECTOR._prefix_re.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PREFIXES),
            st.sampled_from(PREFIXES).map(lambda p: p[: len(p) // 2 + 1]),
            st.text(alphabet="aZ09_-.:/ =\n\u0440\u200b\u00e9", max_size=4),
        ),
        max_size=10,
    )
)
def test_prefix_hits_are_what_the_prefix_regex_finds(pieces):
    """_prefix_hits searches for a separator and a prefix: the same hits as the lookbehind regex."""
    text = "".join(pieces)
    assert list(DETECTOR._prefix_hits(text)) == _prefix_re_hits(text)


def test_prefix_hits_on_generated_and_damaged_values():
    values = [e.value for e in _generated_entries()] + [e.value for e in _damaged_entries()]
    values += ["sk-ghp_" + "a" * 36, "ghp_sk-ghp_", "-sk-sk-sk-", "xghp_" + "a" * 36]
    for value in values:
        assert list(DETECTOR._prefix_hits(value)) == _prefix_re_hits(value), value


# Every ASCII character (the whitespace \s finds beyond " \t\n\r\f\v" among them), backslash escapes,
# lookalikes, invisible characters and Unicode spaces.
_CLEANING_ALPHABET = [*map(chr, range(128)), "\\n", "\\t", "\\r", "а", "О", "\u2013", "\uff21", "\u200b", "\ufeff"]
_CLEANING_ALPHABET += ["\xa0", "\u3000"]


def _cleaned_as_tuple(token: str) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    cleaned, damages, where = diagnose._cleaned(token)
    return cleaned, tuple(map(repr, damages)), tuple(where)


def _cleaned_plainly(token: str) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    cleaned, damages, where = diagnose._clean_by_character(token)
    return cleaned, tuple(map(repr, damages)), where


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from(_CLEANING_ALPHABET), max_size=40).map("".join)
    | st.text(alphabet="abcXYZ019+/=-_", min_size=500, max_size=6000)
    | st.text(max_size=30)
)
def test_cleaning_an_undamaged_token_is_cleaning_it_character_by_character(token):
    """The ASCII shortcut (offsets as a range) gives what the character loop gives, and clean() a tuple."""
    assert _cleaned_as_tuple(token) == _cleaned_plainly(token), repr(token)
    cleaned, damages, where = diagnose.clean(token)
    assert (cleaned, tuple(map(repr, damages)), where) == _cleaned_plainly(token), repr(token)
    assert type(where) is tuple
    assert diagnose.cleaned_text(token) == cleaned


def test_cleaning_generated_and_damaged_keys_is_cleaning_them_character_by_character():
    rng = random.Random(12)
    tokens = [example.text for make in DAMAGE.values() for example in make()]
    tokens += [fmt.generate(rng) for _, fmt in FORMATS]
    tokens += [token * 40 for token in tokens[-20:]]  # multi-kilobyte values in a provider's variable
    for token in tokens:
        assert _cleaned_as_tuple(token) == _cleaned_plainly(token), repr(token)


def _two_keys_entries() -> Iterator[Entry]:
    """Values holding several keys, a key and a damaged one, or a key with text after it: a match that reaches the
    value's end is its last, one that does not is followed by whatever comes after it."""
    rng = random.Random(21)
    tokens = [fmt.generate(rng) for _, fmt in FORMATS if fmt.prefix]
    for first, second in zip(tokens, tokens[7:] + tokens[:7], strict=True):
        for value in (
            f"{first} {second}",
            f"{first},{second}",
            f"{first}\n{second}",
            f"{first} {second[:-4]}",
            f"{first[:-3]} {second}",
            f"{first} ghp-{second[4:]}",
            f"{first}-x",
            f"{first}/{first}",
            f"{first} sk-",
        ):
            yield _entry("SOME_SETTING", value)
            yield _entry("app.api_token", value)


def test_values_with_several_keys_are_found_as_without_the_shortcuts():
    """The search for prefixes stops at a match that reaches the value's end (_to_the_end): not before."""
    entries = list(_two_keys_entries())
    found = [_found(e) for e in entries]
    assert sum(len(matches) > 1 for matches in found) > 100  # the second key is found where it is one
    assert found == _plain(entries)


def test_formats_tried_as_prefix_typos_are_those_within_three_characters_of_the_length():
    """_fuzzy_sized remembers, per first letter and length, the formats whose window the length is in."""
    letters = [*DETECTOR._fuzzy, "$", "Z", "\u0440", "1"]
    for letter in letters:
        for size in range(600):
            formats = DETECTOR._fuzzy.get(letter, [])
            expected = [c for c in formats if c.format.min_length - 3 <= size <= c.format.max_length + 3]
            for _ in range(2):  # computed, then remembered
                assert DETECTOR._fuzzy_sized(letter, size) == expected, (letter, size)
    assert all(letter in DETECTOR._fuzzy for letter, _ in DETECTOR._sized)


def test_matches_are_built_with_their_fields_by_name():
    """_match passes Match's fields by position: the same record as by name, for every registered format."""
    for prefix_or_name in (*DETECTOR._by_prefix.values(), *DETECTOR._by_name.values()):
        for candidate in prefix_or_name:
            fmt = candidate.format
            for valid in (True, False):
                expected = detect.Match(
                    provider=candidate.provider.id,
                    kind=fmt.kind,
                    start=3,
                    end=3 + len("token"),
                    token="token",
                    valid=valid,
                    environment=fmt.environment,
                    is_secret=fmt.secret,
                    format=fmt,
                )
                built = detect._match(candidate, 3, "token", valid=valid)
                assert built == expected
                assert [getattr(built, name) for name in fields(detect.Match)] == [
                    getattr(expected, name) for name in fields(detect.Match)
                ]


def _best_in_order(value: str, start: int, probe: str, longest: str) -> tuple | None:
    """Detector._best_at as it was before near-misses were put off until no valid key settles the place: each
    candidate diagnosed where it comes, in order (the reference for the shortcut, kept as it was)."""
    runs: dict = {}
    best = None
    for prefix in DETECTOR._prefixes_in(longest):
        for candidate in DETECTOR._by_prefix[prefix]:
            fmt = candidate.format
            end = detect._run_end(value, start + len(prefix), fmt.charset, runs)
            limit = start + len(prefix) + 2 * fmt.max_length + detect._RUN_SLACK
            token = value[start : min(end, limit)]
            valid = detect.format_valid(fmt, token)
            score = 0
            partial = valid and end < len(value) and (value[end].isalnum() or value[end] in "-_")
            if not valid:
                head = fmt.regex.match(value, start)
                if (
                    head
                    and fmt.min_length == fmt.max_length
                    and detect.format_valid(fmt, head.group())
                    and not detect._whole_value(value, start, end)
                ):
                    token, end, valid, partial = head.group(), head.end(), True, True
                else:
                    again = value.find(prefix, start + len(prefix), min(end, limit))
                    if again > 0 and detect.format_valid(fmt, value[start:again]):
                        token, end, valid = value[start:again], again, True
            if not valid:
                if end > limit or (best is not None and best[0][0] == 0):
                    continue
                near = detect._near_miss(value, probe, start, end, fmt)
                if near is None or diagnose.looks_like_placeholder(near[0]):
                    continue
                token, score = near
            elif (
                fmt.min_length != fmt.max_length
                and end < len(value)
                and detect._continues(value, probe, end, fmt.charset)
            ):
                near = detect._near_miss(value, probe, start, end, fmt, beyond=True)
                if (
                    near is not None
                    and not value[start + len(near[0]) :].strip()
                    and diagnose.diagnose(fmt, near[0]).valid
                ):
                    token, score, valid = near[0], near[1], False
            if partial:
                rank = (1, detect._key_run_end(value, end, fmt.charset, limit) - end, -len(prefix))
            else:
                rank = (0, -len(token), -len(prefix)) if valid else (1, score, -len(prefix))
            if best is None or rank < best[0]:
                best = (rank, candidate.provider.id, fmt.template, token, valid)
    return best[1:] if best else None


def _best_at_each_hit(value: str) -> list[tuple[tuple | None, tuple | None]]:
    probe = value if value.isascii() else "".join(diagnose.CONFUSABLES.get(c, c) for c in value)
    pairs = []
    for start, longest in DETECTOR._prefix_hits(probe):
        found = DETECTOR._best_at(value, start, probe, {}, longest)
        shortcut = (found.provider, found.format.template, found.token, found.valid) if found else None
        pairs.append((shortcut, _best_in_order(value, start, probe, longest)))
    return pairs


def test_near_misses_put_off_rank_as_diagnosed_in_order():
    """_best_at diagnoses a prefix's near-misses only when no valid key settles the place, after the valid ones:
    the same winner as diagnosing each where it comes (the first of equal ranks), on generated, damaged and
    several-key values."""
    entries = [*_generated_entries(), *_damaged_entries(), *_two_keys_entries()]
    pairs = [pair for entry in entries for pair in _best_at_each_hit(entry.value)]
    assert sum(shortcut is not None and not shortcut[3] for shortcut, _ in pairs) > 100  # near-misses won
    for shortcut, in_order in pairs:
        assert shortcut == in_order


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(PREFIXES), st.text(alphabet=KEY_CHARACTERS + "\u200b\n ", min_size=1, max_size=40)),
        max_size=6,
    )
)
def test_near_misses_put_off_rank_as_diagnosed_in_order_on_random_values(pieces):
    for shortcut, in_order in _best_at_each_hit("".join(pieces)):
        assert shortcut == in_order


def _first_named_plainly(detector: detect.Detector, key: str) -> str | None:
    return next((p.id for p in detector.providers if detector.named_for(p.id, key)), None)


@settings(max_examples=1000, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(sorted({w for _, f in FORMATS for name in f.env_vars for w in name.split("_")} | {"APP", "X"}))
        | st.sampled_from(sorted({name for p in DETECTOR.providers for name in p.env_vars})),
        min_size=1,
        max_size=4,
    ),
    separator=st.sampled_from(["_", "-", ".", "__"]),
    lower=st.booleans(),
)
def test_first_provider_named_is_the_first_asked_in_turn(words, separator, lower):
    """first_named_for looks names up by their endings: the first provider named_for answers for, in order."""
    key = separator.join(words)
    key = key.lower() if lower else key
    assert DETECTOR.first_named_for(key) == _first_named_plainly(DETECTOR, key)


def test_first_provider_named_with_shared_names_and_ids():
    """Providers sharing a variable name, or an id (named_for then reads the last one's names): the same answer."""
    from keylint.providers.schema import KeyFormat, Provider

    fmt = KeyFormat("qq_{hex:20}")
    providers = (
        Provider("one", "One", (fmt,), env_vars=("SHARED_KEY", "ONE_KEY")),
        Provider("two", "Two", (fmt,), env_vars=("SHARED_KEY", "KEY", "TWO_TOKEN")),
        Provider("one", "One again", (fmt,), env_vars=("LATER_KEY",)),
        Provider("three", "Three", (fmt,), env_vars=("ONE_KEY", "TOKEN")),
    )
    detector = detect.Detector(providers)
    for key in ("SHARED_KEY", "ONE_KEY", "app.one_key", "LATER_KEY", "X_TOKEN", "TWO_TOKEN", "KEY", "OTHER", ""):
        assert detector.first_named_for(key) == _first_named_plainly(detector, key), key
