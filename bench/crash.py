"""Writes that survive ``kill -9`` (issue 29): a real server over the seeds' index takes writes without pause (PUTs,
batches of three, deletions of articles written before) and is killed with SIGKILL at a random moment, ``--rounds``
times. After each kill the server is started again on the same index, and before it takes anything new:

- every acknowledged write is there (an article put or batched: GET gives its text; one deleted: 404),
- the write in flight when it was killed is there whole or not at all,
- a search answers, and the last acknowledged article is found first by its own word.

    .venv/bin/python -m bench.crash                # 25 rounds
    .venv/bin/python -m bench.crash --rounds 3     # a quick look

Writes bench/results/crash.json: rounds, acknowledged writes, lost or resurrected ones, failed reopenings and how
long each reopening took.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.datasets import ROOT
from bench.metrics import percentiles
from bench.results import write_results
from bench.writing import KEY, article, serve
from berita import Settings, build


class Writer(threading.Thread):
    """Writes until stopped, keeping what the server acknowledged: ``present`` (doc id -> text) and ``deleted``;
    ``in_flight`` is the write sent and not yet answered."""

    def __init__(self, base: str, round_: int, present: dict[str, str], deleted: set[str], rng: random.Random):
        super().__init__(daemon=True)
        self.base, self.round, self.present, self.deleted, self.rng = base, round_, present, deleted, rng
        self.in_flight: dict[str, str | None] = {}  # doc id -> its text, None for a deletion
        self.acknowledged = 0
        self.refused: list[str] = []  # writes the server answered with an error (none expected)
        self.stop = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.base, timeout=60, headers=headers) as client:
            n = 0
            while not self.stop.is_set():
                try:
                    self._one(client, n)
                except httpx.HTTPStatusError as exc:
                    self.refused.append(f"{exc.response.status_code}: {exc.response.text[:200]}")
                    self.in_flight = {}
                except httpx.TransportError:
                    return  # the server was killed under it
                n += 1

    def _one(self, client: httpx.Client, n: int) -> None:
        step = n % 7
        if step == 6 and self.present:  # delete one written before
            doc_id = self.rng.choice(sorted(self.present))
            self.in_flight = {doc_id: None}
            r = client.delete(f"/api/documents/{doc_id}")
            r.raise_for_status()
            self.present.pop(doc_id)
            self.deleted.add(doc_id)
        elif step == 3:  # a batch of three
            rows = [{**article(self._number(n, i)), "doc_id": f"c{self.round}-{n}-{i}"} for i in range(3)]
            self.in_flight = {row["doc_id"]: row["text"] for row in rows}
            r = client.post("/api/documents", json={"articles": rows})
            r.raise_for_status()
            self._written()
        else:
            doc_id = f"c{self.round}-{n}"
            body = article(self._number(n))
            self.in_flight = {doc_id: body["text"]}
            client.put(f"/api/documents/{doc_id}", json=body).raise_for_status()
            self._written()
        self.in_flight = {}
        self.acknowledged += 1

    def _number(self, n: int, i: int = 0) -> int:
        return (self.round * 100_000 + n) * 10 + i  # each article's own word (``article``), over all rounds

    def _written(self) -> None:
        for doc_id, text in self.in_flight.items():
            self.present[doc_id] = text or ""
            self.deleted.discard(doc_id)


def check(base: str, present: dict[str, str], deleted: set[str], in_flight: dict[str, str | None]) -> dict:
    """What the reopened index holds of the acknowledged writes and of the one in flight (which, where it was
    applied, joins ``present`` or ``deleted``: it was written, though not acknowledged)."""
    lost, resurrected, half = [], [], []
    with httpx.Client(base_url=base, timeout=60) as client:
        for doc_id, text in present.items():
            if doc_id in in_flight:
                continue
            r = client.get(f"/api/documents/{doc_id}")
            if r.status_code != 200 or r.json()["document"]["text"] != text:
                lost.append(doc_id)
        for doc_id in deleted - set(in_flight):
            if client.get(f"/api/documents/{doc_id}").status_code != 404:
                resurrected.append(doc_id)
        states = []
        for doc_id, sent in in_flight.items():
            r = client.get(f"/api/documents/{doc_id}")
            whole = r.status_code == 200 and (sent is None or r.json()["document"]["text"] == sent)
            states.append(r.status_code == 404 if sent is None else whole)
            if r.status_code == 200 and sent is not None and not whole:
                half.append(doc_id)
        if len(set(states)) > 1:  # a batch is applied whole or not at all
            half.extend(in_flight)
        applied = bool(states) and all(states)
        for doc_id, sent in in_flight.items():  # what the server holds of it from now on
            if applied and sent is None:
                present.pop(doc_id, None)
                deleted.add(doc_id)
            elif applied and sent is not None:
                present[doc_id] = sent
        last = next(reversed(present), None) if present else None
        found = True
        if last is not None and last not in in_flight:
            word = present[last].split("kodeuji")[1].split()[0]
            r = client.get("/api/search", params={"q": f"kodeuji{word}", "k": 1, "answer": "false"})
            found = r.status_code == 200 and [x["doc_id"] for x in r.json()["results"][:1]] == [last]
    return {"lost": lost, "resurrected": resurrected, "half": half, "found": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "crash.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    base = f"http://127.0.0.1:{args.port}"
    present: dict[str, str] = {}
    deleted: set[str] = set()
    in_flight: dict[str, str | None] = {}
    rounds, reopen, acknowledged, problems, refused = [], [], 0, [], []
    try:
        build([ROOT / "seeds"], Settings.from_env(index_dir=folder / "index"))
        for round_ in range(args.rounds + 1):  # the last start only checks
            started = time.perf_counter()
            server = serve(folder / "index", args.port, folder / f"server-{round_}.log")
            reopen.append(time.perf_counter() - started)
            try:
                if round_:
                    found = check(base, present, deleted, in_flight)
                    rounds.append(found)
                    if found["lost"] or found["resurrected"] or found["half"] or not found["found"]:
                        problems.append({"round": round_, **found})
                if round_ == args.rounds:
                    break
                writer = Writer(base, round_, present, deleted, rng)
                writer.start()
                time.sleep(rng.uniform(0.5, 4.0))  # somewhere in a write, most often
            finally:
                server.send_signal(signal.SIGKILL) if round_ < args.rounds else server.terminate()
                server.wait(30)
            writer.stop.set()
            writer.join(60)
            in_flight = dict(writer.in_flight)
            acknowledged += writer.acknowledged
            refused += writer.refused
            print(
                f"  round {round_ + 1}: {writer.acknowledged} writes acknowledged, killed with "
                f"{len(in_flight)} article(s) in flight ({', '.join(in_flight)})",
                file=sys.stderr,
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = {
        "rounds": len(rounds),
        "writes_acknowledged": acknowledged,
        "articles_expected": len(present),
        "deleted_expected": len(deleted),
        "lost": sum(len(r["lost"]) for r in rounds),
        "resurrected": sum(len(r["resurrected"]) for r in rounds),
        "half_applied": sum(len(r["half"]) for r in rounds),
        "writes_refused": len(refused),
        "reopened": len(reopen),
        "last_write_found_first": sum(r["found"] for r in rounds),
        "reopen_s": percentiles(reopen),
        "problems": problems[:10],
        "refusals": refused[:10],
    }
    print(
        f"{results['rounds']} kill -9 rounds, {acknowledged} writes acknowledged: {results['lost']} lost, "
        f"{results['resurrected']} deleted ones back, {results['half_applied']} half applied, {len(refused)} refused; reopened "
        f"{len(reopen)} times (p50 {results['reopen_s']['p50_ms'] / 1000:.1f} s), last write found first "
        f"{results['last_write_found_first']} of {len(rounds)}"
    )
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
