"""The verification cache: TTL, permissions, no key material, concurrent writers, distrust of odd files;
and end to end, a second run served from the cache sends nothing."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from conftest import make_key
from keylint.verify.cache import CACHE_NAME, KEY_NAME, LOCK_NAME, VerifyCache
from verifykit import SCAN, verification_of

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


class Clock:
    def __init__(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.now = now

    def __call__(self) -> float:
        return self.now


def _record(status: str = "valid", at: float | None = None) -> dict:
    return {"status": status, "detail": "HTTP 200", "checked_at": time.time() if at is None else at}


def test_a_result_is_served_within_the_ttl_and_not_after(tmp_path):
    clock = Clock()
    cache = VerifyCache(tmp_path, ttl=3600, clock=clock)
    digest = cache.digest("openai", "GET", "https://api.openai.com/v1/models", "sk-test-material")
    assert cache.put_many({digest: _record(at=clock.now)})
    fresh = VerifyCache(tmp_path, ttl=3600, clock=clock)
    assert fresh.get(digest)["status"] == "valid"
    clock.now += 3601
    assert VerifyCache(tmp_path, ttl=3600, clock=clock).get(digest) is None


def test_inconclusive_results_are_not_cached(tmp_path):
    cache = VerifyCache(tmp_path)
    records = {cache.digest(s): _record(s) for s in ("unknown", "rate_limited", "unverifiable")}
    cache.put_many(records)
    assert not (tmp_path / CACHE_NAME).exists()


def test_ttl_zero_reads_and_writes_nothing(tmp_path):
    cache = VerifyCache(tmp_path, ttl=0)
    digest = cache.digest("x")
    cache.put_many({digest: _record()})
    assert not (tmp_path / CACHE_NAME).exists()
    assert cache.get(digest) is None


def test_digests_are_keyed_per_user_and_distinct(tmp_path):
    one = VerifyCache(tmp_path / "a").digest("openai", "key-material")
    assert one == VerifyCache(tmp_path / "a").digest("openai", "key-material")
    assert one != VerifyCache(tmp_path / "b").digest("openai", "key-material")  # another user's MAC key
    assert one != VerifyCache(tmp_path / "a").digest("openai", "key-materiaL")
    # Length-prefixed parts: moving a boundary changes the digest.
    assert VerifyCache(tmp_path / "a").digest("ab", "c") != VerifyCache(tmp_path / "a").digest("a", "bc")


@posix_only
def test_files_are_private(tmp_path):
    directory = tmp_path / "cache"
    cache = VerifyCache(directory)
    cache.put_many({cache.digest("k"): _record()})
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in (CACHE_NAME, KEY_NAME, LOCK_NAME):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name


def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path):
    (tmp_path / CACHE_NAME).write_text('{"version": 1, "entries": {"trunc')
    cache = VerifyCache(tmp_path)
    digest = cache.digest("k")
    assert cache.get(digest) is None
    assert cache.put_many({digest: _record()})
    assert json.loads((tmp_path / CACHE_NAME).read_text())["entries"][digest]["status"] == "valid"


@posix_only
def test_a_cache_file_others_can_write_is_not_trusted(tmp_path):
    cache = VerifyCache(tmp_path)
    digest = cache.digest("k")
    cache.put_many({digest: _record("invalid")})
    os.chmod(tmp_path / CACHE_NAME, 0o666)
    assert VerifyCache(tmp_path).get(digest) is None


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = VerifyCache(blocker / "cache")
    digest = cache.digest("k")
    assert cache.put_many({digest: _record()}) is False
    assert cache.get(digest) is None


def _writer(directory: str, worker: int, rounds: int) -> None:
    cache = VerifyCache(Path(directory))
    for round_ in range(rounds):
        records = {
            cache.digest(f"w{worker}", f"r{round_}", f"k{i}"): _record(at=__import__("time").time()) for i in range(5)
        }
        assert cache.put_many(records)


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method")
def test_concurrent_writers_never_corrupt_the_cache_and_lose_nothing(tmp_path):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(tmp_path), w, 20)) for w in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    data = json.loads((tmp_path / CACHE_NAME).read_text())
    assert len(data["entries"]) == 8 * 20 * 5
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_second_run_is_served_from_the_cache(loopback, cli, tmp_path, private_cache):
    key = make_key("github", "personal-access-token")
    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={key}\n")
    loopback.always(401, {"message": "Bad credentials"})
    first = cli(*SCAN, cwd=tmp_path).json()
    assert len(loopback.requests) == 1
    second = cli(*SCAN, cwd=tmp_path).json()
    assert len(loopback.requests) == 1  # nothing sent
    assert verification_of(first, ".env") == verification_of(second, ".env")
    assert verification_of(second, ".env")["status"] == "invalid"
    cli(*SCAN, "--no-cache", cwd=tmp_path)
    assert len(loopback.requests) == 2
    cli(*SCAN, "--cache-ttl", "0", cwd=tmp_path)
    assert len(loopback.requests) == 3


def test_the_cache_holds_no_key_material(loopback, cli, tmp_path, private_cache):
    key_id = make_key("aws", "access-key-id")
    secret = make_key("aws", "secret-access-key")
    token = make_key("slack", "bot-token")
    (tmp_path / ".env").write_text(f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={secret}\nSLACK_TOKEN={token}\n")
    loopback.answer(lambda seen: (200, {"ok": True}) if "slack" in seen.host else (200, {}))
    report = cli(*SCAN, cwd=tmp_path).json()
    assert verification_of(report, ".env", key="SLACK_TOKEN")["status"] == "valid"
    stored = b"".join(p.read_bytes() for p in private_cache.iterdir())
    for secret_value in (key_id, secret, token):
        for i in range(len(secret_value) - 7):
            assert secret_value[i : i + 8].encode() not in stored


def test_rerun_after_ttl_asks_again(loopback, cli, tmp_path, private_cache):
    key = make_key("github", "personal-access-token")
    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={key}\n")
    loopback.always(200, {})
    cli(*SCAN, cwd=tmp_path)
    data = json.loads((private_cache / CACHE_NAME).read_text())
    for record in data["entries"].values():
        record["checked_at"] -= 2 * 3600
    (private_cache / CACHE_NAME).write_text(json.dumps(data))
    os.chmod(private_cache / CACHE_NAME, 0o600)
    cli(*SCAN, "--cache-ttl", "3h", cwd=tmp_path)
    assert len(loopback.requests) == 1
    cli(*SCAN, "--cache-ttl", "1h", cwd=tmp_path)
    assert len(loopback.requests) == 2
