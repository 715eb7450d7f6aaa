"""Stale keys: expiry (KL601-KL604), rotation age via git blame (KL605), drift between files (KL611-KL614)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gitutil import Repo, requires_git
from keylint.commands import scan as scan_command
from keylint.config import ConfigError, Settings
from keylint.engine import ScanReport
from keylint.model import Finding, Severity
from keylint.rules import stale

DAY = 86400


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict, header: dict | None = None) -> str:
    head = b64url(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    signature = hmac.new(b"test-only-signing-key", f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def make_pypi_token(caveats: list[object]) -> str:
    """A v2 binary macaroon as PyPI serialises it (signature random: nothing verifies it offline)."""

    def field(kind: int, data: bytes) -> bytes:
        return bytes([kind]) + varint(len(data)) + data

    raw = b"\x02" + field(1, b"pypi.org") + field(2, b'{"nonce": "0123456789abcdef", "version": 1}') + b"\x00"
    for caveat in caveats:
        raw += field(2, json.dumps(caveat).encode()) + b"\x00"
    raw += b"\x00" + field(6, hashlib.sha256(b"sig").digest())
    return "pypi-" + b64url(raw)


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def findings(cli, cwd, *args):
    run = cli("scan", ".", "--format", "json", *args, cwd=cwd)
    return run, run.json()["findings"]


def codes(found, prefix="KL6"):
    return sorted((f["rule"], f["path"], f["line"], f["key"]) for f in found if f["rule"].startswith(prefix))


# --- expiry ------------------------------------------------------------------------------------


def test_jwt_expiry_states(cli, tmp_path):
    now = time.time()
    expired = make_jwt({"sub": "svc", "iss": "https://auth.example.com/", "exp": int(now - 3 * DAY)})
    soon = make_jwt({"sub": "svc", "exp": int(now + 5 * DAY)})
    later = make_jwt({"sub": "svc", "exp": int(now + 60 * DAY)})
    future = make_jwt({"sub": "svc", "exp": int(now + 90 * DAY), "nbf": int(now + 30 * DAY)})
    forever = make_jwt({"sub": "service-account", "role": "service_role"})
    (tmp_path / ".env").write_text(
        f"EXPIRED_JWT={expired}\nSOON_JWT={soon}\nLATER_JWT={later}\nFUTURE_JWT={future}\nFOREVER_JWT={forever}\n"
    )
    run, found = findings(cli, tmp_path)
    assert codes(found) == [
        ("KL601", ".env", 1, "EXPIRED_JWT"),
        ("KL602", ".env", 2, "SOON_JWT"),
        ("KL603", ".env", 4, "FUTURE_JWT"),
        ("KL604", ".env", 5, "FOREVER_JWT"),
    ]
    by_code = {f["rule"]: f for f in found}
    assert by_code["KL601"]["severity"] == "error" and by_code["KL601"]["category"] == "stale"
    assert by_code["KL602"]["severity"] == "warning" and by_code["KL603"]["severity"] == "info"
    assert by_code["KL604"]["severity"] == "info"
    assert f"expired on {datetime.fromtimestamp(int(now - 3 * DAY), tz=timezone.utc):%Y-%m-%d}" in (
        by_code["KL601"]["message"]
    )
    assert "3 days ago" in by_code["KL601"]["message"] and "issuer https://auth.example.com/" in (
        by_code["KL601"]["message"]
    )
    assert "in 4 days" in by_code["KL602"]["message"] or "in 5 days" in by_code["KL602"]["message"]
    assert run.code == 1
    for token in (expired, soon, future, forever):
        assert token not in run.out and token.split(".")[1] not in run.out


def test_expiry_warning_window_from_cli_and_config(cli, tmp_path):
    token = make_jwt({"exp": int(time.time() + 7 * DAY)})
    (tmp_path / ".env").write_text(f"API_JWT={token}\n")
    assert codes(findings(cli, tmp_path)[1]) == [("KL602", ".env", 1, "API_JWT")]
    assert codes(findings(cli, tmp_path, "--expiry-warning", "3")[1]) == []
    (tmp_path / ".keylint.toml").write_text("expiry-warning = 30\n")
    assert codes(findings(cli, tmp_path)[1]) == [("KL602", ".env", 1, "API_JWT")]
    (tmp_path / ".keylint.toml").write_text("expiry-warning = 2\n")
    assert codes(findings(cli, tmp_path)[1]) == []
    (tmp_path / ".keylint.toml").write_text('expiry-warning = "soon"\n')
    run = cli("scan", ".", cwd=tmp_path)
    assert run.code == 2 and "expiry-warning" in run.err


def test_jwt_inside_yaml_and_github_stateless_token(cli, key, tmp_path):
    token = make_jwt({"exp": int(time.time() - DAY), "iss": "supabase"})
    ghs = f"ghs_12345_{make_jwt({'exp': int(time.time() - 2 * DAY)})}"
    (tmp_path / "app.yaml").write_text(f"supabase:\n  service_key: '{token}'\ngithub:\n  token: {ghs}\n")
    found = findings(cli, tmp_path)[1]
    expired = [(f["line"], f["column"]) for f in found if f["rule"] == "KL601"]
    assert expired == [(2, 17), (4, 20)]


def test_not_a_jwt_is_left_alone(cli, tmp_path):
    fake = b64url(b'{"x": 1}') + "." + b64url(b"not json at all") + ".sig"
    no_alg = make_jwt({"exp": 1}, header={"kid": "x"})
    (tmp_path / ".env").write_text(f"A_TOKEN=eyJ{fake[3:]}\nB_TOKEN={no_alg}\nC=eyJhbGciOi.broken\n")
    assert codes(findings(cli, tmp_path)[1]) == []


def test_pypi_token_expiry_caveat(cli, tmp_path):
    now = time.time()
    expired = make_pypi_token([[1, ["keylint"]], [0, int(now - 10 * DAY), int(now - 11 * DAY)]])
    soon = make_pypi_token([[0, int(now + 2 * DAY), int(now - DAY)]])
    legacy = make_pypi_token([{"exp": int(now - DAY), "nbf": int(now - 2 * DAY)}])
    plain = make_pypi_token([[1, ["keylint"]]])
    (tmp_path / ".pypirc").write_text(
        f"[pypi]\nusername = __token__\npassword = {expired}\n[a]\npassword = {soon}\n"
        f"[b]\npassword = {legacy}\n[c]\npassword = {plain}\n"
    )
    run, found = findings(cli, tmp_path)
    stale_found = [(f["rule"], f["line"]) for f in found if f["rule"].startswith("KL6")]
    assert stale_found == [("KL601", 3), ("KL602", 5), ("KL601", 7)]
    assert any(f["rule"] == "KL601" and "PyPI token" in f["message"] for f in found)
    assert expired not in run.out


def test_macaroon_parser_rejects_garbage():
    assert stale.macaroon_caveats(b"") is None
    assert stale.macaroon_caveats(b"\x01abc") is None
    assert stale.macaroon_caveats(b"\x02\x01\x50short") is None
    token = make_pypi_token([[0, 100, 50]])
    assert stale.macaroon_caveats(stale._b64url(token[5:])) == [b"[0, 100, 50]"]


def test_azure_sas_expiry_and_start(cli, tmp_path):
    now = time.time()
    sig = "sig=" + "k3Yx" * 10 + "%3D"
    expired = f"sv=2022-11-02&ss=b&srt=sco&sp=rl&se={iso(now - 5 * DAY).replace(':', '%3A')}&spr=https&{sig}"
    later = f"sv=2022-11-02&sp=r&st={iso(now + 10 * DAY)}&se={iso(now + 100 * DAY)}&{sig}"
    url = f"https://acct.blob.core.windows.net/data?sv=2022-11-02&sr=c&se={iso(now + 3 * DAY)[:10]}&sp=r&{sig}"
    (tmp_path / ".env").write_text(f'AZURE_SAS="{expired}"\nUPLOAD_SAS="{later}"\nBLOB_URL={url}\n')
    found = findings(cli, tmp_path)[1]
    assert codes(found) == [
        ("KL601", ".env", 1, "AZURE_SAS"),
        ("KL602", ".env", 3, "BLOB_URL"),
        ("KL603", ".env", 2, "UPLOAD_SAS"),
    ]
    sas = next(f for f in found if f["rule"] == "KL601")
    assert "Azure SAS token" in sas["message"] and sas["column"] == expired.index("se=") + 3 + len('AZURE_SAS="') + 1


def test_placeholders_are_not_decoded(cli, tmp_path):
    (tmp_path / ".env").write_text("TOKEN=eyJhbGciOiJIUzI1NiJ9.your-token-here.xxx\n")
    assert codes(findings(cli, tmp_path)[1]) == []


@pytest.mark.parametrize(
    "text, seconds",
    [("90d", 90 * DAY), ("12w", 84 * DAY), ("6mo", 180 * DAY), ("1y", 365 * DAY), ("36h", 36 * 3600), ("30", 30 * DAY)],
)
def test_parse_duration(text, seconds):
    assert stale.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-5d", "90x", "", True])
def test_parse_duration_rejects(text):
    with pytest.raises(ConfigError):
        stale.parse_duration(text)


# --- rotation age ----------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@requires_git
def test_max_age_flags_old_lines_with_the_date_and_spares_new_ones(cli, key, repo):
    old_token = key("github", "personal-access-token", seed=1)
    recent_token = key("github", "personal-access-token", seed=2)
    old_when = time.time() - 200 * DAY
    repo.write("app.env", f"OLD_TOKEN={old_token}\n")
    repo.commit("old key", date=iso(old_when))
    repo.write("app.env", f"OLD_TOKEN={old_token}\nRECENT_TOKEN={recent_token}\n")
    repo.commit("recent key", date=iso(time.time() - 10 * DAY))
    new_token = key("github", "personal-access-token", seed=3)
    # Uncommitted edits: lines move, and a brand-new key appears.
    repo.write(
        "app.env", f"# moved down\n\nNEW_TOKEN={new_token}\nOLD_TOKEN={old_token}\nRECENT_TOKEN={recent_token}\n"
    )
    run, found = findings(cli, repo.path, "--max-age", "90d")
    aged = [f for f in found if f["rule"] == "KL605"]
    assert [(f["key"], f["line"], f["column"]) for f in aged] == [("OLD_TOKEN", 4, 11)]
    (finding,) = aged
    assert finding["severity"] == "warning" and finding["category"] == "stale"
    assert f"last changed on {datetime.fromtimestamp(old_when, tz=timezone.utc):%Y-%m-%d}" in finding["message"]
    assert "200 days ago" in finding["message"] and "max-age 90d" in finding["message"]
    assert old_token not in run.out
    assert [f["key"] for f in findings(cli, repo.path, "--max-age", "5d")[1] if f["rule"] == "KL605"] == [
        "OLD_TOKEN",
        "RECENT_TOKEN",
    ]
    assert not [f for f in findings(cli, repo.path, "--max-age", "1y")[1] if f["rule"] == "KL605"]
    assert not [f for f in findings(cli, repo.path)[1] if f["rule"] == "KL605"]


@requires_git
def test_max_age_from_config_and_invalid_value(cli, key, repo):
    repo.write("app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("key", date=iso(time.time() - 400 * DAY))
    repo.write(".keylint.toml", 'max-age = "1y"\n')
    assert [f["rule"] for f in findings(cli, repo.path)[1] if f["rule"] == "KL605"] == ["KL605"]
    run = cli("scan", ".", "--max-age", "soon", cwd=repo.path)
    assert run.code == 2 and "invalid max-age 'soon'" in run.err


@requires_git
def test_max_age_runs_one_blame_per_file_with_findings(cli, key, repo, monkeypatch):
    from keylint import gitinfo

    for i in range(5):
        repo.write(f"s{i}.env", "".join(f"T{j}_TOKEN={key('github', 'personal-access-token', seed=10 * i + j)}\n"
                                        for j in range(3)))
    repo.write("clean.env", "PORT=1\n")
    repo.commit("keys", date=iso(time.time() - 100 * DAY))
    blamed: list[str] = []
    real = gitinfo.blame
    monkeypatch.setattr(gitinfo, "blame", lambda root, path, *a: blamed.append(path) or real(root, path, *a))
    found = findings(cli, repo.path, "--max-age", "30d")[1]
    assert len([f for f in found if f["rule"] == "KL605"]) == 15
    assert sorted(blamed) == [f"s{i}.env" for i in range(5)]


# --- drift between files ----------------------------------------------------------------------


def test_same_variable_with_different_keys_in_sibling_env_files(cli, key, tmp_path):
    a, b = key("stripe", "secret-key", environment="live", seed=1), key("stripe", "secret-key", environment="live")
    (tmp_path / ".env").write_text(f"STRIPE_SECRET_KEY={a}\nSHARED_TOKEN={key('github', 'personal-access-token')}\n")
    (tmp_path / ".env.production").write_text(
        f"STRIPE_SECRET_KEY={b}\nSHARED_TOKEN={key('github', 'personal-access-token')}\n"
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".env").write_text(f"STRIPE_SECRET_KEY={key('stripe', 'secret-key', seed=9)}\n")
    (tmp_path / "values.yaml").write_text(f"api:\n  token: {key('github', 'personal-access-token', seed=4)}\n")
    (tmp_path / "values-prod.yaml").write_text(f"api:\n  token: {key('github', 'personal-access-token', seed=5)}\n")
    run, found = findings(cli, tmp_path)
    drift = [f for f in found if f["rule"] == "KL611"]
    assert [(f["path"], f["line"], f["key"]) for f in drift] == [
        (".env", 1, "STRIPE_SECRET_KEY"),
        ("values-prod.yaml", 2, "api.token"),
    ]
    assert drift[0]["severity"] == "info" and ".env.production" in drift[0]["message"]
    assert a not in run.out and b not in run.out


def test_env_example_and_env_missing_variables(cli, tmp_path):
    (tmp_path / ".env.example").write_text("# template\nAPI_KEY=\nDATABASE_URL=postgres://localhost/app\nDEBUG=false\n")
    (tmp_path / ".env").write_text("API_KEY=x\nDEBUG=true\nLOCAL_ONLY=1\n")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".env.sample").write_text("ONLY_HERE=1\n")  # its .env is not in the scan: nothing to compare
    _run, found = findings(cli, tmp_path)
    assert codes(found) == [
        ("KL612", ".env.example", 3, "DATABASE_URL"),
        ("KL613", ".env", 3, "LOCAL_ONLY"),
    ]
    assert all(f["severity"] == "warning" for f in found if f["rule"] in {"KL612", "KL613"})
    messages = {f["rule"]: f["message"] for f in found}
    assert messages["KL612"] == "DATABASE_URL is declared in .env.example but missing from .env"
    assert messages["KL613"] == "LOCAL_ONLY is set in .env but not declared in .env.example"


def test_drift_rules_can_be_ignored(cli, tmp_path):
    (tmp_path / ".env.example").write_text("A=1\n")
    (tmp_path / ".env").write_text("B=1\n")
    assert codes(findings(cli, tmp_path, "--ignore", "KL612,missing-from-example")[1]) == []


def test_family_and_template_base():
    assert stale.family(".env.production") == stale.family(".env") == ("", "env")
    assert stale.family("k8s/values-prod.yaml") == stale.family("k8s/values.yaml")
    assert stale.family("a/.env") != stale.family("b/.env")
    assert stale.template_base("svc/.env.example") == "svc/.env"
    assert stale.template_base("example.env") == ".env"
    assert stale.template_base(".env") is None


# --- stale copy after rotation (verification results from the verify stage) -----------------

STATUSES: dict[str, str] = {}


def fake_verification(report, args):
    """Stands in for the verification stage: puts a status on each key finding, by file."""
    for f in report.findings:
        if f.rule == "KL101" and f.path in STATUSES:
            f.extra["verification"] = {"status": STATUSES[f.path], "detail": "test", "checked_at": "now"}


def test_stale_copy_after_rotation_through_the_cli(cli, key, tmp_path, monkeypatch):
    monkeypatch.setattr(scan_command, "POST_STAGES", ["test_stale:fake_verification", *scan_command.POST_STAGES])
    rotated = key("stripe", "secret-key", environment="live")
    old = key("stripe", "secret-key", environment="live", seed=3)
    (tmp_path / ".env").write_text(f"STRIPE_SECRET_KEY={rotated}\n")
    (tmp_path / ".env.staging").write_text(f"# staging\nSTRIPE_SECRET_KEY={old}\n")
    monkeypatch.setattr("test_stale.STATUSES", {".env": "valid", ".env.staging": "revoked"})
    run, found = findings(cli, tmp_path)
    (stale_copy,) = [f for f in found if f["rule"] == "KL614"]
    assert (stale_copy["path"], stale_copy["line"], stale_copy["key"]) == (".env.staging", 2, "STRIPE_SECRET_KEY")
    assert stale_copy["severity"] == "error" and stale_copy["message"].startswith("stale copy left after rotation?")
    assert "(revoked)" in stale_copy["message"] and ".env holds a different key" in stale_copy["message"]
    assert stale_copy["verification"]["status"] == "revoked"
    assert run.code == 1 and old not in run.out
    # Both work (each environment its own key), or neither was checked: no KL614.
    monkeypatch.setattr("test_stale.STATUSES", {".env": "valid", ".env.staging": "valid_scoped"})
    assert not [f for f in findings(cli, tmp_path)[1] if f["rule"] == "KL614"]
    monkeypatch.setattr("test_stale.STATUSES", {".env.staging": "invalid"})
    assert not [f for f in findings(cli, tmp_path)[1] if f["rule"] == "KL614"]


def _finding(path: str, key: str, secret: str, status: str | None) -> Finding:
    extra = {"verification": {"status": status}} if status else {}
    return Finding("KL101", "provider-key", Severity.INFO, "secret", path, 3, 5, key, "openai", "m", secret,
                   extra=extra)


def test_stale_copy_stage_on_constructed_findings():
    settings = Settings()
    report = ScanReport(
        findings=[
            _finding("deploy/.env", "OPENAI_API_KEY", "sk-new-000000000000", "valid"),
            _finding("deploy/.env.prod", "OPENAI_API_KEY", "sk-old-111111111111", "invalid"),
            _finding("deploy/.env.test", "OPENAI_API_KEY", "sk-new-000000000000", "invalid"),  # same key: not a copy
            _finding("deploy/.env.dev", "OPENAI_API_KEY", "sk-other-22222222222", "unknown"),  # not a failure
            _finding("other/.env", "OPENAI_API_KEY", "sk-old-333333333333", "expired"),  # another family
            _finding("deploy/.env.qa", "OTHER_KEY", "sk-old-444444444444", "revoked"),  # another variable
        ],
        notices=[],
        files_scanned=6,
        duration=0.0,
        settings=settings,
    )
    stale.stale_copy_stage(report, None)
    (copy,) = [f for f in report.findings if f.rule == "KL614"]
    assert (copy.path, copy.line, copy.column, copy.key) == ("deploy/.env.prod", 3, 5, "OPENAI_API_KEY")
    assert copy.severity is Severity.ERROR and copy.category == "stale"
    assert "deploy/.env holds a different key" in copy.message and "sk-old-111111111111" not in copy.message


@requires_git
def test_inline_directive_suppresses_a_late_finding_and_is_not_called_unused(cli, key, repo):
    token = key("github", "personal-access-token", seed=4)
    other = key("github", "personal-access-token", seed=5)
    repo.write("app.env", f"# keylint: ignore-next-line[KL605]\nOLD_TOKEN={token}\nOTHER_TOKEN={other}\n")
    repo.commit("old keys", date=iso(time.time() - 200 * DAY))
    _run, found = findings(cli, repo.path, "--max-age", "90d")
    assert [(f["rule"], f["key"]) for f in found if f["rule"] in {"KL605", "KL002"}] == [("KL605", "OTHER_TOKEN")]
