"""Reading only what matters: the common shapes of `.env`, YAML, JSON and TOML files without a full parse.

A full parse builds an entry for every value of a file, and in a large config tree almost
none of them can matter to any rule (see :mod:`keylint.prefilter`). For files in the plain
shapes most config files have, :func:`read` finds the same entries the full parser would,
but materialises only those the prefilter keeps, at a fraction of the cost:

- ``.env``: every line a one-line ``KEY=value`` statement (optionally ``export``; a plain
  value without quotes, ``#`` or backslashes, or a quoted value closed on its line without
  backslashes; optionally a `` # comment``), a comment or blank. The statements that matter
  become the entries :mod:`keylint.parsers.dotenv` makes of them, read off the regex's groups.
- YAML: block mappings and sequences, indented with spaces, with plain keys and one-line
  plain or simply quoted values (no anchors, aliases, tags, flow collections, block
  scalars, multi-line scalars, merge keys, Kubernetes ``Secret`` data or ``env`` lists);
  anything else, and whatever libyaml would refuse (control characters, keys past 1024
  characters, nesting past max-depth), is left to the full parser. Entries carry exactly
  what :mod:`keylint.parsers.yaml` gives them (key path, value, raw text, line and column,
  key line, trailing comment, resolved tag).
- JSON without backslashes: ``json.loads`` (in C) checks the file; its hooks keep the values
  that matter with their key paths (each distinct member name asked about once, a value only
  where its name does not decide), and a search from one kept value to the next finds each in
  the text.
- TOML of one-line statements: ``[table]`` headers and ``key = value`` lines with bare keys,
  strings without escapes, decimal numbers, booleans and one-line arrays of those, comments;
  a key or table defined twice, or a value where a table goes, is refused as tomllib refuses it.

Anything else, including any duplicate key or anything the full parser would report, makes
:func:`read` return None and the engine parses the file as usual. Equivalence with the full
parsers is tested on generated files (tests/test_fastpath.py), and the engine's findings
with and without the prefilter (``KEYLINT_NO_PREFILTER=1``) are compared in tests.
"""

from __future__ import annotations

from keylint import TYPE_CHECKING
from keylint.fastpath.reading import Reading, _lines

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

__all__ = ["FILE_RULES", "Reading", "_lines", "read"]

# What each file-scope rule reads, and why a reading (entries that matter, no parse problems) serves it.
FILE_RULES = {
    "KL001": "parse problems",
    "KL003": "parse problems",
    "KL004": "parse problems",
    "KL303": "parse problems; entries expecting a secret (kept: a match or a secret name)",
    "KL304": "parse problems (a duplicate key makes read() decline)",
    "KL502": "the first entry a secret rule reports (kept, in file order)",
}


def read(fmt: str, text: str, prefilter: Prefilter, keys: bool = True) -> Reading | None:
    """The entries of ``text`` that ``prefilter`` keeps, or None when the file needs the full parser;
    with ``keys``, a .env file's reading lists every variable with its line too."""
    if "\r" in text or "\t" in text or text.startswith("\ufeff"):
        return None
    if not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text):
        return None  # line breaks for YAML, not for keylint's positions
    if fmt == "dotenv":
        from keylint.fastpath import dotenv

        return dotenv.read(text, prefilter, keys)
    if fmt == "yaml":
        from keylint.fastpath import yaml

        return yaml.read(text, prefilter)
    if fmt == "json":
        from keylint.fastpath import json

        return json.read(text, prefilter)
    if fmt == "toml":
        from keylint.fastpath import toml

        return toml.read(text, prefilter)
    return None
