"""The small value types that flow through the pipeline.

discover -> parse (Entry) -> detect (Candidate) -> rules (Finding) -> report.
Every type here is plain data: no I/O, no printing.
"""

from __future__ import annotations

from enum import IntEnum

from keylint import TYPE_CHECKING
from keylint.records import dataclass, field

if TYPE_CHECKING:
    from typing import Any

CATEGORIES = ("secret", "format", "hygiene", "placeholder", "leak", "stale", "verify", "parse")


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Entry:
    """One value in a config file, as the application would receive it.

    ``line``/``column`` (1-based) point at the first character of the value's
    content (inside any quotes); ``key_line`` is the line of the key itself,
    which differs for YAML block scalars and multi-line values.
    """

    key: str  # key path: OPENAI_API_KEY, services.api.environment.STRIPE_KEY
    value: str  # what the application receives
    raw: str  # source text of the value, quotes included
    line: int
    column: int
    quote: str = ""  # "", '"', "'", "`", "|" / ">" for YAML block scalars
    key_line: int = 0
    comment: str | None = None  # trailing inline comment on the same line (text after '#')
    tag: str | None = None  # YAML: the type a loader resolves a plain scalar to (int, float, bool, null...)
    decoded_from: str | None = None  # "base64" for Kubernetes Secret data values

    def position_of(self, offset: int) -> tuple[int, int]:
        """File position of character ``offset`` of ``value``, best effort.

        Exact when the value appears verbatim in the source (the usual case);
        otherwise the value's start is returned.
        """
        if self.decoded_from or offset <= 0:
            return self.line, self.column
        if not self.value or self.value not in self.raw:
            return self.line, self.column  # escapes changed the text: no exact mapping
        # The value is verbatim in the source, starting at (line, column): walk its characters.
        piece = self.value[:offset]
        newlines = piece.count("\n")
        if newlines == 0:
            return self.line, self.column + offset
        return self.line + newlines, offset - piece.rfind("\n")


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Something a parser noticed: a syntax error (kind "syntax") or a pitfall
    that only the parser can see (kind "unbalanced-quote", "duplicate-key", ...)."""

    kind: str
    message: str
    line: int
    column: int = 1
    key: str | None = None


@dataclass(slots=True)
class ParseResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    failed: bool = False  # a syntax error stopped the parser: the engine falls back to line scanning


@dataclass(frozen=True, slots=True)
class Match:
    """A provider key format recognised inside an entry's value."""

    provider: str  # provider id
    kind: str  # key kind within the provider (secret, publishable, access-key-id...)
    start: int  # offset of the token in entry.value
    end: int
    token: str
    valid: bool  # passes the format completely (length, alphabet, checksum)
    environment: str | None = None  # "live" / "test" when the format tells
    is_secret: bool = True  # publishable keys are public by design
    format: Any = None  # the keylint.providers.KeyFormat that matched (or nearly matched)


@dataclass(slots=True)
class Finding:
    rule: str  # KL101
    name: str  # slug: provider-key
    severity: Severity
    category: str
    path: str  # file path as shown to the user
    line: int
    column: int
    key: str | None
    provider: str | None
    message: str
    secret: str | None = None  # full secret: never reported without --show-secrets (see redact.py)
    fix: str | None = None  # a human hint; machine fixes live in keylint.fix
    fingerprint: str = ""  # stable, secret-free id (see redact.fingerprint)
    extra: dict[str, Any] = field(default_factory=dict)  # verification status, git state, commit...

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True, slots=True)
class Notice:
    """A file that could not be (fully) scanned, with the reason. Never silent."""

    path: str
    message: str
    kind: str = "skipped"  # skipped (by policy: size, binary), error (could not read/parse), limit
