"""The rule catalogue.

A rule is a small function registered with :func:`rule`; its docstring is its
documentation (``keylint rules CODE``, docs/rules.md), written in the sections
*What it does*, *Why is this bad?*, *Example* and *How to fix*. A rule looks at
one of three scopes and yields :class:`Problem` objects, which the engine turns
into findings:

- ``entry``: ``check(entry, matches, ctx)`` for every value of a file;
- ``file``: ``check(ctx)`` once per file (duplicates, parse errors ...);
- ``scan``: ``check(scan)`` once per scan, across files (drift, missing keys).

Adding a rule means adding a function to one of the modules in ``_MODULES``
(or a new module listed there); the engine never changes.

An entry-scope rule may declare a *gate*: the facts (:data:`GATE_FACTS`) an entry and its file must have for the
rule to report anything there. The engine starts the rule only for such entries: most rules return at once for
most entries, and starting them is a good part of a dense scan's time. A gate is a tuple of terms, all of which
must hold; a term ``"a|b"`` holds when either fact does. tests/test_entry_fastpaths.py checks on generated corpora
that every rule reports nothing on an entry its gate turns away.

A rule may also declare what it *supersedes*: rules whose finding on the same key says less (KL501's "a key in a
tracked file" says all that KL101's "a key" does, and more). Where both report the same key, the report keeps
only the superseding finding (:func:`drop_superseded`), so a key is reported once, at its worst.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from importlib import import_module
from itertools import compress
from operator import attrgetter

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Entry, Finding, Match, Severity
from keylint.parsers import FORMATS
from keylint.records import dataclass, field

if TYPE_CHECKING:
    from typing import Any

    from keylint.engine import FileContext, ScanContext, ScanReport

_MODULES = ("parse", "secrets", "format", "hygiene", "placeholder", "leak", "stale", "verify")

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "How to fix")


@dataclass(slots=True)
class Problem:
    """What a rule reports; position and key default to the entry's."""

    message: str
    entry: Entry | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    provider: str | None = None
    secret: str | None = None  # the sensitive text the finding is about (masked in reports)
    fix: str | None = None
    severity: Severity | None = None  # overrides the rule's default for this finding
    path: str | None = None  # scan-scope rules name the file
    public_prefix: int = 0  # leading characters of `secret` that are a public format prefix
    extra: dict[str, Any] = field(default_factory=dict)
    # Safe machine fixes (keylint.fix.Edit) that `keylint fix` applies; never copied into the Finding,
    # because replacement text may hold the secret.
    edits: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    category: str
    scope: str
    check: Callable[..., Iterable[Problem]]
    gate: tuple[frozenset[str], ...] = ()  # each term's facts, one of which must hold (see GATE_FACTS)
    supersedes: frozenset[str] = frozenset()  # codes whose finding on the same key this one replaces

    def admits(self, facts: frozenset[str]) -> bool:
        """Can the rule report anything on an entry with these facts (of it and of its file)?"""
        return all(not term.isdisjoint(facts) for term in self.gate)

    @property
    def doc(self) -> str:
        """The check's docstring, dedented: read by `keylint rules` and reports, not by a scan, so not made when
        the rule is registered (some 40 KB of text every run)."""
        return cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        doc = self.doc.strip()
        return doc.splitlines()[0] if doc else self.name

    def section(self, title: str) -> str:
        """The text of one documentation section ("" when missing)."""
        lines = self.doc.splitlines()
        out: list[str] = []
        inside = False
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("## "):
                inside = stripped[3:].strip() == title
                continue
            if inside:
                out.append(line)
        return "\n".join(out).strip()


RULES: dict[str, Rule] = {}

# What a gate may ask of an entry: a detector match, a valid one, one that fails its format, none valid, a valid one of
# a format that tells test from live keys, a provider's documented example key, a key followed by a second copy of
# itself (repeat_span); a marker in the value (VALUE_MARKER); a non-ASCII character; a value of only whitespace or
# not; a ragged edge (whitespace or a backslash first or last, or a backslash escape such as a literal \n last); an
# "=" or ":" in the value (a pasted assignment). Of its file: whether it is a template, its git state, its format.
ENTRY_FACTS = (
    *("match", "valid-match", "invalid-match", "no-valid-match", "test-or-live", "example", "pasted-twice"),
    *("marker", "non-ascii", "blank", "filled", "ragged-edge", "equals-or-colon"),
)
FILE_FACTS = ("template", "not-template", "tracked", "staged", "ignored", "untracked", "no-git", *FORMATS)
GATE_FACTS = frozenset(ENTRY_FACTS + FILE_FACTS)
# A marker in a value that URL credentials (KL103), a private key (KL104) or a token with a validity window
# (KL601-KL604: a JWT, a PyPI token, an Azure SAS signature) need.
VALUE_MARKER = re.compile("://|PRIVATE KEY|eyJ|pypi-|sig=")
EDGE_CHARACTERS = frozenset(" \t\r\n\f\v\\")
_EDGE_STRING = "".join(sorted(EDGE_CHARACTERS))


def file_facts(fmt: str, template: bool, git: Any) -> frozenset[str]:
    """The facts of GATE_FACTS about a file."""
    return frozenset((fmt, "template" if template else "not-template", git.state if git is not None else "no-git"))


Shape = tuple[bool, bool, bool, bool, bool, bool, bool, bool, bool, bool]
# The environments of a key format that tells test from live keys (KeyFormat.environment; None for most formats).
TEST_OR_LIVE = ("test", "live")


def repeat_span(value: str, match: Match) -> tuple[int, int] | None:
    """The span of ``value`` that repeats the match's token right after it (KL208): a second copy following it (past
    spaces and tabs), or the second half of a valid token made of two equal halves of 8 characters or more."""
    token = match.token
    end = match.end
    # Nothing follows most tokens (the value is the key): no copy of the rest to look at then.
    if end < len(value) or not token:
        rest = value[end:]
        stripped = rest.lstrip(" \t")
        if stripped.startswith(token):
            return end, end + (len(rest) - len(stripped)) + len(token)
    half = len(token) // 2
    # The halves copied and compared only once their last characters agree (the engine asks for every valid token,
    # the dense tree's run to kilobytes, and equal halves are rare).
    if (
        match.valid
        and half >= 8
        and len(token) % 2 == 0
        and token[half - 1] == token[-1]
        and token[:half] == token[half:]
    ):
        return match.start + half, match.end
    return None


def entry_shape(entry: Entry, matches: list[Match], examples: Container[str]) -> Shape:
    """What tells entries apart for the gates, cheaply (the engine asks for every entry): whether some match is
    valid, whether some is not, a value marker, a non-ASCII character, a blank value, a ragged edge, "=" or ":",
    whether some valid match is a test or live key, whether some match is one of ``examples`` (the providers'
    documented example keys), whether some match is pasted twice."""
    valid = invalid = test_or_live = example = pasted_twice = False
    value = entry.value
    for match in matches:
        token = match.token
        if match.valid:
            valid = True
            if match.environment in TEST_OR_LIVE:
                test_or_live = True
        else:
            invalid = True
        if token in examples:
            example = True
        # repeat_span asked only where it may find a copy: text after the token, or a valid token whose halves end
        # alike (one in ~60 random tokens); a call is ~2k instructions, and most entries with a match are one key.
        if (
            not pasted_twice
            and (match.end < len(value) or not token or (match.valid and token[len(token) // 2 - 1] == token[-1]))
            and repeat_span(value, match) is not None
        ):
            pasted_twice = True
    # strip() gives the value back unchanged unless an end is an edge character: one call for both ends.
    ragged = value.strip(_EDGE_STRING) != value or ("\\" in value and value[-2:-1] == "\\")
    blank = not value or value.isspace()
    equals_or_colon = "=" in value or ":" in value
    # VALUE_MARKER's literals searched one by one (str's search skips through a value in C, where the regex's
    # alternation tries a branch wherever one of its first characters stands, ~3.6 ns a character of the dense tree's
    # multi-kilobyte tokens), "://" and "sig=" only in a value that holds a ":" or an "=" at all.
    marked = (
        "eyJ" in value
        or "pypi-" in value
        or "PRIVATE KEY" in value
        or (equals_or_colon and ("://" in value or "sig=" in value))
    )
    non_ascii = not value.isascii()
    return valid, invalid, marked, non_ascii, blank, ragged, equals_or_colon, test_or_live, example, pasted_twice


# The fact each flag of a shape stands for, in the shape's order (valid and blank are facts either way).
_FLAG_FACTS = (
    None,
    "invalid-match",
    "marker",
    "non-ascii",
    None,
    "ragged-edge",
    "equals-or-colon",
    "test-or-live",
    "example",
    "pasted-twice",
)


def shape_facts(shape: Shape) -> frozenset[str]:
    """The facts of ENTRY_FACTS an entry of this shape has."""
    valid, invalid, _, _, blank = shape[:5]
    facts = {"valid-match" if valid else "no-valid-match", "blank" if blank else "filled"}
    facts.update(fact for fact, flag in zip(_FLAG_FACTS, shape, strict=True) if flag and fact)
    if valid or invalid:
        facts.add("match")
    return frozenset(facts)


class EntryGates:
    """The entry-scope rules to start for each shape of entry in one file (worked out once per shape seen)."""

    def __init__(
        self, rules: Iterable[Rule], file: frozenset[str], examples: Container[str], enabled: bool = True
    ) -> None:
        self._rules = [r for r in rules if r.scope == "entry"]
        self._file = file
        self._examples = examples
        self._enabled = enabled
        # Files of a tree share their rules and file facts: what each shape starts is worked out once for them all.
        if len(_STARTED) > 256:
            _STARTED.clear()
        self._by_shape = _STARTED.setdefault((tuple(r.code for r in self._rules), file), {})

    def rules_for(self, entry: Entry, matches: list[Match]) -> list[Rule]:
        if not self._enabled:
            return self._rules
        shape = entry_shape(entry, matches, self._examples)
        started = self._by_shape.get(shape)
        if started is None:
            facts = self._file | shape_facts(shape)
            started = self._by_shape[shape] = [r for r in self._rules if r.admits(facts)]
        return started


_STARTED: dict[tuple[tuple[str, ...], frozenset[str]], dict[Shape, list[Rule]]] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    category: str,
    scope: str = "entry",
    gate: tuple[str, ...] = (),
    supersedes: tuple[str, ...] = (),
) -> Callable[[Callable[..., Iterable[Problem]]], Rule]:
    if category not in CATEGORIES:
        raise ValueError(f"{code}: unknown category {category}")
    if scope not in {"entry", "file", "scan", "external"}:
        raise ValueError(f"{code}: unknown scope {scope}")
    terms = tuple(frozenset(term.split("|")) for term in gate)
    unknown = set().union(*terms) - GATE_FACTS
    if unknown or (gate and scope != "entry"):
        raise ValueError(f"{code}: a gate is for entry-scope rules, of the facts in GATE_FACTS ({sorted(unknown)})")

    def register(check: Callable[..., Iterable[Problem]]) -> Rule:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        registered = Rule(code, name, severity, category, scope, check, terms, frozenset(supersedes))
        RULES[code] = registered
        if supersedes:
            SUPERSEDING[code] = registered.supersedes
        return registered

    return register


_loaded = False


def cleandoc(doc: str) -> str:
    """inspect.cleandoc without importing inspect (start-up time matters in a pre-commit hook)."""
    lines = doc.expandtabs().splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    body = [lines[0].strip()] + [line[margin:].rstrip() for line in lines[1:]] if lines else []
    return "\n".join(body).strip("\n")


def all_rules() -> dict[str, Rule]:
    """Every rule, by code (imports the rule modules on first use)."""
    global _loaded
    if not _loaded:
        for module in _MODULES:
            try:
                import_module(f"keylint.rules.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"keylint.rules.{module}":
                    raise
        _loaded = True
    return dict(sorted(RULES.items()))


def resolve(code_or_name: str) -> Rule | None:
    rules = all_rules()
    key = code_or_name.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    for r in rules.values():
        if r.name == key.lower():
            return r
    return None


_rule_of = attrgetter("rule")

# Codes of the rules that supersede others, with the codes they supersede (filled as rules register).
SUPERSEDING: dict[str, frozenset[str]] = {}


def drop_superseded(findings: list[Finding]) -> list[Finding]:
    """``findings`` without those a superseding finding replaces: same key (file, line, column and secret), of
    a rule the superseding one names. Inline suppression has run: ignoring KL501 on a line keeps the key's
    KL101 inventory finding."""
    replaced: dict[tuple[str, int | None, int | None, str], frozenset[str]] = {}
    superseding = SUPERSEDING
    # The findings of superseding rules, picked out in C: a dense tree's report has tens of thousands of findings
    # and, without --verify, rarely one of them.
    for finding in compress(findings, map(superseding.__contains__, map(_rule_of, findings))):
        codes = superseding[finding.rule]
        if finding.secret is not None:
            where = (finding.path, finding.line, finding.column, finding.secret)
            replaced[where] = replaced.get(where, frozenset()) | codes
    if not replaced:
        return findings
    return [f for f in findings if f.rule not in replaced.get((f.path, f.line, f.column, f.secret), ())]


def supersede_stage(report: ScanReport, _args: object) -> None:
    """The scan's post stage (commands/scan.py POST_STAGES): after verification and key age, which read every
    key's KL101, and before the baseline, which must filter what the report would show."""
    report.findings = drop_superseded(report.findings)


def external_rule(code: str) -> Rule:
    """Rules whose findings are produced outside the rule loop (verification, history)."""
    return all_rules()[code]


def noop(*_args: object) -> Iterable[Problem]:
    """For rules of scope "external": their findings come from another stage."""
    return ()


if TYPE_CHECKING:  # names used only in annotations of rule modules
    __all__ = ["FileContext", "Problem", "Rule", "ScanContext", "rule"]
