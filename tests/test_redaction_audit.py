"""Redaction audit: a secret of every registered provider, planted in a real git repository, never escapes.

One generated key per secret format of every provider (publishable keys, public by design, are left
out) sits in a .env, YAML, JSON or TOML file; a third of the files are committed, a third staged and
a third untracked. Every command and every output format then runs over the corpus: scan in all
formats (to stdout and with -o), -v, --debug, fix --diff, baseline (and its file), history, scan
--staged, --verify against a loopback server that quotes the key back (and every file of the
verification cache), and forced internal failures whose exception messages carry secrets, with and
without --debug. Nothing written anywhere may hold a secret, nor any 8-character piece of one,
except pieces lying wholly inside the format's documented literal prefix (``sk-ant-api03-``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from gitutil import Repo, requires_git
from keylint.providers import all_providers

pytestmark = requires_git
WINDOW = 8


def planted() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(provider id, variable name, secret, public literals) for every secret format of every provider.

    The public literals are the format's documented fixed text: its prefix (``sk-ant-api03-``) and
    literal segments inside the key (OpenAI's ``T3BlbkFJ``), the same in every key of the format."""
    found = []
    for provider in all_providers():
        for index, fmt in enumerate(provider.formats):
            if not fmt.secret:
                continue
            secret = fmt.generate(random.Random(f"audit/{provider.id}/{index}"))
            names = fmt.env_vars or provider.env_vars or (f"{provider.id.upper().replace('-', '_')}_API_KEY",)
            literals = tuple(s.literal for s in fmt.segments if s.is_literal and s.literal)
            found.append((provider.id, names[0], secret, literals))
    return found


SECRETS = planted()


class Auditor:
    """Every 8-character window of every secret, outside its public prefix, looked up in one pass."""

    def __init__(self, secrets: list[tuple[str, str, str, tuple[str, ...]]]) -> None:
        self.pieces: dict[str, str] = {}
        for provider, _name, secret, literals in secrets:
            for i in range(len(secret) - WINDOW + 1):
                piece = secret[i : i + WINDOW]
                if not any(piece in literal for literal in literals):
                    self.pieces.setdefault(piece, provider)

    def leaks(self, text: str) -> list[tuple[str, str]]:
        found = {}
        for j in range(len(text) - WINDOW + 1):
            provider = self.pieces.get(text[j : j + WINDOW])
            if provider is not None:
                found.setdefault(provider, text[max(0, j - 40) : j + 48])
        return sorted(found.items())

    def check(self, where: str, text: str) -> None:
        leaks = self.leaks(text)
        assert not leaks, f"{where}: secrets leaked: {leaks[:5]}"


AUDIT = Auditor(SECRETS)
PLANTED = {secret for _provider, _name, secret, _literals in SECRETS}
EXTENSIONS = (".env", ".yaml", ".json", ".toml")


def render(ext: str, name: str, secret: str) -> str:
    quoted = json.dumps(secret)  # a JSON string is also a YAML double-quoted and a TOML basic string
    if ext == ".env":
        return f"APP_NAME=audit\n{name}='{secret}'\n" if "'" not in secret else f"{name}={quoted}\n"
    if ext == ".yaml":
        return f"app:\n  name: audit\n  {name}: {quoted}\n"
    if ext == ".json":
        return json.dumps({"app": {"name": "audit", name: secret}}, indent=2) + "\n"
    return f'[app]\nname = "audit"\n{name} = {quoted}\n'


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Repo, dict[str, str]]:
    """The repository and, per file, the provider whose key it holds."""
    repo = Repo(tmp_path_factory.mktemp("audit") / "repo")
    repo.write(".gitignore", "reports/\n")
    files: dict[str, str] = {}
    states: dict[str, list[str]] = {"committed": [], "staged": [], "untracked": []}
    for i, (provider, name, secret, _prefix) in enumerate(SECRETS):
        ext = EXTENSIONS[i % len(EXTENSIONS)]
        path = f"conf/{provider}/{i}{ext}" if ext != ".env" else f"conf/{provider}/{i}/.env"
        repo.write(path, render(ext, name, secret))
        files[path] = provider
        states[("committed", "staged", "untracked")[i // len(EXTENSIONS) % 3]].append(path)
    repo.commit("configs", ".gitignore", *states["committed"], date="2024-01-02T03:04:05+00:00")
    repo.git("add", "--", *states["staged"])
    return repo, files


def test_every_planted_secret_is_found_so_the_audit_means_something(cli, corpus):
    repo, files = corpus
    report = cli("scan", ".", "--isolated", "--format", "json", "--exit-zero", cwd=repo.path).json()
    found = {(f["path"], f["provider"]) for f in report["findings"] if f["provider"]}
    missed = [(path, provider) for path, provider in files.items() if (path, provider) not in found]
    assert len(SECRETS) >= 100 and not missed, missed
    AUDIT.check("scan json", json.dumps(report))
    shown = cli("scan", ".", "--isolated", "--show-secrets", "--exit-zero", cwd=repo.path).out
    assert len(AUDIT.leaks(shown)) == len({p for p in files.values()})  # the audit sees what is printed


FORMATS = ("text", "json", "sarif", "github", "junit", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_a_secret(cli, corpus, fmt):
    repo, _files = corpus
    out = repo.path / "reports" / f"report.{fmt}"
    out.parent.mkdir(exist_ok=True)
    for extra in ((), ("-v",), ("--debug",), ("-v", "--color", "always")):
        run = cli("scan", ".", "--isolated", "--format", fmt, "--exit-zero", *extra, cwd=repo.path)
        assert run.code == 0 and run.out, run.err
        AUDIT.check(f"scan --format {fmt} {' '.join(extra)}", run.out + run.err)
    written = cli("scan", ".", "--isolated", "--format", fmt, "-o", str(out), "-v", "--exit-zero", cwd=repo.path)
    assert written.code == 0 and out.stat().st_size > 0
    AUDIT.check(f"scan -o report.{fmt}", out.read_text() + written.out + written.err)


def test_fix_diff_baseline_history_and_staged_show_no_secret(cli, corpus):
    repo, files = corpus
    runs = {
        "fix --diff": cli("fix", "--diff", "--isolated", ".", cwd=repo.path),
        "history": cli("history", "--isolated", "--exit-zero", "-v", cwd=repo.path),
        "history json": cli("history", "--isolated", "--exit-zero", "--format", "json", cwd=repo.path),
        "history html": cli("history", "--isolated", "--exit-zero", "--format", "html", cwd=repo.path),
        "scan --staged": cli("scan", "--staged", "--isolated", "--exit-zero", "-v", cwd=repo.path),
        "scan --staged sarif": cli("scan", "--staged", "--isolated", "--exit-zero", "--format", "sarif", cwd=repo.path),
    }
    for name, run in runs.items():
        assert run.code in (0, 1), (name, run.err)
        AUDIT.check(name, run.out + run.err)
    history = runs["history json"].json()
    assert len({f["path"] for f in history["findings"]}) >= len(files) // 3 - 1  # the committed third
    staged = json.loads(runs["scan --staged sarif"].out)
    assert staged["runs"][0]["results"]
    baseline_file = repo.path / "reports" / "baseline.json"
    baseline_file.parent.mkdir(exist_ok=True)
    run = cli("baseline", "--isolated", "-o", str(baseline_file), ".", cwd=repo.path)
    assert run.code == 0, run.err
    recorded = baseline_file.read_text()
    assert len(recorded) > 1000
    AUDIT.check("baseline", recorded + run.out + run.err)
    again = cli("scan", ".", "--isolated", "--baseline", str(baseline_file), "-v", cwd=repo.path)
    AUDIT.check("scan --baseline", again.out + again.err)


def test_verification_requests_answers_and_cache_hold_no_secret(loopback, cli, corpus, private_cache):
    repo, _files = corpus

    def quoting(seen):  # a hostile or careless provider quotes the credential back in its error
        return 401, {"message": f"Bad credentials: {seen.raw}", "error": seen.raw[-200:]}

    loopback.answer(quoting)
    for fmt in ("json", "text", "sarif", "html"):
        run = cli("scan", ".", "--isolated", "--verify", "--format", fmt, "-v", "--exit-zero", cwd=repo.path)
        assert run.code == 0, run.err
        AUDIT.check(f"scan --verify --format {fmt}", run.out + run.err)
    assert len(loopback.requests) >= 20  # keys were really sent (to loopback), so there were answers to leak
    cached = [p for p in private_cache.rglob("*") if p.is_file()]
    assert cached
    for path in cached:
        AUDIT.check(f"cache file {path.name}", path.read_bytes().decode("latin-1"))


def test_forced_internal_failures_quoting_secrets_print_none_of_them(cli, corpus, monkeypatch):
    repo, _files = corpus
    import keylint.detect as detect
    import keylint.report.json as json_report

    real_find = detect.Detector.find

    def failing_find(self, entry):
        if entry.value in PLANTED:
            raise ValueError(f"cannot classify {entry.key}={entry.value!r} (raw {entry.raw!r})")
        return real_find(self, entry)

    monkeypatch.setattr(detect.Detector, "find", failing_find)
    quiet = cli("scan", ".", "--isolated", "--no-git", "--format", "json", cwd=repo.path)
    assert quiet.code == 1 and "internal error (ValueError)" in quiet.out, quiet.err
    AUDIT.check("forced failure", quiet.out + quiet.err)
    debug = cli("scan", ".", "--isolated", "--no-git", "--debug", cwd=repo.path)
    assert debug.code == 2 and "Traceback" in debug.err and "ValueError: cannot classify" in debug.err
    AUDIT.check("forced failure --debug", debug.out + debug.err)
    monkeypatch.setattr(detect.Detector, "find", real_find)

    def failing_write(report, options, out):
        secrets = " ".join(f.secret or "" for f in report.findings)
        raise RuntimeError(f"cannot render {secrets}")

    monkeypatch.setattr(json_report, "write", failing_write)  # the CLI streams reports through write()
    for extra in ((), ("--debug",)):
        run = cli("scan", ".", "--isolated", "--format", "json", *extra, cwd=repo.path)
        assert run.code == 2 and "internal error" in run.err
        assert ("RuntimeError: cannot render" in run.err) == bool(extra)
        AUDIT.check(f"reporter failure {extra}", run.out + run.err)


def test_the_auditor_catches_a_leak():
    _provider, _name, secret, literals = next(s for s in SECRETS if s[3] and len(s[3][0]) >= 12)
    prefix = literals[0]
    assert secret.startswith(prefix)
    assert AUDIT.leaks(f"x {secret} y") and AUDIT.leaks(secret[len(prefix) + 2 : len(prefix) + 10])
    assert AUDIT.leaks(secret[len(prefix) - 4 : len(prefix) + 4])  # straddling the prefix's end: a leak
    assert not AUDIT.leaks(f"{prefix}…{secret[-2:]}")  # the public prefix and the mask's tail
    assert Path(__file__).read_text().count(secret) == 0  # generated at test time, never committed
