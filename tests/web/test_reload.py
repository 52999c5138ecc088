"""The server follows the index: a rebuild under load is picked up without a restart and without a failed request."""

import json
import shutil
import threading
import time

import httpx

from berita import Settings
from berita.ingest import build
from tests.conftest import SEEDS, serving

NEW_ARTICLE = """Pelabuhan Rembang Diperluas

Rembang (ANTARA) - Pemerintah Kabupaten Rembang memperluas pelabuhan perikanan Tasikagung dengan anggaran
Rp45 miliar agar kapal nelayan berukuran besar dapat bersandar pada 2026.
"""


def test_rebuild_under_load_is_served_without_restart_or_failures(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = Settings().replace(index_dir=tmp_path / "index")
    build([corpus], settings, embedder)
    failures, answered, stop = [], [], threading.Event()
    workers: list[threading.Thread] = []
    with serving(settings.storage.index_dir) as base:
        first = httpx.get(base + "/healthz", timeout=5).json()["generation"]

        def load() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                n = 0
                while not stop.is_set() and n < 2000:  # bounded
                    n += 1
                    r = client.get("/api/search", params={"q": f"berapa nilai investasi Allmed? {n}", "k": 3})
                    (answered if r.status_code == 200 else failures).append(r.status_code)

        try:
            workers += [threading.Thread(target=load) for _ in range(3)]
            for w in workers:
                w.start()
            title, _, text = NEW_ARTICLE.partition("\n\n")
            row = {"doc_id": "news/2025/rembang", "title": title, "text": text}  # an id with slashes
            (corpus / "new.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
            build([corpus], settings, embedder)
            deadline = time.monotonic() + 30
            while httpx.get(base + "/healthz", timeout=5).json()["generation"] == first:
                assert time.monotonic() < deadline, "the server never picked up the new index"
                time.sleep(0.2)
            found = httpx.get(
                base + "/api/search", params={"q": "pelabuhan Tasikagung Rembang", "k": 1}, timeout=30
            ).json()
            document = httpx.get(base + "/api/documents/news/2025/rembang", timeout=30).json()
            page = httpx.get(base + "/documents/news/2025/rembang", timeout=30)
            time.sleep(1)
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=60)
    assert found["results"][0]["doc_id"] == "news/2025/rembang"
    assert document["document"]["title"] == "Pelabuhan Rembang Diperluas" and page.status_code == 200
    assert failures == [] and len(answered) > 10
