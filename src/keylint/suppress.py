"""Inline suppressions: ``# keylint: ignore[KL101]`` on the line, or
``# keylint: ignore-next-line[KL101]`` on the line before (the only form in
``.env`` files, where some loaders keep a trailing comment as part of the value).

A suppression that suppresses nothing is reported as KL002, like ruff's RUF100.
Findings made after a file's text is gone (verification, rotation age, drift) are
matched against the same directives by :func:`apply_late`.
"""

from __future__ import annotations

import re

from keylint import TYPE_CHECKING
from keylint.config import Settings
from keylint.fastpath.reading import _blocks
from keylint.model import Finding
from keylint.records import dataclass

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

_DIRECTIVE = re.compile(r"keylint:\s*(ignore-next-line|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)
UNUSED_CODE = "KL002"


@dataclass
class Directive:
    line: int  # the line it applies to
    written_at: int  # the line it is written on
    column: int
    codes: frozenset[str] | None  # None: every rule
    same_line: bool
    used: set[str]
    misplaced: bool = False  # same-line form in a .env file


def late_codes() -> frozenset[str]:
    """Rules whose findings appear after the per-file pass: their suppressions are judged later."""
    from keylint.rules import all_rules

    return frozenset(r.code for r in all_rules().values() if r.scope in {"external", "scan"} and r.code != UNUSED_CODE)


def apply_late(report: Any) -> None:
    """Drop late findings (KL6xx from git, KL7xx from verification ...) that a directive on their line covers."""
    by_path = {s.display: s.directives for s in report.files if s.directives}
    if not by_path:
        return
    late = late_codes()
    report.findings = [
        f
        for f in report.findings
        if not (
            f.rule in late
            and any(line == f.line and (codes is None or f.rule in codes) for line, codes in by_path.get(f.path, ()))
        )
    ]


# A line can hold a directive only if its lower case holds "keylint". In ASCII text that is found in the text
# lower-cased (str.find runs far faster than a regex over a class of first characters); elsewhere the Kelvin sign
# is the one more character whose lower case is one of these letters (that of the dotted I, "i" and a combining
# dot, cannot be followed by "nt").
_KEYLINT_ANY_CASE = re.compile("[kK\u212a][eE][yY][lL][iI][nN][tT]")
_BLOCK = 1 << 20  # characters searched at a time


def _lines_naming_keylint(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) of every line of ``text`` whose lower case holds "keylint", and maybe of a few more: found
    a block at a time, without splitting a large file into lines."""
    blocks = _blocks(text, _BLOCK)
    block = next(blocks)
    number = 1  # of the line at ``counted`` in ``block``
    while True:
        lowered = block.lower() if block.isascii() else None  # the same length: offsets stay the same
        at = counted = 0
        while True:
            if lowered is not None:
                at = lowered.find("keylint", at)
            else:
                hit = _KEYLINT_ANY_CASE.search(block, at)
                at = hit.start() if hit else -1
            if at < 0:
                break
            start = block.rfind("\n", 0, at) + 1
            end = block.find("\n", at)
            end = len(block) if end < 0 else end
            number += block.count("\n", counted, start)
            counted = start
            yield number, block[start:end]
            at = end
        following = next(blocks, None)
        if following is None:  # no line numbers wanted past the last hit: the rest is not counted (a file's text)
            return
        number += block.count("\n", counted) + 1  # the "\n" between two blocks belongs to neither
        block = following


# Formats whose directives may follow another comment character (`; keylint: ignore`): in the others, only a line with
# a "#" can hold one.
_COMMENTS_WITHOUT_HASH = frozenset({"ini", "properties"})


def parse_directives(text: str, fmt: str) -> list[Directive]:
    if "#" not in text and fmt not in _COMMENTS_WITHOUT_HASH:
        # No line can hold a directive, and one search for a character says so: lower-casing the text to look for
        # "keylint" was ~25 us a file, and most config files (every JSON file) have no "#" at all.
        return []
    return _parse_directives(text, fmt)


def _parse_directives(text: str, fmt: str) -> list[Directive]:
    """parse_directives without its shortcut (tests/test_suppress_directives.py compares the two)."""
    directives: list[Directive] = []
    for number, line in _lines_naming_keylint(text):
        if "keylint" not in line.lower():
            continue
        hash_at = line.find("#")
        if hash_at < 0 and fmt not in _COMMENTS_WITHOUT_HASH:
            continue
        for match in _DIRECTIVE.finditer(line):
            if match.start() < hash_at and hash_at >= 0:
                continue
            codes = None
            if match.group(2) is not None:
                codes = frozenset(c.strip().upper() for c in match.group(2).split(",") if c.strip())
            next_line = match.group(1).lower() == "ignore-next-line"
            directives.append(
                Directive(
                    line=number + 1 if next_line else number,
                    written_at=number,
                    column=match.start() + 1,
                    codes=codes,
                    same_line=not next_line,
                    used=set(),
                    misplaced=not next_line and fmt == "dotenv",
                )
            )
    return directives


def apply_inline(
    findings: list[Finding],
    text: str,
    fmt: str,
    display: str,
    settings: Settings,
    directives: list[Directive] | None = None,
) -> list[Finding]:
    """Drop the findings a directive covers and add KL002 for unused directives; ``directives``:
    the file's, when the caller has them already (``parse_directives(text, fmt)``)."""
    if directives is None:
        directives = parse_directives(text, fmt)
    if not directives:
        return findings
    by_line: dict[int, list[Directive]] = {}
    for directive in directives:
        by_line.setdefault(directive.line, []).append(directive)
    kept: list[Finding] = []
    for finding in findings:
        suppressed = False
        for directive in by_line.get(finding.line, ()):
            if directive.misplaced:
                continue
            if directive.codes is None or finding.rule in directive.codes:
                directive.used.add(finding.rule)
                suppressed = True
        if not suppressed:
            kept.append(finding)
    if settings.enabled(UNUSED_CODE, display):
        kept.extend(_unused(directives, display, settings))
    return kept


def _unused(directives: list[Directive], display: str, settings: Settings) -> list[Finding]:
    from keylint.engine import make_finding
    from keylint.rules import Problem, all_rules

    rule = all_rules()[UNUSED_CODE]
    late = late_codes()  # cannot be judged yet: their findings come after this pass
    out = []
    for d in directives:
        if d.misplaced:
            message = (
                "`# keylint: ignore` at the end of a .env line has no effect (and some loaders keep it as part of "
                "the value); put `# keylint: ignore-next-line[...]` on the line before"
            )
        elif d.codes is None:
            if d.used:
                continue
            message = "unused suppression: no finding on this line to ignore; remove the comment"
        else:
            unused = sorted(c for c in d.codes if c not in d.used and c not in late and settings.enabled(c, display))
            if not unused:
                continue
            message = f"unused suppression of {', '.join(unused)}: no such finding on this line; remove it"
        out.append(make_finding(rule, Problem(message, line=d.written_at, column=d.column), display, settings))
    return out
