"""End-to-end: the CLI on files in a temporary directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import SARIF_SCHEMA


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_finds_provider_key_with_position_and_masks_it(cli, key, tmp_path):
    token = key("github", "personal-access-token")
    write(tmp_path, ".env", f"# comment\n\nexport GITHUB_TOKEN={token}\n")
    run = cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert run.code == 0
    data = run.json()
    (finding,) = [f for f in data["findings"] if f["rule"] == "KL101"]
    assert finding["path"] == ".env"
    assert (finding["line"], finding["column"]) == (3, 21)
    assert finding["key"] == "GITHUB_TOKEN"
    assert finding["provider"] == "github"
    assert finding["secret"] == token[:4] + "…" + token[-2:]
    assert token not in run.out
    assert set(finding) >= {"rule", "name", "severity", "category", "path", "line", "column", "key", "provider",
                            "message", "secret", "fingerprint"}
    assert data["version"] == 1 and data["summary"]["files"] == 1 and data["summary"]["findings"] >= 1


def test_show_secrets_prints_the_key(cli, key, tmp_path):
    token = key("github", "personal-access-token")
    write(tmp_path, ".env", f"GITHUB_TOKEN={token}\n")
    assert token in cli("scan", ".", "--show-secrets", cwd=tmp_path).out
    assert token not in cli("scan", ".", cwd=tmp_path).out


def test_default_command_is_scan_and_text_format(cli, key, tmp_path):
    write(tmp_path, "conf/app.yaml", f"stripe:\n  secret_key: {key('stripe', 'secret-key', environment='live')}\n")
    run = cli("conf", cwd=tmp_path)
    assert "conf/app.yaml:2:15: KL101 [info] Stripe live secret key in stripe.secret_key" in run.out
    assert "1 finding" in run.out


def test_references_placeholders_and_benign_values_are_not_secrets(cli, tmp_path):
    write(
        tmp_path,
        ".env",
        "\n".join(
            [
                "API_KEY=${API_KEY}",
                "TOKEN=$TOKEN",
                "GH_TOKEN=${{ secrets.GH_TOKEN }}",
                "DB_PASSWORD={{ .Values.db.password }}",
                "VAULT_SECRET=vault:secret/data/app#key",
                "OP_TOKEN=op://vault/item/field",
                "ROLE_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:app",
                "AUTH_ENABLED=true",
                "TOKEN_TTL=3600",
                "SECRET_VERSION=1.4.2",
                "SECRET_HASH=5d41402abc4b2a76b9719d911017c592",
                "CLIENT_SECRET_ID=9b2c6a34-7f1e-4b9a-8c3d-2e5f6a7b8c9d",
                "API_KEY_PLACEHOLDER=your-api-key-here",
                "SIGNING_PUBLIC_KEY=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB",
                "TOKEN_IMAGE=ghcr.io/acme/token-service:1.2.3",
                "EMPTY_SECRET=",
            ]
        )
        + "\n",
    )
    run = cli("scan", ".", "-f", "json", cwd=tmp_path)
    secrets = [f for f in run.json()["findings"] if f["category"] == "secret"]
    assert secrets == []


def test_generic_secret_url_credentials_and_private_key(cli, tmp_path):
    write(
        tmp_path,
        "config.yaml",
        "db:\n  url: postgres://app:Zk29fQ8wLpq@db.internal:5432/app\n"
        "session:\n  signing_secret: 9f8Kq2LmZx71PqR0aB3cD4eF\n"
        "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n"
        "    MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oTfpTJAsnY7ioAoGCCqGSM49\n"
        "    -----END EC PRIVATE KEY-----\n",
    )
    found = {f["rule"]: f for f in cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"]}
    assert found["KL103"]["key"] == "db.url" and found["KL103"]["column"] == 23
    assert found["KL102"]["key"] == "session.signing_secret"
    assert found["KL104"]["key"] == "tls.key"
    assert "Zk29fQ8wLpq" not in json.dumps(found)


def test_fail_on_and_exit_zero(cli, tmp_path):
    write(tmp_path, "a.yaml", "x: [unclosed\n")  # KL001 parse error is a warning
    assert cli("scan", ".", cwd=tmp_path).code == 0
    assert cli("scan", ".", "--fail-on", "warning", cwd=tmp_path).code == 1
    assert cli("scan", ".", "--fail-on", "warning", "--exit-zero", cwd=tmp_path).code == 0
    assert cli("scan", ".", "--fail-on", "never", cwd=tmp_path).code == 0


def test_usage_errors_exit_2_without_traceback(cli, tmp_path):
    for args in (["scan", "--format", "nope"], ["scan", "--fail-on", "loud"], ["rules", "KL999"],
                 ["scan", "--ignore", "KL999"], ["scan", "--max-file-size", "huge"]):
        run = cli(*args, cwd=tmp_path)
        assert run.code == 2, args
        assert "Traceback" not in run.err and "keylint: error:" in run.err


def test_missing_path_is_reported_not_fatal(cli, key, tmp_path):
    write(tmp_path, ".env", f"GITHUB_TOKEN={key('github')}\n")
    run = cli("scan", ".env", "missing.yaml", "-f", "json", cwd=tmp_path)
    data = run.json()
    assert data["summary"]["complete"] is False
    assert any("missing.yaml" in e["message"] for e in data["errors"])
    assert any(f["rule"] == "KL101" for f in data["findings"])


def test_sarif_validates_against_schema(cli, key, tmp_path):
    write(tmp_path, ".env", f"GITHUB_TOKEN={key('github')}\nX=1\n")
    write(tmp_path, "broken.yaml", "a: [\n")
    run = cli("scan", ".", "-f", "sarif", cwd=tmp_path)
    document = json.loads(run.out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    result = document["runs"][0]["results"][0]
    assert rules[result["ruleId"]]["help"]["text"]
    assert "security-severity" in rules[result["ruleId"]]["properties"]
    assert result["partialFingerprints"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_output_file(cli, key, tmp_path):
    write(tmp_path, ".env", f"GITHUB_TOKEN={key('github')}\n")
    run = cli("scan", ".", "-f", "json", "-o", "report.json", cwd=tmp_path)
    assert run.out == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] >= 1


def test_terminal_control_characters_are_escaped(cli, tmp_path):
    write(tmp_path, ".env", "SESSION_SECRET=Zk29f\x1b[31mQ8wLpq7Rt\n")
    run = cli("scan", ".", "--show-secrets", cwd=tmp_path)
    assert "\x1b[31m" not in run.out


def test_no_color_env_and_color_always(cli, key, tmp_path, monkeypatch):
    write(tmp_path, ".env", f"GITHUB_TOKEN={key('github')}\n")
    assert "\033[" in cli("scan", ".", "--color", "always", cwd=tmp_path).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in cli("scan", ".", cwd=tmp_path).out


def test_rules_command_lists_and_explains(cli):
    listing = cli("rules")
    assert listing.code == 0 and "KL101" in listing.out and "provider-key" in listing.out
    page = cli("rules", "KL101")
    for section in ("What it does", "Why is this bad?", "Example", "How to fix"):
        assert section in page.out
    assert cli("rules", "provider-key").out == page.out


def test_providers_command(cli):
    run = cli("providers")
    assert run.code == 0 and "github" in run.out
    assert "rotate at:" in cli("providers", "github").out


def test_python_m_and_console_entry(tmp_path):
    done = subprocess.run([sys.executable, "-m", "keylint", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("keylint ")


@pytest.mark.parametrize("name", [".env", ".env.local", "prod.env", "a.toml", "b.yml", "c.json", "d.ini", "e.cfg",
                                  "f.properties", ".npmrc", ".pypirc", "config.yaml.dist"])
def test_discovers_config_names(cli, key, tmp_path, name):
    token = key("github")
    body = {".json": f'{{"token": "{token}"}}', ".toml": f'token = "{token}"'}.get(Path(name).suffix, f"token={token}")
    write(tmp_path, f"sub/{name}", body + "\n")
    write(tmp_path, "sub/README.en.md", f"token={token}\n")
    write(tmp_path, "sub/.envrc", f"export token={token}\n")
    findings = cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"]
    assert {f["path"] for f in findings if f["rule"] in ("KL101", "KL503")} == {f"sub/{name}"}  # KL503: a template


def test_parse_problem_rules_unparsed_line_invalid_base64_and_alias_bomb(cli, tmp_path):
    write(tmp_path, ".env", "GOOD=1\nOPENAI API KEY=abc\n")
    write(tmp_path, "secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  API_KEY: not*base64!\n")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n" for prev, name in zip("abcdefg", "bcdefgh", strict=True)
    )
    write(tmp_path, "bomb.yaml", bomb)
    found = {(f["path"], f["rule"], f["line"]) for f in cli("scan", ".", "-f", "json", cwd=tmp_path).json()["findings"]}
    assert (".env", "KL003", 2) in found
    assert ("secret.yaml", "KL004", 4) in found
    assert any(path == "bomb.yaml" and rule == "KL001" for path, rule, _ in found)


@pytest.mark.parametrize("extra, expected", [((), 1), (("--exit-zero",), 0)])
def test_a_reader_that_stops_early_does_not_change_the_exit_code(key, tmp_path, extra, expected):
    """`keylint scan . | head`: the report is cut, the verdict is not (and no traceback, no warning)."""
    token = key("github", "personal-access-token")
    # An error finding per line, well past a pipe's buffer (64 KB) of report text.
    (tmp_path / ".env.example").write_text("".join(f"GITHUB_TOKEN_{i}={token}\n" for i in range(3000)))
    process = subprocess.Popen(
        [sys.executable, "-m", "keylint", "scan", ".", "--color", "never", *extra],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(200)
    process.stdout.close()  # as `head -c 200` does
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == expected, stderr
    assert b"KL503" in first and stderr == b""


PROGRAM = """
import atexit, sys
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.argv = ["keylint", *sys.argv[1:]]
from keylint.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("threaded", [False, True])
def test_the_program_ends_with_its_exit_code_output_and_exit_handlers(key, tmp_path, threaded):
    """The program ends without freeing what it built (keylint.cli._end_program), and loses nothing by it: the whole
    report written, the exit handlers run, the exit code kept; with a thread still running, it ends as usual."""
    token = key("github", "personal-access-token")
    (tmp_path / ".env.example").write_text("".join(f"GITHUB_TOKEN_{i}={token}\n" for i in range(2000)))
    source = PROGRAM
    if threaded:  # a thread the program did not end: the interpreter's own exit waits for it
        source = "import threading, time\nthreading.Thread(target=time.sleep, args=(0.2,)).start()\n" + source
    run = subprocess.run(
        [sys.executable, "-c", source, "scan", ".", "-f", "json", "--no-git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert len(json.loads(run.stdout)["findings"]) == 2000
    assert run.stderr == "exit handler ran\n"
