"""The .env fast path's shortcuts give what the plain path gives: read a few lines at a time (so that a file spans
many blocks), names asked about by digit shape and remembered from block to block, duplicates found from sorted
runs of hashes."""

from __future__ import annotations

import random
import re
from itertools import chain
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from keylint import fastpath
from keylint.config import Settings
from keylint.engine import detector_for
from keylint.fastpath import dotenv
from keylint.parsers import parse
from keylint.prefilter import prefilter_for

PREFILTER = prefilter_for(detector_for(Settings()))

# Few names, numbered or not, so that they sometimes repeat within a block and across blocks; numbered ones share
# digit shapes.
_NAMES = ["A", "PORT", "HOST_1", "OPENAI_API_KEY", "DB_PASSWORD_3", "OAUTH2_TOKEN", "X.Y", "export"]
_VALUES = ["", "1", "true", "a b", "host.internal:8080", "changeme", "sk-" + "a1B2" * 12, "https://u:p@h/x", "é"]
_STATEMENTS = st.builds(
    "{}{}{}={}{}".format,
    st.sampled_from(["", "export ", "  "]),
    st.sampled_from(_NAMES),
    st.one_of(st.just(""), st.integers(0, 10**4).map("_{}".format)),
    st.sampled_from(_VALUES).flatmap(lambda v: st.sampled_from([v, f'"{v}"', f"'{v}'", f"{v} # note"])),
    st.sampled_from(["", "  "]),
)
_LINES = st.one_of(_STATEMENTS, _STATEMENTS, _STATEMENTS, st.sampled_from(["", "# a comment", "# keylint: ignore"]))


def _reading(text: str, block: int) -> fastpath.Reading | None:
    with mock.patch.object(dotenv, "_BLOCK", block):
        return fastpath.read("dotenv", text, PREFILTER)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_LINES, max_size=30),
    st.integers(1, 120),
    st.sampled_from(["\n", ""]),
    st.sampled_from([None, "NOT A STATEMENT", "A='open"]),  # a line of another shape, seldom
    st.integers(0, 30),
)
def test_read_across_blocks_equals_the_full_parser(lines, block, end, other, at):
    if other is not None and at % 4 == 0:
        lines.insert(at, other)
    text = "\n".join(lines) + end
    reading = _reading(text, block)
    full = parse("dotenv", text)
    names = [e.key for e in full.entries]
    if len(set(names)) < len(names):
        assert reading is None, "a repeated name must leave the file to the full parser"
    if reading is None:
        return
    assert not full.failed and not full.problems, full.problems
    assert reading.entries == [e for e in full.entries if PREFILTER.matters(e.key, e.value)]
    assert reading.keys == [(e.key, e.key_line or e.line) for e in full.entries]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_NAMES, "", "SERVICE_17", "SERVICE_3", "S3_KEY_9"]), max_size=8)))
def test_named_shapes_remembered_from_block_to_block_answer_like_name_matters(blocks):
    remembered = dotenv._NamedShapes(PREFILTER)
    for names in blocks:
        expected = {i for i, name in enumerate(names) if name and PREFILTER.name_matters(name)}
        assert remembered.lines(names) == expected


# Names whose digit shape is shared by names that answer differently: AUTH0 is a provider word, AUTH1 is not.
_MIXED = ["AUTH{}_DOMAIN", "ZONE_AUTH{}", "{}PASSWORD_HOST", "OAUTH{}_TOKEN", "API_KEY{}", "S{}_BUCKET", "HOST_{}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(_MIXED), st.sampled_from([0, 1, 7, 10, 42])), max_size=10)))
@example([[("AUTH{}_DOMAIN", 1), ("AUTH{}_DOMAIN", 0)], [("ZONE_AUTH{}", 0), ("ZONE_AUTH{}", 7)]])
def test_named_shapes_whose_names_answer_differently_answer_like_name_matters(blocks):
    remembered = dotenv._NamedShapes(PREFILTER)
    for block in blocks:
        names = [pattern.format(number) for pattern, number in block]
        expected = {i for i, name in enumerate(names) if PREFILTER.name_matters(name)}
        assert remembered.lines(names) == expected


def test_named_shapes_past_what_is_remembered_are_asked_again():
    rng = random.Random(8)
    words = ["API", "KEY", "HOST", "PORT", "TOKEN", "NAME", "OPENAI", "2FA"]
    remembered = dotenv._NamedShapes(PREFILTER)
    with mock.patch.object(dotenv._NamedShapes, "_REMEMBERED", 5):
        for _ in range(20):
            names = ["_".join(rng.sample(words, 2)) + f"_{rng.randrange(100)}" for _ in range(rng.randrange(1, 9))]
            expected = {i for i, name in enumerate(names) if PREFILTER.name_matters(name)}
            assert remembered.lines(names) == expected
            assert len(remembered._known) <= max(5, len(names))


@given(st.lists(st.lists(st.integers(-(1 << 63), (1 << 63) - 1) | st.sampled_from([-(1 << 63), 0, 7]), max_size=6)))
def test_any_equal_is_whether_a_hash_repeats(runs):
    from array import array

    hashes = list(chain.from_iterable(runs))
    assert dotenv._any_equal([array("q", sorted(run)) for run in runs]) == (len(set(hashes)) < len(hashes))


def test_a_name_repeated_blocks_apart_or_in_one_block_is_left_to_the_full_parser():
    text = "".join(f"NAME_{i}=value {i}\n" for i in range(300))
    for block in (64, 1 << 20):
        assert _reading(text, block) is not None
        assert _reading(text + "NAME_1=other\n", block) is None


# The line regex as first written, with optional groups (`(?:x)?`) where _LINE has alternatives ending in an empty one.
_LINE_WITH_OPTIONAL_GROUPS = re.compile(
    r"""^[ ]*(?:(?:export[ ]+)?([A-Za-z_][A-Za-z0-9_.]*)="""
    r"""((?:[^\s'"`\\#](?:[^'"`\\#\n]*[^\s'"`\\#])?)?|"[^"\\\n]*"|'[^'\\\n]*')"""
    r"""(?:[ ]+\#[^\n]*)?[ ]*|\#[^\n]*)?$""",
    re.MULTILINE,
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet=" =#'\"`\\xAb_.9\x0b\u00a0é", max_size=12) | _STATEMENTS, max_size=8))
def test_the_line_regex_reads_lines_as_with_optional_groups(lines):
    text = "\n".join(lines)
    assert dotenv._LINE.split(text) == _LINE_WITH_OPTIONAL_GROUPS.split(text)


# Statements of every shape _LINE reads, and some near them: blanks of all kinds, quotes of the other kind inside
# quotes, "#" inside quotes and comments, "=" in values, empty values before blanks and comments.
_CHARACTERS = " \x0b\xa0#'\"`\\=:/.xA9é"
_STATEMENT_LINES = st.builds(
    "{}{}={}{}".format,
    st.sampled_from(["", " ", "  ", "export ", " export  "]),
    st.sampled_from(_NAMES[:-1]) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,4}", fullmatch=True),
    st.one_of(
        st.just(""),
        st.text(alphabet=_CHARACTERS, max_size=10),
        st.text(alphabet="xA9é.:/= \x0b\xa0", max_size=10),  # plain values (without "#" and quotes)
        st.text(alphabet=_CHARACTERS.replace('"', ""), max_size=10).map('"{}"'.format),
        st.text(alphabet=_CHARACTERS.replace("'", ""), max_size=10).map("'{}'".format),
    ),
    st.sampled_from(["", " ", "  ", " #", "#", " # note ", "  #a#b", " #'\"", "\x0b# c", " \xa0# c"]),
)


@settings(max_examples=3000, deadline=None)
@given(_STATEMENT_LINES, st.integers(1, 3))
def test_an_entry_made_from_the_line_regex_is_the_parsers(line, number):
    parts = dotenv._LINE.split(line)
    if len(parts) != 4 or parts[1] is None:
        return  # not a statement the fast path reads
    parsed = parse("dotenv", "\n" * (number - 1) + line + "\n")
    assert not parsed.problems and len(parsed.entries) == 1
    assert dotenv._entry(line, parts[1], parts[2], number) == parsed.entries[0]


def test_the_lines_without_a_statement_never_matter():
    # read() makes entries of the indices kept by name and by value: a comment or blank line has "" for both.
    assert not PREFILTER.name_matters("") and not PREFILTER.value_matters("")


# Lines near the plain statements that _plain_statements reads: names valid or not, values with a space, "=", a
# quote, "#", a backslash, whitespace that is not a space (ASCII or not), characters outside ASCII, controls; a
# space at either end of a value, `export`, indented lines, comments and blank lines.
_PLAIN_CHARACTERS = " =:/.-xA9_{}"
_NOT_PLAIN = "'\"`\\#\x0b\x0c\x1c\x1d\x1e\x1f\x00\x7f\x85\xa0é\u2003"
_NEAR_PLAIN_LINES = st.one_of(
    *[
        st.builds(
            "{}{}={}".format,
            st.sampled_from(["", "", "", " ", "export "]),
            st.sampled_from(_NAMES[:-1]) | st.from_regex(r"[A-Za-z_.0-9][A-Za-z0-9_.]{0,4}", fullmatch=True),
            st.text(alphabet=_PLAIN_CHARACTERS, max_size=10),
        )
    ]
    * 6,
    st.builds(  # one character of another kind, at the value's start, end or inside
        "{}={}{}{}".format,
        st.sampled_from(_NAMES[:-1]),
        st.text(alphabet=_PLAIN_CHARACTERS, max_size=3),
        st.sampled_from(_NOT_PLAIN),
        st.text(alphabet=_PLAIN_CHARACTERS, max_size=3),
    ),
    st.sampled_from(["", " ", "# a comment", "NOT A STATEMENT", "A = 1"]),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_NEAR_PLAIN_LINES, max_size=8), st.sampled_from(["", "", "\n", "\n\n", " "]))
def test_plain_statements_are_what_the_line_regex_reads(lines, end):
    block = "\n".join(lines) + end
    lines_in_block = block.count("\n") + 1
    plain = dotenv._plain_statements(block, lines_in_block)
    if plain is None:
        return
    parts = dotenv._LINE.split(block)
    assert len(parts) == 3 * lines_in_block + 1, "a block _LINE declines must not be read as plain"
    assert plain == dotenv._statements(parts[1::3], parts[2::3], lines_in_block)


def test_a_block_of_plain_statements_is_read_without_the_line_regex():
    assert dotenv._plain_statements("A=1\nB_2=x y\nC.D=\nE=a=b==\n", 5) == (
        ["A", "B_2", "C.D", "E"],
        ["1", "x y", "", "a=b=="],
        None,
    )
    assert dotenv._plain_statements("\nA=1\n\nB=2", 4) == (["A", "B"], ["1", "2"], [1, 3])


@given(st.lists(st.sampled_from(["A", "B", None]).flatmap(lambda n: st.tuples(st.just(n), st.sampled_from(["", "v"])))))
def test_statements_are_the_lines_with_a_name(lines):
    names = [name for name, _ in lines]
    values = [value if name else None for name, value in lines]
    statements, kept, at = dotenv._statements(names, values, len(lines))
    numbered = [(i, name, value) for i, (name, value) in enumerate(zip(names, values, strict=True)) if name]
    assert list(zip(range(len(statements)) if at is None else at, statements, kept, strict=True)) == numbered


_NEAR_PLAIN_STATEMENTS = st.builds(
    "{}{}={}".format,
    st.sampled_from(_NAMES[:-1]),
    st.one_of(st.just(""), st.integers(0, 10**4).map("_{}".format)),
    st.sampled_from(_VALUES) | st.text(alphabet=_PLAIN_CHARACTERS, max_size=10),
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_NEAR_PLAIN_STATEMENTS, max_size=30),
    st.integers(1, 120),
    st.sampled_from(["\n", ""]),
    st.sampled_from([None, "", "# note", "A='open", " B=1"]),  # a line that makes the block another shape
    st.integers(0, 30),
)
def test_read_of_plain_blocks_equals_the_line_regexs(lines, block, end, other, at):
    if other is not None and at % 3 == 0:
        lines.insert(at, other)
    text = "\n".join(lines) + end
    with mock.patch.object(dotenv, "_BLOCK", block):
        plain = dotenv.read(text, PREFILTER, True)
        with mock.patch.object(dotenv, "_plain_statements", lambda block, lines: None):
            regex = dotenv.read(text, PREFILTER, True)
    assert (plain is None) == (regex is None)
    if plain is not None and regex is not None:
        assert plain.entries == regex.entries
        assert plain.keys == regex.keys


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["\n", "A", "b_1", ".", "=", "==", " ", "9", "x y", "#"]), max_size=20).map("".join))
def test_named_lines_are_cut_as_with_greedy_repeats(text):
    """The named-line regexes' possessive name repeat cuts a block as a greedy one does ("=" ends a name)."""
    for possessive in (dotenv._NAMED_LINE, dotenv._NAMED_OR_BLANK_LINE):
        greedy = re.compile(possessive.pattern.replace("*+", "*"))
        assert greedy.pattern != possessive.pattern
        assert possessive.split("\n" + text) == greedy.split("\n" + text)
