import pytest

from berita.lang.id.news import source_words, sources_named


@pytest.mark.parametrize(
    "typed,name",
    [
        ("ANTARA", "antaranews"),
        ("Antara News", "ANTARA"),
        ("cnn", "cnn indonesia"),
        ("CNN Indonesia", "cnn indonesia"),
        ("juara", "juara.net"),
        ("DailySocial", "dailysocial.id"),
        ("poskota", "poskotanews"),
    ],
)
def test_a_source_as_people_write_it(typed, name):
    assert sources_named(typed, ["kumparan", name]) == [name]


@pytest.mark.parametrize(
    "typed,name",
    [("cnn", "kumparan"), ("indonesia", "cnn indonesia"), ("daily", "dailysocial.id"), ("news", "rimanews"), ("", "x")],
)
def test_other_sources_are_not_named(typed, name):
    assert sources_named(typed, [name]) == []


def test_the_words_a_source_is_matched_by():
    assert source_words("PojokPantura.Com") == ("pojokpantura",)
    assert source_words("news") == ("news",)  # a name that is only the suffix keeps it
