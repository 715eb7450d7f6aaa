"""keylint.fastpath.toml: the block reader gives parsers/toml's entries, and refuses what tomllib refuses.

Documents are generated from the shapes the reader reads (including invalid numbers and every way a key or table
can be defined twice), so that the reader must read exactly the documents tomllib accepts; each is read with
blocks of several sizes, so that tables' statements go on across block boundaries.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint import fastpath, limits
from keylint.config import Settings
from keylint.engine import detector_for
from keylint.fastpath import toml
from keylint.parsers import parse
from keylint.prefilter import prefilter_for

PREFILTER = prefilter_for(detector_for(Settings()))
_BLOCK_SIZES = (1 << 20, 1, 9, 40)

_KEYS = ["a", "b", "c", "api_key", "token", "0", "x-y", "github_token", "true", "port_2"]
# Values in the shapes the reader reads, valid or not (tomllib refuses 1__0, 01, 1., .5, True, [,]).
_VALUES = [
    '"x"', "'x'", '""', "''", '"a # b"', "'it\"s'", '"é"', "1", "0", "-0", "+1", "1_000", "1__0", "01", "1.5",
    "-1.5e3", "1e5", "1E-05", "1.", ".5", "true", "false", "True", "[]", "[ ]", "[1, 2]", "[1,]", "[,]",
    "['a', \"b\", 1, true, 2.5]", '"changeme"', '"ghp_' + "a1B2" * 9 + '"', "['sk_live_" + "x9Y8" * 6 + "', 2]",
    '"https://user:pass@example.com/x"', '"' + "q" * 40 + '"', "",
]  # fmt: skip


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 16))):
        kind = draw(st.sampled_from(["value", "value", "value", "table", "table", "comment", "blank"]))
        pad = draw(st.sampled_from(["", " "]))
        if kind == "value":
            key, value = draw(st.sampled_from(_KEYS)), draw(st.sampled_from(_VALUES))
            equals = draw(st.sampled_from(["=", " = "]))
            comment = draw(st.sampled_from(["", " # note", "#"]))
            lines.append(f"{pad}{key}{equals}{value}{comment}")
        elif kind == "table":
            path = draw(st.lists(st.sampled_from(_KEYS[:4]), min_size=1, max_size=3))
            dot = draw(st.sampled_from([".", " . "]))
            lines.append(f"{pad}[{dot.join(path)}]{draw(st.sampled_from(['', ' # t']))}")
        elif kind == "comment":
            lines.append(f"{pad}# {draw(st.sampled_from(_VALUES))}")
        else:
            lines.append(pad)
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def _read(text: str, block: int, monkeypatch: pytest.MonkeyPatch) -> fastpath.Reading | None:
    monkeypatch.setattr(toml, "_BLOCK", block)
    return fastpath.read("toml", text, PREFILTER)


def _expected(text: str) -> fastpath.Reading | None:
    """What the reader must give: None where the full parser reports a problem, else the entries that matter."""
    full = parse("toml", text)
    if full.failed or full.problems:
        return None
    return fastpath.Reading([e for e in full.entries if PREFILTER.matters(e.key, e.value)])


@settings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(_documents(), st.sampled_from(_BLOCK_SIZES))
def test_reads_what_tomllib_accepts_and_refuses_the_rest(monkeypatch, text, block):
    assert _read(text, block, monkeypatch) == _expected(text)


@pytest.mark.parametrize("block", _BLOCK_SIZES)
@pytest.mark.parametrize(
    "text",
    [
        "a = 1\nb = 2\na = 3\n",  # a key defined twice
        "[t]\na = 1\n\n# x\na = 2\n",  # ... in one table, lines apart
        "[a]\n[b]\n[ a ]\n",  # a table declared twice
        "[a . b]\n[a.b]\n",  # ... written differently
        "a = 1\n[a]\n",  # a table where a value is
        "[a]\nb = 1\n[a.b.c]\n",  # ... on the way to a table
        "[a.b.c]\n[a]\nb = 1\n",  # a value where a table was made on the way
        "[a.b]\nc = 1\n[a]\nb = [1]\n",  # an array where a table is
        "[t]\nx = 1\n[u]\n[t]\n",  # a table declared again after another
        'a = "\x01"\n',  # control characters, in a string and a comment
        "a = 1 # \x7f\n",
        "a = 01\n",  # invalid numbers and booleans
        "a = 1__0\n",
        "a = True\n",
        "a = [,]\n",
        "a = \nb = 1\n",  # a key without a value: in a block of simple rows, before a table, at the end
        "x = 1\na = \n[t]\nb = 2\n",
        "x = 1\na = ",
    ],
)
def test_refuses_what_tomllib_refuses(monkeypatch, text, block):
    assert _expected(text) is None
    assert _read(text, block, monkeypatch) is None


@pytest.mark.parametrize("block", _BLOCK_SIZES)
@pytest.mark.parametrize(
    "text",
    [
        "[a.b.c]\n[a]\nd = 1\n[a.b]\ntoken = 'x'\n",  # a super-table declared after its subtable
        "token = 'ghp_x'\n[t]\ntoken = 'ghp_x'\n[t.u]\ntoken = 'ghp_x'\n",  # the same key in different tables
        "[t]\n" + "".join(f"k{i} = {i}\n" for i in range(30)) + "api_key = 'x'\n",  # a table across many blocks
        '[ a . b ]  # t\n  password = "hunter2"  # p\nhosts = [\'x\', "ghp_' + "y" * 36 + '", 1]\n',
    ],
)
def test_reads_valid_documents_the_same_at_every_block_size(monkeypatch, text, block):
    expected = _expected(text)
    assert expected is not None and expected.entries
    assert _read(text, block, monkeypatch) == expected


def test_nesting_past_max_depth_is_left_to_the_full_parser(monkeypatch):
    with limits.depth_limit(3):
        assert _read("[a.b]\ntoken = 'x'\n", 9, monkeypatch) is not None
        assert _read("[a.b]\ntoken = ['x']\n", 9, monkeypatch) is None
        assert _read("[a.b.c]\n", 9, monkeypatch) is None
    with limits.depth_limit(2):
        assert _read("token = ['x']\n", 9, monkeypatch) is not None
        assert _read("[a]\ntoken = ['x']\n", 9, monkeypatch) is None


def test_forgetting_turned_away_values_changes_no_reading(monkeypatch):
    text = "".join(f"[t{i}]\nport = {i % 7}\nname = 'n{i}'\ntoken = 'x'\n" for i in range(60))
    expected = _expected(text)
    monkeypatch.setattr(toml._TurnedAway, "_MOST", 5)
    assert _read(text, 40, monkeypatch) == expected
    assert _read(text, 40, monkeypatch) == expected  # again, with what the first reading remembered


# The row and number patterns as they were written before their repeats were made possessive: a possessive repeat
# never gives back what it took, so these must match exactly the same lines, with the same groups.
_PLAIN_NUMBER = r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
_PLAIN_SCALAR = rf""""[^"\\\x00-\x1f\x7f]*"|'[^'\x00-\x1f\x7f]*'|true|false|{_PLAIN_NUMBER}"""
_PLAIN_ELEMENTS = rf"[ ]*(?:(?:{_PLAIN_SCALAR})[ ]*,[ ]*)*(?:(?:{_PLAIN_SCALAR})[ ]*)?"
_PLAIN_ROW = re.compile(
    rf"^(?:[ ]*({toml._BARE_KEY})[ ]*=[ ]*(?:({_PLAIN_SCALAR})|\[{_PLAIN_ELEMENTS}\])|[ ]*\[[ ]*({toml._TABLE})[ ]*\]|)"
    r"[ ]*(?:\#[^\x00-\x1f\x7f]*)?$",
    re.MULTILINE,
)
_NUMBER_PIECES = st.lists(st.sampled_from(list("0123456789_.eE+-")), max_size=9).map("".join)
_LINE_PIECES = st.lists(st.sampled_from([" ", "=", "[", "]", ",", ".", "#", '"', "'", "a", "1", "_", "\\", "e"]),
                        max_size=14).map("".join)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(_NUMBER_PIECES)
def test_possessive_numbers_match_what_the_plain_pattern_matches(text):
    plain, possessive = re.compile(_PLAIN_NUMBER), re.compile(toml._NUMBER)
    assert bool(possessive.fullmatch(text)) == bool(plain.fullmatch(text))
    assert getattr(possessive.match(text), "end", lambda: None)() == getattr(plain.match(text), "end", lambda: None)()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_documents(), st.lists(_LINE_PIECES, max_size=6).map("\n".join)))
def test_possessive_rows_match_what_the_plain_pattern_matches(text):
    assert toml._ROW.findall(text) == _PLAIN_ROW.findall(text)
    for line in text.split("\n"):
        assert bool(toml._ROW.fullmatch(line)) == bool(_PLAIN_ROW.fullmatch(line))


def _plain_subtables(tables: list[str]) -> dict[str, set[str]]:
    """Each table's subtables, every prefix of every table's path taken one at a time."""
    subtables: dict[str, set[str]] = {}
    for table in tables:
        parts = table.split(".")
        for depth in range(len(parts)):
            subtables.setdefault(".".join(parts[:depth]), set()).add(parts[depth])
    return subtables


@given(st.lists(st.lists(st.sampled_from(["a", "b", "a-b", "1", "_"]), min_size=1, max_size=3).map(".".join)))
def test_subtables_are_every_table_on_the_way(tables):
    assert toml._subtables(tables) == _plain_subtables(tables)


# Rows near the simple ones _simple_rows reads: `key = value` with one space either side of "=" (or not), values of
# every shape (valid or not, with trailing blanks), `[table]` headers (with spaces, or `[[array]]`), blank lines
# (or of blanks only), and now and then a comment or an indented row.
@st.composite
def _near_simple_documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["value"] * 6 + ["table", "table", "blank", "other"]))
        if kind == "value":
            key, value = draw(st.sampled_from(_KEYS)), draw(st.sampled_from(_VALUES))
            equals = draw(st.sampled_from([" = "] * 8 + ["=", " =", "= ", "  = ", " =  "]))
            after = draw(st.sampled_from([""] * 8 + [" ", "  ", "\x0b", " # c"]))
            lines.append(f"{key}{equals}{value}{after}")
        elif kind == "table":
            path = draw(st.lists(st.sampled_from(_KEYS[:4]), min_size=1, max_size=3))
            header = f"[{'.'.join(path)}]"
            odd = [f"[{header}]", f"[ {path[0]} ]", f"{header} ", "[a . b]"]
            lines.append(draw(st.sampled_from([header] * 6 + odd)))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "", "", " ", "  "])))
        else:
            other = ["# note", " a = 1", "a = [1]", "=", "[]", "a", "[a.]", "[.a]", "[a]1", '[a]"x"', "true", "'x'"]
            lines.append(draw(st.sampled_from(other)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_near_simple_documents())
def test_simple_rows_are_what_the_row_regex_reads(text):
    rows = text.count("\n") + 1
    columns = toml._simple_rows(text, rows)
    if columns is None:
        return
    keys, values, tables = columns
    if not all(toml._SCALAR_VALUE.fullmatch(value) for value in values if value):
        return  # run() leaves the block to _ROW
    parts = toml._ROW.split(text)
    assert len(parts) == 4 * rows + 1, "a block _ROW declines must not be read as simple rows"
    assert keys == parts[1::4]
    assert tables == parts[3::4]
    assert values == [value or "" for value in parts[2::4]]
    assert all(value for key, value in zip(keys, values, strict=True) if key is not None), "a key without a value"


def test_a_block_of_simple_rows_is_read_without_the_row_regex():
    text = '[a]\nb = "x = y"\n\n[c.d]\ne = 1_000\nf = true\n'
    assert toml._simple_rows(text, 7) == (
        [None, "b", None, None, "e", "f", None],
        ["", '"x = y"', "", "", "1_000", "true", ""],
        ["a", None, None, "c.d", None, None, None],
    )


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(_near_simple_documents(), st.sampled_from(_BLOCK_SIZES))
def test_reads_near_simple_documents_as_the_row_regex_and_tomllib(monkeypatch, text, block):
    reading = _read(text, block, monkeypatch)
    with mock.patch.object(toml, "_simple_rows", lambda block, rows: None):  # for this example only
        assert reading == _read(text, block, monkeypatch)
    if reading is not None:  # or the full parser reads it
        assert reading == _expected(text)


# Scalars only, as wanted() is given them (it remembers the values it turns away as scalars already checked).
_SCALARS = [value for value in _VALUES if toml._SCALAR_VALUE.fullmatch(value)]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([None, *_KEYS]), st.sampled_from(_SCALARS)), max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.sampled_from(_KEYS)), max_size=6),
)
def test_rows_kept_for_their_names_leave_their_values_unasked_and_the_rest_as_asked(rows, repeats):
    """wanted() asks about the values of the rows their names do not keep: the same rows as asking about every value,
    also where a value comes again under a name that does not matter (and the block's list of values is untouched)."""
    keys: list[str | None] = [key for key, _ in rows]
    values: list[str | None] = [value if key else "" for key, value in rows]  # a row without a key has no value
    for index, key in repeats:  # a value again under another key (one that matters, or not)
        if index < len(rows) and values[index]:
            keys.append(key)
            values.append(values[index])
    before = list(values)
    reader = toml._TomlReader("", PREFILTER, 1000)
    wanted = reader.wanted(keys, values, set(values) - PREFILTER.derived(toml._TurnedAway).values)
    expected = {
        index
        for index, (key, value) in enumerate(zip(keys, values, strict=True))
        if value
        and (PREFILTER.value_matters(value[1:-1] if value[0] in "\"'" else value) or PREFILTER.name_matters(key))
    }  # fmt: skip
    assert wanted == expected
    assert values == before


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["\n", "a", "b-1", "_", " = ", "=", " ", "[", "]", ".", "x.y", "1", '"', "#"]),
                max_size=20).map("".join))  # fmt: skip
def test_simple_rows_are_cut_as_with_greedy_repeats(text):
    """_SIMPLE_ROW's possessive key repeats cut a block as greedy ones do (what follows a key is none of its
    characters)."""
    greedy = re.compile(toml._SIMPLE_ROW.pattern.replace("++", "+"))
    assert greedy.pattern != toml._SIMPLE_ROW.pattern
    assert toml._SIMPLE_ROW.split("\n" + text) == greedy.split("\n" + text)
