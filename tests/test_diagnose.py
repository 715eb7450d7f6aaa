"""keylint.diagnose: what exactly is wrong with a near-miss, as tables of (input, expected)."""

from __future__ import annotations

import random

import pytest

from conftest import make_key
from keylint.diagnose import clean, damerau, diagnose, is_attempt, looks_like_placeholder
from keylint.providers import builtin_providers, by_id
from keylint.rules.hygiene import yaml12_type


def fmt(provider_id: str, kind: str, environment: str | None = None):
    formats = by_id(provider_id).formats
    return next(f for f in formats if f.kind == kind and (environment is None or f.environment == environment))


GITHUB = fmt("github", "personal-access-token")
AWS_ID = fmt("aws", "access-key-id")
ANTHROPIC = fmt("anthropic", "api-key")
POSTMAN = fmt("postman", "api-key")


def test_clean_removes_invisible_characters_and_gaps_and_maps_lookalikes():
    cleaned, damages, where = clean("ab\u200bc d\nе")
    assert cleaned == "abcde"
    assert [(d.kind, d.offset) for d in damages] == [("invisible", 2), ("space", 4), ("newline", 6), ("lookalike", 7)]
    assert where == (0, 1, 3, 5, 7)
    assert clean("abc\\ndef")[1][0].kind == "escape"


def test_valid_and_checksum():
    token = make_key("github", "personal-access-token")
    assert diagnose(GITHUB, token).valid
    broken = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert diagnose(GITHUB, broken).checksum_failed


def test_bad_character_with_likely_intended_one():
    token = make_key("aws", "access-key-id")
    (bad,) = diagnose(AWS_ID, token[:6] + "0" + token[7:]).bad_chars
    assert (bad.offset, bad.char, bad.suggestion) == (6, "0", "O")
    assert "base32" in bad.expected


def test_truncated_key_names_its_missing_tail():
    token = make_key("anthropic", "api-key")
    diagnosis = diagnose(ANTHROPIC, token[:-5])
    assert diagnosis.length_delta == -5 and diagnosis.truncated_tail == "AA"


def test_complete_key_with_extra_characters():
    token = make_key("github", "personal-access-token")
    diagnosis = diagnose(GITHUB, token + "Zz")
    assert diagnosis.length_delta == 2 and diagnosis.overlong_head == 40


def test_structure_of_a_fixed_part():
    token = make_key("postman", "api-key")
    moved = token[:10] + token[11:30] + token[10] + token[30:]  # a character moved across the '-'
    assert diagnose(POSTMAN, moved).segment_note == "the part after 'PMAK-' has 23 characters, expected 24"


@pytest.mark.parametrize("typo", ["ghp-", "Ghp_", "gph_", "ghp"])
def test_prefix_typo(typo):
    token = make_key("github", "personal-access-token")
    diagnosis = diagnose(GITHUB, typo + token[4:])
    assert diagnosis.prefix_typo == typo and not diagnosis.bad_chars


def test_unrelated_text_is_not_an_attempt():
    assert not is_attempt(GITHUB, diagnose(GITHUB, "ghp_is_a_prefix_not_a_token"))
    assert not is_attempt(AWS_ID, diagnose(AWS_ID, "AKIAPPLE"))


@pytest.mark.parametrize(
    "a,b,distance", [("ghp_", "ghp-", 1), ("sk-ant-api03-", "sk-ant-api3-", 1), ("gph_", "ghp_", 1), ("SG.", "sg-", 3)]
)
def test_damerau(a, b, distance):
    assert damerau(a, b) == distance


@pytest.mark.parametrize(
    "value",
    ["your-api-key-here", "<YOUR_KEY>", "sk-...", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "changeme", "TODO",
     "replace_me", "dummy", "exampledonotuse1234", "my-secret-key", "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX", "********"],
)
def test_placeholders(value):
    assert looks_like_placeholder(value)


def test_generated_keys_of_every_format_are_not_placeholders():
    for provider in builtin_providers():
        for key_format in provider.formats:
            for seed in range(5):
                token = key_format.generate(random.Random(f"{provider.id}/{key_format.template}/{seed}"))
                assert not looks_like_placeholder(token), (provider.id, key_format.kind, token[:12])


@pytest.mark.parametrize(
    "value,kind",
    [("1234e5678", "float"), ("0755", "int"), ("0o755", "int"), ("0x1F", "int"), (".inf", "float"),
     ("12:34:56", "str"), ("yes", "str"), ("true", "bool"), ("~", "null"), ("abc123", "str")],
)
def test_yaml12_core_schema(value, kind):
    assert yaml12_type(value) == kind
