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
from collections.abc import Iterator
from functools import cached_property, lru_cache

from keylint.checksums import CHECKSUMS
from keylint.diagnose import (
    ASCII_WHITESPACE,
    CONFUSABLES,
    INVISIBLE,
    UNICODE_SPACES,
    cleaned_text,
    diagnose,
    is_attempt,
    looks_like_placeholder,
    prefix_typo_possible,
    token_looks_like_placeholder,
)
from keylint.model import Entry, Match
from keylint.providers import Provider
from keylint.providers.schema import KeyFormat
from keylint.records import dataclass
from keylint.values import is_reference, last_component, names_secret, normalized_name, words_pattern

# Shortest run after a prefix that still counts as an attempt at a key (not a word like "sk-learn").
_MIN_BODY_FOR_NEAR_MISS = 8
# A damaged key may be split by at most this many whitespace gaps (a wrapped line, a stray space).
_MAX_GAPS = 3
_MAX_GAP = 64
# Characters that are not in a format's alphabet but still continue a damaged key (base64 vs base64url mix-ups).
_STRAY_PUNCTUATION = frozenset("+/-_=")
# A run of a format's characters longer than twice its longest key plus this is not an attempt at that
# format (a near-miss is not looked for in it). The bound keeps hostile values linear: a megabyte of
# `sk-sk-sk-...` used to re-read the rest of the value at every prefix.
_RUN_SLACK = 1024
_WHITESPACE = re.compile(r"\s")
# find remembers what it found in values up to this long, for this many values (the lists are never changed).
_REMEMBERED_LONGEST = 256
_REMEMBERED = 4096


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
        # The longest prefix at each position, as a trie (one branch per character, not one per prefix).
        trie = f"(?:{words_pattern(prefixes, longest=True)})" if prefixes else "(?!)"
        # Found as _prefix_re.finditer finds them, by a faster search (_prefix_hits).
        self._prefix_at_start = re.compile(trie)
        self._prefix_after_separator = re.compile(f"[^A-Za-z0-9]({trie})")
        # When several prefixes match at one position, every one of them is a candidate.
        self._prefix_list = prefixes
        self._heads: dict[str, list[str]] = {}  # see _prefixes_in
        # Prefix typos (`ghp-`, `sk_live-`): formats with a distinctive prefix, by its first letter.
        self._fuzzy: dict[str, list[Candidate]] = {}
        for prefix, candidates in self._by_prefix.items():
            if len(prefix) >= 3:
                self._fuzzy.setdefault(prefix[0].lower(), []).extend(candidates)
        self._sized: dict[tuple[str, int], list[Candidate]] = {}  # see _fuzzy_sized
        self._found: dict[tuple[str, str], list[Match]] = {}  # see find
        # Shortest and longest key that starts with each letter, to turn most values away at once.
        self._fuzzy_lengths = {
            letter: (min(c.format.min_length for c in cands) - 3, max(c.format.max_length for c in cands) + 3)
            for letter, cands in self._fuzzy.items()
        }

    def candidates_for_name(self, key: str) -> list[Candidate]:
        """Formats that a variable of this name is expected to hold: exact name, or a known name
        at its end (APP_MISTRAL_API_KEY holds what MISTRAL_API_KEY holds)."""
        for ending in key_endings(key):
            found = self._by_name.get(ending)
            if found is not None:
                return found
        return []

    def named_for(self, provider_id: str, key: str) -> bool:
        """Is this variable one of the provider's own names (exactly or as a suffix)?"""
        names = self._names_by_provider.get(provider_id, frozenset())
        return not names.isdisjoint(key_endings(key))

    def first_named_for(self, key: str) -> str | None:
        """The first provider, in the detector's order, that the variable is named for (:meth:`named_for`).

        Looked up by the name's endings: asking each of the 71 providers in turn cost ~180k instructions a name
        (KL401 asks about each new name: dense/team0 0.3% fewer instructions)."""
        places = [place for ending in key_endings(key) if (place := self._first_naming.get(ending)) is not None]
        return self.providers[min(places)].id if places else None

    @cached_property
    def _first_naming(self) -> dict[str, int]:
        """Each variable name, and the place of the first provider whose names (as named_for reads them) hold it."""
        first: dict[str, int] = {}
        for place, provider in enumerate(self.providers):
            for name in self._names_by_provider[provider.id]:
                first.setdefault(name, place)
        return first

    def find(self, entry: Entry) -> list[Match]:
        value = entry.value
        if value in self.examples:
            return [_match(self.examples[value], 0, value, valid=True)]
        if len(value) > _REMEMBERED_LONGEST:
            return self._find_real(entry)
        # What is found depends on the value and the last component of the key alone (its endings, whether it names
        # a secret): a tree's stand-ins repeat in variables of one name (dense/team0: 441 of 4,721 values asked).
        remembered = (entry.key.rpartition(".")[2], value)
        found = self._found.get(remembered)
        if found is None:
            if len(self._found) >= _REMEMBERED:
                self._found.clear()
            found = self._found[remembered] = self._find_real(entry)
        return found

    def _find_real(self, entry: Entry) -> list[Match]:
        found = self._find(entry)
        # `sk_live_XXXXXXXXXXXXXXXXXXXXXXXX` has the shape of a key and is a stand-in (the placeholder rules say so).
        return [m for m in found if not token_looks_like_placeholder(m.token)] if found else found

    def _find(self, entry: Entry) -> list[Match]:
        value = entry.value
        # Prefixes are looked for with lookalike characters read as what they imitate (a Cyrillic `р` in `ghр_`).
        probe = value if value.isascii() else "".join(CONFUSABLES.get(c, c) for c in value)
        prefixed = self._prefixed(value, probe)
        for m in prefixed:
            if m.valid and self.named_for(m.provider, entry.key):
                return prefixed
        # The variable name decides between formats that share a shape (a Gemini key is a Google API
        # key in GEMINI_API_KEY; `sk-` + 32 hex is DeepSeek's in DEEPSEEK_API_KEY, not a broken OpenAI key).
        token = value.strip()
        candidates = self.candidates_for_name(entry.key)
        if candidates:
            named = self._named_match(value, token, candidates)
            if named is not None:
                return [named]
        if prefixed:
            return prefixed
        # Nothing recognised: a damaged key in a variable named for its provider, or a mistyped prefix.
        near = self._context_near_miss(value, candidates) or self._prefix_near_miss(value, entry.key)
        return [near] if near is not None else []

    def _prefixed(self, value: str, probe: str) -> list[Match]:
        """The keys (valid or near-misses) found at registered prefixes, in order; none inside an earlier one."""
        at_start = self._prefix_at_start.match(probe)
        if at_start is not None:
            # Most keys are the whole value: what the search below finds first and last (_best_at by _whole_key, then
            # _to_the_end), without its generator and _best_at's set-up (dense/team0: 0.3% fewer instructions).
            whole = _whole_key(value, 0, self._prefixes_in(at_start.group()), self._by_prefix)
            if whole is not None:
                return [whole]
        prefixed: list[Match] = []
        last_end = -1
        runs: dict[frozenset[str], tuple[int, int]] = {}
        for start, longest in self._prefix_hits(probe):
            if start < last_end:
                continue
            best = self._best_at(value, start, probe, runs, longest)
            if best is not None:
                prefixed.append(best)
                last_end = best.end
                if _to_the_end(last_end, value):
                    break
        return prefixed

    @cached_property
    def _prefix_re(self) -> re.Pattern[str]:
        """The longest prefix after no ASCII letter or digit: what _prefix_hits finds (compiled for the tests)."""
        return re.compile(f"(?<![A-Za-z0-9]){self._prefix_at_start.pattern}")

    def _prefix_hits(self, probe: str) -> Iterator[tuple[int, str]]:
        """Where ``_prefix_re.finditer`` finds a prefix (after no ASCII letter or digit), and the longest one there.

        Searched as a separator followed by a prefix: the regex engine then skips runs of letters and digits
        in C, where the lookbehind had every position try every prefix's first character (half the time).
        """
        hit = self._prefix_at_start.match(probe)
        pos = 0
        if hit is not None:
            yield 0, hit.group()
            pos = hit.end() - 1
        search = self._prefix_after_separator.search
        while (hit := search(probe, pos)) is not None:
            yield hit.start(1), hit.group(1)
            # A prefix's own last character (`sk-`) may be what separates the next one, as for the lookbehind.
            pos = hit.end() - 1

    def _named_match(self, value: str, token: str, candidates: list[Candidate]) -> Match | None:
        """The key a variable named for a provider holds, by that provider's context-only formats."""
        valid = next((c for c in candidates if format_valid(c.format, token)), None)
        # A token with the exact shape of a checksummed format (Azure Storage's `+ASt` marker) whose checksum
        # fails is that key damaged, even when a broader format of the same provider would accept it.
        broken = next((c for c in candidates if c.format.checksum and _checksum_fails(c.format, token)), None)
        if broken is not None and (valid is None or _fixed_size(broken.format) > _fixed_size(valid.format)):
            return _match(broken, value.find(token), token, valid=False)
        if valid is not None:
            return _match(valid, value.find(token), token, valid=True)
        half = len(token) // 2
        if half >= _MIN_BODY_FOR_NEAR_MISS and token[:half] == token[half:]:
            # The same key pasted twice in a row: the first copy is the key (duplicated-paste explains the rest).
            twice = next((c for c in candidates if format_valid(c.format, token[:half])), None)
            if twice is not None:
                return _match(twice, value.find(token), token[:half], valid=True)
        return None

    def _best_at(
        self,
        value: str,
        start: int,
        probe: str | None = None,
        runs: dict[frozenset[str], tuple[int, int]] | None = None,
        longest: str | None = None,
    ) -> Match | None:
        """The best match of a prefix at ``start``; ``longest``: the longest registered prefix there."""
        probe = value if probe is None else probe
        runs = {} if runs is None else runs
        # The best rank so far, the candidate's place in the order tried (the first of equal ranks wins) and what it
        # ranks (the Match is made for the winner only).
        best: tuple[tuple[int, int, int], int, Candidate, str, bool] | None = None
        # Candidates whose run is no valid key, to diagnose as near-misses only if no valid key settles the place:
        # one of a prefix's later formats often is (`sk-` + 32 hex: DeepSeek's key, after OpenAI's formats).
        unsettled: list[tuple[int, str, Candidate, int]] = []
        if longest is None:
            prefixes = [p for p in self._prefix_list if probe.startswith(p, start)]
        else:
            prefixes = self._prefixes_in(longest)
        whole = _whole_key(value, start, prefixes, self._by_prefix)
        if whole is not None:
            return whole
        place = 0
        for prefix in prefixes:
            for candidate in self._by_prefix[prefix]:
                place += 1
                fmt = candidate.format
                charset = fmt.charset
                end = _run_end(value, start + len(prefix), charset, runs)
                limit = start + len(prefix) + 2 * fmt.max_length + _RUN_SLACK
                token = value[start : min(end, limit)]
                valid = format_valid(fmt, token)
                score = 0
                # Valid, but glued to more letters or digits: perhaps only the head of a longer key.
                partial = valid and end < len(value) and (value[end].isalnum() or value[end] in "-_")
                if not valid:
                    # A valid key followed by more characters of the same alphabet (e.g. inside a longer word)
                    # is still that key when the format has a fixed length, unless the run is the whole
                    # value: then it is a key with extra characters typed or pasted after it.
                    head = fmt.regex.match(value, start)
                    if (
                        head
                        and fmt.min_length == fmt.max_length
                        and format_valid(fmt, head.group())
                        and not _whole_value(value, start, end)
                    ):
                        token, end, valid, partial = head.group(), head.end(), True, True
                    else:
                        # The same key pasted twice in a row: the first copy is the key.
                        again = value.find(prefix, start + len(prefix), min(end, limit))
                        if again > 0 and format_valid(fmt, value[start:again]):
                            token, end, valid = value[start:again], again, True
                if not valid:
                    if end <= limit and not _settled(best):
                        unsettled.append((place, prefix, candidate, end))
                    continue
                if fmt.min_length != fmt.max_length and end < len(value) and _continues(value, probe, end, charset):
                    # A key of variable length is valid when cut anywhere past its minimum: if the value goes on,
                    # across a line break or an invisible character, to the end, the whole is the (damaged) key.
                    near = _near_miss(value, probe, start, end, fmt, beyond=True)
                    if near is not None and not value[start + len(near[0]) :].strip() and diagnose(fmt, near[0]).valid:
                        token, score, valid = near[0], near[1], False
                # A valid match beats a near-miss; among valid ones the longest token is the most specific,
                # among near-misses the one with the fewest errors. A valid key that is only the head of a longer
                # run of key characters competes with the near-misses: the characters it leaves unexplained count
                # as its errors (a GitLab routable token with a typo is not a legacy token plus junk).
                if partial:
                    rank = (1, _key_run_end(value, end, charset, limit) - end, -len(prefix))
                else:
                    rank = (0, -len(token), -len(prefix)) if valid else (1, score, -len(prefix))
                if best is None or rank < best[0]:
                    best = (rank, place, candidate, token, valid)
        if not _settled(best):
            for place, prefix, candidate, end in unsettled:
                near = _near_miss(value, probe, start, end, candidate.format)
                # `ghp_xxxx...` is a stand-in, not a damaged key (the placeholder rules say so).
                if near is None or looks_like_placeholder(near[0]):
                    continue
                rank = (1, near[1], -len(prefix))
                if best is None or (rank, place) < best[:2]:
                    best = (rank, place, candidate, near[0], False)
        return _match(best[2], start, best[3], valid=best[4]) if best else None

    def _prefixes_in(self, longest: str) -> list[str]:
        """The registered prefixes that ``longest`` starts with, in the order of ``_prefix_list``.

        Where several prefixes match at one position they are all heads of the longest of them,
        so these are exactly the prefixes found there, without trying every one of them."""
        found = self._heads.get(longest)
        if found is None:
            # The heads of one string differ in length, and _prefix_list is ordered by length, longest first.
            heads = (longest[:size] for size in range(len(longest), 0, -1))
            found = self._heads[longest] = [head for head in heads if head in self._by_prefix]
        return found

    def _context_near_miss(self, value: str, candidates: list[Candidate]) -> Match | None:
        """A damaged key of a context-only format, in a variable named for the provider (tight fit only)."""
        token = value.strip()
        if not candidates or len(token) < _MIN_BODY_FOR_NEAR_MISS or is_reference(token):
            return None
        best: tuple[int, Match] | None = None
        for candidate in candidates:
            diagnosis = diagnose(candidate.format, token)
            if not is_attempt(candidate.format, diagnosis, context_only=True):
                continue
            score = (diagnosis.score or 0) + len(diagnosis.damages)
            if best is None or score < best[0]:
                best = (score, _match(candidate, value.find(token), token, valid=False))
        # Asked last: most tokens are no attempt at all, and a long one costs more to judge than to diagnose.
        return best[1] if best and not looks_like_placeholder(token) else None

    def _prefix_near_miss(self, value: str, key: str) -> Match | None:
        """`ghp-...`, `sk_live-...`, `sk-ant-api3-...`: a near-miss of a registered prefix before a valid body.

        Cheap for ordinary values: only single-token values whose first letter starts a registered
        prefix get as far as an edit distance.
        """
        token = value.strip()
        if not 12 <= len(token) <= 512:
            return None
        letter = CONFUSABLES.get(token[0], token[0]).lower()
        lengths = self._fuzzy_lengths.get(letter)
        if lengths is None or not lengths[0] <= len(token) <= lengths[1] or _WHITESPACE.search(token):
            return None
        cleaned = cleaned_text(token)
        options = self._fuzzy_sized(cleaned[:1].lower(), len(cleaned)) if cleaned else None
        if not options:
            return None
        best: tuple[tuple[int, int], Match] | None = None
        for candidate in options:
            fmt = candidate.format
            # Only a valid key or a prefix typo counts here: rule both out cheaply before diagnosing.
            if not (fmt.regex.fullmatch(cleaned) or prefix_typo_possible(fmt, cleaned)):
                continue
            diagnosis = diagnose(fmt, token)
            if not (diagnosis.valid or diagnosis.prefix_typo is not None) or looks_like_placeholder(token):
                continue
            # A prefix typo needs evidence: a checksum that passes, or a variable that asks for a key.
            if not (fmt.checksum or names_secret(key) or self.named_for(candidate.provider.id, key)):
                continue
            rank = ((diagnosis.score or 0) + len(diagnosis.damages), -len(fmt.prefix))
            if best is None or rank < best[0]:
                best = (rank, _match(candidate, value.find(token), token, valid=False))
        return best[1] if best else None

    def _fuzzy_sized(self, letter: str, size: int) -> list[Candidate]:
        """The formats of ``_fuzzy[letter]`` whose keys are within 3 characters of ``size`` long, remembered per letter
        and size: a tree's generated secrets share a few lengths, and the window of each of up to 32 formats that
        begin with a letter was checked for each of them (a tenth of detecting a value with no key)."""
        sized = self._sized.get((letter, size))
        if sized is None:
            formats = self._fuzzy.get(letter, ())
            sized = [c for c in formats if c.format.min_length - 3 <= size <= c.format.max_length + 3]
            if formats:  # letters no prefix begins with are not remembered: they may be any character
                self._sized[(letter, size)] = sized
        return sized


def key_endings(key: str) -> tuple[str, ...]:
    """The endings (:func:`name_endings`) of a key path's normalised variable name."""
    # Remembered by the last component, which is all normalized_name reads: key paths (services.12.api_key)
    # rarely repeat, their last components do.
    return _component_endings(last_component(key))


@lru_cache(maxsize=4096)
def _component_endings(component: str) -> tuple[str, ...]:
    return name_endings(normalized_name(component))


@lru_cache(maxsize=4096)  # variable names repeat across files
def name_endings(name: str) -> tuple[str, ...]:
    """``A_B_C``, ``B_C``, ``C``: a normalised variable name and each shorter ending of it, longest first."""
    parts = name.split("_")
    return tuple("_".join(parts[i:]) for i in range(len(parts)))


def _key_run_end(value: str, end: int, charset: frozenset[str], stop: int | None = None) -> int:
    """Where the run of characters that could belong to a key, starting at ``end``, stops (at most ``stop``)."""
    stop = len(value) if stop is None else min(stop, len(value))
    while end < stop and (value[end] in charset or value[end].isalnum() or value[end] in "-_"):
        end += 1
    return end


def _run_end(value: str, pos: int, charset: frozenset[str], runs: dict[frozenset[str], tuple[int, int]]) -> int:
    """Where the run of ``charset`` characters from ``pos`` ends.

    ``runs`` remembers the last run found per alphabet: every position inside it ends where it ends,
    so the prefixes found one after another in a long run cost one pass over it, not one each.
    """
    known = runs.get(charset)
    if known is not None and known[0] <= pos <= known[1]:
        return known[1]
    end = _charset_run(charset).match(value, pos).end()  # type: ignore[union-attr]  # `*` always matches
    runs[charset] = (pos, end)
    return end


_CHARSET_RUNS: dict[frozenset[str], re.Pattern[str]] = {}


def _charset_run(charset: frozenset[str]) -> re.Pattern[str]:
    """A regex for a run of ``charset`` characters: read in C rather than a character at a time."""
    pattern = _CHARSET_RUNS.get(charset)
    if pattern is None:
        chars = re.escape("".join(sorted(charset)))  # escapes character by character
        pattern = _CHARSET_RUNS[charset] = re.compile(f"[{chars}]*" if chars else "")
    return pattern


def _to_the_end(end: int, value: str) -> bool:
    """Does a match reach the end of the value? Every prefix found after it would start inside it and be passed
    over, so the rest of the value is not searched: most keys are the whole value, and a multi-kilobyte token's
    separators each tried the prefixes' trie (~0.15 us apiece; the dense tree's (team0-2) detection ~6% fewer
    instructions)."""
    return end >= len(value)


def _whole_key(value: str, start: int, prefixes: list[str], by_prefix: dict[str, list[Candidate]]) -> Match | None:
    """What :meth:`Detector._best_at` finds at ``start`` when the rest of the value is one valid key, else None.

    A format whose regex takes the whole rest reads it as its run (every character is in its alphabet) and ranks
    it first: valid, and no other candidate's token is longer. Among such formats the first tried wins, and the
    order tried is longest prefix first, as the ranks break ties. Most keys are a whole value: this skips the runs,
    ranks and near-miss bookkeeping (dense/team0: 1.4% fewer instructions).
    """
    rest = value[start:] if start else value
    size = len(rest)
    for prefix in prefixes:
        for candidate in by_prefix[prefix]:
            fmt = candidate.format
            if fmt.min_length <= size <= fmt.max_length and format_valid(fmt, rest):
                return _match(candidate, start, rest, valid=True)
    return None


def _settled(best: tuple[tuple[int, int, int], int, Candidate, str, bool] | None) -> bool:
    """Is the best so far a complete valid key (rank 0)? No near-miss can outrank it: skip diagnosing them."""
    return best is not None and best[0][0] == 0


def _checksum_fails(fmt: KeyFormat, token: str) -> bool:
    return bool(fmt.regex.fullmatch(token)) and not format_valid(fmt, token)


def _continues(value: str, probe: str, end: int, charset: frozenset[str]) -> bool:
    """Is the character after a valid key damage that a key goes on after (a line break, an invisible character)?"""
    char = probe[end]
    if char in INVISIBLE or char in UNICODE_SPACES or char in CONFUSABLES:
        return True
    gap = _gap_end(value, end)
    return gap > end and gap < len(value) and "\n" in value[end:gap] and probe[gap] in charset


def _fixed_size(fmt: KeyFormat) -> int:
    """How many characters of the format are fixed text: the more, the more specific the shape."""
    return sum(len(s.literal) for s in fmt.segments)


def _whole_value(value: str, start: int, end: int) -> bool:
    return not value[:start].strip() and not value[end:].strip()


def _gap_end(value: str, i: int) -> int:
    """End of a whitespace gap at ``i`` (spaces, tabs, at most one line break, literal escapes), or ``i``."""
    j = i
    breaks = 0
    n = len(value)
    while j < n and j - i <= _MAX_GAP:
        char = value[j]
        if char in "\n\r":
            breaks += char == "\n" or (char == "\r" and value[j + 1 : j + 2] != "\n")
            if breaks > 1:
                return i
            j += 1
        elif char in ASCII_WHITESPACE or char in UNICODE_SPACES:
            j += 1
        elif char == "\\" and value[j + 1 : j + 2] in ("n", "r", "t"):
            j += 2
        else:
            break
    return j if j - i <= _MAX_GAP else i


def _near_miss(
    value: str, probe: str, start: int, end: int, fmt: KeyFormat, *, beyond: bool = False
) -> tuple[str, int] | None:
    """The damaged token starting at ``start`` and how far it is from valid, if it is an attempt at ``fmt``.

    Beyond the run of the format's own characters (``end``), a damaged key continues through
    characters a copy or a typo puts there: lookalikes, invisible characters, letters or digits
    outside the alphabet, and up to a few whitespace gaps (a wrapped line, a stray space).
    Every possible end is diagnosed and the closest fit wins (only ends past ``end`` with ``beyond``).
    """
    charset = fmt.charset
    n = len(value)
    ends = [end]
    i = end
    gaps = 0
    while i < n and i - start < fmt.max_length + _MAX_GAP:
        char = probe[i]
        following = probe[i + 1 : i + 2]
        if char in charset or char.isalnum():
            i += 1
        elif char in INVISIBLE or char in _STRAY_PUNCTUATION:
            if not following or not (following in charset or following.isalnum() or following in INVISIBLE):
                break
            i += 1
        else:
            j = _gap_end(value, i)
            if j == i or j >= n or gaps >= _MAX_GAPS or probe[j] not in charset:
                break
            ends.append(i)
            gaps += 1
            i = j
    ends.append(i)
    best: tuple[tuple[int, int], str] | None = None
    for stop in dict.fromkeys(ends):
        if beyond and stop <= end:
            continue
        token = value[start:stop]
        diagnosis = diagnose(fmt, token)
        if not is_attempt(fmt, diagnosis):
            continue
        # Fewest errors first; on a tie the token that explains more of the value (a bad last character
        # is one wrong character, not a key one character short).
        rank = ((diagnosis.score or 0) + len(diagnosis.damages), -len(token))
        if best is None or rank < best[0]:
            best = (rank, token)
    return (best[1], best[0][0]) if best else None


def _match(candidate: Candidate, start: int, token: str, *, valid: bool) -> Match:
    fmt = candidate.format
    # Every field by position, in Match's order (provider, kind, start, end, token, valid, environment, is_secret,
    # format): nine keyword arguments cost about half a microsecond more per match (a dense-tree scan makes ~41k).
    end = start + len(token)
    return Match(candidate.provider.id, fmt.kind, start, end, token, valid, fmt.environment, fmt.secret, fmt)
