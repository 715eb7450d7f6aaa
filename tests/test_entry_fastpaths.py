"""The per-entry shortcuts (#8) answer exactly what the plain computations they replace answer.

Each helper that detection, the rules or the making of findings use in a faster form is compared
here with the straightforward version it replaced, on generated inputs: entropy from tabled
terms, word lists searched by one trie regex, the directive check without case folding, the scrub
pre-check on 4-character pieces (one every 5 characters), runs of a key's alphabet read by regex, the prefixes tried
at a position, the prefilter's name cache for key paths, and names and kind conflicts remembered by the last
component of a key path, fingerprints hashed from a copy of the keyed hash, and findings made by position; and
that no entry-scope rule reports anything on an entry its gate turns away.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from hashlib import blake2b

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import detect, diagnose, redact, suppress, values
from keylint.config import Settings
from keylint.engine import FileContext, detector_for, is_template, make_finding
from keylint.gitinfo import GitState
from keylint.model import Entry, Finding, Match, Severity
from keylint.parsers import format_for, parse
from keylint.prefilter import ENTRY_RULES, prefilter_for
from keylint.records import fields
from keylint.rules import (
    VALUE_MARKER,
    Problem,
    Rule,
    all_rules,
    entry_shape,
    file_facts,
    hygiene,
    repeat_span,
    shape_facts,
    stale,
)
from keylint.rules import format as format_rules
from lintcorpus import DAMAGE, valid_files


def _plain_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aab01XYZ-_=+/é"), max_size=300))
def test_entropy_is_the_same_float(value):
    assert repr(values.entropy(value)) == repr(_plain_entropy(value))


def test_entropy_of_long_values_is_the_same_float():
    value = "".join(chr(33 + (i * 7919) % 90) for i in range(values._TABLED_LENGTH * 3))
    for size in (values._TABLED_LENGTH - 1, values._TABLED_LENGTH, values._TABLED_LENGTH + 1, len(value)):
        assert repr(values.entropy(value[:size])) == repr(_plain_entropy(value[:size]))


_WORD_LISTS = {
    "placeholder": (values._PLACEHOLDER_WORDS, values._placeholder_words),
    "placeholder marks": (diagnose._PLACEHOLDER_MARKS, diagnose._placeholder_marks),
}


@settings(max_examples=2000, deadline=None)
@given(
    which=st.sampled_from(sorted(_WORD_LISTS)),
    head=st.text(alphabet="abcdehimnorstxy0_-<>*.#", max_size=20),
    piece=st.integers(min_value=0, max_value=200),
    cut=st.integers(min_value=0, max_value=12),
    tail=st.text(alphabet="abcdehimnorstxy0_-<>*.#", max_size=20),
)
def test_word_regex_finds_what_a_search_per_word_finds(which, head, piece, cut, tail):
    words, pattern = _WORD_LISTS[which]
    word = words[piece % len(words)]
    text = head + word[: max(1, len(word) - cut)] + tail  # a word, or the head of one
    assert (pattern().search(text) is not None) == any(w in text for w in words), text


def test_words_pattern_on_words_that_are_heads_of_others():
    words = ("ab", "abc", "b", "xyz", "xy")
    pattern = re.compile(values.words_pattern(words))
    for text in ("", "a", "ab", "ac", "zzb", "x", "xy", "xz", "cab"):
        assert (pattern.search(text) is not None) == any(w in text for w in words), text


def _alternation_longest_first(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def test_longest_words_pattern_matches_what_the_alternation_matches():
    words = ["ab", "abc", "abcd", "b", "xyz", "xy", "x-y"]
    trie = re.compile(values.words_pattern(words, longest=True))
    plain = _alternation_longest_first(words)
    for text in ("", "a", "ab", "abc", "abcde", "abx", "xyzab", "x-y-z", "zzb", "babcd", "xxy"):
        assert [(m.span(), m.group()) for m in trie.finditer(text)] == [
            (m.span(), m.group()) for m in plain.finditer(text)
        ], text


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12), noise=st.text(max_size=30))
def test_detector_prefix_regex_finds_what_the_alternation_of_its_prefixes_finds(pieces, noise):
    """Detection's prefix regex (a trie, longest prefix first) against the plain alternation it replaces."""
    detector = detector_for(Settings())
    prefixes = detector._prefix_list
    plain = re.compile("(?<![A-Za-z0-9])(?:" + _alternation_longest_first(prefixes).pattern + ")")
    text = noise.join(prefixes[i % len(prefixes)][: 1 + i % 7] + prefixes[(i // 7) % len(prefixes)] for i in pieces)
    assert [(m.span(), m.group()) for m in detector._prefix_re.finditer(text)] == [
        (m.span(), m.group()) for m in plain.finditer(text)
    ]


def test_directive_lines_are_found_wherever_lower_case_reads_keylint():
    """Every character whose lower case puts a letter of "keylint" in its place is one the search for candidate
    lines accepts there (suppress._KEYLINT_ANY_CASE, searched in blocks that are not ASCII)."""
    for position in range(len("keylint")):
        for code in range(sys.maxunicode + 1):
            text = "# " + "keylint"[:position] + chr(code) + "keylint"[position + 1 :]
            if "keylint" in text.lower():
                assert suppress._KEYLINT_ANY_CASE.search(text), hex(code)


def _plain_secret_runs(text: str, secret: str, first: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    size = len(text)
    j = 0
    while j + 8 <= size:
        found = secret.find(text[j : j + 8], first)
        if found < 0:
            j += 1
            continue
        end = j + 8
        while end < size and found + end - j < len(secret) and text[end] == secret[found + end - j]:
            end += 1
        if runs and j <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((j, end))
        j = max(j + 1, end - 7)
    return runs


@settings(max_examples=3000, deadline=None)
@given(
    secret=st.text(alphabet="abcd12", min_size=8, max_size=40),
    text=st.text(alphabet="abcd12 x", max_size=60),
    start=st.integers(min_value=0, max_value=40),
    size=st.integers(min_value=0, max_value=40),
    first=st.integers(min_value=0, max_value=16),
)
def test_scrub_runs_are_the_plain_ones(secret, text, start, size, first):
    text = text[:10] + secret[start : start + size] + text[10:]  # often quoting a piece of the secret
    assert redact._secret_runs(text, secret, first) == _plain_secret_runs(text, secret, first)


@settings(max_examples=5000, deadline=None)
@given(
    secret=st.text(alphabet=st.sampled_from("ab c1…é"), max_size=40) | st.text(max_size=40),
    text=st.text(alphabet=st.sampled_from("ab c1…é.x"), max_size=60),
    start=st.integers(min_value=0, max_value=40),
    size=st.integers(min_value=0, max_value=40),
    at=st.integers(min_value=0, max_value=60),
)
def test_scrub_precheck_passes_every_shared_window(secret, text, start, size, at):
    """redact._may_share_window is False only where no 8-character window of the text occurs in the secret: texts
    longer and shorter than the secret, words split at spaces that the secret holds or not, quoting a piece of it."""
    text = text[:at] + secret[start : start + size] + text[at:]
    shared = any(text[j : j + 8] in secret for j in range(len(text) - 7))
    assert redact._may_share_window(text, secret) or not shared, (text, secret)


def test_scrub_precheck_finds_a_lone_window_at_every_position():
    """One shared window of exactly 8 characters, at every position of a word of the text and of the secret, with
    and without a space before it (in the text, the secret or both), the text shorter or longer than the secret."""
    for piece in ("Ab3$k9Zq", "ab cd ef"):
        for at in range(24):
            for around in range(0, 30, 3):
                for head in ("", "x x ", "in key."):
                    text = head + "x" * at + piece + "x" * around
                    secret = "y" * around + piece + "y" * at
                    for spaced in (secret, secret + " y", "y " + secret):
                        assert redact._may_share_window(text, spaced), (text, spaced)
                        assert redact._may_share_window(spaced, text), (spaced, text)


@settings(max_examples=1000, deadline=None)
@given(value=st.text(alphabet="abcXYZ019_-+/= \n", max_size=40), pos=st.integers(min_value=0, max_value=40))
def test_charset_run_ends_where_a_character_loop_ends(value, pos):
    pos = min(pos, len(value))
    for charset in (frozenset("abc019"), frozenset("abcXYZ019_-"), frozenset("+/="), frozenset()):
        end = pos
        while end < len(value) and value[end] in charset:
            end += 1
        assert detect._run_end(value, pos, charset, {}) == end


def test_prefixes_tried_at_a_position_are_every_prefix_found_there():
    detector = detector_for(Settings())
    for longest in detector._prefix_list:
        found = [p for p in detector._prefix_list if (longest + "x").startswith(p)]
        assert detector._prefixes_in(longest) == found, longest


@settings(max_examples=500, deadline=None)
@given(
    path=st.lists(st.sampled_from(["services", "12", "app", "db", "spec"]), max_size=3),
    last=st.sampled_from(["api_key", "name", "HOST_17", "OPENAI_API_KEY", "github_token", "port", "password"]),
)
def test_a_key_path_answers_like_its_last_component(path, last):
    detector = detector_for(Settings())
    fresh = type(prefilter_for(detector))(detector, detector.providers)  # nothing remembered yet
    key = ".".join([*path, last])
    assert fresh.name_matters(key) == fresh.name_matters(last) == prefilter_for(detector).name_matters(key)
    assert all("." not in name for name in fresh._names), "key paths are not remembered"


def _plain_benign_kind(value: str) -> str | None:
    """values.benign_kind before its regexes were gated on the characters they need."""
    v = value.strip()
    if not v:
        return "empty"
    if v.lower() in {"true", "false", "yes", "no", "on", "off", "null", "none", "~"}:
        return "boolean or null"
    checks = (
        (values._NUMBER, "number"),
        (values._VERSION, "version"),
        (values._UUID, "uuid"),
        (values._HASH, "hash"),
        (values._SRI, "hash"),
        (values._DIGEST, "image digest"),
        (values._EMAIL, "email address"),
        (values._PATHLIKE, "path"),
    )
    for pattern, kind in checks:
        if pattern.match(v):
            return kind
    if values._PUBLIC_KEY.search(v):
        return "public key"
    if values._URL.match(v) and "@" not in v.split("://", 1)[1].split("/", 1)[0]:
        return "url"
    if values._IMAGE.match(v) and "/" in v:
        return "image reference"
    if " " in v and len(v.split()) >= 3:
        return "text"
    return None


_SHAPES = [
    "1.2.3",
    "v2.0.1-rc1",
    "12e5",
    "0x1F",
    "a@b.co",
    "x@y",
    "/etc/ssl/key.pem",
    "~/x",
    "../a",
    "C:\\keys",
    "certs/tls.key",
    "https://host/x",
    "postgres://u:p@h/db",
    "ssh-rsa AAAA",
    "ecdsa-sha2-nistp256 AAAA",
    "-----BEGIN PUBLIC KEY-----",
    "-----BEGIN RSA PUBLIC KEY-----",
    "nginx:1.25",
    "ghcr.io/org/app:v1",
    "sha256:" + "a" * 64,
    "sha512-" + "A" * 86 + "==",
    "0" * 40,
    "true",
    "a b c",
    "${VAR}",
    "{{ .Values.x }}",
]


@settings(max_examples=3000, deadline=None)
@given(
    shape=st.sampled_from(_SHAPES),
    head=st.text(alphabet="aZ0:/@.-_ \\{}$", max_size=6),
    tail=st.text(alphabet="aZ0:/@.-_ \\{}$", max_size=6),
    cut=st.integers(min_value=0, max_value=5),
)
def test_benign_kind_and_references_are_the_plain_answers(shape, head, tail, cut):
    for value in (shape, head + shape + tail, shape[cut:], head + tail):
        assert values.benign_kind(value) == _plain_benign_kind(value), value
        assert values.has_embedded_reference(value) == bool(values._EMBEDDED_REFERENCE.search(value)), value


def _matchless_contexts(extra: Iterable[tuple[str, str]] = ()):
    """Every entry of the lint corpus, of generated files of valid keys and of ``extra`` (name, text) files, in
    a context a rule may react to (a template, a tracked file, an environment), for each file."""
    files = [(example.name, example.text) for make in DAMAGE.values() for example in make()]
    files += list(valid_files(0).items())
    files += extra
    for name, text in files:
        fmt = format_for(name) or "lines"
        parsed = parse(fmt, text)
        for template, git in (
            (is_template(name), None),
            (True, GitState("tracked", ".", name)),
            (False, GitState("staged", ".", name)),
        ):
            ctx = FileContext(
                path=name,
                display=name,
                fmt=fmt,
                text=text,
                parsed=parsed,
                matches=[[] for _ in parsed.entries],
                settings=Settings(),
                template=template,
                environment="production",
                git=git,
            )
            yield ctx


def test_rules_about_a_match_report_nothing_without_one():
    """The engine does not start them for an entry without a detector match (prefilter.ENTRY_RULES)."""
    about_a_match = [rule for code, rule in all_rules().items() if ENTRY_RULES.get(code) == "matches"]
    assert len(about_a_match) >= 10
    entries = 0
    for ctx in _matchless_contexts():
        for entry in ctx.entries:
            entries += 1
            for rule in about_a_match:
                assert not list(rule.check(entry, [], ctx)), (rule.code, ctx.display, entry.key)
    assert entries > 1000


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlc2lnbmF0dXJl"


# Values each rule about a value marker reports, and near misses of them (in a .env file, also read as YAML).
_MARKED_VALUES = "\n".join(
    f"{name}={value}"
    for name, value in (
        ("DATABASE_URL", "postgres://app:Zk29fQ8wLpXr@db.internal:5432/app"),
        ("DOCS_URL", "https://example.org/path?x=1"),
        ("TLS_KEY", '"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA\\n-----END RSA PRIVATE KEY-----"'),
        ("OLD_TOKEN", _jwt({"sub": "svc", "exp": 1_000_000_000})),
        ("SOON_TOKEN", _jwt({"sub": "svc", "exp": int(time.time()) + 86400})),
        ("LATER_TOKEN", _jwt({"sub": "svc", "nbf": int(time.time()) + 10 * 86400})),
        ("SERVICE_TOKEN", _jwt({"sub": "svc"})),
        ("AZURE_SAS", "sv=2022-11-02&se=2020-01-01T00:00:00Z&sig=" + "A" * 40),
        ("NOT_A_JWT", "eyJnotajwt"),
    )
)


def test_rules_about_a_value_marker_report_nothing_without_one():
    """The engine starts the rules of prefilter.ENTRY_RULES' "value" kind only for a value that holds one of
    rules.VALUE_MARKER's markers."""
    about_a_value = {code: rule for code, rule in all_rules().items() if ENTRY_RULES.get(code) == "value"}
    assert sorted(about_a_value) == ["KL103", "KL104", "KL601", "KL602", "KL603", "KL604"], "update _VALUE_MARKER"
    unmarked = marked_findings = 0
    for ctx in _matchless_contexts([(".env.production", _MARKED_VALUES), ("settings.yaml", _MARKED_VALUES)]):
        for entry in ctx.entries:
            found = [p for rule in about_a_value.values() for p in rule.check(entry, [], ctx)]
            if VALUE_MARKER.search(entry.value) is None:
                unmarked += 1
                assert not found, (ctx.display, entry.key)
            else:
                marked_findings += len(found)
    assert unmarked > 1000
    assert marked_findings > 10  # the corpus has URL credentials, private keys and tokens with an expiry


_NAME_PARTS = ["api", "key", "API_KEY", "secret", "token", "pass", "file", "path", "_", "-", ".", "db", "Auth", "K"]


@settings(max_examples=2000, deadline=None)
@given(path=st.lists(st.sampled_from(_NAME_PARTS), max_size=8), head=st.sampled_from(["", "app.", "0.", "a.b."]))
def test_names_secret_answers_like_the_regexes_on_the_last_component(path, head):
    key = head + "".join(path)
    name = key.rsplit(".", 1)[-1] if key else ""
    plain = bool(values._SECRET_NAME.search(name)) and not values._NOT_SECRET_NAME.search(name)
    assert values.names_secret(key) == plain, key


@settings(max_examples=2000, deadline=None)
@given(
    path=st.lists(st.sampled_from([*_NAME_PARTS, "é", "ϰ", " "]), max_size=8), head=st.sampled_from(["", "app.", "0."])
)
def test_normalized_name_is_the_plain_one(path, head):
    key = head + "".join(path)
    name = key.rsplit(".", 1)[-1] if key else ""
    assert values.normalized_name(key) == re.sub(r"[^A-Za-z0-9]+", "_", name).upper(), key


def _plain_kind_conflict(key: str, match: Match) -> str | None:
    """rules.format.kind_conflict as it was before it remembered its answers."""
    parts = set(values.normalized_name(key).split("_"))
    name = values.normalized_name(key)
    if parts & format_rules._SECRET_WORDS and not match.is_secret:
        return "public"
    if parts & format_rules._PUBLIC_WORDS and match.is_secret and not parts & format_rules._SECRET_WORDS:
        return "secret"
    if match.provider == "aws":
        wants_id = name.endswith(("KEY_ID", "ACCESS_KEY")) and "SECRET" not in parts
        if wants_id and match.kind == "secret-access-key":
            return "aws-secret-in-id"
        if "SECRET" in parts and match.kind.endswith("access-key-id"):
            return "aws-id-in-secret"
    return None


_KIND_NAME_PARTS = ["aws", "SECRET", "access", "KEY", "id", "public", "PK", "sk", "stripe", "_", "-", ".", "private"]


@settings(max_examples=3000, deadline=None)
@given(
    path=st.lists(st.sampled_from(_KIND_NAME_PARTS), max_size=7),
    provider=st.sampled_from(["aws", "stripe", "github"]),
    kind=st.sampled_from(
        ["secret-access-key", "access-key-id", "temporary-access-key-id", "secret-key", "publishable"]
    ),
    is_secret=st.booleans(),
)
def test_kind_conflict_remembered_is_the_plain_answer(path, provider, kind, is_secret):
    key = "".join(path)
    match = Match(provider=provider, kind=kind, token="x" * 20, start=0, end=20, valid=True, is_secret=is_secret)
    assert format_rules.kind_conflict(key, match) == _plain_kind_conflict(key, match), key
    assert format_rules.kind_conflict(key, match) == _plain_kind_conflict(key, match), key  # now remembered


_PATH_TEXT = st.text(alphabet=st.sampled_from("aZ0/._-\0é\udc80 "), max_size=30)


@settings(max_examples=1000, deadline=None)
@given(rule=_PATH_TEXT, path=_PATH_TEXT, key=st.none() | _PATH_TEXT, secret=st.none() | st.text(max_size=80))
def test_fingerprints_are_the_one_shot_keyed_hash(rule, path, key, secret):
    material = "\0".join((rule, path, key or "", secret or "", "")).encode("utf-8", "surrogatepass")
    expected = blake2b(material, key=b"keylint-fingerprint-v1", digest_size=16).hexdigest()
    assert redact.fingerprint(rule, path, key, secret) == expected
    if secret is not None:
        plain = blake2b(secret.encode("utf-8", "surrogatepass"), key=b"keylint-fingerprint-v1", digest_size=16)
        assert redact.secret_digest(secret) == plain.hexdigest()


def _finding_by_name(rule: Rule, problem: Problem, display: str, settings: Settings) -> Finding:
    """engine.make_finding as it was before it passed the fields by position."""
    entry = problem.entry
    key = problem.key if problem.key is not None else (entry.key if entry else None)
    path = problem.path or display
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=settings.severity.get(rule.code) or problem.severity or rule.severity,
        category=rule.category,
        path=path,
        line=problem.line if problem.line is not None else (entry.line if entry else 1),
        column=problem.column if problem.column is not None else (entry.column if entry else 1),
        key=key,
        provider=problem.provider,
        message=redact.scrub(problem.message, problem.secret, problem.public_prefix),
        secret=problem.secret,
        fix=redact.scrub(problem.fix, problem.secret, problem.public_prefix) if problem.fix else None,
        fingerprint=redact.fingerprint(rule.code, path, key, problem.secret),
        extra=dict(problem.extra),
    )


@settings(max_examples=1000, deadline=None)
@given(
    code=st.sampled_from(["KL101", "KL102", "KL401", "KL210"]),
    secret=st.none() | st.text(alphabet="abAB01_-", min_size=0, max_size=40),
    message=st.text(alphabet="abAB01 _-", max_size=60),
    fix=st.none() | st.text(alphabet="abAB01 _-", max_size=30),
    key=st.none() | st.text(max_size=10),
    line=st.none() | st.integers(min_value=1, max_value=9),
    path=st.none() | st.just("other.env"),
    severity=st.none() | st.sampled_from(list(Severity)),
    with_entry=st.booleans(),
    overrides=st.booleans(),
)
def test_make_finding_fills_every_field_as_by_name(
    code, secret, message, fix, key, line, path, severity, with_entry, overrides
):
    rule = all_rules()[code]
    entry = Entry(key="app.api_key", value="v", raw="v", line=3, column=5) if with_entry else None
    problem = Problem(
        message + (secret or "")[2:20],  # often quoting a piece of the secret
        entry=entry,
        line=line,
        key=key,
        provider="github",
        secret=secret,
        fix=fix,
        severity=severity,
        path=path,
        public_prefix=2,
        extra={"kind": "generic"},
    )
    run_settings = Settings(severity={code: Severity.WARNING}) if overrides else Settings()
    made = make_finding(rule, problem, "app/.env", run_settings)
    expected = _finding_by_name(rule, problem, "app/.env", run_settings)
    assert [getattr(made, name) for name in fields(Finding)] == [getattr(expected, name) for name in fields(Finding)]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09 _-.é²Ⅻ\t"), max_size=12) | st.text(max_size=12))
def test_one_character_class_is_the_plain_count(value):
    assert values._one_character_class(value) == (values._character_classes(value) < 2), repr(value)


# Values of the shapes the gates tell apart: blank, non-ASCII, marked, placeholders, in and out of templates.
_GATE_VALUES = "\n".join(
    f"{name}={value}"
    for name, value in (
        ("OPENAI_API_KEY", ""),
        ("STRIPE_SECRET_KEY", "   "),
        ("API_TOKEN", '"\u00a0"'),
        ("SERVICE_TOKEN", "tök€n-wïth-ünïcode-1234567890"),
        ("DB_PASSWORD", "pässwörd‘quoted’"),
        ("GITHUB_TOKEN", "your-github-token-here"),
        ("AUTH_SECRET", "changeme"),
        ("SESSION_SECRET", "9f8Kq2LmZx71PqR0aB3cD4eF"),
        ("EDGED_SECRET", '"9f8Kq2LmZx71PqR0aB3cD4eF\\n"'),
        ("SPACED_TOKEN", '" 9f8Kq2LmZx71PqR0aB3cD4eF"'),
        ("PRICE", "$5 #1"),
        ("LINK", "https://user:S3cr3tP4ss@example.org/x"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    )
)


def _gated_contexts():
    """Every file of the corpora of _matchless_contexts, with its detector matches, as a template or not and in
    every git state."""
    files = [(example.name, example.text) for make in DAMAGE.values() for example in make()]
    files += list(valid_files(1).items())
    files += [(name, _MARKED_VALUES + "\n" + _GATE_VALUES) for name in (".env.production", "settings.yaml")]
    detector = detector_for(Settings())
    for name, text in files:
        fmt = format_for(name) or "lines"
        parsed = parse(fmt, text)
        matches = [detector.find(entry) for entry in parsed.entries]
        for template in (False, True):
            for state in (None, "tracked", "staged", "untracked"):
                yield FileContext(
                    path=name,
                    display=name,
                    fmt=fmt,
                    text=text,
                    parsed=parsed,
                    matches=matches,
                    settings=Settings(),
                    template=template,
                    environment="production",
                    git=GitState(state, ".", name) if state else None,
                )


def test_no_rule_reports_on_an_entry_its_gate_turns_away():
    """rules.EntryGates starts an entry-scope rule only for entries whose facts its gate admits."""
    gated = [rule for rule in all_rules().values() if rule.scope == "entry" and rule.gate]
    assert len(gated) >= 20
    turned_away = Counter()
    reported = Counter()
    examples = detector_for(Settings()).examples
    for ctx in _gated_contexts():
        facts_of_file = file_facts(ctx.fmt, ctx.template, ctx.git)
        for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
            facts = facts_of_file | shape_facts(entry_shape(entry, matches, examples))
            for rule in gated:
                if rule.admits(facts):
                    reported[rule.code] += len(list(rule.check(entry, matches, ctx)))
                else:
                    turned_away[rule.code] += 1
                    assert not list(rule.check(entry, matches, ctx)), (rule.code, ctx.display, entry.key, sorted(facts))
    # The corpora reach every gated rule on both sides of its gate.
    assert {rule.code for rule in gated} <= {code for code, n in reported.items() if n} & set(turned_away)


def _plain_pasted_twice(value: str, match: Match) -> bool:
    """KL208's test as it was written in the rule: a second copy of the token after it, or two equal halves."""
    token = match.token
    half = len(token) // 2
    if value[match.end :].lstrip(" \t").startswith(token):
        return True
    return len(token) % 2 == 0 and half >= 8 and token[:half] == token[half:] and match.valid


def test_entry_shape_facts_are_the_plain_ones():
    examples = detector_for(Settings()).examples
    for ctx in _gated_contexts():
        if ctx.template or ctx.git is not None:
            continue
        for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
            facts = shape_facts(entry_shape(entry, matches, examples))
            value = entry.value
            assert ("example" in facts) == any(m.token in examples for m in matches)
            assert ("pasted-twice" in facts) == any(_plain_pasted_twice(value, m) for m in matches)
            assert ("match" in facts) == bool(matches)
            assert ("valid-match" in facts) == any(m.valid for m in matches) != ("no-valid-match" in facts)
            assert ("invalid-match" in facts) == any(not m.valid for m in matches)
            assert ("marker" in facts) == any(m in value for m in ("://", "PRIVATE KEY", "eyJ", "pypi-", "sig="))
            assert ("non-ascii" in facts) == any(ord(c) > 127 for c in value)
            assert ("blank" in facts) == (value.strip() == "") != ("filled" in facts)
            ragged = any(c in " \t\r\n\f\v\\" for c in (value[:1], value[-1:]) if c) or value[-2:-1] == "\\"
            assert ("ragged-edge" in facts) == ragged
            assert ("equals-or-colon" in facts) == any(c in "=:" for c in value)
            assert ("test-or-live" in facts) == any(m.valid and m.environment in ("test", "live") for m in matches)


def test_gates_are_no_wider_than_the_prefilters_kinds():
    """A rule the prefilter keeps only for a match or a value marker (prefilter.ENTRY_RULES) is gated on it, so that
    the engine does not start it for the entries of other shapes."""
    any_file = {"template", "tracked", "yaml"}
    without_a_match = shape_facts((False, False, True, True, False, True, True, False, False, False)) | any_file
    without_a_marker = shape_facts((True, True, False, True, False, True, True, True, True, True)) | any_file
    for code, rule in all_rules().items():
        kind = ENTRY_RULES.get(code)
        if kind == "matches":
            assert not rule.admits(without_a_match), code
        elif kind == "value":
            assert not rule.admits(without_a_marker), code


def test_describe_remembered_is_the_plain_description():
    from keylint.providers import builtin_providers, by_id
    from keylint.rules.secrets import describe

    for provider in builtin_providers():
        for key_format in provider.formats:
            for environment in (None, "live", "test"):
                match = Match(provider.id, key_format.kind, 0, 1, "x", True, environment)
                env = f"{environment} " if environment else ""
                plain = f"{by_id(provider.id).name} {env}{key_format.kind.replace('-', ' ')}"
                assert describe(match) == plain
                assert describe(match) == plain  # now remembered
    assert describe(Match("not-registered", "api-key", 0, 1, "x", True)) == "not-registered api key"


_TOKEN_PIECES = st.sampled_from(["eyJ", "pypi-", "AgE", "a", "Z", "0", "_", "-", ".", " ", "=", "é"])


@settings(max_examples=3000, deadline=None)
@given(pieces=st.lists(_TOKEN_PIECES, max_size=16), repeat=st.integers(min_value=1, max_value=12))
def test_token_regexes_find_what_a_leading_lookbehind_finds(pieces, repeat):
    """rules.stale's JWT and PyPI regexes, with their lookbehind moved after the literal."""
    plain_jwt = re.compile(r"(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
    plain_pypi = re.compile(r"(?<![A-Za-z0-9])pypi-(AgE[A-Za-z0-9_-]{40,})")
    value = "".join(piece * repeat if i % 2 else piece for i, piece in enumerate(pieces))
    for ours, plain in ((stale._JWT, plain_jwt), (stale._PYPI, plain_pypi)):
        assert [(m.span(), m.groups()) for m in ours.finditer(value)] == [
            (m.span(), m.groups()) for m in plain.finditer(value)
        ], value


def test_token_regexes_on_tokens_and_their_neighbours():
    token = _jwt({"sub": "svc", "exp": 1_000_000_000})
    for value in (token, f"x{token}", f"-{token}", f"Bearer {token}", "pypi-AgE" + "a" * 50, "xpypi-AgE" + "a" * 50):
        test_token_regexes_find_what_a_leading_lookbehind_finds.hypothesis.inner_test(pieces=[value], repeat=1)
    assert stale._JWT.search(f"-{token}") and not stale._JWT.search(f"x{token}")
    assert stale._PYPI.search("=pypi-AgE" + "a" * 50) and not stale._PYPI.search("0pypi-AgE" + "a" * 50)


def test_a_jwt_is_read_only_with_a_header_and_a_payload():
    """rules.stale decodes a payload only after the header (the plain check decoded both first)."""

    def part(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    headers = [part({"alg": "HS256"}), part({"typ": "JWT"}), part({"kid": "1"}), part([1]), "eyJ!!!!", "eyJub3Rqc29u"]
    payloads = [part({"exp": 1_000_000_000}), part({"sub": "x"}), part(["exp"]), "eyJub3Rqc29u"]
    for header in headers:
        for payload in payloads:
            token = f"{header}.{payload}.c2ln"
            head, body = stale._json_object(header), stale._json_object(payload)
            plain = head is not None and body is not None and bool({"alg", "typ"} & head.keys())
            assert bool(list(stale._jwts(f"x {token}"))) == (plain and stale._JWT.search(token) is not None), token


def _plain_repeat_span(value: str, match: Match) -> tuple[int, int] | None:
    """KL208's search for a second copy of a key as it was written in the rule, before rules.repeat_span."""
    token = match.token
    rest = value[match.end :]
    stripped = rest.lstrip(" \t")
    half = len(token) // 2
    if stripped.startswith(token):
        return match.end, match.end + (len(rest) - len(stripped)) + len(token)
    if len(token) % 2 == 0 and half >= 8 and token[:half] == token[half:] and match.valid:
        return match.start + half, match.end
    return None


@settings(max_examples=3000, deadline=None)
@given(
    head=st.text(alphabet=" \tab=:", max_size=4),
    half=st.text(alphabet="aAb0_-é", max_size=12),
    shape=st.sampled_from(["once", "halves", "twice", "twice-cut", "twice-other"]),
    gap=st.text(alphabet=" \t\n", max_size=3),
    tail=st.text(alphabet=" ab0", max_size=3),
    valid=st.booleans(),
)
def test_repeat_span_is_kl208s_plain_test(head, half, shape, gap, tail, valid):
    """rules.repeat_span (KL208, and the pasted-twice fact of its gate) against the rule's own test, on tokens
    followed by a copy of themselves after spaces, tabs or a line break, cut short, or made of two equal halves."""
    token = half + half if shape == "halves" else half + "x"
    second = {"twice": token, "twice-cut": token[:-1], "twice-other": token[:-1] + "y"}.get(shape, "")
    value = head + token + (gap + second if second else "") + tail
    match = Match("p", "k", len(head), len(head) + len(token), token, valid)
    assert repeat_span(value, match) == _plain_repeat_span(value, match), (value, token)
    empty = Match("p", "k", len(value), len(value), "", valid)  # an empty token is followed by itself everywhere
    assert repeat_span(value, empty) == _plain_repeat_span(value, empty)


def _plain_may_mismatch(key: str, match: Match, providers: tuple) -> bool:
    """Whether KL210's steps that depend on the name and the key alone let it go on, computed afresh each time."""
    if _plain_kind_conflict(key, match) is not None:
        return True
    named_id = format_rules._provider_named_by(values.normalized_name(key), providers)
    if named_id is None or named_id == match.provider:
        return False
    named = next((p for p in providers if p.id == named_id), None)
    return named is not None and not format_rules._compatible(named, match)


_MISMATCH_NAME_PARTS = [*_KIND_NAME_PARTS, "OPENAI", "openai", "GH", "GITHUB", "gitlab", "NPM", "BITBUCKET", "TOKEN"]
_MISMATCH_NAME_PARTS += ["GEMINI", "GOOGLE", "API", "anthropic", "PUBLISHABLE", "NEXT", "SLACK", "BOT", "é", " "]


@settings(max_examples=3000, deadline=None)
@given(
    path=st.lists(st.sampled_from(_MISMATCH_NAME_PARTS), max_size=7),
    head=st.sampled_from(["", "app.", "openai.", "x.stripe_"]),
    which=st.integers(min_value=0, max_value=10**6),
    provider=st.sampled_from(["aws", "stripe", "github", "openai", "anthropic", "atlassian", "google", "gemini"]),
    is_secret=st.booleans(),
    with_format=st.booleans(),
)
def test_may_mismatch_remembered_is_the_plain_answer(path, head, which, provider, is_secret, with_format):
    """rules.format._may_mismatch, remembered by name, provider, kind, secrecy and format template, against KL210's
    first steps computed afresh, for keys of any registered format and of none, in variables named after providers,
    kinds and secrecy (asked twice: the second answer is the remembered one)."""
    from keylint.providers import builtin_providers

    providers = builtin_providers()
    formats = [f for p in providers for f in p.formats]
    key_format = formats[which % len(formats)]
    kind = key_format.kind if which % 3 else ["secret-access-key", "access-key-id", "publishable-key"][which % 9 // 3]
    key = head + "".join(path)
    match = Match(provider, kind, 0, 20, "x" * 20, True, None, is_secret, key_format if with_format else None)
    name = values.normalized_name(key)
    for _ in range(2):
        assert format_rules._may_mismatch(name, match, ()) == _plain_may_mismatch(key, match, providers), key


def test_may_mismatch_verdicts_follow_the_config_providers():
    """Verdicts remembered under one config's providers are not reused under another's, even when the first
    config's tuple is freed and a new one is made for each scan (a process scanning with several configs)."""
    from keylint.config import settings_from_table
    from keylint.providers import all_providers, builtin_providers

    openai = next(p for p in builtin_providers() if p.id == "openai")
    match = Match("openai", openai.formats[0].kind, 0, 20, "x" * 20, True, None, True, openai.formats[0])
    name = values.normalized_name("ACME_API_KEY")
    answers = set()
    for round_ in range(6):
        table = {"providers": [{"id": "acme", "template": "acme_{alnum:32}", "env-vars": ["ACME_API_KEY"]}]}
        extra = settings_from_table(table if round_ % 2 else {}, "c", ".").extra_providers
        expected = _plain_may_mismatch("ACME_API_KEY", match, all_providers(extra))
        assert format_rules._may_mismatch(name, match, extra) == expected, round_
        answers.add(expected)
    assert answers == {True, False}  # the two configs do disagree about this variable


def _plain_provider_mismatch(entry: Entry, matches: list[Match], ctx: FileContext) -> list[Problem]:
    """KL210 as it was before it asked _may_mismatch first."""
    found = []
    for match in matches:
        if match.valid:
            problem = format_rules._kind_problem(entry, match, ctx) or format_rules._provider_problem(entry, match, ctx)
            if problem is not None:
                found.append(problem)
    return found


def test_provider_mismatch_reports_what_the_plain_rule_reports():
    """KL210 on the lint corpus (every registered format's valid keys, in their variables and in others') reports the
    same problems as the rule without its remembered verdicts."""
    from lintcorpus import provider_mismatch_examples

    files = [(example.name, example.text) for example in provider_mismatch_examples()]
    files += list(valid_files(2).items())
    detector = detector_for(Settings())
    reported = checked = 0
    for name, text in files:
        fmt = format_for(name) or "lines"
        parsed = parse(fmt, text)
        matches = [detector.find(entry) for entry in parsed.entries]
        ctx = FileContext(name, name, fmt, text, parsed, matches, Settings(), False, None)
        for entry, entry_matches in zip(parsed.entries, matches, strict=True):
            got = list(format_rules.provider_mismatch.check(entry, entry_matches, ctx))
            assert got == _plain_provider_mismatch(entry, entry_matches, ctx), (name, entry.key)
            reported += len(got)
            checked += any(m.valid for m in entry_matches)
    assert reported >= 40 and checked >= 500, (reported, checked)


def _plain_scrub(text: str, secret: str | None, public_prefix: int = 0) -> str:
    """redact.scrub as it reads without its pre-check: every run of windows the plain search finds, removed until
    none is left."""
    if not secret or len(secret) < 8:
        return text
    if secret in text:
        text = text.replace(secret, redact.mask(secret) or "")
    first = max(0, public_prefix - 7)
    while True:
        runs = _plain_secret_runs(text, secret, first)
        if not runs:
            return text
        pieces, kept = [], 0
        for start, end in runs:
            pieces.append(text[kept:start] + "…")
            kept = end
        pieces.append(text[kept:])
        text = "".join(pieces)


@settings(max_examples=3000, deadline=None)
@given(
    secret=st.text(alphabet=st.sampled_from("ab c1…é_-"), max_size=40) | st.text(max_size=40),
    text=st.text(alphabet=st.sampled_from("ab c1…é.x_"), max_size=60),
    start=st.integers(min_value=0, max_value=40),
    size=st.integers(min_value=0, max_value=40),
    at=st.integers(min_value=0, max_value=60),
    prefix=st.integers(min_value=0, max_value=20),
)
def test_scrub_turned_away_by_its_precheck_is_the_plain_scrub(secret, text, start, size, at, prefix):
    """redact.scrub returns a text its pre-check turns away as it is: the same text as the plain removal of runs, for
    messages quoting a piece of the secret (or none), inside or past a public prefix of every length."""
    text = text[:at] + secret[start : start + size] + text[at:]
    assert redact.scrub(text, secret, prefix) == _plain_scrub(text, secret, prefix), (text, secret, prefix)
    assert redact.scrub(text, secret + text, prefix) == _plain_scrub(text, secret + text, prefix)


def test_scrub_of_a_lone_window_past_the_public_prefix():
    """A message quoting exactly 8 characters of the secret at every offset around the public prefix's end."""
    secret = "sk-ant-api03-" + "".join(chr(ord("A") + (i * 7) % 26) + str(i % 10) for i in range(20))
    for offset in range(len(secret) - 8):
        for prefix in (0, 7, 8, 13, 14, offset, offset + 7, offset + 8):
            text = f"key in NAME quotes {secret[offset : offset + 8]} here"
            assert redact.scrub(text, secret, prefix) == _plain_scrub(text, secret, prefix), (offset, prefix)


_MARKER_PIECES = ["://", ":", "/", "//", "sig", "=", "sig=", "eyJ", "ey", "J", "pypi-", "pypi", "-", "PRIVATE KEY"]
_MARKER_PIECES += ["PRIVATE", " KEY", "a", "0", "é", " ", "\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_MARKER_PIECES), max_size=8).map("".join) | st.text(max_size=20))
def test_marker_fact_is_the_value_marker_regex(value):
    """entry_shape's literal searches for a value marker (":// and sig= only after a ':' or '='), against the
    VALUE_MARKER regex, on values made of the markers' pieces and neighbours."""
    entry = Entry("K", value, value, 1, 1)
    facts = shape_facts(entry_shape(entry, [], {}))
    assert ("marker" in facts) == (VALUE_MARKER.search(value) is not None), value
    assert ("equals-or-colon" in facts) == ("=" in value or ":" in value), value


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet="+-.0123456789eEoxXabfINnaft~_:", min_size=6, max_size=14)
    | st.text(min_size=6, max_size=14)
    | st.sampled_from(["0755123456", "-.inf00", ".nan00", "1234e5678", "+12345", ".12345", "0x1f2e3d", "0o7777"])
)
def test_may_be_number_is_yaml12_types_answer(value):
    """KL305's look at a plain scalar's first character: of _MIN_COERCED_LENGTH characters or more, only a number can
    be anything but a string, and it starts with a sign, a dot or a digit."""
    assert len(value) >= hygiene._MIN_COERCED_LENGTH
    assert hygiene._may_be_number(value) == (hygiene.yaml12_type(value) != "str"), value


def _provider_key_by_name(entry: Entry, matches: list[Match], examples: dict) -> list[Problem]:
    """KL101 as it made its problems before it passed their fields by position."""
    from keylint.providers import by_id
    from keylint.rules.secrets import describe

    problems = []
    for match in matches:
        if not match.valid or not match.is_secret or match.token in examples:
            continue
        provider = by_id(match.provider)
        where = f" in {entry.key}" if entry.key else ""
        problems.append(
            Problem(
                f"{describe(match)}{where}",
                entry=entry,
                column=entry.position_of(match.start)[1] if match.start else None,
                provider=match.provider,
                secret=match.token,
                public_prefix=len(match.format.prefix) if match.format else 0,
                extra={"kind": match.kind, "rotate_url": provider.rotate_url if provider else None},
            )
        )
    return problems


def test_provider_key_problems_by_position_are_the_by_name_ones():
    """KL101's problems, every field, on the corpora's valid keys (inside longer values, after a prefix, in
    multi-line values, documented examples) and on generated keys of every registered format."""
    rule = all_rules()["KL101"]
    examples = detector_for(Settings()).examples
    made = 0
    contexts = list(_gated_contexts())
    for ctx in contexts[:: 8 if len(contexts) > 64 else 1]:
        for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
            problems = list(rule.check(entry, matches, ctx))
            expected = _provider_key_by_name(entry, matches, examples)
            made += len(problems)
            assert [[getattr(p, name) for name in fields(Problem)] for p in problems] == [
                [getattr(p, name) for name in fields(Problem)] for p in expected
            ], (ctx.display, entry.key)
    assert made > 100


_OBJECT_TEXTS = st.one_of(
    st.dictionaries(st.sampled_from(["alg", "typ", "kid", "é"]), st.integers() | st.text(max_size=6), max_size=3).map(
        json.dumps
    ),
    st.sampled_from(['{"alg":"HS256"}', "[1]", "1", '"x"', "{}", '{"a":1}x', "{", "}", ""]),
    st.text(max_size=12),
)


@settings(max_examples=3000, deadline=None)
@given(
    text=_OBJECT_TEXTS,
    head=st.sampled_from(["", " ", "\n", "\t"]),
    tail=st.text(alphabet=" \t\r\n\x0b\x0c}x", max_size=9),
    raw=st.binary(max_size=20),
    which=st.sampled_from(["text", "raw", "string"]),
    string=st.text(alphabet="eyJAZaz09_-", max_size=20),
)
def test_header_may_be_object_is_json_objects_answer(text, head, tail, raw, which, string):
    """stale._may_be_object turns away only segments _json_object reads as no object: JSON texts followed by any
    whitespace (JSON's and bytes'), "}" at and near the end, non-JSON bytes, and base64url strings of every length."""
    data = {"text": (head + text + tail).encode(), "raw": raw}.get(which)
    segment = string if data is None else base64.urlsafe_b64encode(data).decode().rstrip("=")
    for cut in {segment, segment[:-1], "eyJ" + segment}:
        assert stale._may_be_object(cut) or stale._json_object(cut) is None, cut


def _plain_entry_shape(entry: Entry, matches: list[Match], examples: dict) -> tuple[bool, ...]:
    """rules.entry_shape as it was before its shortcuts (repeat_span asked for every match, the edges sliced)."""
    valid = invalid = test_or_live = example = pasted_twice = False
    value = entry.value
    for match in matches:
        if match.valid:
            valid = True
            if match.environment in ("test", "live"):
                test_or_live = True
        else:
            invalid = True
        if match.token in examples:
            example = True
        if not pasted_twice and repeat_span(value, match) is not None:
            pasted_twice = True
    edge = frozenset(" \t\r\n\f\v\\")
    ragged = value[:1] in edge or value[-1:] in edge or value[-2:-1] == "\\"
    blank = not value or value.isspace()
    equals_or_colon = "=" in value or ":" in value
    marked = VALUE_MARKER.search(value) is not None
    non_ascii = not value.isascii()
    return valid, invalid, marked, non_ascii, blank, ragged, equals_or_colon, test_or_live, example, pasted_twice


_SHAPE_PIECES = st.sampled_from(["ab", "AB", "ab" * 4, " ", "\t", "\\", "\\n", "\n", "\v", "=", ":", "é", "eyJ", "x"])


@settings(max_examples=2000, deadline=None)
@given(
    head=st.lists(_SHAPE_PIECES, max_size=3).map("".join),
    half=st.lists(_SHAPE_PIECES, max_size=6).map("".join),
    twice=st.booleans(),
    gap=st.sampled_from(["", " ", "\t", "-"]),
    tail=st.lists(_SHAPE_PIECES, max_size=3).map("".join),
    valid=st.booleans(),
    environment=st.sampled_from([None, "test", "live", "other"]),
    matched=st.integers(0, 2),
)
def test_entry_shape_is_the_plain_one(head, half, twice, gap, tail, valid, environment, matched):
    """rules.entry_shape against its plain form, on values with ragged edges and keys made of two halves or copied."""
    token = half + half if twice else half
    value = head + token + gap + (token if matched == 2 else "") + tail
    entry = Entry("K", value, value, 1, 1)
    matches = [Match("p", "secret", len(head), len(head) + len(token), token, valid, environment)][: min(matched, 1)]
    if matched == 2 and token:
        matches.append(Match("p", "secret", 0, len(value), value, not valid))
    for examples in ({}, {token: None}):
        assert entry_shape(entry, matches, examples) == _plain_entry_shape(entry, matches, examples), value
