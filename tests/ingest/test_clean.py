from berita.ingest.clean import clean_article, find_date, parse_dateline
from tests.conftest import SEEDS


def seed(prefix):
    return next(SEEDS.glob(prefix + "*.txt")).read_text(encoding="utf-8")


def test_boilerplate_lines_are_removed():
    cleaned = clean_article(seed("002"))
    for junk in ("BACA JUGA", "Cek Berita dan Artikel lainnya di Google News", "-IST-", "Sumber:"):
        assert junk not in cleaned.text
    assert "Allmed Medical" in cleaned.text and "(Nov)" in cleaned.text


def test_baca_juga_in_any_case():
    text = "Isi berita pertama yang panjang.\nBaca juga: PT KSP ajak Korsel\nBaca Juga: Kedermawanan Kader\nIsi kedua."
    assert clean_article(text, title="t").text == "Isi berita pertama yang panjang.\nIsi kedua."


def test_title_is_first_line_only_when_it_looks_like_one():
    assert clean_article(seed("002")).title == "Batang dan Zhijiang China Jajaki Kerja Sama Sister City"
    assert clean_article(seed("004")).title.startswith("PT KSP undang investor Korsel")
    opening = clean_article(seed("000"))
    assert opening.text.startswith("Batang - Kawasan Industri Terpadu Batang")  # not taken as a title
    assert opening.title and len(opening.title) < 120


def test_dateline_source_and_place():
    assert parse_dateline("Batang (ANTARA) - Kawasan Ekonomi Khusus") == ("Batang", "ANTARA")
    assert parse_dateline("PojokPantura.Com - Sesuai instruksi Presiden") == (None, "PojokPantura.Com")
    assert parse_dateline("BATANG – Pemerintah Kabupaten BATANG") == ("Batang", None)
    assert parse_dateline("Kawasan industri ini luas.") == (None, None)
    assert clean_article(seed("001")).source == "ANTARA"


def test_dates_written_in_the_text():
    assert find_date("Pertemuan daring digelar pada Kamis (12/6/2025) dan") == "2025-06-12"
    assert find_date("diresmikan 7 Juli 2023 oleh") == "2023-07-07"
    assert find_date("Jumat (7/7) tanpa tahun, (27 / 3)") is None
    assert clean_article(seed("002")).date == "2025-06-12"
