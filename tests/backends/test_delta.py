"""The changes store read incrementally: what a write costs to read back must be its own rows, and the result must be
the same as reading every change afresh, whatever happened in between (a document changed again, an undo)."""

import numpy as np

from berita.backends import delta
from berita.core.schema import Document, Passage


def change(doc_id: str, text: str | None, dim: int = 4) -> delta.Change:
    if text is None:
        return delta.Change(doc_id)
    passage = Passage(passage_id=f"{doc_id}-0", doc_id=doc_id, ordinal=0, start=0, end=len(text), text=text)
    vector = np.full((1, dim), len(text), np.float32)
    return delta.Change(doc_id, Document(doc_id=doc_id, title=doc_id, text=text), [passage], [f"key-{text}"], vector)


def same(a: delta.Delta, b: delta.Delta) -> bool:
    def rows(d: delta.Delta) -> list:
        return [
            (c.doc_id, c.document, c.passages, c.keys, None if c.vectors is None else c.vectors.tolist())
            for c in d.changes.values()
        ]

    return a.seq == b.seq and rows(a) == rows(b)


def test_reading_since_an_earlier_read_equals_reading_everything(tmp_path):
    delta.apply(tmp_path, [change("a", "satu"), change("b", "dua")])
    before = delta.read(tmp_path)
    steps = [
        lambda: delta.apply(tmp_path, [change("c", "tiga")]),
        lambda: delta.apply(tmp_path, [change("a", "satu lagi")]),  # changed again: to the end of the order
        lambda: delta.apply(tmp_path, [change("b", None)]),  # deleted
        lambda: delta.undo(tmp_path),  # b back as it was
        lambda: delta.undo(tmp_path),  # a back as it was
        lambda: delta.undo(tmp_path),  # c gone: a row removed, not written
        lambda: delta.apply(tmp_path, [change("d", "empat"), change("e", "lima")]),
    ]
    for step in steps:
        step()
        since = delta.read(tmp_path, since=before)
        whole = delta.read(tmp_path)
        assert same(since, whole), [c.doc_id for c in since.changes.values()]
        before = since
    assert list(before.changes) == ["b", "a", "d", "e"] and before.changes["a"].document.text == "satu"
    assert before.changes["b"].document.text == "dua"


def test_reading_since_the_last_read_with_nothing_new_reads_no_rows(tmp_path):
    delta.apply(tmp_path, [change("a", "satu")])
    first = delta.read(tmp_path)
    again = delta.read(tmp_path, since=first)
    assert same(again, first) and again.changes["a"] is first.changes["a"]  # nothing parsed again
