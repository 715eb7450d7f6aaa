"""Baselines: record today's findings so that only new ones are reported.

A baseline is a JSON file of entries ``{"id", "rule", "path", "key"}``. The id is
a keyed hash (:func:`keylint.redact.fingerprint`) of the rule, the path relative
to the baseline file's directory, the key path and the secret: no secret is stored,
the id survives line moves within a file (and scans started from another
directory), and a different key in the same place gets a new id.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable

from keylint import TYPE_CHECKING
from keylint.config import ConfigError
from keylint.model import Finding
from keylint.records import dataclass
from keylint.redact import fingerprint

if TYPE_CHECKING:
    import argparse
    from typing import Any

    from keylint.config import Settings
    from keylint.engine import ScanReport

BASELINE_NAME = ".keylint-baseline.json"
VERSION = 1


@dataclass
class Baseline:
    path: str
    entries: list[dict[str, Any]]

    @property
    def ids(self) -> set[str]:
        return {e["id"] for e in self.entries}


def base_dir(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def entry_path(finding: Finding, directory: str) -> str:
    return os.path.relpath(os.path.abspath(finding.path or "."), directory).replace(os.sep, "/")


def finding_id(finding: Finding, directory: str) -> str:
    return fingerprint(finding.rule, entry_path(finding, directory), finding.key, finding.secret)


def entries_for(findings: Iterable[Finding], baseline_path: str) -> list[dict[str, Any]]:
    directory = base_dir(baseline_path)
    unique: dict[str, dict[str, Any]] = {}
    for f in findings:
        ident = finding_id(f, directory)
        unique.setdefault(ident, {"id": ident, "rule": f.rule, "path": entry_path(f, directory), "key": f.key})
    return sorted(unique.values(), key=lambda e: (e["path"], e["rule"], e["key"] or "", e["id"]))


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"baseline file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read baseline ({error})") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not a keylint baseline (invalid JSON: {error.msg}, line {error.lineno})") from None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries):
        raise ConfigError(f"{path}: not a keylint baseline (expected an object with an \"entries\" list)")
    if data.get("version") != VERSION:
        raise ConfigError(f"{path}: unsupported baseline version {data.get('version')!r} (expected {VERSION})")
    return Baseline(path, entries)


def write(path: str, entries: list[dict[str, Any]], tool_version: str) -> None:
    document = {"version": VERSION, "generated_by": f"keylint {tool_version}", "entries": entries}
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror or error}") from None


def default_location(paths: list[str], settings: Settings) -> str:
    """Where a baseline lives: the repository root of the scanned paths, else the config file's
    directory, else the current directory."""
    from keylint.gitinfo import find_root

    root = find_root(paths[0] if paths else ".") or (settings.root if settings.config_path else ".")
    return os.path.join(root, BASELINE_NAME)


def locate(args: argparse.Namespace, settings: Settings) -> str | None:
    """The baseline a scan uses: --baseline, then `baseline` in the config, then an existing
    .keylint-baseline.json at the repository root or the config root (how the pre-commit hook finds it)."""
    if getattr(args, "no_baseline", False):
        return None
    explicit = getattr(args, "baseline", None)
    if explicit:
        return str(explicit)
    configured = settings.options.get("baseline")
    if configured is not None:
        if not isinstance(configured, str) or not configured:
            raise ConfigError(f"{settings.config_path}: baseline must be a file path")
        return os.path.join(settings.root, configured)
    from keylint.gitinfo import find_root

    paths = getattr(args, "paths", None) or ["."]
    candidates = [find_root(paths[0]), find_root("."), settings.root if settings.config_path else None]
    for directory in candidates:
        if directory is not None and os.path.isfile(os.path.join(directory, BASELINE_NAME)):
            return os.path.join(directory, BASELINE_NAME)
    return None


def apply_stage(report: ScanReport, args: argparse.Namespace) -> None:
    """Post stage: drop findings recorded in the baseline (the last stage, after verification)."""
    path = locate(args, report.settings)
    if path is None:
        return
    baseline = load(path)
    known = baseline.ids
    directory = base_dir(path)
    kept = [f for f in report.findings if finding_id(f, directory) not in known]
    hidden = len(report.findings) - len(kept)
    report.findings = kept
    report.extra["baseline"] = {"path": path, "suppressed": hidden}
    if hidden and getattr(args, "format", "text") == "text" and not getattr(args, "quiet", False):
        from keylint.discover import display_path

        noun = "finding" if hidden == 1 else "findings"
        print(f"keylint: {hidden} {noun} recorded in the baseline {display_path(path)} not shown", file=sys.stderr)
