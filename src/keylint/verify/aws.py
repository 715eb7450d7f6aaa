"""AWS: Signature Version 4 for ``sts:GetCallerIdentity`` (hmac/hashlib only), and canary accounts.

``GetCallerIdentity`` needs no IAM permission and changes nothing, but it is logged in the key
owner's CloudTrail. Honeytoken services hand out real keys of their own accounts and alert whoever
planted them the moment a key is used: verifying such a key would fire the alarm, so keys whose
account id (decoded offline from the access key id) belongs to a known canary service are never sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from urllib.parse import quote

from keylint import TYPE_CHECKING
from keylint.records import replace

if TYPE_CHECKING:
    from keylint.verify.spec import Prepared

REGION = "us-east-1"
SERVICE = "sts"

# Accounts that issue canary AWS keys (list as kept by trufflehog's AWS detector, Aug 2026).
THINKST_CANARY_ACCOUNTS = frozenset(
    {
        "052310077262",
        "171436882533",
        "534261010715",
        "595918472158",
        "717712589309",
        "819147034852",
        "992382622183",
        "730335385048",
        "266735846894",
        "893192397702",
    }
)
# Services modelled on canarytokens.org ("off-brand" canaries) that alert in the same way.
OTHER_CANARY_ACCOUNTS = frozenset(
    {
        "044858866125",
        "251535659677",
        "344043088457",
        "351906852752",
        "390477818340",
        "426127672474",
        "427150556519",
        "439872796651",
        "445142720921",
        "465867158099",
        "637958123769",
        "693412236332",
        "732624840810",
        "735421457923",
        "959235150393",
        "982842642351",
    }
)


def account_id(access_key_id: str) -> str | None:
    """The 12-digit account an access key id belongs to, decoded offline (None for old-style ids).

    The 16 characters after the 4-character prefix are base32; in current ids the 40 bits after
    the first bit of the decoded bytes are the account number.
    """
    if len(access_key_id) != 20 or access_key_id[4] in "IJ":
        return None
    try:
        decoded = base64.b32decode(access_key_id[4:])
    except (binascii.Error, ValueError):
        return None
    number = (int.from_bytes(decoded[:6], "big") & 0x7FFFFFFFFF80) >> 7
    return f"{number:012d}"


def canary_reason(access_key_id: str) -> str | None:
    """Why this key must not be verified (it is a honeytoken), or None."""
    account = account_id(access_key_id)
    if account in THINKST_CANARY_ACCOUNTS:
        return f"AWS account {account} issues Thinkst canarytokens: verifying the key would alert its owner"
    if account in OTHER_CANARY_ACCOUNTS:
        return f"AWS account {account} belongs to a known canary-token service: verifying would alert its owner"
    return None


# --- Signature Version 4 -------------------------------------------------------------------------


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _uri_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    encoded = sorted((_uri_encode(k), _uri_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def signature(
    *,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    amz_date: str,
    region: str,
    service: str,
) -> tuple[str, str]:
    """(signed header names, hex signature) for a request whose ``headers`` include host and x-amz-date.

    ``path`` is used as given (already URI-encoded, as in every request keylint sends).
    """
    canonical_headers = {name.lower().strip(): " ".join(value.strip().split()) for name, value in headers.items()}
    names = sorted(canonical_headers)
    signed = ";".join(names)
    canonical_request = "\n".join(
        [
            method,
            path or "/",
            canonical_query(query),
            "".join(f"{name}:{canonical_headers[name]}\n" for name in names),
            signed,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    digest = hmac.new(signing_key(secret, date, region, service), string_to_sign.encode("utf-8"), hashlib.sha256)
    return signed, digest.hexdigest()


def authorization(access_key_id: str, amz_date: str, region: str, service: str, signed: str, sig: str) -> str:
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    return f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={signed}, Signature={sig}"


def sign_prepared(
    prepared: Prepared, access_key_id: str, params: Mapping[str, str], now: datetime | None = None
) -> Prepared:
    """Add Host, X-Amz-Date, (X-Amz-Security-Token) and Authorization to an STS request.

    Host is sent explicitly because it is signed: a loopback test server sees the same bytes AWS would.
    """
    moment = now or datetime.now(timezone.utc)
    amz_date = moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = dict(prepared.headers)
    headers["Host"] = prepared.host
    headers["X-Amz-Date"] = amz_date
    token = params.get("session_token")
    if token:
        headers["X-Amz-Security-Token"] = token
    signed, sig = signature(
        method=prepared.method,
        path=prepared.path,
        query=prepared.query,
        headers=headers,
        body=prepared.body,
        secret=params["secret"],
        amz_date=amz_date,
        region=REGION,
        service=SERVICE,
    )
    headers["Authorization"] = authorization(access_key_id, amz_date, REGION, SERVICE, signed, sig)
    return replace(prepared, headers=tuple(headers.items()))
