"""The JSON parser: json.loads' values, exact positions, no recursion."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.parsers.json import parse
from parsertools import assert_inside, offset_of, only

NESTED = """{
  "services": {
    "api": {"token": "sk-abc", "port": 8080},
    "items": [
      {"token": "t0"},
      "plain",
      [1.5e3, true, null]
    ]
  },
  "esc": "a\\"b\\u00e9\\n",
  "é": "😀x"
}
"""

# key, value, line, column, quote, tag
CASES = [
    ("services.api.token", "sk-abc", 3, 23, '"', None),
    ("services.api.port", "8080", 3, 40, "", "int"),
    ("services.items.0.token", "t0", 5, 18, '"', None),
    ("services.items.1", "plain", 6, 8, '"', None),
    ("services.items.2.0", "1.5e3", 7, 8, "", "float"),
    ("services.items.2.1", "true", 7, 15, "", "bool"),
    ("services.items.2.2", "null", 7, 21, "", "null"),
    ("esc", 'a"bé\n', 10, 11, '"', None),
    ("é", "😀x", 11, 9, '"', None),
]


@pytest.mark.parametrize(("key", "value", "line", "column", "quote", "tag"), CASES)
def test_nested_paths_and_positions(key, value, line, column, quote, tag):
    result = parse(NESTED)
    assert not result.problems and not result.failed
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.tag) == (value, line, column, quote, tag)
    assert NESTED[offset_of(NESTED, line, column) - len(quote) :].startswith(entry.raw)


def test_key_line_of_array_items_is_their_own_line():
    entry = only(parse('{"a": [\n  "x"\n]}'), "a.0")
    assert (entry.key_line, entry.line) == (2, 2)
    entry = only(parse('{"a":\n  "x"}'), "a")
    assert (entry.key_line, entry.line) == (1, 2)


@pytest.mark.parametrize(
    ("text", "key", "value", "tag"),
    [
        ('"top"', "", "top", None),
        ("-0.5E+2", "", "-0.5E+2", "float"),
        ("NaN", "", "NaN", "float"),
        ('{"x": -Infinity}', "x", "-Infinity", "float"),
        ('{"": 1}', "", "1", "int"),
        ('\n\t {"k" :\r\n "v" } \n', "k", "v", None),
    ],
)
def test_scalars(text, key, value, tag):
    result = parse(text)
    entry = only(result, key)
    assert (entry.value, entry.tag) == (value, tag)


def test_duplicate_keys():
    text = '{"a": {"k": 1,\n "k": 2}, "b": 3,\n"a": 4}'
    result = parse(text)
    assert [(p.kind, p.key, p.line, p.column) for p in result.problems] == [
        ("duplicate-key", "a.k", 2, 2),
        ("duplicate-key", "a", 3, 1),
    ]
    assert "json.loads keeps the last" in result.problems[0].message
    assert not result.failed


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('{"a": 1,}', 1, 9, "Expecting property name enclosed in double quotes"),
        ("", 1, 1, "Expecting value"),
        ('{"a": 1}\n{"b": 2}', 2, 1, "Extra data"),
        ('{"a": "b\nc"}', 1, 9, "Invalid control character at"),
        ("{'a': 1}", 1, 2, "Expecting property name enclosed in double quotes"),
        ("// comment\n{}", 1, 1, "Expecting value"),
        ("\ufeff{}", 1, 1, "Unexpected UTF-8 BOM (decode using utf-8-sig)"),
    ],
)
def test_syntax_errors_carry_json_message_and_position(text, line, column, message):
    result = parse(text)
    assert result.failed and not result.entries
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.column, problem.message) == ("syntax", line, column, message)


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000, "[" * 100_000]
)
def test_deep_nesting_is_a_limit_not_a_recursion_error(text):
    started = time.perf_counter()
    result = parse(text)
    assert time.perf_counter() - started < 1
    assert result.failed
    assert [p.kind for p in result.problems] == ["limit"]


def test_nesting_json_loads_accepts_is_read():
    text = "[" * 500 + '"deep"' + "]" * 500
    assert only(parse(text), ".".join(["0"] * 500)).value == "deep"


# -- properties ---------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


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


@settings(max_examples=500)
@given(_JSON, st.sampled_from([None, 2, "\t"]), st.booleans())
def test_same_values_as_json_loads(data, indent, ensure_ascii):
    text = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)
    result = parse(text)
    assert not result.failed and not result.problems
    expected = _flatten(json.loads(text))
    got = {e.key: e for e in result.entries}
    assert set(got) == set(expected) and len(got) == len(result.entries)
    for key, value in expected.items():
        entry = got[key]
        if isinstance(value, str):
            assert entry.value == value and entry.tag is None
        elif isinstance(value, float) and math.isnan(value):
            assert entry.value == "NaN"
        else:
            assert json.loads(entry.value) == value
    assert_inside(text, result)
    for entry in result.entries:
        assert text.startswith(entry.raw, offset_of(text, entry.line, entry.column) - len(entry.quote))


@settings(max_examples=1000)
@given(st.text(st.sampled_from('{}[]:,"\\ \n1-.eEtrufalsnNI0a'), max_size=40) | st.text(max_size=30))
def test_accepts_exactly_what_json_loads_accepts(text: str):
    result = parse(text)
    try:
        json.loads(text)
        valid = True
    except (ValueError, RecursionError):
        valid = False
    assert result.failed == (not valid)
    assert_inside(text, result)
