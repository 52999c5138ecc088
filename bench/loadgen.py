"""A bounded HTTP load from its own process: a fixed number of GET /api/search requests at a fixed
concurrency against a loopback server, then it stops. Prints one JSON object with the latencies.

    python bench/loadgen.py http://127.0.0.1:8000 --requests 300 --concurrency 4 [--unique]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

QUESTIONS = [
    json.loads(line)["question"] for line in open(Path(__file__).with_name("seed_questions.jsonl"), encoding="utf-8")
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--unique", action="store_true", help="make every query new (no cached embeddings)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--no-answer", action="store_true", help="search only (answer=false): nothing is read")
    args = parser.parse_args()
    target = urlsplit(args.url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("this load generator only targets a loopback server")
    counter = iter(range(args.requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + args.time_limit
    salt = time.time_ns() % 10**9  # unique across runs too, so no run meets another's cached embeddings

    def worker():
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            q = QUESTIONS[i % len(QUESTIONS)] + (f" {salt}{i}" if args.unique else "")
            started = time.perf_counter()
            try:
                params = {"q": q, "k": 10, **({"answer": "false"} if args.no_answer else {})}
                conn.request("GET", "/api/search?" + urlencode(params))
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    print(json.dumps({"latencies": latencies, "errors": errors[0], "wall_seconds": wall}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
