"""The pipeline: read -> parse -> detect -> rules -> filter, one file at a time.

``scan_file`` is a pure function of a file and the settings, so large scans
can run it in worker processes; ``run_scan`` drives discovery, the workers and
the cross-file rules, and returns a :class:`ScanReport` for the reporters.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from collections.abc import Callable, Container, Iterable, Iterator
from operator import attrgetter

from keylint import TYPE_CHECKING, fastpath, limits, prefilter, suppress
from keylint.config import Settings, path_matches
from keylint.detect import Detector
from keylint.discover import Target, discover
from keylint.excerpt import attach_context
from keylint.model import Entry, Finding, Match, Notice, ParseResult, Severity
from keylint.parsers import parse
from keylint.read import ReadError, read_text
from keylint.records import dataclass, field, fields
from keylint.redact import fingerprint, scrub
from keylint.rules import EntryGates, Problem, Rule, all_rules, file_facts

if TYPE_CHECKING:
    from typing import Any

TEMPLATE_MARKERS = (".example", ".sample", ".template", ".tmpl", ".tpl", ".dist", ".defaults")
# A marker that ends the name or is followed by a dot, found in one search (asked for every file, twice).
_TEMPLATE_MARKER = re.compile("(?:" + "|".join(map(re.escape, TEMPLATE_MARKERS)) + r")(?:\.|\Z)")


def is_template(name: str) -> bool:
    """Files meant to be committed and copied: .env.example, config.yaml.dist, example.env ..."""
    lower = name.rsplit("/", 1)[-1].lower()
    return _TEMPLATE_MARKER.search(lower) is not None or lower.startswith(("example.", "sample.", "template."))


# Words in file names that say which environment a config file is for.
ENVIRONMENT_WORDS = (
    ("production", ("production", "prod", "prd", "live")),
    ("development", ("development", "dev", "local")),
    ("test", ("test", "testing", "staging", "stage", "sandbox", "qa", "ci")),
)


_NAME_WORD_BREAK = re.compile(r"[.\-_]")


def environment_of(path: str) -> str | None:
    """ "production" / "development" / "test" when the file name says so."""
    lower = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    # Whole words of the name, last one included: .env.production, values-prod.yaml, settings_dev.toml.
    parts = set(_NAME_WORD_BREAK.split(lower))
    for env, words in ENVIRONMENT_WORDS:
        if parts.intersection(words):
            return env
    return None


@dataclass
class FileContext:
    """Everything the rules may look at for one file."""

    path: str  # filesystem path
    display: str  # as shown to the user
    fmt: str
    text: str
    parsed: ParseResult
    matches: list[list[Match]]  # parallel to parsed.entries
    settings: Settings
    template: bool
    environment: str | None
    git: Any = None  # keylint.gitinfo state when known ("tracked", "staged", "ignored", "untracked")
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def entries(self) -> list[Entry]:
        return self.parsed.entries


@dataclass(slots=True)  # one per file scanned, kept to the end of the scan
class FileSummary:
    """What the scan-scope rules need to know about a file, kept after its text is gone."""

    path: str
    display: str
    fmt: str
    template: bool
    environment: str | None
    keys: list[tuple[str, int]]  # (key path, line) of every entry, for files of the dotenv format
    secrets: list[tuple[Entry, Match]]  # every provider key found
    git: Any = None
    # Only for --verify, and only in files with a key: every value with its matches, where
    # keylint.verify.pairing finds partners (an AWS secret, a Twilio SID, an Okta org URL).
    entries: list[tuple[Entry, list[Match]]] = field(default_factory=list)
    # Inline directives (line, codes or None for all), for findings made after the text is gone.
    directives: list[tuple[int, frozenset[str] | None]] = field(default_factory=list)


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    summary: FileSummary | None = None
    scanned: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Results cross from the worker processes pickled (a dense tree's 69k findings): a finding as the tuple of
        # its field values pickles and unpickles in about half the time of the default, a dictionary of its slots.
        findings = [_finding_values(f) for f in self.findings]
        return (_unpickled_result, (findings, self.notices, self.summary, self.scanned))


_finding_values = attrgetter(*fields(Finding))


def _unpickled_result(
    findings: list[tuple[Any, ...]], notices: list[Notice], summary: FileSummary | None, scanned: bool
) -> FileResult:
    """A :class:`FileResult` from its pickled form (see its ``__reduce__``)."""
    return FileResult([Finding(*values) for values in findings], notices, summary, scanned)


@dataclass
class ScanContext:
    files: list[FileSummary]
    settings: Settings
    findings: list[Finding]


@dataclass
class ScanReport:
    findings: list[Finding]
    notices: list[Notice]
    files_scanned: int
    duration: float
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)
    files: list[FileSummary] = field(default_factory=list)  # for post stages (verification pairs keys by file)

    @property
    def errors(self) -> list[Notice]:
        return [n for n in self.notices if n.kind != "skipped"]

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


_DETECTORS: dict[int, Detector] = {}


def detector_for(settings: Settings) -> Detector:
    key = id(settings.extra_providers)
    if key not in _DETECTORS:
        from keylint.providers import all_providers

        _DETECTORS[key] = Detector(all_providers(settings.extra_providers))
    return _DETECTORS[key]


def _build_once(settings: Settings, parallel: bool = False) -> None:
    """What every scan builds on first use (rules, detector, prefilter), and with ``parallel`` what the workers of a
    parallel scan share (see _scan_parallel): built early while git answers."""
    all_rules()
    detector = detector_for(settings)
    if prefilter.enabled():
        found = prefilter.prefilter_for(detector)
        if parallel:
            from keylint.fastpath.candidates import value_candidates

            value_candidates(found).accelerate()


def make_finding(rule: Rule, problem: Problem, ctx_display: str, settings: Settings) -> Finding:
    entry = problem.entry
    line = problem.line if problem.line is not None else (entry.line if entry else 1)
    column = problem.column if problem.column is not None else (entry.column if entry else 1)
    key = problem.key if problem.key is not None else (entry.key if entry else None)
    path = problem.path or ctx_display
    severity = settings.severity.get(rule.code) or problem.severity or rule.severity
    secret = problem.secret
    message = scrub(problem.message, secret, problem.public_prefix)
    fix = scrub(problem.fix, secret, problem.public_prefix) if problem.fix else None
    # Every field by position, in Finding's order: 14 keyword arguments cost about a microsecond more per finding
    # (the dense tree makes 69k); tests/test_entry_fastpaths.py compares the result with a Finding built by name.
    return Finding(
        rule.code,
        rule.name,
        severity,
        rule.category,
        path,
        line,
        column,
        key,
        problem.provider,
        message,
        secret,
        fix,
        fingerprint(rule.code, path, key, secret),
        dict(problem.extra),
    )


class _RuleGroup:
    """The rules switched on for a group of files (see enabled_rules), with what analyse needs of them for each
    file: the file-scope ones, and the entry gates of each kind of file (worked out once here, not once a file)."""

    __slots__ = ("_gates", "file_rules", "rules")

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.file_rules = [r for r in rules if r.scope == "file"]
        self._gates: dict[tuple[Any, ...], EntryGates] = {}

    def gates(self, fmt: str, template: bool, git: Any, examples: Container[str], enabled: bool) -> EntryGates:
        """EntryGates(self.rules, file_facts(fmt, template, git), examples, enabled), shared by the files alike."""
        # The gates keep ``examples`` alive, so its id in their key is never another object's.
        key = (fmt, template, git.state if git is not None else None, id(examples), enabled)
        gates = self._gates.get(key)
        if gates is None:
            gates = self._gates[key] = EntryGates(self.rules, file_facts(fmt, template, git), examples, enabled)
        return gates


# The rules switched on for a file, by what decides it: the codes ignored everywhere and which per-file-ignores
# patterns match the file's path. A scan's files fall into a few such groups (building the list is ~10 us a file).
_RULE_GROUPS: dict[tuple[Any, ...], _RuleGroup] = {}


def _rule_group(settings: Settings, display: str) -> _RuleGroup:
    matched = tuple(path_matches(display, pattern) for pattern, _ in settings.per_file_ignores)
    key = (settings.ignore, settings.per_file_ignores, matched)
    try:
        return _RULE_GROUPS[key]
    except KeyError:
        if len(_RULE_GROUPS) >= 64:  # many settings in one process (tests, an editor integration)
            _RULE_GROUPS.clear()
        group = _RULE_GROUPS[key] = _RuleGroup(_rules_enabled(settings, display))
        return group
    except TypeError:  # a set where Settings has a frozenset: not a key, so asked every time
        return _RuleGroup(_rules_enabled(settings, display))


def _rules_enabled(settings: Settings, display: str) -> list[Rule]:
    return [r for r in all_rules().values() if settings.enabled(r.code, display)]


def enabled_rules(settings: Settings, display: str) -> list[Rule]:
    """The rules ``settings`` switch on for the file shown as ``display``, in code order (shared: never changed)."""
    return _rule_group(settings, display).rules


# is_template and environment_of of a file name: a tree repeats a few names (.env, values.yaml) many times.
_NAME_FACTS: dict[str, tuple[bool, str | None]] = {}


def _name_facts(display: str) -> tuple[bool, str | None]:
    """(is_template(display), environment_of(display)): both depend only on the last "/"-separated part."""
    name = display.rsplit("/", 1)[-1]
    facts = _NAME_FACTS.get(name)
    if facts is None:
        if len(_NAME_FACTS) >= 4096:
            _NAME_FACTS.clear()
        facts = _NAME_FACTS[name] = (is_template(name), environment_of(name))
    return facts


def analyse(
    path: str,
    display: str,
    fmt: str,
    text: str,
    settings: Settings,
    git: Any = None,
    *,
    keep_keys: bool | None = None,
) -> tuple[list[Finding], FileSummary]:
    """Parse, detect and run the file- and entry-scope rules over one file's text.

    ``keep_keys``: whether the summary lists a .env file's variables (for the drift rules); by
    default when a template sits beside it on disk or it is one."""
    detector = detector_for(settings)
    prefiltered = prefilter.enabled()  # an environment variable, read once a file
    options = settings.options
    template, environment = _name_facts(display)
    keys_wanted = fmt == "dotenv" and (keep_keys if keep_keys is not None else _may_pair(path, template))
    reading = None
    if prefiltered and not options.get("verify"):
        # Common shapes of .env, YAML and JSON files, read without building the values nothing reacts to;
        # not with --verify, which pairs keys with partner values anywhere in the file.
        reading = fastpath.read(fmt, text, prefilter.prefilter_for(detector), keys=keys_wanted)
    if reading is not None:
        parsed = reading.parsed()
    else:
        parsed = parse(fmt, text)
        if parsed.failed and fmt != "lines":
            fallback = parse("lines", text)
            parsed.entries = fallback.entries
    entries = parsed.entries
    if prefiltered and reading is None:
        # Values no rule can react to (most of a config file) skip detection and the entry rules.
        matters = prefilter.prefilter_for(detector).matters
        relevant: Iterable[int] = [i for i, e in enumerate(entries) if matters(e.key, e.value)]
        matches: list[list[Match]] = [[] for _ in entries]
        for i in relevant:
            matches[i] = detector.find(entries[i])
    else:
        # Every entry: without the prefilter, or from a fast path, which reads only the entries it keeps.
        relevant = range(len(entries))
        matches = [detector.find(e) for e in entries]
    ctx = FileContext(
        path=path,
        display=display,
        fmt=fmt,
        text=text,
        parsed=parsed,
        matches=matches,
        settings=settings,
        template=template,
        environment=environment,
        git=git,
    )
    group = _rule_group(settings, display)
    findings: list[Finding] = []
    for rule in group.file_rules:
        for problem in rule.check(ctx):
            findings.append(make_finding(rule, problem, display, settings))
    # An entry-scope rule is not even started for an entry its gate turns away (a rule about a valid key, for an
    # entry without one); switched off with the prefilter, for the tests that compare the two.
    gates = group.gates(fmt, template, git, detector.examples, prefiltered)
    for i in relevant:
        entry, entry_matches = entries[i], matches[i]
        for rule in gates.rules_for(entry, entry_matches):
            for problem in rule.check(entry, entry_matches, ctx):
                findings.append(make_finding(rule, problem, display, settings))
    if git is not None:
        state = str(git)  # once a file, not once a finding
        for finding in findings:
            finding.extra.setdefault("git", state)
    context = options.get("context", True)  # only reports that show source lines need them
    before_suppression = [(f.line, f.secret) for f in findings if f.secret] if context else []
    directives = suppress.parse_directives(text, fmt)
    findings = suppress.apply_inline(findings, text, fmt, display, settings, directives)
    if findings and context:
        attach_context(findings, text, parsed.entries, matches, before_suppression)
    summary = FileSummary(
        path=path,
        display=display,
        fmt=fmt,
        template=ctx.template,
        environment=ctx.environment,
        keys=(reading.keys if reading is not None else [(e.key, e.key_line or e.line) for e in entries])
        if keys_wanted
        else [],
        secrets=[(e, m) for e, ms in zip(parsed.entries, matches, strict=True) for m in ms if m.valid and m.is_secret],
        git=git,
    )
    if options.get("verify") and summary.secrets:
        summary.entries = list(zip(parsed.entries, matches, strict=True))
    summary.directives = [(d.line, d.codes) for d in directives if not d.misplaced]
    return findings, summary


def scan_file(target: Target, settings: Settings, keep_secrets: bool = True) -> FileResult:
    """Read and analyse one file. Whatever happens to it ends up in the result, never as an exception:
    a file that cannot be read, that hits a limit (keylint.limits) or that trips a bug in keylint is a
    notice naming it, and the other files are still scanned and reported.

    ``keep_secrets``: whether the summary lists the file's keys; a scan asks for them only where
    something after it reads them (see :func:`_secrets_wanted`)."""
    result = FileResult()
    try:
        text, read_notices = read_text(target.path, settings, display=target.display, data=target.data)
    except ReadError as error:
        result.notices.append(Notice(target.display, str(error), error.kind))
        return result
    result.notices.extend(read_notices)
    timeout, depth = limits.from_settings(settings)
    try:
        analysed = _analyse_within_limits(target, text, settings, timeout, depth, result.notices)
    except Exception as error:
        from keylint import crash

        if settings.options.get("debug"):  # the CLI prints the traceback, its messages scrubbed
            raise crash.FileCrash(target.display, crash.safe_traceback(error, [text])) from None
        result.notices.append(
            Notice(
                target.display,
                f"{target.display}: not scanned: internal error ({type(error).__name__}) in keylint; "
                "please report it (--debug shows where)",
                "error",
            )
        )
        return result
    if analysed is not None:
        result.findings, result.summary = analysed
        if not keep_secrets:
            result.summary.secrets = []
        result.scanned = True
    return result


def _may_pair(path: str, template: bool) -> bool:
    """Could the drift rules (KL612/KL613) compare this .env file's variables with another file's?

    Only a template (.env.example ...) and the file it stands for are compared, and both sit in
    the same directory: without such a template on disk next to it, the summary (kept for the
    whole scan) need not list them, 1.7 million of them in a 50 MB .env file."""
    if template:
        return True
    from keylint.rules.stale import template_base

    directory, name = os.path.split(path)
    try:
        listing = os.listdir(directory or ".")
    except OSError:
        return True
    return any(template_base(other) == name for other in listing if other != name)


def _analyse_within_limits(
    target: Target, text: str, settings: Settings, timeout: float, depth: int, notices: list[Notice]
) -> tuple[list[Finding], FileSummary] | None:
    """``analyse`` under the per-file time and depth limits; past the time limit, once more line by line."""
    display = target.display
    keep = True if target.data is not None else None  # staged content: its template may not be on disk
    with limits.depth_limit(depth):
        try:
            with limits.time_limit(timeout):
                return analyse(target.path, display, target.fmt, text, settings, git=target.git, keep_keys=keep)
        except limits.FileTimeout:
            pass
        if target.fmt != "lines":
            try:
                with limits.time_limit(timeout):
                    analysed = analyse(target.path, display, "lines", text, settings, git=target.git, keep_keys=keep)
            except limits.FileTimeout:
                pass
            else:
                notices.append(
                    Notice(
                        display,
                        f"{display}: reading it as {target.fmt} took longer than {timeout:g}s (parse-timeout), "
                        "so it was scanned line by line instead",
                        "limit",
                    )
                )
                return analysed
    notices.append(
        Notice(
            display,
            f"{display}: not scanned: its analysis took longer than {timeout:g}s "
            "(parse-timeout; raise it with --parse-timeout)",
            "limit",
        )
    )
    return None


def _secrets_wanted(targets: list[Target], settings: Settings) -> list[bool]:
    """For each target: does anything after the scan read the keys its summary would list?

    Summaries last the whole scan (and cross from the worker processes), and a dense tree holds tens
    of thousands of keys. They are read by verification (--verify), by --debug (to scrub them from
    tracebacks) and by KL611, which compares the keys of sibling files of one family in this scan
    (.env and .env.production; values.yaml and values-prod.yaml; templates left out)."""
    if settings.options.get("verify") or settings.options.get("debug"):
        return [True] * len(targets)
    from keylint.rules.stale import family

    families = [None if is_template(t.display) else family(t.display) for t in targets]
    sizes: dict[tuple[str, str], int] = {}
    for name in families:
        if name is not None:
            sizes[name] = sizes.get(name, 0) + 1
    return [name is not None and sizes[name] > 1 for name in families]


def _scan_serial(
    targets: list[Target], settings: Settings, keep_secrets: list[bool]
) -> Iterator[tuple[int, FileResult]]:
    for index, (target, keep) in enumerate(zip(targets, keep_secrets, strict=True)):
        yield index, _scan_sorted(target, settings, keep)


def _worker_scan(args: tuple[Target, Settings, bool]) -> FileResult:
    return _scan_sorted(*args)


def _scan_sorted(target: Target, settings: Settings, keep_secrets: bool) -> FileResult:
    """scan_file, its findings in the report's order: sorted where the file is scanned (in the worker processes of a
    parallel scan), so that the report's findings, put together file by file, are mostly in order already and need
    no sort in the main process alone after the scan (see run_scan)."""
    result = scan_file(target, settings, keep_secrets)
    result.findings.sort(key=SORT_KEY)
    return result


def _scan_parallel(
    targets: list[Target], settings: Settings, keep_secrets: list[bool], jobs: int
) -> Iterator[tuple[int, FileResult]]:
    from keylint.fastpath.candidates import value_candidates

    # Built before the workers fork, so that they share them instead of each building its own.
    all_rules()
    value_candidates(prefilter.prefilter_for(detector_for(settings))).accelerate()  # with its Hyperscan database
    # Largest files first, so that the processes finish together; each result comes back with its target's index,
    # as soon as it is there.
    order = sorted(range(len(targets)), key=lambda i: -targets[i].size)
    if FORK:  # this process scans a share too (keylint.pool)
        from keylint import pool

        yield from pool.run(order, lambda i: _scan_sorted(targets[i], settings, keep_secrets[i]), jobs - 1)
        return
    from concurrent.futures import ProcessPoolExecutor

    big = sum(1 for i in order if targets[i].size >= _SMALL_FILE)
    with ProcessPoolExecutor(max_workers=jobs) as pool_:
        large = pool_.map(_worker_scan, ((targets[i], settings, keep_secrets[i]) for i in order[:big]))
        small = pool_.map(_worker_scan, ((targets[i], settings, keep_secrets[i]) for i in order[big:]), chunksize=16)
        yield from zip(order, itertools.chain(large, small), strict=True)


# Where a process can fork without exec (Linux: macOS and Windows start workers afresh, by concurrent.futures),
# a parallel scan's workers are forked copies of this process, sharing its files with it (keylint.pool).
FORK = sys.platform.startswith("linux")

# Without fork: files this small go to the workers in batches; larger ones one by one, largest first.
_SMALL_FILE = 256 * 1024


# Finding.sort_key, read in C: a dense tree's report sorts 69k findings after the scan, in the main process alone.
SORT_KEY = attrgetter("path", "line", "column", "rule")

# Below this much data, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD_BYTES = 8 * 1024 * 1024


def _parallel(targets: list[Target], jobs: int) -> bool:
    """Is a scan of ``targets`` worth worker processes?"""
    return jobs > 1 and len(targets) > 1 and sum(t.size for t in targets) >= PARALLEL_THRESHOLD_BYTES


def run_scan(
    paths: list[str],
    settings: Settings,
    targets: Iterable[Target | Notice] | None = None,
    progress: Callable[[int, int], None] | None = None,
    returned: Callable[[list[Finding]], None] | None = None,
) -> ScanReport:
    """Scan every target; ``progress(done, total)`` is called after each file (the CLI's progress bar).

    ``returned(findings)`` is called with each file's findings as the worker processes of a parallel scan
    return them (in no particular order), so that the report can be started while they still scan; a scan
    in this process makes no such calls (there the work would only move, never overlap)."""
    started = time.perf_counter()
    notices: list[Notice] = []
    file_targets: list[Target] = []
    items: Iterable[Target | Notice] = targets if targets is not None else discover(paths, settings)
    jobs = settings.jobs or (os.cpu_count() or 1)
    if settings.options.get("git", True):
        from keylint.gitinfo import annotate

        items = list(items)
        # What the workers of a parallel scan share is built then too (Hyperscan's database: tens of ms).
        shared = _parallel([item for item in items if isinstance(item, Target)], jobs)
        items = annotate(items, meanwhile=lambda: _build_once(settings, shared))
    for item in items:
        if isinstance(item, Notice):
            notices.append(item)
        else:
            file_targets.append(item)
    keep_secrets = _secrets_wanted(file_targets, settings)
    if _parallel(file_targets, jobs):
        results: Iterable[tuple[int, FileResult]] = _scan_parallel(file_targets, settings, keep_secrets, jobs)
    else:
        results = _scan_serial(file_targets, settings, keep_secrets)
        returned = None
    # The progress bar counts files as they are done; the report is put together in the targets' order.
    arrived: dict[int, FileResult] = {}
    for done, (index, result) in enumerate(results, start=1):
        arrived[index] = result
        if returned is not None and result.findings:
            returned(result.findings)
        if progress is not None:
            progress(done, len(file_targets))
    findings: list[Finding] = []
    summaries: list[FileSummary] = []
    scanned = 0
    # Each file's findings come sorted: the whole is in order when each file's first comes after the last before it
    # (a dense tree's 69k findings, touched one by one, took ~30 ms to sort in this process alone).
    in_order = True
    last_key: tuple[Any, ...] | None = None
    for index in range(len(file_targets)):
        result = arrived.pop(index)
        if result.findings:
            if in_order and last_key is not None and SORT_KEY(result.findings[0]) < last_key:
                in_order = False
            last_key = SORT_KEY(result.findings[-1])
        findings.extend(result.findings)
        notices.extend(result.notices)
        if result.summary is not None:
            summaries.append(result.summary)
        scanned += result.scanned
    if settings.options.get("debug"):  # a traceback printed later must not quote these
        from keylint import crash

        crash.remember(f.secret for f in findings)
        crash.remember(m.token for s in summaries for _, m in s.secrets)
    scan_ctx = ScanContext(files=summaries, settings=settings, findings=findings)
    for rule in all_rules().values():
        if rule.scope != "scan":
            continue
        for problem in rule.check(scan_ctx):
            path = problem.path or ""
            if settings.enabled(rule.code, path):
                findings.append(make_finding(rule, problem, path, settings))
                in_order = False
    if not in_order:
        findings.sort(key=SORT_KEY)
    return ScanReport(
        findings=findings,
        notices=notices,
        files_scanned=scanned,
        duration=time.perf_counter() - started,
        settings=settings,
        files=summaries,
    )
