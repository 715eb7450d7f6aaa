"""Azure Storage: a Shared Key signed request (hmac/hashlib only), so the account key itself is never sent.

The check lists at most one container of the account (``GET /?comp=list&maxresults=1`` on its blob
endpoint): read-only, and answered ``AuthenticationFailed`` (403) when the signature, made with the key,
does not match the account's key. The string to sign is the one of "Authorize with Shared Key"
(learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key, version 2009-09-19 and later).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime

from keylint import TYPE_CHECKING
from keylint.records import replace
from keylint.verify.spec import Unverifiable

if TYPE_CHECKING:
    from keylint.verify.spec import Prepared

# A service version every storage account accepts (x-ms-version is required with Shared Key).
VERSION = "2021-08-06"

# The standard headers of the string to sign, in its order; keylint's request sets none of them.
_STANDARD_HEADERS = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)


def string_to_sign(
    method: str, account: str, path: str, query: Iterable[tuple[str, str]], headers: Mapping[str, str]
) -> str:
    """The Blob service's Shared Key string to sign for a request with these headers (names any case)."""
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    standard = [lowered.get(name, "") for name in _STANDARD_HEADERS]
    if standard[2] == "0":  # from version 2015-02-21 on, a zero Content-Length is signed as empty
        standard[2] = ""
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in sorted(lowered) if name.startswith("x-ms-"))
    parameters: dict[str, list[str]] = {}
    for name, value in query:
        parameters.setdefault(name.lower(), []).append(value)
    resource = f"/{account}{path or '/'}" + "".join(
        f"\n{name}:{','.join(sorted(values))}" for name, values in sorted(parameters.items())
    )
    return "\n".join([method, *standard, canonical_headers + resource])


def signature(key: str, text: str) -> str:
    """base64(HMAC-SHA256(base64-decoded account key, text)); raises Unverifiable for a key that is not base64."""
    try:
        secret = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise Unverifiable("the account key is not valid base64, so no request can be signed with it") from None
    return base64.b64encode(hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


def sign_shared_key(prepared: Prepared, key: str, params: Mapping[str, str], now: datetime | None = None) -> Prepared:
    """Add x-ms-date, x-ms-version and ``Authorization: SharedKey <account>:<signature>`` to the request."""
    account = params["account"]
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    headers = dict(prepared.headers)
    headers["x-ms-date"] = format_datetime(moment, usegmt=True)
    headers["x-ms-version"] = VERSION
    text = string_to_sign(prepared.method, account, prepared.path, prepared.query, headers)
    headers["Authorization"] = f"SharedKey {account}:{signature(key, text)}"
    return replace(prepared, headers=tuple(headers.items()))
