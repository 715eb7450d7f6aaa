"""Recognise provider key formats inside config values.

Formats with a leading literal (``ghp_``, ``sk_live_``, ``AKIA``) are found
anywhere in a value, including inside URLs and longer strings, through one
combined prefix regex. Formats with no distinctive prefix (a 32-character
Mistral key, an AWS secret) are only considered when the variable name is one
the provider uses. Near-misses (wrong length, stray character, bad checksum)
are returned too, marked ``valid=False``: the lint rules explain them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keylint.checksums import CHECKSUMS
from keylint.model import Entry, Match
from keylint.providers import Provider
from keylint.providers.schema import KeyFormat
from keylint.values import normalized_name

# Shortest run after a prefix that still counts as an attempt at a key (not a word like "sk-learn").
_MIN_BODY_FOR_NEAR_MISS = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    provider: Provider
    format: KeyFormat


def format_valid(fmt: KeyFormat, token: str) -> bool:
    if not fmt.regex.fullmatch(token):
        return False
    return not fmt.checksum or CHECKSUMS[fmt.checksum].valid(token)


class Detector:
    def __init__(self, providers: tuple[Provider, ...]) -> None:
        self.providers = providers
        self._by_prefix: dict[str, list[Candidate]] = {}
        self._by_name: dict[str, list[Candidate]] = {}
        self.examples: dict[str, Candidate] = {}
        self._names_by_provider: dict[str, frozenset[str]] = {}
        for provider in providers:
            self._names_by_provider[provider.id] = frozenset(n.upper() for n in provider.env_vars)
            for fmt in provider.formats:
                candidate = Candidate(provider, fmt)
                for example in fmt.examples:
                    self.examples[example] = candidate
                if fmt.needs_context or not fmt.prefix:
                    # A format may narrow the provider's variables (Algolia admin vs search-only keys).
                    for name in fmt.env_vars or provider.env_vars:
                        self._by_name.setdefault(name.upper(), []).append(candidate)
                else:
                    self._by_prefix.setdefault(fmt.prefix, []).append(candidate)
        prefixes = sorted(self._by_prefix, key=len, reverse=True)
        self._prefix_re = re.compile(
            "(?<![A-Za-z0-9])(?:" + "|".join(re.escape(p) for p in prefixes) + ")" if prefixes else "(?!)"
        )
        # When several prefixes match at one position, every one of them is a candidate.
        self._prefix_list = prefixes

    def candidates_for_name(self, key: str) -> list[Candidate]:
        """Formats that a variable of this name is expected to hold: exact name, or a known name
        at its end (APP_MISTRAL_API_KEY holds what MISTRAL_API_KEY holds)."""
        name = normalized_name(key)
        parts = name.split("_")
        for i in range(len(parts)):
            found = self._by_name.get("_".join(parts[i:]))
            if found is not None:
                return found
        return []

    def named_for(self, provider_id: str, key: str) -> bool:
        """Is this variable one of the provider's own names (exactly or as a suffix)?"""
        names = self._names_by_provider.get(provider_id, frozenset())
        parts = normalized_name(key).split("_")
        return any("_".join(parts[i:]) in names for i in range(len(parts)))

    def find(self, entry: Entry) -> list[Match]:
        value = entry.value
        if value in self.examples:
            return [_match(self.examples[value], 0, value, valid=True)]
        prefixed: list[Match] = []
        last_end = -1
        for hit in self._prefix_re.finditer(value):
            start = hit.start()
            if start < last_end:
                continue
            best = self._best_at(value, start)
            if best is not None:
                prefixed.append(best)
                last_end = best.end
        if any(m.valid and self.named_for(m.provider, entry.key) for m in prefixed):
            return prefixed
        # The variable name decides between formats that share a shape (a Gemini key is a Google API
        # key in GEMINI_API_KEY; `sk-` + 32 hex is DeepSeek's in DEEPSEEK_API_KEY, not a broken OpenAI key).
        token = value.strip()
        for candidate in self.candidates_for_name(entry.key):
            if format_valid(candidate.format, token):
                return [_match(candidate, value.find(token), token, valid=True)]
        return prefixed

    def _best_at(self, value: str, start: int) -> Match | None:
        best: tuple[tuple[int, int, int], Match] | None = None
        for prefix in self._prefix_list:
            if not value.startswith(prefix, start):
                continue
            for candidate in self._by_prefix[prefix]:
                fmt = candidate.format
                end = start + len(prefix)
                charset = fmt.charset
                while end < len(value) and value[end] in charset:
                    end += 1
                token = value[start:end]
                valid = format_valid(fmt, token)
                if not valid:
                    # A valid key followed by more characters of the same alphabet (e.g. inside a longer word)
                    # is still that key when the format has a fixed length.
                    head = fmt.regex.match(value, start)
                    if head and fmt.min_length == fmt.max_length and format_valid(fmt, head.group()):
                        token, end, valid = head.group(), head.end(), True
                body = len(token) - len(prefix)
                if not valid and body < max(_MIN_BODY_FOR_NEAR_MISS, (fmt.min_length - len(prefix)) // 2):
                    continue
                distance = (
                    0
                    if fmt.min_length <= len(token) <= fmt.max_length
                    else min(abs(len(token) - fmt.min_length), abs(len(token) - fmt.max_length))
                )
                # A valid match beats a near-miss; among valid ones the longest token is the most specific.
                rank = (0, -len(token), -len(prefix)) if valid else (1, -len(prefix), distance)
                if best is None or rank < best[0]:
                    best = (rank, _match(candidate, start, token, valid=valid))
        return best[1] if best else None


def _match(candidate: Candidate, start: int, token: str, *, valid: bool) -> Match:
    fmt = candidate.format
    return Match(
        provider=candidate.provider.id,
        kind=fmt.kind,
        start=start,
        end=start + len(token),
        token=token,
        valid=valid,
        environment=fmt.environment,
        is_secret=fmt.secret,
        format=fmt,
    )
