#!/usr/bin/env python3
"""Fuzz keylint's parsers and pipeline: ``python benchmarks/fuzz.py --seconds N [--target NAME ...]``.

One target per parser (dotenv, yaml, toml, json, ini, properties, lines), ``decode`` (bytes to
text: encodings, BOMs, binary detection) and ``pipeline`` (bytes -> decode -> parse -> detect ->
rules, for every format). Each target checks the same properties as tests/test_hardening_fuzz.py:
no exception escapes, every position lies inside the input, no finding message quotes 8
characters of its secret; and each input must take less than ``--input-timeout`` seconds.

Engines: atheris (coverage-guided libFuzzer; ``pip install atheris``) when it is installed,
else a built-in mutation fuzzer (random edits, splices and insertions of config syntax and key
prefixes into a seed corpus of config files). Each target runs in its own process for N
seconds. A failing input is written to ``--crashes`` (default benchmarks/fuzz-crashes/) as
``<target>-<sha1>.bin`` and the run exits 1; reproduce with ``--replay FILE --target NAME``.

CI runs every target for a second (tests/test_hardening_fuzz.py); longer runs are for people.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

PARSERS = ("dotenv", "yaml", "toml", "json", "ini", "properties", "lines")
TARGETS = (*PARSERS, "decode", "pipeline")
_BREAK = re.compile(r"\r\n?|\n")

SEEDS = [
    b"OPENAI_API_KEY=sk-proj-abc\nexport A='b c' # note\nB=\"multi\nline\"\n",
    b"services:\n  api:\n    environment:\n      - TOKEN=ghp_x\n    image: a:b\nx: &a [1, *a]\n",
    b'kind: Secret\ndata:\n  GITHUB_TOKEN: Z2hwX2FiYw==\n---\n- {a: "\\u0041"}\n',
    b'[server]\nkey = "sk_live_abc"\n[[a.b]]\nc = """\nml\n"""\nd = {e = 1, f = [1, 2]}\n',
    b'{"a": {"b": ["sk-ant-api03-x", 1.5e3, null, true]}, "c": "\\u00e9\\n"}',
    b"[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\n; comment\n//registry.npmjs.org/:_authToken=npm_x\n",
    b"db.password=secret\\\n    continued\nkey\\:with\\=escapes = v\n",
    b"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nURL=postgres://u:p@h/db\n",
    b"\xef\xbb\xbfA=1\r\nB=2\rC=3\n",
    "KEY=ghр_\u200bx\u00a0y\n".encode(),
]
TOKENS = [
    b"=",
    b":",
    b"#",
    b"\n",
    b"\r",
    b"\r\n",
    b"'",
    b'"',
    b"`",
    b"\\",
    b"[",
    b"]",
    b"{",
    b"}",
    b"- ",
    b"  ",
    b"&a ",
    b"*a",
    b"<<: ",
    b"|\n",
    b">-\n",
    b"---\n",
    b"!!binary ",
    b'"""',
    b"'''",
    b"[[",
    b"]]",
    b"\t",
    b"export ",
    b"${A}",
    b"ghp_",
    b"sk-",
    b"sk_live_",
    b"AKIA",
    b"xoxb-",
    b"eyJ",
    b"AIza",
    b"glpat-",
    b"-----BEGIN ",
    b"://u:p@",
    b"\x00",
    b"\xff",
    b"\xe2\x80\x8b",
    b"\xc2\xa0",
    b"\xef\xbb\xbf",
    b"# keylint: ignore[KL101]\n",
    b"A" * 40,
    b"0123456789abcdef" * 3,
]


class Failure(Exception):
    pass


def _lines(text: str) -> list[str]:
    return _BREAK.split(text)


def _inside(text: str, line: int, column: int, what: object) -> None:
    lines = _lines(text)
    if not (1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1):
        raise Failure(f"position {line}:{column} outside the input ({len(lines)} lines): {what!r}"[:500])


def make_target(name: str):
    from keylint.config import Settings
    from keylint.engine import analyse
    from keylint.parsers import parse
    from keylint.read import ReadError, decode

    settings = Settings()

    def text_of(data: bytes) -> str:
        return data.decode("utf-8", "replace")

    if name in PARSERS:

        def run_parser(data: bytes) -> None:
            text = text_of(data)
            result = parse(name, text)
            for entry in result.entries:
                _inside(text, entry.line, entry.column, entry)
            for problem in result.problems:
                _inside(text, problem.line, problem.column, problem)

        return run_parser

    if name == "decode":

        def run_decode(data: bytes) -> None:
            try:
                text, _ = decode(data, "fuzz")
            except ReadError as error:
                if error.kind != "skipped":
                    raise Failure(f"unexpected read error kind {error.kind}") from None
                return
            if "\r" in text:
                raise Failure("a carriage return survived decoding")

        return run_decode

    def run_pipeline(data: bytes) -> None:
        if not data:
            return
        fmt = PARSERS[data[0] % len(PARSERS)]
        try:
            text, _ = decode(data[1:], "fuzz")
        except ReadError:
            return
        findings, _summary = analyse("fuzz", "fuzz", fmt, text, settings)
        for finding in findings:
            _inside(text, finding.line, finding.column, finding.rule)
            secret = finding.secret or ""
            for i in range(len(secret) - 7):
                if secret[i : i + 8] in finding.message and not _public_piece(finding, i):
                    raise Failure(f"{finding.rule} message quotes its secret: {finding.message[:200]!r}")

    return run_pipeline


def _public_piece(finding, index: int) -> bool:
    from keylint.providers import by_id

    provider = by_id(finding.provider) if finding.provider else None
    if provider is None:
        return False
    prefix = max((len(f.prefix) for f in provider.formats if finding.secret.startswith(f.prefix)), default=0)
    return index + 8 <= prefix


class _Slow(BaseException):
    pass


def _on_alarm(_signum, _frame) -> None:
    raise _Slow


def checked(target, input_timeout: float):
    """The target, failing on any exception and on an input slower than ``input_timeout``."""

    def run(data: bytes) -> None:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, input_timeout)
        try:
            target(data)
        except _Slow:
            raise Failure(f"one input took longer than {input_timeout:g}s ({len(data)} bytes)") from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    return run


def mutate(rng: random.Random, corpus: list[bytes]) -> bytes:
    data = bytearray(rng.choice(corpus))
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randint(0, len(data))
        if choice < 0.35:
            data[position:position] = rng.choice(TOKENS)
        elif choice < 0.5 and data:
            del data[position : position + rng.randint(1, 8)]
        elif choice < 0.65 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.8:
            other = rng.choice(corpus)
            start = rng.randint(0, len(other))
            data[position:position] = other[start : start + rng.randint(1, 64)]
        elif choice < 0.9 and data:  # repeat a slice: deep nesting, long lines
            start = rng.randint(0, len(data) - 1)
            piece = bytes(data[start : start + rng.randint(1, 6)])
            data[position:position] = piece * rng.randint(2, 200)
        else:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data[:65536])


def builtin_fuzz(name: str, seconds: float, crashes: Path, input_timeout: float, seed: int) -> int:
    target = checked(make_target(name), input_timeout)
    rng = random.Random(seed)
    corpus = list(SEEDS)
    deadline = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < deadline:
        data = mutate(rng, corpus)
        runs += 1
        try:
            target(data)
        except Exception as error:
            path = save(crashes, name, data)
            print(f"target {name} CRASH after {runs} runs: {type(error).__name__}: {str(error)[:300]}; input {path}")
            return 1
        if rng.random() < 0.02 and len(corpus) < 500:
            corpus.append(data)  # keep some inputs to build on, as a coverage fuzzer keeps new paths
    print(f"target {name} ok {runs} runs in {seconds:g}s (built-in mutation engine)")
    return 0


def atheris_fuzz(name: str, seconds: float, crashes: Path, input_timeout: float) -> int:
    import atheris

    with atheris.instrument_imports(include=["keylint"]):
        import keylint.engine  # noqa: F401 - the pipeline and every module it uses, instrumented

        for parser in PARSERS:
            __import__(f"keylint.parsers.{parser}")
    target = checked(make_target(name), input_timeout)
    runs = 0

    def one(data: bytes) -> None:
        nonlocal runs
        runs += 1
        try:
            target(data)
        except Exception as error:
            path = save(crashes, name, data)
            print(f"target {name} CRASH after {runs} runs: {type(error).__name__}: {str(error)[:300]}; input {path}")
            sys.stdout.flush()
            os._exit(1)

    corpus_dir = crashes / f".corpus-{name}"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (corpus_dir / f"seed{i}").write_bytes(seed)
    # libFuzzer ends the process itself when the time is up; the parent reads its "Done N runs" line.
    argv = [sys.argv[0], f"-max_total_time={max(1, int(seconds))}", "-max_len=65536", "-rss_limit_mb=4096"]
    argv += [f"-artifact_prefix={crashes}/{name}-", "-print_final_stats=0", "-print_pcs=0", str(corpus_dir)]
    atheris.Setup(argv, one)
    atheris.Fuzz()
    return 0


def save(crashes: Path, name: str, data: bytes) -> Path:
    crashes.mkdir(parents=True, exist_ok=True)
    path = crashes / f"{name}-{hashlib.sha1(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


def have_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per target (default 10)")
    parser.add_argument("--target", action="append", choices=TARGETS, help="only this target (repeatable)")
    parser.add_argument("--engine", choices=("auto", "atheris", "builtin"), default="auto")
    parser.add_argument("--crashes", type=Path, default=HERE / "fuzz-crashes", help="where failing inputs go")
    parser.add_argument("--input-timeout", type=float, default=5.0, help="seconds one input may take (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the built-in engine")
    parser.add_argument("--replay", type=Path, help="run the target(s) once on this input file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if have_atheris() else "builtin"
    if args.replay is not None:
        data = args.replay.read_bytes()
        for name in args.target or TARGETS:
            checked(make_target(name), args.input_timeout)(data)
            print(f"target {name} ok on {args.replay}")
        return 0
    if args.worker:
        if engine == "atheris":
            return atheris_fuzz(args.worker, args.seconds, args.crashes, args.input_timeout)
        return builtin_fuzz(args.worker, args.seconds, args.crashes, args.input_timeout, args.seed)
    status = 0
    for name in args.target or TARGETS:
        # One process per target: libFuzzer ends its process when done, and a crash stays contained.
        command = [sys.executable, __file__, "--worker", name, "--seconds", str(args.seconds), "--engine", engine]
        command += ["--crashes", str(args.crashes), "--input-timeout", str(args.input_timeout)]
        command += ["--seed", str(args.seed)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds * 3 + 120)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("target ")]
        done = re.search(r"^Done (\d+) runs in (\d+) second", proc.stderr or "", re.MULTILINE)
        if engine == "atheris" and proc.returncode == 0 and not lines and done:
            lines = [f"target {name} ok {done.group(1)} runs in {done.group(2)}s (atheris, coverage-guided)"]
        if proc.returncode != 0 or not lines:
            status = 1
            print(lines[-1] if lines else f"target {name} FAILED (exit {proc.returncode})")
            tail = (proc.stderr or "").strip().splitlines()[-15:]
            if tail and not lines:
                print("\n".join(tail))
        else:
            print(lines[-1])
        sys.stdout.flush()
    shutil_rm_empty_corpora(args.crashes)
    return status


def shutil_rm_empty_corpora(crashes: Path) -> None:
    """Keep the crash directory empty when nothing crashed (atheris keeps its working corpus there)."""
    import shutil

    if not crashes.is_dir():
        return
    for entry in crashes.iterdir():
        if entry.name.startswith(".corpus-"):
            shutil.rmtree(entry, ignore_errors=True)
    if not any(crashes.iterdir()):
        crashes.rmdir()


if __name__ == "__main__":
    sys.exit(main())
