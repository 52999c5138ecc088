import pytest

from berita.ingest.chunk import chunk_spans
from berita.ingest.clean import clean_article
from tests.conftest import SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_passages_cover_the_document_at_their_offsets(path):
    text = clean_article(path.read_text(encoding="utf-8")).text
    spans = chunk_spans(text, max_chars=700, min_chars=200)
    covered = set()
    for a, b in spans:
        assert text[a:b] == text[a:b].strip() and b - a <= 700
        covered.update(range(a, b))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_long_paragraph_is_cut_between_sentences_with_overlap():
    sentences = [f"Kalimat nomor {i} membahas investasi Rp1,{i} triliun di kawasan M. Faiz." for i in range(30)]
    text = " ".join(sentences)
    spans = chunk_spans(text, max_chars=300, min_chars=100, overlap=1)
    assert len(spans) > 3
    pieces = [text[a:b] for a, b in spans]
    for piece in pieces:
        assert piece.startswith("Kalimat nomor") and piece.endswith("M. Faiz.")
    for (_, b1), (a2, _) in zip(spans, spans[1:]):
        assert a2 < b1  # one shared sentence


def test_short_paragraphs_join_and_a_giant_sentence_is_cut():
    text = "Pendek.\nJuga pendek.\n" + "kata " * 400
    spans = chunk_spans(text.strip(), max_chars=500, min_chars=100)
    assert text.strip()[spans[0][0] :].startswith("Pendek.\nJuga pendek.")
    assert all(b - a <= 500 for a, b in spans)
