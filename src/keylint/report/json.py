"""Machine output: ``{"version": 1, "findings": [...], "summary": {...}, "errors": [...]}``."""

from __future__ import annotations

import itertools
from collections import Counter
from functools import lru_cache
from json.encoder import encode_basestring
from operator import attrgetter, is_

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Finding, Severity
from keylint.records import replace
from keylint.redact import escape
from keylint.report import EXTRA_FIELDS, ReportOptions, Utf8Writer, finding_dict, render_written, shown_secret
from keylint.report.jsonstream import Encoded, encode, write_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TextIO

    from keylint.engine import ScanReport


def summary(report: ScanReport) -> dict[str, Any]:
    by_severity = {s.label: 0 for s in sorted(Severity, reverse=True)}
    by_category = {c: 0 for c in CATEGORIES}
    # Counted in C (tens of thousands of findings), then named: the categories in order of first appearance.
    for severity, count in Counter(map(attrgetter("severity"), report.findings)).items():
        by_severity[severity.label] += count
    for category, count in Counter(map(attrgetter("category"), report.findings)).items():
        by_category[category] = by_category.get(category, 0) + count
    return {
        "files": report.files_scanned,
        "findings": len(report.findings),
        "files_with_findings": len(set(map(attrgetter("path"), report.findings))),
        "by_severity": by_severity,
        "by_category": by_category,
        "errors": len(report.errors),
        "skipped": sum(1 for n in report.notices if n.kind == "skipped"),
        "complete": not report.errors,
        "duration_seconds": round(report.duration, 3),
    }


def finding_text(finding: Finding, options: ReportOptions, level: int) -> str:
    """``encode(finding_dict(finding, options), level)``, laid out directly.

    A dense tree's report holds ~70,000 findings, and making each one's dictionary and walking it took
    twice as long. Fields of the usual types (strings, integer positions, strings or None) are laid out
    here; a field of any other type makes the whole finding go through its dictionary, so the text is
    always that one (tests/test_report_stream.py compares them)."""
    pieces = _pieces(finding, options, level)
    return encode(finding_dict(finding, options), level) if pieces is None else "".join(pieces)


def finding_utf8(finding: Finding, options: ReportOptions, level: int) -> bytes:
    """``finding_text(finding, options, level).encode()``, encoded piece by piece.

    The masked secret's "…" makes the whole text a string of two bytes a character, and encoding that to UTF-8
    was a fifth of laying out a finding (the dense tree's 69k, as a parallel scan returns them); the pieces
    around it are ASCII as a rule, which encodes as a copy. tests/test_report_stream.py compares the two."""
    pieces = _pieces(finding, options, level)
    if pieces is None:
        return encode(finding_dict(finding, options), level).encode()
    before, secret, after = pieces
    return before.encode() + secret.encode() + after.encode()


def _pieces(finding: Finding, options: ReportOptions, level: int) -> tuple[str, str, str] | None:
    """A finding's text in three pieces, the shown secret in the middle; None for a field of an unusual type."""
    line, column, key, provider = finding.line, finding.column, finding.key, finding.provider
    if type(line) is not int or type(column) is not int:
        return None
    sep = _SEPARATORS[level] if level < len(_SEPARATORS) else ",\n" + "  " * (level + 1)
    quoted = encode_basestring
    extras = ""  # laid out first, so that the finding's text is put together in one go
    extra = finding.extra
    if extra and not _SHOWN_EXTRAS.isdisjoint(extra):  # most findings' extras are none of them (a kind, a URL)
        for name in EXTRA_FIELDS:
            if name in extra:
                value = extra[name]
                extras += f'{sep}"{name}": {quoted(value) if type(value) is str else encode(value, level + 1)}'
    try:  # encode_basestring takes only strings: a TypeError means a field of another type
        return (
            f"{_head(finding.rule, finding.name, finding.severity, finding.category, level)}"
            f'{sep}"path": {_quoted_path(finding.path)}{sep}"line": {line}{sep}"column": {column}'
            f'{sep}"key": {"null" if key is None else quoted(escape(key))}'
            f'{sep}"provider": {"null" if provider is None else quoted(provider)}'
            f'{sep}"message": {quoted(escape(finding.message))}{sep}"secret": ',
            "null" if finding.secret is None else quoted(shown_secret(finding, options)),
            f'{sep}"fingerprint": {quoted(finding.fingerprint)}{extras}\n{"  " * level}}}',
        )
    except TypeError:
        return None


@lru_cache(maxsize=64)
def _quoted_path(path: str) -> str:
    """A path as the report shows it: a file's findings are laid out one after another."""
    return encode_basestring(escape(path))


_SHOWN_EXTRAS = frozenset(EXTRA_FIELDS)
# What separates a finding's fields at the usual levels (the findings of a JSON report are at level 2).
_SEPARATORS = tuple(",\n" + "  " * (level + 1) for level in range(4))


@lru_cache(maxsize=512, typed=True)  # typed: Severity.INFO is not 1
def _head(rule: str, name: str, severity: Severity, category: str, level: int) -> str:
    """A finding's text up to its category: the same for every finding of one rule (tens of thousands of findings,
    a few dozen rules)."""
    pad = "\n" + "  " * (level + 1)
    sep = "," + pad
    quoted = encode_basestring
    return (
        f'{{{pad}"rule": {quoted(rule)}{sep}"name": {quoted(name)}'
        f'{sep}"severity": {quoted(severity.label)}{sep}"category": {quoted(category)}'
    )


# The findings array is the document's second level, so its findings are laid out at the third.
_FINDING_LEVEL = 2


class PreparedFindings:
    """Findings laid out as a parallel scan returns them (see :func:`keylint.report.prepare`), written as they are.

    The scan returns each file's findings as one list, in the report's order, and the report puts those lists one
    after another: the texts are kept the same way, a batch per list, found again by the identity of its first
    finding and checked by the identity of each (a list comparison, in C). A finding found elsewhere (a stage
    after the scan dropped some of its file's findings) is looked up alone, and one it was not given (those of the
    scan-scope rules and post stages) is laid out when written. Each batch holds its findings, so no other object
    can take their ``id`` while this lasts. The texts are kept in UTF-8: a masked secret's "…" makes a text two bytes
    a character as a string, and a dense tree's 69k findings then held ~70 MB of them (~35 MB so). Past
    ``budget`` bytes of them, the findings are laid out when written, so that memory stays bounded.

    (Looked up one by one in a dictionary by ``id``, the dense tree's 69k texts took ~25 ms of the main process's
    time alone after the scan: the identities, addresses, hash poorly.)"""

    __slots__ = ("_batches", "_by_finding", "budget", "options")

    def __init__(self, options: ReportOptions, budget: int = 64 * 1024 * 1024) -> None:
        self.options = options
        self.budget = budget
        self._batches: dict[int, tuple[list[Finding], list[bytes | None]]] = {}
        self._by_finding: dict[int, bytes | None] | None = None  # made on the first finding found outside its batch

    def add(self, findings: list[Finding]) -> None:
        options, texts = self.options, []
        for finding in findings:
            if self.budget <= 0:
                break
            try:
                text = finding_utf8(finding, options, _FINDING_LEVEL)
            except UnicodeEncodeError:  # a lone surrogate in a field that is not escaped: made when written
                texts.append(None)
                continue
            texts.append(text)
            self.budget -= len(text)
        if texts:
            self._batches[id(findings[0])] = (findings[: len(texts)], texts)

    def _made(self, findings: list[Finding]) -> list[bytes | None]:
        """The text laid out for each finding, None where there is none."""
        batches, made = self._batches, []
        start, end = 0, len(findings)
        while start < end:
            batch = batches.get(id(findings[start]))
            if batch is not None and findings[start : start + len(batch[0])] == batch[0]:
                made += batch[1]
                start += len(batch[0])
                continue
            if self._by_finding is None:
                self._by_finding = {
                    id(finding): text
                    for held, texts in batches.values()
                    for finding, text in zip(held, texts, strict=True)
                }
            made.append(self._by_finding.get(id(findings[start])))
            start += 1
        return made

    def texts(self, findings: list[Finding]) -> Iterator[str]:
        """The text of each finding, in their order."""
        options = self.options
        for finding, text in zip(findings, self._made(findings), strict=True):
            yield text.decode() if text is not None else finding_text(finding, options, _FINDING_LEVEL)

    def utf8(self, findings: list[Finding]) -> list[bytes | str]:
        """:func:`utf8_texts` of the findings, those laid out already as they are."""
        texts: list[bytes | str | None] = self._made(findings)  # type: ignore[assignment]
        for index in itertools.compress(itertools.count(), map(is_, texts, itertools.repeat(None))):
            texts[index] = _utf8_or_text(findings[index], self.options)
        return texts  # type: ignore[return-value]  # no None is left


def utf8_texts(findings: Iterable[Finding], options: ReportOptions) -> Iterator[bytes | str]:
    """Each finding's text in UTF-8, as a :class:`keylint.report.Utf8Writer` takes it; the text itself where it cannot
    be encoded (a lone surrogate in a field that is not escaped), for the writer to fail on as it always has."""
    for finding in findings:
        yield _utf8_or_text(finding, options)


def _utf8_or_text(finding: Finding, options: ReportOptions) -> bytes | str:
    try:
        return finding_utf8(finding, options, _FINDING_LEVEL)
    except UnicodeEncodeError:
        return finding_text(finding, options, _FINDING_LEVEL)


def prepare(options: ReportOptions) -> PreparedFindings:
    return PreparedFindings(options)


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    prepared = options.prepared
    if not (isinstance(prepared, PreparedFindings) and replace(options, prepared=None) == prepared.options):
        prepared = None
    # Each finding's text made as it is written, never all at once (unless prepared); in UTF-8 for a report file.
    findings: Encoded
    if isinstance(out, Utf8Writer):
        utf8 = prepared.utf8(report.findings) if prepared is not None else utf8_texts(report.findings, options)
        findings = Encoded(utf8, utf8=True)
    elif prepared is not None:
        findings = Encoded(prepared.texts(report.findings))
    else:
        findings = Encoded(finding_text(f, options, _FINDING_LEVEL) for f in report.findings)
    document = {
        "version": 1,
        "tool": {"name": "keylint", "version": options.tool_version},
        "findings": findings,
        "summary": summary(report),
        "errors": ({"path": escape(n.path), "message": escape(n.message), "kind": n.kind} for n in report.notices),
    }
    write_json(document, out)
    out.write("\n")


def render(report: ScanReport, options: ReportOptions) -> str:
    return render_written(write, report, options)
