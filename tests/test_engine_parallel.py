"""Large scans run in worker processes: same findings, notices and file order as a serial scan."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from keylint import engine
from keylint.config import Settings
from keylint.discover import discover
from keylint.report import FORMATS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import workloads


def _scan(root: Path, jobs: int) -> engine.ScanReport:
    return engine.run_scan([str(root)], Settings(jobs=jobs).with_options(git=False))


def test_parallel_scan_equals_serial_scan(tmp_path, monkeypatch):
    workloads.tree(tmp_path / "tree", 0.4, secret_every=25, seed=9, crd_share=0.2)
    # a few large files (one task each) among many small ones (batched), and one that cannot be read
    workloads.large_file(tmp_path / "tree" / "big" / "values.yaml", 1, "yaml")
    (tmp_path / "tree" / "broken.json").write_bytes(b'{"token": "\xff\xfe"')
    (tmp_path / "tree" / ".env").write_text(f"GITHUB_TOKEN=ghp_{random.Random(1).randbytes(8).hex()}\nA=1\nA=2\n")
    serial = _scan(tmp_path / "tree", 1)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(engine, "_SMALL_FILE", 64 * 1024)
    parallel = _scan(tmp_path / "tree", 2)
    assert len(serial.findings) > 50
    assert [(*f.sort_key, f.message, f.fingerprint) for f in parallel.findings] == [
        (*f.sort_key, f.message, f.fingerprint) for f in serial.findings
    ]
    assert parallel.findings == serial.findings  # every field, as they crossed from the workers
    assert [(n.path, n.message) for n in parallel.notices] == [(n.path, n.message) for n in serial.notices]
    assert [s.path for s in parallel.files] == [s.path for s in serial.files]
    assert [s.secrets for s in parallel.files] == [s.secrets for s in serial.files]
    assert parallel.files_scanned == serial.files_scanned


def test_key_formats_cross_processes_as_one_shared_object_each():
    """Keys found in worker processes point at their format: it is sent as its fields, and every copy
    received is one object per format, equal to the registry's and as usable (its regex, its prefix)."""
    import pickle

    from keylint.providers import all_providers

    formats = [f for p in all_providers() for f in p.formats]
    for f in formats:
        assert f.regex and f.charset  # caches filled: they are not sent
    sent = pickle.dumps(formats)
    first, second = pickle.loads(sent), pickle.loads(sent)
    assert first == formats and all(a is b for a, b in zip(first, second, strict=True))
    assert len(sent) < 100 * len(formats)
    assert [f.regex.pattern for f in first] == [f.regex.pattern for f in formats]
    assert [f.prefix for f in first] == [f.prefix for f in formats]


def test_variables_of_a_dotenv_file_are_kept_only_where_drift_rules_can_use_them(tmp_path):
    """A scan keeps every file's summary to the end: variables only for .env files with a template beside them."""
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / ".env").write_text("A=1\nB=2\n")
    (tmp_path / "paired").mkdir()
    (tmp_path / "paired" / ".env").write_text("A=1\nB=2\n")
    (tmp_path / "paired" / ".env.example").write_text("A=\n")
    settings = Settings()
    keys = {
        t.display.replace(str(tmp_path), ""): engine.scan_file(t, settings).summary.keys
        for t in discover([str(tmp_path)], settings)
    }
    assert keys == {
        "/alone/.env": [],
        "/paired/.env": [("A", 1), ("B", 2)],
        "/paired/.env.example": [("A", 1)],
    }


def test_keys_are_kept_in_summaries_only_where_a_later_stage_reads_them(tmp_path, key):
    """Summaries last the whole scan: a file's keys stay in it for KL611 (a sibling of its family in the
    scan), --verify and --debug; elsewhere they are dropped, and the findings are the same either way."""
    token, other = key("github", seed=1), key("github", seed=2)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text(f"GITHUB_TOKEN={token}\n")
    (tmp_path / "app" / ".env.production").write_text(f"GITHUB_TOKEN={other}\n")
    (tmp_path / "app" / ".env.example").write_text(f"GITHUB_TOKEN={token}\n")
    (tmp_path / "lone").mkdir()
    (tmp_path / "lone" / "config.yaml").write_text(f"github:\n  token: {token}\n")
    settings = Settings(jobs=1).with_options(git=False)

    def kept(report: engine.ScanReport) -> dict[str, int]:
        return {s.display.replace(str(tmp_path), ""): len(s.secrets) for s in report.files}

    plain = engine.run_scan([str(tmp_path)], settings)
    assert kept(plain) == {"/app/.env": 1, "/app/.env.production": 1, "/app/.env.example": 0, "/lone/config.yaml": 0}
    assert any(f.rule == "KL611" for f in plain.findings)
    for option in ("verify", "debug"):
        everything = engine.run_scan([str(tmp_path)], settings.with_options(**{option: True}))
        assert set(kept(everything).values()) == {1}
    whole = [engine.scan_file(t, settings) for t in discover([str(tmp_path)], settings)]
    assert sorted((f.sort_key, f.message) for r in whole for f in r.findings if f.rule != "KL611") == sorted(
        (f.sort_key, f.message) for f in plain.findings if f.rule != "KL611"
    )


def test_a_file_result_crosses_processes_unchanged(tmp_path, key):
    """Results come back from the workers pickled, each finding as the tuple of its fields: every field, the
    notices and the summary arrive equal, and objects shared within a result stay shared."""
    import pickle

    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={key('github')}\nOPENAI_API_KEY=changeme\nA=1\nA=2\n")
    (tmp_path / "empty.yaml").write_text("")
    settings = Settings().with_options(git=False, verify=True)  # verify: the summary keeps every value
    results = [engine.scan_file(t, settings) for t in discover([str(tmp_path)], settings)]
    assert sum(len(r.findings) for r in results) >= 3 and any(not r.findings for r in results)
    for result in results:
        back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is engine.FileResult
        assert back.findings == result.findings and back.notices == result.notices
        assert back.summary == result.summary and back.scanned == result.scanned
        assert len({id(f.path) for f in back.findings}) <= 1  # one path string per file, as in the worker


def test_each_report_of_a_parallel_scan_is_the_serial_one(cli, tmp_path, monkeypatch, key):
    """The CLI starts a report as the workers return findings (keylint.report.prepare): every format, with and
    without --show-secrets, writes what a scan in one process writes; findings of the scan-scope rules (KL611
    between the .env files) and of the baseline included."""
    workloads.tree(tmp_path / "tree", 0.2, secret_every=25, seed=4, crd_share=0.1)
    tree = tmp_path / "tree"
    (tree / "app").mkdir()
    (tree / "app" / ".env").write_text(f"GITHUB_TOKEN={key('github', seed=1)}\nX=\x1b[31m\n")
    (tree / "app" / ".env.production").write_text(f"GITHUB_TOKEN={key('github', seed=2)}\n")
    baseline = tmp_path / "baseline.json"
    assert cli("baseline", str(tree / "app"), "--isolated", "--no-git", "-o", str(baseline)).code == 0
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD_BYTES", 0)
    returned: list[int] = []  # findings handed over early
    run_scan = engine.run_scan

    def counted_run_scan(*args, **kwargs):
        early = kwargs.pop("returned", None)
        if early is not None:
            kwargs["returned"] = lambda findings: (returned.append(len(findings)), early(findings))
        return run_scan(*args, **kwargs)

    monkeypatch.setattr(engine, "run_scan", counted_run_scan)
    shown: dict[tuple[str, tuple[str, ...]], str] = {}
    cases = [(fmt, ()) for fmt in FORMATS] + [("json", ("--show-secrets",)), ("json", ("--baseline", str(baseline)))]
    for fmt, extra in cases:
        reports = [
            cli("scan", str(tree), "--isolated", "--no-git", "--exit-zero", "-f", fmt, "-j", jobs, *extra).out
            for jobs in ("1", "2")
        ]
        serial, parallel = (
            re.sub(r'"duration_seconds": [0-9.]+|time="[0-9.]+"|[0-9]+\.[0-9]{2}s\b', "", r) for r in reports
        )
        assert parallel == serial, (fmt, extra)
        shown[fmt, extra] = serial
    assert "KL611" in shown["json", ()] and sum(returned) > 100
    assert len(shown["json", ("--baseline", str(baseline))]) < len(shown["json", ()])
    assert shown["json", ("--show-secrets",)] != shown["json", ()]


def test_the_report_is_sorted_by_each_finding_s_sort_key():
    from test_reports import sample_report

    findings = sample_report().findings
    assert [engine.SORT_KEY(f) for f in findings] == [f.sort_key for f in findings]


def test_findings_are_in_report_order_where_the_walk_s_order_differs(tmp_path, monkeypatch):
    """Each file's findings come sorted and the report skips its sort when they follow each other in order; the
    walk lists `a/` before `a-b/`, while the report's order puts `a-b/.env` ('-' < '/') first."""
    key = f"ghp_{random.Random(2).randbytes(8).hex()}"
    for directory in ("a", "a-b", "b"):
        (tmp_path / directory).mkdir()
        # a file-scope finding (KL304, the duplicate) made before the entry findings of earlier lines
        (tmp_path / directory / ".env").write_text(f"GITHUB_TOKEN={key}\nA=1\nB=$X\nA=2\nAWS_SECRET=x{key}\n")
    walked = [t.display for t in discover([str(tmp_path)], Settings()) if hasattr(t, "display")]
    assert walked.index(f"{tmp_path}/a/.env") < walked.index(f"{tmp_path}/a-b/.env")
    # One file: its findings, made file-scope rules first (the duplicate A), are the report's, in line order.
    text = (tmp_path / "b" / ".env").read_text()
    made, _summary = engine.analyse(".env", ".env", "dotenv", text, Settings().with_options(git=False))
    assert [f.line for f in made] != sorted(f.line for f in made)
    alone = _scan(tmp_path / "b", 1)
    assert [f.line for f in alone.findings] == sorted(f.line for f in made)
    reports = [_scan(tmp_path, 1)]
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD_BYTES", 0)
    reports.append(_scan(tmp_path, 2))
    for report in reports:
        keys = [engine.SORT_KEY(f) for f in report.findings]
        assert len({f.path for f in report.findings}) == 3 and len(keys) > 6
        assert keys == sorted(keys)
    assert reports[0].findings == reports[1].findings
