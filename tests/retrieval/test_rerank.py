"""The learned second stage: its features, its model file, and how the engine uses it."""

import json

import numpy as np
import pytest

from berita import Filters, SearchEngine, Settings
from berita.core.linear import LinearModel
from berita.errors import ModelError
from berita.retrieval.rerank import FEATURES, _longest_common_run, features

QUESTION = "Siapa yang akan memindahkan Patung Kartini dalam waktu dekat?"
ANSWERING = (
    "Patung Kartini diresmikan pada 1962. Menurut rencana, Pemerintah DKI Jakarta dalam waktu dekat "
    "akan memindahkan Patung Kartini ke lapangan eks Persija."
)
NEAR_MISS = "Patung Kartini di Jalan Taman Suropati sudah tepat di tempatnya, kata sejarawan itu."


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURES.index(name)]


def test_features_see_the_sentence_that_holds_the_question():
    idf = {"patung": 3.0, "kartini": 5.0, "memindahkan": 4.0, "waktu": 1.0, "dekat": 1.5}
    rows = features(QUESTION, "id", [ANSWERING, NEAR_MISS], np.array([0.85, 0.84]), np.array([9.0, 8.0]), idf)
    assert rows.shape == (2, len(FEATURES))
    assert column(rows, "coverage")[0] == pytest.approx(1.0) and column(rows, "coverage")[1] < 0.6
    assert column(rows, "longest_run")[0] > column(rows, "longest_run")[1]
    assert column(rows, "word_coverage")[0] > column(rows, "word_coverage")[1]
    assert list(column(rows, "dense_scaled")) == [1.0, 0.0] and list(column(rows, "bm25_scaled")) == [1.0, 0.0]
    # the near miss names no person after a role or speech verb; the answering sentence has "Pemerintah DKI Jakarta"
    assert column(rows, "answer_type")[1] == 0


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
    assert set(model.weights) == {"id"} and "FacQA train" in model.trained_on and model.options["depth"] >= 5


def ranked(engine, query, lang, k, **options):
    return [
        (h.passage_id, h.score) for h in engine.retrieve(query, lang=lang, k=k, with_answer=False, **options)[0].hits
    ]


def test_engine_reranks_indonesian_and_leaves_english_to_fusion(engine):
    reranked = ranked(engine, "kota mana di Korea Selatan yang dikunjungi tim KSP?", "id", 20)
    scores = [s for _, s in reranked]
    depth = engine.reranker().depth
    assert scores == sorted(scores, reverse=True) and sum(scores[:depth]) == pytest.approx(1.0)
    assert all(s == 0 for s in scores[depth:])

    english = "Which city in South Korea did the KSP team visit?"
    assert ranked(engine, english, "en", 10, rerank=False) == ranked(engine, english, "en", 10)
    fused = ranked(engine, "kota mana di Korea Selatan yang dikunjungi tim KSP?", "id", 20, rerank=False)
    assert fused != reranked and {i for i, _ in fused[:10]} == {
        i for i, _ in reranked[:10]
    }  # the same head, re-ordered


def test_a_stage_switched_off_in_the_settings_can_be_asked_for_per_search(seed_settings, embedder):
    engine = SearchEngine.load(seed_settings.replace(rerank=False, learned_spans=False), embedder)
    question = "kota mana di Korea Selatan yang dikunjungi tim KSP?"
    plain, asked = ranked(engine, question, "id", 10), ranked(engine, question, "id", 10, rerank=True)
    assert sum(s for _, s in asked) == pytest.approx(1.0) and plain != asked
    assert (
        engine.search("berapa nilai investasi Allmed?", learned_spans=True, reader=False).answer.confidence
        != engine.search("berapa nilai investasi Allmed?", reader=False).answer.confidence
    )


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
