"""Checks as data: building requests safely, reading answers, and the registry's checks being sound."""

from __future__ import annotations

import base64
import json

import pytest

from keylint.config import ConfigError, settings_from_table
from keylint.providers import builtin_providers
from keylint.verify.spec import (
    Auth,
    Check,
    Param,
    Unverifiable,
    basic,
    bearer,
    checks_of,
    default_outcome,
    form,
    header,
    in_path,
    instance,
    interpret,
    json_field,
    lookup,
    on,
    prepare,
    problems,
    query,
    standard,
)

KEY = "tok_abcdefghijklmnop1234"


def test_bearer_header():
    request = prepare(Check("https://api.example.com/v1/me", outcomes=standard()), "p", KEY, {})
    assert (request.method, request.host, request.path, request.query) == ("GET", "api.example.com", "/v1/me", ())
    assert request.header("Authorization") == f"Bearer {KEY}"
    assert request.body == b""


def test_custom_header_and_extra_headers_with_parameters():
    check = Check(
        "https://api.example.com/me",
        auth=header("Authorization", "SSWS {key}"),
        headers=(("X-Account", "{account}"),),
        params=(Param("account"),),
        outcomes=standard(),
    )
    request = prepare(check, "p", KEY, {"account": "acme"})
    assert request.header("Authorization") == f"SSWS {KEY}"
    assert request.header("X-Account") == "acme"


def test_basic_auth_with_a_partner():
    check = Check(
        "https://api.example.com/me", auth=basic("{sid}", "{key}"), params=(Param("sid"),), outcomes=standard()
    )
    request = prepare(check, "p", KEY, {"sid": "AC123"})
    assert base64.b64decode(request.header("Authorization")[6:]).decode() == f"AC123:{KEY}"


def test_query_form_and_json_placements():
    q = prepare(Check("https://api.example.com/t?v=2", auth=query("access_token"), outcomes=standard()), "p", KEY, {})
    assert q.query == (("v", "2"), ("access_token", KEY)) and q.header("Authorization") is None
    f = prepare(
        Check("https://api.example.com/t", method="POST", auth=form("token"), form=(("a", "1"),), outcomes=standard()),
        "p",
        KEY,
        {},
    )
    assert f.body == f"a=1&token={KEY}".encode() and f.header("Content-Type").startswith("application/x-www-form")
    j = prepare(
        Check("https://api.example.com/t", method="POST", auth=json_field("key"), json={"q": "{ viewer { id } }"},
              outcomes=standard()),
        "p",
        KEY,
        {},
    )  # fmt: skip
    assert json.loads(j.body) == {"q": "{ viewer { id } }", "key": KEY}


def test_values_in_a_path_are_percent_encoded_so_they_cannot_change_it():
    check = Check("https://api.example.com/accounts/{sid}.json", params=(Param("sid"),), outcomes=standard())
    request = prepare(check, "p", KEY, {"sid": "../../admin?x=1#y"})
    assert request.path == "/accounts/..%2F..%2Fadmin%3Fx%3D1%23y.json"
    telegram = prepare(Check("https://api.telegram.org/bot{key}/getMe", auth=in_path(), outcomes=standard()), "t",
                       "123456789:AAbc_d-e", {})  # fmt: skip
    assert telegram.path == "/bot123456789:AAbc_d-e/getMe"


@pytest.mark.parametrize(
    "value",
    ["evil.com/x", "evil.com", "169.254.169.254", "localhost", "a.b.okta.com@evil.com", "okta.com.evil.com", ""],
)
def test_a_templated_host_stays_inside_the_providers_domains(value):
    check = Check(
        "https://{org}/api/v1/users/me",
        auth=header("Authorization", "SSWS {key}"),
        params=(Param("org", pattern=r".*"),),
        domains=("okta.com",),
        outcomes=standard(),
    )
    with pytest.raises(Unverifiable):
        prepare(check, "okta", KEY, {"org": value})
    assert prepare(check, "okta", KEY, {"org": "Dev-1.okta.com"}).host == "dev-1.okta.com"


def test_host_pattern_narrows_the_domain_further():
    check = Check(
        "https://{dc}.api.mailchimp.com/3.0/ping",
        key_pattern=r"-(?P<dc>us[0-9]{1,2})$",
        domains=("api.mailchimp.com",),
        host_pattern=r"us[0-9]{1,2}\.api\.mailchimp\.com",
        outcomes=standard(),
    )
    assert prepare(check, "m", "0123abcd-us21", {}).host == "us21.api.mailchimp.com"
    with pytest.raises(Unverifiable):
        prepare(check, "m", "0123abcd-eu1", {})


def test_line_breaks_never_reach_a_header():
    check = Check("https://api.example.com/me", headers=(("X-User", "{user}"),), params=(Param("user"),),
                  outcomes=standard())  # fmt: skip
    with pytest.raises(Unverifiable, match="line break"):
        prepare(check, "p", KEY, {"user": "bob\r\nX-Evil: 1"})


def test_non_https_urls_are_refused_at_build_time():
    with pytest.raises(Unverifiable, match="https"):
        prepare(Check("http://api.example.com/me", outcomes=standard()), "p", KEY, {})


def test_interpret_reads_codes_fields_and_markers():
    check = Check(
        "https://slack.com/api/auth.test",
        outcomes=(
            on(200, "valid", field="ok", equals=True),
            on(200, "revoked", field="error", equals="token_revoked"),
            on(200, "invalid", field="error", equals=("invalid_auth", "not_authed"), detail="Slack says {value}"),
            on(403, "invalid", contains="InvalidClientTokenId"),
        ),
    )
    assert interpret(check, 200, b'{"ok": true}')[0] == "valid"
    assert interpret(check, 200, b'{"ok": 1}') is None  # 1 is not true: no guessing
    assert interpret(check, 200, b'{"ok": false, "error": "token_revoked"}')[0] == "revoked"
    assert interpret(check, 200, b'{"ok": false, "error": "not_authed"}') == ("invalid", "Slack says not_authed")
    assert interpret(check, 403, b"<Code>InvalidClientTokenId</Code>")[0] == "invalid"
    assert interpret(check, 200, b"<html>not json</html>") is None
    assert interpret(check, 500, b"") is None


def test_lookup_walks_objects_and_lists():
    data = {"a": {"b": [{"c": 1}]}}
    assert lookup(data, "a.b.0.c") == (True, 1)
    assert lookup(data, "a.x") == (False, None)
    assert lookup(None, "a") == (False, None)


def test_detail_values_from_answers_are_cleaned():
    check = Check("https://api.example.com", outcomes=(on(401, "invalid", field="error", detail="says {value}"),))
    status, detail = interpret(check, 401, json.dumps({"error": "\x1b[31m<b>bad</b>\n" + "x" * 200}).encode())
    assert status == "invalid"
    assert "\x1b" not in detail and "<" not in detail and "\n" not in detail and len(detail) < 80


def test_answers_no_rule_covers_are_never_guessed():
    assert default_outcome(302)[0] == "unknown"
    assert default_outcome(429)[0] == "rate_limited"
    assert default_outcome(503)[0] == "unknown"
    assert default_outcome(418)[0] == "unknown"
    assert default_outcome(401)[0] == "unknown"


def test_problems_catch_unsafe_checks():
    assert problems(Check("https://api.example.com/me", outcomes=standard())) == []
    assert "URL must be https" in problems(Check("http://api.example.com/", outcomes=standard()))
    assert problems(Check("https://api.example.com:8443/", outcomes=standard()))
    assert problems(Check("https://{host}/x", params=(Param("host"),), outcomes=standard()))  # no domains
    assert problems(Check("https://{key}.example.com/x", domains=("example.com",), outcomes=standard()))
    assert problems(Check("https://api.example.com/{nope}", outcomes=standard()))
    assert problems(Check("https://api.example.com/", method="DELETE", outcomes=standard()))
    assert problems(Check("https://api.example.com/", outcomes=(on(401, "invalid"),)))
    assert problems(Check("https://api.example.com/", auth=in_path(), outcomes=standard()))


def test_every_check_in_the_registry_is_sound():
    found = {}
    for provider in builtin_providers():
        for check in checks_of(provider):
            found[(provider.id, check.url, check.kinds)] = problems(check)
    assert len({key[0] for key in found}) >= 30
    assert {k: v for k, v in found.items() if v} == {}


def test_every_templated_host_is_pinned_to_the_providers_own_domains():
    for provider in builtin_providers():
        for check in checks_of(provider):
            if "{" in check.host_template:
                assert check.domains, provider.id
                for domain in check.domains:
                    assert domain.count(".") >= 1 and "{" not in domain


def test_instance_guard_accepts_only_listed_hosts():
    guard = instance("GITLAB_URL", hosts=("gitlab.com",), default="gitlab.com")
    assert guard.default == "gitlab.com" and guard.choices == ("gitlab.com",)


def test_config_defined_providers_cannot_carry_a_check():
    table = {"providers": [{"id": "acme", "template": "acme_{alnum:32}", "verify": "https://evil.example/"}]}
    with pytest.raises(ConfigError, match="unknown key"):
        settings_from_table(table, "c", ".")
    ok = settings_from_table({"providers": [{"id": "acme", "template": "acme_{alnum:32}"}]}, "c", ".")
    assert all(p.verify is None for p in ok.extra_providers)


def test_readme_counts_the_verified_providers():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    count = sum(1 for p in builtin_providers() if checks_of(p))
    assert f"Checks exist for {count} providers" in readme


def test_a_recorded_reason_covers_its_kinds_only_and_never_hides_a_check():
    from keylint.providers import by_id
    from keylint.verify.spec import NoCheck, no_check_reason

    firebase = by_id("firebase")
    assert "public by design" in no_check_reason(firebase, "web-api-key")
    assert no_check_reason(firebase, "no-such-kind") is None
    assert checks_of(firebase) == () and checks_of(by_id("hashicorp-vault")) == ()
    assert "self-hosted" in no_check_reason(by_id("hashicorp-vault"), "batch-token")
    assert no_check_reason(by_id("openai"), "project-key") is None
    # A provider may mix both: its checks stay checks, the reason covers what they do not.
    postmark = by_id("postmark")
    assert len(checks_of(postmark)) == 2 and any(isinstance(v, NoCheck) for v in postmark.verify)


def test_a_check_limited_to_variables_applies_to_those_names_only():
    check = Check("https://api.example.com/me", kinds=("api-token",), variables=("A_TOKEN",), outcomes=standard())
    assert check.applies_to("api-token", None, "A_TOKEN")
    assert not check.applies_to("api-token", None, "B_TOKEN") and not check.applies_to("api-token", None)
    assert Check("https://api.example.com/me", outcomes=standard()).applies_to("x", None, None)


def test_problems_catch_aliases_outside_the_pattern_and_unsigned_signature_checks():
    bad_alias = Check(
        "https://{host}/me",
        params=(Param("host", aliases=(("prod", "evil.example"),), pattern=r"api\\.example\\.com"),),
        domains=("example.com",),
        outcomes=standard(),
    )
    assert any("alias 'prod'" in p for p in problems(bad_alias))
    unsigned = Check("https://api.example.com/", auth=Auth("azure-shared-key"), outcomes=standard())
    assert any("would go unsigned" in p for p in problems(unsigned))
    mismatched = Check("https://api.example.com/", auth=bearer(), signer="azure-shared-key", outcomes=standard())
    assert any("azure-shared-key checks use" in p for p in problems(mismatched))


def test_shared_key_string_to_sign_follows_the_documented_layout():
    from datetime import datetime, timezone

    from keylint.verify import azure

    text = azure.string_to_sign(
        "GET",
        "acct",
        "/",
        [("comp", "list"), ("MaxResults", "1"), ("include", "b"), ("include", "a")],
        {"x-ms-version": "2021-08-06", "X-MS-Date": "Fri, 27 Nov 2026 05:00:00 GMT", "Content-Length": "0"},
    )
    assert text == (
        "GET\n\n\n\n\n\n\n\n\n\n\n\n"  # verb and the 11 standard headers (a zero length is signed empty)
        "x-ms-date:Fri, 27 Nov 2026 05:00:00 GMT\nx-ms-version:2021-08-06\n"
        "/acct/\ncomp:list\ninclude:a,b\nmaxresults:1"
    )
    check = Check(
        "https://{account}.blob.core.windows.net/?comp=list&maxresults=1",
        auth=Auth("azure-shared-key"),
        signer="azure-shared-key",
        params=(Param("account", pattern="[a-z0-9]{3,24}"),),
        domains=("blob.core.windows.net",),
        outcomes=standard(),
    )
    key = base64.b64encode(bytes(range(64))).decode()
    now = datetime(2026, 11, 27, 5, 0, tzinfo=timezone.utc)
    request = prepare(check, "azure-storage", key, {"account": "acct"}, now=now)
    assert request.header("x-ms-date") == "Fri, 27 Nov 2026 05:00:00 GMT"
    expected = azure.signature(key, azure.string_to_sign("GET", "acct", "/", request.query, dict(request.headers)))
    assert request.header("Authorization") == f"SharedKey acct:{expected}"
    with pytest.raises(Unverifiable, match="not valid base64"):
        prepare(check, "azure-storage", key[:-3] + "!==", {"account": "acct"}, now=now)
