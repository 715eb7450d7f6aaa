"""The pre-commit framework hooks, for real: a temporary repository uses this checkout's
`.pre-commit-hooks.yaml`, pre-commit installs keylint into its own virtualenv, and commits
with a key are blocked while clean ones pass.

pre-commit installs a hook repository from a git commit, so the tests commit a snapshot of
the current working tree to a scratch repository and point `rev:` at it. pip runs offline
against a wheelhouse made at test time from the packages already installed here, so no
test reaches the network. PRE_COMMIT_HOME is shared by the module's tests: the hook's
virtualenv is built once.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement

from conftest import make_key
from keylint.parsers import format_for

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


# ---------------------------------------------------------------- the manifest itself


def test_manifest_declares_both_hooks_precisely():
    manifest = hooks()
    assert set(manifest) == {"keylint", "keylint-verify"}
    lint, verify = manifest["keylint"], manifest["keylint-verify"]
    for hook in (lint, verify):
        assert hook["language"] == "python"
        assert hook["types"] == ["text"]
        assert hook["require_serial"] is True
        assert hook["entry"].startswith("keylint scan")
        # pre-commit passes the file names; the hook must not ignore them (no --staged, no fixed path).
        assert "--staged" not in hook["entry"] and " ." not in hook["entry"]
        assert hook.get("pass_filenames") is not False
    assert "--verify" not in lint["entry"] and "stages" not in lint
    assert "--verify" in verify["entry"]
    assert set(verify["stages"]) == {"manual", "pre-push"}
    assert lint["files"] == verify["files"]


CONFIG_NAMES = [
    ".env",
    ".env.local",
    ".env.production",
    ".env-staging",
    ".env.example",
    "app.env",
    "deploy/prod.env",
    "pyproject.toml",
    "config/settings.TOML",
    "values.yaml",
    "docker-compose.yml",
    "package.json",
    "setup.cfg",
    "tox.ini",
    "src/main/resources/application.properties",
    ".npmrc",
    "home/.pypirc",
    "config.yaml.dist",
    "settings.json.example",
]
NOT_CONFIG_NAMES = [
    ".envrc",
    "project/.envrc",
    "README.en.md",
    "docs/guide.env.md",
    "environment.py",
    "Makefile",
    "x.dist",
    ".toml",
    "yaml",
    "my.envelope",
    "dotenv.py",
    "env/README.md",
]


@pytest.mark.parametrize("name", CONFIG_NAMES)
def test_files_pattern_matches_config_files(name):
    assert re.search(hooks()["keylint"]["files"], name), name
    assert format_for(name) is not None  # and keylint itself reads them as config


@pytest.mark.parametrize("name", NOT_CONFIG_NAMES)
def test_files_pattern_skips_other_files(name):
    assert not re.search(hooks()["keylint"]["files"], name), name


_FRAGMENTS = st.sampled_from(
    [
        ".env",
        "env",
        ".envrc",
        ".",
        "-",
        "_",
        "a",
        "app",
        "local",
        "prod",
        "yaml",
        "yml",
        "toml",
        "json",
        "ini",
        "cfg",
        "properties",
        "npmrc",
        ".npmrc",
        "pypirc",
        ".pypirc",
        "dist",
        "example",
        "bak",
        "md",
        "rc",
        "x",
        "EN",
        "ENV",
        "YML",
    ]
)


@given(st.lists(st.lists(_FRAGMENTS, min_size=1, max_size=5).map("".join), min_size=1, max_size=3))
def test_files_pattern_agrees_with_keylint_discovery(parts):
    """The hook sees exactly the files a directory scan would treat as config."""
    path = "/".join(parts)
    pattern = hooks()["keylint"]["files"]
    assert bool(re.search(pattern, path)) == (format_for(path.rsplit("/", 1)[-1]) is not None), path


# ---------------------------------------------------------------- real repositories

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "keylint tests",
    "GIT_AUTHOR_EMAIL": "tests@keylint.invalid",
    "GIT_COMMITTER_NAME": "keylint tests",
    "GIT_COMMITTER_EMAIL": "tests@keylint.invalid",
}


def _repack_installed(dist_name: str, dest: Path) -> Path:
    """A wheel rebuilt from an installed distribution (its RECORD lists the files)."""
    dist = importlib.metadata.distribution(dist_name)
    files = [str(f) for f in dist.files or ()]
    info_dir = next(f.split("/")[0] for f in files if f.endswith(".dist-info/METADATA"))
    name, version = info_dir[: -len(".dist-info")].rsplit("-", 1)
    tags = [line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines() if line.startswith("Tag:")]
    parts = [".".join(sorted({tag.split("-")[i] for tag in tags})) for i in range(3)]
    wheel = dest / f"{name.replace('-', '_')}-{version}-{'-'.join(parts)}.whl"
    base = Path(dist.locate_file(""))
    skip = ("/RECORD", "/INSTALLER", "/REQUESTED", "/direct_url.json")
    record: list[str] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name_in_wheel in files:
            if name_in_wheel.startswith("..") or "__pycache__" in name_in_wheel or name_in_wheel.endswith(skip):
                continue
            data = (base / name_in_wheel).read_bytes()
            archive.writestr(name_in_wheel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name_in_wheel},sha256={digest},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        archive.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Everything pip needs to install keylint offline: a build backend and the runtime dependencies."""
    house = tmp_path_factory.mktemp("wheelhouse")
    try:
        import virtualenv

        embedded = sorted((Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed").glob("setuptools-*.whl"))
    except ImportError:
        embedded = []
    if embedded:
        shutil.copy(embedded[-1], house)
    elif int(importlib.metadata.version("setuptools").split(".")[0]) >= 68:
        _repack_installed("setuptools", house)
    else:
        pytest.skip("no setuptools>=68 wheel available offline")
    # keylint's runtime dependencies, and the verify extra's with theirs (the keylint-verify hook's
    # additional_dependencies), each rebuilt from what is installed here.
    pending = [(line, extra) for extra in ("", "verify") for line in importlib.metadata.requires("keylint") or ()]
    packed: set[str] = set()
    while pending:
        line, extra = pending.pop()
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        if name in packed or (requirement.marker is not None and not requirement.marker.evaluate({"extra": extra})):
            continue
        packed.add(name)
        _repack_installed(requirement.name, house)
        pending.extend((dep, "") for dep in importlib.metadata.requires(requirement.name) or ())
    return house


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    environ.update(GIT_IDENTITY)
    environ.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(wheelhouse),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_CACHE_DIR": "1",
            "VIRTUALENV_NO_DOWNLOAD": "1",
            "NO_COLOR": "1",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")]),
        }
    )
    return environ


def git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def pre_commit(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """This checkout's working tree, committed to a scratch repository: (path, sha)."""
    repo = tmp_path_factory.mktemp("keylint-hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", repo / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, repo / name)
    git(repo, "init", "-q", env=env)
    git(repo, "add", ".", env=env)
    git(repo, "commit", "-q", "-m", "snapshot", env=env)
    return repo, git(repo, "rev-parse", "HEAD", env=env).stdout.strip()


def project(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str], *hook_ids: str, args=None) -> Path:
    """A repository that uses keylint through .pre-commit-config.yaml, with the hook installed."""
    repo_path, sha = hook_repo
    work = tmp_path / "project"
    work.mkdir()
    hooks_config = []
    for hook_id in hook_ids or ("keylint",):
        entry: dict = {"id": hook_id}
        if args is not None:
            entry["args"] = args
        hooks_config.append(entry)
    config = {"repos": [{"repo": str(repo_path), "rev": sha, "hooks": hooks_config}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git(work, "init", "-q", env=env)
    installed = pre_commit(work, "install", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(work, "add", ".pre-commit-config.yaml", env=env)
    first = git(work, "commit", "-q", "-m", "use keylint", env=env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    return work


def commit(work: Path, env: dict[str, str], files: dict[str, str], message: str = "change"):
    for name, text in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(work, "add", *files, env=env)
    return git(work, "commit", "-m", message, env=env, check=False)


def head_count(work: Path, env: dict[str, str]) -> int:
    return int(git(work, "rev-list", "--count", "HEAD", env=env).stdout)


@needs_git
def test_commit_with_a_key_is_blocked_and_a_clean_commit_passes(tmp_path, hook_repo, env):
    # Blocking on info makes the test independent of which rules call a committed key an error.
    work = project(tmp_path, hook_repo, env, args=["--fail-on", "info"])
    token = make_key("github", "personal-access-token", seed=11)
    before = head_count(work, env)

    blocked = commit(work, env, {"config/.env.production": f"GITHUB_TOKEN={token}\n"})
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "keylint" in output and "Failed" in output
    assert "config/.env.production:1:14: KL501" in output  # staged: KL501, in place of the key's KL101
    assert "KL101" not in output
    assert "GitHub personal access token in GITHUB_TOKEN" in output
    assert token[:4] + "…" + token[-2:] in output  # masked ...
    assert token not in output  # ... never in full
    assert "\r[" not in output  # no progress bar under pre-commit
    assert head_count(work, env) == before

    clean = commit(work, env, {"config/.env.production": "GITHUB_TOKEN=${GITHUB_TOKEN}\n"})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"keylint\.+Passed", clean.stdout + clean.stderr)
    assert head_count(work, env) == before + 1


@needs_git
def test_files_that_are_not_config_are_not_passed_to_the_hook(tmp_path, hook_repo, env):
    work = project(tmp_path, hook_repo, env, args=["--fail-on", "info"])
    token = make_key("github", "personal-access-token", seed=12)
    result = commit(work, env, {".envrc": f"export GITHUB_TOKEN={token}\n", "README.en.md": f"token {token}\n"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"keylint\.+\(no files to check\)Skipped", output), output


@needs_git
def test_run_all_files_and_files_are_honoured(tmp_path, hook_repo, env):
    work = project(tmp_path, hook_repo, env, args=["--fail-on", "info"])
    github = make_key("github", "personal-access-token", seed=13)
    stripe = make_key("stripe", "secret-key", seed=13, environment="live")
    files = {
        "services/api/.env": f"GITHUB_TOKEN={github}\n",
        "deploy/values.yaml": f"payments:\n  stripe_key: {stripe}\n",
        ".envrc": f"export GITHUB_TOKEN={github}\n",
    }
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "add", *files, env=env)
    git(work, "commit", "-q", "--no-verify", "-m", "keys committed before keylint", env=env)

    # A normal run sees only staged files: nothing is staged, so nothing is checked.
    quiet = pre_commit(work, "run", env=env)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr

    everything = pre_commit(work, "run", "--all-files", env=env)
    output = everything.stdout + everything.stderr
    assert everything.returncode == 1, output
    assert "services/api/.env:1:14: KL501" in output
    assert "deploy/values.yaml:2:15: KL501" in output
    assert ".envrc" not in output
    assert github not in output and stripe not in output

    one = pre_commit(work, "run", "--files", "deploy/values.yaml", env=env)
    output = one.stdout + one.stderr
    assert one.returncode == 1, output
    assert "deploy/values.yaml:2:15: KL501" in output
    assert "services/api/.env" not in output


@needs_git
def test_default_hook_blocks_a_committed_key_by_the_projects_own_rules(tmp_path, hook_repo, env):
    """Without arguments the hook fails on errors only; a key about to be committed must be one."""
    from keylint.model import Severity
    from keylint.rules import all_rules

    if not any(r.category == "leak" and r.severity == Severity.ERROR for r in all_rules().values()):
        pytest.skip("no leak rule yet (leaked-key rules come with git awareness)")
    work = project(tmp_path, hook_repo, env)
    token = make_key("github", "personal-access-token", seed=14)
    blocked = commit(work, env, {".env": f"GITHUB_TOKEN={token}\n"})
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert re.search(r"\.env:1:14: KL5\d\d \[error\]", output), output
    assert token not in output


@needs_git
def test_default_hook_blocks_a_malformed_key(tmp_path, hook_repo, env):
    from keylint.model import Severity
    from keylint.rules import all_rules

    if not any(r.category == "format" and r.severity == Severity.ERROR for r in all_rules().values()):
        pytest.skip("no format rules yet")
    work = project(tmp_path, hook_repo, env)
    token = make_key("github", "personal-access-token", seed=15)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")  # one mistyped character: the checksum fails
    blocked = commit(work, env, {"settings.yaml": f"github:\n  token: {broken}\n"})
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert re.search(r"settings\.yaml:2:10: KL2\d\d \[error\]", output), output
    assert broken not in output


@needs_git
def test_verify_hook_runs_only_when_asked(tmp_path, hook_repo, env):
    work = project(tmp_path, hook_repo, env, "keylint", "keylint-verify")
    commit(work, env, {".env": "APP_NAME=demo\n"})
    default_stage = pre_commit(work, "run", "keylint-verify", "--all-files", env=env)
    assert default_stage.returncode != 0
    assert "No hook with id `keylint-verify` in stage `pre-commit`" in default_stage.stdout + default_stage.stderr
    from keylint.cli import build_parser

    scan_help = build_parser()._subparsers._group_actions[0].choices["scan"].format_help()  # type: ignore[union-attr]
    if "--verify" not in scan_help:
        pytest.skip("live verification (--verify) is not in this build yet")
    manual = pre_commit(work, "run", "keylint-verify", "--hook-stage", "manual", "--all-files", env=env)
    assert manual.returncode == 0, manual.stdout + manual.stderr
    assert re.search(r"keylint \(verify keys live\)\.+Passed", manual.stdout + manual.stderr)


@needs_git
def test_verify_hook_checks_keys_against_the_provider(tmp_path, hook_repo, env, httpserver):
    """The manual hook installs its httpx dependency offline and blocks on a key the provider rejects."""
    from conftest import make_key

    token = make_key("github", "personal-access-token", seed=11)
    httpserver.expect_request("/rate_limit", method="GET").respond_with_json({"message": "Bad credentials"}, status=401)
    work = project(tmp_path, hook_repo, env, "keylint-verify")
    (work / ".gitignore").write_text(".env\n")
    (work / ".env").write_text(f"GITHUB_TOKEN={token}\n")
    verify_env = {**env, "KEYLINT_VERIFY_BASE_URL": httpserver.url_for("/").rstrip("/"),
                  "KEYLINT_CACHE_DIR": str(tmp_path / "cache")}
    run = pre_commit(work, "run", "keylint-verify", "--hook-stage", "manual", "--files", ".env", env=verify_env)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert ".env:1:14: KL701" in output
    assert token not in output
    (request, _response), = httpserver.log
    assert request.headers["Authorization"] == f"Bearer {token}"
