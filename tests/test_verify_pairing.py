"""Partners and parameters come from the key's own file and section, exactly one or none: never guessed."""

from __future__ import annotations

import pytest

from conftest import make_key
from keylint.detect import Detector
from keylint.model import Entry
from keylint.providers import builtin_providers, by_id
from keylint.verify.pairing import Item, find_params
from keylint.verify.spec import Unverifiable, check_for

DETECTOR = Detector(builtin_providers())


def items(*pairs: tuple[str, str]) -> list[Item]:
    out = []
    for line, (key, value) in enumerate(pairs, start=1):
        entry = Entry(key=key, value=value, raw=value, line=line, column=1)
        out.append(Item(entry, tuple(DETECTOR.find(entry))))
    return out


def params_for(provider_id: str, kind: str, found: list[Item], key_path: str) -> dict[str, str]:
    provider = by_id(provider_id)
    (item,) = [i for i in found if i.entry.key == key_path]
    (match,) = [m for m in item.matches if m.kind == kind]
    check = check_for(provider, kind, match.environment)
    return find_params(check, provider_id, item.entry, found)


AKID, AKID2 = make_key("aws", "access-key-id"), make_key("aws", "access-key-id", seed=1)
SECRET, SECRET2 = make_key("aws", "secret-access-key"), make_key("aws", "secret-access-key", seed=1)


def test_aws_id_pairs_with_the_secret_next_to_it():
    found = items(("AWS_ACCESS_KEY_ID", AKID), ("AWS_SECRET_ACCESS_KEY", SECRET))
    assert params_for("aws", "access-key-id", found, "AWS_ACCESS_KEY_ID") == {"secret": SECRET}


def test_a_missing_partner_makes_the_key_unverifiable():
    with pytest.raises(Unverifiable, match="secret access key"):
        params_for("aws", "access-key-id", items(("AWS_ACCESS_KEY_ID", AKID)), "AWS_ACCESS_KEY_ID")


def test_two_candidate_partners_are_ambiguous():
    found = items(("AWS_ACCESS_KEY_ID", AKID), ("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_SECRET_KEY", SECRET2))
    with pytest.raises(Unverifiable, match="ambiguous"):
        params_for("aws", "access-key-id", found, "AWS_ACCESS_KEY_ID")


def test_two_ids_sharing_one_secret_are_ambiguous():
    found = items(("AWS_ACCESS_KEY_ID", AKID), ("BACKUP_AWS_ACCESS_KEY_ID", AKID2), ("AWS_SECRET_ACCESS_KEY", SECRET))
    with pytest.raises(Unverifiable, match="ambiguous"):
        params_for("aws", "access-key-id", found, "AWS_ACCESS_KEY_ID")


def test_sections_pair_within_themselves_and_never_with_a_sibling():
    found = items(
        ("default.AWS_ACCESS_KEY_ID", AKID),
        ("default.AWS_SECRET_ACCESS_KEY", SECRET),
        ("prod.AWS_ACCESS_KEY_ID", AKID2),
        ("prod.AWS_SECRET_ACCESS_KEY", SECRET2),
        ("staging.AWS_ACCESS_KEY_ID", make_key("aws", "access-key-id", seed=2)),
    )
    assert params_for("aws", "access-key-id", found, "default.AWS_ACCESS_KEY_ID") == {"secret": SECRET}
    assert params_for("aws", "access-key-id", found, "prod.AWS_ACCESS_KEY_ID") == {"secret": SECRET2}
    with pytest.raises(Unverifiable, match="none found"):
        params_for("aws", "access-key-id", found, "staging.AWS_ACCESS_KEY_ID")


def test_an_enclosing_section_provides_a_partner_when_the_own_one_has_none():
    sid = make_key("twilio", "account-sid")
    token = make_key("twilio", "auth-token")
    found = items(("TWILIO_ACCOUNT_SID", sid), ("services.sms.TWILIO_AUTH_TOKEN", token))
    assert params_for("twilio", "auth-token", found, "services.sms.TWILIO_AUTH_TOKEN") == {"account_sid": sid}


def test_a_reference_is_not_expanded():
    token = make_key("twilio", "auth-token")
    found = items(("TWILIO_ACCOUNT_SID", "${TWILIO_SID}"), ("TWILIO_AUTH_TOKEN", token))
    with pytest.raises(Unverifiable, match="reference"):
        params_for("twilio", "auth-token", found, "TWILIO_AUTH_TOKEN")


def test_langfuse_secret_key_pairs_with_its_public_key_and_default_region():
    sk, pk = make_key("langfuse", "secret-key"), make_key("langfuse", "public-key")
    found = items(("LANGFUSE_SECRET_KEY", sk), ("LANGFUSE_PUBLIC_KEY", pk))
    assert params_for("langfuse", "secret-key", found, "LANGFUSE_SECRET_KEY") == {
        "public_key": pk,
        "instance": "cloud.langfuse.com",
    }


@pytest.mark.parametrize(
    "host",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:3000",
        "https://127.0.0.1",
        "https://langfuse.internal.example",
        "https://cloud.langfuse.com.evil.example",
    ],
)
def test_a_self_hosted_or_internal_instance_is_never_a_target(host):
    sk, pk = make_key("langfuse", "secret-key"), make_key("langfuse", "public-key")
    found = items(("LANGFUSE_SECRET_KEY", sk), ("LANGFUSE_PUBLIC_KEY", pk), ("LANGFUSE_HOST", host))
    with pytest.raises(Unverifiable):
        params_for("langfuse", "secret-key", found, "LANGFUSE_SECRET_KEY")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://dev-123.okta.com", "dev-123.okta.com"),
        ("https://Dev-123.OKTA.com/oauth2/default", "dev-123.okta.com"),
        ("dev-123.oktapreview.com", "dev-123.oktapreview.com"),
        ("http://169.254.169.254/", None),
        ("https://dev-123.okta.com:8443", None),
        ("https://dev-123.okta.com.evil.example", None),
        ("https://localhost/okta.com", None),
        ("https://user@dev-123.okta.com", None),
    ],
)
def test_org_urls_are_pinned_to_oktas_domains(url, expected):
    token = make_key("okta", "api-token")
    found = items(("OKTA_API_TOKEN", token), ("OKTA_ORG_URL", url))
    if expected is None:
        with pytest.raises(Unverifiable):
            params_for("okta", "api-token", found, "OKTA_API_TOKEN")
    else:
        assert params_for("okta", "api-token", found, "OKTA_API_TOKEN") == {"org": expected}


# --- the checks whose host or path depends on a neighbour: only listed words and validated names steer them ---


def request_for(provider_id: str, kind: str, found: list[Item], key_path: str):
    from keylint.values import normalized_name
    from keylint.verify.spec import prepare

    provider = by_id(provider_id)
    (item,) = [i for i in found if i.entry.key == key_path]
    (match,) = [m for m in item.matches if m.kind == kind]
    check = check_for(provider, kind, match.environment, normalized_name(key_path))
    assert check is not None, (provider_id, kind, key_path)
    return prepare(check, provider_id, match.token, find_params(check, provider_id, item.entry, found))


STORAGE_KEY = make_key("azure-storage", "account-key")
KEY_LINE = ("AZURE_STORAGE_KEY", STORAGE_KEY)
TENANT, CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "11111111-2222-4333-8444-555555555555"
SQ, PP = ("square", "access-token", "SQUARE_ACCESS_TOKEN"), ("paypal", "client-secret", "PAYPAL_CLIENT_SECRET")


@pytest.mark.parametrize(
    ("lines", "host"),
    [
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "acmestore")], "acmestore.blob.core.windows.net"),
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "evil.example")], None),
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "acme/../x")], None),
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "Acme.Blob.Core.Windows.Net")], None),
        ([KEY_LINE], None),
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "acme"), ("AZURE_STORAGE_ACCOUNT_NAME", "other")], None),
        ([KEY_LINE, ("AZURE_STORAGE_ACCOUNT", "${STORAGE_ACCOUNT}")], None),
    ],
)  # fmt: skip
def test_azure_storage_account_name_pins_the_blob_host(lines, host):
    found = items(*lines)
    key_path = lines[0][0]
    if host is None:
        with pytest.raises(Unverifiable):
            request_for("azure-storage", "account-key", found, key_path)
        return
    request = request_for("azure-storage", "account-key", found, key_path)
    assert (request.host, request.path, request.query) == (host, "/", (("comp", "list"), ("maxresults", "1")))
    assert request.header("Authorization").startswith(f"SharedKey {host.split('.')[0]}:")
    assert STORAGE_KEY not in repr(request.headers) and STORAGE_KEY.encode() not in request.body


@pytest.mark.parametrize(
    ("provider_id", "kind", "key_var", "setting", "host"),
    [
        (*SQ, None, "connect.squareup.com"),
        (*SQ, ("SQUARE_ENVIRONMENT", "production"), "connect.squareup.com"),
        (*SQ, ("SQUARE_ENVIRONMENT", "SANDBOX"), "connect.squareupsandbox.com"),
        (*SQ, ("SQUARE_ENVIRONMENT", "staging"), None),
        (*SQ, ("SQUARE_ENVIRONMENT", "https://evil.example"), None),
        (*SQ, ("SQUARE_ENVIRONMENT", "connect.squareup.com.evil.example"), None),
        (*PP, None, "api-m.paypal.com"),
        (*PP, ("PAYPAL_MODE", "live"), "api-m.paypal.com"),
        (*PP, ("PAYPAL_ENVIRONMENT", "Sandbox"), "api-m.sandbox.paypal.com"),
        (*PP, ("PAYPAL_MODE", "api-m.paypal.com.evil.example"), None),
        (*PP, ("PAYPAL_MODE", "localhost"), None),
    ],
)  # fmt: skip
def test_environment_words_choose_between_the_providers_two_hosts_only(provider_id, kind, key_var, setting, host):
    lines = [(key_var, make_key(provider_id, kind))]
    if provider_id == "paypal":
        lines.append(("PAYPAL_CLIENT_ID", "A" + "b" * 79))
    if setting:
        lines.append(setting)
    found = items(*lines)
    if host is None:
        with pytest.raises(Unverifiable):
            request_for(provider_id, kind, found, key_var)
    else:
        assert request_for(provider_id, kind, found, key_var).host == host


@pytest.mark.parametrize(
    ("org_url", "path"),
    [
        ("https://dev.azure.com/acme-org/", "/acme-org/_apis/projects"),
        ("https://Acme.visualstudio.com", "/acme/_apis/projects"),
        ("acme", "/acme/_apis/projects"),
        ("https://evil.example/", None),
        ("https://dev.azure.com/acme/../../x", None),
        ("http://dev.azure.com/acme", None),
        ("https://dev.azure.com:8443/acme", None),
    ],
)
def test_azure_devops_organization_only_fills_one_path_segment_on_dev_azure_com(org_url, path):
    pat = make_key("azure-devops", "personal-access-token")
    found = items(("AZURE_DEVOPS_PAT", pat), ("SYSTEM_COLLECTIONURI", org_url))
    if path is None:
        with pytest.raises(Unverifiable):
            request_for("azure-devops", "personal-access-token", found, "AZURE_DEVOPS_PAT")
    else:
        request = request_for("azure-devops", "personal-access-token", found, "AZURE_DEVOPS_PAT")
        assert (request.host, request.path) == ("dev.azure.com", path)


@pytest.mark.parametrize(
    ("tenant", "authority", "ok"),
    [
        (TENANT, None, True),
        ("contoso.onmicrosoft.com", "https://login.microsoftonline.com/", True),
        ("../../common", None, False),
        ("contoso.onmicrosoft.com/../x", None, False),
        (TENANT, "https://login.chinacloudapi.cn/", False),
        (TENANT, "https://login.microsoftonline.us", False),
    ],
)
def test_entra_tenant_fills_only_its_path_segment_and_other_clouds_are_left_alone(tenant, authority, ok):
    secret = make_key("azure-entra", "client-secret")
    lines = [("AZURE_CLIENT_SECRET", secret), ("AZURE_TENANT_ID", tenant), ("AZURE_CLIENT_ID", CLIENT_ID)]
    if authority:
        lines.append(("AZURE_AUTHORITY_HOST", authority))
    found = items(*lines)
    if not ok:
        with pytest.raises(Unverifiable):
            request_for("azure-entra", "client-secret", found, "AZURE_CLIENT_SECRET")
        return
    request = request_for("azure-entra", "client-secret", found, "AZURE_CLIENT_SECRET")
    assert (request.host, request.path) == ("login.microsoftonline.com", f"/{tenant}/oauth2/v2.0/token")
    assert request.header("Authorization") is None
    assert f"client_secret={secret}".encode() in request.body.replace(b"%7E", b"~")


def test_a_slack_webhook_url_is_rebuilt_on_hooks_slack_com_from_its_three_parts_only():
    from keylint.verify.spec import prepare

    hook = make_key("slack", "incoming-webhook")
    check = check_for(by_id("slack"), "incoming-webhook", None)
    request = prepare(check, "slack", hook, {})
    assert (request.method, request.host) == ("POST", "hooks.slack.com")
    assert request.path == hook.removeprefix("https://hooks.slack.com") and request.body == b'{"text":""}'
    assert request.header("Authorization") is None
    for steered in (hook + "/../../api/chat.postMessage", hook.replace("/services/", "/services/../x/"), hook[:-1]):
        with pytest.raises(Unverifiable):
            prepare(check, "slack", steered, {})


@pytest.mark.parametrize(
    ("variable", "path"),
    [("POSTMARK_SERVER_TOKEN", "/server"), ("POSTMARK_API_TOKEN", "/server"), ("POSTMARK_ACCOUNT_TOKEN", "/servers")],
)
def test_a_postmark_token_goes_to_the_endpoint_its_variable_names(variable, path):
    token = make_key("postmark", "api-token")
    request = request_for("postmark", "api-token", items((variable, token)), variable)
    assert request.path == path
    expected = "X-Postmark-Account-Token" if "ACCOUNT" in variable else "X-Postmark-Server-Token"
    assert [name for name, value in request.headers if value == token] == [expected]
