"""What reading YAML the way PyYAML does needs, without importing PyYAML.

The YAML fast path (keylint.fastpath.yaml) reads most files line by line and never runs PyYAML; importing it
anyway (twenty modules and some eighty classes, its emitter and dumper included) was a tenth of a pre-commit
run. So the few things both readers share live here: the tag PyYAML's resolver gives a plain scalar (its
YAML 1.1 implicit resolvers, copied from ``yaml/resolver.py``; tests/test_parsers_yaml.py checks that the table
built here equals ``yaml.SafeLoader``'s, entry for entry and in order), libyaml's limits, and whether PyYAML
has libyaml to read with.
"""

from __future__ import annotations

import re
import sys
from functools import cache

MAX_ENTRIES = 1_000_000
MAX_DEPTH = 1000  # libyaml's own limit; the pure-Python parser has none and key paths would grow quadratically

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = TAG_PREFIX + "str"

# PyYAML's Resolver.add_implicit_resolver calls, in their order: (tag, pattern, flags, first characters).
_RESOLVERS: tuple[tuple[str, str, int, str | list[str]], ...] = (
    (
        "tag:yaml.org,2002:bool",
        r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
        re.X,
        "yYnNtTfFoO",
    ),
    (
        "tag:yaml.org,2002:float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
        re.X,
        "-+0123456789.",
    ),
    (
        "tag:yaml.org,2002:int",
        r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        re.X,
        "-+0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, "<"),
    (
        "tag:yaml.org,2002:null",
        r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
        re.X,
        ["~", "n", "N", ""],  # "": the empty scalar
    ),
    (
        "tag:yaml.org,2002:timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        re.X,
        "0123456789",
    ),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, "="),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, "!&*"),
)


def _implicit_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """First character of a plain scalar -> the (tag, regex) pairs tried on it, as PyYAML builds the table."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, flags, first in _RESOLVERS:
        regexp = re.compile(pattern, flags)
        for char in first:
            table.setdefault(char, []).append((tag, regexp))
    return table


IMPLICIT = _implicit_resolvers()


def resolve(value: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (YAML 1.1: yes/no/on/off are booleans)."""
    for tag, regexp in IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return STR_TAG


def short_tag(tag: str) -> str:
    return tag[len(TAG_PREFIX) :] if tag.startswith(TAG_PREFIX) else tag


@cache  # asked for every YAML file
def libyaml_installed() -> bool:
    """Does PyYAML read with libyaml (its C extension ``yaml._yaml``)? Asked without importing PyYAML: the
    import system is asked where the extension would be loaded from, unless PyYAML is loaded already."""
    loaded = sys.modules.get("yaml")
    if loaded is not None:
        return hasattr(loaded, "CSafeLoader")
    from importlib.machinery import PathFinder

    package = PathFinder.find_spec("yaml")
    if package is None or not package.submodule_search_locations:
        return False
    return PathFinder.find_spec("yaml._yaml", package.submodule_search_locations) is not None
