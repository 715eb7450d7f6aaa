"""The shape of a provider record, and the tiny template language for key formats.

A key format is written as a template: literal text with ``{alphabet:N}`` or
``{alphabet:N-M}`` slots, e.g. ``"ghp_{base62:30}{base62:6}"`` or
``"{hex:32}-us{digit:1-2}"``. One template gives the detection regex, the
length range, a per-position alphabet (for precise lint messages) and a
generator of format-valid test keys, so a provider is pure data.
"""

from __future__ import annotations

import re
from functools import cache

from keylint import TYPE_CHECKING, recache
from keylint.records import dataclass, field

if TYPE_CHECKING:
    import random
    from collections.abc import Callable
    from functools import cached_property
    from typing import Any

ALPHABETS: dict[str, str] = {
    "base62": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "alnum": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "lower": "0123456789abcdefghijklmnopqrstuvwxyz",
    "upper": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "alpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "lowalpha": "abcdefghijklmnopqrstuvwxyz",
    "upalpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "digit": "0123456789",
    "base32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "b64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "b64url": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
}

_SLOT = re.compile(r"\{([A-Za-z0-9]+|\[[^\]]+\]):(\d+)(?:-(\d+))?\}")


@cache  # the registry repeats a few classes many times
def _expand_class(spec: str) -> str:
    """Expand a bracketed class such as ``[A-Za-z0-9._~-]`` into its characters."""
    body = spec[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
            i += 3
        else:
            out.append(body[i])
            i += 1
    return "".join(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Segment:
    """A literal (``alphabet`` empty) or a run of ``min_len``..``max_len`` characters of ``alphabet``."""

    literal: str = ""
    alphabet: str = ""
    alphabet_name: str = ""
    min_len: int = 0
    max_len: int = 0

    @property
    def is_literal(self) -> bool:
        return not self.alphabet

    def regex(self) -> str:
        if self.is_literal:
            return re.escape(self.literal)
        cls = "".join("\\" + c if c in "\\]^-[" else c for c in self.alphabet)
        count = f"{{{self.min_len}}}" if self.min_len == self.max_len else f"{{{self.min_len},{self.max_len}}}"
        return f"[{cls}]{count}"


def parse_template(template: str) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    pos = 0
    for slot in _SLOT.finditer(template):
        if slot.start() > pos:
            segments.append(Segment(literal=template[pos : slot.start()]))
        name, low, high = slot.group(1), int(slot.group(2)), slot.group(3)
        if name.startswith("["):
            alphabet = _expand_class(name)
        elif name in ALPHABETS:
            alphabet = ALPHABETS[name]
        else:
            raise ValueError(f"unknown alphabet {name!r} in template {template!r}")
        segments.append(Segment(alphabet=alphabet, alphabet_name=name, min_len=low, max_len=int(high) if high else low))
        pos = slot.end()
    if pos < len(template):
        segments.append(Segment(literal=template[pos:]))
    if not segments:
        raise ValueError("a template cannot be empty")
    return tuple(segments)


if TYPE_CHECKING:
    derived = cached_property
else:

    class derived:
        """A value computed from a format's template when first read, then kept on the object: functools'
        cached_property without the lock that Python 3.11's takes on every first read (a run reads five of them
        for each of some 200 formats; formats are read by one thread, and a value computed twice is the same)."""

        def __init__(self, compute: Callable[[Any], Any]) -> None:
            self.compute = compute
            self.name = compute.__name__
            self.__doc__ = compute.__doc__

        def __get__(self, instance: Any, owner: type | None = None) -> Any:
            if instance is None:
                return self
            value = instance.__dict__[self.name] = self.compute(instance)
            return value


@cache
def _characters(text: str) -> frozenset[str]:
    return frozenset(text)


# What detection reads of every format on every run (its prefix, lengths, characters and regex source) is derived
# from the template by this module, and kept between runs by keylint.recache: deriving it for some 200 formats was
# a tenth of a pre-commit run. It is kept under the template and this file's modification time and size (as
# Python keys a module's bytecode by its source), so that a change to the derivation never meets stale values.
_SOURCE_STAMP = recache.source_stamp(__file__)


def _summarize(template: str) -> tuple[str, int, int, str, str]:
    """Prefix, shortest and longest length, characters (in order, a string: many formats share one set) and the
    source of the format's regular expression."""
    segments = parse_template(template)
    first = segments[0]
    return (
        first.literal if first.is_literal else "",
        sum(len(s.literal) if s.is_literal else s.min_len for s in segments),
        sum(len(s.literal) if s.is_literal else s.max_len for s in segments),
        "".join(sorted(frozenset().union(*(_characters(s.literal or s.alphabet) for s in segments)))),
        "".join(s.regex() for s in segments),
    )


def _is_summary(value: Any) -> bool:
    return type(value) is tuple and len(value) == 5 and all(type(part) is str for part in value[3:])


@dataclass(frozen=True)
class KeyFormat:
    """One credential kind of a provider, e.g. Stripe's live secret key."""

    template: str
    kind: str = "api-key"  # secret-key, publishable-key, restricted-key, access-key-id, token...
    environment: str | None = None  # "live" / "test" when the format tells
    checksum: str | None = None  # name in keylint.checksums.CHECKSUMS
    secret: bool = True  # False for keys that are public by design (publishable keys)
    needs_context: bool = False  # no distinctive prefix: only recognised in a variable named for the provider
    examples: tuple[str, ...] = ()  # documented example values: not secrets, at most an info note
    description: str = ""
    # Variables that name this format specifically (a subset of the provider's env_vars; empty: any of them).
    # Required when two context-only formats of one provider share a template and differ in meaning, e.g.
    # Algolia's admin and search-only keys (both 32 hex): the variable name is then all that tells them apart.
    env_vars: tuple[str, ...] = ()

    @derived
    def segments(self) -> tuple[Segment, ...]:
        return parse_template(self.template)

    @derived
    def _summary(self) -> tuple[str, int, int, str, str]:
        """See _summarize."""
        if _SOURCE_STAMP is None:
            return _summarize(self.template)
        key = ("key-format", _SOURCE_STAMP, self.template)
        return recache.kept(key, lambda: _summarize(self.template), _is_summary)

    @derived
    def prefix(self) -> str:
        """The leading literal text, the format's index for detection ("" when none)."""
        return self._summary[0]

    @derived
    def regex(self) -> re.Pattern[str]:
        return re.compile(self._summary[4])

    @derived
    def min_length(self) -> int:
        return self._summary[1]

    @derived
    def max_length(self) -> int:
        return self._summary[2]

    @derived
    def charset(self) -> frozenset[str]:
        """Every character a key of this format may contain."""
        return _characters(self._summary[3])

    def generate(self, rng: random.Random | None = None) -> str:
        """A random key that passes this format completely (checksum included). For tests."""
        if rng is None:
            import random  # tests and benchmarks only: not worth its import time on every run

            rng = random.Random()
        parts = []
        for s in self.segments:
            if s.is_literal:
                parts.append(s.literal)
            else:
                parts.append("".join(rng.choice(s.alphabet) for _ in range(rng.randint(s.min_len, s.max_len))))
        token = "".join(parts)
        if self.checksum:
            from keylint.checksums import CHECKSUMS

            token = CHECKSUMS[self.checksum].complete(token)
        return token

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Every key found points at its format, and a parallel scan sends them back from its workers by the
        # ten thousand: send the defining fields only (not the compiled regex and other caches) and let the
        # receiving process share one object per format instead of building a copy for every file.
        return _shared_format, tuple(getattr(self, name) for name in KeyFormat.__annotations__)


_SHARED_FORMATS: dict[tuple[Any, ...], KeyFormat] = {}


def _shared_format(*values: Any) -> KeyFormat:
    """The one KeyFormat of this process with these field values (formats are equal when their fields are)."""
    shared = _SHARED_FORMATS.get(values)
    if shared is None:
        shared = _SHARED_FORMATS[values] = KeyFormat(*values)
    return shared


@dataclass(frozen=True)
class Provider:
    id: str  # stable, lowercase: "github", "openai", "aws"
    name: str  # display name
    formats: tuple[KeyFormat, ...]
    env_vars: tuple[str, ...] = ()  # typical variable names (exact, upper-case)
    rotate_url: str | None = None  # where a human rotates/revokes the key
    docs_url: str | None = None  # where the format is documented
    verify: Any = None  # keylint.verify spec (see the verification docs); None: no live check
    # Free-form data. Keys used by the built-in registry:
    #   "related_env_vars": companion variables that hold no credential (hosts, regions, account ids,
    #                       user names) but are needed to verify one or hint at the provider;
    #   "rotate_urls":      {kind: url} where a kind is rotated somewhere other than rotate_url.
    extra: dict[str, Any] = field(default_factory=dict)
