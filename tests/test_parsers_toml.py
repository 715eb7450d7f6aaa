"""The TOML parser: tomllib's values, positions from the scanner, tables of every kind."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from keylint.parsers.toml import parse
from parsertools import assert_inside, offset_of, only

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


# text, key, value, line, column, quote, comment
CASES = [
    ('key = "value"\n', "key", "value", 1, 8, '"', None),
    ('key = "value"  # note\n', "key", "value", 1, 8, '"', "note"),
    ("key = 'C:\\path'\n", "key", "C:\\path", 1, 8, "'", None),
    ('key = "tab\\there \\u00e9"\n', "key", "tab\there é", 1, 8, '"', None),
    ('key = """\nfirst\nsecond"""\n', "key", "first\nsecond", 2, 1, '"""', None),
    ('key = """same line \\\n    folded"""\n', "key", "same line folded", 1, 10, '"""', None),
    ("key = '''\nraw \\n'''\n", "key", "raw \\n", 2, 1, "'''", None),
    ('key = """a""""\n', "key", 'a"', 1, 10, '"""', None),
    ("[server]\ntoken = 'abc'\n", "server.token", "abc", 2, 10, "'", None),
    ('[a.b . "c.d"]\nk = 1\n', "a.b.c.d.k", "1", 2, 5, "", None),
    ("a.b.c = 'x'\n", "a.b.c", "x", 1, 10, "'", None),
    ('site."google.com".key = "v"\n', "site.google.com.key", "v", 1, 26, '"', None),
    ('"quoted \\u0041" = 1\n', "quoted A", "1", 1, 19, "", None),
    ("inline = { token = 'abc', nested.x = 2 }\n", "inline.token", "abc", 1, 21, "'", None),
    ("inline = { token = 'abc', nested.x = 2 }\n", "inline.nested.x", "2", 1, 38, "", None),
    ("ports = [ 8000,\n  8001, # second\n]\n", "ports.1", "8001", 2, 3, "", "second"),
    ("matrix = [[1, 2], ['a', 'b']]\n", "matrix.1.0", "a", 1, 21, "'", None),
    ("when = 1979-05-27 07:32:00Z # c\n", "when", "1979-05-27 07:32:00Z", 1, 8, "", "c"),
    ("n = +1_000\n", "n", "+1_000", 1, 5, "", None),
    ("x = -inf\n", "x", "-inf", 1, 5, "", None),
    ("b = true\n", "b", "true", 1, 5, "", None),
    ("a = 1\r\nkey = 'v'\r\n", "key", "v", 2, 8, "'", None),
    ("k = 'é€😀'\n", "k", "é€😀", 1, 6, "'", None),
]


@pytest.mark.parametrize(("text", "key", "value", "line", "column", "quote", "comment"), CASES)
def test_value_and_position(text, key, value, line, column, quote, comment):
    result = parse(text)
    assert not result.problems and not result.failed
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, quote, comment)
    assert_inside(text, result)
    if len(quote) < 3:
        assert text[offset_of(text, line, column) - len(quote) :].startswith(entry.raw)


@pytest.mark.parametrize(
    ("source", "tag"),
    [("1", "int"), ("0x1F", "int"), ("1.5", "float"), ("nan", "float"), ("true", "bool"),
     ("1979-05-27T07:32:00Z", "timestamp"), ("1979-05-27T07:32:00", "timestamp"), ("1979-05-27", "date"),
     ("07:32:00", "time"), ("'1'", None)],
)  # fmt: skip
def test_non_strings_carry_their_type(source, tag):
    entry = only(parse(f"k = {source}\n"), "k")
    assert entry.tag == tag
    assert entry.raw == source


def test_arrays_of_tables():
    text = (
        "[[products]]\n"
        "name = 'Hammer'\n"
        "\n"
        "[[products]]\n"
        "[[products.variety]]\n"
        "token = 'a'\n"
        "[products.details]\n"
        "token = 'b'\n"
        "\n"
        "[[products]]\n"
        "[[products.variety]]\n"
        "token = 'c'\n"
    )
    result = parse(text)
    assert [(e.key, e.value, e.line) for e in result.entries] == [
        ("products.0.name", "Hammer", 2),
        ("products.1.variety.0.token", "a", 6),
        ("products.1.details.token", "b", 8),
        ("products.2.variety.0.token", "c", 12),
    ]


def test_key_line_of_a_multiline_string_and_array():
    text = 'key = """\nsecret"""\narr = [\n  "x",\n]\n'
    result = parse(text)
    assert (only(result, "key").key_line, only(result, "key").line) == (1, 2)
    assert (only(result, "arr.0").key_line, only(result, "arr.0").line) == (4, 4)


def test_pyproject_shapes():
    text = (
        "[project]\n"
        'name = "keylint"\n'
        'dependencies = ["PyYAML>=6.0", "tomli>=2.0; python_version < \'3.11\'"]\n'
        "[tool.poetry.source]\n"
        'url = "https://user:pass@example.com/simple"\n'
        "[[tool.poetry.source2]]\n"
        'name = "private"\n'
    )
    result = parse(text)
    assert only(result, "project.dependencies.1").value == "tomli>=2.0; python_version < '3.11'"
    assert only(result, "tool.poetry.source.url").line == 5
    assert only(result, "tool.poetry.source2.0.name").value == "private"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a = 1\na = 2\n", 2, 6, "Cannot overwrite a value"),
        ("[t]\nx = 1\n[t]\n", 3, 3, "Cannot declare ('t',) twice"),
        ('a = "unterminated\n', 1, 18, "Illegal character"),
        ("a = [1, 2,\n", 2, 1, "Invalid value"),
        ("a = ", 1, 5, "Invalid value"),
    ],
)
def test_syntax_errors_carry_tomllib_message_and_position(text, line, column, message):
    result = parse(text)
    assert result.failed
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.column) == ("syntax", line, column)
    assert problem.message.startswith(message)
    assert_inside(text, result)


def test_deep_nesting_does_not_raise():
    result = parse("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert result.failed
    assert result.problems[0].kind in ("limit", "syntax")


# -- properties ---------------------------------------------------------------

_TEXT = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\"\\'")
_BARE = st.from_regex(r"[A-Za-z0-9_-]{1,5}", fullmatch=True)
_BASIC = st.lists(
    st.one_of(
        st.text(_TEXT, max_size=4), st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\U0001F600", "'"])
    ),
    max_size=4,
).map(lambda parts: '"' + "".join(parts) + '"')
_LITERAL = st.text(_TEXT, max_size=6).map(lambda s: f"'{s}'")
_ML_BASIC = st.tuples(
    st.sampled_from(["", "\n", "\r\n"]),
    st.lists(
        st.one_of(st.text(_TEXT, max_size=4), st.sampled_from(["\n", '"', '""', "\\\n   ", "\\t", "'''"])), max_size=5
    ),
    st.sampled_from(["", '"', '""']),
).map(lambda t: '"""' + t[0] + "".join(t[1]) + t[2] + '"""')
_ML_LITERAL = st.tuples(
    st.sampled_from(["", "\n"]),
    st.lists(st.one_of(st.text(_TEXT, max_size=4), st.sampled_from(["\n", "'", "''", "\\", '"""'])), max_size=5),
    st.sampled_from(["", "'", "''"]),
).map(lambda t: "'''" + t[0] + "".join(t[1]) + t[2] + "'''")
_OTHER = st.sampled_from(
    ["1", "-0", "+5", "1_000", "0x1F", "0o17", "0b11", "1.5", "-2e-3", "inf", "-nan", "true", "false",
     "1979-05-27T07:32:00Z", "1979-05-27 07:32:00.5+01:00", "1979-05-27T07:32:00", "1979-05-27", "07:32:00"]
)  # fmt: skip
_KEY = st.one_of(_BARE, _BARE, _BASIC.filter(lambda s: "\\n" not in s), _LITERAL)
_DOTTED = st.lists(_KEY, min_size=1, max_size=3).flatmap(
    lambda keys: st.sampled_from([".", " . ", ". "]).map(lambda dot: dot.join(keys))
)
_GAP = st.sampled_from(["", " ", "\n", " # c\n  ", "\n\n"])


def _array(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.lists(st.tuples(_GAP, children, _GAP), max_size=3), st.booleans()).map(
        lambda t: "[" + ",".join(a + v + b for a, v, b in t[0]) + ("," if t[1] and t[0] else "") + "]"
    )


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(_DOTTED, children), max_size=3).map(
        lambda pairs: "{" + ", ".join(f"{k} = {v}" for k, v in pairs) + "}"
    )


_VALUE = st.recursive(
    st.one_of(_BASIC, _LITERAL, _ML_BASIC, _ML_LITERAL, _OTHER),
    lambda children: st.one_of(_array(children), _inline(children.filter(lambda v: "\n" not in v))),
    max_leaves=6,
)
_KEYVALS = st.lists(
    st.tuples(_DOTTED, _VALUE, st.sampled_from(["", " # comment", "\t#"])).map(lambda t: f"{t[0]} = {t[1]}{t[2]}"),
    max_size=4,
).map("\n".join)
_SECTION = st.tuples(st.booleans(), _DOTTED, _KEYVALS).map(
    lambda t: ("[[" + t[1] + "]]" if t[0] else "[" + t[1] + "]") + "\n" + t[2]
)
_DOCUMENT = st.tuples(_KEYVALS, st.lists(_SECTION, max_size=4)).map(lambda t: "\n".join([t[0], *t[1]]) + "\n")


def _flatten(data, path: tuple = ()) -> dict[str, object]:
    if isinstance(data, dict):
        out: dict[str, object] = {}
        for key, value in data.items():
            out.update(_flatten(value, (*path, key)))
        return out
    if isinstance(data, list):
        out = {}
        for index, value in enumerate(data):
            out.update(_flatten(value, (*path, str(index))))
        return out
    return {".".join(path): data}


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_DOCUMENT)
def test_same_paths_and_values_as_tomllib(text: str):
    try:
        expected = _flatten(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        assume(False)
        return
    result = parse(text)
    assert not result.failed and not result.problems
    got = {e.key: e for e in result.entries}
    assert len(got) == len(result.entries) == len(expected)
    assert set(got) == set(expected)
    for key, value in expected.items():
        if isinstance(value, str):
            assert got[key].value == value
        else:
            assert got[key].tag is not None
    assert_inside(text, result)
    for entry in result.entries:
        if len(entry.quote) < 3:
            start = offset_of(text, entry.line, entry.column) - len(entry.quote)
            assert text.startswith(entry.raw, start), entry


@settings(max_examples=500)
@given(st.text(st.sampled_from("ab=[]{}.,'\"#\n 1\\tx-"), max_size=50) | st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str):
    assert_inside(text, parse(text))
