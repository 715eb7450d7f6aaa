"""Helpers for the verification tests: a real HTTP server on loopback that plays the providers.

Every test that can send a request points KEYLINT_VERIFY_BASE_URL at this server, so nothing ever
leaves the machine, and KEYLINT_CACHE_DIR at a temporary directory, so the user's cache is untouched.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.datastructures import Headers


@dataclass
class Seen:
    """A request as the server received it."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    headers: Headers  # case-insensitive, as HTTP header names are
    body: bytes

    @property
    def raw(self) -> str:
        """Everything that could carry a key, as text: path, query, headers, body."""
        parts = [self.path, json.dumps(self.query), json.dumps(list(self.headers.items()))]
        parts.append(self.body.decode("utf-8", "replace"))
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            parts.append(base64.b64decode(auth[6:]).decode("utf-8", "replace"))
        return "\n".join(parts)

    def basic(self) -> tuple[str, str]:
        user, _, password = base64.b64decode(self.headers["Authorization"][6:]).decode().partition(":")
        return user, password

    def json(self) -> Any:
        return json.loads(self.body)


def seen(request: Request) -> Seen:
    return Seen(
        method=request.method,
        host=request.headers.get("Host", ""),
        path=request.path,
        query={k: v for k, v in request.args.items()},
        headers=Headers(list(request.headers.items())),
        body=request.get_data(),
    )


class Loopback:
    """The loopback server with a log of what it received."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def requests(self) -> list[Seen]:
        return [seen(request) for request, _ in self.server.log]

    def answer(self, handler: Callable[[Seen], tuple[int, Any] | tuple[int, Any, dict[str, str]]]) -> None:
        """Answer every request with ``handler(seen) -> (status, body[, headers])``."""

        def respond(request: Request) -> Response:
            result = handler(seen(request))
            status, body = result[0], result[1]
            headers = result[2] if len(result) > 2 else {}
            text = body if isinstance(body, (str, bytes)) else json.dumps(body)
            mimetype = "application/json" if not isinstance(body, (str, bytes)) else "text/plain"
            return Response(text, status=status, headers=headers, mimetype=mimetype)

        self.server.expect_request(re.compile(".*")).respond_with_handler(respond)

    def always(self, status: int, body: Any = "", headers: dict[str, str] | None = None) -> None:
        self.answer(lambda _seen: (status, body, headers or {}))


@pytest.fixture(scope="module")
def _loopback() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "user-cache"
    monkeypatch.setenv("KEYLINT_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def loopback(_loopback: HTTPServer, monkeypatch: pytest.MonkeyPatch, private_cache: Path) -> Iterator[Loopback]:
    """The loopback server, with KEYLINT_VERIFY_BASE_URL pointing at it."""
    _loopback.clear()
    monkeypatch.setenv("KEYLINT_VERIFY_BASE_URL", f"http://127.0.0.1:{_loopback.port}")
    yield Loopback(_loopback)
    _loopback.clear()


def verification_of(report: dict, path: str, key: str | None = None, rule: str = "KL101") -> dict:
    """The verification record of the finding of ``rule`` in ``path`` (for variable ``key``): exactly one."""
    found = [
        f
        for f in report["findings"]
        if f["path"] == path and f["rule"] == rule and (key is None or f["key"] == key)
    ]
    assert len(found) == 1, (path, rule, [(f["path"], f["rule"]) for f in report["findings"]])
    return found[0]["verification"]


def kl7(report: dict, path: str | None = None) -> list[dict]:
    return [f for f in report["findings"] if f["rule"].startswith("KL7") and (path is None or f["path"] == path)]


SCAN = ("scan", ".", "--verify", "--isolated", "--no-git", "--format", "json", "--exit-zero")
