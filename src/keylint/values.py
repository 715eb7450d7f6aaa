"""What a config value is, when it is not a provider key: references, placeholders,
benign data (hashes, UUIDs, versions ...), and whether a variable name asks for a secret.

Pure functions over strings; shared by detection and the rules.
"""

from __future__ import annotations

import math
import operator
import re
from collections import _count_elements  # what Counter counts with (in C where available)
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from itertools import product

from keylint import recache

# ${VAR}, $VAR, ${{ secrets.X }}, {{ .Values.x }}, %(name)s, #{var}, <%= ENV %>, vault:, op://, arn:aws:...
_REFERENCE = re.compile(
    r"""^(?:
        \$\{[^}]*\}\S*$ | \$[A-Za-z_][A-Za-z0-9_]*$ | \$\{\{.*\}\}$ | \{\{.*\}\}$ | \{%.*%\}$ | %\([^)]+\)s$
      | \#\{[^}]+\}$ | <%=.*%>$ | @Microsoft\.KeyVault\(.*\)$ | !Ref\s | \(\(.*\)\)$
      | (?:vault|op|secret|secrets|sm|ssm|awssm|gcpsm|azkv|env|file|ref\+[a-z]+|doppler|infisical|bws|sops)://?\S*$
      | vault:\S+$ | arn:aws[a-z-]*:\S+$ | projects/[^/]+/secrets/\S+$ | ENC\[.*\]$
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_EMBEDDED_REFERENCE = re.compile(r"\$\{[A-Za-z_][^}]*\}|\$\{\{[^}]*\}\}|\{\{[^}]*\}\}")

_PLACEHOLDER_WORDS = (
    "your",
    "example",
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "placeholder",
    "dummy",
    "sample",
    "todo",
    "fixme",
    "insert",
    "enter",
    "fill",
    "redacted",
    "secret_here",
    "key_here",
    "token_here",
    "here",
    "notreal",
    "not_real",
    "not-a-real",
    "fake",
    "test123",
    "password123",
    "xxxxx",
    "*****",
    ".....",
    "<",
    ">",
    "donotuse",
    "do_not_use",
    "do-not-use",
    "none",
    "null",
    "nil",
    "undefined",
    "tbd",
    "n/a",
    "mykey",
    "my_key",
    "my-key",
    "mysecret",
    "my_secret",
    "secret123",
    "abc123",
    "123456",
    "foobar",
    "lorem",
)
_PLACEHOLDER_EXACT = {
    "",
    "secret",
    "password",
    "passwd",
    "token",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "xxx",
    "test",
    "testing",
    "default",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "admin",
    "root",
    "user",
    "pass",
    "changeit",
    "empty",
    "unset",
    "required",
    "optional",
    "string",
    "str",
    "value",
    "...",
    "-",
    "*",
    "~",
}
_LONGEST_EXACT = max(map(len, _PLACEHOLDER_EXACT))
_REPEATED_CLASS = re.compile(r"^(?:[xX*•.#_\-0]){4,}$")
# What a stand-in ends with: re.search(r"(?:\.\.\.|…|x{4,}|X{4,}|\*{3,}|<[^>]*>)$"), done by ends_with_any.
_ELLIPSIS_TAIL = ("...", "…", "xxxx", "XXXX", "***")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HASH = re.compile(r"^(?:sha(?:1|224|256|384|512)[:-]|md5[:-]|sha512-|sha256-|sha384-)?[0-9a-fA-F]{32,128}$")
_SRI = re.compile(r"^sha(?:256|384|512)-[A-Za-z0-9+/]{40,}={0,2}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w.-]+)?@sha256:[0-9a-f]{64}$|^sha256:[0-9a-f]{64}$")
_VERSION = re.compile(r"^[v=^~<>]*\d+(?:\.\d+)+(?:[-+.][0-9A-Za-z.\-+]*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^0[xXoObB][0-9a-fA-F_]+$")
_IMAGE = re.compile(r"^(?:[a-z0-9.-]+(?::\d+)?/)?[a-z0-9._/-]+:[\w.-]+$")
_PATHLIKE = re.compile(
    r"^(?:~|\.{1,2})?/[^\s]*$|^[A-Za-z]:\\|^[\w.-]+/[\w./-]+\.(?:json|pem|key|p12|crt|txt|yaml|yml)$"
)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PUBLIC_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?PUBLIC KEY-----|^ssh-(?:rsa|ed25519|dss) |^ecdsa-sha2-")
# Words of letters joined by single separators. Possessive repeats: a run of letters given back could only be
# followed by a letter, never by the separator or the end that must come next, so they match what the greedy
# ones match; the regex engine then stops at a key's first digit instead of giving back its letters one by one.
_WORDS = re.compile(r"^[A-Za-z]++(?:[ _.\-][A-Za-z]++)*+$")

# Variable names that ask for a secret. Matched against the last component of the key path.
_SECRET_NAME = re.compile(
    r"(?:^|[_.\-])(?:api[_.\-]?key|apikey|access[_.\-]?key|secret|token|passwd|password|pass|pwd|credential|"
    r"credentials|auth|private[_.\-]?key|privatekey|dsn|client[_.\-]?secret|signing[_.\-]?key|webhook[_.\-]?url|"
    r"bearer|session[_.\-]?key|encryption[_.\-]?key|master[_.\-]?key)(?:$|[_.\-])|(?:apikey|secret|token|password)$",
    re.IGNORECASE,
)
# Every name _SECRET_NAME matches holds one of these words: one search for them turns most names away, where
# _SECRET_NAME, with no literal start, is tried at every position (~1% of a pre-commit run). Lower-case ASCII
# only: case-insensitive matching also takes some non-ASCII letters for ASCII ones (the Kelvin sign for k).
_SECRET_NAME_WORDS = re.compile("key|secret|token|pass|pwd|credential|auth|dsn|webhook|bearer")
# ...but not these, which name non-secret settings next to secrets.
_NOT_SECRET_NAME = re.compile(
    r"(?:^|[_.\-])(?:file|path|dir|url_path|ttl|expiry|expires|expiration|timeout|length|len|size|type|name|id|"
    r"enabled|disabled|enable|required|header|prefix|format|algorithm|algo|endpoint|host|port|region|version|"
    r"count|max|min|policy|strategy|mode|method|rotation|provider|scope|scopes|audience|issuer|user|username|"
    r"email|cache|env|var|field|label|hint|placeholder|description|desc|public|publishable|pub)$",
    re.IGNORECASE,
)


def last_component(key: str) -> str:
    return key.rsplit(".", 1)[-1] if key else ""


@lru_cache(maxsize=1024)  # every entry rule asks about its entry's name
def names_secret(key: str) -> bool:
    """Does the variable name say it holds a secret (API_KEY, DB_PASSWORD, auth.token ...)?"""
    # Asked of the last component: key paths are mostly distinct, their last components repeat across files.
    return _name_asks_secret(last_component(key))


@lru_cache(maxsize=1024)
def _name_asks_secret(name: str) -> bool:
    if name.isascii() and _SECRET_NAME_WORDS.search(name.lower()) is None:
        return False
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


def normalized_name(key: str) -> str:
    """OPENAI_API_KEY for openai_api_key, openai-api-key, openai.api_key (last component)."""
    # Remembered by the last component, like names_secret: key paths are mostly distinct, their last components not.
    return _normalized_component(last_component(key))


@lru_cache(maxsize=1024)  # asked about the same name by detection and several rules
def _normalized_component(name: str) -> str:
    return _NOT_ALNUM.sub("_", name).upper()


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def is_reference(value: str) -> bool:
    """A pointer to a secret kept elsewhere: ${VAR}, {{ .Values.x }}, vault:/op:// URIs, ARNs..."""
    v = value.strip()
    if not v:
        return False
    # Every form of _REFERENCE starts with one of these characters or holds ':', '/' or '['; a key rarely does,
    # and these tests cost a third of the case-blind match that fails on it (asked twice of most values).
    if v[0] not in _REFERENCE_STARTS and ":" not in v and "/" not in v and "[" not in v:
        return False
    return bool(_REFERENCE.match(v))


_REFERENCE_STARTS = frozenset("${%#<@!(")


def has_embedded_reference(value: str) -> bool:
    return "{" in value and bool(_EMBEDDED_REFERENCE.search(value))  # every form has a brace


def ends_with_any(v: str, literals: tuple[str, ...], brackets: tuple[str, ...] = ()) -> bool:
    """``re.search("(?:lit|...|<[^<>]*>|...)$", v)`` for literal endings and bracket pairs, by looking at the end.

    A regex search anchored at ``$`` still tries every start position, and repeats such as
    ``x{4,}$`` or ``<[^>]*>$`` retry the rest of the value from each one: quadratic on hostile
    values, and a tenth of a second per 20 MB even when linear. Like ``$``, a match may end just
    before a final newline.
    """
    for body in (v, v[:-1]) if v.endswith("\n") else (v,):
        if body.endswith(literals):
            return True
        last = len(body) - 1
        for pair in brackets:
            if body.endswith(pair[1]):
                opening = body.rfind(pair[0], 0, last)
                if opening >= 0 and body.find(pair[1], opening + 1, last) < 0:
                    return True
    return False


class Endings:
    """:func:`ends_with_any` with these literals and bracket pairs, for values asked about one after another.

    The characters they end with are kept, and a value ending with none of them (almost every key) is answered
    by its last character alone: ends_with_any's endswith over the literals and its step per bracket pair took
    about a microsecond a key, for every value detection and the placeholder rules judged.
    """

    __slots__ = ("brackets", "last", "literals")

    def __init__(self, literals: tuple[str, ...], brackets: tuple[str, ...] = ()) -> None:
        self.literals = literals
        self.brackets = brackets
        # Like ``$``, an ending may come just before a final newline: a value ending with one is looked at in full.
        self.last = frozenset([*(text[-1] for text in (*literals, *brackets)), "\n"])

    def __call__(self, v: str) -> bool:
        return v[-1:] in self.last and ends_with_any(v, self.literals, self.brackets)


_ELLIPSIS_ENDINGS = Endings(_ELLIPSIS_TAIL, ("<>",))


def mixed_case(letters: str, size: int) -> tuple[str, ...]:
    """Every spelling of ``size`` characters from ``letters``: the literals of ``[xX]{4}``."""
    return tuple("".join(chars) for chars in product(letters, repeat=size))


def _repeated(v: str) -> bool:
    """``re.match(r"^(.)\\1{3,}$|^(?:[xX*•.#_\\-0]){4,}$", v)``, with the backreference branch done by
    counting: the regex engine needs about 100 ns and a saved mark per character for it (a minute on 100 MB)."""
    body = v[:-1] if v.endswith("\n") else v  # `$` also matches before a final newline
    if len(body) >= 4 and body[0] != "\n" and body.count(body[0]) == len(body):
        return True
    return bool(_REPEATED_CLASS.match(v))


@lru_cache(maxsize=16)  # the rules ask about the same value several times; the bound keeps memory flat
def is_placeholder(value: str) -> bool:
    """A stand-in for a real key: your-api-key-here, <KEY>, xxxx, changeme, sk-..., TODO."""
    v = value.strip().strip("\"'")
    low = v.lower()
    # A long value is not hashed for the set of short words (a multi-kilobyte key took as long as a search).
    if (len(low) <= _LONGEST_EXACT and low in _PLACEHOLDER_EXACT) or _repeated(v):
        return True
    if (v.startswith("<") and v.endswith(">")) or (v.startswith("[") and v.endswith("]") and " " not in v[1:-1]):
        return True
    if v[-1:] in _ELLIPSIS_ENDINGS.last and _ELLIPSIS_ENDINGS(v):  # the last character turns nearly every key away
        return True
    squashed = low.replace(" ", "")
    if holds_any(squashed, _PLACEHOLDER_WORDS, _placeholder_words):
        return True
    global _LATEST_NON_PLACEHOLDER
    _LATEST_NON_PLACEHOLDER = v
    return False


# The last value (stripped as is_placeholder strips it) that is_placeholder turned down: KL401 asks
# looks_like_placeholder about the value KL102 has just asked is_placeholder about (see rules.placeholder).
_LATEST_NON_PLACEHOLDER: str | None = None


def known_non_placeholder(stripped: str) -> bool:
    """Has is_placeholder just turned down a value that comes to ``stripped`` once stripped of whitespace and
    quotes (so that no placeholder word is in it, lower-cased, spaces removed)? False when not asked lately."""
    return stripped == _LATEST_NON_PLACEHOLDER


@lru_cache(maxsize=1)  # compiled on first use: a scan with no candidate value never needs it
def _placeholder_words() -> re.Pattern[str]:
    """Finds any of _PLACEHOLDER_WORDS (one regex instead of a search per word)."""
    return re.compile(words_pattern(_PLACEHOLDER_WORDS))


def holds_any(text: str, words: tuple[str, ...], pattern: Callable[[], re.Pattern[str]]) -> bool:
    """Does ``text`` hold any of ``words``? ``pattern``: a regex finding any of them (:func:`words_pattern`).

    The regex searches a short text in one pass; past a few hundred characters a search per word is the
    faster (str's search skips through the text in C, where the regex tries a branch at most positions:
    an 8,000-character token in a secret variable took about three times as long by regex), and fewer
    searches faster still (:func:`_search_plan`: the dense tree's (team0-2) 809 long texts in ~40% less time).
    """
    if len(text) > _SEARCHED_WORD_BY_WORD:
        return any(gate in text and any(map(text.__contains__, members)) for gate, members in _search_plan(words))
    return pattern().search(text) is not None


_SEARCHED_WORD_BY_WORD = 256


@lru_cache(maxsize=8)  # one plan per list of words
def _search_plan(words: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The searches that tell whether a text holds any of ``words``: (gate, members) pairs, the members looked
    for only in a text that holds the gate.

    A word that holds another word of the list is left out (the text then holds the other one too), and words
    that begin with the same three characters are looked for only after their longest common beginning is found
    (``your`` for the nine ``yourkey``, ``your_token`` ...). Each search reads the whole text, so the 26 long
    placeholder words take 14 searches, the 49 placeholder words 41; a word alone is its own gate.
    """
    kept = [word for word in words if not any(other != word and other in word for other in words)]
    groups: dict[str, list[str]] = {}
    for word in kept:
        groups.setdefault(word[:3], []).append(word)
    plan = []
    for members in groups.values():
        gate = members[0]
        for word in members:
            while not word.startswith(gate):
                gate = gate[:-1]
        plan.append((gate, tuple(members)))
    # Short words first: a random text holds one by chance more often (`nil`, `tbd`), which ends the search.
    return tuple(sorted(plan, key=lambda step: len(step[0])))


# words_pattern's tries are kept between runs under this file's version (building the provider prefixes'
# tries was ~2% of a pre-commit run).
_SOURCE_STAMP = recache.source_stamp(__file__)


def words_pattern(words: Iterable[str], longest: bool = False) -> str:
    """A regex matching where any of ``words`` starts: the shortest one at that position, or with
    ``longest`` the longest one (what an alternation of the words, longest first, matches).

    The words as a trie: the regex engine follows one branch per character instead of trying
    every word at every position."""
    words = tuple(words)
    if _SOURCE_STAMP is None:
        return _trie_pattern(words, longest)
    key = ("words-pattern", _SOURCE_STAMP, words, longest)
    return recache.kept(key, lambda: (_trie_pattern(words, longest),), _is_kept_pattern)[0]


def _is_kept_pattern(value: object) -> bool:
    # Wrapped in a 1-tuple: a damaged table's stray string is refused, not taken for a pattern.
    return type(value) is tuple and len(value) == 1 and type(value[0]) is str


def _trie_pattern(words: tuple[str, ...], longest: bool) -> str:
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        if ends and not longest:  # a word ends here: any longer one starting the same way adds no position
            return ""
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        pattern = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A longer word is tried first (greedy), this one where none goes on.
        return f"(?:{pattern})?" if ends else pattern

    return build(root)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    # Counter's own counting function into a plain dict (Counter's Python layers cost more than counting a key):
    # first-seen order like a dict loop, so the terms are added in the same order, giving the same float.
    _count_elements(counts, value)
    n = len(value)
    if n > _TABLED_LENGTH:
        return -sum(c / n * math.log2(c / n) for c in counts.values())
    # The same terms, added in the same order, looked up instead of computed: keys have few distinct lengths.
    return -sum(map(_entropy_terms(n).__getitem__, counts.values()))


# One table per length up to this: at most about a megabyte of floats in all.
_TABLED_LENGTH = 256


@cache  # lengths up to _TABLED_LENGTH only
def _entropy_terms(n: int) -> list[float]:
    """``c / n * log2(c / n)`` for every count ``c`` of a character in a value of ``n`` characters.

    A list, never changed: its ``__getitem__`` is called directly by ``map``, a tuple's through a slot wrapper
    (about 500 instructions a term instead of 250: a third of entropy() on a 64-character key)."""
    return [0.0, *(c / n * math.log2(c / n) for c in range(1, n + 1))]


# The anchored shapes benign_kind tries first, in its order, as one alternation: the regex engine tries its branches
# in turn, so the first that matches names the kind, as one match per pattern did (six calls cost ~6k instructions
# on a generated secret, which fails each of them within a few characters).
_BENIGN_SHAPE_KINDS = {
    "number": "number",
    "version": "version",
    "uuid": "uuid",
    "hash": "hash",
    "sri": "hash",
    "digest": "image digest",
}
_BENIGN_SHAPES = re.compile(
    "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in zip(_BENIGN_SHAPE_KINDS, (_NUMBER, _VERSION, _UUID, _HASH, _SRI, _DIGEST), strict=True)
    )
)


def benign_kind(value: str) -> str | None:
    """Why a value is certainly not a secret, or None. Used to keep generic detection quiet."""
    v = value.strip()
    if not v:
        return "empty"
    low = v.lower()
    if low in {"true", "false", "yes", "no", "on", "off", "null", "none", "~"}:
        return "boolean or null"
    shape = _BENIGN_SHAPES.match(v)
    if shape is not None:
        return _BENIGN_SHAPE_KINDS[shape.lastgroup]
    # The shapes below are only tried on values with the characters they need: a regex that fails on a
    # random string still reads all of it, several times over.
    if "@" in v and _EMAIL.match(v):
        return "email address"
    if ("/" in v or "\\" in v) and _PATHLIKE.match(v):
        return "path"
    if ("-----BEGIN" in v or v.startswith(("ssh-", "ecdsa-"))) and _PUBLIC_KEY.search(v):
        return "public key"
    if "://" in v and _URL.match(v) and "@" not in v.split("://", 1)[1].split("/", 1)[0]:
        return "url"
    if "/" in v and _IMAGE.match(v):
        return "image reference"
    if " " in v and len(v.split()) >= 3:
        return "text"
    return None


_ASCII_CLASSES = (re.compile("[a-z]"), re.compile("[A-Z]"), re.compile("[0-9]"), re.compile("[^A-Za-z0-9]"))
_ASCII_ALNUM = re.compile("[A-Za-z0-9]")


def _one_character_class(v: str) -> bool:
    """``_character_classes(v) < 2``: all of ``v`` lower case, upper case, digits or other characters.

    For ASCII by string methods that stop at the first character that settles them, where a random value
    would need all four regex searches (about 3 us of every looks_random call)."""
    if not v.isascii():
        return _character_classes(v) < 2
    # Letters of one case only, digits only, or no letter or digit at all: anything else mixes two classes.
    return v.isdigit() or (v.isalpha() and (v.islower() or v.isupper())) or _ASCII_ALNUM.search(v) is None


def _character_classes(v: str) -> int:
    """How many of lower case, upper case, digits and other characters ``v`` has.

    ASCII values are searched by regex (C speed; a character loop took seconds on a 20 MB value).
    """
    if v.isascii():
        return sum(1 for pattern in _ASCII_CLASSES if pattern.search(v))
    return sum(
        (
            any(c.islower() for c in v),
            any(c.isupper() for c in v),
            any(c.isdigit() for c in v),
            any(not c.isalnum() for c in v),
        )
    )


@lru_cache(maxsize=16)
def looks_random(value: str) -> bool:
    """High enough entropy and character mix to be a generated secret rather than a word."""
    v = value.strip()
    if len(v) < 12 or " " in v or _WORDS.match(v):
        return False
    if _one_character_class(v):
        return False
    return entropy_at_least(v, 3.0 if len(v) < 20 else 3.3)


# Farther than this from a threshold, a bound settles which side of it an entropy is on, float rounding
# included (a sum of a million terms is off by well under a millionth).
_ENTROPY_MARGIN = 1e-6


def entropy_at_least(value: str, threshold: float) -> bool:
    """``entropy(value) >= threshold``, mostly settled by how many distinct characters ``value`` has.

    With k distinct characters among n, the entropy is at most log2(k) (all equally frequent) and at least
    that of one character filling all but k - 1 places, or, for a long value, its pieces' least entropies
    averaged. A random key is far above the threshold, a word far below, and a set of the characters costs
    about a third of counting them. Only values between the bounds, or too close to the threshold for a
    bound to settle, are counted.

    Past :data:`_PIECES_FROM` characters, where the whole value's set no longer settles a random key, an ASCII
    value's characters are counted in 16 groups first (:func:`_grouped_bits`), other values bounded piece by piece;
    up to there the set settles most keys alone, and the pieces (a set per piece and a few Python steps) rarely
    settled what it did not (hex keys of 40-80 characters are settled by neither): the values of 33-128 characters
    detection asked about on the dense tree were judged in 40% less time.
    """
    n = len(value)
    if n > _PIECES_FROM:
        if value.isascii():
            if _grouped_bits(value) / n >= threshold + _ENTROPY_MARGIN:
                return True
        elif n <= _MOST_BOUNDED and _least_bits_of_pieces(value) / n >= threshold + _ENTROPY_MARGIN:
            return True
        if n > _MOST_BOUNDED:
            return entropy(value) >= threshold  # the set's bound rarely settles a value this long: a set is extra work
    distinct = len(set(value))
    if math.log2(distinct or 1) < threshold - _ENTROPY_MARGIN:
        return False
    if _least_entropy(n, distinct) >= threshold + _ENTROPY_MARGIN:
        return True
    return entropy(value) >= threshold


def _least_bits_of_pieces(value: str) -> float:
    """At most ``len(value) * entropy(value)``: the fewest bits each piece of ``_PIECE`` characters holds, summed.

    Entropy is concave: a value's is at least its pieces' average, weighted by their lengths. A long key
    repeats characters across its length but rarely within a piece, so this bound is tighter than the whole
    value's. The whole pieces are mapped in C: a Python step per piece costs as much as counting.
    """
    end = len(value) // _PIECE * _PIECE
    pieces = map(slice, range(0, end, _PIECE), range(_PIECE, end + 1, _PIECE))
    distinct_per_piece = map(len, map(set, map(value.__getitem__, pieces)))
    rest = value[end:]
    return sum(map(_PIECE_FLOORS.__getitem__, distinct_per_piece)) + _least_bits(len(rest), len(set(rest)))


def _grouped_bits(value: str) -> float:
    """At most ``len(value) * entropy(value)``, for an ASCII value: the bits its characters' groups hold.

    Telling apart only 16 groups of characters (:func:`_group_table`) loses information, never adds it: the
    entropy of the groups is at most the characters'. A random key's characters spread over the groups
    (a base64 key's about 4 bits a character of its 6, a hex key's all its 4; the threshold is 3.3), and 16
    counts of one byte each (``bytes.count`` runs through the value in C at well under a nanosecond a
    character) cost a fraction of counting every character into a dict: the dense tree's (team0-2) 418 values
    of more than 512 characters detection asked about (3,600 on average, base64 of about 6 bits) were judged in
    40% of the time (a quarter of the instructions), those of 129-512 characters in 80%.
    """
    n = len(value)
    counts = map(value.encode("ascii").translate(_group_table()).count, range(16))
    # The sum in C, not a Python step per group (a generator over the counts was the hottest line of a scan): up to
    # _TABLED_LENGTH by the entropy's own table of terms, past it as n*log2(n) - sum(c*log2(c)). Either is the bound
    # to within float rounding, far inside _ENTROPY_MARGIN, which every comparison with it leaves.
    if n <= _TABLED_LENGTH:
        return -n * sum(map(_entropy_terms(n).__getitem__, counts))
    counts = list(filter(None, counts))
    return n * math.log2(n) - sum(map(operator.mul, counts, map(math.log2, counts)))


def _group_of(code: int) -> int:
    """The group of an ASCII character: a digit its value, a letter (either case) its place in the alphabet
    plus 10, modulo 16 (so hex digits of either case are one to a group, a base64 key's characters three to five),
    anything else its code modulo 16."""
    char = chr(code)
    if "0" <= char <= "9":
        return code - ord("0")
    if char.isascii() and char.isalpha():
        return (10 + ord(char.lower()) - ord("a")) % 16
    return code % 16


@cache  # made on first use: ~50 us that a run without a value past 128 characters (as a pre-commit run) never needs
def _group_table() -> bytes:
    """:func:`_group_of` of every byte, a bytes.translate table (only ASCII codes are looked up)."""
    return bytes(map(_group_of, range(256)))


def _least_entropy(n: int, distinct: int) -> float:
    """The smallest entropy of ``n`` characters, ``distinct`` of them different: all but one appear once."""
    most = n - distinct + 1
    return -(most / n) * math.log2(most / n) + (distinct - 1) / n * math.log2(n) if n else 0.0


def _least_bits(n: int, distinct: int) -> float:
    """The fewest bits ``n`` characters, ``distinct`` of them different, hold: ``n`` times their least entropy."""
    return _least_entropy(n, distinct) * n


# The pieces a long value is bounded by (32 characters of a random key rarely repeat one), the least bits a piece
# of so many distinct characters holds, and the longest value bounded at all: past it, counting once is cheaper
# than a set per piece (break-even about 1,000 characters of a random key; the dense tree's multi-kilobyte
# base64 values were ~20% slower bounded than counted).
_PIECE = 32
_PIECES_FROM = 4 * _PIECE
_MOST_BOUNDED = 512
_PIECE_FLOORS = (0.0, *(_least_bits(_PIECE, distinct) for distinct in range(1, _PIECE + 1)))


def looks_like_password(value: str) -> bool:
    """Short human-chosen passwords (in a PASSWORD variable) count too, when not a word list."""
    v = value.strip()
    if len(v) < 8 or " " in v:
        return False
    return any(c.isdigit() for c in v) + any(c.isalpha() for c in v) + any(not c.isalnum() for c in v) >= 2
