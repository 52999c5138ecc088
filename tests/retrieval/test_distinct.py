"""A text copied into several documents is shown once, where it ranks best, and the list is still k long."""

import shutil

import pytest

from berita import SearchEngine, Settings
from berita.core.text import reading
from berita.ingest import build
from tests.conftest import SEEDS

ALLMED = "002_40828a4ac6eca9be"


def test_reading_ignores_case_spacing_and_punctuation_not_words():
    assert reading("Sedikitnya 695 warga, kata  Menteri.") == reading("sedikitnya 6 95 warga kata Menteri")
    assert reading("Sedikitnya 695 warga") != reading("Sedikitnya 696 warga")


def syndicated(tmp_path_factory, embedder, copies: int) -> SearchEngine:
    """The seeds and ``copies`` syndicated copies of the Allmed article: its text with other spacing and capitals."""
    seeds = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.iterdir():
        shutil.copy(path, seeds)
    text = (SEEDS / f"{ALLMED}.txt").read_text(encoding="utf-8")
    for n in range(copies):
        copy = text.replace(", ", " , ").upper() if n % 2 == 0 else text.replace(". ", " . ")
        (seeds / f"zz_copy{n}.txt").write_text(copy, encoding="utf-8")
    settings = Settings().replace(index_dir=tmp_path_factory.mktemp("copied") / "index")
    build([seeds], settings, embedder=embedder)
    return SearchEngine.load(settings, embedder)


@pytest.fixture(scope="module")
def copied(tmp_path_factory, embedder) -> SearchEngine:
    return syndicated(tmp_path_factory, embedder, 1)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_copied_passage_is_shown_once(copied, mode):
    response = copied.search("berapa nilai investasi Allmed?", k=8, mode=mode, lang="id")
    readings = [reading(r.text) for r in response.results]
    assert len(set(readings)) == len(readings)
    assert len(readings) == 8 or mode == "bm25"  # BM25 lists only passages holding a term: 5 texts here
    assert sum("USD 100 JUTA" in r.text.upper() for r in response.results) == 1
    # the copy is indexed, passage for passage: it is its reading that keeps it out
    copies = {reading(p.text) for p in copied.backend.documents.passages_of("zz_copy0")}
    assert copies and copies == {reading(p.text) for p in copied.backend.documents.passages_of(ALLMED)}


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_where_copies_fill_the_first_places_the_list_still_holds_k_texts(tmp_path_factory, embedder, mode):
    many = syndicated(tmp_path_factory, embedder, 11)  # each Allmed passage twelve times: 5 texts in the first 18 hits
    response = many.search("berapa nilai investasi Allmed?", k=8, mode=mode, lang="id")
    assert len({reading(r.text) for r in response.results}) == len(response.results) == 8
