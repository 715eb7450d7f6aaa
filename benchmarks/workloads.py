"""Deterministic synthetic config trees for the benchmarks.

Every workload is generated from a fixed seed, so two machines (or two runs)
measure the same bytes. Keys are generated from keylint's provider registry at
generation time; nothing secret-looking is committed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from keylint.providers import all_providers

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "service",
    "api",
    "worker",
    "queue",
    "cache",
    "redis",
    "postgres",
    "region",
    "zone",
    "replica",
    "timeout",
    "retry",
    "limit",
    "memory",
    "cpu",
    "image",
    "tag",
    "port",
    "host",
    "path",
    "name",
    "label",
    "version",
    "enabled",
    "feature",
    "flag",
    "bucket",
    "topic",
    "stream",
    "metrics",
    "tracing",
    "logging",
    "level",
    "format",
    "handler",
    "backend",
    "frontend",
    "gateway",
    "ingress",
    "egress",
    "policy",
]


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _unique(name: str, used: set[str]) -> str:
    """Real config files do not define a key twice in one mapping (keylint would report it): number repeats."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}{n}" if name[-1:].isalpha() else f"{name}_{n}"
    used.add(candidate)
    return candidate


def _provider_key(rng: random.Random) -> tuple[str, str]:
    """(variable name, key) for a random prefixed provider format."""
    providers = [p for p in all_providers() if any(f.prefix and f.secret for f in p.formats)]
    provider = rng.choice(providers)
    fmt = rng.choice([f for f in provider.formats if f.prefix and f.secret])
    name = provider.env_vars[0] if provider.env_vars else f"{provider.id.upper()}_API_KEY"
    return name, fmt.generate(rng)


def _secretish(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.5:
        return _provider_key(rng)
    if roll < 0.75:
        value = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(28))
        return f"{_word(rng).upper()}_SECRET", value
    if roll < 0.9:
        return f"{_word(rng).upper()}_TOKEN", "${" + _word(rng).upper() + "_TOKEN}"
    return f"{_word(rng).upper()}_API_KEY", "your-api-key-here"


def dotenv_file(rng: random.Random, lines: int, secret_every: int, used: set[str] | None = None, first: int = 0) -> str:
    out = []
    used = set() if used is None else used
    for i in range(first, first + lines):
        if secret_every and i % secret_every == secret_every // 2:
            name, value = _secretish(rng)
            name = _unique(name, used)
        else:
            name = f"{_word(rng).upper()}_{_word(rng).upper()}_{i}"
            value = rng.choice(
                [str(rng.randint(0, 99999)), _word(rng), "true", f"{_word(rng)}.internal:{rng.randint(1, 65535)}"]
            )
        out.append(f"{name}={value}")
    return "\n".join(out) + "\n"


def yaml_file(rng: random.Random, lines: int, secret_every: int) -> str:
    out = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {_word(rng)}-{_word(rng)}", "spec:"]
    indent = "  "
    i = 0
    while len(out) < lines:
        i += 1
        out.append(f"{indent}{_word(rng)}{i}:")
        used: set[str] = set()
        for _ in range(rng.randint(2, 6)):
            if secret_every and len(out) % secret_every == 0:
                name, value = _secretish(rng)
                out.append(f"{indent}  {_unique(name.lower(), used)}: {value}")
            else:
                value = rng.choice([str(rng.randint(0, 9999)), f'"{_word(rng)}"', "true", f"{_word(rng)}-{_word(rng)}"])
                out.append(f"{indent}  {_unique(f'{_word(rng)}_{_word(rng)}', used)}: {value}")
    return "\n".join(out) + "\n"


def crd_schema(rng: random.Random, lines: int) -> str:
    """Large generated YAML like a CustomResourceDefinition's openAPIV3Schema: deep, wordy, no secrets."""
    out = [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "spec:",
        "  versions:",
        "  - name: v1",
        "    schema:",
        "      openAPIV3Schema:",
        "        properties:",
    ]
    used: set[str] = set()
    while len(out) < lines:
        name = _unique(f"{_word(rng)}{_word(rng).title()}", used)
        out += [
            f"          {name}:",
            f"            description: The {_word(rng)} {_word(rng)} of the {_word(rng)}; see the {_word(rng)} docs.",
            f"            type: {rng.choice(['string', 'integer', 'boolean', 'object'])}",
        ]
    return "\n".join(out) + "\n"


def toml_file(rng: random.Random, lines: int, secret_every: int) -> str:
    out: list[str] = []
    table = 0
    while len(out) < lines:
        table += 1
        out.append(f"[{_word(rng)}_{table}]")
        used: set[str] = set()
        for _ in range(rng.randint(3, 8)):
            if secret_every and len(out) % secret_every == 0:
                name, value = _secretish(rng)
                out.append(f'{_unique(name.lower(), used)} = "{value}"')
            else:
                value = rng.choice([str(rng.randint(0, 999)), "true", f'"{_word(rng)}"'])
                out.append(f"{_unique(f'{_word(rng)}_{_word(rng)}', used)} = {value}")
        out.append("")
    return "\n".join(out) + "\n"


def json_file(rng: random.Random, lines: int, secret_every: int) -> str:
    items = []
    for i in range(max(1, lines // 6)):
        item: dict[str, object] = {
            "name": f"{_word(rng)}-{i}",
            "port": rng.randint(1, 65535),
            "enabled": rng.random() < 0.5,
            "labels": {_word(rng): _word(rng)},
        }
        if secret_every and i % max(1, secret_every // 6) == 0:
            name, value = _secretish(rng)
            item[name.lower()] = value
        items.append(item)
    return json.dumps({"services": items}, indent=1) + "\n"


Writer = Callable[[random.Random, int, int], str]
_KINDS: list[tuple[str, Writer]] = [
    (".env", dotenv_file),
    ("values.yaml", yaml_file),
    ("settings.toml", toml_file),
    ("config.json", json_file),
]


def precommit_files(root: Path, seed: int = 1) -> list[Path]:
    """10 small config files (1-5 KB): a mix of .env, YAML and TOML, as a commit would touch."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(10):
        kind = [(".env", dotenv_file), ("values.yaml", yaml_file), ("settings.toml", toml_file)][i % 3]
        path = root / f"svc{i}" / kind[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(kind[1](rng, rng.randint(40, 120), 15))
        paths.append(path)
    return paths


def tree(root: Path, megabytes: float, secret_every: int, seed: int = 2, crd_share: float = 0.0) -> Path:
    """A repository-shaped tree of about `megabytes` MB of config files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1024 * 1024)
    written = 0
    n = 0
    while written < target:
        n += 1
        folder = root / f"team{n % 17}" / f"service{n}"
        folder.mkdir(parents=True, exist_ok=True)
        if crd_share and rng.random() < crd_share:
            text = crd_schema(rng, rng.randint(2000, 20000))
            path = folder / "crd.yaml"
        else:
            name, writer = rng.choice(_KINDS)
            text = writer(rng, rng.randint(50, 1500), secret_every)
            path = folder / name
        path.write_text(text)
        written += len(text.encode())
    return root


def large_file(path: Path, megabytes: float, kind: str, seed: int = 3) -> Path:
    """One large file of about ``megabytes`` MB: a multi-document YAML stream (mostly generated schemas,
    with settings holding a key every ~200 lines) or one .env file (a key every 200 lines)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1024 * 1024)
    used: set[str] = set()
    written = 0
    chunk = 0
    with open(path, "w") as handle:
        while written < target:
            if kind == "yaml":
                # one document per chunk: no duplicate keys
                body = yaml_file(rng, 3000, 200) if chunk % 4 == 0 else crd_schema(rng, 3000)
                text = ("---\n" if chunk else "") + body
            else:  # one .env file: variables stay distinct across chunks
                text = dotenv_file(rng, 3000, 200, used, first=chunk * 3000)
            handle.write(text)
            written += len(text.encode())
            chunk += 1
    return path
