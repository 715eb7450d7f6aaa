"""Verification benchmark: 500 distinct keys across providers, a loopback server that answers after 100 ms.

    python benchmarks/verify_bench.py [--keys 500] [--delay 0.1] [--workdir DIR]

Targets (issue #4): the first run (500 requests, concurrent) finishes in <= 3 s wall; a second run,
served from the cache, in <= 0.5 s. Both are whole-process timings of ``keylint scan --verify``
(interpreter start included). The server runs in this process on 127.0.0.1 and is reached through
KEYLINT_VERIFY_BASE_URL; the cache lives in a temporary directory (KEYLINT_CACHE_DIR). Nothing
leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Providers whose keys carry a distinctive prefix and need no partner value: any variable name works.
PROVIDERS = (
    ("github", "personal-access-token"),
    ("gitlab", "personal-access-token"),
    ("npm", "access-token"),
    ("openai", "project-key"),
    ("anthropic", "api-key"),
    ("groq", "api-key"),
    ("replicate", "api-token"),
    ("xai", "api-key"),
    ("openrouter", "api-key"),
    ("huggingface", "user-access-token"),
    ("langsmith", "personal-access-token"),
    ("pinecone", "api-key"),
    ("together", "api-key"),
    ("digitalocean", "personal-access-token"),
    ("heroku", "api-key"),
    ("vercel", "personal-access-token"),
    ("netlify", "personal-access-token"),
    ("supabase", "access-token"),
    ("stripe", "secret-key"),
    ("slack", "bot-token"),
    ("sendgrid", "api-key"),
    ("sentry", "user-auth-token"),
    ("linear", "personal-api-key"),
    ("notion", "integration-token"),
    ("airtable", "personal-access-token"),
    ("doppler", "personal-token"),
    ("postman", "api-key"),
    ("mapbox", "secret-token"),
)

# One answer every check above reads as "valid".
ANSWER = json.dumps(
    {
        "ok": True,
        "valid": True,
        "code": "TokenValid",
        "result": {"status": "active"},
        "data": {"viewer": {"id": 1}},
    }
).encode()


def make_tree(root: Path, count: int) -> list[str]:
    from keylint.providers import by_id

    keys: list[str] = []
    per_file = 10
    for i in range(count):
        provider_id, kind = PROVIDERS[i % len(PROVIDERS)]
        fmt = next(f for f in by_id(provider_id).formats if f.kind == kind)
        keys.append(fmt.generate(random.Random(f"verify-bench/{i}")))
    assert len(set(keys)) == count
    for start in range(0, count, per_file):
        folder = root / f"service{start // per_file:03d}"
        folder.mkdir(parents=True)
        lines = [f"KEY_{start + j}={key}" for j, key in enumerate(keys[start : start + per_file])]
        (folder / ".env").write_text("\n".join(lines) + "\n")
    return keys


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a provider's API would

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        server: Server = self.server  # type: ignore[assignment]
        with server.lock:
            server.requests += 1
        time.sleep(server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def keylint_cmd() -> list[str]:
    exe = shutil.which("keylint", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "keylint"]


def run(root: Path, env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run(
        [*keylint_cmd(), "scan", ".", "--verify", "--isolated", "--no-git", "--format", "json", "--exit-zero"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"keylint failed ({proc.returncode}): {proc.stderr.strip()}")
    return wall, json.loads(proc.stdout)


def statuses(report: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in report["findings"]:
        if finding["rule"] == "KL101":
            status = finding.get("verification", {}).get("status", "none")
            counts[status] = counts.get(status, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the server waits before answering")
    parser.add_argument("--workdir", type=Path, help="keep the generated tree here (default: a temporary dir)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="keylint-verify-bench-") as temp:
        root = args.workdir or Path(temp) / "tree"
        if root.exists():
            shutil.rmtree(root)
        make_tree(root, args.keys)
        server = Server(args.delay)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        env = {
            **os.environ,
            "KEYLINT_VERIFY_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}",
            "KEYLINT_CACHE_DIR": str(Path(temp) / "cache"),
            "NO_COLOR": "1",
        }
        env.pop("PRE_COMMIT", None)
        try:
            cold, first = run(root, env)
            sent_cold = server.requests
            warm, second = run(root, env)
            sent_warm = server.requests - sent_cold
        finally:
            server.shutdown()
            server.server_close()

    serial = args.keys * args.delay
    rows = [
        ("first run (network)", cold, 3.0, sent_cold, statuses(first)),
        ("second run (cache)", warm, 0.5, sent_warm, statuses(second)),
    ]
    print(f"{args.keys} distinct keys across {len(PROVIDERS)} providers; server delay {args.delay * 1000:.0f} ms")
    print(f"(one request after another would take {serial:.0f} s)")
    print(f"{'run':<22} {'wall':>7} {'target':>7} {'requests':>9}  statuses")
    ok = True
    for name, wall, target, sent, counts in rows:
        met = wall <= target
        ok &= met
        print(f"{name:<22} {wall:>6.2f}s {target:>6.1f}s {sent:>9}  {counts}  {'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
