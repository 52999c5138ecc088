"""The end-to-end search cases on both storage backends: the local one and Milvus (Milvus Lite, the real C++
core in-process, as the server). Same questions, same answers, same ranking."""

import json
import shutil

import numpy as np
import pytest

from berita import SearchEngine, Settings
from berita.backends import undo
from berita.core.schema import Filters
from berita.errors import ConfigError, IndexNotFoundError, IndexStoreError, QueryError
from berita.ingest import build
from tests.conftest import ROOT, SEEDS, run_module

pytest.importorskip("pymilvus", reason="the milvus extra: pip install '.[milvus]'")

ALLMED = "002_40828a4ac6eca9be"
QUESTIONS = [
    line.strip() for line in open(ROOT / "tests" / "cli" / "golden" / "queries.txt", encoding="utf-8") if line.strip()
]


def settings_for(backend: str, folder) -> Settings:
    return Settings().replace(index_dir=folder / "index", backend=backend, milvus_uri=str(folder / "milvus.db"))


@pytest.fixture(scope="module", params=["local", "milvus"])
def built(request, tmp_path_factory, embedder):
    settings = settings_for(request.param, tmp_path_factory.mktemp(request.param))
    build([SEEDS], settings, embedder)
    return settings, SearchEngine.load(settings, embedder)


@pytest.mark.parametrize("question", ["berapa nilai investasi Allmed?", "How much is Allmed investing in Batang?"])
def test_allmed_in_both_languages(built, question):
    response = built[1].search(question, calibrate=False)  # the reader's answer, whatever its confidence
    assert response.results[0].doc_id == ALLMED and response.answer.doc_id == ALLMED
    assert "100" in response.answer.span


def test_milvus_ranks_as_the_local_backend(built, engine):
    settings, ours = built
    assert ours.info.passages == engine.info.passages == 36
    for question in QUESTIONS:
        theirs, mine = engine.search(question, k=10), ours.search(question, k=10)
        assert [r.passage_id for r in mine.results] == [r.passage_id for r in theirs.results], question
        np.testing.assert_allclose([r.score for r in mine.results], [r.score for r in theirs.results], atol=1e-4)
        assert (mine.answer and mine.answer.span) == (theirs.answer and theirs.answer.span)


def test_documents_and_passages_read_back(built, engine):
    ours = built[1]
    assert ours.document(ALLMED) == engine.document(ALLMED)
    assert ours.backend.documents.sources() == engine.backend.documents.sources() == ["ANTARA", "PojokPantura.Com"]
    assert ours.document("no-such-document") is None
    newest = ours.recent(5)  # the page's examples: the one dated seed first, then the undated ones
    assert newest[0].doc_id == ALLMED and {d.doc_id for d in newest} == set(
        engine.backend.documents.documents([d.doc_id for d in engine.recent(5)])
    )


def test_filters_by_source_and_date(built):
    engine = built[1]
    sources = {engine.document(r.doc_id)[0].source for r in engine.search("kerja sama", k=50).results}
    assert sources == {"ANTARA", "PojokPantura.Com", None}
    for typed in ("antara", "antaranews", "Antara News"):  # the source as people write it
        antara = engine.search("kerja sama", k=50, filters=Filters(sources=(typed,)))
        assert antara.results and {engine.document(r.doc_id)[0].source for r in antara.results} == {"ANTARA"}
    both = engine.search("kerja sama", k=50, filters=Filters(sources=("ANTARA", "pojokpantura.com")))
    assert {engine.document(r.doc_id)[0].source for r in both.results} == {"ANTARA", "PojokPantura.Com"}
    with pytest.raises(QueryError, match="no source in the index is named 'CNN'"):
        engine.search("kerja sama", filters=Filters(sources=("CNN",)))
    dated = engine.search("kerja sama", k=50, filters=Filters(date_from="2025-06-01", date_to="2025-06-30"))
    assert dated.results and {r.doc_id for r in dated.results} == {ALLMED}
    assert engine.search("kerja sama", filters=Filters(date_from="2030-01-01")).results == []


def test_a_narrow_filter_still_finds_its_passages_far_from_the_question(built):
    engine = built[1]
    allmed = [p.passage_id for p in engine.document(ALLMED)[1]]
    away = -engine.embedder.encode_passages([engine.document(ALLMED)[1][0].text])[0]  # Allmed's passages rank last
    hits = engine.backend.dense.search(away, 1, Filters(date_from="2025-06-01"))  # only Allmed's article is dated
    assert len(hits) == 1 and hits[0].passage_id in allmed


@pytest.mark.parametrize("backend", ["local", "milvus"])
def test_incremental_reindex_and_deleting_a_file(backend, tmp_path, embedder):
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    settings = settings_for(backend, tmp_path)
    first = build([corpus], settings, embedder)
    article = corpus / "003_f339ff4e51c5c88e.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("150.000 orang", "175.000 orang"), encoding="utf-8")
    changed = build([corpus], settings, embedder)
    assert 1 <= changed.embedded < first.passages / 4  # only the passages that changed
    engine = SearchEngine.load(settings, embedder)
    assert "175.000" in engine.search("berapa kebutuhan tenaga kerja KIT Batang?").answer.span

    (corpus / f"{ALLMED}.txt").unlink()
    removed = build([corpus], settings, embedder)
    assert (removed.removed_documents, removed.embedded) == (1, 0)
    engine = SearchEngine.load(settings, embedder)
    assert engine.document(ALLMED) is None
    assert ALLMED not in {r.doc_id for r in engine.search("investasi Allmed", k=50).results}

    version, restored = undo(settings)  # the removal was a mistake: take it back
    assert restored == ([ALLMED] if backend == "local" else None)  # Milvus goes back a whole generation
    engine = SearchEngine.load(settings, embedder)
    assert engine.info.generation == version and engine.document(ALLMED) is not None
    assert engine.search("investasi Allmed").results[0].doc_id == ALLMED


def test_a_failed_milvus_build_leaves_the_previous_generation_serving(tmp_path, embedder, monkeypatch):
    from berita.backends import milvus

    settings = settings_for("milvus", tmp_path)
    build([SEEDS], settings, embedder)
    before = SearchEngine.load(settings, embedder)
    store = milvus.MilvusStore(settings.storage.milvus_uri)
    collections = sorted(store.client.list_collections())

    def fail(self, *args):
        raise IndexStoreError("the server went away mid-build")

    monkeypatch.setattr(milvus.MilvusWriter, "_flush", fail)
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    (corpus / f"{ALLMED}.txt").unlink()
    with pytest.raises(IndexStoreError, match="went away"):
        build([corpus], settings, embedder)
    after = SearchEngine.load(settings, embedder)
    assert after.info.generation == before.info.generation and not after.generation_changed()
    assert after.search("berapa nilai investasi Allmed?").results[0].doc_id == ALLMED
    assert sorted(store.client.list_collections()) == collections  # the half-written generation was dropped


def test_ids_with_quotes_and_backslashes_reach_milvus_as_values(tmp_path, embedder):
    rows = [
        {"doc_id": 'kutip "dalam" \\ miring', "title": "Allmed", "text": "Allmed berinvestasi USD 100 juta di Batang."},
        {"doc_id": 'x" or doc_id != "', "title": "Cuaca", "text": "Cuaca di Jakarta cerah sepanjang hari ini."},
    ]
    source = tmp_path / "odd.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = settings_for("milvus", tmp_path)
    build([source], settings, embedder)
    engine = SearchEngine.load(settings, embedder)
    for row in rows:
        document, passages = engine.document(row["doc_id"])
        assert document.text == row["text"] and len(passages) == 1
    assert engine.search("investasi Allmed").results[0].doc_id == rows[0]["doc_id"]


def test_the_index_type_setting_reaches_milvus_lite(tmp_path, embedder):
    from berita.backends import milvus

    def dense_index(store):
        generation = store.get("current")["generation"]
        return store.client.describe_index(store.names(generation)[0], "dense")

    settings = settings_for("milvus", tmp_path)
    build([SEEDS], settings, embedder)
    store = milvus.MilvusStore(settings.storage.milvus_uri)
    assert dense_index(store)["index_type"] == "FLAT"
    ivf = settings.replace(milvus_index_type="IVF_FLAT", milvus_index_params='{"nlist": 4, "nprobe": 4}')
    build([SEEDS], ivf, embedder)  # the next generation, with the vectors of the first
    described = dense_index(store)
    assert (described["index_type"], described["nlist"]) == ("IVF_FLAT", "4")
    engine = SearchEngine.load(ivf, embedder)
    assert engine.search("berapa nilai investasi Allmed?").results[0].doc_id == ALLMED


def test_bad_milvus_index_settings_are_config_errors(tmp_path, embedder):
    for raw in ("{M: 16}", "[16]"):
        with pytest.raises(ConfigError, match="BERITA_MILVUS_INDEX_PARAMS"):
            Settings.from_env({"BERITA_MILVUS_INDEX_PARAMS": raw})
    with pytest.raises(ConfigError, match="BERITA_MILVUS_INDEX_TYPE"):
        Settings.from_env({"BERITA_MILVUS_INDEX_TYPE": "DISKANN"})
    with pytest.raises(ConfigError, match="HNSW needs a Milvus server"):  # Lite refuses it: no fallback to FLAT
        build([SEEDS], settings_for("milvus", tmp_path).replace(milvus_index_type="HNSW"), embedder)
    typo = settings_for("milvus", tmp_path).replace(milvus_index_type="IVF_FLAT", milvus_index_params='{"nlsit": 4}')
    with pytest.raises(ConfigError, match="'nlsit' is not a parameter of IVF_FLAT"):
        build([SEEDS], typo, embedder)
    assert not (tmp_path / "milvus.db").exists()  # refused before anything was written


def test_no_index_and_no_server_are_clear_errors(tmp_path):
    with pytest.raises(IndexNotFoundError, match="python -m berita index FOLDER --backend milvus"):
        SearchEngine.load(settings_for("milvus", tmp_path))
    unreachable = settings_for("milvus", tmp_path).replace(milvus_uri="http://127.0.0.1:9", milvus_timeout=2.0)
    with pytest.raises(IndexStoreError, match="cannot open Milvus at http://127.0.0.1:9"):
        SearchEngine.load(unreachable)
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(IndexStoreError, match="cannot create the folder of the Milvus Lite file"):
        SearchEngine.load(settings_for("milvus", tmp_path).replace(milvus_uri=str(tmp_path / "a-file" / "m.db")))


def test_cli_flags_choose_the_backend(tmp_path):
    flags = ["--backend", "milvus", "--milvus-uri", str(tmp_path / "cli.db")]
    built = run_module("berita", "index", str(SEEDS), *flags)
    assert built.returncode == 0, built.stderr
    assert "cli.db (g" in built.stdout
    found = run_module("berita", "search", "--json", "berapa nilai investasi Allmed?", *flags)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["doc_id"] == ALLMED
