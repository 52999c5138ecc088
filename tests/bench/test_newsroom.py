"""The newsroom set and its summary: enough questions of each kind, split by article, none over the reserved lines,
every gold span verbatim in its article; and the figures the summary gives from known rows."""

import json

from bench.datasets import RESERVED_LINES, newsroom_questions, newsroom_split
from bench.newsroom import summary
from berita.ingest.clean import clean_article
from tests.conftest import SHARED_EVAL


def test_the_set_has_what_the_answers_issue_asks_for():
    questions = newsroom_questions(SHARED_EVAL)
    for lang in ("id", "en"):
        assert sum(bool(q.answers) for q in questions if q.lang == lang) >= 150
        assert sum(not q.answers for q in questions if q.lang == lang) >= 100
    splits: dict[str, set[str]] = {}
    for q in questions:
        splits.setdefault(q.doc_id, set()).add(newsroom_split(q.doc_id))
    assert all(len(s) == 1 for s in splits.values())  # an article's questions are all on one side
    assert {newsroom_split(q.doc_id) for q in questions} == {"dev", "test"}
    assert len({q.qid for q in questions}) == len(questions)


def test_no_question_is_over_the_reserved_lines_and_every_gold_span_is_in_its_article():
    rows = [json.loads(line) for line in open(SHARED_EVAL / "indosum_articles.jsonl", encoding="utf-8")]
    articles = {r["doc_id"]: (n, r) for n, r in enumerate(rows, 1)}
    for q in newsroom_questions(SHARED_EVAL):
        n, article = articles[q.doc_id]
        assert n not in RESERVED_LINES, q.qid
        text = clean_article(article["text"], title=article.get("title")).text
        assert all(a in text for a in q.answers), q.qid


def test_the_summary_counts_what_it_says():
    row = {"lang": "id", "split": "test", "first": True, "first_dense": False, "first_bm25": True, "gold_rank": 0}
    rows = [
        {**row, "answerable": True, "span": "a", "right": True, "confidence": 0.9, "level": "sure"},
        {**row, "answerable": True, "span": "b", "right": False, "confidence": 0.6, "level": "possible"},
        {**row, "answerable": True, "span": None, "right": False, "confidence": None, "level": None, "gold_rank": None},
        {**row, "answerable": False, "span": "c", "right": False, "confidence": 0.4, "level": "possible"},
    ]
    s = summary(rows)
    assert (s["answerable"], s["unanswerable"], s["answered"], s["precision"]) == (3, 1, round(2 / 3, 4), 0.5)
    assert s["right"] == round(1 / 3, 4) and s["confidently_wrong"] == 0.25 and s["unanswerable_answered"] == 1.0
    assert s["sure"] == {
        "answered": round(1 / 3, 4),
        "precision": 1.0,
        "right": round(1 / 3, 4),
        "unanswerable_answered": 0.0,
    }
    assert s["gold_in_passage"]["0"] == round(2 / 3, 4) and s["gold_in_passage"]["none"] == round(1 / 3, 4)
