"""Every lint rule end to end through the CLI: its message names the provider, the problem and the fix,
points at the exact column, and never shows the key (corrections only masked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_key

GITHUB = make_key("github", "personal-access-token", seed=11)
AWS_ID = make_key("aws", "access-key-id", seed=11)
AWS_SECRET = make_key("aws", "secret-access-key", seed=11)
STRIPE_LIVE = make_key("stripe", "secret-key", seed=11, environment="live")
STRIPE_TEST = make_key("stripe", "secret-key", seed=11, environment="test")
STRIPE_PK = make_key("stripe", "publishable-key", seed=11, environment="live")
ANTHROPIC = make_key("anthropic", "api-key", seed=11)
OPENAI = make_key("openai", "project-key", seed=11)
BRAINTREE = make_key("braintree", "access-token", seed=11, environment="live")


def substitute(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


AWS_WITH_ZERO = AWS_ID[:8] + "0" + AWS_ID[9:]
ACME_CONFIG = '[[providers]]\nid = "acme"\ntemplate = "{digit:12}"\nenv-vars = ["ACME_API_KEY"]\n'

# (rule, files, line, column, provider, problem, fix)
CASES = [
    ("KL004", {"secret.yaml": f"kind: Secret\ndata:\n  GITHUB_TOKEN: {GITHUB}\n"}, 3, 17, "GitHub",
     "not valid base64", "move it under `stringData:`"),
    ("KL201", {".env": f"GITHUB_TOKEN={substitute(GITHUB, 10)}\n"}, 1, 14, "GitHub", "fails its built-in checksum",
     "copy it again from https://github.com/settings/tokens"),
    ("KL202", {".env": f"AWS_ACCESS_KEY_ID={AWS_ID[:-1]}\n"}, 1, 38, "AWS", "too short by 1 character",
     "copy the whole key again"),
    ("KL202", {".env": f"GITHUB_TOKEN={GITHUB}x\n"}, 1, 54, "GitHub", "too long by 1 character",
     "delete the extra character"),
    ("KL203", {".env": f"AWS_ACCESS_KEY_ID={AWS_WITH_ZERO}\n"}, 1, 27, "AWS",
     "'0' (digit zero) at character 9, where the format allows only base32", "probably 'O'"),
    ("KL204", {".env": f"STRIPE_SECRET_KEY=sk_live-{STRIPE_LIVE[8:]}\n"}, 1, 26, "Stripe",
     "starts with 'sk_live-' instead of 'sk_live_'", "correct the prefix to 'sk_live_'"),
    ("KL205", {".env": f'ANTHROPIC_API_KEY=" {ANTHROPIC}"\n'}, 1, 20, "Anthropic", "starts with a space",
     "remove it"),
    ("KL205", {".env": f"ANTHROPIC_API_KEY='{ANTHROPIC}\\n'\n"}, 1, 128, "Anthropic", "ends with a literal '\\n'",
     "remove it"),
    ("KL206", {".env": f"GITHUB_TOKEN={GITHUB[:12]}\u200b{GITHUB[12:]}\n"}, 1, 26, "GitHub",
     "U+200B ZERO WIDTH SPACE at column 26", "delete it"),
    ("KL206", {".env": f"GITHUB_TOKEN={GITHUB[:4]}{GITHUB[4:].replace('a', 'а', 1)}\n"}, 1, None, "GitHub",
     "CYRILLIC SMALL LETTER A", "retype it as 'a'"),
    ("KL207", {".env": f"STRIPE_SECRET_KEY=“{STRIPE_LIVE}”\n"}, 1, 19, "Stripe", "typographic quotes",
     "use plain quotes"),
    ("KL208", {".env": f"GITHUB_TOKEN={GITHUB}{GITHUB}\n"}, 1, 54, "GitHub", "pasted twice in a row",
     "delete the second copy"),
    ("KL208", {".env": f"OPENAI_API_KEY=OPENAI_API_KEY={OPENAI}\n"}, 1, 16, "OpenAI",
     "the assignment was pasted into the value", "delete 'OPENAI_API_KEY='"),
    ("KL209", {"app.yaml": f"github:\n  token: |\n    {GITHUB[:20]}\n    {GITHUB[20:]}\n"}, 3, 25, "GitHub",
     "broken across lines", "join it onto one line"),
    ("KL210", {".env": f"OPENAI_API_KEY={ANTHROPIC}\n"}, 1, 16, "Anthropic", "is named for OpenAI",
     "put the OpenAI key here"),
    ("KL210", {".env": f"STRIPE_SECRET_KEY={STRIPE_PK}\n"}, 1, 19, "Stripe", "public by design",
     "put the secret key (sk_live_...) here"),
    ("KL210", {".env": f"AWS_ACCESS_KEY_ID={AWS_SECRET}\nAWS_SECRET_ACCESS_KEY={AWS_ID}\n"}, 1, 19, "AWS",
     "the two are swapped", "exchange the two values"),
    ("KL211", {".env.production": f"STRIPE_SECRET_KEY={STRIPE_TEST}\n"}, 1, 19, "Stripe",
     "test key in a production config (the file name .env.production)", "use the live key (sk_live_...)"),
    ("KL211", {"config.yaml": f"development:\n  stripe_secret_key: {STRIPE_LIVE}\n"}, 2, 22, "Stripe",
     "live key in a development config (the development: section)", "use the test key (sk_test_...)"),
    ("KL301", {".env": f"STRIPE_SECRET_KEY={STRIPE_LIVE}#x1\n"}, 1, 19 + len(STRIPE_LIVE), "Stripe",
     "contains '#'", "quote the value with single quotes"),
    ("KL302", {".env": f"BRAINTREE_ACCESS_TOKEN={BRAINTREE}\n"}, 1, 24 + BRAINTREE.index("$"), "Braintree",
     "contains '$' outside single quotes", "put the value in single quotes"),
    ("KL303", {".env": f'STRIPE_SECRET_KEY="{STRIPE_LIVE}\nDEBUG=1\n'}, 1, 19, "Stripe",
     "is not closed on line 1", "close the quote"),
    ("KL304", {".env": f"GITHUB_TOKEN={GITHUB}\nPORT=1\nGITHUB_TOKEN=your-token-here\n"}, 3, 1, "GitHub",
     "the GitHub personal access token on line 1 is overridden by the value on line 3",
     "delete the definition you do not want"),
    ("KL305", {"app.yaml": "acme:\n  acme_api_key: 012345670123\n", ".keylint.toml": ACME_CONFIG},
     2, 17, "acme", "YAML 1.1 loaders (PyYAML and others) read it as an octal integer", "quote it"),
    ("KL401", {".env.production": "OPENAI_API_KEY=your-api-key-here\n"}, 1, 16, "OpenAI",
     "holds the placeholder 'your-api-key-here'", "put the real key here"),
    ("KL402", {".env.production": "STRIPE_SECRET_KEY=\n"}, 1, 19, "Stripe", "is empty in a production config",
     "set it (from https://dashboard.stripe.com/apikeys)"),
]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "rule,files,line,column,provider,problem,fix", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_message_names_provider_problem_and_fix(cli, tmp_path, rule, files, line, column, provider, problem, fix):
    write(tmp_path, files)
    run = cli("scan", ".", "--format", "json", "--exit-zero", cwd=tmp_path)
    data = run.json()
    found = [f for f in data["findings"] if f["rule"] == rule]
    assert found, f"{rule} not reported: {[(f['rule'], f['message']) for f in data['findings']]}"
    finding = found[0]
    message = finding["message"]
    assert provider in message, message
    assert problem in message, message
    assert fix in message, message
    assert finding["line"] == line
    if column is not None:
        assert finding["column"] == column, message
    # The key never appears in full: not in the message, not in the output, not in a suggestion.
    for key in (GITHUB, AWS_ID, AWS_SECRET, STRIPE_LIVE, STRIPE_TEST, STRIPE_PK, ANTHROPIC, OPENAI, BRAINTREE):
        assert key not in run.out
        assert key[4:20] not in run.out


def test_every_lint_rule_has_a_message_case():
    from keylint.rules import all_rules

    lint_rules = {code for code, r in all_rules().items() if r.category in ("format", "hygiene", "placeholder")}
    lint_rules -= {"KL002"}  # unused suppressions: the core's
    assert lint_rules <= {case[0] for case in CASES}


def test_alphabet_error_suggests_the_correction_masked(cli, tmp_path):
    write(tmp_path, {".env": f"AWS_ACCESS_KEY_ID={AWS_WITH_ZERO}\n"})
    (finding,) = [f for f in cli("scan", "--format", "json", cwd=tmp_path).json()["findings"] if f["rule"] == "KL203"]
    corrected = AWS_ID[:8] + "O" + AWS_ID[9:]
    assert finding["fix_suggestion"] == corrected[:4] + "…" + corrected[-2:]
    assert finding["severity"] == "error"


def test_text_report_line_for_a_format_error(cli, tmp_path):
    write(tmp_path, {".env": f"GITHUB_TOKEN={substitute(GITHUB, 10)}\n"})
    run = cli("scan", ".", cwd=tmp_path)
    assert run.code == 1
    expected = ".env:1:14: KL201 [error] GitHub personal access token in GITHUB_TOKEN fails its built-in checksum"
    assert expected in run.out


@pytest.mark.parametrize(
    "files",
    [
        {".env.example": "OPENAI_API_KEY=your-api-key-here\nSTRIPE_SECRET_KEY=sk_live_...\n"},
        {"config.yaml.dist": "openai:\n  api_key: <YOUR_KEY>\n"},
        {".env.staging": f"STRIPE_SECRET_KEY={STRIPE_TEST}\n"},
        {".env": f"OPENAI_API_KEY={ANTHROPIC}\nOPENAI_BASE_URL=https://api.example.com/v1\n"},
        {".env": "PORT=8080 # web port\nGREETING=hello # world\nDATABASE_URL=postgres://db/app\n"},
        {"app.yaml": "auth: true\nport: 8080\nretries: 0755\nsecret_ttl: 3600\n"},
        {".env": "API_TOKEN=${API_TOKEN}\nAPI_KEY=$API_KEY\nDB_PASSWORD='pa$word'\n"},
        {".env": "PACKAGES=sk-learn numpy\nNOTE=ghp is a prefix\n"},
        {".env": "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"},
        {".env.development": "STRIPE_SECRET_KEY=\n"},
        {".env.local": f"STRIPE_SECRET_KEY={STRIPE_LIVE}\n"},
        {".env.development": f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY={STRIPE_PK}\n"},
    ],
    ids=["template", "dist-template", "staging", "base-url", "comments", "yaml-settings", "references", "words",
         "documented-example", "empty-in-development", "env-local", "live-publishable-in-development"],
)
def test_no_lint_finding_where_nothing_is_wrong(cli, tmp_path, files):
    write(tmp_path, files)
    findings = cli("scan", ".", "--format", "json", "--exit-zero", cwd=tmp_path).json()["findings"]
    lint = [f for f in findings if f["category"] in ("format", "hygiene", "placeholder")]
    assert not lint, [(f["rule"], f["message"]) for f in lint]


def test_rule_pages_are_available(cli):
    for code in ("KL201", "KL205", "KL301", "KL305", "KL401"):
        run = cli("rules", code)
        assert run.code == 0 and "## How to fix" in run.out
