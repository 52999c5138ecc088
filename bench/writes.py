"""Writes while people search (issue 29): a real server over the seeds' index takes ``--writes`` articles, one PUT
at a time, while ``--clients`` clients search it without pause; then every article written must be searchable.

    .venv/bin/python -m bench.writes                  # 1,000 writes, 8 clients
    .venv/bin/python -m bench.writes --writes 100     # a quick look

Reads are search-only requests (``answer=false``: what an app polling the index sends; with the answer, two cores
are the bottleneck whatever the writes do). First the clients search alone (the unloaded latency), then during the
writes. Reported: failed reads and writes, read p50/p95 unloaded and under writes, write p50/p95, and how many of
the written articles a search for their own words finds first. Writes bench/results/writes.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.datasets import ROOT
from bench.metrics import percentiles
from bench.results import write_results
from bench.writing import KEY, QUESTIONS, article, serve
from berita import Settings, build


def search_loop(base: str, stop: threading.Event, latencies: list[float], failures: list[str], offset: int) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        n = offset
        while not stop.is_set():
            q = f"{QUESTIONS[n % len(QUESTIONS)]} {n}"  # new text each time: no cached embedding
            started = time.perf_counter()
            try:
                r = client.get("/api/search", params={"q": q, "k": 5, "answer": "false"})
                if r.status_code != 200:
                    failures.append(f"{r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
            latencies.append(time.perf_counter() - started)
            n += 8


def searching(base: str, clients: int, seconds: float | None, until: threading.Event | None = None) -> dict:
    """``clients`` searching for ``seconds`` (or until ``until`` is set): their latencies and failures."""
    stop = until or threading.Event()
    latencies: list[float] = []
    failures: list[str] = []
    threads = [
        threading.Thread(target=search_loop, args=(base, stop, latencies, failures, i), daemon=True)
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    if seconds is not None:
        time.sleep(seconds)
        stop.set()
    return {"threads": threads, "latencies": latencies, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "writes.json")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    base = f"http://127.0.0.1:{args.port}"
    try:
        settings = Settings.from_env(index_dir=folder / "index")
        build([ROOT / "seeds"], settings)
        server = serve(folder / "index", args.port, folder / "server.log")
        try:
            alone = searching(base, args.clients, 20.0)
            for t in alone["threads"]:
                t.join()
            done = threading.Event()
            loaded = searching(base, args.clients, None, done)
            write_times, write_failures = [], []
            started = time.perf_counter()
            with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {KEY}"}) as client:
                for n in range(args.writes):
                    began = time.perf_counter()
                    r = client.put(f"/api/documents/bench-{n}", json=article(n))
                    write_times.append(time.perf_counter() - began)
                    if r.status_code != 200:
                        write_failures.append(f"{n} {r.status_code}: {r.text[:200]}")
                    if (n + 1) % 100 == 0:
                        print(f"  {n + 1} writes, last {1000 * write_times[-1]:.0f} ms", file=sys.stderr, flush=True)
            writing = time.perf_counter() - started
            done.set()
            for t in loaded["threads"]:
                t.join()
            found = 0
            with httpx.Client(base_url=base, timeout=30) as client:
                for n in range(args.writes):
                    r = client.get("/api/search", params={"q": f"kodeuji{n}", "k": 1, "answer": "false"})
                    results = r.json()["results"] if r.status_code == 200 else []
                    found += bool(results) and results[0]["doc_id"] == f"bench-{n}"
                health = client.get("/healthz").json()
        finally:
            server.terminate()
            server.wait(30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = {
        "writes": args.writes,
        "clients": args.clients,
        "reads": "search only (answer=false), k=5, new text each time, over the seeds' index",
        "reads_unloaded": {**percentiles(alone["latencies"]), "failed": len(alone["failures"])},
        "reads_during_writes": {**percentiles(loaded["latencies"]), "failed": len(loaded["failures"])},
        "writes_ms": {**percentiles(write_times), "failed": len(write_failures), "seconds": round(writing, 1)},
        "written_found_first": found,
        "documents_after": health["documents"],
        "version_after": health["generation"],
        "failures": (alone["failures"] + loaded["failures"] + write_failures)[:10],
    }
    ratio = results["reads_during_writes"]["p95_ms"] / results["reads_unloaded"]["p95_ms"]
    results["read_p95_ratio"] = round(ratio, 2)
    print(
        f"{args.writes} writes in {writing:.0f} s (p50 {results['writes_ms']['p50_ms']} ms, "
        f"{len(write_failures)} failed) while {args.clients} clients searched: reads p95 "
        f"{results['reads_unloaded']['p95_ms']} ms alone, {results['reads_during_writes']['p95_ms']} ms during "
        f"(x{ratio:.2f}), {len(loaded['failures']) + len(alone['failures'])} failed; "
        f"{found} of {args.writes} written articles found first by their own word"
    )
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
