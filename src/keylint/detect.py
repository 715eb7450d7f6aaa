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
        for provider in providers:
            for fmt in provider.formats:
                candidate = Candidate(provider, fmt)
                for example in fmt.examples:
                    self.examples[example] = candidate
                if fmt.needs_context or not fmt.prefix:
                    for name in provider.env_vars:
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
        """Formats that a variable of this name is expected to hold (exact or suffix match)."""
        name = normalized_name(key)
        found = self._by_name.get(name)
        if found is not None:
            return found
        for known, cands in self._by_name.items():
            if name.endswith("_" + known):
                return cands
        return []

    def find(self, entry: Entry) -> list[Match]:
        value = entry.value
        matches: list[Match] = []
        if value in self.examples:
            candidate = self.examples[value]
            return [_match(candidate, 0, value, valid=True)]
        last_end = -1
        for hit in self._prefix_re.finditer(value):
            start = hit.start()
            if start < last_end:
                continue
            best = self._best_at(value, start)
            if best is not None:
                matches.append(best)
                last_end = best.end
        if not matches:
            for candidate in self.candidates_for_name(entry.key):
                token = value.strip()
                if format_valid(candidate.format, token):
                    offset = value.find(token)
                    matches.append(_match(candidate, offset, token, valid=True))
                    break
        return matches

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
                rank = (0 if valid else 1, -len(prefix), distance)
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
