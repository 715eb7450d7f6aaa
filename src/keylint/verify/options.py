"""``--verify`` and its options, the related config keys, and the one environment variable it honours.

Imported by ``keylint scan`` at argument-parsing time, so it imports nothing heavy.
"""

from __future__ import annotations

import argparse
import os
import re

from keylint import TYPE_CHECKING
from keylint.config import ConfigError, Settings
from keylint.records import dataclass

if TYPE_CHECKING:
    from typing import Any

BASE_URL_ENV = "KEYLINT_VERIFY_BASE_URL"

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_CONCURRENCY = 48
DEFAULT_HOST_CONCURRENCY = 8
DEFAULT_CACHE_TTL = 24 * 3600.0

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: Any, what: str) -> float:
    """Seconds from ``90``, ``90s``, ``30m``, ``24h``, ``7d`` ..."""
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a duration such as 30s, 10m, 24h, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"{what}: expected a duration such as 30s, 10m, 24h, got {value!r}")
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < 0:
        raise ConfigError(f"{what}: must not be negative")
    return seconds


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{what}: expected a whole number of at least 1, got {value!r}")
    return value


@dataclass(eq=False, repr=False)  # only __init__: imported by every `keylint scan`
class VerifyOptions:
    timeout: float = DEFAULT_TIMEOUT  # total seconds per request attempt
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY  # requests in flight overall
    host_concurrency: int = DEFAULT_HOST_CONCURRENCY  # ... and per provider host
    cache_ttl: float = DEFAULT_CACHE_TTL  # 0: no cache
    use_cache: bool = True
    retries: int = 2  # extra attempts after a 429, a 5xx or a network error
    max_retry_after: float = 5.0  # a longer Retry-After ends the attempts (status rate_limited)


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "live verification", "Off by default: --verify sends each key to its provider's own API, once."
    )
    group.add_argument(
        "--verify",
        action="store_true",
        help="ask each provider whether the keys work (one read-only HTTPS request per distinct key)",
    )
    group.add_argument("--no-cache", action="store_true", help="with --verify: do not read or write the result cache")
    group.add_argument(
        "--cache-ttl", metavar="DURATION", help="with --verify: reuse cached results this long (default 24h; 0: never)"
    )
    group.add_argument(
        "--verify-timeout", metavar="SECONDS", help="with --verify: give up on a request after this long (default 10)"
    )


def options_from(settings: Settings, args: argparse.Namespace | None = None) -> VerifyOptions:
    """Config keys first, then the command line; bad values are a ConfigError (exit 2)."""
    opts = settings.options
    source = settings.config_path or "config"
    kwargs: dict[str, Any] = {}
    if "verify-timeout" in opts:
        kwargs["timeout"] = parse_duration(opts["verify-timeout"], f"{source}: verify-timeout")
    if "verify-connect-timeout" in opts:
        kwargs["connect_timeout"] = parse_duration(opts["verify-connect-timeout"], f"{source}: verify-connect-timeout")
    if "verify-concurrency" in opts:
        kwargs["concurrency"] = _positive_int(opts["verify-concurrency"], f"{source}: verify-concurrency")
    if "verify-host-concurrency" in opts:
        kwargs["host_concurrency"] = _positive_int(
            opts["verify-host-concurrency"], f"{source}: verify-host-concurrency"
        )
    if "cache-ttl" in opts:
        kwargs["cache_ttl"] = parse_duration(opts["cache-ttl"], f"{source}: cache-ttl")
    if args is not None:
        if getattr(args, "verify_timeout", None) is not None:
            kwargs["timeout"] = parse_duration(args.verify_timeout, "--verify-timeout")
        if getattr(args, "cache_ttl", None) is not None:
            kwargs["cache_ttl"] = parse_duration(args.cache_ttl, "--cache-ttl")
        if getattr(args, "no_cache", False):
            kwargs["use_cache"] = False
    result = VerifyOptions(**kwargs)
    if result.timeout <= 0:
        raise ConfigError("verify timeout must be more than 0 seconds")
    if result.connect_timeout <= 0:
        raise ConfigError("verify connect timeout must be more than 0 seconds")
    return result


def apply_args(settings: Settings, args: argparse.Namespace) -> Settings:
    """Mark the settings of a --verify run: the engine then keeps what pairing needs (partner values)."""
    if not getattr(args, "verify", False):
        return settings
    options_from(settings, args)  # fail early (exit 2) on a bad value, before any file is read
    base_url_override()
    return settings.with_options(verify=True)


@dataclass(eq=False, repr=False)  # only __init__: imported by every `keylint scan`
class BaseURL:
    """KEYLINT_VERIFY_BASE_URL, parsed: every request goes to scheme://host:port instead (testing aid)."""

    scheme: str
    host: str
    port: int


def base_url_override(environ: dict[str, str] | None = None) -> BaseURL | None:
    """The loopback test server from KEYLINT_VERIFY_BASE_URL, or None; anything but loopback is refused."""
    env = os.environ if environ is None else environ
    text = env.get(BASE_URL_ENV, "").strip()
    if not text:
        return None
    import ipaddress
    from urllib.parse import urlsplit

    refuse = f"{BASE_URL_ENV} must be http(s)://127.0.0.1:PORT (a loopback address, a testing aid)"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{refuse}; got an unparsable URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise ConfigError(f"{refuse}; got scheme {parts.scheme or '(none)'!r}")
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in {"", "/"}:
        raise ConfigError(f"{refuse}; it must not carry a user, path, query or fragment")
    if host != "localhost":
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ConfigError(f"{refuse}; {host!r} is not a loopback address") from None
        if not address.is_loopback:
            raise ConfigError(f"{refuse}; {host} is not a loopback address")
    return BaseURL(parts.scheme, host, port or (443 if parts.scheme == "https" else 80))
