"""Detection: every registered format is found with the right provider and kind; near-misses are marked."""

from __future__ import annotations

import random

import pytest

from keylint.detect import Detector
from keylint.model import Entry
from keylint.providers import all_providers

DETECTOR = Detector(all_providers())
FORMATS = [(p, f) for p in all_providers() for f in p.formats]


def entry(key: str, value: str) -> Entry:
    return Entry(key, value, value, 1, 1)


@pytest.mark.parametrize("provider,fmt", FORMATS, ids=[f"{p.id}:{f.kind}:{i}" for i, (p, f) in enumerate(FORMATS)])
def test_generated_key_is_found_in_its_variable(provider, fmt):
    for seed in range(3):
        token = fmt.generate(random.Random(seed))
        name = (fmt.env_vars or provider.env_vars or (f"{provider.id.upper()}_API_KEY",))[0]
        matches = DETECTOR.find(entry(name, token))
        assert [(m.provider, m.kind, m.token, m.valid) for m in matches] == [(provider.id, fmt.kind, token, True)]


@pytest.mark.parametrize("provider,fmt", [(p, f) for p, f in FORMATS if f.prefix and not f.needs_context])
def test_prefixed_key_is_found_inside_longer_values(provider, fmt):
    token = fmt.generate(random.Random(7))
    separator = next(c for c in ",; \"'" if c not in fmt.charset)
    for value in (f"https://user:{token}@example.com/x", f"Bearer {token}", f"{token}{separator}next"):
        found = [m for m in DETECTOR.find(entry("SOME_SETTING", value)) if m.valid]
        assert found and found[0].token == token and found[0].provider == provider.id
        assert value[found[0].start : found[0].end] == token


def test_context_only_formats_need_the_variable_name():
    mistral = next(p for p in all_providers() if p.id == "mistral")
    token = mistral.formats[0].generate(random.Random(1))
    assert DETECTOR.find(entry("MISTRAL_API_KEY", token))[0].provider == "mistral"
    assert DETECTOR.find(entry("APP_MISTRAL_API_KEY", token))[0].provider == "mistral"
    assert DETECTOR.find(entry("BUILD_ID", token)) == []


def test_near_miss_is_returned_invalid_and_words_are_not():
    github = next(p for p in all_providers() if p.id == "github")
    token = github.formats[0].generate(random.Random(3))
    truncated = DETECTOR.find(entry("GITHUB_TOKEN", token[:-3]))
    assert [(m.provider, m.valid) for m in truncated] == [("github", False)]
    assert DETECTOR.find(entry("PACKAGES", "sk-learn numpy")) == []


def test_documented_example_is_recognised():
    (match,) = DETECTOR.find(entry("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"))
    assert match.provider == "aws"
