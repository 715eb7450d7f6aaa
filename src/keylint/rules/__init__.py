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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Entry, Severity
from keylint.records import dataclass, field

if TYPE_CHECKING:
    from typing import Any

    from keylint.engine import FileContext, ScanContext

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


def rule(
    code: str, name: str, severity: Severity, category: str, scope: str = "entry"
) -> Callable[[Callable[..., Iterable[Problem]]], Rule]:
    if category not in CATEGORIES:
        raise ValueError(f"{code}: unknown category {category}")
    if scope not in {"entry", "file", "scan", "external"}:
        raise ValueError(f"{code}: unknown scope {scope}")

    def register(check: Callable[..., Iterable[Problem]]) -> Rule:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        registered = Rule(code, name, severity, category, scope, check)
        RULES[code] = registered
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


def external_rule(code: str) -> Rule:
    """Rules whose findings are produced outside the rule loop (verification, history)."""
    return all_rules()[code]


def noop(*_args: object) -> Iterable[Problem]:
    """For rules of scope "external": their findings come from another stage."""
    return ()


if TYPE_CHECKING:  # names used only in annotations of rule modules
    __all__ = ["FileContext", "Problem", "Rule", "ScanContext", "rule"]
