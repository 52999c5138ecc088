"""The names a question names, and which a passage lacks (``Retrieval.missing_names``)."""

from berita.retrieval import Retrieval


def retrieval(query: str) -> Retrieval:
    return Retrieval(query, "id", [], {}, None, [])


def test_names_are_the_capitalised_words_after_the_first():
    harry = retrieval("Berapa serial buku Harry Ratu Harry?")  # IDK-MRC: "Harry Potter" with its surname swapped
    assert harry.missing_names("Harry Potter adalah serial tujuh buku karya J. K. Rowling.") == 1  # "Ratu"
    assert harry.missing_names("Serial Harry Ratu terdiri atas tujuh buku.") == 0
    assert harry.missing_names("") == 2  # each name once


def test_no_names_no_penalty():
    assert retrieval("berapa nilai investasi 2025?").missing_names("Nilai investasinya USD 100 juta.") == 0
    assert retrieval("Kapan pabrik itu beroperasi?").missing_names("") == 0  # the first word is not a name


def test_names_match_whole_words_in_any_case():
    wuhan = retrieval("siapa Wali Kota Wuhan?")
    assert wuhan.missing_names("Dari pihak China, Wali Kota Zhijiang, Huang Fangshuai, menyambut baik.") == 1
    assert wuhan.missing_names("WALI KOTA WUHAN hadir.") == 0
    assert wuhan.missing_names("Walikota Wuhanese") == 3


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
    assert chinese.missing_names("Pemerintah Kabupaten Batang dan Pemerintah Kota Zhijiang, Tiongkok.") == 0
    assert chinese.missing_names("Pemerintah Kabupaten Batang.") == 1
