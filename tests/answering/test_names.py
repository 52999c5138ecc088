"""The names a question names, and which a passage lacks (``answering.checks.missing_names``)."""

from berita.answering import checks
from berita.retrieval import Retrieval


def retrieval(query: str) -> Retrieval:
    return Retrieval(query, "id", [], {}, None, [])


def test_names_are_the_capitalised_words_after_the_first():
    harry = retrieval("Berapa serial buku Harry Ratu Harry?")  # IDK-MRC: "Harry Potter" with its surname swapped
    assert checks.missing_names(harry, "Harry Potter adalah serial tujuh buku karya J. K. Rowling.") == 1  # "Ratu"
    assert checks.missing_names(harry, "Serial Harry Ratu terdiri atas tujuh buku.") == 0
    assert checks.missing_names(harry, "") == 2  # each name once


def test_no_names_no_penalty():
    assert checks.missing_names(retrieval("berapa nilai investasi 2025?"), "Nilai investasinya USD 100 juta.") == 0
    assert checks.missing_names(retrieval("Kapan pabrik itu beroperasi?"), "") == 0  # the first word is not a name


def test_names_match_whole_words_in_any_case():
    wuhan = retrieval("siapa Wali Kota Wuhan?")
    assert checks.missing_names(wuhan, "Dari pihak China, Wali Kota Zhijiang, Huang Fangshuai, menyambut baik.") == 1
    assert checks.missing_names(wuhan, "WALI KOTA WUHAN hadir.") == 0
    assert checks.missing_names(wuhan, "Walikota Wuhanese") == 3


def test_an_english_name_is_held_where_one_of_its_translations_is():
    chinese = Retrieval(
        "Which Chinese city is Batang exploring a sister city partnership with?",
        "en",
        [],
        {},
        None,
        ["chinese", "city", "batang"],
        concepts=[frozenset({"chinese", "china", "tiongkok"}), frozenset({"city", "kota"}), frozenset({"batang"})],
    )
    assert checks.missing_names(chinese, "Pemerintah Kabupaten Batang dan Pemerintah Kota Zhijiang, Tiongkok.") == 0
    assert checks.missing_names(chinese, "Pemerintah Kabupaten Batang.") == 1
