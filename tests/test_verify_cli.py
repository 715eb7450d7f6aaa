"""`keylint scan --verify` end to end: statuses in the report, KL7xx findings, one request per key,
leaks, partners, safety against endpoints named in scanned files, options, progress, redaction."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from pytest_httpserver import HTTPServer

from conftest import make_key
from keylint.verify.stage import _Progress, _progress_for
from verifykit import SCAN, kl7, verification_of


def test_statuses_land_in_the_report_with_kl7xx_findings(loopback, cli, tmp_path):
    good, bad, gone = (make_key("github", "personal-access-token", seed=s) for s in range(3))
    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={good}\nGH_TOKEN={bad}\nGITHUB_PAT={gone}\n")

    def answer(seen):
        token = seen.headers["Authorization"].split()[-1]
        return {good: (200, {}), bad: (401, {"message": "Bad credentials"}), gone: (503, "down")}[token]

    loopback.answer(answer)
    run = cli(*SCAN[:-1], cwd=tmp_path)  # without --exit-zero
    report = run.json()
    assert run.code == 1  # KL701 is an error
    statuses = {k: verification_of(report, ".env", key=k)["status"] for k in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT")}
    assert statuses == {"GITHUB_TOKEN": "valid", "GH_TOKEN": "invalid", "GITHUB_PAT": "unknown"}
    by_key = {f["key"]: f for f in kl7(report)}
    assert (by_key["GITHUB_TOKEN"]["rule"], by_key["GITHUB_TOKEN"]["severity"]) == ("KL704", "info")
    assert (by_key["GH_TOKEN"]["rule"], by_key["GH_TOKEN"]["severity"], by_key["GH_TOKEN"]["category"]) == (
        "KL701",
        "error",
        "verify",
    )
    assert by_key["GITHUB_PAT"]["rule"] == "KL705" and "503" in by_key["GITHUB_PAT"]["message"]
    assert by_key["GH_TOKEN"]["verification"]["status"] == "invalid"
    assert len(loopback.requests) == 5  # the 503 was retried twice


def test_revoked_and_expired_keys_are_stale(loopback, cli, tmp_path):
    revoked, expired = make_key("slack", "bot-token", seed=1), make_key("slack", "bot-token", seed=2)
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={revoked}\nSLACK_TOKEN={expired}\n")
    loopback.answer(
        lambda seen: (200, {"ok": False, "error": "token_revoked" if revoked in seen.raw else "token_expired"})
    )
    report = cli(*SCAN, cwd=tmp_path).json()
    found = {f["key"]: f for f in kl7(report)}
    assert {f["rule"] for f in found.values()} == {"KL702"}
    assert {f["category"] for f in found.values()} == {"stale"}
    assert "revoked" in found["SLACK_BOT_TOKEN"]["message"] and "expired" in found["SLACK_TOKEN"]["message"]


def test_one_request_per_distinct_key_across_many_files(loopback, cli, tmp_path):
    key = make_key("openai", "project-key")
    for name in ("a", "b", "c", "d", "e"):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    (tmp_path / "config.yaml").write_text(f"openai:\n  OPENAI_API_KEY: {key}\n")
    loopback.always(200, {"data": []})
    report = cli(*SCAN, cwd=tmp_path).json()
    assert len(loopback.requests) == 1
    paths = {f["path"] for f in report["findings"] if f["rule"] == "KL101"}
    assert paths == {"a/.env", "b/.env", "c/.env", "d/.env", "e/.env", "config.yaml"}
    assert all(f["verification"]["status"] == "valid" for f in report["findings"] if f["rule"] == "KL101")


def test_a_working_key_in_a_template_is_a_leak_with_the_rotation_url(loopback, cli, tmp_path):
    key = make_key("stripe", "secret-key", environment="live")
    (tmp_path / ".env.example").write_text(f"STRIPE_SECRET_KEY={key}\n")
    loopback.always(200, {"id": "acct_1"})
    report = cli(*SCAN, cwd=tmp_path).json()
    (leak,) = [f for f in kl7(report) if f["rule"] == "KL703"]
    assert (leak["severity"], leak["category"]) == ("error", "leak")
    assert "template" in leak["message"]
    assert "rotate it at https://dashboard.stripe.com/apikeys" in leak["message"]


def test_a_working_key_in_a_tracked_file_is_a_leak(loopback, cli, tmp_path):
    key = make_key("sendgrid", "api-key")
    (tmp_path / "settings.env").write_text(f"SENDGRID_API_KEY={key}\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "settings.env"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "oops"], cwd=tmp_path, check=True)
    loopback.always(200, {"scopes": []})
    report = cli("scan", ".", "--verify", "--isolated", "--format", "json", "--exit-zero", cwd=tmp_path).json()
    rules = {f["rule"] for f in kl7(report)}
    assert "KL703" in rules
    (leak,) = [f for f in kl7(report) if f["rule"] == "KL703"]
    assert "tracked by git" in leak["message"]
    # One finding per key: KL703 (a working key, committed) in place of KL501 (a key, committed) and KL101.
    assert [f["rule"] for f in report["findings"] if f["line"] == leak["line"]] == ["KL703"]
    assert leak["verification"]["status"] == "valid"


def test_the_same_working_key_in_a_local_ignored_file_is_only_noted(loopback, cli, tmp_path):
    key = make_key("sendgrid", "api-key")
    (tmp_path / ".env").write_text(f"SENDGRID_API_KEY={key}\n")
    loopback.always(200, {"scopes": []})
    report = cli(*SCAN, cwd=tmp_path).json()
    assert [f["rule"] for f in kl7(report)] == ["KL704"]


def test_keys_without_a_safe_check_are_unverifiable_and_nothing_is_sent(loopback, cli, tmp_path):
    vault = make_key("hashicorp-vault", "service-token")
    lone_secret = make_key("aws", "secret-access-key")
    (tmp_path / ".env").write_text(f"VAULT_TOKEN={vault}\nAWS_SECRET_ACCESS_KEY={lone_secret}\n")
    loopback.always(200, {})
    report = cli(*SCAN, cwd=tmp_path).json()
    assert loopback.requests == []
    vault_result = verification_of(report, ".env", key="VAULT_TOKEN")
    secret_result = verification_of(report, ".env", key="AWS_SECRET_ACCESS_KEY")
    assert vault_result["status"] == secret_result["status"] == "unverifiable"
    assert "self-hosted" in vault_result["detail"] and "VAULT_ADDR" in vault_result["detail"]
    assert "together" in secret_result["detail"]
    assert {f["rule"] for f in kl7(report)} == {"KL705"}


def test_aws_pair_status_is_shared_by_both_halves(loopback, cli, tmp_path):
    key_id, secret = make_key("aws", "access-key-id"), make_key("aws", "secret-access-key")
    (tmp_path / ".env").write_text(f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={secret}\n")
    loopback.always(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>")
    report = cli(*SCAN, cwd=tmp_path).json()
    assert len(loopback.requests) == 1
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert verification_of(report, ".env", key=name)["status"] == "invalid"


def test_endpoints_named_in_scanned_files_never_get_a_request(loopback, cli, tmp_path):
    internal = HTTPServer(host="127.0.0.1", port=0)
    internal.start()
    try:
        internal.expect_request("/", method="GET").respond_with_data("internal")
        here = f"127.0.0.1:{internal.port}"
        (tmp_path / ".env").write_text(
            "\n".join(
                [
                    f"OKTA_API_TOKEN={make_key('okta', 'api-token')}",
                    "OKTA_ORG_URL=http://169.254.169.254/latest/meta-data/",
                    f"DATABRICKS_TOKEN={make_key('databricks', 'personal-access-token')}",
                    f"DATABRICKS_HOST=http://localhost:{internal.port}",
                    f"AZURE_OPENAI_API_KEY={make_key('azure-openai', 'api-key')}",
                    f"AZURE_OPENAI_ENDPOINT=http://{here}/",
                    f"SHOPIFY_ACCESS_TOKEN={make_key('shopify', 'admin-api-access-token')}",
                    f"SHOPIFY_SHOP={here}",
                    f"DD_API_KEY={make_key('datadog', 'api-key')}",
                    "DD_SITE=169.254.169.254",
                    f"GITLAB_TOKEN={make_key('gitlab', 'personal-access-token')}",
                    f"GITLAB_URL=http://{here}",
                    f"LANGFUSE_SECRET_KEY={make_key('langfuse', 'secret-key')}",
                    f"LANGFUSE_PUBLIC_KEY={make_key('langfuse', 'public-key')}",
                    f"LANGFUSE_HOST=http://{here}",
                    f"VAULT_TOKEN={make_key('hashicorp-vault', 'service-token')}",
                    f"VAULT_ADDR=http://{here}",
                    f"JIRA_API_TOKEN={make_key('atlassian', 'api-token')}",
                    f"JIRA_URL=https://{here}/",
                    "JIRA_EMAIL=dev@example.com",
                    f"SQUARE_ACCESS_TOKEN={make_key('square', 'access-token')}",
                    f"SQUARE_ENVIRONMENT=http://{here}/",
                    f"PAYPAL_CLIENT_SECRET={make_key('paypal', 'client-secret')}",
                    f"PAYPAL_CLIENT_ID={'A' * 80}",
                    f"PAYPAL_MODE={here}",
                    f"AZURE_STORAGE_KEY={make_key('azure-storage', 'account-key')}",
                    "AZURE_STORAGE_ACCOUNT=169.254.169.254",
                    f"AZURE_DEVOPS_PAT={make_key('azure-devops', 'personal-access-token')}",
                    f"AZURE_DEVOPS_ORG_URL=http://{here}/acme",
                    f"AZURE_CLIENT_SECRET={make_key('azure-entra', 'client-secret')}",
                    "AZURE_TENANT_ID=../../../latest/meta-data",
                    "AZURE_CLIENT_ID=11111111-2222-4333-8444-555555555555",
                ]
            )
            + "\n"
        )
        loopback.always(200, {})
        report = cli(*SCAN, cwd=tmp_path).json()
        assert internal.log == []
        assert loopback.requests == []
        results = [f["verification"] for f in report["findings"] if f["rule"] == "KL101"]
        assert len(results) >= 14
        assert {r["status"] for r in results} == {"unverifiable"}
    finally:
        internal.stop()


def test_without_verify_nothing_is_sent_and_no_kl7xx(loopback, cli, tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={make_key('openai', 'project-key')}\n")
    loopback.always(200, {})
    report = cli("scan", ".", "--isolated", "--format", "json", "--exit-zero", cwd=tmp_path).json()
    assert loopback.requests == [] and kl7(report) == []
    assert all("verification" not in f for f in report["findings"])


def test_ignoring_kl101_still_verifies(loopback, cli, tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={make_key('openai', 'project-key')}\n")
    loopback.always(401, {})
    report = cli(*SCAN, "--ignore", "KL101", cwd=tmp_path).json()
    assert [f["rule"] for f in report["findings"] if f["rule"].startswith("KL")] == ["KL701"]


def test_the_full_key_never_appears_in_any_output(loopback, cli, tmp_path):
    key = make_key("slack", "bot-token")
    secret = make_key("aws", "secret-access-key")
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={key}\nAWS_ACCESS_KEY_ID={make_key('aws', 'access-key-id')}\n"
                                   f"AWS_SECRET_ACCESS_KEY={secret}\n")  # fmt: skip
    # A provider that echoes the key back in its error must not get it into the report either.
    echo = f"<Error><Code>SignatureDoesNotMatch</Code><Message>{secret}</Message></Error>"
    loopback.answer(
        lambda seen: (200, {"ok": False, "error": "invalid_auth", "echo": key}) if "slack" in seen.host else (403, echo)
    )
    for fmt in ("text", "json", "sarif", "github", "junit"):
        run = cli("scan", ".", "--verify", "--isolated", "--no-git", "--format", fmt, "--no-cache", cwd=tmp_path)
        for value in (key, secret):
            for i in range(len(value) - 11):
                assert value[i : i + 12] not in run.out + run.err, fmt


def test_verify_options_from_config_and_command_line_are_validated(loopback, cli, tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={make_key('openai', 'project-key')}\n")
    (tmp_path / ".keylint.toml").write_text('verify-timeout = "soon"\n')
    run = cli("scan", ".", "--verify", cwd=tmp_path)
    assert run.code == 2 and "verify-timeout" in run.err
    (tmp_path / ".keylint.toml").write_text("verify-concurrency = 0\n")
    assert cli("scan", ".", "--verify", cwd=tmp_path).code == 2
    (tmp_path / ".keylint.toml").write_text('verify-timeout = "2s"\ncache-ttl = "1h"\nverify-host-concurrency = 2\n')
    loopback.always(200, {})
    assert cli("scan", ".", "--verify", "--format", "json", cwd=tmp_path).code == 0
    for bad in (["--cache-ttl", "forever"], ["--verify-timeout", "-1"], ["--verify-timeout", "0"]):
        run = cli("scan", ".", "--verify", *bad, cwd=tmp_path)
        assert run.code == 2, bad
        assert run.err.startswith("keylint: error:")


def test_rules_are_documented(cli):
    for code in ("KL701", "KL702", "KL703", "KL704", "KL705"):
        run = cli("rules", code)
        assert run.code == 0 and "How to fix" in run.out


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_for_a_person_at_a_terminal(monkeypatch):
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", FakeTTY())
    assert _progress_for("text") is not None
    assert _progress_for("json") is None
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert _progress_for("text") is None
    monkeypatch.delenv("PRE_COMMIT")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert _progress_for("text") is None


def test_progress_line_is_drawn_and_erased():
    stream = FakeTTY()
    progress = _Progress(stream)
    progress(1, 40)
    progress(40, 40)
    progress.close()
    text = stream.getvalue()
    assert "verifying keys: 1/40" in text and "verifying keys: 40/40" in text
    assert text.endswith("\r\033[K")


@pytest.mark.parametrize("count", [25])
def test_large_runs_report_progress_on_a_tty(loopback, cli, tmp_path, monkeypatch, count):
    stream = FakeTTY()
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", stream)
    lines = [f"OPENAI_API_KEY_{i}={make_key('openai', 'project-key', seed=i)}" for i in range(count)]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    loopback.always(200, {})
    cli("scan", ".", "--verify", "--isolated", "--no-git", "--exit-zero", cwd=tmp_path)
    assert len(loopback.requests) == count
    assert f"verifying keys: {count}/{count}" in stream.getvalue()


def test_a_missing_http_library_is_a_clear_error_not_a_traceback(loopback, cli, tmp_path, monkeypatch):
    import sys

    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={make_key('openai', 'project-key')}\n")
    monkeypatch.delitem(sys.modules, "keylint.verify.client", raising=False)
    monkeypatch.setitem(sys.modules, "httpx", None)  # as if keylint was installed without the [verify] extra
    run = cli(*SCAN, cwd=tmp_path)
    assert run.code == 2
    assert "pip install 'keylint[verify]'" in run.err
    assert loopback.requests == []


def test_nothing_to_verify_needs_no_http_library(cli, tmp_path, monkeypatch, private_cache):
    import sys

    (tmp_path / ".env").write_text("APP_NAME=demo\n")
    monkeypatch.delitem(sys.modules, "keylint.verify.client", raising=False)
    monkeypatch.setitem(sys.modules, "httpx", None)
    assert cli(*SCAN, cwd=tmp_path).code == 0
    assert not private_cache.exists()


def test_providers_command_shows_each_check(cli):
    run = cli("providers", "aws")
    assert "access-key-id: POST https://sts.amazonaws.com/" in run.out
    assert "AWS_SECRET_ACCESS_KEY" in run.out
    assert "live verification (--verify): none" in cli("providers", "1password").out


def test_providers_command_and_verify_give_the_recorded_reason_a_kind_is_never_checked(loopback, cli, tmp_path):
    """Vault (self-hosted) and Firebase (public, dead or someone else's OAuth client) record why: both the
    providers command and a --verify run say it, and nothing is sent."""
    vault = cli("providers", "hashicorp-vault").out
    assert "all kinds: unverifiable (Vault is self-hosted" in vault
    firebase = cli("providers", "firebase").out
    for kind, words in (("web-api-key", "public by design"), ("fcm-legacy-server-key", "shut down"),
                        ("ci-token", "refresh token")):  # fmt: skip
        assert f"{kind}: unverifiable (" in firebase and words in firebase
    postmark = cli("providers", "postmark").out
    assert "api-token in POSTMARK_SERVER_TOKEN, POSTMARK_API_TOKEN: GET https://api.postmarkapp.com/server" in postmark
    (tmp_path / ".env").write_text(
        f"FCM_SERVER_KEY={make_key('firebase', 'fcm-legacy-server-key')}\n"
        f"FIREBASE_TOKEN={make_key('firebase', 'ci-token')}\n"
        f"VAULT_TOKEN={make_key('hashicorp-vault', 'batch-token')}\n"
    )
    loopback.always(200, {})
    report = cli(*SCAN, cwd=tmp_path).json()
    assert loopback.requests == []
    fcm = verification_of(report, ".env", key="FCM_SERVER_KEY")
    ci = verification_of(report, ".env", key="FIREBASE_TOKEN")
    batch = verification_of(report, ".env", key="VAULT_TOKEN")
    assert fcm["status"] == ci["status"] == batch["status"] == "unverifiable"
    assert "shut down" in fcm["detail"] and "refresh token" in ci["detail"] and "self-hosted" in batch["detail"]


def test_a_provider_quoting_the_key_never_gets_it_into_the_cache_or_report(loopback, cli, tmp_path, private_cache):
    from keylint.providers import by_id

    key = make_key("slack", "bot-token")
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={key}\n")
    # A check whose detail repeats a field of the answer, and an answer that quotes the key in it.
    slack = by_id("slack")
    original = slack.verify
    from keylint.verify.spec import Check, bearer, on

    echoing = Check(
        "https://slack.com/api/auth.test",
        method="POST",
        auth=bearer(),
        kinds=("bot-token",),
        outcomes=(on(200, "invalid", field="error", detail="Slack says {value}"),),
    )
    object.__setattr__(slack, "verify", echoing)
    try:
        loopback.always(200, {"ok": False, "error": f"bad token {key[:40]}"})
        report = cli(*SCAN, cwd=tmp_path).json()
    finally:
        object.__setattr__(slack, "verify", original)
    result = verification_of(report, ".env")
    assert result["status"] == "invalid" and result["detail"].startswith("Slack says bad token")
    stored = b"".join(p.read_bytes() for p in private_cache.iterdir()).decode("latin-1")
    for text in (result["detail"], stored, json.dumps(report)):
        for i in range(len(key) - 7):
            assert key[i : i + 8] not in text
