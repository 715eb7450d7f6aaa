"""The provider registry: invariants every record must keep, and the shapes of well-known formats."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from keylint.checksums import CHECKSUMS
from keylint.providers import all_providers, builtin_providers, by_id
from keylint.providers.schema import ALPHABETS, KeyFormat, Provider, parse_template

PROVIDERS = builtin_providers()
FORMATS = [(p, f) for p in PROVIDERS for f in p.formats]
FORMAT_IDS = [f"{p.id}:{f.kind}:{f.template[:24]}" for p, f in FORMATS]
UPPER_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def fmt(provider_id: str, prefix: str = "", kind: str | None = None) -> KeyFormat:
    """The one format of a provider whose leading literal starts with ``prefix`` (and of ``kind``)."""
    provider = by_id(provider_id)
    assert provider is not None, provider_id
    found = [
        f
        for f in provider.formats
        if f.prefix.startswith(prefix) and (prefix or not f.prefix) and kind in (None, f.kind)
    ]
    assert len(found) == 1, (provider_id, prefix, kind, [f.template for f in found])
    return found[0]


# --- registry invariants --------------------------------------------------------------------------


def test_at_least_60_providers_with_unique_ids() -> None:
    ids = [p.id for p in PROVIDERS]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 60


def test_provider_ids_are_stable_slugs() -> None:
    for p in PROVIDERS:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", p.id), p.id
        assert p.name
        assert p.formats, p.id
        assert by_id(p.id) is p
    assert all_providers() == PROVIDERS


def test_every_provider_has_rotate_url() -> None:
    for p in PROVIDERS:
        assert p.rotate_url and p.rotate_url.startswith("https://"), p.id
        assert p.docs_url is None or p.docs_url.startswith("https://"), p.id


def test_env_vars_are_upper_case_and_unique() -> None:
    for p in PROVIDERS:
        assert p.env_vars, p.id
        assert len(set(p.env_vars)) == len(p.env_vars), p.id
        for name in p.env_vars:
            assert UPPER_NAME.fullmatch(name), (p.id, name)
        for name in p.extra.get("related_env_vars", ()):
            assert UPPER_NAME.fullmatch(name), (p.id, name)
            # Companion variables hold no credential, so they must not trigger context-only formats.
            assert name not in p.env_vars, (p.id, name)


def test_format_env_vars_belong_to_the_provider() -> None:
    for p, f in FORMATS:
        assert set(f.env_vars) <= set(p.env_vars), (p.id, f.kind)


def test_extra_keys_are_known() -> None:
    for p in PROVIDERS:
        assert set(p.extra) <= {"related_env_vars", "rotate_urls"}, p.id
        kinds = {f.kind for f in p.formats}
        for kind, url in p.extra.get("rotate_urls", {}).items():
            assert kind in kinds, (p.id, kind)
            assert url.startswith("https://")


@pytest.mark.parametrize(("provider", "format"), FORMATS, ids=FORMAT_IDS)
def test_template_parses(provider: Provider, format: KeyFormat) -> None:
    segments = parse_template(format.template)
    # A malformed slot would silently stay literal text.
    assert not any(c in s.literal for s in segments for c in "{}"), format.template
    assert format.regex.pattern
    assert 0 < format.min_length <= format.max_length
    for s in segments:
        if not s.is_literal:
            assert s.alphabet, format.template
            assert 0 <= s.min_len <= s.max_len
            assert s.alphabet_name in ALPHABETS or s.alphabet_name.startswith("["), s.alphabet_name
    assert format.kind and format.kind == format.kind.lower()
    assert format.environment in (None, "live", "test")
    assert format.checksum is None or format.checksum in CHECKSUMS


@pytest.mark.parametrize(("provider", "format"), FORMATS, ids=FORMAT_IDS)
def test_short_or_missing_prefix_needs_context(provider: Provider, format: KeyFormat) -> None:
    if len(format.prefix) < 3 or format.prefix in ("https://", "http://"):
        assert format.needs_context, (provider.id, format.template)


@pytest.mark.parametrize(("provider", "format"), FORMATS, ids=FORMAT_IDS)
def test_generated_keys_match_their_format(provider: Provider, format: KeyFormat) -> None:
    rng = random.Random(f"{provider.id}/{format.template}")
    for _ in range(20):
        token = format.generate(rng)
        assert format.regex.fullmatch(token), token
        assert format.min_length <= len(token) <= format.max_length
        assert set(token) <= format.charset
        assert token.startswith(format.prefix)
        if format.checksum:
            assert CHECKSUMS[format.checksum].valid(token)


def test_identical_templates_across_providers_need_context() -> None:
    owners: dict[str, list[tuple[str, KeyFormat]]] = defaultdict(list)
    for p, f in FORMATS:
        owners[f.template].append((p.id, f))
    for template, found in owners.items():
        if len({pid for pid, _ in found}) > 1:
            scanned = [pid for pid, f in found if not f.needs_context]
            assert len(scanned) <= 1, (template, scanned)


def test_identical_templates_within_a_provider_are_told_apart_by_variable() -> None:
    for p in PROVIDERS:
        by_template: dict[str, list[KeyFormat]] = defaultdict(list)
        for f in p.formats:
            by_template[f.template].append(f)
        for template, same in by_template.items():
            if len(same) > 1:
                assert all(f.needs_context and f.env_vars for f in same), (p.id, template)
                names = [n for f in same for n in f.env_vars]
                assert len(names) == len(set(names)), (p.id, template)


@pytest.mark.parametrize(("provider", "format"), [(p, f) for p, f in FORMATS if f.examples], ids=str)
def test_examples_match_their_template(provider: Provider, format: KeyFormat) -> None:
    for example in format.examples:
        assert format.regex.fullmatch(example), example
        assert "EXAMPLE" in example  # documented placeholders only, never a real-looking key


def test_checksum_free_where_algorithm_unknown() -> None:
    assert fmt("github", "github_pat_").checksum == "github-pat-sha256"
    assert fmt("github", "ghr_").checksum == "github-crc32"
    assert fmt("supabase", "sb_secret_").checksum is None
    # CASK keys (Azure OpenAI, Azure DevOps) do have one: microsoft/security-utilities publishes it.
    for provider_id in ("azure-openai", "azure-devops"):
        cask = [f for f in by_id(provider_id).formats if "JQQJ9" in f.template]  # type: ignore[union-attr]
        assert cask and all(f.checksum == "cask-marvin32" for f in cask)


# --- shapes from the provider reference -----------------------------------------------------------

LENGTHS = [
    ("github", "ghp_", 40, 40),
    ("github", "github_pat_", 93, 93),
    ("github", "ghr_", 80, 80),
    ("npm", "npm_", 40, 40),
    ("grafana", "glsa_", 46, 46),
    ("bitbucket", "ATBB", 36, 36),
    ("bitbucket", "ATCTT3xFfGN0", 192, 192),
    ("atlassian", "ATATT3xFfGF0", 192, 192),
    ("cloudflare", "cfk_", 52, 52),
    ("cloudflare", "cfut_", 53, 53),
    ("cloudflare", "cfat_", 53, 53),
    ("anthropic", "sk-ant-api03-", 108, 108),
    ("anthropic", "sk-ant-admin01-", 110, 110),
    ("openai", "sk-svcacct-", 167, 167),
    ("openrouter", "sk-or-v1-", 73, 73),
    ("elevenlabs", "sk_", 51, 51),
    ("groq", "gsk_", 56, 56),
    ("xai", "xai-", 84, 84),
    ("perplexity", "pplx-", 53, 53),
    ("replicate", "r8_", 40, 40),
    ("huggingface", "hf_", 37, 37),
    ("huggingface", "api_org_", 42, 42),
    ("pinecone", "pcsk_", 74, 75),
    ("together", "tgp_v1_", 50, 50),
    ("langsmith", "lsv2_pt_", 51, 51),
    ("langsmith", "lsv2_sk_", 51, 51),
    ("langfuse", "pk-lf-", 42, 42),
    ("langfuse", "sk-lf-", 42, 42),
    ("google", "AIza", 39, 39),
    ("gemini", "AQ.Ab8RN6", 53, 53),
    ("google", "GOCSPX-", 35, 35),
    ("aws", "AKIA", 20, 20),
    ("aws", "ASIA", 20, 20),
    ("aws", "ABIA", 20, 20),
    ("aws", "ACCA", 20, 20),
    ("aws", "ABSK", 113, 275),
    ("sendgrid", "SG.", 69, 69),
    ("mailgun", "key-", 36, 36),
    ("mailgun", "pubkey-", 39, 39),
    ("shopify", "shpat_", 38, 38),
    ("shopify", "shptka_", 39, 39),
    ("dockerhub", "dckr_pat_", 36, 36),
    ("dockerhub", "dckr_oat_", 41, 41),
    ("postman", "PMAK-", 64, 64),
    ("postman", "PMAT-", 31, 31),
    ("supabase", "sbp_", 44, 44),
    ("supabase", "sb_secret_", 41, 41),
    ("supabase", "sb_publishable_", 46, 46),
    ("sentry", "sntryu_", 71, 71),
    ("newrelic", "NRAK-", 32, 32),
    ("newrelic", "eu01xx", 40, 40),
    ("newrelic", "NRII-", 37, 37),
    ("newrelic", "NRJS-", 24, 24),
    ("digitalocean", "dop_v1_", 71, 71),
    ("heroku", "HRKU-AA", 65, 65),
    ("vercel", "vcp_", 60, 60),
    ("netlify", "nfp_", 40, 40),
    ("flyio", "fo1_", 47, 47),
    ("linear", "lin_api_", 48, 48),
    ("notion", "ntn_", 50, 50),
    ("notion", "secret_", 50, 50),
    ("airtable", "pat", 82, 82),
    ("databricks", "dapi", 36, 36),
    ("square", "EAAA", 64, 64),
    ("braintree", "access_token$production$", 73, 73),
    ("braintree", "access_token$sandbox$", 70, 70),
    ("stripe", "sk_live_", 32, 255),
    ("gitlab", "glptt-", 46, 46),
]


@pytest.mark.parametrize(("provider_id", "prefix", "low", "high"), LENGTHS, ids=[row[1] for row in LENGTHS])
def test_reference_lengths(provider_id: str, prefix: str, low: int, high: int) -> None:
    provider = by_id(provider_id)
    assert provider is not None
    ranges = {(f.min_length, f.max_length) for f in provider.formats if f.prefix == prefix}
    assert (low, high) in ranges


CONTEXT_LENGTHS = [
    ("mistral", "api-key", 32),
    ("cohere", "api-key", 40),
    ("deepseek", "api-key", 35),
    ("okta", "api-token", 42),
    ("twilio", "account-sid", 34),
    ("twilio", "api-key-sid", 34),
    ("azure-entra", "client-secret", 40),
    ("azure-storage", "account-key", 88),
    ("azure-openai", "api-key", 84),
    ("azure-devops", "personal-access-token", 84),
    ("telegram", "bot-token", 44),
]


@pytest.mark.parametrize(("provider_id", "kind", "length"), CONTEXT_LENGTHS)
def test_context_only_lengths(provider_id: str, kind: str, length: int) -> None:
    provider = by_id(provider_id)
    assert provider is not None
    lengths = {(f.min_length, f.max_length) for f in provider.formats if f.kind == kind and f.needs_context}
    assert any(low <= length <= high for low, high in lengths), lengths


def test_openai_marker_sits_between_equal_halves() -> None:
    for f in by_id("openai").formats:  # type: ignore[union-attr]
        token = f.generate(random.Random(1))
        head, marker, tail = token.partition("T3BlbkFJ")
        assert marker, f.template
        assert len(head) - len(f.prefix) == len(tail)
    legacy = fmt("openai", "sk-", kind="user-key")
    assert legacy.generate(random.Random(2)).index("T3BlbkFJ") == 23


def test_groq_marker_offset() -> None:
    assert fmt("groq", "gsk_").generate(random.Random(3))[24:32] == "WGdyb3FY"


def test_anthropic_keys_end_in_aa() -> None:
    for f in by_id("anthropic").formats:  # type: ignore[union-attr]
        assert f.generate(random.Random(4)).endswith("AA")
        assert not f.regex.fullmatch(f.generate(random.Random(4))[:-2] + "AB")


def test_mailchimp_datacentre_suffix() -> None:
    f = fmt("mailchimp", kind="api-key")
    assert f.regex.fullmatch("0" * 32 + "-us21")
    assert f.regex.fullmatch("0" * 32 + "-us1")
    assert not f.regex.fullmatch("0" * 32 + "-eu1")
    assert not f.regex.fullmatch("0" * 32)


def test_aws_key_ids_are_base32() -> None:
    f = fmt("aws", "AKIA")
    assert f.regex.fullmatch("AKIAIOSFODNN7EXAMPLE")
    for typo in ("AKIAIOSFODNN1EXAMPLE", "AKIAIOSFODNN8EXAMPLE", "AKIAiOSFODNN7EXAMPLE"):
        assert not f.regex.fullmatch(typo), typo


def test_gitlab_routable_and_legacy_shapes() -> None:
    glpat = [f for f in by_id("gitlab").formats if f.prefix == "glpat-"]  # type: ignore[union-attr]
    assert {f.checksum for f in glpat} == {"gitlab-routable-crc32", None}
    legacy = next(f for f in glpat if f.max_length == 26)
    assert legacy.regex.fullmatch("glpat-" + "a" * 20)
    assert not legacy.regex.fullmatch("glpat-" + "a" * 19 + "0")  # Devise friendly tokens have no 0, O, I, l


def test_entra_marker_and_alphabet() -> None:
    current = next(f for f in by_id("azure-entra").formats if f.checksum)  # type: ignore[union-attr]
    token = current.generate(random.Random(5))
    assert token[3:6] == "8Q~"
    assert set(token) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~")


def test_azure_storage_identifiable_shape() -> None:
    f = next(f for f in by_id("azure-storage").formats if f.checksum)  # type: ignore[union-attr]
    token = f.generate(random.Random(6))
    assert len(token) == 88
    assert token[76:80] == "+ASt"
    assert token[85] in "AQgw"
    assert token.endswith("==")


def test_public_by_design_formats() -> None:
    public = {(p.id, f.kind) for p, f in FORMATS if not f.secret}
    for expected in [
        ("stripe", "publishable-key"),
        ("mapbox", "public-token"),
        ("algolia", "search-api-key"),
        ("sentry", "dsn"),
        ("langfuse", "public-key"),
        ("supabase", "publishable-key"),
        ("supabase", "anon-key"),
        ("firebase", "web-api-key"),
    ]:
        assert expected in public, expected
    for secret in [("stripe", "secret-key"), ("mapbox", "secret-token"), ("algolia", "admin-api-key")]:
        assert secret not in public, secret


def test_test_and_live_environments() -> None:
    assert fmt("stripe", "sk_test_").environment == "test"
    assert fmt("stripe", "sk_live_").environment == "live"
    assert fmt("pypi", "pypi-AgENdGVzdC5weXBpLm9yZw").environment == "test"
    assert fmt("braintree", "access_token$sandbox$").environment == "test"
    assert fmt("square", "sandbox-sq0csb-").environment == "test"


# --- import cost ----------------------------------------------------------------------------------


def test_registry_import_is_cheap() -> None:
    code = (
        "import sys\n"
        "from keylint.providers import builtin_providers\n"
        "n = sum(bool(f.regex.pattern) for p in builtin_providers() for f in p.formats)\n"
        "heavy = sorted(m for m in ('httpx', 'yaml', 'jsonschema', 'hypothesis') if m in sys.modules)\n"
        "print(n, heavy)\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    count, heavy = out.stdout.split(" ", 1)
    assert int(count) == len(FORMATS)
    assert heavy.strip() == "[]"
