"""keylint.fastpath reads the same entries as the full parsers, or declines.

Whenever ``fastpath.read`` returns a reading, the full parser must report no problem for the
file and its entries, filtered by the prefilter, must equal the reading's entries field by
field (and for .env files every key with its line must equal the reading's keys).
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint import fastpath
from keylint import values as values_module
from keylint.config import Settings
from keylint.engine import detector_for
from keylint.parsers import parse
from keylint.prefilter import prefilter_for
from lintcorpus import FORMATS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import workloads

PREFILTER = prefilter_for(detector_for(Settings()))


def test_every_file_rule_says_why_a_reading_serves_it():
    from keylint.rules import all_rules

    file_rules = {code for code, rule in all_rules().items() if rule.scope == "file"}
    assert file_rules == set(fastpath.FILE_RULES), (
        "file-scope rules changed: check that they only read parse problems and entries the prefilter keeps "
        "(else make fastpath.read decline), then update keylint.fastpath.FILE_RULES"
    )


def _check(fmt: str, text: str) -> fastpath.Reading | None:
    reading = fastpath.read(fmt, text, PREFILTER)
    if reading is None:
        return None
    full = parse(fmt, text)
    assert not full.failed and not full.problems, full.problems
    expected = [e for e in full.entries if PREFILTER.matters(e.key, e.value)]
    assert reading.entries == expected
    if fmt == "dotenv":
        assert reading.keys == [(e.key, e.key_line or e.line) for e in full.entries]
    return reading


@pytest.mark.parametrize("seed", range(6))
def test_generated_config_files_are_read_fast_and_the_same(seed):
    rng = random.Random(seed)
    for fmt, writer in (("dotenv", workloads.dotenv_file), ("yaml", workloads.yaml_file)):
        text = writer(rng, 400, 7)
        reading = _check(fmt, text)
        assert reading is not None, f"{fmt} fell back to the full parser"
        assert len(reading.entries) > 20
    crd = workloads.crd_schema(rng, 600)
    assert _check("yaml", crd) is not None
    settings_json = workloads.json_file(rng, 600, 0)
    assert _check("json", settings_json) == fastpath.Reading([])
    toml_reading = _check("toml", workloads.toml_file(rng, 800, 7))
    assert toml_reading is not None, "toml fell back to the full parser"
    assert len(toml_reading.entries) > 20
    json_reading = _check("json", workloads.json_file(rng, 1200, 7))
    assert json_reading is not None, "json fell back to the full parser"
    assert len(json_reading.entries) > 20


def test_keys_of_every_format_in_both_shapes():
    lines = []
    yaml_lines = ["production:", "  keys:"]
    for i, (provider, fmt) in enumerate(FORMATS):
        token = fmt.generate(random.Random(i))
        name = (fmt.env_vars or provider.env_vars or (f"{provider.id.upper().replace('-', '_')}_KEY",))[0]
        safe = "\\" not in token and "#" not in token and not any(c.isspace() for c in token)
        if safe and "'" not in token and '"' not in token:
            lines.append(f"{name}_{i}={token}")
            yaml_lines.append(f"    {name.lower()}_{i}: '{token}'")
        lines.append(f"PLAIN_{i}=value{i}")
        yaml_lines.append(f"    plain_{i}: value {i}")
    dotenv = _check("dotenv", "\n".join(lines) + "\n")
    yaml_reading = _check("yaml", "\n".join(yaml_lines) + "\n")
    assert dotenv is not None and yaml_reading is not None
    assert len(dotenv.entries) > 50 and len(yaml_reading.entries) > 50


@pytest.mark.parametrize(
    "fmt,text",
    [
        ("yaml", "a: 1\na: 2\n"),  # duplicate key
        ("yaml", "a: [1, 2]\n"),  # flow collection
        ("yaml", "a: &x 1\nb: *x\n"),  # anchor and alias
        ("yaml", "a: |\n  text\n"),  # block scalar
        ("yaml", "a: one\n  two\n"),  # multi-line plain scalar
        ("yaml", "kind: Secret\ndata:\n  k: dmFsdWU=\n"),  # decoded by the full parser
        ("yaml", "env:\n- name: TOKEN\n  value: x\n"),  # Kubernetes env list
        ("yaml", "a: b: c\n"),  # invalid
        ("yaml", "a:\tb\n"),
        ("yaml", '"quoted key": 1\n'),
        ("yaml", "k" * 1025 + ": 1\n"),  # libyaml ends a key within 1024 characters
        ("yaml", "a: b\x7f\n"),  # a control character
        ("yaml", "a: b\ufeff\n"),
        ("yaml", "".join(f"{' ' * i}k:\n" for i in range(1001)) + " " * 1001 + "v: 1\n"),  # deeper than libyaml goes
        ("dotenv", "A=1\nA=2\n"),
        ("dotenv", 'A="multi\nline"\n'),
        ("dotenv", "A=has#hash\n"),
        ("dotenv", "A='it\\'s'\n"),
        ("dotenv", "A=1\r\nB=2\r\n"),
        ("dotenv", "JUST_A_NAME\n"),
        ("json", '{"a": 1, "a": 2}'),
        ("json", '{"a": "\\u0067hp_"}'),
        ("json", '{"a": [1, 2'),
        ("json", "[" * 1200 + "]" * 1200),
        ("toml", "a = 1\na = 2\n"),  # duplicate key
        ("toml", "[a]\n[a]\n"),  # table declared twice
        ("toml", "[a.b]\n[a]\nb = 1\n"),  # a value where a table is
        ("toml", "a = 1\n[a.b]\n"),  # a table where a value is
        ("toml", "a = 01\n"),  # invalid
        ("toml", 'a = "x\\ty"\n'),  # escape
        ("toml", "a = 1979-05-27\n"),  # date
        ("toml", 'a = """\nx"""\n'),  # multi-line string
        ("toml", "[[a]]\nb = 1\n"),  # array of tables
        ("toml", "a = {b = 1}\n"),  # inline table
        ("toml", "a.b = 1\n"),  # dotted key
        ("toml", "a = [\n  1,\n]\n"),  # multi-line array
        ("toml", 'a = "\x01"\n'),  # control character
    ],
)
def test_declines_what_it_does_not_read(fmt, text):
    assert fastpath.read(fmt, text, PREFILTER) is None


_WORDS = ["api_key", "token", "name", "port", "github_org", "openai_api_key", "description", "url", "on", "1", "x.y"]
_SCALARS = st.one_of(
    st.sampled_from(["", "1", "0755", "true", "~", "null", "-3", "1.5", "2024-01-01", "a b", "x: y", "'q'", '"d"',
                     "it''s", "#x", "a #c", "changeme", "your-api-key-here", "${TOKEN}", "path-gateway",
                     "https://u:p@h/x", "-x", "[a]", "{a}", "&a", "*a", "!t", "|", ">", "@x", "%x", "`x`", "  ", "é"]),
    st.text(alphabet="abcXYZ019_-.:/#'\" ", max_size=30),
    st.builds(lambda i, seed: FORMATS[i % len(FORMATS)][1].generate(random.Random(seed)),
              st.integers(0, 10_000), st.integers(0, 10**6)),
)  # fmt: skip


@st.composite
def _yaml_documents(draw: st.DrawFn) -> str:
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "null", "comment", "dash-map"]))
            key = draw(st.sampled_from(_WORDS))
            pad = " " * indent
            if kind == "scalar" or depth > 2:
                lines.append(f"{pad}{key}: {draw(_SCALARS)}".rstrip() if draw(st.booleans()) else f"{pad}{key}: "
                             f"{json.dumps(draw(_SCALARS))}")
            elif kind == "map":
                lines.append(f"{pad}{key}:")
                block(indent + draw(st.sampled_from([1, 2, 4])), depth + 1)
            elif kind == "seq":
                lines.append(f"{pad}{key}:")
                dash = pad + " " * draw(st.sampled_from([0, 2]))
                for _ in range(draw(st.integers(1, 3))):
                    lines.append(f"{dash}- {draw(_SCALARS)}".rstrip())
            elif kind == "dash-map":
                lines.append(f"{pad}{key}:")
                for _ in range(draw(st.integers(1, 2))):
                    lines.append(f"{pad}- {draw(st.sampled_from(_WORDS))}: {draw(_SCALARS)}".rstrip())
                    lines.append(f"{pad}  other: {draw(_SCALARS)}".rstrip())
            elif kind == "null":
                lines.append(f"{pad}{key}:" + draw(st.sampled_from(["", " ", " # note"])))
            else:
                lines.append(f"{pad}# {draw(_SCALARS)}")

    for document in range(draw(st.integers(1, 2))):
        if document:
            lines.append("---")
        block(0, 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_yaml_documents())
def test_yaml_readings_equal_the_full_parser(text):
    _check("yaml", text)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "export ", "  ", "# "]),
            st.sampled_from([w.upper() for w in _WORDS] + ["A", "B_1", "OPENAI_API_KEY"]),
            _SCALARS,
            st.sampled_from(["", '"', "'"]),
        ),
        max_size=12,
    )
)
def test_dotenv_readings_equal_the_full_parser(statements):
    text = "\n".join(f"{lead}{key}={quote}{value}{quote}" for lead, key, value, quote in statements) + "\n"
    _check("dotenv", text)


_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _SCALARS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(_WORDS), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_JSON_VALUES, st.sampled_from([None, 1, 2]), st.booleans(), st.sampled_from([None, (",", ":"), (" ,", " : ")]))
def test_json_readings_equal_the_full_parser(document, indent, ascii_only, separators):
    _check("json", json.dumps(document, indent=indent, ensure_ascii=ascii_only, separators=separators))


@pytest.mark.parametrize(
    "text",
    [
        '{ "a" :"b" , "c":[ 1,-2.5e3 ,{"api_key" : null},[],{}, "sk_live_x"] ,"":{"":true}}',
        '"ghp_only a string"',
        "[NaN, Infinity, -Infinity, 0, 1E5, false]",
        '{"a.b": {"c.token": "x"}, "list": [[["secret"]]]}',
        '{\n  "one": "1",\n  "pem": "-----BEGIN PRIVATE KEY-----",\n'
        '  "nested": {\n    "password":\n      "hunter2"\n  }\n}\n',
    ],
)
def test_json_shapes_are_read_fast_and_the_same(text):
    every_value = fastpath.Reading([e for e in parse("json", text).entries if PREFILTER.matters(e.key, e.value)])
    assert _check("json", text) == every_value


def test_json_deeper_than_max_depth_is_left_to_the_full_parser():
    from keylint import limits

    with limits.depth_limit(3):
        assert fastpath.read("json", '{"a": {"b": {"c": "x"}}}', PREFILTER) is not None
        assert fastpath.read("json", '{"a": {"b": {"c": {"d": "x"}}}}', PREFILTER) is None


_TOML_KEYS = ["a", "b", "api_key", "token", "password", "1", "x-y", "github_token", "true", "c_2"]
_TOML_VALUES = st.one_of(
    st.sampled_from(['"x"', "'x'", '""', "''", '"a # b"', "'it\"s'", '"é"', "1", "0", "-0", "+1", "1_000", "1__0",
                     "01", "1.5", "-1.5e3", "1e5", "1E-05", "1.", ".5", "1e", "true", "false", "True", "inf", "nan",
                     "0x1F", "[]", "[ ]", "[1, 2]", "[1,]", "[,]", "['a', \"b\", 1, true, 2.5]", "[[1]]", "{a = 1}",
                     "1979-05-27", '"""x"""', '"changeme"', "'your-api-key-here'", '"${TOKEN}"', "[\"x\" , 'y' ,]"]),
    _SCALARS.filter(lambda v: '"' not in v and "\\" not in v).map(lambda v: f'"{v}"'),
    _SCALARS.filter(lambda v: "'" not in v).map(lambda v: f"[1, '{v}']"),
)  # fmt: skip


@st.composite
def _toml_documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(["value", "value", "value", "table", "comment", "blank"]))
        pad = draw(st.sampled_from(["", " ", "  "]))
        if kind == "value":
            key = draw(st.sampled_from(_TOML_KEYS))
            equals = draw(st.sampled_from(["=", " = ", "  =", "= "]))
            comment = draw(st.sampled_from(["", " # note", "#", " # api_key = 'x'  "]))
            lines.append(f"{pad}{key}{equals}{draw(_TOML_VALUES)}{comment}")
        elif kind == "table":
            path = draw(st.lists(st.sampled_from(_TOML_KEYS[:4]), min_size=1, max_size=3))
            dot = draw(st.sampled_from([".", " . "]))
            space, comment = draw(st.sampled_from(["", " "])), draw(st.sampled_from(["", " # t"]))
            lines.append(f"{pad}[{space}{dot.join(path)}{space}]{comment}")
        elif kind == "comment":
            lines.append(f"{pad}# {draw(_SCALARS)}")
        else:
            lines.append(pad)
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_toml_documents())
def test_toml_readings_equal_the_full_parser(text):
    _check("toml", text)


def test_toml_shapes_are_read_fast_and_the_same():
    text = (
        "# settings\ntitle = 'keylint' # the name\nports = [ 8000, 8001, ]\n\n[database]\n"
        "password = \"hunter2\"\nretries = 3\n[servers . alpha]\n  ip = '10.0.0.1'\n  token = ''\n"
        "[servers]\nkeys = ['ghp_x', \"sk_live_y\", 1.5e3, true]\nenabled = false #\n[a.b.c]\n[a]\nd = -0.5\n"
    )
    every_value = fastpath.Reading([e for e in parse("toml", text).entries if PREFILTER.matters(e.key, e.value)])
    assert _check("toml", text) == every_value
    assert len(every_value.entries) >= 2


def test_toml_deeper_than_max_depth_is_left_to_the_full_parser():
    from keylint import limits

    with limits.depth_limit(3):
        assert fastpath.read("toml", "[a.b]\ntoken = 'x'\n", PREFILTER) is not None
        assert fastpath.read("toml", "[a.b]\ntoken = ['x']\n", PREFILTER) is None
        assert fastpath.read("toml", "[a.b.c]\n", PREFILTER) is None


def test_yaml_past_the_entry_limit_is_left_to_the_full_parser(monkeypatch):
    from keylint.parsers import yaml as full
    from keylint.parsers import yamlcore

    monkeypatch.setattr(yamlcore, "MAX_ENTRIES", 8)
    assert _check("yaml", "a: 1\nb:\n  - x\n  - y\nc: 2\n---\nd: 3\n") is not None  # 6 values, 2 documents
    assert fastpath.read("yaml", "\n".join(f"k{i}: v" for i in range(8)) + "\n", PREFILTER) is None
    assert full.parse("\n".join(f"k{i}: v" for i in range(9)) + "\n").failed


@given(st.text(alphabet="ab\n", max_size=40), st.integers(1, 6))
def test_lines_a_block_at_a_time_are_the_lines(text, block):
    assert list(fastpath._lines(text, block)) == text.split("\n")


@pytest.mark.parametrize("block", [1, 40, 1000, 1 << 20])
def test_dotenv_read_a_block_at_a_time_is_the_same(monkeypatch, block):
    from keylint.fastpath import dotenv

    monkeypatch.setattr(dotenv, "_BLOCK", block)
    rng = random.Random(block)
    text = workloads.dotenv_file(rng, 600, 7) + "# a comment\n\nexport LAST_ONE='quoted value'\n"
    reading = _check("dotenv", text)
    assert reading is not None and len(reading.entries) > 20
    assert fastpath.read("dotenv", text + "ALPHA_BETA_3=again\n" + text.split("\n", 1)[0] + "\n", PREFILTER) is None


_NAME_WORDS = sorted(
    {w for p in PREFILTER._words for w in (p, p.lower())}
    | {w.upper() for w in re.findall(r"[a-z]{2,}", values_module._SECRET_NAME.pattern)}
    | {"HOST", "PORT", "ID", "URL", "KEY", "PAT", "PATH", "SERVICE", "17", "0", "2FA", "V1", "S3"}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NAME_WORDS), st.sampled_from(["_", "-", ".", ""])), min_size=1, max_size=4))
def test_a_generalised_name_answers_like_the_name(parts):
    name = "".join(word + separator for word, separator in parts).rstrip("_-.") or "X"
    generalised = PREFILTER.generalize_names(name)
    assert "\n" not in generalised
    assert PREFILTER.name_matters(name) == PREFILTER.name_matters(generalised)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(_NAME_WORDS), st.sampled_from(["_", "-", ".", ""])), max_size=4),
        max_size=12,
    ),
    st.integers(0, 10**6),
)
def test_dotenv_names_that_matter_by_digit_shape_are_those_that_matter(names_parts, seed):
    from keylint.fastpath.dotenv import _NamedShapes

    rng = random.Random(seed)
    # The same words with other digits too (SERVICE_17, SERVICE_3), so that shapes group several names.
    names = ["".join(word + separator for word, separator in parts).rstrip("_-.") for parts in names_parts]
    names += [re.sub("[0-9]+", lambda _: str(rng.randrange(1000)), name) for name in names]
    expected = {i for i, name in enumerate(names) if name and PREFILTER.name_matters(name)}
    assert _NamedShapes(PREFILTER).lines(names) == expected


_VALUE_PIECES = st.one_of(
    _SCALARS,
    st.sampled_from([*sorted(PREFILTER._examples), "PRIVATE KEY", "eyJ", "pypi-", "sig=", "a\\b", "é", "\u200b"]),
    st.builds(lambda i, seed: FORMATS[i % len(FORMATS)][1].generate(random.Random(seed))[: seed % 60],
              st.integers(0, 10_000), st.integers(0, 10**6)),
    st.text(alphabet="acgnACGN0123456789_-+/=.:@ ", min_size=10, max_size=80),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(_VALUE_PIECES, min_size=1, max_size=3).map("".join), max_size=8),
    st.sampled_from(["", "'", '"']),
)
def test_value_candidates_hold_every_value_that_matters(values, quote):
    from keylint.fastpath.candidates import ValueCandidates

    values = [value.replace("\n", " ") for value in values]
    possible = ValueCandidates(PREFILTER).possible([f"{quote}{value}{quote}" for value in values])
    assert possible == sorted(set(possible))
    for index, value in enumerate(values):
        if PREFILTER.value_matters(value):
            assert index in possible, value


@pytest.mark.parametrize("block", [1, 50, 1 << 20])
def test_yaml_read_a_block_at_a_time_is_the_same(monkeypatch, block):
    from keylint.fastpath import yaml as fast_yaml

    monkeypatch.setattr(fast_yaml, "_BLOCK", block)
    rng = random.Random(block)
    reading = _check("yaml", workloads.yaml_file(rng, 400, 7))
    assert reading is not None and len(reading.entries) > 20
    text = "a:\n  b: 1\n  list:\n  - x: 1\n    y: 2\n  - 3\nc: 'q' # c\nd: \"e\"\n"
    assert _check("yaml", text) is not None
    assert fastpath.read("yaml", text + "a: again\n", PREFILTER) is None


@pytest.mark.parametrize(
    "value",
    ["a:b", "a#b", "a :b", "http://x/y", "12:30", "a # c", "a  b", "a\x0cb", "x'y\"z", "ghp_" + "A" * 36, "-5", "é"],
)
@pytest.mark.parametrize("key", ["token", "name"])
def test_yaml_plain_values_with_colons_and_hashes_read_like_the_full_parser(key, value):
    for text in (f"{key}: {value}\n", f"top:\n  {key}: {value}  # note\n  other: 1\n", f"- {key}: {value}\n"):
        reading = _check("yaml", text)
        assert (reading is None) == ("\x0c" in value)  # a control character: libyaml refuses the file


_YAML_LINES = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "  ", "    ", "- ", "  - ", "---", "..."]),
        st.sampled_from(["", "a", "b", "k_1", "x" * 1030, "-1", "?", "on", "a.b/c-d", "'q'"]),
        st.sampled_from([":", ": ", ":  ", "", " :"]),
        st.text(alphabet="ab:#-'\"\\ []{},&*!|>%@`?\x7f\x00\x85\ufeff\u00e9~", max_size=8),
    ),
    max_size=10,
)


@settings(max_examples=1500, deadline=None)
@given(_YAML_LINES)
def test_yaml_read_without_libyaml_only_what_libyaml_accepts(lines):
    from yaml._yaml import CParser

    text = "\n".join(lead + key + colon + rest for lead, key, colon, rest in lines) + "\n"
    if _check("yaml", text) is not None:
        CParser(text).raw_parse()  # the file is valid YAML


def test_yaml_deeper_than_max_depth_is_left_to_the_full_parser():
    from keylint import limits

    text = "a:\n  b:\n    token: x\n"
    assert _check("yaml", text) is not None
    with limits.depth_limit(2):
        assert fastpath.read("yaml", text, PREFILTER) is None
        assert fastpath.read("yaml", "- a: 1\n", PREFILTER) is not None
        assert fastpath.read("yaml", "- a:\n  - 1\n", PREFILTER) is None
        assert parse("yaml", text).problems
