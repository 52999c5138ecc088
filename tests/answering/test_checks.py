"""The answer checks, one by one, on the example each docstring gives, and in the order they run."""

import dataclasses
from pathlib import Path

from berita.answering import Candidate, Tuning, checks
from berita.core.schema import Hit, Passage
from berita.core.text import tokenize
from berita.retrieval import Retrieval

PASSAGE = (
    "Wakil Gubernur Jawa Tengah Taj Yasin Maimoen meresmikan pabrik Allmed di Batang. Nilai investasinya USD 100 juta."
)


def retrieval(question: str, text: str = PASSAGE) -> Retrieval:
    terms = tokenize(question)
    passage = Passage("d.p0", "d", 0, 0, len(text), text)
    return Retrieval(question, "id", [Hit("d.p0", 0.9)], {"d.p0": passage}, None, terms, dict.fromkeys(terms, 1.0))


def candidate(span: str, kind: str | None = None, **fields) -> Candidate:
    before = PASSAGE[: PASSAGE.index(span)] if span in PASSAGE else ""
    return Candidate("d.p0", PASSAGE, span, kind, fields.pop("score", 1.0), before=before, **fields)


def test_a_span_of_another_kind_is_passed_over():
    asked = retrieval("berapa nilai investasi Allmed?")
    assert checks.answers_kind(candidate("USD 100 juta", "amount"), asked, Tuning())
    assert checks.answers_kind(candidate("Allmed", "amount"), asked, Tuning()) is None
    assert checks.answers_kind(candidate("Allmed", None), asked, Tuning())  # no kind asked: nothing to check


def test_the_deputy_does_not_answer_for_the_governor():
    deputy = candidate("Taj Yasin Maimoen", "person")
    assert checks.not_another_office(deputy, retrieval("Siapa Gubernur Jawa Tengah?"), Tuning()) is None
    assert checks.not_another_office(deputy, retrieval("Siapa Wakil Gubernur Jawa Tengah?"), Tuning()) == deputy


def test_a_passage_without_a_name_the_question_names_loses_the_penalty_once():
    wuhan = retrieval("siapa Wali Kota Wuhan dan Beijing?")
    found = checks.names_in_passage(candidate("Taj Yasin Maimoen", score=5.0), wuhan, Tuning(name_penalty=4.0))
    assert found is not None and found.score == 1.0  # two names missing, one penalty
    allmed = retrieval("berapa nilai investasi Allmed?")
    assert checks.names_in_passage(candidate("USD 100 juta", score=5.0), allmed, Tuning()).score == 5.0
    english = dataclasses.replace(wuhan, lang="en")
    assert checks.names_in_passage(candidate("X", score=5.0), english, Tuning()).score == 5.0  # id only


def test_the_bar_is_the_candidates_own():
    asked = retrieval("berapa nilai investasi Allmed?")
    assert checks.clears_bar(candidate("USD 100 juta", score=-1.0, bar=-2.0), asked, Tuning())
    assert checks.clears_bar(candidate("USD 100 juta", score=-3.0, bar=-2.0), asked, Tuning()) is None


def test_a_span_that_repeats_the_question_is_no_answer():
    asked = retrieval("Berapa nilai investasi pabrik Allmed di Batang?")
    assert checks.says_more_than_question(candidate("Batang"), asked, Tuning()) is None
    assert checks.says_more_than_question(candidate("USD 100 juta"), asked, Tuning())


def test_a_passage_that_shares_little_with_the_question_does_not_answer_it():
    off_topic = retrieval("siapa pemenang piala dunia sepak bola 1998?")
    assert checks.passage_covers_question(candidate("Taj Yasin Maimoen"), off_topic, Tuning()) is None
    assert checks.passage_covers_question(candidate("Taj Yasin Maimoen"), off_topic, Tuning(min_coverage=0.0))


def test_the_rules_after_the_reader_are_no_surer_than_its_least_sure_answer():
    tuning = Tuning(a=1.0, b=0.0, min_margin=-1.0, min_margin_several=0.0)
    capped = checks.no_surer_than_reader(candidate("USD 100 juta", confidence=0.85), retrieval("berapa?"), tuning)
    assert capped is not None and capped.confidence == tuning.confidence(-1.0) < 0.85


def test_checks_run_in_order_and_stop_at_the_first_that_fails():
    asked = retrieval("Siapa Gubernur Jawa Tengah?")
    tuning = Tuning(name_penalty=4.0)
    through = checks.run(checks.SCORE_CHECKS, candidate("Taj Yasin Maimoen", score=5.0, bar=0.0), asked, tuning)
    assert through is not None and through.score == 5.0  # the passage names Jawa Tengah
    barred = checks.run(checks.SCORE_CHECKS, candidate("Taj Yasin Maimoen", score=1.0, bar=2.0), asked, tuning)
    assert barred is None
    assert checks.run(checks.SPAN_CHECKS, candidate("Taj Yasin Maimoen", "person"), asked, tuning) is None
    assert checks.run(checks.ANSWER_CHECKS, None, asked, tuning) is None


def test_no_answer_without_a_span():
    asked = retrieval("Apa yang terjadi di Batang?")
    assert checks.has_span(candidate("USD 100 juta"), asked, Tuning())
    for empty in (None, "", "  "):
        assert checks.has_span(dataclasses.replace(candidate("x"), span=empty), asked, Tuning()) is None


def test_the_product_gives_no_answer_without_a_span_and_a_level(engine):
    questions = (Path(__file__).parents[1] / "cli" / "golden" / "queries.txt").read_text(encoding="utf-8").splitlines()
    answers = [engine.search(q).answer for q in questions]
    assert any(answers)
    for q, a in zip(questions, answers):
        assert a is None or (a.span and a.span.strip() and a.level in ("sure", "possible")), q
