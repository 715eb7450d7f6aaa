"""Reporters: one module per output format, each ``render(report, options) -> str``.

A reporter may also define ``write(report, options, out)``, which writes the same text to a
stream as it is made: a scan's tens of thousands of findings then never exist as one string.

Secrets are masked here, in one place (:func:`finding_dict`), before any
reporter formats a finding; only ``--show-secrets`` lets a full value through.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, TextIO

from keylint.model import Finding
from keylint.records import dataclass
from keylint.redact import escape, mask

if TYPE_CHECKING:
    from keylint.engine import ScanReport

FORMATS = ("text", "json", "sarif", "github", "junit", "html")


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False
    color: bool = False
    verbose: bool = False
    tool_version: str = ""
    command: str = "scan"


def shown_secret(finding: Finding, options: ReportOptions) -> str | None:
    if finding.secret is None:
        return None
    return escape(finding.secret) if options.show_secrets else mask(finding.secret)


def finding_dict(finding: Finding, options: ReportOptions) -> dict[str, Any]:
    """The JSON shape of one finding (also the base of the other machine formats)."""
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.label,
        "category": finding.category,
        "path": escape(finding.path),
        "line": finding.line,
        "column": finding.column,
        "key": escape(finding.key) if finding.key is not None else None,
        "provider": finding.provider,
        "message": escape(finding.message),
        "secret": shown_secret(finding, options),
        "fingerprint": finding.fingerprint,
    }
    for name in ("verification", "git", "commit", "date", "present_at_head", "fix_suggestion"):
        if name in finding.extra:
            data[name] = finding.extra[name]
    return data


def _reporter(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"keylint.report.{fmt}")


def render(fmt: str, report: ScanReport, options: ReportOptions) -> str:
    return _reporter(fmt).render(report, options)


Writer = Callable[["ScanReport", ReportOptions, TextIO], None]


def render_written(write: Writer, report: ScanReport, options: ReportOptions) -> str:
    """The text a reporter's ``write`` makes, as one string (its ``render``)."""
    buffer = io.StringIO()
    write(report, options, buffer)
    return buffer.getvalue()


def write(fmt: str, report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    """Write the report to ``out``: the same text as :func:`render`, streamed by the reporters that can."""
    module = _reporter(fmt)
    if hasattr(module, "write"):
        module.write(report, options, out)
    else:
        out.write(module.render(report, options))


def write_json(value: Any, out: TextIO, level: int = 0) -> None:
    """Write ``json.dumps(value, indent=2, ensure_ascii=False)`` to ``out``, a piece at a time.

    An iterator in ``value`` is written as a JSON array an element at a time, so a report's list of
    findings can be a generator that makes each one as it is written. Dictionaries and lists around
    it are walked; everything else (an iterator's elements included) is encoded in one go. Keys are strings.
    """
    if isinstance(value, dict) and value:
        members = ((_encoder().encode(key) + ": ", item) for key, item in value.items())
        _write_items(members, out, level, "{}", walk=True)
    elif isinstance(value, list) and value:
        _write_items((("", item) for item in value), out, level, "[]", walk=True)
    elif isinstance(value, Iterator):
        _write_items((("", item) for item in value), out, level, "[]", walk=False)
    else:
        out.write(_indented(value, level))


def _write_items(items: Iterable[tuple[str, Any]], out: TextIO, level: int, brackets: str, walk: bool) -> None:
    """An object's members (labelled ``"key": ``) or an array's elements (unlabelled), laid out as the
    indenting encoder does; ``brackets`` alone when there are none. ``walk``: write each item with
    :func:`write_json`, else encode it in one go."""
    separator = "\n" + "  " * (level + 1)
    out.write(brackets[0])
    empty = True
    for label, item in items:
        out.write((separator if empty else "," + separator) + label)
        if walk:
            write_json(item, out, level + 1)
        else:
            out.write(_indented(item, level + 1))
        empty = False
    out.write(brackets[1] if empty else "\n" + "  " * level + brackets[1])


def _indented(value: Any, level: int) -> str:
    if type(value) is dict and value:
        flat = _flat_object(value, level)
        if flat is not None:
            return flat
    # Encoded JSON has no raw newline inside a string (it is escaped), so each newline starts a line to indent.
    text = _encoder().encode(value)
    return text.replace("\n", "\n" + "  " * level) if level and "\n" in text else text


def _flat_object(value: dict[str, Any], level: int) -> str | None:
    """A dictionary of strings, integers, booleans and nulls (a finding's) laid out as the indenting encoder
    does, about three times faster than its pure-Python code; None when a member is anything else."""
    from json.encoder import encode_basestring as encode_string  # what the encoder itself uses for strings

    members = []
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            text = encode_string(item)
        elif item is None:
            text = "null"
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is int:
            text = int.__repr__(item)
        else:
            return None
        members.append(f"{encode_string(key)}: {text}")
    pad = "\n" + "  " * (level + 1)
    return "{" + pad + ("," + pad).join(members) + "\n" + "  " * level + "}"


@cache
def _encoder() -> Any:
    import json  # only the machine formats need it

    return json.JSONEncoder(indent=2, ensure_ascii=False)
