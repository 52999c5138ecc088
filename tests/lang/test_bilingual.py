"""English words read through Debian's English-Indonesian dictionary (installed by make), for the BM25 side."""

import numpy as np

from berita import SearchEngine
from berita.backends.bm25 import BM25
from berita.core.text import tokenize
from berita.lang.id.bilingual import concepts, load, word_by_word


def test_the_dictionary_gives_indonesian_terms():
    dictionary = load()
    assert len(dictionary) > 5000
    assert "investasi" in dictionary["investment"] and "pabrik" in dictionary["factory"]
    assert "perusahaan" in dictionary["company"] and "in" not in dictionary["company"]  # glosses are not translations


def test_concepts_keep_the_word_and_add_its_translations():
    found = concepts("Which foreign companies invested in Batang?", load())
    assert frozenset({"batang"}) in found  # a name stays itself
    assert any({"companies", "perusahaan"} <= c for c in found) and any({"foreign", "asing"} <= c for c in found)


def test_a_concept_counts_once_by_its_best_alternative():
    bm = BM25.fit([tokenize(t) for t in ["pabrik pabrik kota", "perusahaan usaha firma", "kota lain"]]).live()
    one = bm.concept_scores([frozenset({"perusahaan"})])
    many = bm.concept_scores([frozenset({"perusahaan", "usaha", "firma"})])
    assert np.argmax(many) == 1 and many[1] == max(bm.scores([t])[1] for t in ("perusahaan", "usaha", "firma"))
    assert many[1] >= one[1] and many[1] < bm.scores(["perusahaan", "usaha", "firma"])[1]


def test_english_questions_find_indonesian_passages_through_bm25(engine):
    question = "How many hectares has the Batang government prepared for small businesses?"
    translated = engine.search(question, lang="en", k=1, mode="bm25").results
    assert "20 hektare" in translated[0].text  # "hectares" -> "hektare", "businesses" -> "bisnis", ...
    plain = SearchEngine(engine.backend, engine.embedder, engine.settings.replace(translate_english=False))
    assert "20 hektare" not in plain.search(question, lang="en", k=1, mode="bm25").results[0].text


def test_indonesian_questions_in_rough_english_for_the_readers_training():
    assert word_by_word("Berapa nilai investasi Allmed?") == "How much value investment Allmed?"
    assert word_by_word("Kapan pabrik baterai di Batang mulai beroperasi?") == (
        "When factory battery in Batang start operation?"
    )
    assert word_by_word("Pada tahun berapa PT Adhi Karya berdiri?").startswith("In what year PT Adhi Karya ")
    assert word_by_word("siapakah pendiri PBB?").startswith("Who ")  # a lower-case start, -kah
