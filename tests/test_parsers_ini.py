"""The INI parser: configparser's values for sectioned files, npm's for .npmrc, exact positions."""

from __future__ import annotations

import configparser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.parsers.ini import parse
from parsertools import assert_inside, offset_of, only

PYPIRC = """\
[distutils]
index-servers =
    pypi
    private

[pypi]
username = __token__
password = pypi-AgEIcHlwaS5vcmcAAAA

[private]
repository: https://pypi.example.com/simple
password=hunter2 ; configparser keeps this
  # comment line inside
Key With Spaces = v
"""

# key, value, line, column, comment
PYPIRC_CASES = [
    ("distutils.index-servers", "\npypi\nprivate", 3, 5, None),
    ("pypi.username", "__token__", 7, 12, None),
    ("pypi.password", "pypi-AgEIcHlwaS5vcmcAAAA", 8, 12, None),
    ("private.repository", "https://pypi.example.com/simple", 11, 13, None),
    ("private.password", "hunter2 ; configparser keeps this", 12, 10, "configparser keeps this"),
    ("private.Key With Spaces", "v", 14, 19, None),
]


@pytest.mark.parametrize(("key", "value", "line", "column", "comment"), PYPIRC_CASES)
def test_configparser_values_and_positions(key, value, line, column, comment):
    result = parse(PYPIRC)
    assert not result.problems and not result.failed
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.comment, entry.quote) == (value, line, column, comment, "")
    assert PYPIRC[offset_of(PYPIRC, line, column) :].startswith(entry.raw)
    parser = configparser.RawConfigParser()
    parser.read_string(PYPIRC)
    section, option = key.split(".", 1)
    assert parser.get(section, option) == value


def test_multiline_value_key_line_and_raw():
    entry = only(parse(PYPIRC), "distutils.index-servers")
    assert entry.key_line == 2
    assert entry.raw == "pypi\n    private"


def test_setup_cfg_continuations_keep_inner_blank_lines():
    text = "[options]\ninstall_requires =\n    a\n\n    b\n\n[other]\nx = 1\n"
    entry = only(parse(text), "options.install_requires")
    assert entry.value == "\na\n\nb"
    assert (entry.line, entry.column) == (3, 5)


def test_value_on_the_key_line_then_continued():
    text = "[s]\nkey = first\n  second\n"
    entry = only(parse(text), "s.key")
    assert (entry.value, entry.line, entry.column, entry.raw) == ("first\nsecond", 2, 7, "first\n  second")


def test_default_section_and_case():
    result = parse("[DEFAULT]\nToken = abc\n[s]\nTOKEN = def\n")
    assert [e.key for e in result.entries] == ["DEFAULT.Token", "s.TOKEN"]


def test_duplicates_are_reported():
    text = "[a]\nkey = 1\nKEY = 2\n[b]\n[a]\nother = 3\n"
    result = parse(text)
    assert [(p.kind, p.key, p.line) for p in result.problems] == [
        ("duplicate-key", "a.KEY", 3),
        ("duplicate-key", "a", 5),
    ]
    assert all("refuses" in p.message for p in result.problems)
    assert not result.failed


def test_unreadable_lines_are_reported_not_fatal():
    result = parse("[a]\nno delimiter here\nkey = v\n")
    assert [(p.kind, p.line) for p in result.problems] == [("invalid-line", 2)]
    assert only(result, "a.key").value == "v"
    assert not result.failed


NPMRC = """\
; npm config
//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789
@scope:registry = https://npm.example.com/
//npm.example.com/:_authToken="quoted-token" ; npm keeps the quotes here
//other.example.com/:_authToken = "quoted\u0041"
email='me@example.com'
_auth = dXNlcjpwYXNz#inline comment
escaped = a\\;b\\#c
always-auth
ref=${NPM_TOKEN}
[section]
key = in-section
"""

# key, value, line, column, quote, comment
NPMRC_CASES = [
    ("//registry.npmjs.org/:_authToken", "npm_abcdefghijklmnopqrstuvwxyz0123456789", 2, 34, "", None),
    ("@scope:registry", "https://npm.example.com/", 3, 19, "", None),
    ("//npm.example.com/:_authToken", '"quoted-token"', 4, 31, "", "npm keeps the quotes here"),
    ("//other.example.com/:_authToken", "quotedA", 5, 36, '"', None),
    ("email", "me@example.com", 6, 8, "'", None),
    ("_auth", "dXNlcjpwYXNz", 7, 9, "", "inline comment"),
    ("escaped", "a;b#c", 8, 11, "", None),
    ("ref", "${NPM_TOKEN}", 10, 5, "", None),
    ("section.key", "in-section", 12, 7, "", None),
]


@pytest.mark.parametrize(("key", "value", "line", "column", "quote", "comment"), NPMRC_CASES)
def test_npmrc_values_and_positions(key, value, line, column, quote, comment):
    result = parse(NPMRC)
    assert not result.problems and not result.failed
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, quote, comment)
    assert NPMRC[offset_of(NPMRC, line, column) - len(quote) :].startswith(entry.raw)


def test_npmrc_bare_flag_has_no_entry_and_duplicates_are_reported():
    result = parse("always-auth\n//r/:_authToken=a\n//r/:_authToken=b\n")
    assert [e.value for e in result.entries] == ["a", "b"]
    assert [(p.kind, p.line) for p in result.problems] == [("duplicate-key", 3)]
    assert "npm uses the last" in result.problems[0].message


# -- properties ---------------------------------------------------------------

_NAME = st.from_regex(r"[a-z][a-z0-9_. -]{0,6}[a-z0-9]", fullmatch=True)
_LINE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"), max_size=12
)
_VALUE = st.one_of(
    _LINE_TEXT,
    st.lists(_LINE_TEXT.filter(lambda s: s.strip() and s.strip()[0] not in "#;"), min_size=1, max_size=3).flatmap(
        lambda parts: st.sampled_from(["\n    ", "\n\t", "\n  \n  "]).map(lambda joint: joint + joint.join(parts))
    ),
)


@st.composite
def _ini_file(draw: st.DrawFn) -> str:
    sections = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    out = []
    for section in sections:
        out.append(draw(st.sampled_from(["", "# comment\n", "; other\n", "\n"])))
        out.append(f"[{section}]\n")
        for name in draw(st.lists(_NAME, max_size=4, unique_by=str.lower)):
            delimiter = draw(st.sampled_from(["=", " = ", ": ", ":"]))
            value = draw(_VALUE)
            out.append(f"{name}{delimiter}{value}\n")
            out.append(draw(st.sampled_from(["", "\n", "# c\n"])))
    return "".join(out)


@settings(max_examples=400)
@given(_ini_file())
def test_same_values_as_configparser(text: str):
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    expected = {f"{s}.{k}": v for s in parser.sections() for k, v in parser.items(s, raw=True)}
    result = parse(text)
    assert not result.problems and not result.failed
    # generated section names are lowercase; configparser lowercases option names
    assert {e.key.lower(): e.value for e in result.entries} == expected
    assert_inside(text, result)
    for entry in result.entries:
        assert text.startswith(entry.raw, offset_of(text, entry.line, entry.column)), entry


@settings(max_examples=500)
@given(st.text(st.sampled_from("[]ab=:;# \n\t\r\\'\"/_"), max_size=50) | st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str):
    result = parse(text)
    assert not result.failed
    assert_inside(text, result)
