from berita.core.text import fold, normalize, reading, sentence_spans, tokenize


def sentences(text):
    return [text[a:b] for a, b in sentence_spans(text)]


def test_abbreviations_and_numbers_do_not_end_sentences():
    text = (
        "Bupati Batang M. Faiz Kurniawan menyebut investasi senilai Rp1,6 triliun. "
        "Capacity building diprakarsai oleh Ecosian Co.,Ltd ini. Mr. Goh Seng Lee hadir. Luasnya 4.300 hektar."
    )
    assert sentences(text) == [
        "Bupati Batang M. Faiz Kurniawan menyebut investasi senilai Rp1,6 triliun.",
        "Capacity building diprakarsai oleh Ecosian Co.,Ltd ini.",
        "Mr. Goh Seng Lee hadir.",
        "Luasnya 4.300 hektar.",
    ]


def test_quotes_and_newlines_end_sentences():
    text = "“Proyek ini besar. Kami menantikan,” pungkas Huang.\nParagraf kedua tanpa titik"
    assert sentences(text) == ["“Proyek ini besar.", "Kami menantikan,” pungkas Huang.", "Paragraf kedua tanpa titik"]


def test_spans_are_offsets_into_the_text():
    text = "  Satu. Dua!  Tiga?\n\nEmpat "
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip() and text[a:b]


def test_tokens_join_number_formats_and_drop_stopwords():
    assert tokenize("Dengan investasi USD 100 juta atau Rp1,6 triliun untuk 150.000 orang") == [
        "investasi",
        "usd",
        "100",
        "juta",
        "rp",
        "1.6",
        "triliun",
        "150000",
        "orang",
    ]
    assert tokenize("150,000 workers") == ["150000", "workers"]


def test_normalize_removes_controls_and_zero_width():
    assert normalize("Batang\u200b\x00 \t\u00a0investasi\ufeff") == "Batang investasi"


def test_normalize_keeps_the_text_as_written_and_matching_folds_it():
    # a passage is quoted as its source wrote it: NFKC would make "2½ tahun" read "21⁄2 tahun" and "km²" "km2"
    written = "luas 2.093,45 km² selama 2½ tahun… Ｂatang"
    assert normalize(written) == written
    assert normalize("Cafe\u0301") == "Café"  # one canonical form: a combining accent joins its letter
    assert normalize("Ｂatang  2½", compatible=True) == "Batang 21⁄2"  # a query, read and never quoted
    assert fold(written) == "luas 2.093,45 km2 selama 21⁄2 tahun... batang"
    assert tokenize("km² Ｂatang") == tokenize("km2 Batang") == ["km", "2", "batang"]
    assert reading("Luas 24 km².") == reading("luas 24 km2")


def test_a_citation_names_the_articles_own_paragraphs():
    from berita.core.schema import paragraphs

    text = "Judul pertama.\nParagraf dua panjang.\nParagraf tiga.\nParagraf empat."
    two = text.index("Paragraf dua")
    assert paragraphs(text, 0, 14) == [1, 1]
    assert paragraphs(text, two, text.index("Paragraf tiga") + 14) == [2, 3]  # a passage joining two paragraphs
    assert paragraphs(text, text.index("Paragraf empat"), len(text)) == [4, 4]
