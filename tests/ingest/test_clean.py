import json
import re

import pytest

from berita.ingest.clean import OPAQUE, clean_article, find_date, parse_dateline
from tests.conftest import SEEDS, SHARED_EVAL


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


@pytest.mark.parametrize(
    "title,shown",
    [
        (
            "nilai matematika jeblok bisa jadi karena kurang ini?utm_source=fly&utm_medium=related&utm_campaign=news",
            "Nilai matematika jeblok bisa jadi karena kurang ini",
        ),
        (
            "meeting owl 360 degree conference cam?utm_source=welcome page&utm_medium=category box",
            "Meeting owl 360 degree conference cam",
        ),
        ("tanggapan barcelona soal sanksi ?ICID=HP_HN_HP_RI_0_3", "Tanggapan barcelona soal sanksi"),
        ("ronaldinho.messi.belum.habis", "Ronaldinho messi belum habis"),
        ("Batang dan Zhijiang China Jajaki Kerja Sama", "Batang dan Zhijiang China Jajaki Kerja Sama"),
        ("Harga BBM 2.0?", "Harga BBM 2.0?"),  # a question mark that opens no parameters stays
    ],
)
def test_titles_lose_tracking_parameters_and_slugs(title, shown):
    assert clean_article("Isi berita.", title).title == shown


@pytest.mark.parametrize("title", ["oqpopw8kddf310fstuwv50ix", "report", "?ICID=RE", ""])
def test_an_opaque_title_gives_way_to_the_article_s_first_words(title):
    assert clean_article("Jakarta - Harga cabai naik tajam di pasar induk.", title).title == (
        "Harga cabai naik tajam di pasar induk."
    )


def test_indosum_titles_as_a_reader_sees_them():
    rows = [json.loads(line) for line in open(SHARED_EVAL / "indosum_articles.jsonl", encoding="utf-8")]
    titles = [clean_article(r["text"], r["title"]).title for r in rows]
    assert not [t for t in titles if "utm_" in t or "ICID" in t or OPAQUE.fullmatch(t)]
    changed = sum(t != r["title"] for t, r in zip(titles, rows))
    assert changed > 3000  # nearly all: lower-case slugs; 66 lose tracking parameters, 111 were ids or one word


def test_links_to_other_articles_in_every_form_are_removed():
    text = (
        "Isi pertama.\nSIMAK JUGA: Arema Batal Kontrak\n[Baca Juga: Tragedi Turin]\n(Baca juga: Lewis Hamilton)\n"
        "Lihat juga: Galeri\nADVERTISEMENT\nVideo: Mengenal Lyodra\nIsi kedua, baca juga laporannya."
    )
    assert clean_article(text, "t").text == "Isi pertama.\nIsi kedua, baca juga laporannya."


def test_indosum_text_keeps_no_link_lines():
    rows = [json.loads(line) for line in open(SHARED_EVAL / "indosum_articles.jsonl", encoding="utf-8")]
    lines = [line for r in rows for line in clean_article(r["text"], r["title"]).text.split("\n")]
    left = [line for line in lines if re.match(r"[\[(]?\s*(baca|simak|lihat)\s+juga\s*:", line, re.I)]
    assert left == [] and len(lines) > 30_000
