import numpy as np
import pytest

from berita.backends.bm25 import BM25
from berita.core.text import tokenize

CORPUS = [
    "Allmed Medical berinvestasi USD 100 juta di Batang",
    "KIT Batang membutuhkan 150.000 tenaga kerja",
    "Kawasan industri Batang dan Batang lagi Batang",
    "Krakatau Sarana Properti mengundang investor Korea",
]


def index():
    return BM25.fit([tokenize(t) for t in CORPUS])


def test_rare_terms_and_numbers_find_their_passage():
    bm = index()
    ids, scores = bm.search(tokenize("investasi Allmed"), 4)
    assert ids[0] == 0
    ids, _ = bm.search(tokenize("150,000 workers"), 4)
    assert list(ids) == [1]
    assert np.all(np.diff(scores) <= 0)


def test_common_term_weighs_less_than_rare_one():
    bm = index()
    scores = bm.scores(tokenize("Batang Korea"))
    assert scores[3] > scores[2]  # one rare match beats three common ones


def test_no_match_and_empty_corpus():
    ids, scores = index().search(tokenize("sepak bola"), 3)
    assert len(ids) == 0 and len(scores) == 0
    empty = BM25.fit([])
    assert len(empty.search(["x"], 5)[0]) == 0


def test_saved_and_memory_mapped_it_scores_the_same(tmp_path):
    bm = index()
    bm.save(tmp_path)
    loaded = BM25.load(tmp_path)
    terms = tokenize("investasi Allmed 150.000 Batang")
    assert np.array_equal(loaded.scores(terms), bm.scores(terms)) and loaded.idf(terms) == bm.idf(terms)
    (tmp_path / "bm25-vocab.txt").write_text("3\nonly\n", encoding="utf-8")
    with pytest.raises(ValueError, match="disagree"):
        BM25.load(tmp_path)
