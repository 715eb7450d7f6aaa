"""Which values can matter to any rule: a cheap test the engine runs before detection and the rules.

Most values in a config file are ports, host names, flags, labels and prose. For them
detection finds nothing and every entry-scope rule returns at once, but asking costs
about a hundred microseconds per value (a dozen rules, each with its own gates). This
module answers "could anything fire here?" in about a microsecond, from two facts:

- the variable: its last key component asks for a secret (``names_secret``), is one a
  provider's key lives in (the registry's ``env-vars``, also as a suffix), mentions a
  provider (``OPENAI``, ``GH``, ``AZURE_OPENAI`` ...) or ends in an API-credential word
  (``..._PAT``, ``..._DSN``): remembered per distinct name, since names repeat;
- the value: it holds a registered provider prefix (the detector's own regex), is a
  documented example key, is one token long enough to be a prefix typo of a checksummed
  format, embeds URL credentials, a PEM private key or a token with an expiry (``eyJ``,
  ``pypi-``, ``sig=``), or has any non-ASCII character (lookalikes, invisible characters,
  smart quotes).

An entry with neither gets no matches and no entry-scope findings, so the engine skips
detection and the entry rules for it; file- and scan-scope rules still see every entry.
The triggers are derived from what each rule needs (:data:`ENTRY_RULES` says which, per
rule; a test fails when a rule is added without being listed there), and a test compares
the findings of every scan with and without the prefilter on generated corpora.
``KEYLINT_NO_PREFILTER=1`` switches it off (for that comparison, or to rule it out).
"""

from __future__ import annotations

import os
import re

from keylint import TYPE_CHECKING
from keylint.values import _SECRET_NAME_WORDS, names_secret, normalized_name, words_pattern

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from keylint.detect import Detector
    from keylint.providers import Provider

    Derived = TypeVar("Derived")

# Why each entry-scope rule can only fire on an entry the prefilter keeps: "matches" (it needs
# a detector match), "name" (a secret- or provider-named variable), "value" (a marker in the value).
ENTRY_RULES = {
    "KL101": "matches",
    "KL102": "name",  # names_secret
    "KL103": "value",  # scheme://user:password@host
    "KL104": "value",  # PRIVATE KEY
    "KL105": "matches",
    "KL201": "matches",
    "KL202": "matches",
    "KL203": "matches",
    "KL204": "matches",
    "KL205": "matches or name",  # _expects_secret
    "KL206": "matches or name or value",  # non-ASCII
    "KL207": "matches or name or value",  # non-ASCII
    "KL208": "matches or name",
    "KL209": "matches",
    "KL210": "matches",
    "KL211": "matches",
    "KL301": "matches or name",
    "KL302": "matches or name",
    "KL305": "matches or name",
    "KL401": "matches or name",  # expected provider or names_secret
    "KL402": "name",
    "KL501": "matches",
    "KL503": "matches",
    "KL601": "value",  # eyJ / pypi- / sig=
    "KL602": "value",
    "KL603": "value",
    "KL604": "value",
}

# URL credentials (a superset of rules.secrets' pattern); PEM private keys and tokens that carry an expiry.
_URL_CREDENTIALS = re.compile(r"://[^\s/@?#]*:[^\s/@?#]*@")
_MARKERS = ("PRIVATE KEY", "eyJ", "pypi-", "sig=")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# What detection lets a damaged key run through besides its alphabet (detect._STRAY_PUNCTUATION)
# and how many whitespace gaps (detect._MAX_GAPS).
_STRAY = frozenset("+/-_=")
_BODY_CHARACTERS = _ASCII_ALNUM | _STRAY  # count in any format's body, besides the format's own characters
_MAX_GAPS = 3
_REMEMBERED_LENGTH = 24
_NAMES_REMEMBERED = 65536  # name_answers kept (a tree's names repeat; memory stays bounded)
# A number standing alone: (?<![A-Za-z0-9])[0-9]+(?![A-Za-z0-9]), written to start with the digit, which lets the
# regex engine skip to digits in a long text of names (it cannot when the pattern starts with a lookbehind).
_NUMBER = re.compile(r"[0-9](?<![A-Za-z0-9][0-9])[0-9]*(?![A-Za-z0-9])")
_DIGIT = re.compile(r"[0-9]")
_WHITESPACE = re.compile(r"\s")
# Shortest and longest value detection tries as a prefix typo (see Detector._prefix_near_miss).
_NEAR_MISS_MIN, _NEAR_MISS_MAX = 12, 512


def enabled() -> bool:
    return not os.environ.get("KEYLINT_NO_PREFILTER")


class Prefilter:
    """Built once per detector (the registry plus a config's own providers)."""

    def __init__(self, detector: Detector, providers: tuple[Provider, ...]) -> None:
        from keylint.rules.format import _provider_words
        from keylint.rules.placeholder import _API_CREDENTIAL

        # Where a registered prefix starts (as in Detector._find). The prefixes as a trie: sre tries one
        # branch per first character instead of one per prefix.
        self._prefix_trie = words_pattern(detector._prefix_list)
        self._hits = re.compile(f"(?<![A-Za-z0-9])(?:{self._prefix_trie})")
        # The prefixes by first character; what a match needs after them is worked out when one is found
        # (_body_of): a pre-commit run meets a few of some 170 prefixes.
        self._by_prefix = detector._by_prefix
        # No value shorter than this holds a prefix and the body characters _key_possible needs after it (a prefix
        # that is a whole key counts as its length): most values are shorter (names, ports, flags), and go unsearched.
        needs = [(len(p), _body_needed(c.format.min_length - len(p))) for p, at in self._by_prefix.items() for c in at]
        shortest = min((length for length, _ in needs), default=0) + min((need for _, need in needs if need), default=0)
        self._shortest_key = min([shortest, *(length for length, need in needs if need == 0)])
        self._prefixes: dict[str, list[str]] = {}
        for prefix in detector._by_prefix:
            self._prefixes.setdefault(prefix[0], []).append(prefix)
        self._examples = detector.examples
        self._candidates_for_name = detector.candidates_for_name
        self._api_credential = _API_CREDENTIAL
        self._variables = frozenset(v.upper() for p in providers for v in p.env_vars) | frozenset(
            v.upper() for p in providers for f in p.formats for v in (f.env_vars or ())
        )
        # Numbers standing alone in a name can be generalised unless some provider word or variable has one.
        numbers = {w for v in self._variables | set(detector._by_name) for w in re.split(r"[^A-Za-z0-9]+", v)}
        numbers |= {w for sequence, _ in _provider_words(providers) for w in sequence}
        self._numbers_free = not any(w.isdigit() for w in numbers)
        self._variable_ends = frozenset(v.rsplit("_", 1)[-1] for v in self._variables | set(detector._by_name))
        self._words: dict[str, list[tuple[str, ...]]] = {}
        for sequence, _provider_id in _provider_words(providers):
            self._words.setdefault(sequence[0], []).append(sequence)
        # Without a telling variable name only checksummed formats are tried as prefix typos:
        # by first letter, the range of token lengths detection considers.
        windows: dict[str, tuple[int, int]] = {}
        for letter, candidates in detector._fuzzy.items():
            for candidate in candidates:
                fmt = candidate.format
                if not fmt.checksum:
                    continue
                low, high = windows.get(letter, (10**9, 0))
                windows[letter] = (min(low, fmt.min_length - 3), max(high, fmt.max_length + 3))
        self._near_windows = windows
        # A value of ASCII digits alone (a port, a count, an id: most of a JSON file's numbers, each asked about
        # once) can hold no marker, URL or escape, and matters only by holding a prefix of digits alone or being a
        # prefix typo of a format whose window a digit opens: without either, it is answered in one C call.
        self._digits_quiet = not any(p.isdigit() for p in self._by_prefix) and not any(
            letter.isdigit() for letter in windows
        )
        # Where no documented example is one either, value_matters turns every such value away: Answers then answers
        # for it without calling value_matters (the JSON reader's values: a file's new ports and counts).
        self.digits_turned_away = self._digits_quiet and not any(
            example.isdigit() and example.isascii() for example in self._examples
        )
        self._names: dict[str, bool] = {}
        self._values: dict[str, bool] = {}
        self._bodies: dict[tuple[str, ...], tuple[int, frozenset[str], int]] = {}  # see _body_of
        self._longer: dict[str, tuple[str, ...]] = {}  # see _key_possible
        self._derived: dict[object, object] = {}  # see derived

    def derived(self, build: Callable[[Prefilter], Derived]) -> Derived:
        """What ``build`` makes of this prefilter (a fast path's tables and memories), made on first use and
        kept as long as the prefilter is."""
        made = self._derived.get(build)
        if made is None:
            made = self._derived[build] = build(self)
        return made  # type: ignore[return-value]

    def matters(self, key: str, value: str) -> bool:
        return self.value_matters(value) or self.name_matters(key)

    def name_matters(self, key: str) -> bool:
        known = self._names.get(key)  # remembered by the name as given: most are their own last component
        if known is not None:
            return known
        if "." in key:
            # A key path (services.12.name) answers like its last component, remembered as such: the paths
            # themselves rarely repeat, and remembering each would only crowd out the components.
            last = key.rsplit(".", 1)[-1]  # values.last_component
            known = self._names.get(last)
            if known is not None:
                return known
        else:
            last = key
        # Numbered variables (SERVICE_HOST_17) answer like their shape (SERVICE_HOST_0): no rule's name
        # test looks at a number standing alone between separators, unless a provider's variable has one.
        shape = last
        if self._numbers_free:
            stem = last.rstrip("0123456789")
            if len(stem) < len(last) and stem[-1:] in ("_", "-") and stem.replace("_", "").replace("-", "").isalpha():
                shape = stem + "0"  # the common case, what _NUMBER.sub gives, without the regex
            elif _DIGIT.search(last):
                shape = _NUMBER.sub("0", last)
        known = self._names.get(shape)
        if known is None:
            if len(self._names) > 16384:
                self._names.clear()
            known = self._names[shape] = self._name_matters(shape)
        return known

    def name_answers(self) -> Answers:
        """``name_matters``' answers by the name as given, kept for the run (forgotten whole past a bound): a fast
        path looks a block's names up in C (``map(answers.__getitem__, names)``), and only a name not met before is
        a call. Asked once per file."""
        answers = self.derived(_name_answers)
        if len(answers) > _NAMES_REMEMBERED:
            answers.clear()
        return answers

    def generalize_names(self, names: str) -> str:
        """``names`` (any text of names, one per line) as name_matters reads them: each number standing
        alone as 0 where no name test can tell numbers apart, so ``name_matters`` answers the same for a
        name and its generalised form, and a file of numbered variables has few distinct forms to ask about."""
        return _NUMBER.sub("0", names) if self._numbers_free else names

    def _name_matters(self, last: str) -> bool:
        # Asked once per name (name_matters remembers the answer), so names_secret's and normalized_name's caches
        # would miss: their first steps are taken here, with string methods where they do (~half the cost of a
        # tree's first pass over its names). Without a secret word, an ASCII name asks for no secret.
        if (not last.isascii() or _SECRET_NAME_WORDS.search(last.lower())) and names_secret(last):
            return True
        name = _normalized(last)
        if self._api_credential.search(name):
            return True
        parts = name.split("_")
        # A provider's variable (Detector.candidates_for_name, or any env-var suffix) ends in that variable's
        # last word: most names end in a word none does (PORT, HOST, ENABLED) and need no further look.
        if parts[-1] in self._variable_ends and (
            self._candidates_for_name(last)
            or any("_".join(parts[i:]) in self._variables for i in range(len(parts)))
        ):
            return True
        for i, part in enumerate(parts):
            for sequence in self._words.get(part, ()):
                if tuple(parts[i : i + len(sequence)]) == sequence:
                    return True
        return False

    def value_matters(self, value: str) -> bool:
        if not value:
            return False
        if len(value) <= _REMEMBERED_LENGTH:  # short values repeat (string, true, 8080, info ...)
            known = self._values.get(value)
            if known is None:
                if len(self._values) > 16384:
                    self._values.clear()
                known = self._values[value] = self._value_matters(value)
            return known
        return self._value_matters(value)

    def _value_matters(self, value: str) -> bool:
        if not value.isascii() or value in self._examples:
            return True
        if self._digits_quiet and value.isdigit():
            return False
        if "://" in value and _URL_CREDENTIALS.search(value):
            return True
        for marker in _MARKERS:
            if marker in value:
                return True
        hit = self._hits.search(value) if len(value) >= self._shortest_key else None
        while hit is not None:
            if self._key_possible(value, hit.start(), hit.group()):
                return True
            hit = self._hits.search(value, hit.start() + 1)
        token = value.strip()
        size = len(token)
        if not _NEAR_MISS_MIN <= size <= _NEAR_MISS_MAX or " " in token or _WHITESPACE.search(token):
            return False
        if "\\" in token:  # escapes are cleaned away before the typo check: stay on the safe side
            return True
        window = self._near_windows.get(token[0].lower())
        return window is not None and window[0] <= size <= window[1]


    def _key_possible(self, value: str, start: int, shortest: str) -> bool:
        """Could detection make a match of a prefix at ``start`` (ASCII ``value``), where ``shortest`` is the
        shortest registered prefix found (what the trie of ``_hits`` matches)?

        Every match it returns, valid or a near-miss (detect._best_at, diagnose.is_attempt), has
        at least ``_body_needed`` characters after the prefix once whitespace gaps (at most three)
        are taken out, all of them in the format's alphabet, letters, digits or stray punctuation.
        Most hits are words that merely begin like a prefix (``path`` for ``pat``).
        """
        prefixes = self._prefixes_at(value, start, shortest)
        if not prefixes:
            return True  # cannot happen (the search found one); keep the value rather than guess
        need, allowed, skip = self._body_of(prefixes)
        if need == 0:
            return True
        body = start + skip
        # The common case, a whole key: its first ``need`` body characters all count (checked in C), which is
        # where the walk below would answer True too.
        if len(value) >= body + need and allowed.issuperset(value[body : body + need]):
            return True
        count = gaps = 0
        in_gap = False
        for char in value[body:]:
            if char in allowed:
                count += 1
                if count >= need:
                    return True
                in_gap = False
            elif char.isspace() or char == "\\":  # a wrapped key, an escaped line break
                if not in_gap:
                    gaps += 1
                    if gaps > _MAX_GAPS:
                        return False
                    in_gap = True
            else:
                return False
        return False

    def _prefixes_at(self, value: str, start: int, shortest: str) -> tuple[str, ...]:
        """The registered prefixes ``value`` holds at ``start``, where ``shortest`` is the shortest of them: those
        that go on from it (looked up once per ``shortest``; most prefixes have none but themselves)."""
        longer = self._longer.get(shortest)
        if longer is None:
            same_start = self._prefixes.get(shortest[:1], ())
            longer = self._longer[shortest] = tuple(p for p in same_start if p.startswith(shortest))
        return longer if longer == (shortest,) else tuple(p for p in longer if value.startswith(p, start))

    def _body_of(self, prefixes: tuple[str, ...]) -> tuple[int, frozenset[str], int]:
        """For prefixes found at one place: the fewest body characters a match needs, the characters
        that count, and where the body starts (after the shortest prefix); remembered per set of prefixes."""
        body = self._bodies.get(prefixes)
        if body is None:
            found = [(len(p), c.format) for p in prefixes for c in self._by_prefix[p]]
            need = min(_body_needed(fmt.min_length - length) for length, fmt in found)
            allowed = _BODY_CHARACTERS.union(*(fmt.charset for _, fmt in found))
            body = self._bodies[prefixes] = (need, allowed, min(len(p) for p in prefixes))
        return body


def _normalized(name: str) -> str:
    """values.normalized_name of a name without a ".": ASCII letters and digits joined by single underscores are
    their own normalized form, upper-cased (no regex call, no cache that a name asked about once would miss)."""
    if name.isascii() and "__" not in name and name.replace("_", "").isalnum():
        return name.upper()
    return normalized_name(name)


def _body_needed(body: int) -> int:
    """Fewest characters after its prefix in anything detection reports for a format whose
    keys have ``body`` characters after it: a valid key has them all; a shortened near-miss
    at least max(8, half of them) (diagnose.is_attempt)."""
    if body <= 0:
        return 0  # the prefix is the whole key (Postmark's fixed test token)
    return min(body, max(8, body // 2))


class Answers(dict):
    """A prefilter question's answers by text, for the fast paths: a text asked about before is a lookup in C (a
    miss is the only Python call, ~0.4 us, though the prefilter remembers most answers itself). A text longer than
    ``longest`` is asked about each time it comes, never kept: those are the values the prefilter does not remember
    either (keys among them).

    With ``digits_turned_away`` (Prefilter.digits_turned_away, for value_matters' answers), a text of ASCII digits
    alone is answered no without asking: most texts the JSON reader meets for the first time are numbers (ports,
    counts: ~13k of ~20k in dense/team0-2's JSON), and value_matters' two calls were ~2/3 of each miss."""

    def __init__(
        self, question: Callable[[str], bool], longest: int | None = None, digits_turned_away: bool = False
    ) -> None:
        super().__init__()
        self.question = question
        self.longest = longest
        self.digits_turned_away = digits_turned_away

    def __missing__(self, text: str) -> bool:
        digits_alone = self.digits_turned_away and text.isdigit() and text.isascii()
        answer = False if digits_alone else self.question(text)
        if self.longest is None or len(text) <= self.longest:
            self[text] = answer
        return answer


def _name_answers(prefilter: Prefilter) -> Answers:
    return Answers(prefilter.name_matters)


_PREFILTERS: dict[int, Prefilter] = {}


def prefilter_for(detector: Detector) -> Prefilter:
    found = _PREFILTERS.get(id(detector))
    if found is None:
        found = _PREFILTERS[id(detector)] = Prefilter(detector, detector.providers)
    return found
