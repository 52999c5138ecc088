import json
from pathlib import Path

import pytest

from berita.lang.id.kinds import is_question, question_kind
from berita.lang.id.values import could_answer, find_span

ALLMED = (
    "Dengan investasi senilai USD 100 juta atau sekitar Rp1,6–1,7 triliun, pabrik ini akan berdiri "
    "di atas lahan 24,8 hektare dan ditargetkan beroperasi pada April 2026."
)
BENCH = Path(__file__).resolve().parents[2] / "bench"
SEED_QUESTION_FILES = ("seed_questions.jsonl", "indosum_en_questions.jsonl", "indosum_en_dev_questions.jsonl")
WORKERS = "“Dalam 5 tahun kedepan kebutuhan tenaga kerjanya bisa mencapai 150.000 orang,” ujar Bupati."


@pytest.mark.parametrize(
    "query,kind",
    [
        ("berapa nilai investasi Allmed?", "amount"),
        ("How much is Allmed investing in Batang?", "amount"),
        ("berapa tenaga kerja yang dibutuhkan KIT Batang?", "number"),
        ("How many workers will KIT Batang need?", "number"),
        ("kapan pabrik Allmed beroperasi?", "date"),
        ("When will the Allmed plant start operating?", "date"),
        ("siapa bupati Batang?", "person"),
        ("Who is the regent of Batang?", "person"),
        ("di mana KIT Batang berada?", "place"),
        ("Where is KIT Batang located?", "place"),
        ("perusahaan apa yang berinvestasi di Batang?", "organization"),
        ("Which company invests in Batang?", "organization"),
        ("apa itu TCTP?", None),
        ("investasi Allmed", None),
    ],
)
def test_question_kinds(query, kind):
    assert question_kind(query) == kind


def test_spans_of_each_kind():
    assert find_span("amount", ALLMED).text == "USD 100 juta"
    assert find_span("date", ALLMED).text == "April 2026"
    assert find_span("number", WORKERS).text == "150.000 orang"  # not the duration "5 tahun"
    assert find_span("date", "Pertemuan digelar pada Kamis (12/6/2025) dan").text == "Kamis (12/6/2025)"
    person = "Bupati Batang M. Faiz Kurniawan menyebut, kerja sama ini sejalan dengan arah kebijakan nasional."
    assert find_span("person", person, "siapa bupati Batang?").text == "M. Faiz Kurniawan"
    org = "investasi dari Allmed Medical, melalui anak perusahaannya PT Ace Medical Products Indonesia."
    assert find_span("organization", org).text == "PT Ace Medical Products Indonesia"
    assert (
        find_span("place", "Kawasan itu berada di Kecamatan Gringsing.", "di mana kawasan itu?").text
        == "Kecamatan Gringsing"
    )


def test_no_span_when_the_sentence_lacks_the_kind():
    assert find_span("amount", "Kerja sama ini menjadi bagian dari penguatan hubungan regional.") is None
    assert find_span("person", "Kawasan Industri Terpadu Batang melakukan penandatanganan kerja sama.") is None
    assert find_span("date", WORKERS) is None


def test_a_value_already_in_the_question_is_not_its_answer():
    assert (
        find_span("amount", "Nilainya USD 100 juta, atau Rp1,6 triliun.", "apakah nilainya USD 100 juta?").text
        == "Rp1,6 triliun"
    )


def test_is_question():
    assert is_question("apa itu TCTP?") and is_question("why did KSP visit Ulsan")
    assert not is_question("investasi Allmed Batang")


@pytest.mark.parametrize(
    "query,kind",
    [
        ("Di kota manakah letak kantor pusat WHO?", "place"),
        ("Di negara manakah Snuppy dikloning?", "place"),
        ("Apakah negara asal Dr Johny Setiawan?", "place"),
        ("Berapa tonkah UE mengenakan kuota?", "number"),
        ("Tahun berapa yayasan itu didirikan?", "date"),
        ("Badan apakah yang dikepalai oleh Ni Wayan Sutji?", "organization"),
    ],
)
def test_indonesian_question_words_read_in_indonesian(query, kind):
    assert question_kind(query, "id") == kind


def test_english_words_are_not_read_in_indonesian_questions():
    assert question_kind("Siapa direktur jenderal WHO?", "id") == "person"
    assert question_kind("kantor pusat WHO", "id") is None
    assert question_kind("Who leads the WHO?", "en") == "person"


def test_a_wrongly_forced_language_still_reads_the_question():
    assert question_kind("berapa nilai investasi Allmed?", "en") == "amount"
    assert question_kind("How much is Allmed investing?", "id") == "amount"


@pytest.mark.parametrize(
    "kind,span",
    [
        ("date", "abad ke-8"),  # the date patterns above find none of these
        ("date", "ribuan tahun yang lalu"),
        ("date", "setelah Perang Dunia II"),
        ("date", "Kamis (12/6/2025)"),
        ("date", "early June"),
        ("number", "tujuh"),
        ("number", "seorang"),
        ("number", "berbulan-bulan"),  # "berapa lama"
        ("number", "3.500 tenaga kerja"),
        ("number", "twenty"),
        ("amount", "Rp1,6–1,7 triliun"),
        ("amount", "ratusan triliun rupiah"),
        ("person", "Huang Fangshuai"),  # kinds without a mark of their own are not checked
        (None, "anything"),
    ],
)
def test_spans_that_could_answer_their_kind(kind, span):
    assert could_answer(kind, span)


@pytest.mark.parametrize(
    "kind,span",
    [
        ("date", "Subianto ke Presiden Xi Jinping"),  # the reader's span for a "kapan" question the seeds cannot answer
        ("date", "studio anime Jepang"),
        ("number", "Harry Potter"),
        ("number", "university"),  # "-ty" is not a number word
        ("amount", "Tiongkok"),
    ],
)
def test_spans_that_cannot_answer_their_kind(kind, span):
    assert not could_answer(kind, span)


def test_gold_answers_of_the_seed_questions_could_answer_them():
    rows = [json.loads(line) for name in SEED_QUESTION_FILES for line in (BENCH / name).read_text().splitlines()]
    typed = [(question_kind(r["question"], r["lang"]), r["answers"][0]) for r in rows if r.get("answers")]
    typed = [(kind, answer) for kind, answer in typed if kind in ("date", "number", "amount")]
    assert len(typed) >= 40 and [t for t in typed if not could_answer(*t)] == []
