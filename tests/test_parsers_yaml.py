"""The YAML parser: values as loaded, exact positions, compose/K8s shapes, hostile input."""

from __future__ import annotations

import base64
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint.model import ParseResult
from keylint.parsers.yaml import parse
from parsertools import assert_inside, offset_of, only


def entries(result: ParseResult) -> dict[str, tuple]:
    return {e.key: (e.value, e.line, e.column) for e in result.entries}


# text, key, value, line, column, quote, comment
CASES = [
    ("key: value\n", "key", "value", 1, 6, "", None),
    ("key: value  # note\n", "key", "value", 1, 6, "", "note"),
    ("key: 'it''s'\n", "key", "it's", 1, 7, "'", None),
    ('key: "a\\tb\\u00e9"\n', "key", "a\tbé", 1, 7, '"', None),
    ('key: "x" # c\n', "key", "x", 1, 7, '"', "c"),
    ("a:\n  b:\n    c: deep\n", "a.b.c", "deep", 3, 8, "", None),
    ("key: |\n  line one\n  line two\n", "key", "line one\nline two\n", 2, 3, "|", None),
    ("key: >-  # folded\n\n    one\n    two\n", "key", "\none two", 3, 5, ">", "folded"),
    ("key: |2\n    extra\n  base\n", "key", "  extra\nbase\n", 2, 3, "|", None),
    ("key: plain\n  continued\n", "key", "plain continued", 1, 6, "", None),
    ("list:\n  - first\n  - {token: abc}\n", "list.1.token", "abc", 3, 13, "", None),
    ("list: [a, 'b']\n", "list.1", "b", 1, 12, "'", None),
    ("root scalar\n", "", "root scalar", 1, 1, "", None),
    ("key: ~\n", "key", "~", 1, 6, "", None),
    ("key:\n", "key", "", 1, 5, "", None),
    ("é: ü€😀 x\n", "é", "ü€😀 x", 1, 4, "", None),
    ("a: 1\r\nkey: v\r\n", "key", "v", 2, 6, "", None),
]


@pytest.mark.parametrize(("text", "key", "value", "line", "column", "quote", "comment"), CASES)
def test_value_and_position(text, key, value, line, column, quote, comment):
    result = parse(text)
    entry = only(result, key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, quote, comment)
    assert not result.problems and not result.failed
    assert_inside(text, result)
    if quote not in ("|", ">"):
        assert text[offset_of(text, line, column) - len(quote) :].startswith(entry.raw)


@pytest.mark.parametrize(("text", "key", "value", "line", "column", "quote", "comment"), CASES)
def test_pure_python_loader_agrees(monkeypatch, text, key, value, line, column, quote, comment):
    from keylint.parsers import yaml as parser

    monkeypatch.setattr(parser, "_LOADER", yaml.SafeLoader)
    entry = only(parser.parse(text), key)
    assert (entry.value, entry.line, entry.column, entry.quote, entry.comment) == (value, line, column, quote, comment)


def test_pure_python_loader_deep_nesting(monkeypatch):
    from keylint.parsers import yaml as parser

    monkeypatch.setattr(parser, "_LOADER", yaml.SafeLoader)
    result = parser.parse("[" * 5000 + "]" * 5000)
    assert result.failed and [p.kind for p in result.problems] == ["limit"]


@pytest.mark.parametrize("loader", [yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)])
def test_positions_count_a_leading_bom_and_yaml_only_line_breaks(monkeypatch, loader):
    from keylint.parsers import yaml as parser

    monkeypatch.setattr(parser, "_LOADER", loader)
    text = '\ufeffa: b\nc: "x\u2028y"\nd: e\n'
    result = parser.parse(text)
    assert [(e.key, e.line, e.column) for e in result.entries] == [("a", 1, 5), ("c", 2, 5), ("d", 3, 4)]


def test_block_scalar_key_line_and_raw():
    entry = only(parse("top:\n  key: |\n    secret\n"), "top.key")
    assert (entry.key_line, entry.line, entry.column) == (2, 3, 5)
    assert entry.raw.startswith("|")


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("yes", "bool"),
        ("on", "bool"),
        ("True", "bool"),
        ("0x1F", "int"),
        ("1_000", "int"),
        ("012", "int"),
        ("1.5", "float"),
        ("1e3", "str"),  # YAML 1.1 floats need a dot
        (".inf", "float"),
        ("~", "null"),
        ("null", "null"),
        ("2001-12-14", "timestamp"),
        ("12:30:45", "int"),  # sexagesimal
        ("sk_live_abc", "str"),
        ("'yes'", None),
        ('"1"', None),
        ("!!binary aGk=", "binary"),
        ("!vault abc", "!vault"),
    ],
)
def test_plain_scalars_carry_the_resolved_tag(source, tag):
    entry = only(parse(f"key: {source}\n"), "key")
    assert entry.tag == tag
    if source[0] not in "'\"!":
        assert entry.value == entry.raw == source


def test_every_document_of_a_stream():
    text = "a: 1\n---\na: 2\n...\n---\nb: three\n"
    result = parse(text)
    assert [(e.key, e.value, e.line) for e in result.entries] == [("a", "1", 1), ("a", "2", 3), ("b", "three", 6)]
    assert not result.problems  # the same key in two documents is no duplicate


def test_compose_environment_list():
    text = (
        "services:\n"
        "  api:\n"
        "    environment:\n"
        "      - OPENAI_API_KEY=sk-abc\n"
        "      - 'STRIPE_KEY=sk_live_x'  # live\n"
        "      - DEBUG\n"
        "      - EMPTY=\n"
    )
    result = parse(text)
    key = only(result, "services.api.environment.OPENAI_API_KEY")
    assert (key.value, key.line, key.column, key.quote, key.tag) == ("sk-abc", 4, 24, "", "str")
    stripe = only(result, "services.api.environment.STRIPE_KEY")
    assert (stripe.value, stripe.line, stripe.column, stripe.quote, stripe.comment) == ("sk_live_x", 5, 21, "'", "live")
    assert text[offset_of(text, 5, 21) :].startswith("sk_live_x'")
    assert stripe.position_of(3) == (5, 24)  # raw is the value part, as if quoted on its own
    assert only(result, "services.api.environment.2").value == "DEBUG"  # passed through from the host
    assert only(result, "services.api.environment.EMPTY").value == ""


def test_compose_environment_map():
    text = "services:\n  api:\n    environment:\n      OPENAI_API_KEY: sk-abc\n      PORT: 8080\n"
    result = parse(text)
    assert entries(result)["services.api.environment.OPENAI_API_KEY"] == ("sk-abc", 4, 23)
    assert only(result, "services.api.environment.PORT").tag == "int"


def test_kubernetes_env_list_is_named():
    text = (
        "spec:\n"
        "  containers:\n"
        "    - env:\n"
        "        - name: API_KEY\n"
        "          value: abc\n"
        "        - value: def\n"
        "          name: OTHER\n"
        "        - name: FROM_SECRET\n"
        "          valueFrom: {secretKeyRef: {name: s, key: k}}\n"
    )
    result = parse(text)
    api = only(result, "spec.containers.0.env.API_KEY")
    assert (api.value, api.line, api.column, api.key_line) == ("abc", 5, 18, 4)
    assert only(result, "spec.containers.0.env.OTHER").value == "def"
    assert only(result, "spec.containers.0.env.2.valueFrom.secretKeyRef.key").value == "k"
    assert not [e for e in result.entries if e.key.endswith(".name") and e.value in ("API_KEY", "OTHER")]


def test_kubernetes_secret_data_is_decoded():
    token = "sk_live_" + "a" * 24
    encoded = base64.b64encode(token.encode()).decode()
    text = (
        "apiVersion: v1\n"
        "data:\n"
        f"  token: {encoded}\n"
        "  bad: '!!notbase64'\n"
        "stringData:\n"
        "  plain: as-is\n"
        "kind: Secret\n"  # after `data`: still a Secret
        "---\n"
        "kind: ConfigMap\n"
        "data:\n"
        f"  token: {encoded}\n"
    )
    result = parse(text)
    secret, config = (e for e in result.entries if e.key == "data.token")
    assert (secret.value, secret.decoded_from, secret.raw, secret.line, secret.column) == (
        token,
        "base64",
        encoded,
        3,
        10,
    )
    assert (config.value, config.decoded_from) == (encoded, None)
    assert only(result, "stringData.plain").value == "as-is"
    assert [(p.kind, p.key, p.line) for p in result.problems] == [("invalid-base64", "data.bad", 4)]


def test_kubernetes_secret_in_a_list():
    encoded = base64.b64encode(b"hunter2").decode()
    text = f"kind: List\nitems:\n  - kind: Secret\n    data:\n      password: {encoded}\n"
    assert only(parse(text), "items.0.data.password").value == "hunter2"


def test_helm_template_does_not_crash():
    text = (
        "apiVersion: v1\n"
        "kind: Secret\n"
        "data:\n"
        "  {{- if .Values.token }}\n"
        "  token: {{ .Values.token | b64enc }}\n"
        "  {{- end }}\n"
    )
    result = parse(text)
    assert result.failed
    assert result.problems[0].kind == "syntax"
    assert_inside(text, result)


def test_duplicate_keys():
    text = "a: 1\nb:\n  c: 2\n  c: 3\na: 4\n"
    result = parse(text)
    assert [(p.kind, p.key, p.line) for p in result.problems] == [
        ("duplicate-key", "b.c", 4),
        ("duplicate-key", "a", 5),
    ]
    assert "line 1" in result.problems[1].message and "last" in result.problems[1].message
    assert not result.failed


def test_anchors_are_read_once_at_the_anchor():
    text = "base: &base\n  token: abc\nprod:\n  <<: *base\n  url: x\nother: *base\n"
    result = parse(text)
    assert [(e.key, e.line) for e in result.entries] == [("base.token", 2), ("prod.url", 5)]
    assert not result.problems


def test_merge_of_an_inline_mapping_adds_no_path_segment():
    result = parse("prod:\n  <<: {token: abc}\n  url: x\n")
    assert {e.key for e in result.entries} == {"prod.token", "prod.url"}


def test_alias_bomb_returns_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    result = parse(text)
    assert time.perf_counter() - started < 1
    assert len(result.entries) == 9
    assert [p.kind for p in result.problems] == ["alias-bomb"]
    assert not result.failed


def test_entry_cap_stops_with_a_limit(monkeypatch):
    from keylint.parsers import yaml as parser
    from keylint.parsers import yamlcore

    monkeypatch.setattr(yamlcore, "MAX_ENTRIES", 10)
    result = parser.parse("".join(f"k{i}: v\n" for i in range(50)))
    assert len(result.entries) == 10
    assert result.failed and [p.kind for p in result.problems] == ["limit"]


def test_recursive_alias():
    result = parse("a: &a [*a, x]\n")
    assert [e.key for e in result.entries] == ["a.1"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "x" + "}" * 10_000,
        "".join(" " * i + "k:\n" for i in range(10_000)) + " " * 10_000 + "v\n",
        "- " * 10_000 + "x\n",
    ],
    ids=["flow-seq", "flow-map", "block-map", "block-seq"],
)
def test_deep_nesting_is_a_limit_not_a_crash(text):
    started = time.perf_counter()
    result = parse(text)
    assert time.perf_counter() - started < 2
    assert result.failed
    assert [p.kind for p in result.problems] == ["limit"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\n b: 2\n", 2, 3),
        ("a: [1, 2\n", 2, 1),
        ("a: *nowhere\n", 1, 4),
        ("a: &x 1\nb: &x 2\n", 2, 4),
        ("a: \x07\n", 1, 4),
        ("ééé: \x07\n", 1, 6),
        ("\ufeffa: \x07\n", 1, 5),
    ],
)
def test_syntax_errors(text, line, column):
    result = parse(text)
    assert result.failed
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.column) == ("syntax", line, column)
    assert problem.message


def test_big_file_entry_count():
    text = "".join(f"k{i}:\n  token: 'v{i}'\n" for i in range(20000))
    result = parse(text)
    assert len(result.entries) == 20000
    assert result.entries[-1].line == 40000


# -- properties ---------------------------------------------------------------

_SPECIAL_KEYS = {"environment", "env", "data", "kind", "<<"}
_KEYS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6).filter(
    lambda k: k not in _SPECIAL_KEYS and "." not in k
)
_SCALARS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=15),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
_DATA = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=15,
)


def _flatten(data, path: tuple = ()) -> dict[str, object]:
    if isinstance(data, dict):
        out: dict[str, object] = {}
        for key, value in data.items():
            out.update(_flatten(value, (*path, str(key))))
        return out
    if isinstance(data, list):
        out = {}
        for index, value in enumerate(data):
            out.update(_flatten(value, (*path, str(index))))
        return out
    return {".".join(path): data}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_DATA, st.sampled_from([None, False, True]), st.sampled_from([None, '"', "'", "|"]))
def test_same_values_as_safe_load(data, flow, style):
    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, allow_unicode=True)
    result = parse(text)
    assert not result.failed and not result.problems
    expected = _flatten(yaml.safe_load(text))
    got = {e.key: e for e in result.entries}
    assert set(got) == set(expected)
    for key, value in expected.items():
        if isinstance(value, str):
            assert got[key].value == value
    assert_inside(text, result)
    for entry in result.entries:
        if entry.quote not in ("|", ">"):
            start = offset_of(text, entry.line, entry.column) - len(entry.quote)
            assert text.startswith(entry.raw, start), entry


@settings(max_examples=500)
@given(st.text(st.sampled_from("ab:-[]{}&*!|>'\"# \n\t,?.1~"), max_size=60) | st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str):
    assert_inside(text, parse(text))


def test_the_resolver_table_read_without_pyyaml_is_pyyaml_s():
    """keylint.parsers.yamlcore copies PyYAML's implicit resolvers (so the fast path need not import PyYAML)."""
    from keylint.parsers import yamlcore

    def table(resolvers: dict) -> list:
        return [(char, [(tag, r.pattern, r.flags) for tag, r in pairs]) for char, pairs in resolvers.items()]

    assert table(yamlcore.IMPLICIT) == table(yaml.SafeLoader.yaml_implicit_resolvers)
    assert (
        yaml.SafeLoader.yaml_implicit_resolvers is getattr(yaml, "CSafeLoader", yaml.SafeLoader).yaml_implicit_resolvers
    )
    values = "yes No on ~ null 1_000 0x1F 0b11 -.inf 1e3 1.5e+3 12:30:00 2001-12-14t21:59:43.10-05:00 2002-12-14"
    for value in ["", *values.split(), "<<", "=", "*", "ghp_x", "0123", "0o17", "08"]:
        expected = yaml.SafeLoader.resolve(yaml.SafeLoader(""), yaml.ScalarNode, value, (True, False))
        assert yamlcore.resolve(value) == expected, value


def test_libyaml_is_found_without_importing_pyyaml():
    probe = (
        "import sys\n"
        "from keylint.parsers import yamlcore\n"
        "found = yamlcore.libyaml_installed()\n"
        "assert 'yaml' not in sys.modules\n"
        "import yaml\n"
        "print(found, yamlcore.libyaml_installed(), hasattr(yaml, 'CSafeLoader'))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    found, loaded, actual = run.stdout.split()
    assert found == loaded == actual
