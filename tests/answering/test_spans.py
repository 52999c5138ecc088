"""Learned answer spans: the values proposed, their features, and the engine's use of the model."""

import pytest

from berita import SearchEngine, Settings
from berita.answering.spans import SPAN_FEATURES, Sentence, span_candidates, span_features
from berita.core.linear import LinearModel
from berita.errors import ModelError

QUESTION = "berapa nilai investasi Allmed di Batang?"
IDF = {"nilai": 2.0, "investasi": 3.0, "allmed": 6.0, "batang": 2.5}


def test_candidates_are_every_value_once_with_the_sentence_closest_to_the_question():
    sentences = [
        Sentence("d.p8", 1, 0.8, "Pabrik lain bernilai USD 100 juta."),
        Sentence("d.p7", 0, 0.9, "Allmed menanam investasi senilai USD 100 juta di Batang pada 12 Juni 2025."),
        Sentence("d.p8", 1, 0.8, "Bupati Batang M. Faiz Kurniawan menyambut 3.500 tenaga kerja."),
    ]
    found = {c.span.text: c for c in span_candidates(QUESTION, sentences, IDF)}
    assert "USD 100 juta" in found and "12 Juni 2025" in found and "3.500 tenaga kerja" in found
    usd = found["USD 100 juta"]
    # the occurrence kept is the one whose sentence holds the question's terms ("senilai" is not "nilai")
    assert usd.passage_id == "d.p7" and usd.position == 0 and usd.coverage == pytest.approx((3.0 + 6.0 + 2.5) / 13.5)
    assert "amount" in usd.ranks and "date" in found["12 Juni 2025"].ranks
    assert not any(text.lower() in ("allmed", "batang") for text in found)  # the question already says those

    rows = span_features("amount", QUESTION, list(found.values()))
    assert rows.shape == (len(found), len(SPAN_FEATURES))
    asked = rows[:, SPAN_FEATURES.index("asked_amount")]
    assert asked[list(found).index("USD 100 juta")] == 1 and asked[list(found).index("12 Juni 2025")] == 0


def test_without_the_reader_indonesian_answers_come_from_the_span_model_and_english_ones_from_the_rules(engine):
    question, english = "berapa nilai investasi Allmed?", "How much is Allmed investing in Batang?"
    learned = engine.search(question, reader=False).answer
    assert learned.span == "USD 100 juta"
    assert engine.span_model().options["min_probability"] <= learned.confidence <= 1  # a probability from the model
    english_answer = engine.search(english, reader=False).answer

    by_rules = engine.search(question, learned_spans=False, reader=False).answer
    assert engine.search(english, learned_spans=False, reader=False).answer == english_answer
    assert by_rules.span == "USD 100 juta" and by_rules.confidence != learned.confidence  # the rules' own score


def test_the_span_model_takes_no_deputy_for_the_office_holder(engine):
    # "Wakil Gubernur Jawa Tengah Taj Yasin Maimoen" ranks first in the seeds; the span model had answered the
    # governor question with the deputy, as the reader had (the office check, core.text.qualified_title)
    assert engine.search("Siapa Wakil Gubernur Jawa Tengah?", reader=False).answer.span == "Taj Yasin Maimoen"
    governor = engine.search("Siapa Gubernur Jawa Tengah?", reader=False).answer
    assert governor is None or governor.span == "Ahmad Luthfi"


def test_no_answer_when_the_model_is_not_sure(seed_settings, embedder, tmp_path):
    shipped = LinearModel.load(Settings().answers.spans_file, SPAN_FEATURES)
    LinearModel(shipped.features, shipped.weights, {"min_probability": 1.01}, "test").save(tmp_path / "spans.json")
    engine = SearchEngine.load(seed_settings.replace(spans_file=tmp_path / "spans.json"), embedder)
    response = engine.search("berapa nilai investasi Allmed?", reader=False)
    assert response.answer is None and "USD 100 juta" in response.results[0].text


def test_shipped_span_model_and_a_broken_one(seed_settings, embedder, tmp_path):
    model = LinearModel.load(Settings().answers.spans_file, SPAN_FEATURES)
    assert (
        set(model.weights) == {"id"} and 0 < model.options["min_probability"] < 1 and "FacQA train" in model.trained_on
    )
    (tmp_path / "spans.json").write_text('{"features": []}')
    with pytest.raises(ModelError, match="BERITA_LEARNED_SPANS=off"):
        SearchEngine.load(seed_settings.replace(spans_file=tmp_path / "spans.json"), embedder)
