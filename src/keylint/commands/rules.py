"""``keylint rules [CODE]``: list every rule, or explain one."""

from __future__ import annotations

import argparse
import re

from keylint.config import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("rules", help="list rules, or explain one (keylint rules KL101)")
    parser.add_argument("code", nargs="?", help="a rule code or name, e.g. KL101 or provider-key")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def demote_headings(markdown: str) -> str:
    """One level deeper (## -> ###) outside code fences: a rule's sections sit below its title,
    so the pages can be concatenated into one document (docs/rules.md)."""
    lines = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines)


def explain(code: str, fmt: str = "text") -> str:
    from keylint.rules import resolve

    rule = resolve(code)
    if rule is None:
        raise ConfigError(f"unknown rule {code!r}; `keylint rules` lists them")
    head = f"{rule.code} {rule.name} ({rule.severity.label}, category {rule.category})"
    if fmt == "markdown":
        meta = f"*Default severity: {rule.severity.label}; category: {rule.category}.*"
        return f"## {rule.code} `{rule.name}`\n\n{meta}\n\n{demote_headings(rule.doc)}\n"
    return f"{head}\n\n{rule.doc}\n"


def run(args: argparse.Namespace) -> int:
    import json

    from keylint.rules import all_rules

    if args.code:
        print(explain(args.code, args.format), end="")
        return 0
    rules = all_rules().values()
    if args.format == "json":
        data = [
            {"code": r.code, "name": r.name, "severity": r.severity.label, "category": r.category, "summary": r.summary}
            for r in rules
        ]
        print(json.dumps(data, indent=2))
        return 0
    width = max(len(r.name) for r in rules)
    for r in rules:
        print(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {r.category:<11}  {r.summary}")
    return 0
