"""Shared test helpers: run the CLI in-process, generate format-valid keys at test time."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from keylint.cli import main
from keylint.providers import by_id

# In-process runs must not write keylint's regex cache into the user's cache directory (test_recache covers it).
os.environ["KEYLINT_REGEX_CACHE"] = "0"

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = DATA / "sarif-2.1.0.json"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run keylint in-process: cli("scan", ".", cwd=tmp_path) -> Run(code, out, err)."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def make_key(provider_id: str, kind: str | None = None, seed: int = 0, environment: str | None = None) -> str:
    """A random key that passes the provider's format (checksum included), made at test time."""
    provider = by_id(provider_id)
    assert provider is not None, provider_id
    for fmt in provider.formats:
        if (kind is None or fmt.kind == kind) and (environment is None or fmt.environment == environment):
            return fmt.generate(random.Random(f"{provider_id}/{fmt.template}/{seed}"))
    raise AssertionError(f"no format {kind!r} for {provider_id}")


@pytest.fixture
def key():
    return make_key


# The verification tests' fixtures: a loopback HTTP server playing the providers, a private cache dir.
from verifykit import _loopback, loopback, private_cache  # noqa: E402, F401
