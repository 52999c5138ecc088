"""The server follows the index: a rebuild under load is picked up without a restart and without a failed request."""

import shutil
import subprocess
import sys
import threading
import time

import httpx

from berita import Settings
from berita.ingest import build
from tests.conftest import ROOT, SEEDS, free_port

NEW_ARTICLE = """Pelabuhan Rembang Diperluas

Rembang (ANTARA) - Pemerintah Kabupaten Rembang memperluas pelabuhan perikanan Tasikagung dengan anggaran
Rp45 miliar agar kapal nelayan berukuran besar dapat bersandar pada 2026.
"""


def test_rebuild_under_load_is_served_without_restart_or_failures(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = Settings().replace(index_dir=tmp_path / "index")
    build([corpus], settings, embedder)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "--index", str(settings.storage.index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    failures, answered, stop = [], [], threading.Event()
    workers: list[threading.Thread] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = httpx.get(base + "/healthz", timeout=2).json()["generation"]
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.2)

        def load() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                n = 0
                while not stop.is_set() and n < 2000:  # bounded
                    n += 1
                    r = client.get("/api/search", params={"q": f"berapa nilai investasi Allmed? {n}", "k": 3})
                    (answered if r.status_code == 200 else failures).append(r.status_code)

        workers += [threading.Thread(target=load) for _ in range(3)]
        for w in workers:
            w.start()
        (corpus / "rembang.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        build([corpus], settings, embedder)
        deadline = time.monotonic() + 30
        while httpx.get(base + "/healthz", timeout=5).json()["generation"] == first:
            assert time.monotonic() < deadline, "the server never picked up the new index"
            time.sleep(0.2)
        found = httpx.get(base + "/api/search", params={"q": "pelabuhan Tasikagung Rembang", "k": 1}, timeout=30).json()
        time.sleep(1)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
        server.terminate()
        server.wait(timeout=10)
    assert found["results"][0]["doc_id"] == "rembang"
    assert failures == [] and len(answered) > 10
