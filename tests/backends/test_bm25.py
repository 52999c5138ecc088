import numpy as np
import pytest

from berita.backends.bm25 import BM25, Live
from berita.core.text import tokenize

CORPUS = [
    "Allmed Medical berinvestasi USD 100 juta di Batang",
    "KIT Batang membutuhkan 150.000 tenaga kerja",
    "Kawasan industri Batang dan Batang lagi Batang",
    "Krakatau Sarana Properti mengundang investor Korea",
]


def index():
    return BM25.fit([tokenize(t) for t in CORPUS]).live()


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
    empty = BM25.fit([]).live()
    assert len(empty.search(["x"], 5)[0]) == 0


def test_saved_and_memory_mapped_it_scores_the_same(tmp_path):
    segment = BM25.fit([tokenize(t) for t in CORPUS])
    segment.save(tmp_path)
    loaded, bm = BM25.load(tmp_path).live(), segment.live()
    terms = tokenize("investasi Allmed 150.000 Batang")
    assert np.array_equal(loaded.scores(terms), bm.scores(terms)) and loaded.idf(terms) == bm.idf(terms)
    (tmp_path / "bm25-vocab.txt").write_text("only\n", encoding="utf-8")
    with pytest.raises(ValueError, match="disagree"):
        BM25.load(tmp_path)


def test_changes_score_as_a_full_rebuild_of_the_same_passages():
    """A base with passages replaced and deleted, plus the changes' segment, scores each passage exactly as one
    index fitted over the passages alive (the IDF and the average length follow the changes)."""
    base = BM25.fit([tokenize(t) for t in CORPUS])
    alive = np.array([True, False, True, False])  # passage 1 replaced, passage 3 deleted
    new = ["KIT Batang membutuhkan 175.000 tenaga kerja Batang", "Allmed membangun pabrik di Batang"]
    live = Live([(base, alive), (BM25.fit([tokenize(t) for t in new]), None)])
    whole = BM25.fit([tokenize(t) for t in [CORPUS[0], CORPUS[2], *new]]).live()
    for query in ("Batang", "Allmed investasi", "175.000 tenaga kerja", "Korea investor"):
        terms = tokenize(query)
        got = live.scores(terms)
        np.testing.assert_allclose(got[[0, 2, 4, 5]], whole.scores(terms), rtol=1e-6)
        assert got[1] == got[3] == 0  # dead rows never score
        assert live.idf(terms) == pytest.approx(whole.idf(terms))
