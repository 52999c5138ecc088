"""The learned second stage: its features, its model file, and how the engine uses it."""

import json

import numpy as np
import pytest

from berita import Filters, SearchEngine, Settings
from berita.core.linear import LinearModel
from berita.core.schema import Hit
from berita.errors import ModelError
from berita.retrieval.rerank import FEATURES, _longest_common_run, candidates, features

QUESTION = "Siapa yang akan memindahkan Patung Kartini dalam waktu dekat?"
ANSWERING = (
    "Patung Kartini diresmikan pada 1962. Menurut rencana, Pemerintah DKI Jakarta dalam waktu dekat "
    "akan memindahkan Patung Kartini ke lapangan eks Persija."
)
NEAR_MISS = "Patung Kartini di Jalan Taman Suropati sudah tepat di tempatnya, kata sejarawan itu."
IDF = {"patung": 3.0, "kartini": 5.0, "memindahkan": 4.0, "waktu": 1.0, "dekat": 1.5}


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURES.index(name)]


def test_features_see_the_sentence_that_holds_the_question():
    rows = features(QUESTION, "id", [ANSWERING, NEAR_MISS], np.array([0.85, 0.84]), np.array([9.0, 8.0]), IDF)
    assert rows.shape == (2, len(FEATURES))
    assert column(rows, "coverage")[0] == pytest.approx(1.0) and column(rows, "coverage")[1] < 0.6
    assert column(rows, "longest_run")[0] > column(rows, "longest_run")[1]
    assert column(rows, "word_coverage")[0] > column(rows, "word_coverage")[1]
    assert list(column(rows, "dense_scaled")) == [1.0, 0.0] and list(column(rows, "bm25_scaled")) == [1.0, 0.0]
    # the near miss names no person after a role or speech verb; the answering sentence has "Pemerintah DKI Jakarta"
    assert column(rows, "answer_type")[1] == 0


def test_rank_features_follow_each_retrievers_order_among_the_candidates():
    rows = features(
        QUESTION, "id", [ANSWERING, NEAR_MISS, NEAR_MISS], np.array([0.80, 0.86, 0.83]), np.array([9.0, 1.0, 5.0]), IDF
    )
    assert list(column(rows, "dense_rank")) == pytest.approx([1 / 3, 1.0, 1 / 2])
    assert list(column(rows, "bm25_rank")) == pytest.approx([1.0, 1 / 3, 1 / 2])
    assert list(column(rows, "dense_gap")) == pytest.approx([-0.06, 0.0, -0.03])


def test_candidates_are_the_fused_head_then_dense_passages_fusion_pushed_down():
    fused = [Hit(p, 1.0) for p in ("a", "b", "c", "d")]
    dense = [Hit(p, 0.9) for p in ("d", "b", "e", "f")]
    assert candidates(fused, dense, 2, 3) == ["a", "b", "d", "e"]
    assert candidates(fused, dense, 2, 0) == ["a", "b"]
    assert candidates([], dense, 2, 1) == ["d"]


def test_longest_common_run_counts_adjacent_words_in_order():
    assert _longest_common_run("a b c d".split(), "x b c d y".split()) == 3
    assert _longest_common_run("a b c".split(), "c b a".split()) == 1
    assert _longest_common_run([], ["a"]) == 0


def test_reranker_scores_are_a_probability_that_follows_the_weights():
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("coverage")] = 5.0
    reranker = LinearModel(FEATURES, {"id": weights.tolist()})
    rows = np.zeros((3, len(FEATURES)))
    rows[:, FEATURES.index("coverage")] = [0.2, 0.9, 0.5]
    p = reranker.probabilities("id", rows)
    assert p.sum() == pytest.approx(1.0) and list(np.argsort(-p)) == [1, 2, 0]
    assert reranker.handles("id") and not reranker.handles("en")


def test_model_file_round_trip_and_stale_files(tmp_path):
    model = LinearModel(FEATURES, {"id": [0.5] * len(FEATURES)}, {"depth": 7}, "test")
    model.save(tmp_path / "rerank.json")
    assert LinearModel.load(tmp_path / "rerank.json", FEATURES) == model
    stale = json.loads((tmp_path / "rerank.json").read_text())
    stale["features"] = stale["features"][:-1]
    (tmp_path / "rerank.json").write_text(json.dumps(stale))
    with pytest.raises(ValueError, match="other features"):
        LinearModel.load(tmp_path / "rerank.json", FEATURES)


def test_shipped_model_covers_indonesian_only():
    model = LinearModel.load(Settings().retrieval.rerank_file, FEATURES)
    assert set(model.weights) == {"id"} and model.options["depth"] >= 5 and model.options["dense_depth"] >= 5
    assert "FacQA train" in model.tuned_on and "TyDi QA train" in model.tuned_on  # two kinds of question


def ranked(engine, query, lang, k, **options):
    return [
        (h.passage_id, h.score) for h in engine.retrieve(query, lang=lang, k=k, with_answer=False, **options)[0].hits
    ]


def test_engine_reranks_indonesian_and_leaves_english_to_fusion(engine):
    question = "kota mana di Korea Selatan yang dikunjungi tim KSP?"
    reranked = ranked(engine, question, "id", 30)
    scores = [s for _, s in reranked]
    head = [s for s in scores if s > 0]
    assert scores == sorted(scores, reverse=True) and sum(head) == pytest.approx(1.0)
    assert engine.reranker().depth <= len(head) <= engine.reranker().depth + engine.reranker().dense_depth

    english = "Which city in South Korea did the KSP team visit?"
    assert ranked(engine, english, "en", 10, rerank=False) == ranked(engine, english, "en", 10)
    fused = ranked(engine, question, "id", 30, rerank=False)
    dense = ranked(engine, question, "id", 30, mode="dense")
    assert fused != reranked
    # the re-ordered head: the fused head and the dense head, nothing else
    assert {i for i, _ in reranked[: len(head)]} == set(
        candidates(
            *([Hit(i, s) for i, s in run] for run in (fused, dense)),
            engine.reranker().depth,
            engine.reranker().dense_depth,
        )
    )


def test_a_stage_switched_off_in_the_settings_can_be_asked_for_per_search(seed_settings, embedder):
    engine = SearchEngine.load(seed_settings.replace(rerank=False, reader=False), embedder)
    question = "kota mana di Korea Selatan yang dikunjungi tim KSP?"
    plain, asked = ranked(engine, question, "id", 10), ranked(engine, question, "id", 10, rerank=True)
    assert sum(s for _, s in asked) == pytest.approx(1.0) and plain != asked
    allmed = "berapa nilai investasi Allmed?"
    also = {"rerank": True, "calibrate": False}  # the reranker, off in these settings, asked for too
    read, ruled = engine.search(allmed, reader=True, **also).answer, engine.search(allmed, **also).answer
    assert read.span == ruled.span == "USD 100 juta" and read.confidence != ruled.confidence
    assert engine.answerer.neural is None  # asking for the reader per search left the engine as it was


def test_broken_reranker_file_is_a_clear_error(seed_settings, embedder, tmp_path):
    (tmp_path / "rerank.json").write_text("{not json")
    with pytest.raises(ModelError, match="BERITA_RERANK=off"):
        SearchEngine.load(seed_settings.replace(rerank_file=tmp_path / "rerank.json"), embedder)
    engine = SearchEngine.load(seed_settings.replace(rerank=False, rerank_file=tmp_path / "rerank.json"), embedder)
    assert engine.search("berapa nilai investasi Allmed?").results


def test_rerank_setting_reads_on_and_off_from_the_environment():
    assert Settings.from_env({"BERITA_RERANK": "off"}).retrieval.rerank is False
    assert Settings.from_env({"BERITA_RERANK": "1"}).retrieval.rerank is True
    with pytest.raises(ValueError, match="BERITA_RERANK"):
        Settings.from_env({"BERITA_RERANK": "maybe"})


def test_a_filter_nobody_matches_gives_no_results_not_an_error(engine):
    assert engine.search("berapa nilai investasi Allmed?", filters=Filters(date_from="2030-01-01")).results == []
