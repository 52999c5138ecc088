"""How bench/quality.py judges a passage: the gold one, or a copy of it in another document."""

import json

from bench.datasets import Question, facqa_questions, is_gold, qa_rows, seed_questions, tydi_questions
from bench.judge import answers_to, top_holds_answer
from bench.quality import answered_right
from berita import Passage
from berita.core.text import normalize
from berita.ingest.clean import clean_article
from tests.conftest import SHARED_EVAL


def passage(doc_id: str, text: str) -> Passage:
    return Passage(f"{doc_id}.p0", doc_id, 0, 0, len(text), text)


def test_a_copy_of_the_gold_passage_counts_and_another_text_does_not():
    q = facqa_questions(SHARED_EVAL, "valid")[0]
    rows = (json.loads(line) for line in open(SHARED_EVAL / "facqa_dev.jsonl", encoding="utf-8"))
    gold = next(r for r in rows if r["id"] == q.qid)
    assert is_gold(passage(q.doc_id, gold["context"]), q)
    assert is_gold(passage("elsewhere", gold["context"].upper().replace(" ", "  ")), q)
    assert not is_gold(passage("elsewhere", gold["context"] + " Tambahan kalimat."), q)


def test_a_passage_of_the_gold_document_must_hold_what_the_question_names():
    q = Question("q", "id", "siapa?", "doc", "Jonni Afrizon", ["Jonni Afrizon"], gold_reading="")
    assert is_gold(passage("doc", "Plt Direktur Jonni Afrizon berkata"), q)
    assert not is_gold(passage("doc", "paragraf lain"), q)
    assert not is_gold(passage("other", "Plt Direktur Jonni Afrizon berkata"), q)


def test_the_gold_is_read_as_the_product_reads_every_text():
    # ingest stored NFKC text ("km2") while TyDi QA's answers keep "km²", and no passage was judged gold for them;
    # whatever form ingest stores, the gold is read in the same
    q = Question("q", "id", "berapa luas Sumenep?", "doc", "2.093,45km²", ["2.093,45km²\u200b"])
    stored = passage("doc", clean_article("luas wilayah 2.093,45km² dan", title="t").text)
    assert is_gold(stored, q) and top_holds_answer([stored], q)
    assert q.answers == ["2.093,45km²"]


def test_every_tydi_question_finds_its_passage_as_the_index_stores_it():
    contexts = {r["id"]: r["context"] for r in qa_rows(SHARED_EVAL) if r["set"] == "tydi"}
    questions = [q for part in ("train", "dev", "test") for q in tydi_questions(SHARED_EVAL, part)]
    stored = {qid: clean_article(text, title="TyDi QA").text for qid, text in contexts.items()}  # as ingest stores it
    assert all(normalize(a) == a for q in questions for a in q.answers)
    missing = [q.qid for q in questions if q.passage_contains not in stored[q.qid]]
    assert not missing, missing[:5]


def test_answered_right_sets_what_silence_costs_beside_answering_wherever_a_span_is_found(engine):
    questions = [q for q in seed_questions() if q.lang == "id"]
    strict = engine.with_tuning(min_margin=100.0, min_margin_several=100.0)  # a bar no span reaches: no answer
    assert strict.reader().tuning.min_margin_several == 100.0 and strict.reader().tuning.a == engine.reader().tuning.a
    row = answered_right(strict, questions, answers_to(strict, questions))
    assert strict.reader().tuning.min_margin_several == 100.0  # answered_right leaves the engine it was given alone
    assert engine.reader().tuning.min_margin_several != 100.0  # and with_tuning the engine it came from
    assert row["n"] == len(questions)
    assert row["right"] == 0.0
    assert row["right_answering_all"] >= 0.8  # the seed answers are found once the bar is down


def test_the_english_dev_questions_hold_their_answers_and_share_no_article_with_the_reported_ones():
    # the dev set chooses English settings; an article in both would let the reported set be tuned on
    dev = seed_questions("indosum_en_dev_questions.jsonl")
    reported = seed_questions("indosum_en_questions.jsonl")
    assert len(dev) >= 40 and not {q.doc_id for q in dev} & {q.doc_id for q in reported}
    rows = (json.loads(line) for line in open(SHARED_EVAL / "indosum_articles.jsonl", encoding="utf-8"))
    texts = {r["doc_id"]: r["text"] for r in rows}
    for q in dev + reported:
        text = normalize(texts[q.doc_id])
        assert q.lang == "en" and q.passage_contains in text
        assert all(answer in text for answer in q.answers), q.qid
