"""Reports written as they are made give exactly the text of the one-string encoders.

``keylint.report.write_json`` streams a JSON document whose long arrays are generators; it must
lay it out byte for byte as ``json.dumps(indent=2, ensure_ascii=False)`` does. The CLI streams
every report format through ``keylint.report.write``; each must equal the reporter's ``render``.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.model import Finding, Severity
from keylint.records import replace
from keylint.report import EXTRA_FIELDS, FORMATS, ReportOptions, Utf8Writer, finding_dict, prepare, render, write
from keylint.report.json import PreparedFindings, finding_text, finding_utf8
from keylint.report.jsonstream import Encoded, encode, write_json
from test_reports import sample_report

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def lazily(value: Any, choices: st.DataObject) -> Any:
    """A copy of ``value`` with some of its lists turned into iterators, as a report's findings are
    (not inside an iterator's elements: those are encoded whole)."""
    if isinstance(value, dict):
        return {key: lazily(item, choices) for key, item in value.items()}
    if isinstance(value, list):
        if choices.draw(st.booleans()):
            return iter(value)
        return [lazily(item, choices) for item in value]
    return value


@settings(max_examples=300, deadline=None)
@given(documents, st.data())
def test_streamed_json_is_laid_out_like_json_dumps(document, choices):
    out = io.StringIO()
    write_json(lazily(document, choices), out)
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False)


flat_objects = st.dictionaries(st.text(), st.none() | st.booleans() | st.integers() | st.text(), min_size=1)


@settings(max_examples=200, deadline=None)
@given(st.lists(flat_objects | documents, max_size=5))
def test_findings_like_objects_are_laid_out_like_json_dumps(items):
    """Objects of strings, integers, booleans and nulls (findings) have a layout of their own: the same text."""
    out = io.StringIO()
    write_json({"findings": iter(items)}, out, level=1)
    assert out.getvalue() == json.dumps({"findings": items}, indent=2, ensure_ascii=False).replace("\n", "\n  ")


@pytest.mark.parametrize(
    "value, text",
    [
        (iter([]), "[]"),
        ({"findings": iter([])}, '{\n  "findings": []\n}'),
        (
            {"a": iter([{"b": [1, "x\ny"]}, {}])},
            '{\n  "a": [\n    {\n      "b": [\n        1,\n        "x\\ny"\n      ]\n    },\n    {}\n  ]\n}',
        ),
    ],
)
def test_generators_become_arrays(value, text):
    out = io.StringIO()
    write_json(value, out)
    assert out.getvalue() == text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("show_secrets", [False, True])
def test_every_format_streams_what_it_renders(fmt, show_secrets):
    options = ReportOptions(tool_version="0.0.0-test", show_secrets=show_secrets)
    out = io.StringIO()
    write(fmt, sample_report(), options, out)
    assert out.getvalue() == render(fmt, sample_report(), options)


def test_the_cli_report_is_the_one_json_dumps_would_write(cli, tmp_path, key):
    """A scan with findings in several files and a notice, written by the CLI to a file and to stdout."""
    (tmp_path / ".env").write_text(f"STRIPE_SECRET_KEY={key('stripe')}\nOPENAI_API_KEY=changeme\n")
    (tmp_path / "config.yaml").write_text(f"github:\n  token: {key('github')}\n")
    (tmp_path / "broken.json").write_bytes(b'{"a": "\xff\xfe\x00"')
    for fmt in ("json", "sarif"):
        run = cli("scan", ".", "--isolated", "--no-git", "-f", fmt, "-o", f"report.{fmt}", cwd=tmp_path)
        written = (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")
        document = json.loads(written)
        assert written == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        assert run.code == 1 and run.out == ""
        shown = cli("scan", ".", "--isolated", "--no-git", "-f", fmt, cwd=tmp_path)
        assert shown.out == json.dumps(json.loads(shown.out), indent=2, ensure_ascii=False) + "\n"
    assert len(document["runs"][0]["results"]) >= 3


def test_a_report_that_fails_half_way_leaves_no_partial_file(cli, tmp_path, key, monkeypatch):
    """Streaming must not cost the all-or-nothing report file CI jobs read: a failure mid-way leaves the
    previous report as it was and no temporary file behind; a device destination is written, never replaced."""
    import keylint.report.json as json_report

    (tmp_path / ".env").write_text(f"STRIPE_SECRET_KEY={key('stripe')}\nOPENAI_API_KEY=changeme\n")
    report = tmp_path / "report.json"
    assert cli("scan", ".", "--isolated", "--no-git", "-f", "json", "-o", "report.json", cwd=tmp_path).code == 1
    whole = report.read_text(encoding="utf-8")
    real_write = json_report.write

    def failing_write(report, options, out):
        out.write('{\n  "findings": [')
        raise RuntimeError("reporter bug")

    monkeypatch.setattr(json_report, "write", failing_write)
    run = cli("scan", ".", "--isolated", "--no-git", "-f", "json", "-o", "report.json", cwd=tmp_path)
    assert run.code == 2 and "internal error" in run.err
    assert report.read_text(encoding="utf-8") == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env", "report.json"]
    monkeypatch.setattr(json_report, "write", real_write)
    assert cli("scan", ".", "--isolated", "--no-git", "-f", "json", "-o", "/dev/null", cwd=tmp_path).code == 1
    assert not (tmp_path / "dev").exists()


def _finding(draw: st.DrawFn) -> Finding:
    text = st.text(max_size=12)  # control, bidi and surrogate characters included: escaped or not alike
    position = st.integers(min_value=-1, max_value=10**6)
    return Finding(
        rule=draw(text),
        name=draw(text),
        severity=draw(st.sampled_from(Severity)),
        category=draw(text),
        path=draw(text),
        # a field of an unusual type (a boolean position, a number for a provider) takes the dictionary's way
        line=draw(position | st.booleans()),
        column=draw(position),
        key=draw(st.none() | text),
        provider=draw(st.none() | text | st.integers()),
        message=draw(text),
        secret=draw(st.none() | st.text(max_size=40)),
        fingerprint=draw(text),
        extra=draw(st.dictionaries(st.sampled_from((*EXTRA_FIELDS, "kind", "context")), documents, max_size=4)),
    )


findings = st.composite(_finding)()


@settings(max_examples=300, deadline=None)
@given(findings, st.booleans(), st.integers(min_value=0, max_value=3))
def test_a_finding_is_laid_out_as_its_dictionary_would_be(finding, show_secrets, level):
    options = ReportOptions(show_secrets=show_secrets)
    assert finding_text(finding, options, level) == encode(finding_dict(finding, options), level)


@settings(max_examples=1000, deadline=None)
@given(findings, st.booleans(), st.integers(min_value=0, max_value=3))
def test_a_finding_is_encoded_piece_by_piece_as_its_whole_text(finding, show_secrets, level):
    """finding_utf8 (a prepared finding's bytes) is its text's UTF-8, non-ASCII and unencodable fields included."""
    options = ReportOptions(show_secrets=show_secrets)
    try:
        expected: bytes | type[UnicodeEncodeError] = finding_text(finding, options, level).encode()
    except UnicodeEncodeError:
        expected = UnicodeEncodeError
    try:
        assert finding_utf8(finding, options, level) == expected
    except UnicodeEncodeError:
        assert expected is UnicodeEncodeError


@pytest.mark.parametrize("texts, level, expected", [([], 0, "[]"), (["1", '"a"'], 1, '[\n    1,\n    "a"\n  ]')])
def test_encoded_arrays_are_written_as_their_texts(texts, level, expected):
    out = io.StringIO()
    write_json(Encoded(iter(texts)), out, level)
    assert out.getvalue() == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("show_secrets", [False, True])
def test_a_report_prepared_while_the_scan_runs_is_the_report_written_after(fmt, show_secrets):
    """The findings a format lays out early (as a parallel scan returns them) give the text it writes of them
    later; findings it was not given (scan-scope rules, post stages) and findings dropped after it was given them
    (baseline, directives) change nothing."""
    options = ReportOptions(tool_version="0.0.0-test", show_secrets=show_secrets)
    report = sample_report()
    prepared = prepare(fmt, options)
    if prepared is not None:
        prepared.add(report.findings[::2])
        prepared.add([Finding("KL999", "dropped", Severity.ERROR, "secret", "gone.env", 1, 1, "K", None, "gone")])
    expected = render(fmt, sample_report(), options)
    assert render(fmt, report, replace(options, prepared=prepared)) == expected


def test_findings_prepared_for_other_options_are_laid_out_again():
    report = sample_report()
    prepared = prepare("json", ReportOptions(show_secrets=True))
    prepared.add(report.findings)
    masked = ReportOptions()
    assert render("json", report, replace(masked, prepared=prepared)) == render("json", report, masked)


@settings(max_examples=100, deadline=None)
@given(st.lists(findings, max_size=6), st.booleans())
def test_prepared_findings_are_laid_out_as_written_ones(drawn, show_secrets):
    options = ReportOptions(show_secrets=show_secrets)
    prepared = prepare("json", options)
    prepared.add(drawn)
    assert list(prepared.texts(drawn)) == [finding_text(f, options, 2) for f in drawn]


@pytest.mark.parametrize("level", range(7))
def test_findings_of_one_rule_are_laid_out_at_every_level_and_severity(level):
    """Their first fields are laid out once per rule, severity and level: never another level's or severity's."""
    for severity in (*Severity, *Severity):
        finding = Finding("KL101", "provider-key", severity, "secret", "a\n.env", 1, 2, "K", None, "m", "s" * 20)
        options = ReportOptions()
        assert finding_text(finding, options, level) == encode(finding_dict(finding, options), level)


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 513])
@pytest.mark.parametrize("level", [0, 2])
def test_long_arrays_are_written_in_batches_laid_out_as_one(size, level):
    items = [{"n": i, "s": f"x{i}\n"} for i in range(size)]
    expected = json.dumps(items, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    for value in (iter(items), Encoded(encode(item, level + 1) for item in items)):
        out = io.StringIO()
        write_json(value, out, level)
        assert out.getvalue() == expected


@pytest.mark.parametrize("budget", [0, 1, 10**6])
def test_findings_past_the_budget_are_laid_out_when_written(budget):
    report = sample_report()
    options = ReportOptions(tool_version="0.0.0-test")
    prepared = PreparedFindings(options, budget=budget)
    prepared.add(report.findings)
    made = sum(text is not None for _held, texts in prepared._batches.values() for text in texts)
    assert made == {0: 0, 1: 1}.get(budget, len(report.findings))
    assert render("json", report, replace(options, prepared=prepared)) == render("json", report, options)


def test_prepared_batches_serve_a_report_whose_findings_changed_after_the_scan():
    """Each file's findings are laid out as one batch; a stage after the scan may drop findings (inside a batch or
    at its start), add its own between them or change their order: each finding still gets its own text."""
    findings = sample_report().findings
    assert len(findings) >= 6
    options = ReportOptions(tool_version="0.0.0-test")
    prepared = PreparedFindings(options)
    batches = [findings[:3], findings[3:]]
    for batch in batches:
        prepared.add(batch)
    extra = replace(findings[0], line=999, message="added by a stage")
    changes = [
        findings,
        findings[1:],  # the first batch's first finding dropped
        [*findings[:1], *findings[2:]],  # one inside it
        [*findings[:3], extra, *findings[3:]],
        findings[::-1],
        [],
    ]
    for changed in changes:
        report = replace(sample_report(), findings=changed)
        assert render("json", report, replace(options, prepared=prepared)) == render("json", report, options)
        assert list(prepared.texts(changed)) == [finding_text(f, options, 2) for f in changed]
        assert prepared.utf8(changed) == [finding_utf8(f, options, 2) for f in changed]


def test_a_finding_that_cannot_be_encoded_is_laid_out_when_written():
    """A field that is not escaped (the provider) with a lone surrogate: the report fails as it did before."""
    odd = Finding("KL101", "provider-key", Severity.ERROR, "secret", ".env", 1, 1, "K", "\udcff", "m", "s" * 20)
    prepared = prepare("json", ReportOptions())
    prepared.add([odd])
    assert list(prepared.texts([odd])) == [finding_text(odd, ReportOptions(), 2)]


def written_bytes(fmt: str, report: Any, options: ReportOptions, out: io.TextIOWrapper) -> tuple[bytes, str | None]:
    """What ``write`` puts in a UTF-8 file, and the exception it fails with (type and message), if it does."""
    failure = None
    try:
        write(fmt, report, options, out)
    except UnicodeEncodeError as error:
        failure = f"{type(error).__name__}: {error}"
    out.flush()
    return out.buffer.getvalue(), failure  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("show_secrets", [False, True])
@pytest.mark.parametrize("early", [False, True])
def test_a_report_file_holds_the_rendered_text(fmt, show_secrets, early):
    """A report file (a Utf8Writer, to which the JSON report writes its findings in UTF-8) holds the report's text."""
    options = ReportOptions(tool_version="0.0.0-test", show_secrets=show_secrets)
    report = sample_report()
    prepared = prepare(fmt, options) if early else None
    if prepared is not None:
        prepared.add(report.findings[1:])
    expected = render(fmt, sample_report(), options).encode()
    out = Utf8Writer(io.BytesIO())
    assert written_bytes(fmt, report, replace(options, prepared=prepared), out) == (expected, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(findings, max_size=600), st.booleans(), st.booleans())
def test_findings_written_in_utf8_are_the_text_a_text_file_gets(drawn, show_secrets, early):
    """Findings written to a report file's bytes, prepared or not, long arrays (written in batches) and findings
    that cannot be encoded included: the bytes a text file of UTF-8 gets, and the same failure at the same place."""
    from keylint.engine import ScanReport

    options = ReportOptions(show_secrets=show_secrets)
    report = ScanReport(findings=drawn, notices=[], files_scanned=1, duration=0.0, settings=None)  # type: ignore[arg-type]
    prepared = prepare("json", options) if early else None
    if prepared is not None:
        prepared.add(drawn[::2])
    plain = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    expected = written_bytes("json", report, options, plain)
    assert written_bytes("json", report, replace(options, prepared=prepared), Utf8Writer(io.BytesIO())) == expected


@pytest.mark.parametrize("odd_at", [None, 0, 300, 699])
@pytest.mark.parametrize("early", [False, True])
def test_a_long_array_with_a_finding_that_cannot_be_encoded_fails_where_a_text_file_does(odd_at, early):
    from keylint.engine import ScanReport

    options = ReportOptions()
    drawn = [replace(f, line=i) for i in range(700) for f in sample_report().findings][:700]
    if odd_at is not None:
        drawn[odd_at] = replace(drawn[odd_at], provider="\udcff")
    report = ScanReport(findings=drawn, notices=[], files_scanned=1, duration=0.0, settings=None)  # type: ignore[arg-type]
    prepared = prepare("json", options) if early else None
    if prepared is not None:
        prepared.add(drawn)
    plain = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    expected = written_bytes("json", report, options, plain)
    assert (expected[1] is None) == (odd_at is None) and len(expected[0]) > (odd_at or 0) * 100
    assert written_bytes("json", report, replace(options, prepared=prepared), Utf8Writer(io.BytesIO())) == expected


@settings(max_examples=300, deadline=None)
@given(findings, st.booleans(), st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=99))
def test_a_sarif_result_is_laid_out_as_its_dictionary_would_be(finding, show_secrets, level, rule_index):
    from keylint.report.sarif import _result, _result_text

    options = ReportOptions(show_secrets=show_secrets)
    assert _result_text(finding, rule_index, options, level) == encode(_result(finding, rule_index, options), level)


def _usual_finding(draw: st.DrawFn) -> Finding:
    """A finding of the shapes a scan makes (laid out together with others), now and then with a field that is not."""
    printable = st.characters(categories=("L", "M", "N", "P", "S"), include_characters=" ", exclude_characters='"\\')
    plain = st.text(st.sampled_from("abcXYZ019_.-: …") | printable, max_size=20)
    odd = st.text(max_size=6)  # control, bidi, quote and surrogate characters: laid out one by one
    shape = draw(st.integers(min_value=0, max_value=49))  # 0-7: one field of an unusual shape (which one)

    def usual(field: int, common: st.SearchStrategy[Any], unusual: st.SearchStrategy[Any]) -> Any:
        return draw(unusual if shape == field else common)

    return Finding(
        rule=draw(st.sampled_from(("KL101", "KL102", "KL401"))),
        name=draw(st.sampled_from(("provider-key", "generic-secret"))),
        severity=draw(st.sampled_from(Severity)),
        category=draw(st.sampled_from(("secret", "placeholder"))),
        path=draw(st.sampled_from((".env", "a/values.yaml", "b\n.env"))),
        line=usual(0, st.integers(0, 20000) | st.integers(min_value=1), st.sampled_from((-1, True))),
        column=usual(1, st.integers(min_value=1, max_value=300), st.booleans()),
        key=usual(2, st.none() | plain, odd),
        provider=usual(3, st.sampled_from((None, "github", "openai")), st.sampled_from(("\udcff", 7, "\x7f"))),
        message=usual(4, plain, odd),
        secret=usual(5, st.none() | st.text(printable, min_size=16, max_size=40), st.text(max_size=16) | odd),
        fingerprint=usual(6, st.text("0123456789abcdef", min_size=32, max_size=32), odd),
        extra=usual(
            7,
            st.sampled_from(({}, {"git": "ignored"}, {"git": "tracked"}, {"kind": "x"})),
            st.sampled_from(({"git": None}, {"commit": "abc"}, {"git": "\udcff"})),
        ),
    )


usual_findings = st.composite(_usual_finding)()


@settings(max_examples=500, deadline=None)
@given(st.lists(usual_findings, max_size=8) | st.lists(findings, max_size=3), st.booleans(), st.integers(0, 5))
def test_findings_laid_out_together_are_laid_out_as_one_by_one(drawn, show_secrets, level):
    """What _laid_out_utf8 lays out (each field over all the findings at once) is each finding's finding_utf8."""
    import keylint.report.json as json_report

    options = ReportOptions(show_secrets=show_secrets)
    together = json_report._laid_out_utf8(drawn, options, level)
    if together is not None:
        assert together == [finding_utf8(f, options, level) for f in drawn]
    assert list(json_report.utf8_texts(drawn, options)) == [json_report._utf8_or_text(f, options) for f in drawn]


def test_the_findings_of_a_scan_are_laid_out_together():
    import keylint.report.json as json_report

    drawn = [replace(f, line=i) for i in range(300) for f in sample_report().findings if f.secret]
    drawn += [replace(f, secret=None, provider=None, key=None) for f in drawn[:5]]
    for options in (ReportOptions(), ReportOptions(show_secrets=True)):
        together = json_report._laid_out_utf8(drawn, options, 2)
        assert together == [finding_utf8(f, options, 2) for f in drawn]


@settings(max_examples=100, deadline=None)
@given(st.lists(usual_findings, max_size=8), st.integers(min_value=0, max_value=3000))
def test_findings_laid_out_together_keep_to_the_budget_as_one_by_one(drawn, budget):
    together, one_by_one = PreparedFindings(ReportOptions(), budget), PreparedFindings(ReportOptions(), budget)
    together.add(drawn)
    one_by_one.add(drawn[:0])
    one_by_one._batches.update(
        {id(drawn[0]): (drawn[: len(texts)], texts)} if (texts := one_by_one._laid_out_one_by_one(drawn)) else {}
    )
    assert together._batches == one_by_one._batches and together.budget == one_by_one.budget
