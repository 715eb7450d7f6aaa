"""Inline directives are looked for only on the lines that can hold one, found a block at a time."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import suppress

# Every case of "keylint", the characters whose lower case is one of its letters (the Kelvin sign, the dotted I)
# or look like one (the dotless i), line breaks and what else a directive line holds.
_PIECES = st.sampled_from(
    ["keylint", "KEYLINT", "KeyLint", "\u212aeylint", "KEYL\u0130NT", "keyl\u0131nt", "keylin", "t", "\n", "\n\n",
     "# ", "keylint: ignore", "keylint: ignore-next-line[KL101]", ":", "é", "x", "\r\n"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(1, 30))
def test_the_lines_looked_at_are_every_line_naming_keylint(text, block):
    lines = text.split("\n")
    with mock.patch.object(suppress, "_BLOCK", block):
        found = list(suppress._lines_naming_keylint(text))
    assert all(line == lines[number - 1] for number, line in found)
    assert [number for number, _ in found] == sorted({number for number, _ in found})
    naming = {(number, line) for number, line in enumerate(lines, start=1) if "keylint" in line.lower()}
    assert naming <= set(found)


def test_directives_on_lines_far_apart_keep_their_numbers():
    lines = ["A=1"] * 5000
    lines[10] = "# keylint: ignore-next-line[KL101]"
    lines[4321] = "# KEYLINT: ignore"
    with mock.patch.object(suppress, "_BLOCK", 100):
        directives = suppress.parse_directives("\n".join(lines) + "\n", "yaml")
    assert [(d.written_at, d.line, d.codes) for d in directives] == [(11, 12, frozenset({"KL101"})), (4322, 4322, None)]


# A directive's pieces, comment characters included, and text around them.
_DIRECTIVE_PIECES = st.sampled_from(
    ["# ", "#", "; ", "// ", "keylint: ignore", "KEYLINT:ignore[KL101, kl102]", "keylint: ignore-next-line[KL101]",
     "keylint:ignore-next-line", "\n", "\r\n", "A=1", " x", "é", "\u212aeylint: ignore", "[", "]", '"#"']
)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(_DIRECTIVE_PIECES, max_size=30).map("".join),
    st.sampled_from(["dotenv", "yaml", "json", "toml", "ini", "properties", "lines"]),
)
def test_directives_are_the_ones_read_line_by_line(text, fmt):
    """parse_directives answers "none" for a text without a "#" (in the formats that need one) without reading it."""
    assert suppress.parse_directives(text, fmt) == suppress._parse_directives(text, fmt)
