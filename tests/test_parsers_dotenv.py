"""The .env parser: python-dotenv's values, exact positions, and the pitfalls it hides."""

from __future__ import annotations

import io
import logging

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint.parsers.dotenv import parse
from parsertools import assert_inside, offset_of, only

# text, key, value, line, column, quote, comment
CASES = [
    ("KEY=value\n", "KEY", "value", 1, 5, "", None),
    ("export KEY=value\n", "KEY", "value", 1, 12, "", None),
    ("KEY = value   # note\n", "KEY", "value", 1, 7, "", "note"),
    ("KEY=val#ue\n", "KEY", "val#ue", 1, 5, "", None),
    ("KEY=a b\tc  \n", "KEY", "a b\tc", 1, 5, "", None),
    ("KEY='single $HOME \\n'\n", "KEY", "single $HOME \\n", 1, 6, "'", None),
    ("KEY='it\\'s'\n", "KEY", "it's", 1, 6, "'", None),
    ('KEY="a\\nb \\"q\\" \\$x"\n', "KEY", 'a\nb "q" \\$x', 1, 6, '"', None),
    ('KEY="${OTHER}-x" # ref\n', "KEY", "${OTHER}-x", 1, 6, '"', "ref"),
    ("KEY=${OTHER}\n", "KEY", "${OTHER}", 1, 5, "", None),
    ("KEY=`tick`\n", "KEY", "`tick`", 1, 6, "`", None),
    ('\n\n# c\n  KEY="multi\nline"  # after\n', "KEY", "multi\nline", 4, 8, '"', "after"),
    ("KEY='one\n  two'\n", "KEY", "one\n  two", 1, 6, "'", None),
    ("KEY=\n", "KEY", "", 1, 5, "", None),
    ("KEY=", "KEY", "", 1, 5, "", None),
    ("KEY= # only a comment\n", "KEY", "", 1, 6, "", "only a comment"),
    ("KEY=#not-a-comment\n", "KEY", "#not-a-comment", 1, 5, "", None),
    ("'quoted key'=v\n", "quoted key", "v", 1, 14, "", None),
    ("A=1\r\nKEY=w\r\n", "KEY", "w", 2, 5, "", None),
    ("A=1\rKEY=w\r", "KEY", "w", 2, 5, "", None),
    ('KEY=""\n', "KEY", "", 1, 6, '"', None),
    ("KEY=é€😀x\nB=1", "KEY", "é€😀x", 1, 5, "", None),
]


@pytest.mark.parametrize(("text", "key", "value", "line", "column", "quote", "comment"), CASES)
def test_value_and_position(text, key, value, line, column, quote, comment):
    result = parse(text)
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, quote, comment)
    assert not result.problems and not result.failed
    assert_inside(text, result)
    assert text[offset_of(text, line, column) - len(quote) :].startswith(entry.raw)
    expected = dotenv_values(stream=io.StringIO(text), interpolate=False)
    assert expected[key] == value


def test_key_line_is_the_keys_own_line():
    # python-dotenv's Binding.original.line points at the blank line before the key
    text = "A=1\n\n\n# comment\nB=2\n"
    assert only(parse(text), "B").key_line == 5


def test_multiline_value_key_line_and_raw():
    text = 'PEM="-----BEGIN KEY-----\nMIIBAbcd==\nxyz=\n-----END KEY-----"\nNEXT=1\n'
    result = parse(text)
    pem = only(result, "PEM")
    assert (pem.line, pem.column, pem.key_line) == (1, 6, 1)
    assert pem.value == "-----BEGIN KEY-----\nMIIBAbcd==\nxyz=\n-----END KEY-----"
    assert pem.raw == '"' + pem.value + '"'
    assert only(result, "NEXT").line == 5
    assert not result.problems  # base64 padding lines are not mistaken for assignments


def test_unbalanced_quote_never_closed():
    text = 'A="never closed\nB=2\n'
    result = parse(text)
    assert [(p.kind, p.line, p.column, p.key) for p in result.problems] == [("unbalanced-quote", 1, 3, "A")]
    assert "skips this line" in result.problems[0].message
    assert (only(result, "A").value, only(result, "A").column) == ("never closed", 4)
    assert (only(result, "B").value, only(result, "B").line) == ("2", 2)
    assert not result.failed


def test_unbalanced_quote_does_not_swallow_later_keys():
    text = "A='abc\nB=def\nexport C='ghi'\nD=4\n"
    result = parse(text)
    assert {e.key: e.value for e in result.entries} == {"A": "abc", "B": "def", "C": "ghi", "D": "4"}
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.column) == ("unbalanced-quote", 1, 3)
    assert "line 3" in problem.message and "swallowing B, C" in problem.message
    assert only(result, "C").line == 3
    # python-dotenv itself loses A, B and C here
    assert dotenv_values(stream=io.StringIO(text), interpolate=False) == {"D": "4"}


def test_deliberate_multiline_value_may_hold_assignments():
    text = 'CONFIG="\nhost=db\nport=5432\n"\nNEXT=1\n'
    result = parse(text)
    assert not result.problems
    assert only(result, "CONFIG").value == "\nhost=db\nport=5432\n"
    assert only(result, "NEXT").line == 5


def test_quote_closed_on_a_later_line_followed_by_junk_is_unbalanced():
    text = 'A="abc\nhello "world" more\nB=1\n'
    result = parse(text)
    assert result.problems[0].kind == "unbalanced-quote"
    assert only(result, "A").value == "abc"
    assert only(result, "B").value == "1"


def test_invalid_line_is_reported_and_still_scanned():
    text = 'KEY="value" junk\nOK=1\nnot a statement\n'
    result = parse(text)
    kinds = [(p.kind, p.line) for p in result.problems]
    assert kinds == [("invalid-line", 1), ("invalid-line", 3)]
    assert only(result, "KEY").value == "value"
    assert only(result, "OK").value == "1"
    assert not result.failed


def test_duplicate_keys_last_wins():
    text = "KEY=first\nOTHER=x\nexport KEY=second\n"
    result = parse(text)
    (problem,) = result.problems
    assert (problem.kind, problem.key, problem.line) == ("duplicate-key", "KEY", 3)
    assert "line 1" in problem.message and "last" in problem.message and "line 3" in problem.message
    assert [e.value for e in result.entries if e.key == "KEY"] == ["first", "second"]


def test_bare_key_has_no_entry():
    assert parse("JUST_A_NAME\n").entries == []


def test_bare_key_after_a_value_drops_it():
    text = "KEY=secret\nKEY\n"
    result = parse(text)
    assert [(p.kind, p.line) for p in result.problems] == [("duplicate-key", 2)]
    assert "drops the value" in result.problems[0].message
    assert dotenv_values(stream=io.StringIO(text), interpolate=False) == {"KEY": None}


def test_never_interpolates():
    result = parse('A=1\nB=${A}\nC="$A ${A:-x}"\n')
    assert only(result, "B").value == "${A}"
    assert only(result, "C").value == "$A ${A:-x}"


def test_large_file_is_linear():
    text = "".join(f'KEY_{i}="{"x" * 40}" # c\n' for i in range(20000))
    result = parse(text)
    assert len(result.entries) == 20000
    assert result.entries[-1].line == 20000


# -- properties ---------------------------------------------------------------

_KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,10}", fullmatch=True)
_PLAIN = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85")
_UNQUOTED = st.text(_PLAIN, min_size=1, max_size=20).filter(lambda s: s[0] not in "'\"#" and not s[0].isspace())
_SINGLE = st.lists(
    st.one_of(
        st.text(_PLAIN, max_size=5).map(lambda s: s.replace("'", "").replace("\\", "")),
        st.sampled_from(["\\'", "\\\\", "\n", "$HOME", "${X}"]),
    ),
    max_size=6,
).map("".join)
_DOUBLE = st.lists(
    st.one_of(
        st.text(_PLAIN, max_size=5).map(lambda s: s.replace('"', "").replace("\\", "")),
        st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\x", "\n", "${X}", "\\$"]),
    ),
    max_size=6,
).map("".join)


@st.composite
def _statement(draw: st.DrawFn, key: str) -> str:
    kind = draw(st.sampled_from(["plain", "single", "double", "empty"]))
    if kind == "plain":
        value = draw(_UNQUOTED)
    elif kind == "single":
        value = "'" + draw(_SINGLE.filter(lambda s: "=" not in s or "\n" not in s)) + "'"
    elif kind == "double":
        value = '"' + draw(_DOUBLE.filter(lambda s: "=" not in s or "\n" not in s)) + '"'
    else:
        value = ""
    export = draw(st.sampled_from(["", "export "]))
    equals = draw(st.sampled_from(["=", " = ", "= ", " ="]))
    comment = draw(st.sampled_from(["", " # note", "  #"]))
    if kind == "plain" and comment and not comment.startswith(" "):
        comment = ""
    return f"{export}{key}{equals}{value}{comment}"


@st.composite
def _dotenv_file(draw: st.DrawFn) -> str:
    keys = draw(st.lists(_KEY, min_size=1, max_size=8, unique=True))
    lines = []
    for key in keys:
        lines.extend(draw(st.lists(st.sampled_from(["", "# comment", "   ", "#KEY=x"]), max_size=2)))
        lines.append(draw(_statement(key)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_dotenv_file())
def test_same_values_as_python_dotenv(text: str):
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)
    expected = {k: v for k, v in dotenv_values(stream=io.StringIO(text), interpolate=False).items() if v is not None}
    result = parse(text)
    assert {e.key: e.value for e in result.entries} == expected
    assert not result.problems
    assert_inside(text, result)
    for entry in result.entries:
        start = offset_of(text, entry.line, entry.column) - len(entry.quote)
        assert text.startswith(entry.raw, start), entry


@settings(max_examples=300)
@given(st.text(st.sampled_from("AB=\"'`#\\ \n\r\texport$é{}"), max_size=60) | st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str):
    result = parse(text)
    assert not result.failed
    assert_inside(text, result)
