"""Verification results on disk, so a pre-commit run does not ask the same provider the same thing again.

- Where: the user cache directory (platformdirs), ``verify-v1.json``; directory 0700, files 0600.
- What: ``{digest: {"status", "detail", "checked_at"}}``. The digest is a BLAKE2b MAC of the provider,
  the check and the key material under a random per-user key (``verify.key``, 0600): the cache holds
  no key, and nobody without that file can test a guessed key against it.
- Only conclusive answers are kept (valid, valid_scoped, invalid, revoked, expired); network
  errors and rate limits are asked again next time.
- Concurrent keylint processes (parallel pre-commit hooks) share it safely: writers hold an
  exclusive lock on ``verify-v1.lock`` while they re-read, merge and replace the file; the file is
  replaced atomically (temporary file + ``os.replace``), so readers never see a partial write.
- A cache file that is corrupt, not ours, or writable by others is ignored (and replaced on the next
  write), never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

CACHE_NAME = "verify-v1.json"
LOCK_NAME = "verify-v1.lock"
KEY_NAME = "verify.key"
DEFAULT_TTL = 24 * 3600.0
CACHEABLE = frozenset({"valid", "valid_scoped", "invalid", "revoked", "expired"})
LOCK_WAIT_SECONDS = 10.0
# Entries are dropped on write once they are this old, whatever the TTL of the run that reads them.
MAX_AGE_SECONDS = 30 * 24 * 3600.0


def default_directory() -> Path:
    """KEYLINT_CACHE_DIR, else the platform's user cache directory (platformdirs when installed)."""
    override = os.environ.get("KEYLINT_CACHE_DIR")
    if override:
        return Path(override)
    try:
        import platformdirs
    except ImportError:  # the same places platformdirs picks, for installs without the [verify] extra
        if sys.platform == "win32":
            return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "keylint" / "Cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "keylint"
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keylint"
    return Path(platformdirs.user_cache_dir("keylint", appauthor=False))


def _trustworthy(path: Path) -> bool:
    """Owned by us and not writable by group or others (POSIX); anything else is ignored."""
    try:
        info = path.stat()
    except OSError:
        return False
    if os.name != "posix":
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class VerifyCache:
    def __init__(self, directory: Path | None = None, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.time):
        self._directory = directory
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, dict[str, Any]] | None = None
        self._key: bytes | None = None

    @property
    def directory(self) -> Path:
        if self._directory is None:  # resolved on first use: a run with nothing to verify never needs it
            self._directory = default_directory()
        return self._directory

    @property
    def path(self) -> Path:
        return self.directory / CACHE_NAME

    # -- keys -----------------------------------------------------------------------------------

    def _ensure_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _mac_key(self) -> bytes:
        """The per-user MAC key, created once (first creator wins, others read it)."""
        if self._key is not None:
            return self._key
        path = self.directory / KEY_NAME
        try:
            self._ensure_directory()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self._key = self._read_key(path)
        except OSError:
            self._key = secrets.token_bytes(32)  # an unwritable cache dir: this run only
        else:
            key = secrets.token_bytes(32)
            with os.fdopen(fd, "w") as handle:
                handle.write(key.hex())
            self._key = key
        return self._key

    def _read_key(self, path: Path) -> bytes:
        for _ in range(50):  # another process may be writing it this very moment
            try:
                text = path.read_text().strip()
                if len(text) == 64 and _trustworthy(path):
                    return bytes.fromhex(text)
            except (OSError, ValueError):
                pass
            time.sleep(0.01)
        return secrets.token_bytes(32)

    def digest(self, *material: str) -> str:
        """The cache key for a check of one key: a MAC, never reversible to the key."""
        mac = hashlib.blake2b(key=self._mac_key(), digest_size=32, person=b"keylint-verify")
        for part in material:
            data = part.encode("utf-8", "surrogatepass")
            mac.update(len(data).to_bytes(4, "big") + data)
        return mac.hexdigest()

    # -- reading --------------------------------------------------------------------------------

    def _load(self) -> dict[str, dict[str, Any]]:
        path = self.path
        try:
            if not _trustworthy(path):
                return {}
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("version") == 1 else None
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and _valid_record(v)}

    def get(self, digest: str) -> dict[str, Any] | None:
        if self.ttl <= 0:
            return None
        if self._entries is None:
            self._entries = self._load()
        record = self._entries.get(digest)
        if record is None or self.clock() - record["checked_at"] > self.ttl:
            return None
        return record

    # -- writing --------------------------------------------------------------------------------

    def put_many(self, records: Mapping[str, Mapping[str, Any]]) -> bool:
        """Merge conclusive ``records`` into the file under the lock; False when the cache could not be written."""
        keep = {k: dict(v) for k, v in records.items() if v.get("status") in CACHEABLE and _valid_record(v)}
        if self.ttl <= 0 or not keep:
            return True
        try:
            self._ensure_directory()
            with self._locked():
                entries = self._load()
                entries.update(keep)
                now = self.clock()
                entries = {k: v for k, v in entries.items() if now - v["checked_at"] <= MAX_AGE_SECONDS}
                self._write(entries)
                self._entries = entries
        except (OSError, TimeoutError):
            return False
        return True

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        fd, temp = tempfile.mkstemp(prefix=".verify-", suffix=".tmp", dir=self.directory)  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"version": 1, "entries": entries}, handle, separators=(",", ":"), sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            if os.name == "posix":
                os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


def _valid_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("status"), str)
        and isinstance(record.get("detail", ""), str)
        and isinstance(record.get("checked_at"), (int, float))
    )


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("verification cache is locked") from None
                time.sleep(0.02)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError("verification cache is locked") from None
                time.sleep(0.02)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
