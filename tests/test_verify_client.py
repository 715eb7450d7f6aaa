"""The verification client against a real loopback server: retries, Retry-After, timeouts, refused
connections, redirects, bounded concurrency, the address guard and the loopback-only test base URL."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from conftest import make_key
from keylint.config import ConfigError
from keylint.verify import client
from keylint.verify.client import Verifier, forbidden, retry_after
from keylint.verify.options import BaseURL, VerifyOptions, base_url_override
from keylint.verify.spec import Check, Prepared, Unverifiable, bearer, on, prepare, standard
from verifykit import SCAN, verification_of

CHECK = Check("https://api.example-provider.com/v1/me", auth=bearer(), outcomes=standard())


def _request(key: str = "secret-token-value-1", check: Check = CHECK):
    return prepare(check, "example", key, {})


def _base(loopback) -> BaseURL:
    return BaseURL("http", "127.0.0.1", loopback.server.port)


def _verify(loopback, *requests, **options):
    return Verifier(VerifyOptions(**options), _base(loopback)).run(list(requests))


def test_429_with_retry_after_is_honoured_then_the_answer_counts(loopback):
    loopback.server.expect_oneshot_request("/v1/me").respond_with_data("slow down", 429, {"Retry-After": "1"})
    loopback.server.expect_request("/v1/me").respond_with_json({}, 200)
    started = time.monotonic()
    (answer,) = _verify(loopback, _request())
    assert answer.status == "valid"
    assert time.monotonic() - started >= 0.95
    assert len(loopback.requests) == 2


def test_a_retry_after_beyond_the_bound_ends_the_attempts(loopback):
    loopback.always(429, "slow down", {"Retry-After": "3600"})
    started = time.monotonic()
    (answer,) = _verify(loopback, _request())
    assert answer.status == "rate_limited"
    assert "3600" in answer.detail
    assert len(loopback.requests) == 1
    assert time.monotonic() - started < 2


def test_429_without_retry_after_backs_off_then_reports_rate_limited(loopback):
    loopback.always(429, "slow down")
    (answer,) = _verify(loopback, _request(), retries=2)
    assert answer.status == "rate_limited"
    assert len(loopback.requests) == 3


def test_5xx_is_retried_and_never_guessed(loopback):
    loopback.server.expect_oneshot_request("/v1/me").respond_with_data("oops", 503)
    loopback.server.expect_request("/v1/me").respond_with_json({}, 401)
    (answer,) = _verify(loopback, _request())
    assert answer.status == "invalid"
    assert len(loopback.requests) == 2


def test_persistent_5xx_is_unknown(loopback):
    loopback.always(500, "down")
    (answer,) = _verify(loopback, _request(), retries=1)
    assert (answer.status, len(loopback.requests)) == ("unknown", 2)
    assert "500" in answer.detail


def test_a_slow_answer_beyond_the_timeout_is_unknown(loopback):
    def slow(_seen):
        time.sleep(1.5)
        return 200, {}

    loopback.answer(slow)
    started = time.monotonic()
    (answer,) = _verify(loopback, _request(), timeout=0.3)
    assert answer.status == "unknown" and "timed out" in answer.detail
    assert time.monotonic() - started < 1.2


def test_connection_refused_is_unknown_after_retries():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    verifier = Verifier(VerifyOptions(retries=1), BaseURL("http", "127.0.0.1", port))
    (answer,) = verifier.run([_request()])
    assert answer.status == "unknown"
    assert "could not connect" in answer.detail


def test_redirects_are_not_followed(loopback, _loopback):
    from pytest_httpserver import HTTPServer

    elsewhere = HTTPServer(host="127.0.0.1", port=0)
    elsewhere.start()
    try:
        elsewhere.expect_request("/steal").respond_with_json({}, 200)
        loopback.always(302, "", {"Location": elsewhere.url_for("/steal")})
        (answer,) = _verify(loopback, _request())
        assert answer.status == "unknown" and "redirect" in answer.detail
        assert elsewhere.log == []
    finally:
        elsewhere.stop()


def test_unexpected_answers_are_unknown(loopback):
    loopback.always(418, "teapot")
    (answer,) = _verify(loopback, _request())
    assert answer.status == "unknown" and "418" in answer.detail


def test_the_answer_body_is_read_only_up_to_a_bound(loopback):
    loopback.always(200, "x" * (3 * 1024 * 1024))
    (answer,) = _verify(loopback, _request())
    assert answer.status == "valid"


def test_concurrency_is_bounded_per_host(loopback):
    active = 0
    peak = 0
    lock = threading.Lock()

    def count(_seen):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.1)
        with lock:
            active -= 1
        return 200, {}

    loopback.answer(count)
    requests = [_request(f"token-number-{i:04d}") for i in range(12)]
    answers = _verify(loopback, *requests, concurrency=10, host_concurrency=3)
    assert {a.status for a in answers} == {"valid"}
    assert peak <= 3


def test_retry_after_parsing():
    assert retry_after("7") == 7
    assert retry_after(None) is None and retry_after("soon") is None
    assert 59 <= retry_after("Thu, 01 Jan 2037 00:01:00 GMT", now=2114380800.0) <= 61


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_forbidden_addresses(address, why):
    assert forbidden(address) == why


def test_a_host_resolving_to_a_forbidden_address_gets_nothing(monkeypatch):
    attempts: list[tuple[str, int]] = []

    async def fake_resolve(host: str, port: int) -> list[str]:
        attempts.append((host, port))
        return ["169.254.169.254"]

    monkeypatch.setattr(client, "resolve", fake_resolve)
    started = time.monotonic()
    (answer,) = Verifier(VerifyOptions(timeout=5)).run([_request()])
    assert answer.status == "unverifiable"
    assert "link-local" in answer.detail and "nothing was sent" in answer.detail
    assert attempts == [("api.example-provider.com", 443)]
    assert time.monotonic() - started < 2  # no connection was even attempted


def test_a_host_without_a_dot_is_refused_before_anything_is_built():
    check = Check("https://localhost/v1/me", auth=bearer(), outcomes=standard())
    with pytest.raises(Unverifiable, match="not a valid DNS name"):
        prepare(check, "example", "secret-token-value-1", {})


def test_the_real_resolver_is_used_and_localhost_is_refused():
    # Built by hand: prepare() would already refuse the name (see above); this tests the guard behind it.
    request = Prepared("example", "GET", "localhost", "/v1/me", (), (), b"", CHECK)
    (answer,) = Verifier(VerifyOptions(timeout=5)).run([request])
    assert answer.status == "unverifiable" and "loopback" in answer.detail


def test_the_guard_checks_every_address_of_a_name():
    async def vet():
        return await client.vetted_addresses("localhost", 443, loopback_only=True)

    assert all(forbidden(a) == "loopback" for a in asyncio.run(vet()))


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8080",
        "http://example.com:8080",
        "http://169.254.169.254",
        "https://8.8.8.8",
        "ftp://127.0.0.1:21",
        "http://127.0.0.1:8080/prefix",
        "http://user@127.0.0.1:8080",
        "http://127.0.0.1:99999",
        "127.0.0.1:8080",
    ],
)
def test_a_base_url_that_is_not_loopback_is_refused(url):
    with pytest.raises(ConfigError, match="loopback"):
        base_url_override({"KEYLINT_VERIFY_BASE_URL": url})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://[::1]:8080/", "http://localhost:9", "https://127.0.0.2"]
)
def test_loopback_base_urls_are_accepted(url):
    assert base_url_override({"KEYLINT_VERIFY_BASE_URL": url}) is not None


def test_cli_refuses_a_non_loopback_base_url_with_exit_2(cli, tmp_path, monkeypatch, private_cache):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={make_key('openai', 'project-key')}\n")
    monkeypatch.setenv("KEYLINT_VERIFY_BASE_URL", "http://203.0.113.7:8080")
    run = cli(*SCAN, cwd=tmp_path)
    assert run.code == 2
    assert "KEYLINT_VERIFY_BASE_URL" in run.err and "loopback" in run.err
    assert run.out == ""


def test_the_base_url_is_ignored_without_verify(cli, tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("A=1\n")
    monkeypatch.setenv("KEYLINT_VERIFY_BASE_URL", "http://203.0.113.7:8080")
    assert cli("scan", ".", "--isolated", cwd=tmp_path).code == 0


def test_a_key_is_sent_only_to_the_base_url_and_keeps_its_path_query_and_headers(loopback, cli, tmp_path):
    key = make_key("mapbox", "secret-token")
    (tmp_path / ".env").write_text(f"MAPBOX_ACCESS_TOKEN={key}\n")
    loopback.always(200, {"code": "TokenValid"})
    report = cli(*SCAN, cwd=tmp_path).json()
    (seen,) = loopback.requests
    assert (seen.method, seen.host, seen.path, seen.query) == (
        "GET",
        "api.mapbox.com",
        "/tokens/v2",
        {"access_token": key},
    )
    assert verification_of(report, ".env")["status"] == "valid"


def test_outcomes_matching_a_5xx_are_final(loopback):
    check = Check(
        "https://api.example-provider.com/v1/me",
        auth=bearer(),
        outcomes=(on(500, "invalid", contains="Invalid_Key"), on(200, "valid")),
    )
    loopback.always(500, '{"name": "Invalid_Key"}')
    (answer,) = _verify(loopback, _request(check=check))
    assert answer.status == "invalid"
    assert len(loopback.requests) == 1
