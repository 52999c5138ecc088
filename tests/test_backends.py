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
    assert restored == [ALLMED]
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
    monkeypatch.setattr(milvus.write, "IN_PLACE_MAX", -1)  # a change that writes a whole generation
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    (corpus / f"{ALLMED}.txt").unlink()
    with pytest.raises(IndexStoreError, match="went away"):
        build([corpus], settings, embedder)
    after = SearchEngine.load(settings, embedder)
    assert after.info.generation == before.info.generation and not after.generation_changed()
    assert after.search("berapa nilai investasi Allmed?").results[0].doc_id == ALLMED
    assert sorted(store.client.list_collections()) == collections  # the half-written generation was dropped


ROWS = [
    {
        "doc_id": "x1",
        "title": "Pabrik baterai dibangun di Batang",
        "text": "Batang (ANTARA) - PT Sumber Daya Baterai menanam investasi Rp 9,2 triliun untuk pabrik baterai "
        "kendaraan listrik di Batang.\nPabrik itu akan mempekerjakan 4.800 orang mulai 2027.",
        "date": "2026-12-01",
        "source": "Kompas",
    },
    {"doc_id": "x2", "text": "Allmed Medical menambah investasi di Batang menjadi USD 150 juta tahun depan."},
    {"doc_id": "003_f339ff4e51c5c88e", "text": "Kebutuhan tenaga kerja KIT Batang kini 175.000 orang."},  # replaced
]
GONE = "000_9c241ea94c40f395"
CHANGED_QUESTIONS = ["berapa investasi PT Sumber Daya Baterai?", "berapa investasi Allmed?", "tenaga kerja KIT Batang"]


def test_milvus_applies_a_change_in_place_and_ranks_as_a_whole_rewrite(tmp_path, embedder, monkeypatch):
    """An article added, one replaced and one deleted over the API's path change the live collections (no new
    generation); the same archive then written whole as a new generation (its vectors reused) ranks the same."""
    from berita.backends import milvus
    from berita.ingest.live import write

    settings = settings_for("milvus", tmp_path)
    build([SEEDS], settings, embedder)
    store = milvus.MilvusStore(settings.storage.milvus_uri)
    generation, collections = store.get("current")["generation"], sorted(store.client.list_collections())
    report = write(ROWS, [GONE], settings, embedder, "")
    assert report.version == f"{generation}+1" and sorted(store.client.list_collections()) == collections
    assert [o.status for o in report.outcomes] == ["created", "created", "replaced", "deleted"]
    again = write(ROWS[:1], [], settings, embedder, report.version)  # the same article again: nothing written
    assert again.outcomes[0].status == "unchanged" and again.version == report.version
    changed = SearchEngine.load(settings, embedder)
    assert changed.info.generation == report.version and changed.document(GONE) is None
    assert "Kompas" in changed.backend.documents.sources()
    assert changed.search(CHANGED_QUESTIONS[0]).results[0].doc_id == "x1"

    monkeypatch.setattr(milvus.write, "IN_PLACE_MAX", -1)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / f"{GONE}.txt").unlink()
    (corpus / "003_f339ff4e51c5c88e.txt").unlink()
    (corpus / "new.jsonl").write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    rewritten = build([corpus], settings, embedder)
    assert rewritten.embedded == 0 and "+" not in rewritten.location
    whole = SearchEngine.load(settings, embedder)
    assert "+" not in whole.info.generation and whole.info.generation != generation
    assert (changed.info.documents, changed.info.passages) == (whole.info.documents, whole.info.passages)
    assert changed.info.options["avg_terms"] == pytest.approx(whole.info.options["avg_terms"])
    for q in [*CHANGED_QUESTIONS, *QUESTIONS[:4]]:
        for mode in ("dense", "bm25", "hybrid"):
            x, y = (e.search(q, k=10, mode=mode, with_answer=False).results for e in (changed, whole))
            assert [r.passage_id for r in x] == [r.passage_id for r in y], (q, mode)
            assert [r.score for r in x] == pytest.approx([r.score for r in y], abs=1e-4), (q, mode)


def test_milvus_changes_are_taken_back_one_at_a_time(tmp_path, embedder):
    from berita.ingest.live import write

    settings = settings_for("milvus", tmp_path)
    build([SEEDS], settings, embedder)
    first = SearchEngine.load(settings, embedder)
    seeds = {d: first.document(d) for d in (GONE, "003_f339ff4e51c5c88e")}
    one = write(ROWS[:2], [GONE], settings, embedder, "")
    two = write(ROWS[2:], [], settings, embedder, "")
    version, restored = undo(settings)
    assert restored == ["003_f339ff4e51c5c88e"] and version not in (one.version, two.version)
    engine = SearchEngine.load(settings, embedder)
    assert engine.info.generation == version and engine.document("x1") is not None
    version, restored = undo(settings)
    assert sorted(restored) == sorted(["x1", "x2", GONE])
    engine = SearchEngine.load(settings, embedder)
    assert engine.document("x1") is None and all(engine.document(d) == seeds[d] for d in seeds)
    assert (engine.info.documents, engine.info.passages) == (first.info.documents, first.info.passages)
    for q in QUESTIONS[:4]:
        x, y = (e.search(q, k=10, with_answer=False).results for e in (engine, first))
        assert [(r.passage_id, round(r.score, 4)) for r in x] == [(r.passage_id, round(r.score, 4)) for r in y]


def test_a_milvus_change_cut_short_is_taken_back(tmp_path, embedder, monkeypatch):
    """A writer that dies after writing passages and documents, before the terms and ``current``: the next open
    finds the journal and puts the documents back; the change was never acknowledged."""
    from berita.backends.milvus import change
    from berita.ingest.live import write

    settings = settings_for("milvus", tmp_path)
    build([SEEDS], settings, embedder)
    before = SearchEngine.load(settings, embedder)
    kept = {d: before.document(d) for d in (GONE, "003_f339ff4e51c5c88e")}

    def die(*args):
        raise IndexStoreError("the server went away mid-change")

    monkeypatch.setattr(change, "_adjust_df", die)
    with pytest.raises(IndexStoreError, match="went away"):
        write(ROWS, [GONE], settings, embedder, "")
    monkeypatch.undo()
    after = SearchEngine.load(settings, embedder)  # Milvus Lite: this process alone holds the file
    assert after.info.generation == before.info.generation and after.document("x1") is None
    assert all(after.document(d) == kept[d] for d in kept)
    for q in QUESTIONS[:4]:
        x, y = (e.search(q, k=10, with_answer=False).results for e in (after, before))
        assert [(r.passage_id, round(r.score, 4)) for r in x] == [(r.passage_id, round(r.score, 4)) for r in y]
    assert write(ROWS[:1], [], settings, embedder, "").version == f"{before.info.generation}+1"


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
