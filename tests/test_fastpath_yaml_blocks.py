"""The YAML fast path's block-at-a-time shortcuts answer as the row-by-row checks and the full parser do.

keylint.fastpath.yaml decides which rows make entries for a whole block at once (the values through
``ValueCandidates.kept``, the keys once per distinct key), reads quoted values inline, and checks a file's
characters as bytes when it is ASCII. Each shortcut is compared here with what it replaces, on generated input;
whole files are compared with the full parser through test_fastpath's ``_check``.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint import fastpath
from keylint.fastpath import yaml as fast_yaml
from keylint.fastpath.candidates import ValueCandidates
from test_fastpath import _SCALARS, _VALUE_PIECES, PREFILTER, _check

_PREFIXES = sorted({p for prefixes in PREFILTER._prefixes.values() for p in prefixes})


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab #:\n\t\r\x00\x07\x0b\x0c\x1f\x7f\x85\xa0\ufeff\ud7ff\ue000\ufffe\U00010000", max_size=30))
def test_characters_yaml_refuses_are_found_as_the_regex_finds_them(text):
    expected = fast_yaml._NOT_PRINTABLE.search(text) is not None or "\ufeff" in text
    assert fast_yaml._not_printable(text) == expected
    assert fast_yaml._not_printable(text.encode("ascii", "ignore").decode()) == (
        fast_yaml._NOT_PRINTABLE.search(text.encode("ascii", "ignore").decode()) is not None
    )


def test_characters_are_checked_past_the_first_block(monkeypatch):
    monkeypatch.setattr(fast_yaml, "_BLOCK", 8)
    assert not fast_yaml._not_printable("a: b\n" * 10)
    assert fast_yaml._not_printable("a: b\n" * 10 + "c: \x7f\n")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.lists(_VALUE_PIECES, min_size=1, max_size=3).map("".join),
                          st.sampled_from(["", "'", '"'])), max_size=10))  # fmt: skip
def test_kept_values_are_the_values_that_matter(values_and_quotes):
    values = [(value.replace("\n", " "), quote) for value, quote in values_and_quotes]
    values = [(value, quote) for value, quote in values if quote not in value]  # quotes without escapes
    values += values[::2]  # a block's values repeat
    kept = ValueCandidates(PREFILTER).kept([f"{quote}{value}{quote}" for value, quote in values])
    assert kept == {index for index, (value, _) in enumerate(values) if PREFILTER.value_matters(value)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "x", "a.b", "(", "-", "_", "/", " ", "é"]),
                          st.sampled_from(_PREFIXES),
                          st.sampled_from(["", "A" * 40, "a b c", "x" * 8 + " y" * 3, "-0_9/"])),
                max_size=6))  # fmt: skip
def test_prefixes_after_any_character_are_candidates(pieces):
    values = ["".join(piece) for piece in pieces]
    possible = ValueCandidates(PREFILTER).possible(values)
    for index, value in enumerate(values):
        if PREFILTER._hits.search(value):
            assert index in possible, value


_KEYS = ["name", "token", "api_key", "description", "github_pat", "port", "x.y", "k_1"]


@st.composite
def _rows_yaml(draw: st.DrawFn) -> str:
    """Mappings of `key: value` rows, quoted values among them, with comments and sections."""
    lines: list[str] = []
    for section in range(draw(st.integers(1, 4))):
        lines.append(f"section{section}:" + draw(st.sampled_from(["", " # note"])))
        used: set[str] = set()
        for _ in range(draw(st.integers(1, 5))):
            key = draw(st.sampled_from(_KEYS))
            if key in used:
                continue
            used.add(key)
            value = draw(st.one_of(_SCALARS, _VALUE_PIECES)).replace("\n", " ")
            quote = draw(st.sampled_from(["", "'", '"', '"']))
            comment = draw(st.sampled_from(["", " # c", "  #x: y", " #"]))
            lines.append(f"  {key}: {quote}{value}{quote}{comment}".rstrip() if quote else f"  {key}: {value}{comment}")
    return "\n".join(lines) + "\n"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows_yaml())
def test_rows_read_inline_equal_the_full_parser(text):
    _check("yaml", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows_yaml())
def test_wanted_rows_are_the_rows_whose_value_or_key_matters(text):
    reader = fast_yaml._YamlReader(text, PREFILTER, 1000)
    rows = fast_yaml._ROW.findall(text)
    expected = set()
    for index, (_, key, value, _) in enumerate(rows):
        unquoted = value[1:-1] if value[:1] in ("'", '"') else value
        if key and value and (PREFILTER.value_matters(unquoted) or PREFILTER.name_matters(key)):
            expected.add(index)
    wanted = reader.wanted([row[1] for row in rows], [row[2] for row in rows])
    assert {index for index in wanted if rows[index][1] and rows[index][2]} == expected


def _candidates(accelerated: bool) -> ValueCandidates:
    candidates = ValueCandidates(PREFILTER)
    if accelerated:
        candidates.accelerate()  # without Hyperscan installed, kept_all() is kept(), tested as such
    else:
        candidates._until_accelerated = float("inf")
    return candidates


_PURE, _ACCELERATED = _candidates(False), _candidates(True)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, *_KEYS]),
                          st.one_of(st.none(), _VALUE_PIECES.map(lambda v: v.replace("\n", " "))),
                          st.sampled_from(["", "'", '"'])), max_size=12),
       st.lists(st.tuples(st.integers(0, 11), st.sampled_from(_KEYS)), max_size=6))  # fmt: skip
@pytest.mark.parametrize("accelerated", [False, True])
def test_rows_kept_for_their_keys_leave_their_values_unasked_and_the_rest_as_asked(accelerated, rows, repeats):
    """wanted() asks about the values of the rows its keys do not keep (each as it comes, once Hyperscan searches):
    the same rows as asking about every value, also where a value comes again under a key that does not matter and
    where rows without a value lie between (and the block's list of values is untouched)."""
    keys = [key for key, _, _ in rows]
    values = [None if value is None or quote in value else f"{quote}{value}{quote}" for _, value, quote in rows]
    for index, key in repeats:  # a value again under another key (one that matters, or not)
        if index < len(rows):
            keys.append(key)
            values.append(values[index])
    # a row with a value has a key
    keys = [key or "name" if value is not None else key for key, value in zip(keys, values, strict=True)]
    before = list(values)
    reader = fast_yaml._YamlReader("", PREFILTER, 1000)
    reader.candidates = _ACCELERATED if accelerated else _PURE
    wanted = reader.wanted(keys, values)
    expected = {
        index
        for index, (key, value) in enumerate(zip(keys, values, strict=True))
        if value is not None
        and (PREFILTER.value_matters(value[1:-1] if value[:1] in ("'", '"') else value) or PREFILTER.name_matters(key))
    }  # fmt: skip
    assert {index for index in wanted if values[index] is not None} == expected
    assert values == before


@pytest.mark.parametrize("block", [1, 64, 1 << 20])
def test_quoted_and_prose_rows_read_a_block_at_a_time_are_the_same(monkeypatch, block):
    monkeypatch.setattr(fast_yaml, "_BLOCK", block)
    rng = random.Random(block)
    lines = ["spec:", "  properties:"]
    for i in range(200):
        prefix = rng.choice(_PREFIXES)
        example = rng.choice(["", f"'{prefix}{'A' * 30}'", f'"{prefix}{"b" * 40}"', f"{prefix}{'c' * 40}"])
        lines += [
            f"    field{i}:",
            f"      description: The {prefix}path of the {rng.choice(['token', 'key', 'pat'])}; see {prefix}x docs.",
            f"      example: {example}".rstrip(),
            "      type: " + rng.choice(["string", "object", '"string"', "'it s'"]) + "  # t",
        ]
        if rng.random() < 0.1:
            lines.append(f"    token_{i}: 'x{i}'")
    reading = _check("yaml", "\n".join(lines) + "\n")
    assert reading is not None and len(reading.entries) > 20


@pytest.mark.parametrize(
    "text",
    [
        "a: 'it''s'\n",  # an escaped quote: read by line()
        'a: "x\\"y"\n',  # an escape: the full parser
        "a: 'x' 'y'\n",
        'a: "x"# c\n',
        "a: 'x\n  y'\n",  # a quoted scalar over two lines
        "a:\n  b: 'x'\n  b: 'y'\n",  # a duplicate
        'token: ""\n',
        "token: ''  # empty\n",
    ],
)
def test_quoted_corners_read_like_the_full_parser(text):
    reading = fastpath.read("yaml", text, PREFILTER)
    if reading is not None:
        assert _check("yaml", text) == reading


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PREFIXES), st.sampled_from(["", " ", "-", "_", "x", "A" * 20, "th"])),
                max_size=6).map("".join))  # fmt: skip
def test_prefixes_at_a_hit_are_every_prefix_the_value_holds_there(value):
    hit = PREFILTER._hits.search(value)
    while hit is not None:
        start = hit.start()
        expected = {p for p in _PREFIXES if value.startswith(p, start)}
        assert set(PREFILTER._prefixes_at(value, start, hit.group())) == expected
        hit = PREFILTER._hits.search(value, start + 1)


# fastpath/yaml's row regex as it was written with optional groups, `(?:...)?` (the reader's has empty alternatives),
# greedy repeats (the reader's are possessive where no other match could follow), a plain value's characters as all
# but ":", "#" and a line break (the reader's: the printable ones but ":" and "#") and the spaces before a comment
# apart from the trailing ones.
_ROW_WITH_OPTIONAL_GROUPS = re.compile(
    r"""^([ ]*)(?:([A-Za-z0-9_][A-Za-z0-9_.\-/]{0,999}):"""
    r"""(?:[ ]+([^ \n:#\-?,\[\]{}&*!|>'"%@`][^\n:#]*(?<![ ])|"[^"\\\n]*"|'[^'\n]*'))?"""
    r"""(?:[ ]+\#[^\n]*)?[ ]*"""
    r"""|([^\n]*))$""",
    re.MULTILINE,
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "k", "a.b", ":", ": ", "#", " #", "'", '"', "\\", "-", "x y", "\n", "é"]),
                max_size=20).map("".join))  # fmt: skip
def test_rows_are_cut_as_with_optional_groups(text):
    assert fast_yaml._ROW.findall(text) == _ROW_WITH_OPTIONAL_GROUPS.findall(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "k", "a.b", ":", ": ", "#", " #", "'", '"', "\\", "-", "x y", "\n", "é",
                                 "!", "$", "9", ";", "~", "\xa0", "\xff", "\u0100", "\ud7ff", "\ue000", "\ufffd", "€",
                                 "\U00010000", "\U0010ffff"]),
                max_size=20).map("".join))  # fmt: skip
def test_rows_are_cut_as_with_optional_groups_in_any_text_the_reader_reads(text):
    """Printable text (read() leaves the rest to the full parser), with any character next to those _ROW's sets
    leave out or take in."""
    assert not fast_yaml._not_printable(text)
    assert fast_yaml._ROW.split(text) == _ROW_WITH_OPTIONAL_GROUPS.split(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "k", "a.b", ":", ": ", "#", " #", "'", '"', "-", "x y", "\n", "é"]),
                max_size=20).map("".join))  # fmt: skip
def test_rows_split_into_columns_are_the_rows_found(text):
    """run() reads the rows as re.split's flat list of groups (None where a row lacks one), not findall's tuples."""
    parts = fast_yaml._ROW.split(text)
    rows = fast_yaml._ROW.findall(text)
    assert len(parts) == 5 * (text.count("\n") + 1) + 1 == 5 * len(rows) + 1
    # what run() checks instead of counting line breaks: nothing but one between two rows
    assert parts[0] == parts[-1] == "" and parts[5:-1:5] == ["\n"] * (len(rows) - 1)
    columns = zip(parts[1::5], parts[2::5], parts[3::5], parts[4::5], strict=True)
    assert [tuple(group or "" for group in row) for row in columns] == rows
    assert "" not in parts[3::5]  # a value is None or has characters, so a row with one is counted by `not None`
