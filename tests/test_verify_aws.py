"""AWS: SigV4 against AWS's published test vectors, offline account ids, and canary keys never sent."""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import datetime, timezone

import pytest

from keylint.verify import aws
from keylint.verify.spec import Auth, Check, Param, on, prepare
from verifykit import SCAN, verification_of

# AWS's documented example credentials (the SigV4 test suite and the S3 API reference).
SUITE_ID, SUITE_SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    ("name", "method", "query", "expected"),
    [
        ("get-vanilla", "GET", [], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("post-vanilla", "POST", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        (
            "get-vanilla-query-order-key-case",
            "GET",
            [("Param2", "value2"), ("Param1", "value1")],
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
    ],
)
def test_sigv4_test_suite_vectors(name, method, query, expected):
    signed, signature = aws.signature(
        method=method,
        path="/",
        query=query,
        headers={"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"},
        body=b"",
        secret=SUITE_SECRET,
        amz_date="20150830T123600Z",
        region="us-east-1",
        service="service",
    )
    assert (signed, signature) == ("host;x-amz-date", expected), name
    header = aws.authorization(SUITE_ID, "20150830T123600Z", "us-east-1", "service", signed, signature)
    assert header == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={expected}"
    )


def test_sigv4_s3_documented_get_object_example():
    _, signature = aws.signature(
        method="GET",
        path="/test.txt",
        query=[],
        headers={
            "Host": "examplebucket.s3.amazonaws.com",
            "Range": "bytes=0-9",
            "x-amz-content-sha256": hashlib.sha256(b"").hexdigest(),
            "x-amz-date": "20130524T000000Z",
        },
        body=b"",
        secret=S3_SECRET,
        amz_date="20130524T000000Z",
        region="us-east-1",
        service="s3",
    )
    assert signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"


def test_prepared_sts_request_is_signed_over_what_is_sent():
    check = Check(
        "https://sts.amazonaws.com/",
        method="POST",
        auth=Auth("aws-sigv4"),
        signer="aws-sigv4",
        form=(("Action", "GetCallerIdentity"), ("Version", "2011-06-15")),
        params=(Param("secret", secret=True), Param("session_token", required=False, secret=True)),
        outcomes=(on(200, "valid"),),
    )
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    request = prepare(check, "aws", SUITE_ID, {"secret": SUITE_SECRET, "session_token": "FQoGZXIvYXdzEXAMPLE"}, now=now)
    headers = dict(request.headers)
    assert headers["Host"] == "sts.amazonaws.com" and headers["X-Amz-Date"] == "20260102T030405Z"
    assert headers["X-Amz-Security-Token"] == "FQoGZXIvYXdzEXAMPLE"
    assert request.body == b"Action=GetCallerIdentity&Version=2011-06-15"
    signed = {k: v for k, v in headers.items() if k != "Authorization"}
    names, signature = aws.signature(
        method="POST", path="/", query=[], headers=signed, body=request.body, secret=SUITE_SECRET,
        amz_date="20260102T030405Z", region="us-east-1", service="sts",
    )  # fmt: skip
    assert headers["Authorization"].endswith(f"SignedHeaders={names}, Signature={signature}")
    assert "x-amz-security-token" in names and "content-type" in names


def test_account_id_is_decoded_offline():
    assert aws.account_id("ASIAY34FZKBOKMUTVV7A") == "609629065308"
    assert aws.account_id("AKIAIOSFODNN7EXAMPLE") is None  # an old-style id carries no account


def access_key_for(account: str, seed: int = 0) -> str:
    """A current-style access key id that decodes to ``account`` (built at test time)."""
    rng = random.Random(seed)
    head = (1 << 47) | (int(account) << 7) | rng.randrange(128)
    raw = head.to_bytes(6, "big") + bytes(rng.randrange(256) for _ in range(4))
    return "AKIA" + base64.b32encode(raw).decode()


@pytest.mark.parametrize("account", ["052310077262", "992382622183", "044858866125"])
def test_canary_accounts_are_recognised(account):
    key = access_key_for(account)
    assert aws.account_id(key) == account
    assert "canary" in aws.canary_reason(key)


def test_a_canary_key_is_never_sent(loopback, cli, tmp_path):
    key = access_key_for("717712589309")
    (tmp_path / ".env").write_text(f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={'A1b2' * 10}\n")
    loopback.always(200, {})
    report = cli(*SCAN, cwd=tmp_path).json()
    result = verification_of(report, ".env", key="AWS_ACCESS_KEY_ID")
    assert result["status"] == "unverifiable"
    assert "717712589309" in result["detail"] and "canary" in result["detail"]
    assert loopback.requests == []


def test_an_ordinary_key_is_not_a_canary():
    assert aws.canary_reason(access_key_for("123456789012")) is None
