"""What the write benchmarks share (bench/writes.py, bench/crash.py, bench/million.py, bench/scale_out.py): a real
server over an index, with a write key, its log in a file, test articles each holding a word no other article has,
and the bytes an index takes on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

KEY = "bench-writes-key-0123456789abcdef"
QUESTIONS = [
    "berapa nilai investasi Allmed?",
    "How many workers will KIT Batang need?",
    "siapa bupati Batang?",
    "kerja sama Batang dan Zhijiang",
    "luas lahan KITB",
    "Which companies invested in Batang?",
]


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under ``folder`` (what a change wrote: the difference before and after)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def article(n: int) -> dict:
    # a word no other article has (``kodeuji{n}``), so a search for it must find this article first
    return {
        "title": f"Berita uji {n}",
        "text": f"Batang - Pemkab Batang mencatat kodeuji{n} dalam laporan harian nomor {n}.\n"
        f"Laporan itu memuat {n % 97 + 3} kegiatan di kawasan industri.",
        "date": "2026-12-07",
        "source": "Bench",
    }


def serve(index: Path, port: int, log: Path) -> subprocess.Popen:
    """``berita serve`` over ``index`` with the write key, once it answers ``/readyz``."""
    env = {**os.environ, "BERITA_API_KEYS": KEY, "OMP_WAIT_POLICY": "PASSIVE"}
    command = [sys.executable, "-m", "berita", "serve", "--index", str(index), "--port", str(port)]
    # its log goes to a file: a pipe nobody reads fills after a few hundred writes' lines and blocks the server
    with open(log, "w") as sink:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
