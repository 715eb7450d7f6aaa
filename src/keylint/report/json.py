"""Machine output: ``{"version": 1, "findings": [...], "summary": {...}, "errors": [...]}``."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from itertools import chain, repeat
from json.encoder import encode_basestring
from operator import attrgetter, getitem, is_

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Finding, Severity
from keylint.records import fields, replace
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
_OTHER_EXTRAS = _SHOWN_EXTRAS - {"git"}
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
        made = _laid_out_utf8(findings, self.options, _FINDING_LEVEL) if self.budget > 0 else None
        if made is None:
            texts = self._laid_out_one_by_one(findings)
        else:  # those that _laid_out_one_by_one keeps: laid out while some of the budget is left
            sizes = list(itertools.accumulate(map(len, made), initial=0))  # the bytes laid out before each finding
            texts = made[: bisect_left(sizes, self.budget, hi=len(made))]
            self.budget -= sizes[len(texts)]
        if texts:
            self._batches[id(findings[0])] = (findings[: len(texts)], texts)

    def _laid_out_one_by_one(self, findings: list[Finding]) -> list[bytes | None]:
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
        return texts

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
        if not self._batches:  # a serial scan's: nothing was laid out as it ran
            return list(utf8_texts(findings, self.options))
        texts: list[bytes | str | None] = self._made(findings)  # type: ignore[assignment]
        missing = list(itertools.compress(itertools.count(), map(is_, texts, repeat(None))))
        for index, text in zip(missing, utf8_texts(map(findings.__getitem__, missing), self.options), strict=True):
            texts[index] = text
        return texts  # type: ignore[return-value]  # no None is left


def utf8_texts(findings: Iterable[Finding], options: ReportOptions) -> Iterator[bytes | str]:
    """Each finding's text in UTF-8, as a :class:`keylint.report.Utf8Writer` takes it; the text itself where it cannot
    be encoded (a lone surrogate in a field that is not escaped), for the writer to fail on as it always has."""
    findings = iter(findings)
    while batch := list(itertools.islice(findings, _LAYOUT_BATCH)):
        texts = _laid_out_utf8(batch, options, _FINDING_LEVEL)
        yield from map(_utf8_or_text, batch, repeat(options)) if texts is None else texts


# The fields a finding's text shows, in its order (see _laid_out_utf8).
_SHOWN_FIELDS = attrgetter(*(name for name in fields(Finding) if name != "fix"))
_INT, _SEVERITY = frozenset((int,)), frozenset((Severity,))
# dict.get(value, default) over a column: the default, or what stands for a value that is None.
_NONE_AS_EMPTY: dict[None, str] = {None: ""}
_NONE_AS_NULL: dict[None, str] = {None: "null"}
_NONE_AS_NO_BYTES: dict[None, bytes] = {None: b""}
_FIRST_4, _LAST_2 = slice(None, 4), slice(-2, None)
_ELLIPSIS = "…".encode()
# What escape() or encode_basestring() changes in an ASCII text (str.isprintable() turns down the first 33).
_UNPLAIN_ASCII = (*map(chr, range(0x20)), "\x7f", '"', "\\")
_PROVIDERS: dict[str | None, str] = {None: "null"}  # each provider's text (a few dozen)
_NO_GIT = object()


def _laid_out_utf8(findings: list[Finding], options: ReportOptions, level: int) -> list[bytes] | None:
    """``[finding_utf8(f, options, level) for f in findings]``, laid out together.

    Laid out one by one, a dense tree's findings took ~33k instructions each, two thirds of them the interpreter's
    steps and calls. Here each field is a column over all the findings, made by C calls (``map``, ``zip``,
    ``str.join``), and whether any text needs escaping is asked once for all of them: ~18k. Only the usual shapes
    are laid out so: integer positions, nothing to escape or quote in a key, message, fingerprint or shown secret
    (strings), secrets of 16 characters or more when masked, extras that show nothing but ``git``, a text that
    encodes. Anything else makes it None, for the caller to lay out each finding as it always has (the same texts,
    and an exception, if one is raised, for the same finding); tests/test_report_stream.py compares the two."""
    try:
        return _laid_out_together(findings, options, level)
    except Exception:  # a field of an unusual type or value
        return None


def _laid_out_together(findings: list[Finding], options: ReportOptions, level: int) -> list[bytes] | None:
    rules, names, severities, categories, paths, lines, columns, keys, providers, messages, secrets, prints, extras = (
        zip(*map(_SHOWN_FIELDS, findings), strict=True)
    )
    if not (_INT.issuperset(map(type, lines + columns)) and _SEVERITY.issuperset(map(type, severities))):
        return None
    # A secret's text is laid out around the "…" of its mask, kept apart: it would make the whole text two bytes a
    # character until encoded. "null" for a secret that is None.
    present = tuple(map(_NONE_AS_EMPTY.get, secrets, secrets))
    if options.show_secrets:
        first, last, ellipses = present, repeat("", len(present)), repeat(b"", len(present))
        shown = present
    else:  # mask(): the first 4 and the last 2 characters of a secret of 16 or more
        if "" in secrets or min(map(len, filter(None, secrets)), default=16) < 16:
            return None
        first, last = tuple(map(getitem, present, repeat(_FIRST_4))), tuple(map(getitem, present, repeat(_LAST_2)))
        ellipses = map(_NONE_AS_NO_BYTES.get, secrets, repeat(_ELLIPSIS))
        shown = first + last
    if not _plain("".join(chain(filter(None, keys), messages, prints, shown))):
        return None
    git_texts = _git_texts(extras, level)
    if git_texts is None:
        return None
    for provider in set(providers).difference(_PROVIDERS):
        if len(_PROVIDERS) > 256:  # not a registry's providers
            _PROVIDERS.clear()
            _PROVIDERS[None] = "null"
        _PROVIDERS[provider] = encode_basestring(provider)
    sep = _SEPARATORS[level] if level < len(_SEPARATORS) else ",\n" + "  " * (level + 1)
    # What a file's findings of one rule share: their text up to the line number.
    kinds = tuple(zip(rules, names, severities, categories, paths, strict=True))
    heads = {kind: f'{_head(*kind[:4], level)}{sep}"path": {_quoted_path(kind[4])}{sep}"line": ' for kind in set(kinds)}
    if None in keys:
        key_texts = map(_NONE_AS_NULL.get, keys, map('"{}"'.format, map(_NONE_AS_EMPTY.get, keys, keys)))
        before_key, after_key = f'{sep}"key": ', f'{sep}"provider": '
    else:  # the usual: no call a finding
        key_texts = keys
        before_key, after_key = f'{sep}"key": "', f'"{sep}"provider": '
    before = zip(
        map(heads.__getitem__, kinds),
        _decimals(lines),
        repeat(f'{sep}"column": '),
        _decimals(columns),
        repeat(before_key),
        key_texts,
        repeat(after_key),
        map(_PROVIDERS.__getitem__, providers),
        repeat(f'{sep}"message": "'),
        messages,
        repeat(f'"{sep}"secret": '),
        map(_NONE_AS_NULL.get, secrets, repeat('"')),
        first,
    )
    after = zip(
        last,
        map(_NONE_AS_EMPTY.get, secrets, repeat('"')),
        repeat(f'{sep}"fingerprint": "'),
        prints,
        repeat('"'),
        git_texts,
        repeat(f"\n{'  ' * level}}}"),
    )
    encode = str.encode
    before_texts, after_texts = map(encode, map("".join, before)), map(encode, map("".join, after))
    return list(map(b"".join, zip(before_texts, ellipses, after_texts, strict=True)))


def _plain(text: str) -> bool:
    """Whether escape() and encode_basestring() leave each character of ``text`` as it is (but for the quotes)."""
    if text.isascii():  # asked in C without reading the text; then a memchr() a character, not a table lookup each
        return not any(map(text.__contains__, _UNPLAIN_ASCII))
    return text.isprintable() and '"' not in text and "\\" not in text


def _decimals(numbers: tuple[int, ...]) -> Iterator[str]:
    """Each integer's text: looked up for the positions of the usual files (a fifth of ``int.__repr__``'s work)."""
    if min(numbers) < 0 or max(numbers) >= _DECIMALS_KEPT:
        return map(int.__repr__, numbers)
    if max(numbers) >= len(_DECIMALS):
        _DECIMALS.extend(map(int.__repr__, range(len(_DECIMALS), max(numbers) + 1)))
    return map(_DECIMALS.__getitem__, numbers)


_DECIMALS: list[str] = []  # the text of each number below its length
_DECIMALS_KEPT = 1 << 14


def _git_texts(extras: tuple[dict[str, Any], ...], level: int) -> Iterator[str] | None:
    """The text of each finding's extras when the only one shown is ``git``, a string (if any); else None."""
    if not _OTHER_EXTRAS.isdisjoint(chain.from_iterable(extras)):
        return None
    values = tuple(map(dict.get, extras, repeat("git"), repeat(_NO_GIT)))
    sep = _SEPARATORS[level] if level < len(_SEPARATORS) else ",\n" + "  " * (level + 1)
    texts: dict[Any, str] = {_NO_GIT: ""}
    for value in set(values):  # a file's git state: one or a few of them
        if value is not _NO_GIT:
            if type(value) is not str:
                return None
            texts[value] = f'{sep}"git": {encode_basestring(value)}'
    return map(texts.__getitem__, values)


# Findings laid out together: the report writer's batches (keylint.report.jsonstream), so that it pulls one at a time.
_LAYOUT_BATCH = 256


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
