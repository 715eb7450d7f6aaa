"""Send the checks: async httpx, bounded, guarded. The only module that imports httpx.

Guarantees, each enforced here and tested:

- one request per job (the stage has already merged duplicate keys), https only, to the host the
  check built; redirects are never followed (a 3xx is reported as ``unknown``);
- every connection goes through :class:`GuardedBackend`: the host is resolved, and if any address
  is private, loopback, link-local (169.254.169.254), reserved, multicast or otherwise non-public,
  nothing is sent; the connection is then made to an address that passed the check, so DNS cannot
  change between the check and the connect. With a proxy from the environment (httpx defaults),
  the target host is checked the same way before the request is handed to the proxy;
- with KEYLINT_VERIFY_BASE_URL (a loopback test server) every request goes there instead, keeping
  path, query, headers and body, and the guard then accepts loopback addresses only;
- concurrency is bounded overall and per provider host; each attempt has a connect timeout and a
  total timeout; 429, 5xx and network errors are retried with exponential backoff, honouring
  Retry-After up to a bound (a longer wait ends the attempts);
- errors are reported by kind, never by their text: exception messages can quote URLs, and a URL
  can hold a key (Telegram puts it in the path, Mapbox in the query).
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import random
import socket
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from keylint import TYPE_CHECKING, __version__
from keylint.records import dataclass
from keylint.verify.options import BaseURL, VerifyOptions
from keylint.verify.spec import MAX_BODY_BYTES, Prepared, default_outcome, interpret

if TYPE_CHECKING:
    from typing import Any

USER_AGENT = f"keylint/{__version__} (+live key verification)"

# httpcore imports sniffio on every request to learn the async library; when sniffio is not installed
# (httpx and anyio no longer require it) each failed import searches sys.path again, which costs more
# CPU than the request itself. A None entry makes the import fail at once: httpcore then uses asyncio.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Answer:
    status: str
    detail: str


class RefusedAddress(Exception):
    """The host resolves to an address keylint never sends keys to."""

    def __init__(self, host: str, why: str) -> None:
        super().__init__(f"{host} resolves to a {why} address")
        self.host = host
        self.why = why


def forbidden(address: str) -> str | None:
    """Why an address is off limits ("loopback", "link-local" ...), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparsable"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return forbidden(str(embedded)) or ("non-public" if not ip.is_global else None)
    for name, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("unspecified", ip.is_unspecified),
    ):
        if flag:
            return name
    if not ip.is_global:
        return "non-public"
    return None


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def vetted_addresses(host: str, port: int, loopback_only: bool) -> list[str]:
    addresses = await resolve(host, port)
    if not addresses:
        raise OSError(f"no address for {host}")
    for address in addresses:
        why = forbidden(address)
        if loopback_only:
            if why != "loopback":
                raise RefusedAddress(host, "non-loopback (the test base URL must stay on this machine)")
        elif why is not None:
            raise RefusedAddress(host, why)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, refuses forbidden addresses, and connects to a vetted address only."""

    def __init__(self, loopback_only: bool = False) -> None:
        self.loopback_only = loopback_only
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await vetted_addresses(host, port, self.loopback_only)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as failure:
                error = failure
        assert error is not None
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used for verification")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with a connection pool whose every TCP connection goes through the guard."""

    def __init__(self, limits: httpx.Limits, loopback_only: bool, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(loopback_only),
        )


def _proxied(host: str) -> bool:
    """Does the environment route https://host through a proxy (as httpx's defaults would)?"""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    if not (proxies.get("https") or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass_environment(host, proxies)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Verifier:
    """Runs prepared requests with the configured bounds; ``run()`` is the synchronous entry point."""

    def __init__(
        self,
        options: VerifyOptions,
        base_url: BaseURL | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.options = options
        self.base_url = base_url
        self.progress = progress
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        self._overall: asyncio.Semaphore | None = None

    def run(self, requests: Sequence[Prepared]) -> list[Answer]:
        return asyncio.run(self._run_all(requests))

    async def _run_all(self, requests: Sequence[Prepared]) -> list[Answer]:
        self._overall = asyncio.Semaphore(self.options.concurrency)
        done = 0
        total = len(requests)

        async def one(request: Prepared) -> Answer:
            nonlocal done
            try:
                return await self._verify(request)
            finally:
                done += 1
                if self.progress is not None:
                    self.progress(done, total)

        try:
            return list(await asyncio.gather(*(one(r) for r in requests)))
        finally:
            for client in self._clients.values():
                await client.aclose()

    def _client_for(self, host: str) -> httpx.AsyncClient:
        # One pool per provider host (also with the test base URL, to behave the same): a connection is
        # never reused for another host, and each pool stays small, which keeps httpcore's scheduling cheap.
        client = self._clients.get(host)
        if client is None:
            per_pool = self.options.host_concurrency
            limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
            timeout = httpx.Timeout(self.options.timeout, connect=self.options.connect_timeout)
            common: dict[str, Any] = {
                "timeout": timeout,
                "follow_redirects": False,
                "headers": {"User-Agent": USER_AGENT},
            }
            if self._ssl_context is None:  # loading the CA bundle costs ~20 ms: once per run, not per host
                self._ssl_context = httpx.create_ssl_context()
            if self.base_url is None and _proxied(host):
                client = httpx.AsyncClient(verify=self._ssl_context, trust_env=True, limits=limits, **common)
            else:
                transport = _GuardedTransport(limits, self.base_url is not None, self._ssl_context)
                client = httpx.AsyncClient(transport=transport, trust_env=False, **common)
            self._clients[host] = client
        return client

    def _url(self, request: Prepared) -> httpx.URL:
        query = list(request.query)
        if self.base_url is not None:
            base = self.base_url
            return httpx.URL(scheme=base.scheme, host=base.host, port=base.port, path=request.path, params=query)
        return httpx.URL(scheme="https", host=request.host, path=request.path, params=query)

    async def _verify(self, request: Prepared) -> Answer:
        assert self._overall is not None
        host_limit = self._host_limits.setdefault(request.host, asyncio.Semaphore(self.options.host_concurrency))
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            async with self._overall, host_limit:
                answer, retryable, asked = await self._attempt(request)
            if not retryable or attempt == attempts - 1:
                return answer
            if asked is not None and asked > self.options.max_retry_after:
                return Answer(answer.status, f"{answer.detail}; asked to retry after {asked:.0f}s, not waiting")
            # Exponential backoff with jitter, or exactly what the provider asked for.
            wait = asked if asked is not None else 0.25 * 2**attempt + random.uniform(0, 0.25)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _attempt(self, request: Prepared) -> tuple[Answer, bool, float | None]:
        """One try: (answer, whether to retry, the wait the provider asked for in Retry-After)."""
        if self.base_url is None and _proxied(request.host):
            try:
                await vetted_addresses(request.host, 443, loopback_only=False)
            except RefusedAddress as refused:
                return _refused(refused), False, None
            except OSError:
                pass  # behind a proxy the local resolver may not know public hosts: the proxy resolves
        client = self._client_for(request.host)
        try:
            code, response_headers, body = await asyncio.wait_for(
                self._send(client, request), timeout=self.options.timeout
            )
        except RefusedAddress as refused:
            return _refused(refused), False, None
        except (asyncio.TimeoutError, httpx.TimeoutException):
            return Answer("unknown", f"no answer within {self.options.timeout:g}s (timed out)"), False, None
        except (httpx.TransportError, OSError) as error:
            return Answer("unknown", f"network error ({_error_kind(error)})"), True, None
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # one odd answer never ends the whole run
            return Answer("unknown", f"request failed ({type(error).__name__})"), False, None
        mapped = interpret(request.check, code, body)
        status, detail = mapped if mapped is not None else default_outcome(code)
        if (code == 429 or code >= 500) and status in {"unknown", "rate_limited"}:
            return Answer(status, detail), True, retry_after(response_headers.get("retry-after"))
        return Answer(status, detail), False, None

    async def _send(self, client: httpx.AsyncClient, request: Prepared) -> tuple[int, httpx.Headers, bytes]:
        # Host is always the provider's: what httpx would send anyway, and with the loopback test server
        # it still tells which provider a request was meant for.
        headers = [("Host", request.host), *((k, v) for k, v in request.headers if k.lower() != "host")]
        built = client.build_request(request.method, self._url(request), headers=headers, content=request.body or None)
        response = await client.send(built, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY_BYTES:
                    break
            return response.status_code, response.headers, b"".join(chunks)
        finally:
            await response.aclose()


def _refused(refused: RefusedAddress) -> Answer:
    return Answer("unverifiable", f"refused: {refused.host} resolves to a {refused.why} address; nothing was sent")


def _error_kind(error: BaseException) -> str:
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if isinstance(error, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return "protocol error"
    if isinstance(error, httpx.ReadError):
        return "connection lost"
    if isinstance(error, socket.gaierror):
        return "could not resolve the host"
    return type(error).__name__
