"""``keylint history``: every key ever committed to a repository's config files (KL504).

Streams ``git log -p -U0`` once (nothing is checked out), runs the secret rules
(KL101-KL104) on the lines each commit added, and reports every distinct secret
once: the first commit that added it, its author date, path and line, and whether
the secret is still present in the config files at HEAD.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from keylint import TYPE_CHECKING
from keylint.config import ConfigError, Settings
from keylint.records import dataclass, replace

if TYPE_CHECKING:
    from keylint.rules import Problem

# Name patterns that may be config files (a superset: every path is checked with format_for too),
# so git diffs only these files and skips source code, lock files, images...
_NAME_GLOBS = (
    ".env", ".env.*", ".env-*", "*.env", "*.yaml", "*.yml", "*.toml", "*.json", "*.ini", "*.cfg",
    "*.properties", ".npmrc", ".pypirc", "*.dist", "*.example", "*.sample", "*.template", "*.tmpl",
    "*.tpl", "*.orig", "*.bak",
)  # fmt: skip
# Secret rules whose history findings are warnings: less certain than a provider format or a private key.
_WARNING_SOURCES = {"KL102", "KL103"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    from keylint.commands.scan import add_common_output_options, add_selection_options

    parser = sub.add_parser(
        "history",
        help="find keys in every commit of the git history (each secret once, first commit)",
        description="Scan the lines every commit added to config files (git log -p; nothing is checked out) and "
        "report each distinct secret once: first commit, author date, path, line, and whether it is still at HEAD.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="limit the history to these paths (default: all)")
    parser.add_argument("--since", metavar="REV", help="only commits after REV (REV..HEAD)")
    refs = parser.add_mutually_exclusive_group()
    refs.add_argument(
        "--branch", action="append", default=[], metavar="BRANCH", help="walk BRANCH instead of HEAD (repeatable)"
    )
    refs.add_argument("--all", action="store_true", help="walk every branch and tag (git log --all)")
    gate = parser.add_argument_group("exit status")
    gate.add_argument("--fail-on", metavar="LEVEL", help="exit 1 at or above LEVEL: error (default), warning, info")
    gate.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add_selection_options(parser)
    add_common_output_options(parser)


@dataclass
class _First:
    """The first sighting of a secret."""

    problem: Problem  # what the secret rule reported
    source: str  # that rule's code
    commit: str
    date: str
    path: str


def _wanted(settings: Settings) -> Callable[[str], bool]:
    from keylint.config import path_matches
    from keylint.parsers import format_for, matches_any

    def wanted(path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        if format_for(name) is None and not matches_any(name, settings.include):
            return False
        return not (settings.exclude and any(path_matches(path, p) for p in settings.exclude))

    return wanted


def _revisions(root: str, args: argparse.Namespace) -> list[str]:
    from keylint import gitinfo

    revisions = ["--all"] if args.all else list(args.branch) or ["HEAD"]
    for rev in [r for r in revisions if r != "--all"] + ([args.since] if args.since else []):
        if rev != "HEAD" and not gitinfo.commit_exists(root, rev):
            raise ConfigError(f"unknown branch or revision {rev!r} in {root}")
    if args.since:
        revisions.append("^" + args.since)
    return revisions


def scan_history(
    root: str, revisions: list[str], pathspecs: list[str], settings: Settings
) -> tuple[dict[str, _First], dict[str, int]]:
    """{secret: _First} for every distinct secret in the added lines, and counters."""
    from keylint import gitinfo, suppress
    from keylint.engine import FileContext, detector_for, is_template
    from keylint.model import Entry, ParseResult
    from keylint.parsers import parse
    from keylint.rules import all_rules

    detector = detector_for(settings)
    secret_rules = [
        r for r in all_rules().values() if r.category == "secret" and r.scope == "entry" and r.name != "example-key"
    ]
    first: dict[str, _First] = {}
    stats: dict[str, int] = {}
    paths: set[str] = set()
    for hunk in gitinfo.history_hunks(root, revisions, pathspecs, _wanted(settings), stats):
        paths.add(hunk.path)
        text = "\n".join(hunk.lines)
        by_line = {e.line: e for e in parse("lines", text).entries}
        offset = hunk.line - 1
        entries = []
        for number, line in enumerate(hunk.lines, start=1):
            entry = by_line.get(number)
            if entry is None:  # not KEY=value: a YAML list item, a bare token...; prefixed keys are still found
                stripped = line.strip()
                if len(stripped) < 8:
                    continue
                entry = Entry("", stripped, stripped, number, len(line) - len(line.lstrip()) + 1, key_line=number)
            if "PRIVATE KEY-----" in entry.value and "-----END" not in entry.value:
                # A PEM block spans lines: its body is what tells one private key from another.
                entry = replace(entry, value=_pem_block(entry.value, hunk.lines[number:]))
            entries.append(replace(entry, line=entry.line + offset, key_line=(entry.key_line or entry.line) + offset))
        directives = suppress.parse_directives(text, "lines") if "keylint" in text.lower() else []
        ctx = FileContext(
            path=hunk.path,
            display=hunk.path,
            fmt="lines",
            text=text,
            parsed=ParseResult(entries=entries),
            matches=[],
            settings=settings,
            template=is_template(hunk.path),
            environment=None,
        )
        for entry in entries:
            matches = detector.find(entry)
            for rule in secret_rules:
                if not settings.enabled(rule.code, hunk.path):
                    continue
                for problem in rule.check(entry, matches, ctx):
                    secret = problem.secret
                    if not secret or secret in first:
                        continue
                    line = problem.line or entry.line
                    if any(
                        d.line == line - offset and (d.codes is None or {rule.code, "KL504"} & d.codes)
                        for d in directives
                    ):
                        continue
                    first[secret] = _First(problem, rule.code, hunk.commit, hunk.date, hunk.path)
    stats["files"] = len(paths)
    return first, stats


def _pem_block(first: str, following: list[str]) -> str:
    """The lines of a PEM block, from its BEGIN line to its END line (or the end of the hunk)."""
    lines = [first]
    for line in following:
        lines.append(line.strip().strip("\"',"))
        if "-----END" in line:
            break
    return "\n".join(lines)


def present_at_head(root: str, secrets: set[str], settings: Settings) -> set[str]:
    from keylint import gitinfo

    # Multi-line secrets (PEM blocks) are compared without whitespace: indentation differs between formats.
    remaining = {secret: "".join(secret.split()) if "\n" in secret else None for secret in secrets}
    found: set[str] = set()
    for _path, data in gitinfo.head_blobs(root, _wanted(settings), settings.max_file_size):
        if not remaining:
            break
        text = data.decode("utf-8", "replace")
        squashed = "".join(text.split()) if any(remaining.values()) else ""
        hits = {s for s, flat in remaining.items() if (flat in squashed if flat else s in text)}
        found |= hits
        for secret in hits:
            del remaining[secret]
    return found


def run(args: argparse.Namespace) -> int:
    from keylint import gitinfo
    from keylint.commands.scan import emit, settings_from_args
    from keylint.discover import display_path
    from keylint.engine import ScanReport, make_finding
    from keylint.model import Severity
    from keylint.rules import all_rules
    from keylint.rules.leak import rotate_advice

    started = time.perf_counter()
    args.paths = args.paths or []
    settings = settings_from_args(argparse.Namespace(**{**vars(args), "paths": args.paths or ["."]}))
    root = gitinfo.find_root(args.paths[0] if args.paths else ".")
    if root is None:
        raise ConfigError(f"keylint history needs a git repository; {os.path.abspath('.')} is not inside one")
    pathspecs = []
    for given in args.paths:
        rel = gitinfo.relpath(given, root)
        if rel == ".." or rel.startswith("../"):
            raise ConfigError(f"{given} is outside the repository {root}")
        pathspecs.append("." if rel == "." else ":(literal)" + rel)
    pathspecs = pathspecs or [f":(glob)**/{glob}" for glob in _NAME_GLOBS]
    if not gitinfo.commit_exists(root, "HEAD") and not args.branch and not args.all:
        first: dict[str, _First] = {}
        stats: dict[str, int] = {}
    else:
        first, stats = scan_history(root, _revisions(root, args), pathspecs, settings)
    at_head = present_at_head(root, set(first), settings) if first else set()
    rule = all_rules()["KL504"]
    findings = []
    for secret, seen in first.items():
        problem = seen.problem
        still = secret in at_head
        path = display_path(os.path.join(root, seen.path))
        message = (
            f"{problem.message} committed in {seen.commit[:12]} on {seen.date[:10]}; "
            + ("still present at HEAD" if still else "removed since, but it stays in the history")
        )
        finding = make_finding(
            rule,
            replace(
                problem,
                message=message,
                path=path,
                fix=f"{rotate_advice(problem.provider, problem.extra.get('kind'))}; deleting it does not remove it "
                "from history",
                severity=Severity.WARNING if seen.source in _WARNING_SOURCES else None,
                extra={
                    **problem.extra,
                    "commit": seen.commit,
                    "date": seen.date,
                    "present_at_head": still,
                    "source_rule": seen.source,
                },
            ),
            path,
            settings,
        )
        if settings.enabled(rule.code, path):
            findings.append(finding)
    findings.sort(key=lambda f: f.sort_key)
    report = ScanReport(
        findings=findings,
        notices=[],
        files_scanned=stats.get("files", 0),
        duration=time.perf_counter() - started,
        settings=settings,
        extra={"commits": stats.get("commits", 0), "file_changes": stats.get("file_changes", 0)},
    )
    if args.format == "text" and not args.quiet:
        print(
            f"keylint history: {stats.get('commits', 0)} commits, {stats.get('file_changes', 0)} config file changes "
            f"in {report.duration:.2f}s",
            file=sys.stderr,
        )
    return emit(report, args, settings)
