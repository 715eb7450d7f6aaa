"""keylint.fastpath.json finds the same entries as parsers/json, or declines.

The reader keeps values in json.loads' hooks and then finds each in the text with str.find, trusting
that every other occurrence of the same text (or of the same member name) before it is either not a
value or a value that was kept too. These tests try to break that: small vocabularies make names,
values and bare numbers repeat, appear as each other and as parts of each other, with any layout of
whitespace, under prefilters that keep values by their text, by their name or both.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import fastpath
from keylint import prefilter as prefilter_module
from keylint.config import Settings
from keylint.engine import detector_for
from keylint.fastpath import json as json_reader
from keylint.parsers import parse
from keylint.prefilter import Prefilter, prefilter_for
from lintcorpus import FORMATS

PREFILTER = prefilter_for(detector_for(Settings()))


class _Stub:
    """A prefilter that keeps the given values and names (a key path answers like its last segment, as
    Prefilter.name_matters does)."""

    def __init__(self, values: set[str], names: set[str]) -> None:
        self.values, self.names = values, names
        self._derived: dict = {}
        # Prefilter.digits_turned_away: whether it keeps no value of ASCII digits alone (answered without asking)
        self.digits_turned_away = not any(value.isdigit() and value.isascii() for value in values)

    def derived(self, build):  # as Prefilter.derived: the reader's memory of this prefilter's answers
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    name_answers = Prefilter.name_answers

    def value_matters(self, value: str) -> bool:
        return value in self.values

    def name_matters(self, key: str) -> bool:
        return key.rsplit(".", 1)[-1] in self.names

    def matters(self, key: str, value: str) -> bool:
        return self.value_matters(value) or self.name_matters(key)


_NAMES = ["k", "x", "", "x.y", "a b", ":", "1", "true", "api_key", "name"]
_STRINGS = ["x", "k", "", ":", ": x", " :", "a b", "1", "-1", "true", "null", "x.y", ",", "]", "{", "api_key", "k:",
            "1 2", "[1]", "x, 1", ", "]
_BARES = ["1", "-1", "10", "0", "1.5", "1e5", "-0", "true", "false", "null", "NaN", "Infinity", "-Infinity"]
# Kept by value, by name, both, or by neither; digits never kept as names (see test_an_index_that_matters...).
STUBS = [
    _Stub({"x", "1", "2", ":", "true", "-Infinity", "a b", ","}, {"k", ""}),
    _Stub({"k", "-1", "null", ": x", ""}, {"x", "y", "true", "a b", ":"}),
    _Stub(set(_STRINGS) | set(_BARES), set()),
    _Stub(set(), {n for n in _NAMES if not n.isdigit()}),
    _Stub(set(), set()),
]
# Real keys for the real prefilter, which keeps them by their text.
_KEYS = [FORMATS[i][1].generate(random.Random(i)) for i in range(0, len(FORMATS), max(1, len(FORMATS) // 6))]


def _scalar(bare: bool, text: str) -> tuple[str, str]:
    return ("bare" if bare else "string", text)


_SCALARS = st.one_of(
    st.sampled_from(_STRINGS + _KEYS).map(lambda text: ("string", text)),
    st.sampled_from(_BARES).map(lambda text: ("bare", text)),
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: ("array", items)),
        st.lists(st.tuples(st.sampled_from(_NAMES), children), max_size=4).map(lambda pairs: ("object", pairs)),
    ),
    max_leaves=16,
)


def _render(node: tuple, rng: random.Random) -> str:
    """JSON text of ``node`` with whitespace (spaces and line breaks) chosen by ``rng`` between tokens."""

    def gap() -> str:
        return rng.choice(["", "", " ", "\n", "\n  ", "  \n "])

    kind, body = node
    if kind == "string":
        return f'"{body}"'
    if kind == "bare":
        return body
    if kind == "array":
        return "[" + gap() + ("," + gap()).join(_render(item, rng) + gap() for item in body) + "]"
    members = ("," + gap()).join(f'"{name}"{gap()}:{gap()}{_render(value, rng)}{gap()}' for name, value in body)
    return "{" + gap() + members + "}"


def _check(text: str, prefilter) -> fastpath.Reading | None:
    reading = fastpath.read("json", text, prefilter)
    full = parse("json", text)
    if reading is None:
        return None
    assert not full.failed and not full.problems, full.problems
    assert reading.entries == [e for e in full.entries if prefilter.matters(e.key, e.value)]
    assert all(type(e.value) is str and type(e.raw) is str for e in reading.entries)  # no str subclass leaks out
    return reading


@settings(max_examples=600, deadline=None)
@given(_DOCUMENTS, st.integers(0, 2**32), st.sampled_from(range(len(STUBS) + 1)))
def test_generated_documents_read_the_same(document, seed, which):
    prefilter = STUBS[which] if which < len(STUBS) else PREFILTER
    text = _render(document, random.Random(seed)) + random.Random(seed).choice(["", "\n", " \n"])
    reading = _check(text, prefilter)
    full = parse("json", text)
    if reading is None:  # only a duplicate member name (or invalid JSON) is left to the full parser
        assert full.failed or any(p.kind == "duplicate-key" for p in full.problems)


@pytest.mark.parametrize("stub", STUBS)
@pytest.mark.parametrize(
    "text",
    [
        '{"a": "x", "k": "x", "x": "k", "b": ["x", "k"], "k": 1}',  # duplicate k: declined
        '{"a": "x", "k": "x", "x": "k", "b": ["x", "k"], "c": {"k": "x"}}',
        '{"n": 11, "k": 1, "m": [1, -1, 10, 1e5, 1], "k2": {"k": -1}, "z": 1}',
        '{"s": ": x", "t": ":", ": x": " :", "k": {"x": [":", {"k": ","}]}, "u": "k:"}',
        '{"": "", "k": {"": {"": true}}, "x.y": null, "y": "a b"}',
        '[1, "1", 1, [-1, "-1"], {"k": 1}, true, "true", null, -Infinity, "x"]',
        '"x"',
        "1",
        "-Infinity",
        "null",
        '{"k": {"k": {"k": "k"}}, "x": [[["x"]]], "a b": "a b"}',
        '{\n  "k" :\n    "v",\n  "x"\n  :\n  [\n    "x" ,\n    1\n  ]\n}\n',
        '{"k": [], "x": {}, "a": [{}, []], "k2": [{}]}',
        '{"a": "b","c": ",", "d": ["1 2", "x, 1",", ",","], "e": "[1]", "f": [2,1]}',  # needles across strings
    ],
)
def test_shapes_read_the_same(stub, text):
    reading = _check(text, stub)
    assert reading is not None or '"k": 1}' in text


def test_an_index_that_matters_is_left_to_the_full_parser():
    # Array elements are named by their index; where an index may matter the reader declines, as the text
    # alone does not tell an element's index.
    indexed = _Stub(set(), {"2"})
    assert fastpath.read("json", '{"a": ["x", "y", "z"]}', indexed) is None
    assert _check('{"a": "x"}', indexed) is not None


def test_benchmark_shaped_files_read_the_same():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import workloads

    for seed in range(4):
        text = workloads.json_file(random.Random(seed), 900, 7)
        for compact in (False, True):
            if compact:
                text = json.dumps(json.loads(text), separators=(",", ":"))
            reading = _check(text, PREFILTER)
            assert reading is not None and len(reading.entries) > 10


def test_one_line_files_read_the_same():
    # Columns of a minified file are counted from the last kept value, not from the file's start.
    stub = _Stub({"x", "1"}, {"k"})
    text = json.dumps({"a": [{"k": i, "v": "x", "w": [1, "x"]} for i in range(300)]}, separators=(",", ":"))
    reading = _check(text, stub)
    assert reading is not None and reading.entries[-1].column > 8_000


def test_kept_values_are_found_past_their_text_elsewhere():
    # The same text before the kept value: as a member name, inside a longer string, as a string before a
    # kept bare value, and under a name that does not matter.
    stub = _Stub({"1"}, {"k"})
    text = '{"v": "w", "1": "11", "s": "a 1", "q": "1 ", "n": 21, "m": "1", "p": 1, "x": "w", "k": "w"}'
    reading = _check(text, stub)
    assert reading is not None
    assert [(e.key, e.raw, e.column) for e in reading.entries] == [
        ("m", '"1"', text.index('"1", "p"') + 2),
        ("p", "1", text.index('"p": 1') + 6),
        ("k", '"w"', text.rindex('"w"') + 2),
    ]


def test_a_value_found_where_it_was_not_kept_declines():
    # Never expected: the finder refuses rather than guess when the text does not agree with the hooks.
    hit = json_reader._Hit("k", "w", bare=False, named=True)
    with pytest.raises(json_reader._Declined):
        json_reader._place('{"k": "other"}', [hit])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_DOCUMENTS, st.integers(0, 2**32)), min_size=2, max_size=6), st.integers(1, 6),
       st.sampled_from(range(len(STUBS) + 1)))
def test_answers_kept_from_file_to_file_read_the_same(documents, remembered, which):
    # The reader keeps the prefilter's answers for the run (forgotten past a bound, here a few, so that files are
    # read after a clear too): a sequence of files reads as each file alone with a fresh memory would, which
    # _check compares with the full parser.
    fresh = STUBS[which] if which < len(STUBS) else PREFILTER
    stub = _Stub(fresh.values, fresh.names) if which < len(STUBS) else fresh
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_reader, "_REMEMBERED", remembered)
        patch.setattr(prefilter_module, "_NAMES_REMEMBERED", remembered)
        for document, seed in documents:
            text = _render(document, random.Random(seed))
            _check(text, stub)


def test_long_values_are_never_kept_past_their_file():
    # Values longer than the prefilter remembers (keys among them) are asked about again, not kept for the run.
    from keylint.prefilter import _REMEMBERED_LENGTH

    key = _KEYS[0]
    assert len(key) > _REMEMBERED_LENGTH
    stub = _Stub({key, "short"}, set())
    for _ in range(2):
        reading = _check(json.dumps({"a": key, "b": "short", "c": "x" * 40}), stub)
        assert reading is not None and [e.key for e in reading.entries] == ["a", "b"]
    kept = stub.derived(json_reader._Memory).values
    assert "short" in kept and not any(type(text) is str and len(text) > _REMEMBERED_LENGTH for text in kept)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": ": x", ": ": "v", "b": ", y", ", ": 1}',
        '{"a":": x",": ":"v","b":"] y","] ":true,"c":[": x"],"d":{": ":null}}',
        '{"a": "x", "q": ":", ":": "x", "w": "}", "}": ":"}',
    ],
)
def test_needles_that_may_start_at_a_closing_quote_are_counted(text):
    # A quoted needle whose text starts with what may follow a string (a name or value ": ", ", ", "] " ...) can
    # start at the closing quote of an earlier string; only there are the quotes before it counted.
    for stub in (_Stub(set(), {": ", ", ", "] ", "}", ":"}), _Stub({": x", "v", ":", "}"}, set())):
        assert _check(text, stub) is not None


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS, st.integers(0, 2**32), st.integers(1, 5))
def test_documents_past_max_depth_are_declined_as_the_text_brackets_said(document, seed, depth):
    """read() counts the objects and arrays json.loads' hooks meet, not the text's brackets (strings hold some, the
    count costs a pass over the text) before it looks at how deep they nest: it declines the same files."""
    from keylint import limits

    text = _render(document, random.Random(seed))
    skeleton = json_reader._STRING.sub('""', text)
    with limits.depth_limit(depth):
        too_deep = text.count("[") + text.count("{") > depth and json_reader._too_deep(skeleton, depth)
        reading = fastpath.read("json", text, PREFILTER)
    if too_deep:
        assert reading is None
    else:
        assert reading == fastpath.read("json", text, PREFILTER)
