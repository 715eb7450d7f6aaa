"""The .properties parser: java.util.Properties.load semantics with exact positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.parsers.properties import parse
from parsertools import assert_inside, offset_of, only

# text, key, value, line, column
CASES = [
    ("key=value\n", "key", "value", 1, 5),
    ("key = value\n", "key", "value", 1, 7),
    ("key:value\n", "key", "value", 1, 5),
    ("key value\n", "key", "value", 1, 5),
    ("   key\t=  value  \n", "key", "value  ", 1, 11),
    ("key==value\n", "key", "=value", 1, 5),
    ("key\n", "key", "", 1, 4),
    ("# comment\n! other\nkey=v # not a comment\n", "key", "v # not a comment", 3, 5),
    ("a\\ b\\=c\\:d=v\n", "a b=c:d", "v", 1, 12),
    ("key=caf\\u00e9 \\t\\n\\x\n", "key", "café \t\nx", 1, 5),
    ("key=first \\\n    second \\\n\tthird\n", "key", "first second third", 1, 5),
    ("key=\\\n   value\n", "key", "value", 2, 4),
    ("key=a\\\\\nnext=b\n", "key", "a\\", 1, 5),
    ("key=a\\\n\nnext=b\n", "key", "a", 1, 5),
    ("key=last\\", "key", "last", 1, 5),
    ("a=1\r\nkey=v\r\n", "key", "v", 2, 5),
    ("key=é€😀\n", "key", "é€😀", 1, 5),
    ("\\#notcomment=v\n", "#notcomment", "v", 1, 14),
    ("emoji=\\ud83d\\ude00 \\ud800\n", "emoji", "😀 \ufffd", 1, 7),
]


@pytest.mark.parametrize(("text", "key", "value", "line", "column"), CASES)
def test_value_and_position(text, key, value, line, column):
    result = parse(text)
    assert not result.problems and not result.failed
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, "", None)
    assert text[offset_of(text, line, column) :].startswith(entry.raw)
    assert_inside(text, result)


def test_continuation_key_line_and_raw():
    text = "x=1\nlong.key = part one \\\n  part two\n"
    entry = only(parse(text), "long.key")
    assert (entry.key_line, entry.line, entry.column) == (2, 2, 12)
    assert entry.raw == "part one \\\n  part two"


def test_comment_lines_do_not_continue():
    result = parse("# comment \\\nkey=v\n")
    assert [(e.key, e.line) for e in result.entries] == [("key", 2)]


def test_duplicate_keys_last_wins():
    result = parse("key=1\nother=2\nkey=3\n")
    assert [(p.kind, p.key, p.line) for p in result.problems] == [("duplicate-key", "key", 3)]
    assert "keeps the last" in result.problems[0].message


def test_malformed_unicode_escape_fails_like_java():
    result = parse("ok=1\nbad=ab\\u12G4\n")
    assert result.failed
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.column) == ("syntax", 2, 7)
    assert "Malformed" in problem.message


# -- properties ---------------------------------------------------------------

_SPECIAL = {
    "\\": "\\\\",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\f": "\\f",
    "=": "\\=",
    ":": "\\:",
    "#": "\\#",
    "!": "\\!",
}


def _escape(text: str, is_key: bool, unicode_escapes: bool) -> list[str]:
    """Properties.store's escaping, as a list of tokens (so continuations never split an escape)."""
    tokens = []
    for index, char in enumerate(text):
        if char == " " and (is_key or index == 0):
            tokens.append("\\ ")
        elif char in _SPECIAL:
            tokens.append(_SPECIAL[char])
        elif unicode_escapes and (ord(char) < 0x20 or ord(char) > 0x7E):
            data = char.encode("utf-16-be")
            tokens.extend(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2))
        else:
            tokens.append(char)
    return tokens


_CHARS = st.characters(blacklist_categories=("Cs",))


@st.composite
def _properties(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    pairs = draw(st.dictionaries(st.text(_CHARS, min_size=1, max_size=6), st.text(_CHARS, max_size=12), max_size=6))
    lines = []
    for key, value in pairs.items():
        unicode_escapes = draw(st.booleans())
        key_text = "".join(_escape(key, True, unicode_escapes))
        tokens = _escape(value, False, unicode_escapes)
        value_text = ""
        for index, token in enumerate(tokens):
            # a continuation may not start with whitespace: the loader strips it
            if index and not token[0].isspace() and draw(st.integers(0, 5)) == 0:
                value_text += "\\\n" + draw(st.sampled_from(["", "  ", "\t"]))
            value_text += token
        separator = draw(st.sampled_from(["=", " = ", ":", " ", "\t", " : "]))
        lines.append(draw(st.sampled_from(["", "# comment\n", "! note\n", "\n"])) + key_text + separator + value_text)
    return "\n".join(lines) + "\n", pairs


@settings(max_examples=500)
@given(_properties())
def test_reads_back_what_a_properties_writer_wrote(case):
    text, pairs = case
    result = parse(text)
    assert not result.problems and not result.failed
    assert {e.key: e.value for e in result.entries} == pairs
    assert_inside(text, result)
    for entry in result.entries:
        assert text.startswith(entry.raw, offset_of(text, entry.line, entry.column)), entry


@settings(max_examples=500)
@given(st.text(st.sampled_from("ab=: \t\\\n\r#!u0f"), max_size=50) | st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str):
    assert_inside(text, parse(text))
