"""A deputy is not the office holder: the title before an answer or at its start (``core.text.qualified_title``) and
whether it names another office than the one asked for (``answering.checks.other_office``)."""

import pytest

from berita.answering import checks
from berita.core.text import tokenize
from berita.lang.id.offices import qualified_title
from berita.retrieval import Retrieval


@pytest.mark.parametrize(
    ("before", "office"),
    [
        ("Penandatanganan PKS itu disaksikan oleh Wakil Gubernur Jawa Tengah ", ("wakil", "gubernur")),
        ("kata wakil ketua DPR ", ("wakil", "ketua")),
        ("Menurut Wagub Jateng ", ("wakil", "gubernur")),
        ("Pasangan calon Bupati Batang ", ("calon", "bupati")),
        ("Wakil Presiden ", ("wakil", "presiden")),
        ("Hal itu disampaikan Wakil Gubernur Jawa Tengah, ", ("wakil", "gubernur")),  # the name after a comma
    ],
)
def test_a_qualified_title_right_before_the_answer(before, office):
    assert qualified_title(before) == office


@pytest.mark.parametrize(
    "before",
    [
        "Wakil Gubernur Rudolf Pardede menggantikan Gubernur ",  # FacQA: the governor is the one after "menggantikan"
        "pada pelantikan Bupati-Wakil Bupati Blora periode 2005-2010, ",  # FacQA: the regent follows the comma
        "Wakil Gubernur Jawa Tengah itu mengatakan bahwa ",
        "Gubernur Jawa Tengah ",
        "",
    ],
)
def test_no_qualified_title_right_before_the_answer(before):
    assert qualified_title(before) is None


@pytest.mark.parametrize(
    ("span", "office"),
    [
        ("Wagub Jateng Taj Yasin Maimoen", ("wakil", "gubernur")),  # the reader took the title into the span
        ("Wakil Gubernur Jawa Tengah Taj Yasin Maimoen", ("wakil", "gubernur")),
        ("Taj Yasin Maimoen", None),
        ("Gubernur Ahmad Luthfi", None),
    ],
)
def test_a_qualified_title_at_the_start_of_the_answer(span, office):
    assert qualified_title("Acara dibuka oleh ", span) == office


def asked(query: str) -> Retrieval:
    """An Indonesian query's retrieval as the retriever builds it: its terms are its tokens."""
    return Retrieval(query, "id", [], {}, None, tokenize(query))


def test_the_deputy_does_not_answer_for_the_office_holder():
    deputy = "disaksikan oleh Wakil Gubernur Jawa Tengah "
    assert checks.other_office(asked("Siapa Gubernur Jawa Tengah?"), deputy)
    assert not checks.other_office(asked("Siapa Wakil Gubernur Jawa Tengah?"), deputy)
    assert not checks.other_office(asked("Siapa Bupati Batang?"), deputy)  # another office
    assert checks.other_office(asked("Siapa Gubernur Jawa Tengah?"), "oleh ", "Wagub Jateng Taj")


def test_english_questions_match_through_their_translations():
    def english(query: str, concepts: list[frozenset[str]]) -> Retrieval:
        return Retrieval(query, "en", [], {}, None, [], concepts=concepts)

    # one concept per term, the term and its translations (``core.bilingual.concepts``)
    governor = [frozenset({"governor", "gubernur"}), frozenset({"central"}), frozenset({"java", "jawa"})]
    deputy = [frozenset({"deputy", "deputi", "wakil"}), *governor]
    vice = [frozenset({"vice"}), *governor]  # no translation in the dictionary
    before = "disaksikan oleh Wakil Gubernur Jawa Tengah "
    assert checks.other_office(english("Who is the governor of Central Java?", governor), before)
    assert not checks.other_office(english("Who is the deputy governor of Central Java?", deputy), before)
    assert not checks.other_office(english("Who is the vice governor of Central Java?", vice), before)


def test_huge_text_before_an_answer_is_read_at_its_end():
    # the search reads only the end of the text, where a title can be: a long run of spaces once took minutes
    assert qualified_title("Wakil Gubernur" + " " * 200_000 + "x") is None
    assert qualified_title("Wakil Gubernur Jawa Tengah" + " " * 200_000) == ("wakil", "gubernur")
    assert qualified_title("x " * 500_000 + "Wakil Gubernur Jawa Tengah, ") == ("wakil", "gubernur")
