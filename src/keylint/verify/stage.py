"""The ``--verify`` post stage: plan one check per distinct key, ask (or read the cache), report.

Runs on the finished :class:`~keylint.engine.ScanReport` (``commands/scan.py`` ``POST_STAGES`` names
:func:`keylint.verify.run_stage`, which imports this module only for ``--verify``). For every
provider key the scan found, it

1. picks the provider's check for that kind of key (none: ``unverifiable``), refuses known AWS
   canary accounts, and finds partner values next to the key (:mod:`keylint.verify.pairing`);
2. merges identical checks, so a key that appears in many files is sent once;
3. serves what it can from the cache, sends the rest (:mod:`keylint.verify.client`, imported only
   now), and caches the conclusive answers;
4. attaches ``Finding.extra["verification"] = {"status", "detail", "checked_at"}`` to the key's
   finding (KL101, or KL501/KL503 in its place) and adds one KL7xx finding per occurrence: KL701 rejected
   (error, verify), KL702 revoked/expired (error, stale), KL703 a working key in a committed or template file
   (error, leak), KL704 working (info), KL705 no conclusive answer (info).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from keylint import TYPE_CHECKING
from keylint.config import ConfigError, Settings
from keylint.model import Entry, Finding, Match
from keylint.records import dataclass, field
from keylint.redact import scrub
from keylint.rules import Problem
from keylint.values import normalized_name
from keylint.verify.options import BaseURL, VerifyOptions, base_url_override, options_from
from keylint.verify.pairing import Item, find_params
from keylint.verify.spec import Check, Unverifiable, check_for, checks_of, no_check_reason, partner_kinds, prepare

if TYPE_CHECKING:
    from typing import Any

    from keylint.engine import FileSummary, ScanReport
    from keylint.providers import Provider

PROGRESS_MIN_REQUESTS = 20
_COMMITTED_STATES = frozenset({"tracked", "staged"})


@dataclass
class Result:
    status: str
    detail: str
    checked_at: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, str]:
        stamp = datetime.fromtimestamp(self.checked_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"status": self.status, "detail": self.detail, "checked_at": stamp}


@dataclass
class Job:
    """One request: a distinct (provider, check, key, parameters)."""

    provider: Provider
    check: Check
    key: str
    params: dict[str, str]
    result: Result | None = None
    digest: str | None = None

    @property
    def secrets(self) -> list[str]:
        hidden = {p.name for p in self.check.params if p.secret}
        return [self.key, *(v for k, v in self.params.items() if k in hidden)]


@dataclass
class Occurrence:
    """A key at one place in one file, and what decides its status (a job, or a result known up front)."""

    display: str
    summary: FileSummary | None
    entry: Entry
    match: Match
    provider: Provider
    job: Job | None = None
    result: Result | None = None
    partner: bool = False  # checked only together with another key (an AWS secret, a Twilio token)


@dataclass
class Plan:
    occurrences: list[Occurrence] = field(default_factory=list)
    jobs: dict[tuple[Any, ...], Job] = field(default_factory=dict)
    # (file, partner token) -> jobs that used it
    partner_uses: dict[tuple[str, str], list[Job]] = field(default_factory=dict)


def run(report: ScanReport, args: argparse.Namespace) -> None:
    """The post stage: does nothing without ``--verify``."""
    if not getattr(args, "verify", False):
        return
    verify_report(
        report,
        options_from(report.settings, args),
        base_url_override(),
        progress=_progress_for(getattr(args, "format", "text")),
    )


def verify_report(
    report: ScanReport,
    options: VerifyOptions,
    base_url: BaseURL | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: Any = None,
) -> Plan:
    plan = make_plan(report)
    if cache is None and options.use_cache and options.cache_ttl > 0:
        from keylint.verify.cache import VerifyCache

        cache = VerifyCache(ttl=options.cache_ttl)
    pending: list[Job] = []
    for job in plan.jobs.values():
        if cache is not None:
            job.digest = cache.digest(
                job.provider.id,
                job.check.method,
                job.check.url,
                job.key,
                *(f"{k}={v}" for k, v in sorted(job.params.items())),
            )
            record = cache.get(job.digest)
            if record is not None:
                job.result = Result(record["status"], record.get("detail", ""), float(record["checked_at"]))
                continue
        pending.append(job)
    _ask(pending, options, base_url, progress)
    if cache is not None:
        cache.put_many(
            {
                job.digest: {"status": r.status, "detail": r.detail, "checked_at": r.checked_at}
                for job in pending
                if job.digest and (r := job.result) is not None
            }
        )
    apply(report, plan)
    return plan


def _ask(
    jobs: list[Job], options: VerifyOptions, base_url: BaseURL | None, progress: Callable[[int, int], None] | None
) -> None:
    sendable: list[tuple[Job, Any]] = []
    for job in jobs:
        try:
            sendable.append((job, prepare(job.check, job.provider.id, job.key, job.params)))
        except Unverifiable as reason:
            job.result = Result("unverifiable", str(reason))
    if not sendable:
        return
    try:
        from keylint.verify.client import Verifier  # httpx is imported only when something is sent
    except ImportError as error:
        if error.name not in {"httpx", "httpcore"}:
            raise
        raise ConfigError("--verify needs httpx to send requests: pip install 'keylint[verify]'") from None

    show = progress if progress is not None and len(sendable) >= PROGRESS_MIN_REQUESTS else None
    try:
        answers = Verifier(options, base_url, show).run([request for _, request in sendable])
    finally:
        if show is not None and hasattr(show, "close"):
            show.close()
    now = time.time()
    for (job, _), answer in zip(sendable, answers, strict=True):
        # Scrubbed before it is cached or shown: a provider's words may quote the key.
        job.result = Result(answer.status, _scrubbed(answer.detail, job.secrets), now)


# --- planning ------------------------------------------------------------------------------------


def _examples(settings: Settings) -> dict[str, object]:
    from keylint.engine import detector_for

    return detector_for(settings).examples


def _items(summary: FileSummary) -> list[Item]:
    if summary.entries:
        return [Item(entry, tuple(matches)) for entry, matches in summary.entries]
    # Without the full values (a report built by another command), partners can only be other keys.
    return [Item(entry, (match,)) for entry, match in summary.secrets]


def _fallback_summaries(report: ScanReport) -> list[FileSummary]:
    """Summaries rebuilt from KL101 findings, for reports that carry no file summaries."""
    from keylint.engine import FileSummary
    from keylint.providers import by_id

    by_path: dict[str, FileSummary] = {}
    for finding in report.findings:
        if finding.rule != "KL101" or not finding.provider or not finding.secret:
            continue
        provider = by_id(finding.provider)
        kind = str(finding.extra.get("kind", ""))
        fmt = next((f for f in provider.formats if f.kind == kind), None) if provider else None
        if fmt is None:
            continue
        summary = by_path.setdefault(
            finding.path, FileSummary(finding.path, finding.path, "", False, None, [], [], finding.extra.get("git"))
        )
        entry = Entry(finding.key or "", finding.secret, finding.secret, finding.line, finding.column)
        match = Match(finding.provider, kind, 0, len(finding.secret), finding.secret, True, fmt.environment, True, fmt)
        summary.secrets.append((entry, match))
    return list(by_path.values())


def make_plan(report: ScanReport) -> Plan:
    from keylint.providers import by_id
    from keylint.verify.aws import canary_reason

    plan = Plan()
    examples = _examples(report.settings)
    summaries = getattr(report, "files", None) or _fallback_summaries(report)
    for summary in summaries:
        items = _items(summary)
        seen: set[tuple[int, str]] = set()
        for entry, match in summary.secrets:
            if match.token in examples or (entry.line, match.token) in seen:
                continue
            seen.add((entry.line, match.token))
            provider = by_id(match.provider)
            # Only the registry's own formats: a config-defined provider (even one reusing an id) is never sent.
            if provider is None or match.format not in provider.formats:
                continue
            occurrence = Occurrence(summary.display, summary, entry, match, provider)
            plan.occurrences.append(occurrence)
            check = check_for(provider, match.kind, match.environment, normalized_name(entry.key))
            if check is None:
                if match.kind in partner_kinds(provider):
                    occurrence.partner = True
                else:
                    occurrence.result = Result("unverifiable", _no_check_reason(provider, match))
                continue
            if check.signer == "aws-sigv4":
                reason = canary_reason(match.token)
                if reason:
                    occurrence.result = Result("unverifiable", reason)
                    continue
            try:
                params = find_params(check, provider.id, entry, items)
            except Unverifiable as reason:
                occurrence.result = Result("unverifiable", str(reason))
                continue
            identity = (provider.id, check.method, check.url, match.token, tuple(sorted(params.items())))
            job = plan.jobs.get(identity)
            if job is None:
                job = plan.jobs[identity] = Job(provider, check, match.token, params)
            occurrence.job = job
            for param in check.params:
                if param.kinds and param.name in params:
                    uses = plan.partner_uses.setdefault((summary.display, params[param.name]), [])
                    if job not in uses:
                        uses.append(job)
    return plan


def _no_check_reason(provider: Provider, match: Match) -> str:
    recorded = no_check_reason(provider, match.kind)
    if recorded is not None:
        return recorded
    kind = match.kind.replace("-", " ")
    if checks_of(provider):
        return f"no safe read-only check for a {provider.name} {kind} (other kinds of {provider.name} keys are checked)"
    return f"{provider.name} has no endpoint keylint can safely ask about a {kind}"


# --- reporting -----------------------------------------------------------------------------------


def _result_of(occurrence: Occurrence, plan: Plan) -> Result:
    if occurrence.result is not None:
        return occurrence.result
    if occurrence.job is not None:
        assert occurrence.job.result is not None
        return occurrence.job.result
    jobs = plan.partner_uses.get((occurrence.display, occurrence.match.token), [])
    if not jobs:
        return Result("unverifiable", "checked only together with the key it belongs to; none found next to it")
    results = [j.result for j in jobs if j.result is not None]
    statuses = {r.status for r in results}
    if len(statuses) == 1:
        first = results[0]
        return Result(first.status, f"checked together with its partner key: {first.detail}", first.checked_at)
    return Result("unverifiable", "used with several keys that got different answers")


def _git_state(summary: FileSummary | None, finding: Finding | None) -> str | None:
    git = summary.git if summary is not None else None
    if git is None and finding is not None:
        git = finding.extra.get("git")
    if isinstance(git, dict):
        git = git.get("state")
    state = getattr(git, "state", git)
    return state if isinstance(state, str) else None


def _leak_reason(summary: FileSummary | None, finding: Finding | None) -> str | None:
    state = _git_state(summary, finding)
    if state in _COMMITTED_STATES:
        return f"this file is {'staged for commit' if state == 'staged' else 'tracked by git'}"
    if summary is not None and summary.template:
        return "this is a template file (templates are committed and copied)"
    return None


def _rotate_url(provider: Provider, kind: str) -> str | None:
    urls = provider.extra.get("rotate_urls", {}) if isinstance(provider.extra, dict) else {}
    return urls.get(kind) or provider.rotate_url


def apply(report: ScanReport, plan: Plan) -> None:
    """Attach statuses to the keys' findings (KL101, or KL501/KL503 in its place) and add the KL7xx findings."""
    from keylint.engine import make_finding
    from keylint.rules import SUPERSEDING, external_rule
    from keylint.rules.secrets import describe

    # The key's own finding: KL101, or the leak finding that replaces it in a committed or template file.
    key_rules = {"KL101", *(code for code, replaced in SUPERSEDING.items() if "KL101" in replaced)}
    kl101: dict[tuple[str, int, str, str], list[Finding]] = {}
    for finding in report.findings:
        if finding.rule in key_rules and finding.provider and finding.secret:
            kl101.setdefault((finding.path, finding.line, finding.provider, finding.secret), []).append(finding)
    settings = report.settings
    added: list[Finding] = []
    for occurrence in plan.occurrences:
        result = _result_of(occurrence, plan)
        secrets = occurrence.job.secrets if occurrence.job else [occurrence.match.token]
        detail = _scrubbed(result.detail, secrets)
        record = {**Result(result.status, detail, result.checked_at).as_dict()}
        entry, match, provider = occurrence.entry, occurrence.match, occurrence.provider
        owners = kl101.get((occurrence.display, entry.line, provider.id, match.token), [])
        for finding in owners:
            finding.extra["verification"] = record
        code, message, fix = _verdict(
            result.status, detail, describe(match), entry.key, provider, match.kind,
            _leak_reason(occurrence.summary, owners[0] if owners else None),
        )  # fmt: skip
        if not settings.enabled(code, occurrence.display):
            continue
        rule = external_rule(code)
        problem = Problem(
            message,
            entry=entry,
            column=entry.position_of(match.start)[1] if match.start else None,
            provider=provider.id,
            secret=match.token,
            fix=fix,
            public_prefix=len(match.format.prefix) if match.format else 0,
            extra={"kind": match.kind, "verification": record, "rotate_url": _rotate_url(provider, match.kind)},
        )
        added.append(make_finding(rule, problem, occurrence.display, settings))
    report.findings.extend(added)
    report.findings.sort(key=lambda f: f.sort_key)
    counts: dict[str, int] = {}
    for occurrence in plan.occurrences:
        status = _result_of(occurrence, plan).status
        counts[status] = counts.get(status, 0) + 1
    report.extra["verification"] = {"keys": len(plan.occurrences), "requests": len(plan.jobs), "statuses": counts}


def _verdict(
    status: str, detail: str, what: str, key: str, provider: Provider, kind: str, leak: str | None
) -> tuple[str, str, str | None]:
    where = f" in {key}" if key else ""
    rotate = _rotate_url(provider, kind)
    rotate_hint = f"rotate it at {rotate}" if rotate else f"rotate it in the {provider.name} dashboard"
    if status == "invalid":
        return (
            "KL701",
            f"{what}{where} is rejected by {provider.name} ({detail})",
            f"copy the key again from {rotate or provider.name}; check the variable, account and region",
        )
    if status in {"revoked", "expired"}:
        return (
            "KL702",
            f"{what}{where} is {status} according to {provider.name} ({detail})",
            f"replace it with the current key ({rotate_hint}) or remove the entry",
        )
    if status in {"valid", "valid_scoped"}:
        if leak:
            return (
                "KL703",
                f"{what}{where} works ({provider.name} accepted it) and {leak}: the key has leaked; {rotate_hint} now",
                "after rotating, replace the value with a placeholder and keep real keys out of shared files",
            )
        scoped = " (restricted: the checked endpoint is forbidden to it)" if status == "valid_scoped" else ""
        return "KL704", f"{what}{where} works: {provider.name} accepted it{scoped} ({detail})", None
    label = {"rate_limited": "rate limited", "unknown": "no conclusive answer", "unverifiable": "not verifiable"}
    return "KL705", f"{what}{where} was not verified ({label.get(status, status)}): {detail}", None


def _scrubbed(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = scrub(text, secret)
    return text


# --- progress ------------------------------------------------------------------------------------


class _Progress:
    """``verifying keys: 37/120`` on stderr, redrawn in place and erased at the end."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.drawn = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        self.stream.write(f"\rverifying keys: {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _progress_for(fmt: str) -> _Progress | None:
    """Only for a person at a terminal (see keylint.progress.wanted): never in CI, pre-commit or machine output."""
    try:
        from keylint.progress import wanted
    except ImportError:  # pragma: no cover - the progress module ships with the CLI
        return None
    return _Progress(sys.stderr) if wanted(fmt, sys.stderr, os.environ) else None
