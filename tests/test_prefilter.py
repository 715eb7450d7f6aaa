"""The prefilter (keylint.prefilter) changes speed, never findings.

Every scan here runs twice, with the prefilter and with ``KEYLINT_NO_PREFILTER=1`` (every
value through detection and every entry rule), and must give the same findings: on the lint
corpus (damaged keys labelled with each format/hygiene/placeholder rule), on valid keys of
every registered format, and on generated files that put keys, damaged keys, placeholders,
URL credentials, private keys and expiring tokens into variables named for them, named for
another provider, and named for nothing at all.
"""

from __future__ import annotations

import base64
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint import prefilter
from keylint.config import Settings
from keylint.engine import analyse, detector_for
from keylint.model import Entry
from keylint.parsers import format_for
from keylint.rules import all_rules
from keylint.values import normalized_name
from lintcorpus import DAMAGE, FORMATS, LOOKALIKES, valid_files

SETTINGS = Settings()


def _findings(name: str, text: str, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> list[tuple]:
    if fast:
        monkeypatch.delenv("KEYLINT_NO_PREFILTER", raising=False)
    else:
        monkeypatch.setenv("KEYLINT_NO_PREFILTER", "1")
    assert prefilter.enabled() is fast
    findings, summary = analyse(name, name, format_for(name) or "lines", text, SETTINGS)
    rows = [
        (f.rule, f.line, f.column, f.key, f.provider, f.severity, f.message, f.secret, f.fix, f.fingerprint, f.extra)
        for f in findings
    ]
    secrets = [(e.key, e.line, m.provider, m.token) for e, m in summary.secrets]
    return [*sorted(rows, key=repr), ("summary", summary.keys, secrets)]


def _same(name: str, text: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    plain = _findings(name, text, monkeypatch, fast=False)
    fast = _findings(name, text, monkeypatch, fast=True)
    assert fast == plain, f"{name}: the prefilter changed the findings"
    return plain


def test_every_entry_rule_says_why_the_prefilter_keeps_its_values():
    entry_rules = {code for code, rule in all_rules().items() if rule.scope == "entry"}
    missing = sorted(entry_rules - set(prefilter.ENTRY_RULES))
    assert not missing, (
        f"entry rules {missing} are not in keylint.prefilter.ENTRY_RULES: check that the prefilter keeps every "
        "value they can report (and extend its triggers if not), then list them there"
    )
    assert not set(prefilter.ENTRY_RULES) - entry_rules


@pytest.mark.parametrize("rule", sorted(DAMAGE))
def test_lint_corpus_same_findings(rule, monkeypatch):
    total = 0
    for example in DAMAGE[rule]():
        total += len(_same(example.name, example.text, monkeypatch)) - 1
    assert total > 0


@pytest.mark.parametrize("seed", range(2))
def test_valid_keys_same_findings(seed, monkeypatch):
    for name, text in valid_files(seed).items():
        assert len(_same(name, text, monkeypatch)) > 10


_PLAIN_NAMES = ["description", "image", "replicas", "timeout", "region", "path", "label", "host", "name", "value"]
_SECRET_NAMES = ["api_key", "token", "client_secret", "db_password", "auth", "signing_key", "dsn", "session_key"]


def _damaged(token: str, rng: random.Random) -> str:
    """One of the damages the format rules explain (or none)."""
    roll = rng.randrange(9)
    i = rng.randrange(1, len(token))
    if roll == 0:
        return token[:i] + rng.choice("abcXYZ019") + token[i + 1 :]
    if roll == 1:
        return token[: -rng.randint(1, 4)]
    if roll == 2:
        return token + rng.choice(["x", "xy", token])
    if roll == 3:
        return token[:i] + rng.choice([" ", "\n  ", "\\n", "\u200b", "\u00a0"]) + token[i:]
    if roll == 4:
        return "".join(LOOKALIKES.get(c, c) if rng.random() < 0.1 else c for c in token)
    if roll == 5:
        return "\u201c" + token + "\u201d"
    if roll == 6 and len(token) > 4:
        j = rng.randrange(1, 4)
        return token[:j] + rng.choice("-_.") + token[j + 1 :]
    if roll == 7:
        return " " + token + " "
    return token


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlc2lnbmF0dXJl"


def _values(rng: random.Random) -> list[tuple[str, str]]:
    """(variable, value) pairs: keys and damaged keys in all sorts of variables, and the usual noise."""
    pairs = []
    for provider, fmt in FORMATS:
        token = fmt.generate(rng)
        own = (fmt.env_vars or provider.env_vars or (f"{provider.id.upper().replace('-', '_')}_KEY",))[0]
        for name in (own, rng.choice(_PLAIN_NAMES), rng.choice(_SECRET_NAMES)):
            pairs.append((name, _damaged(token, rng)))
    noise = [
        "postgres://app:Zk29fQ8wLpXr@db.internal:5432/app",
        "https://example.org/path?x=1",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        _jwt({"sub": "svc", "exp": 1_000_000_000}),
        _jwt({"sub": "svc"}),
        "sv=2022-11-02&se=2020-01-01T00:00:00Z&sig=" + "A" * 40,
        "your-api-key-here",
        "changeme",
        "${OPENAI_API_KEY}",
        "0755123456",
        "1e999",
        "",
        "abc#def",
        "pa$word1234",
        "9f8Kq2LmZx71PqR0aB3cD4eF",
        "wörd",
        "path-gateway",
        "x" * 40,
    ]
    names = _PLAIN_NAMES + _SECRET_NAMES + ["OPENAI_API_KEY", "github_org", "STRIPE_WEBHOOK", "GH_PAT", "sendgrid"]
    for value in noise:
        for name in rng.sample(names, 6):
            pairs.append((name, value))
    rng.shuffle(pairs)
    return pairs


def _dotenv(pairs: list[tuple[str, str]]) -> str:
    lines = []
    for i, (name, value) in enumerate(pairs):
        variable = f"{name.upper()}_{i}" if i % 3 else name.upper()
        lines.append(f"{variable}={json.dumps(value)}" if "\n" in value else f"{variable}={value}")
    return "\n".join(lines) + "\n"


def _yaml(pairs: list[tuple[str, str]]) -> str:
    lines = ["production:", "  services:"]
    for i, (name, value) in enumerate(pairs):
        lines.append(f"    s{i}:")
        lines.append(f"      {name}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("file_name", [".env.production", "config.yaml", "settings.json", "app.toml", ".env.example"])
def test_generated_configs_same_findings(seed, file_name, monkeypatch):
    pairs = _values(random.Random(seed))
    if file_name.startswith(".env"):
        text = _dotenv(pairs)
    elif file_name.endswith(".yaml"):
        text = _yaml(pairs)
    elif file_name.endswith(".json"):
        text = json.dumps({"services": [{"name": f"s{i}", n: v} for i, (n, v) in enumerate(pairs)]}, indent=2)
    else:
        text = "\n".join(f"[s{i}]\n{n} = {json.dumps(v)}" for i, (n, v) in enumerate(pairs))
    findings = _same(file_name, text, monkeypatch)
    assert len(findings) > 50


_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/@=+$#\"' \u200b\u0430\u201c"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(_PLAIN_NAMES + _SECRET_NAMES + ["OPENAI_API_KEY", "github_org", "x.y.aws_secret"]),
    value=st.one_of(
        st.text(alphabet=_ALPHABET, max_size=80),
        st.builds(
            lambda i, seed, cut: FORMATS[i % len(FORMATS)][1].generate(random.Random(seed))[cut:],
            st.integers(0, 10_000),
            st.integers(0, 10**6),
            st.integers(0, 3),
        ),
    ),
)
def test_skipped_values_have_no_match(name, value):
    _no_match_when_skipped(name, value)


_PREFIXES = sorted({f.prefix for _, f in FORMATS if f.prefix})


@settings(max_examples=600, deadline=None)
@given(
    name=st.sampled_from(_PLAIN_NAMES),
    lead=st.sampled_from(["", "x ", "https://h/?t=", "a-"]),
    prefix=st.sampled_from(_PREFIXES),
    tail=st.one_of(
        st.text(alphabet=_ALPHABET + "\n\\\u00a0", max_size=120),
        st.builds(
            lambda i, seed, cut, gap: (lambda t: t[:gap] + " \n " + t[gap:])(
                FORMATS[i % len(FORMATS)][1].generate(random.Random(seed))[cut:]
            ),
            st.integers(0, 10_000),
            st.integers(0, 10**6),
            st.integers(0, 12),
            st.integers(0, 60),
        ),
    ),
)
def test_words_that_begin_like_a_prefix(name, lead, prefix, tail):
    """Values holding a registered prefix are skipped only when no match can follow it (too short a run)."""
    _no_match_when_skipped(name, lead + prefix + tail)


def _no_match_when_skipped(name: str, value: str) -> None:
    """What the prefilter skips, the detector finds nothing in (the entry rules then need a name it keeps)."""
    detector = detector_for(SETTINGS)
    if prefilter.prefilter_for(detector).matters(name, value):
        return
    assert detector.find(Entry(name, value, value, 1, 1)) == []


def _name_matters_everything(last: str) -> bool:
    """The prefilter's name test without its shortcuts: every predicate a rule asks about a name."""
    from keylint.rules.format import provider_named_by
    from keylint.rules.placeholder import _API_CREDENTIAL
    from keylint.values import names_secret, normalized_name

    detector = detector_for(SETTINGS)
    providers = detector.providers
    return bool(
        names_secret(last)
        or detector.candidates_for_name(last)
        or any(detector.named_for(p.id, last) for p in providers)
        or provider_named_by(last, providers)
        or _API_CREDENTIAL.search(normalized_name(last))
    )


_NAME_WORDS = sorted(
    {w for p, f in FORMATS for v in (*p.env_vars, *f.env_vars) for w in v.split("_")}
    | {"API", "KEY", "SECRET", "TOKEN", "PASS", "AUTH", "PRIVATE", "CLIENT", "PORT", "HOST", "URL", "ID", "PAT"}
    | {"1", "12", "2024", "V2", "S3"}
)


@settings(max_examples=1500, deadline=None)
@given(
    words=st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=4),
    separator=st.sampled_from(["_", "-", ".", ""]),
    case=st.sampled_from([str.upper, str.lower, str.title]),
)
def test_name_test_keeps_every_name_a_rule_asks_about(words, separator, case):
    name_matters = prefilter.prefilter_for(detector_for(SETTINGS)).name_matters
    name = case(separator.join(words))
    # numbered names too (SERVICE_7_TOKEN): the prefilter remembers names by their shape, numbers generalised
    for variant in (name, name + separator + "7", "7" + separator + name):
        if _name_matters_everything(variant):
            assert name_matters(variant), variant


def _name_matters_plainly(pre: prefilter.Prefilter, last: str) -> bool:
    """Prefilter._name_matters as it read before its shortcuts: names_secret and normalized_name asked every time."""
    from keylint.values import names_secret, normalized_name

    if names_secret(last):
        return True
    name = normalized_name(last)
    if pre._api_credential.search(name):
        return True
    parts = name.split("_")
    if parts[-1] in pre._variable_ends and (
        pre._candidates_for_name(last) or any("_".join(parts[i:]) in pre._variables for i in range(len(parts)))
    ):
        return True
    return any(tuple(parts[i : i + len(s)]) == s for i, part in enumerate(parts) for s in pre._words.get(part, ()))


@settings(max_examples=1500, deadline=None)
@given(
    words=st.lists(st.sampled_from([*_NAME_WORDS, "", "é", "K", "Key", "PASS", "ſecret"]), min_size=1, max_size=4),
    separators=st.lists(st.sampled_from(["_", "__", "-", "", "_-", " ", "0", "."]), min_size=4, max_size=4),
    case=st.sampled_from([str.upper, str.lower, str.title, str]),
)
def test_name_shortcuts_answer_as_names_secret_and_normalized_name(words, separators, case):
    pre = prefilter.prefilter_for(detector_for(SETTINGS))
    last = case("".join(w + s for w, s in zip(words, separators[: len(words)], strict=True)))
    assert pre._name_matters(last) == _name_matters_plainly(pre, last), last
    if "." not in last:
        assert prefilter._normalized(last) == normalized_name(last), last


def _key_possible_by_walk(value: str, start: int, shortest: str) -> bool:
    """Prefilter._key_possible without its shortcut: the body walked character by character."""
    pre = prefilter.prefilter_for(detector_for(SETTINGS))
    prefixes = pre._prefixes_at(value, start, shortest)
    if not prefixes:
        return True
    need, allowed, skip = pre._body_of(prefixes)
    if need == 0:
        return True
    count = gaps = 0
    in_gap = False
    for char in value[start + skip :]:
        if char in allowed:
            count += 1
            if count >= need:
                return True
            in_gap = False
        elif char.isspace() or char == "\\":
            if not in_gap:
                gaps += 1
                if gaps > prefilter._MAX_GAPS:
                    return False
                in_gap = True
        else:
            return False
    return False


@settings(max_examples=1000, deadline=None)
@given(
    lead=st.sampled_from(["", "x ", "a-", "=", "k\\"]),
    prefix=st.sampled_from(_PREFIXES),
    # bodies around the length a prefix needs: whole, cut short, with gaps and characters outside any alphabet
    tail=st.lists(st.sampled_from([*"Az9_-=+/ .#é", "\n", "\\"]), max_size=90).map("".join),
    whole=st.integers(0, 90),
)
def test_key_possible_answers_as_the_body_walk(lead, prefix, tail, whole):
    pre = prefilter.prefilter_for(detector_for(SETTINGS))
    value = lead + prefix + "a" * whole + tail
    hit = pre._hits.search(value)
    while hit is not None:
        start, shortest = hit.start(), hit.group()
        assert pre._key_possible(value, start, shortest) == _key_possible_by_walk(value, start, shortest), value
        hit = pre._hits.search(value, start + 1)


@settings(max_examples=1000, deadline=None)
@given(
    lead=st.sampled_from(["", "x ", "a-", "="]),
    prefix=st.sampled_from([*_PREFIXES, "POSTMARK_API_TEST"]),
    tail=st.lists(st.sampled_from([*"Az9_-=+/ .#é", "\\"]), max_size=20).map("".join),
    whole=st.integers(0, 12),
)
def test_values_too_short_for_a_key_answer_as_the_prefix_search(lead, prefix, tail, whole):
    pre = prefilter.prefilter_for(detector_for(SETTINGS))
    searching = prefilter.Prefilter(detector_for(SETTINGS), detector_for(SETTINGS).providers)
    searching._shortest_key = 0  # every value searched for prefixes
    value = lead + prefix + "a" * whole + tail
    assert pre._value_matters(value) == searching._value_matters(value), value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blocks=st.lists(
        st.sets(st.sampled_from([*_PLAIN_NAMES, *_SECRET_NAMES, "OPENAI_API_KEY", "x.y.aws_secret", "port_7"])),
        max_size=6,
    ),
    remembered=st.sampled_from([0, 3, 65536]),
)
def test_name_answers_are_what_name_matters_answers(blocks, remembered, monkeypatch):
    """Looked up block after block (names repeating, the memory full or not), as name_matters answers each."""
    monkeypatch.setattr(prefilter, "_NAMES_REMEMBERED", remembered)
    pre = prefilter.Prefilter(detector_for(SETTINGS), detector_for(SETTINGS).providers)
    for names in blocks:
        answers = pre.name_answers()
        assert len(answers) <= remembered + 1
        assert list(map(answers.__getitem__, names)) == [pre.name_matters(name) for name in names]
        assert answers is pre.name_answers() or len(answers) > remembered  # kept for the run, up to the bound


def _prefilter_with(*templates: str) -> prefilter.Prefilter:
    """A prefilter for the registry plus a provider of each template (as a config file's [[providers]] adds)."""
    from keylint.config import _provider
    from keylint.detect import Detector
    from keylint.providers import all_providers

    extra = tuple(_provider({"id": f"digits{i}", "template": t}, "test") for i, t in enumerate(templates))
    detector = Detector(all_providers(extra))
    return prefilter.Prefilter(detector, detector.providers)


_DIGIT_PREFILTERS = [prefilter.prefilter_for(detector_for(SETTINGS)), _prefilter_with("99{digit:14}"),
                     _prefilter_with("4{digit:15}", "acme_{alnum:20}")]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=40),
                 st.text(alphabet="0123456789", min_size=40, max_size=700),
                 st.text(alphabet="0123456789٣０²", min_size=1, max_size=20),  # digits beyond ASCII
                 st.sampled_from(["99", "9912345678901234", "4123456789012345", "0", "00000000000000"])),
       st.sampled_from(range(len(_DIGIT_PREFILTERS))))  # fmt: skip
def test_values_of_digits_alone_answer_as_the_whole_test(value, which):
    # Digits alone are answered without the prefix search and the near-miss window only where no prefix is made of
    # digits (a config's provider may register one): the same answer as the whole test gives.
    fast = _DIGIT_PREFILTERS[which]
    plain = prefilter.Prefilter.__new__(prefilter.Prefilter)
    plain.__dict__.update(fast.__dict__, _digits_quiet=False)
    assert fast._value_matters(value) == plain._value_matters(value)
    assert fast._digits_quiet == (which == 0)  # the registry has no prefix of digits; the others add one


def test_a_prefix_of_digits_keeps_values_of_digits():
    assert _DIGIT_PREFILTERS[1].value_matters("9912345678901234")
    assert _DIGIT_PREFILTERS[2].value_matters("4123456789012345")
    assert not _DIGIT_PREFILTERS[0].value_matters("9912345678901234")


def _prefilter_with_example(example: str) -> prefilter.Prefilter:
    """A prefilter for the registry whose detector also knows ``example`` as a documented example key."""
    from keylint.detect import Detector
    from keylint.providers import all_providers

    detector = Detector(all_providers(()))
    detector.examples = {**detector.examples, example: next(iter(detector.examples.values()))}
    return prefilter.Prefilter(detector, detector.providers)


_ANSWERING_PREFILTERS = [*_DIGIT_PREFILTERS, _prefilter_with_example("31415926535897932384")]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="0123456789", min_size=0, max_size=30),
                          st.text(alphabet="0123456789", min_size=30, max_size=600),
                          st.text(alphabet="0123456789٣０²-+. eE", min_size=1, max_size=12),  # lookalike digits, signs
                          st.sampled_from(["31415926535897932384", "9912345678901234", "4123456789012345", "0", "-1",
                                           "1e5", "sk_live_1234", ""])),
                max_size=12),
       st.sampled_from(range(len(_ANSWERING_PREFILTERS))))  # fmt: skip
def test_answers_of_values_answer_digits_alone_as_value_matters(texts, which):
    # Answers with digits_turned_away answers a text of ASCII digits alone itself (the JSON reader's values): the
    # same answer value_matters gives, also under a provider of digits and beside a documented example of digits.
    pre = _ANSWERING_PREFILTERS[which]
    answers = prefilter.Answers(pre.value_matters, prefilter._REMEMBERED_LENGTH, pre.digits_turned_away)
    texts += texts[::2]  # asked again: kept answers
    assert [answers[text] for text in texts] == [pre.value_matters(text) for text in texts]
    assert pre.digits_turned_away == (which == 0)  # a prefix of digits, or an example of digits, turns it off
