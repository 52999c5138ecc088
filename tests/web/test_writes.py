"""Other apps add, replace and delete articles over HTTP: a real server on loopback with API keys, the real model
embedding what is written, and the index on disk; a write is searchable from its response on and survives kill -9."""

import json
import os
import shutil
import signal
import subprocess
import sys

import httpx
import pytest

from berita import SearchEngine, Settings, build
from berita.ingest.live import write
from tests.conftest import ROOT, SEEDS, free_port, run_module, serving

WRITE_KEY = "write-key-for-tests-0123456789"
READ_KEY = "read-key-for-tests-0123456789ab"
AUTH = {"Authorization": f"Bearer {WRITE_KEY}"}
ARTICLE = {
    "title": "Pabrik baterai dibangun di Batang",
    "text": "Batang (ANTARA) - PT Sumber Daya Baterai menanam investasi Rp 9,2 triliun untuk pabrik baterai "
    "kendaraan listrik di Batang.\nPabrik itu akan mempekerjakan 4.800 orang mulai 2027.",
    "date": "2026-12-01",
    "source": "ANTARA",
}
QUESTION = "berapa investasi PT Sumber Daya Baterai?"


def copy_of_seeds(seed_settings, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(seed_settings.storage.index_dir, index)
    return index


@pytest.fixture(scope="module")
def live(seed_settings, tmp_path_factory):
    """A server over a copy of the seeds' index that takes writes with WRITE_KEY."""
    index = copy_of_seeds(seed_settings, tmp_path_factory.mktemp("live"))
    with serving(index, env={"BERITA_API_KEYS": WRITE_KEY}) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


def top(client, q):
    return client.get("/api/search", params={"q": q}).json()["results"][0]


def test_an_added_article_is_searchable_from_the_response_on(live):
    before = live.get("/healthz").json()
    r = live.put("/api/documents/baterai-batang", json=ARTICLE, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["outcomes"] == [{"doc_id": "baterai-batang", "status": "created", "detail": None}]
    assert body["durable"] is True and body["version"] != before["generation"]
    assert live.get("/healthz").json() | {"generation": body["version"]} == live.get("/healthz").json()
    hit = top(live, QUESTION)
    assert hit["doc_id"] == "baterai-batang" and "9,2 triliun" in hit["text"]
    assert live.get("/healthz").json()["documents"] == before["documents"] + 1

    changed = {**ARTICLE, "text": ARTICLE["text"].replace("9,2 triliun", "11 triliun")}
    r = live.put("/api/documents/baterai-batang", json=changed, headers=AUTH)
    assert r.json()["outcomes"][0]["status"] == "replaced"
    hit = top(live, QUESTION)
    assert hit["doc_id"] == "baterai-batang" and "11 triliun" in hit["text"] and "9,2" not in hit["text"]
    again = live.put("/api/documents/baterai-batang", json=changed, headers=AUTH).json()
    assert again["outcomes"][0]["status"] == "unchanged" and again["version"] == r.json()["version"]

    gone = live.delete("/api/documents/baterai-batang", headers=AUTH)
    assert gone.status_code == 200 and gone.json()["outcomes"][0]["status"] == "deleted"
    assert live.get("/api/documents/baterai-batang").status_code == 404
    assert top(live, QUESTION)["doc_id"] != "baterai-batang"
    assert live.delete("/api/documents/baterai-batang", headers=AUTH).status_code == 404


def test_a_batch_reports_each_article_and_a_bad_one_costs_nothing(live):
    rows = [
        {**ARTICLE, "doc_id": "batch-1"},
        {**ARTICLE, "doc_id": "batch-2", "date": "kemarin"},
        {**ARTICLE, "doc_id": "batch-3", "text": ARTICLE["text"].replace("Baterai", "Surya")},
        {**ARTICLE, "doc_id": "batch-1"},
        {"doc_id": "batch-4", "text": 7},
    ]
    r = live.post("/api/documents", json={"articles": rows}, headers=AUTH)
    assert r.status_code == 200, r.text
    outcomes = r.json()["outcomes"]
    assert [(o["doc_id"], o["status"]) for o in outcomes] == [
        ("batch-1", "created"),
        ("batch-2", "rejected"),
        ("batch-3", "created"),
        ("batch-1", "rejected"),
        ("batch-4", "rejected"),
    ]
    assert "date" in outcomes[1]["detail"] and "twice" in outcomes[3]["detail"] and "text" in outcomes[4]["detail"]
    assert live.get("/api/documents/batch-3").status_code == 200
    assert live.get("/api/documents/batch-2").status_code == 404
    too_many = {"articles": [{**ARTICLE, "doc_id": f"b{n}"} for n in range(101)]}
    assert live.post("/api/documents", json=too_many, headers=AUTH).status_code == 422


@pytest.mark.parametrize(
    "change,field",
    [({"text": ""}, "text"), ({"text": "   "}, "text"), ({"date": "2026/12/01"}, "date"), ({"title": 7}, "title")],
)
def test_a_bad_field_is_a_422_naming_it(live, change, field):
    r = live.put("/api/documents/bad-field", json={**ARTICLE, **change}, headers=AUTH)
    assert r.status_code == 422 and field in r.json()["detail"], r.text
    assert live.get("/api/documents/bad-field").status_code == 404


def test_writes_need_a_write_key(live):
    for headers in ({}, {"Authorization": "Bearer wrong-key-but-long-enough"}, {"Authorization": WRITE_KEY}):
        r = live.put("/api/documents/sneaky", json=ARTICLE, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert live.delete(f"/api/documents/{'002_40828a4ac6eca9be'}", headers=headers).status_code == 401
    assert live.get("/api/documents/sneaky").status_code == 404
    assert live.get("/api/documents/002_40828a4ac6eca9be").status_code == 200
    schema = live.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/documents/{doc_id}"]["put"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/api/search"]["get"]  # reads are open here


def test_a_read_key_may_read_but_not_write(seed_settings, tmp_path):
    index = copy_of_seeds(seed_settings, tmp_path)
    env = {"BERITA_API_KEYS": WRITE_KEY, "BERITA_READ_KEYS": READ_KEY}
    with serving(index, env=env) as base, httpx.Client(base_url=base, timeout=60) as c:
        read = {"Authorization": f"Bearer {READ_KEY}"}
        assert c.get("/api/search", params={"q": "Allmed"}).status_code == 401
        assert c.get("/api/search", params={"q": "Allmed"}, headers=read).status_code == 200
        assert c.get("/api/search", params={"q": "Allmed"}, headers=AUTH).status_code == 200
        assert c.get("/healthz").status_code == 200  # for load balancers
        r = c.put("/api/documents/sneaky", json=ARTICLE, headers=read)
        assert r.status_code == 403 and c.get("/api/documents/sneaky", headers=read).status_code == 404


@pytest.mark.parametrize("backend", ["local", "milvus"])
def test_bad_batches_are_taken_back_one_change_at_a_time(seed_settings, tmp_path, backend):
    allmed = "002_40828a4ac6eca9be"
    env = {"BERITA_API_KEYS": WRITE_KEY}
    if backend == "local":
        index = copy_of_seeds(seed_settings, tmp_path)
    else:  # a server over Milvus Lite: the changes go to its live collections
        pytest.importorskip("pymilvus", reason="the milvus extra: pip install '.[milvus]'")
        index, env["BERITA_BACKEND"], env["BERITA_MILVUS_URI"] = tmp_path / "unused", "milvus", str(tmp_path / "m.db")
        built = run_module("berita", "index", str(SEEDS), "--backend", "milvus", "--milvus-uri", str(tmp_path / "m.db"))
        assert built.returncode == 0, built.stderr
    with serving(index, env=env) as base, httpx.Client(base_url=base, timeout=60) as c:
        start = c.get("/healthz").json()
        assert c.put("/api/documents/a", json=ARTICLE, headers=AUTH).status_code == 200
        changed = {**ARTICLE, "text": ARTICLE["text"].replace("9,2 triliun", "1 triliun")}
        batch = [{**changed, "doc_id": "a"}, {**ARTICLE, "doc_id": "b", "title": "Salinan"}]
        assert c.post("/api/documents", json={"articles": batch}, headers=AUTH).status_code == 200
        assert c.delete(f"/api/documents/{allmed}", headers=AUTH).status_code == 200
        assert c.post("/api/changes/undo").status_code == 401  # a write key, as for any write
        versions = {c.get("/healthz").json()["generation"]}

        def undo(restored):
            r = c.post("/api/changes/undo", headers=AUTH)
            assert r.status_code == 200 and r.json()["restored"] == restored, r.text
            assert r.json()["version"] == c.get("/healthz").json()["generation"] not in versions  # a change of its own
            versions.add(r.json()["version"])

        undo([allmed])  # the deletion taken back
        assert c.get(f"/api/documents/{allmed}").status_code == 200
        assert top(c, "berapa nilai investasi Allmed?")["doc_id"] == allmed
        undo(["a", "b"])  # the batch: a as it was before it, b gone
        assert "9,2 triliun" in c.get("/api/documents/a").json()["document"]["text"]
        assert c.get("/api/documents/b").status_code == 404
        undo(["a"])
        assert c.get("/api/documents/a").status_code == 404
        if backend == "local":
            r = c.post("/api/changes/undo", headers=AUTH)
            assert r.status_code == 404 and "no change since the last full build" in r.json()["detail"]
        end = c.get("/healthz").json()
        assert (end["documents"], end["passages"]) == (start["documents"], start["passages"])
        assert top(c, QUESTION)["doc_id"] != "a"


def test_a_server_without_write_keys_has_no_write_routes(server):
    with httpx.Client(base_url=server, timeout=30) as c:
        assert c.put("/api/documents/x", json=ARTICLE).status_code == 405
        assert c.post("/api/documents", json={"articles": [ARTICLE]}, follow_redirects=True).status_code == 405
        assert "put" not in c.get("/openapi.json").json()["paths"]["/api/documents/{doc_id}"]


def test_acknowledged_writes_survive_kill_9(seed_settings, tmp_path):
    index = copy_of_seeds(seed_settings, tmp_path)
    port = free_port()
    command = [sys.executable, "-m", "web", "--index", str(index), "--port", str(port)]
    acknowledged = []
    for round_ in range(3):
        proc = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, "BERITA_API_KEYS": WRITE_KEY}, stdout=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=60) as c:
                _wait(c, proc)
                for doc_id in acknowledged:  # everything acknowledged before the last kill is there
                    assert c.get(f"/api/documents/{doc_id}").status_code == 200, doc_id
                for n in range(3):
                    doc_id = f"k{round_}-{n}"
                    text = f"Berita nomor {round_}-{n} tentang pelabuhan Batang yang ramai dikunjungi kapal."
                    r = c.put(f"/api/documents/{doc_id}", json={"text": text}, headers=AUTH)
                    assert r.status_code == 200
                    acknowledged.append(doc_id)
        finally:
            proc.send_signal(signal.SIGKILL)  # right after the last acknowledgment
            proc.wait()
    engine = SearchEngine.load(Settings().replace(index_dir=index))
    assert all(engine.document(d) for d in acknowledged) and engine.info.documents == 5 + len(acknowledged)


def _wait(client, proc):
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            client.get("/healthz")
            return
        except httpx.HTTPError:
            assert proc.poll() is None, "the server died"
            time.sleep(0.2)
    pytest.fail("the server did not start")


def test_changes_rank_as_a_full_rebuild_of_the_same_articles(tmp_path, embedder):
    """The seeds and three articles: written as changes beside a full build, or the same index rewritten whole
    (its vectors reused: int8 embeddings vary with the batch), rank the same passages with the same scores."""
    rows = [
        {**ARTICLE, "doc_id": "x1"},
        {**ARTICLE, "doc_id": "x2", "text": ARTICLE["text"].replace("baterai", "panel surya")},
        {"doc_id": "x3", "text": "Allmed Medical menambah investasi di Batang menjadi USD 150 juta tahun depan."},
    ]
    changed = Settings().replace(index_dir=tmp_path / "changed")
    build([SEEDS], changed, embedder)
    report = write(rows, ["000_9c241ea94c40f395"], changed, embedder, "")
    assert report.version.endswith("+1") and len(list((tmp_path / "changed").glob("gen-*"))) == 1
    shutil.copytree(tmp_path / "changed", tmp_path / "whole")
    whole = Settings().replace(index_dir=tmp_path / "whole", compact_share=0)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "000_9c241ea94c40f395.txt").unlink()
    (corpus / "new.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rewritten = build([corpus], whole, embedder)  # nothing changed, yet compact_share=0 rewrites it whole
    assert rewritten.embedded == 0 and "+" not in rewritten.location
    a, b = SearchEngine.load(changed, embedder), SearchEngine.load(whole, embedder)
    assert "+" in a.info.generation and "+" not in b.info.generation
    assert a.info.documents == b.info.documents and a.info.passages == b.info.passages
    for q in (QUESTION, "berapa investasi Allmed?", "panel surya Batang", "How many workers will KIT Batang need?"):
        for mode in ("dense", "bm25", "hybrid"):
            x, y = (e.search(q, k=10, mode=mode, with_answer=False).results for e in (a, b))
            assert [r.passage_id for r in x] == [r.passage_id for r in y], (q, mode)
            assert [r.score for r in x] == pytest.approx([r.score for r in y], abs=1e-4), (q, mode)
