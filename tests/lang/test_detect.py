import pytest

from berita.lang import detect_language


@pytest.mark.parametrize(
    "query,lang",
    [
        ("berapa nilai investasi Allmed?", "id"),
        ("How much is Allmed investing in Batang?", "en"),
        ("siapa bupati Batang", "id"),
        ("who is the regent", "en"),
        ("Kawasan Industri Terpadu Batang membutuhkan tenaga kerja lokal", "id"),
        ("The industrial estate needs local workers for its factories", "en"),
        ("Allmed", "id"),  # a bare name: the corpus language
        ("KCC Glass", "id"),
        ("Kerajaan Malaysia akan membina lebih banyak sekolah", "id"),  # Malay reads as Indonesian
    ],
)
def test_detects_indonesian_and_english(query, lang):
    assert detect_language(query) == lang


def test_deterministic():
    text = "pembangunan kawasan industri ramah lingkungan"
    assert len({detect_language(text) for _ in range(20)}) == 1
