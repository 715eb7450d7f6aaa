"""Discovery guards, configuration loading and inline suppressions, end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def rules_by_path(run) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in run.json()["findings"]:
        out.setdefault(f["path"], set()).add(f["rule"])
    return out


def test_skips_vendor_virtualenv_and_build_dirs(cli, key, tmp_path):
    token = key("github")
    for folder in ("node_modules/x", ".git", "build", ".venv", "myenv"):
        write(tmp_path, f"{folder}/.env", f"GITHUB_TOKEN={token}\n")
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "app/.env", f"GITHUB_TOKEN={token}\n")
    assert set(rules_by_path(cli("scan", ".", "-f", "json", cwd=tmp_path))) == {"app/.env"}


def test_size_limit_and_binary_files_are_named_in_notices(cli, key, tmp_path):
    write(tmp_path, "big.yaml", "a: " + "x" * 5000 + "\n")
    write(tmp_path, ".env.binary", bytes(range(256)) * 8)
    write(tmp_path, "ok.env", f"GITHUB_TOKEN={key('github')}\n")
    data = cli("scan", ".", "-f", "json", "--max-file-size", "1KB", cwd=tmp_path).json()
    messages = " ".join(e["message"] for e in data["errors"])
    assert "big.yaml" in messages and "size limit" in messages
    assert ".env.binary" in messages and "binary" in messages
    assert any(f["path"] == "ok.env" for f in data["findings"])


def test_symlinks_not_followed_by_default_and_loops_terminate(cli, key, tmp_path):
    write(tmp_path, "real/.env", f"GITHUB_TOKEN={key('github')}\n")
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    paths = set(rules_by_path(cli("scan", ".", "-f", "json", cwd=tmp_path)))
    assert paths == {"real/.env"}
    followed = set(rules_by_path(cli("scan", ".", "-f", "json", "--follow-symlinks", cwd=tmp_path)))
    assert len(followed) == 1 and followed <= {"real/.env", "link/.env"}  # one real file once; the loop ends


def test_explicit_files_are_always_scanned(cli, key, tmp_path):
    write(tmp_path, "notes.txt", f"GITHUB_TOKEN={key('github')}\n")
    assert rules_by_path(cli("scan", ".", "-f", "json", cwd=tmp_path)) == {}
    assert "KL101" in rules_by_path(cli("scan", "notes.txt", "-f", "json", cwd=tmp_path))["notes.txt"]


def test_include_and_exclude(cli, key, tmp_path):
    token = key("github")
    write(tmp_path, "app.conf", f"GITHUB_TOKEN={token}\n")
    write(tmp_path, "fixtures/.env", f"GITHUB_TOKEN={token}\n")
    paths = set(rules_by_path(cli("scan", ".", "-f", "json", "--include", "*.conf", "--exclude", "fixtures/",
                                  cwd=tmp_path)))
    assert paths == {"app.conf"}


def test_pyproject_config_ignores_severity_and_per_file(cli, key, tmp_path):
    write(tmp_path, "pyproject.toml", """
[project]
name = "x"

[tool.keylint]
exclude = ["skipped/"]

[tool.keylint.per-file-ignores]
"tests/**" = ["KL101"]

[tool.keylint.severity]
provider-key = "error"
""")
    token = key("github")
    write(tmp_path, "tests/.env", f"GITHUB_TOKEN={token}\n")
    write(tmp_path, "app/.env", f"GITHUB_TOKEN={token}\n")
    write(tmp_path, "skipped/.env", f"GITHUB_TOKEN={token}\n")
    run = cli("scan", ".", "-f", "json", cwd=tmp_path)
    findings = [f for f in run.json()["findings"] if f["rule"] == "KL101"]
    assert [(f["path"], f["severity"]) for f in findings] == [("app/.env", "error")]
    assert run.code == 1


def test_pyproject_without_table_is_passed_over(cli, key, tmp_path):
    write(tmp_path, ".keylint.toml", 'ignore = ["KL101"]\n')
    write(tmp_path, "sub/pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path, "sub/.env", f"GITHUB_TOKEN={key('github')}\n")
    assert rules_by_path(cli("scan", "sub", "-f", "json", cwd=tmp_path)) == {}


def test_custom_provider_from_config(cli, tmp_path):
    write(tmp_path, ".keylint.toml", """
[[providers]]
id = "acme"
name = "Acme"
template = "acme_live_{alnum:32}"
env-vars = ["ACME_API_KEY"]
""")
    write(tmp_path, "conf.yaml", "acme:\n  key: acme_live_" + "Ab3" * 10 + "Zz\n")
    findings = cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"]
    assert [(f["rule"], f["provider"]) for f in findings] == [("KL101", "acme")]


@pytest.mark.parametrize(
    "config",
    [
        'bogus = 1\n',
        'ignore = ["KL999"]\n',
        'fail-on = "sometimes"\n',
        "[[providers]]\nid = 'x'\n",
        "[[providers]]\nid = 'x'\ntemplate = ''\n",
        "[[providers]]\nid = 'x'\ntemplate = 'x_{nope:3}'\n",
        "not toml [",
    ],
)
def test_bad_config_is_a_usage_error(cli, tmp_path, config):
    write(tmp_path, ".keylint.toml", config)
    run = cli("scan", ".", cwd=tmp_path)
    assert run.code == 2 and ".keylint.toml" in run.err and "Traceback" not in run.err


def test_inline_suppressions(cli, key, tmp_path):
    token = key("github")
    write(tmp_path, "a.yaml", f"one: {token}  # keylint: ignore[KL101]\ntwo: {token}  # keylint: ignore\n"
                              f"three: {token}  # keylint: ignore[KL102]\nfour: plain  # keylint: ignore\n")
    write(tmp_path, ".env", f"# keylint: ignore-next-line[KL101]\nA_TOKEN={token}\nB_TOKEN={token} # keylint: ignore\n")
    found = sorted((f["path"], f["line"], f["rule"]) for f in cli("scan", ".", "-f", "json", cwd=tmp_path)
                   .json()["findings"] if f["rule"] in {"KL101", "KL002"})
    assert found == [
        (".env", 3, "KL002"),  # same-line form has no effect in .env: reported...
        (".env", 3, "KL101"),  # ...and the finding stays
        ("a.yaml", 3, "KL002"),  # KL102 never fired there
        ("a.yaml", 3, "KL101"),
        ("a.yaml", 4, "KL002"),
    ]


def test_fingerprint_stable_across_line_moves_and_bound_to_secret(cli, key, tmp_path):
    one, two = key("github", seed=1), key("github", seed=2)
    write(tmp_path, ".env", f"GITHUB_TOKEN={one}\n")
    first = cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"][0]["fingerprint"]
    write(tmp_path, ".env", f"\n\nOTHER=1\nGITHUB_TOKEN={one}\n")
    moved = cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"][0]["fingerprint"]
    write(tmp_path, ".env", f"GITHUB_TOKEN={two}\n")
    other = cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"][0]["fingerprint"]
    assert first == moved != other
    assert one[4:12] not in first


@pytest.mark.parametrize("cwd", ["root", "root/a", "root/a/b", "elsewhere"])
@pytest.mark.parametrize("given", ["root", "root/a", "relative root"])
def test_walk_display_paths_are_display_path_of_each_file(tmp_path, monkeypatch, cwd, given):
    # Discovery derives a file's display from its directory's; it must equal asking display_path per file,
    # including names that start with ".." and walks from above, below and beside the current directory.
    from keylint.config import Settings
    from keylint.discover import Target, discover, display_path

    root = tmp_path / "root"
    for name in ("a/b/c/x.yaml", "a/..dots/z.toml", "..odd/y.env", "..f.yaml", "top.json"):
        write(root, name, "a: 1\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / cwd)
    start = os.path.relpath(root) if given == "relative root" else str(tmp_path / given)
    targets = [t for t in discover([start], Settings()) if isinstance(t, Target)]
    assert len(targets) >= 2
    assert [t.display for t in targets] == [display_path(t.path) for t in targets]
