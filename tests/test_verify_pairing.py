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
