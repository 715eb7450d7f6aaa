"""`keylint fix` and `keylint scan --fix` through the CLI: safe fixes only, every other byte kept
(CRLF and CR line endings, comments, BOM, UTF-16), idempotent, --diff masked."""

from __future__ import annotations

import bisect
import codecs
import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from conftest import make_key

GITHUB = make_key("github", "personal-access-token", seed=21)
STRIPE = make_key("stripe", "secret-key", seed=21, environment="live")
ANTHROPIC = make_key("anthropic", "api-key", seed=21)
OPENAI = make_key("openai", "project-key", seed=21)
BROKEN_CHECKSUM = GITHUB[:10] + ("A" if GITHUB[10] != "A" else "B") + GITHUB[11:]
KEYS = (GITHUB, STRIPE, ANTHROPIC, OPENAI)

# (line as written, line after the fix); None: the line must stay exactly as it is.
DOTENV_LINES = [
    ("# production settings -- keep this comment", None),
    ("", None),
    (f'ANTHROPIC_API_KEY=" {ANTHROPIC}"', f'ANTHROPIC_API_KEY="{ANTHROPIC}"'),
    (f"STRIPE_SECRET_KEY={STRIPE[:12]}\u200b{STRIPE[12:]}", f"STRIPE_SECRET_KEY={STRIPE}"),
    (f"OPENAI_API_KEY=“{OPENAI}”", f'OPENAI_API_KEY="{OPENAI}"'),
    (f"GH_TOKEN={GITHUB}{GITHUB}", f"GH_TOKEN={GITHUB}"),
    ("DB_PASSWORD=pa$w0rdXYZ123", "DB_PASSWORD='pa$w0rdXYZ123'"),
    ("SESSION_SECRET=Zq8fake#DemoSecret", "SESSION_SECRET='Zq8fake#DemoSecret'"),
    (f"GITHUB_TOKEN={BROKEN_CHECKSUM}", None),  # a checksum error: never "fixed"
    (f"GITLAB_TOKEN=glpat-{'a' * 17}", None),  # too short: never padded
    ("export PORT=8080  # web port", None),
]


def dotenv_text(fixed: bool, newline: str) -> str:
    lines = [after if fixed and after is not None else before for before, after in DOTENV_LINES]
    return newline.join(lines) + newline


def test_fix_keeps_crlf_comments_and_bom_and_runs_once(cli, tmp_path):
    path = tmp_path / ".env"
    original = codecs.BOM_UTF8 + dotenv_text(False, "\r\n").encode("utf-8")
    path.write_bytes(original)
    run = cli("fix", ".", cwd=tmp_path)
    assert run.code == 1, run.err
    assert path.read_bytes() == codecs.BOM_UTF8 + dotenv_text(True, "\r\n").encode("utf-8")
    for code in ("KL205", "KL206", "KL207", "KL208", "KL302", "KL301"):
        assert f"fixed {code}" in run.out
    assert "fixed 6 problems in 1 file" in run.out
    assert not any(key in run.out + run.err for key in KEYS)
    # What every loader now reads is the key itself.
    values = dotenv_values(path, encoding="utf-8-sig")
    assert values["ANTHROPIC_API_KEY"] == ANTHROPIC and values["STRIPE_SECRET_KEY"] == STRIPE
    assert values["OPENAI_API_KEY"] == OPENAI and values["GH_TOKEN"] == GITHUB
    assert values["DB_PASSWORD"] == "pa$w0rdXYZ123"
    # A second run finds nothing to do and changes nothing.
    again = cli("fix", ".", cwd=tmp_path)
    assert again.code == 0 and "nothing to fix" in again.out
    assert path.read_bytes() == codecs.BOM_UTF8 + dotenv_text(True, "\r\n").encode("utf-8")


def test_fix_keeps_old_mac_line_endings_and_file_mode(cli, tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(dotenv_text(False, "\r").encode("utf-8"))
    os.chmod(path, 0o600)
    assert cli("fix", str(path), cwd=tmp_path).code == 1
    assert path.read_bytes() == dotenv_text(True, "\r").encode("utf-8")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_fix_utf16_file_is_written_back_in_utf16(cli, tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(codecs.BOM_UTF16_LE + dotenv_text(False, "\n").encode("utf-16-le"))
    assert cli("fix", ".", cwd=tmp_path).code == 1
    assert path.read_bytes() == codecs.BOM_UTF16_LE + dotenv_text(True, "\n").encode("utf-16-le")


def test_diff_shows_masked_changes_and_writes_nothing(cli, tmp_path):
    path = tmp_path / ".env"
    path.write_text(dotenv_text(False, "\n"), encoding="utf-8")
    before = path.read_bytes()
    run = cli("fix", "--diff", ".", cwd=tmp_path)
    assert run.code == 1
    assert path.read_bytes() == before
    assert "--- a/.env" in run.out and "+++ b/.env" in run.out
    assert "\\u200b" in run.out  # the removed invisible character is shown, escaped
    assert "-OPENAI_API_KEY=“" in run.out and '+OPENAI_API_KEY="' in run.out
    for key in KEYS:
        assert key not in run.out
        assert not any(key[i : i + 8] in run.out for i in range(4, len(key) - 8))
    assert "would fix 6 problems in 1 file" in run.err
    shown = cli("fix", "--diff", "--show-secrets", ".", cwd=tmp_path)
    assert f"+STRIPE_SECRET_KEY={STRIPE}" in shown.out


def test_yaml_coercion_and_whitespace_fixed_in_yaml_with_comments(cli, tmp_path):
    text = (
        "# payments\r\n"
        "payments:\r\n"
        "  api_key: 0755123456  # from the vault\r\n"
        "  token: 1234e5678\r\n"
        f'  anthropic_api_key: "{ANTHROPIC} "\r\n'
        "  retries: 3\r\n"
    )
    path = tmp_path / "config.yaml"
    path.write_bytes(text.encode())
    assert cli("fix", ".", cwd=tmp_path).code == 1
    fixed = path.read_bytes().decode()
    expected = text.replace("0755123456", "'0755123456'").replace("1234e5678", "'1234e5678'")
    assert fixed == expected.replace(f"{ANTHROPIC} ", ANTHROPIC)
    data = yaml.safe_load(fixed)["payments"]
    assert data == {"api_key": "0755123456", "token": "1234e5678", "anthropic_api_key": ANTHROPIC, "retries": 3}


def test_json_whitespace_inside_a_string_is_removed(cli, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"stripe": {"secret_key": f"{STRIPE}\n"}}, indent=2) + "\n")
    assert cli("fix", ".", cwd=tmp_path).code == 1
    assert json.loads(path.read_text()) == {"stripe": {"secret_key": STRIPE}}


def test_checksum_and_length_errors_are_never_fixed(cli, tmp_path):
    path = tmp_path / ".env"
    text = f"GITHUB_TOKEN={BROKEN_CHECKSUM}\nGH_TOKEN={GITHUB[:-2]}\nAWS_ACCESS_KEY_ID=AKIAIOSF0DNN7EXAMPL\n"
    path.write_text(text)
    run = cli("fix", ".", cwd=tmp_path)
    assert run.code == 0 and "nothing to fix" in run.out
    assert path.read_text() == text


def test_suppressed_and_ignored_findings_are_not_fixed(cli, tmp_path):
    path = tmp_path / ".env"
    text = f'# keylint: ignore-next-line[KL205]\nANTHROPIC_API_KEY=" {ANTHROPIC}"\nDB_PASSWORD=pa$w0rdXYZ123\n'
    path.write_text(text)
    assert cli("fix", "--ignore", "KL302", ".", cwd=tmp_path).code == 0
    assert path.read_text() == text


def test_scan_fix_fixes_then_reports_what_is_left(cli, tmp_path):
    path = tmp_path / ".env"
    path.write_text(f'ANTHROPIC_API_KEY=" {ANTHROPIC}"\nGITHUB_TOKEN={BROKEN_CHECKSUM}\n')
    run = cli("scan", "--fix", "--format", "json", ".", cwd=tmp_path)
    assert run.code == 1
    assert "fixed KL205" in run.err
    rules = [f["rule"] for f in run.json()["findings"]]
    assert "KL205" not in rules and "KL201" in rules
    assert path.read_text().startswith(f'ANTHROPIC_API_KEY="{ANTHROPIC}"\n')
    assert cli("scan", "--fix", "--staged", ".", cwd=tmp_path).code == 2


def test_undecodable_file_is_left_alone_with_an_error(cli, tmp_path):
    path = tmp_path / ".env"
    data = b'API_SECRET="pa$word \xff\xfe"\n'
    path.write_bytes(data)
    run = cli("fix", ".", cwd=tmp_path)
    assert run.code == 2
    assert ".env: not valid UTF-8; not fixed" in run.err
    assert path.read_bytes() == data


def test_fix_follows_a_symlink_to_its_target(cli, tmp_path):
    real = tmp_path / "real.env"
    real.write_text("DB_PASSWORD=pa$w0rdXYZ123\n")
    link = tmp_path / ".env"
    link.symlink_to(real)
    assert cli("fix", str(link), cwd=tmp_path).code == 1
    assert Path(link).is_symlink()
    assert real.read_text() == "DB_PASSWORD='pa$w0rdXYZ123'\n"


FIXABLE = ("KL205", "KL206", "KL207", "KL208", "KL301", "KL302", "KL305")


@pytest.mark.parametrize("code", FIXABLE)
def test_fix_over_the_damage_corpus_is_safe_idempotent_and_effective(code):
    """Every damaged example of a fixable rule: the fix keeps the file parseable, a second pass changes
    nothing, and (for nearly all) the finding is gone afterwards."""
    from keylint.config import Settings
    from keylint.fix import fix_file
    from keylint.parsers import format_for
    from lintcorpus import DAMAGE, lint

    settings = Settings()
    fixed = 0
    examples = list(DAMAGE[code]())
    for example in examples:
        fmt = format_for(example.name)
        first = fix_file(example.name, example.name, fmt, example.text.encode(), settings)
        assert first.error is None
        second = fix_file(example.name, example.name, fmt, first.after, settings)
        assert second.after == first.after, (code, example.label)
        after = lint(example.name, first.after.decode())
        assert not any(f.rule == "KL001" for f in after), (code, example.label)
        fixed += not any(f.rule == code for f in after)
    assert fixed / len(examples) >= 0.9, f"{code}: {fixed}/{len(examples)} fixed"


def _naive_line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]


@pytest.mark.parametrize(
    "text",
    ["", "a", "\n", "a\nb", "a\nb\n", "\n\n\r\n", "x\n" * 600_000 + "tail", "y" * (1 << 20) + "\nz\n", "\n" * 9000],
)
def test_offsets_and_positions_agree_with_a_table_of_line_starts(text):
    """The block index (fix._first_lines) gives what a table of every line's start gives, at block edges too."""
    import random
    from types import SimpleNamespace

    from keylint import fix

    ctx = SimpleNamespace(text=text, notes={})
    starts = _naive_line_starts(text)
    rng = random.Random(len(text))
    lines = {1, len(starts), *rng.sample(range(1, len(starts) + 1), min(len(starts), 3000))}
    for line in lines:
        assert fix.offset_of(ctx, line, 1) == starts[line - 1], line
    assert fix.offset_of(ctx, 0, 1) is None and fix.offset_of(ctx, len(starts) + 1, 1) is None
    edges = {o for k in range(0, len(text) + 1, fix._BLOCK) for o in (k - 1, k, k + 1) if 0 <= o < len(text)}
    offsets = {0, *edges, *rng.sample(range(len(text)), min(len(text), 3000))} if text else set()
    for offset in offsets:
        line = bisect.bisect_right(starts, offset)
        assert fix.position_at(ctx, offset) == (line, offset - starts[line - 1] + 1), offset


def test_fix_reads_through_the_scans_reader(tmp_path: Path) -> None:
    """`keylint fix` reads a file as the scan does (keylint.read.read_regular): past the size limit, swapped for
    a FIFO, or gone, the file is reported and left alone rather than read or waited on."""
    import io

    from keylint.commands.fix import _read
    from keylint.config import Settings

    small = tmp_path / ".env"
    small.write_bytes(b"A=1\n")
    errors = io.StringIO()
    assert _read(str(small), Settings(max_file_size=4), errors, ".env") == b"A=1\n"
    assert _read(str(small), Settings(max_file_size=3), errors, ".env") is None
    assert ".env: over the size limit; not fixed" in errors.getvalue()
    fifo = tmp_path / "pipe.env"
    os.mkfifo(fifo)
    assert _read(str(fifo), Settings(), errors, "pipe.env") is None  # returns at once: opened non-blocking
    assert "pipe.env: cannot read (no longer a regular file); not fixed" in errors.getvalue()
    assert _read(str(tmp_path / "gone.env"), Settings(), errors, "gone.env") is None
    assert "gone.env: cannot read (No such file or directory); not fixed" in errors.getvalue()
