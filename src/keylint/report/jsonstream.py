"""JSON written as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, a piece at a time.

The JSON and SARIF reports of a large scan hold tens of thousands of findings: :func:`write_json`
writes a document whose long arrays are iterators an element at a time, so the findings' dictionaries
and text never exist all at once. The standard encoder's C code cannot indent, and its pure-Python
code is slow (a generator per nesting level), so the values reports hold are laid out here directly,
byte for byte as it lays them out (tests/test_report_stream.py compares the two).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from json import JSONEncoder
from json.encoder import encode_basestring  # what the encoder itself uses for strings (ensure_ascii=False)

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, TextIO

    from keylint.report import Utf8Writer

_ENCODER = JSONEncoder(indent=2, ensure_ascii=False)


def write_json(value: Any, out: TextIO, level: int = 0) -> None:
    """Write ``value`` to ``out`` as JSON, ``level`` levels deep (dictionary keys are strings).

    An iterator in ``value`` is written as a JSON array an element at a time, so a report's list of
    findings can be a generator that makes each one as it is written; an :class:`Encoded` array's
    elements are written as the text they are. Dictionaries and lists around them are walked;
    everything else (an iterator's elements included) is encoded in one go.
    """
    if isinstance(value, dict) and value:
        _write_members(((encode_basestring(key) + ": ", item) for key, item in value.items()), out, level, "{}")
    elif isinstance(value, list) and value:
        _write_members((("", item) for item in value), out, level, "[]")
    elif isinstance(value, Iterator):
        _write_texts((encode(item, level + 1) for item in value), out, level)
    elif isinstance(value, Encoded):
        (_write_utf8 if value.utf8 else _write_texts)(value.texts, out, level)
    else:
        out.write(encode(value, level))


class Encoded:
    """An array whose elements arrive as JSON text, each laid out already for the level it is written at
    (one deeper than the array's): a report's findings, laid out by a function of their own
    (:func:`keylint.report.json.finding_text`) instead of as dictionaries.

    ``utf8``: the texts are UTF-8, for a :class:`keylint.report.Utf8Writer`; an element that is a string instead (a
    text that cannot be encoded) makes its batch go through the writer's encoder, which fails on it as it would."""

    __slots__ = ("texts", "utf8")

    def __init__(self, texts: Iterable[str] | Iterable[bytes | str], utf8: bool = False) -> None:
        self.texts = texts
        self.utf8 = utf8


def _write_members(members: Iterable[tuple[str, Any]], out: TextIO, level: int, brackets: str) -> None:
    """An object's members (labelled ``"key": ``) or a list's elements (unlabelled), each written with
    :func:`write_json`, laid out as the indenting encoder does; ``brackets`` alone when there are none."""
    separator = "\n" + "  " * (level + 1)
    out.write(brackets[0])
    empty = True
    for label, item in members:
        out.write((separator if empty else "," + separator) + label)
        write_json(item, out, level + 1)
        empty = False
    out.write(brackets[1] if empty else "\n" + "  " * level + brackets[1])


def _write_texts(texts: Iterable[str], out: TextIO, level: int) -> None:
    """An array of the JSON texts of its elements, laid out for the level after ``level``, written a batch of
    elements at a time (a report's findings are tens of thousands of them: a write each cost a third of it)."""
    separator = "\n" + "  " * (level + 1)
    comma = "," + separator
    texts = iter(texts)
    batch = list(islice(texts, _BATCH))
    if not batch:
        out.write("[]")
        return
    out.write("[" + separator + comma.join(batch))
    while batch := list(islice(texts, _BATCH)):
        out.write(comma + comma.join(batch))
    out.write("\n" + "  " * level + "]")


def _write_utf8(texts: Iterable[bytes | str], out: Utf8Writer, level: int) -> None:
    """:func:`_write_texts` for texts in UTF-8, written to ``out``'s bytes."""
    separator = "\n" + "  " * (level + 1)
    comma = ("," + separator).encode()
    texts = iter(texts)
    batch = list(islice(texts, _BATCH))
    if not batch:
        out.write("[]")
        return
    start = ("[" + separator).encode()
    while batch:
        try:
            data = start + comma.join(batch)  # type: ignore[arg-type]
        except TypeError:  # a string among them: the batch as text, written as _write_texts writes it
            decoded = (text if isinstance(text, str) else text.decode() for text in batch)
            out.write(start.decode() + comma.decode().join(decoded))
        else:
            out.write_utf8(data)
        start = comma
        batch = list(islice(texts, _BATCH))
    out.write("\n" + "  " * level + "]")


_BATCH = 256  # elements joined into one write


def encode(value: Any, level: int = 0) -> str:
    """``value`` as JSON, laid out ``level`` levels deep (dictionary keys are strings).

    Strings, integers, booleans, null, and dictionaries and lists of them (everything a report holds)
    are laid out here; anything else (floats, tuples, subclasses) is left to the encoder."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is dict and value:
        members = [
            # strings inline: most of a report's values, and a call less each
            f"{encode_basestring(key)}: {encode_basestring(item) if type(item) is str else encode(item, level + 1)}"
            for key, item in value.items()
        ]
        return _laid_out(members, level, "{}")
    if kind is list and value:
        return _laid_out([encode(item, level + 1) for item in value], level, "[]")
    # Encoded JSON has no raw newline inside a string (it is escaped), so each newline starts a line to indent.
    text = _ENCODER.encode(value)
    return text.replace("\n", "\n" + "  " * level) if level and "\n" in text else text


def _laid_out(items: list[str], level: int, brackets: str) -> str:
    pad = "\n" + "  " * (level + 1)
    return brackets[0] + pad + ("," + pad).join(items) + "\n" + "  " * level + brackets[1]
