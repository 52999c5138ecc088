"""The local backend's document and passage tables answer as the objects they replace did: the same documents, the
same filters, the same newest-first order, the same passages by row and by id."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from berita.backends.tables import DocumentTable, PassageTable
from berita.core.schema import Document, Filters, Passage

DOCS = [
    Document("a", "Satu", "Harga naik.\nIHSG turun 1,2 persen.", source="ANTARA", date="2018-01-02"),
    Document("b", "Dua", "Café au lait ☕ di Jakarta.", source="antaranews", date="2018-01-05"),
    Document("c", "Tiga", "Tanpa tanggal.", source=None, date=None),
    Document("d", "Empat", "Sama tanggalnya.", source="CNN Indonesia", date="2018-01-05"),
    Document("e", "Lima", "Lebih tua.\nDua baris.", source="ANTARA", date="2017-12-31"),
]


def write(folder: Path, docs: list[Document]) -> Path:
    path = folder / "documents.jsonl"
    path.write_text("".join(json.dumps(dataclasses.asdict(d), ensure_ascii=False) + "\n" for d in docs), "utf-8")
    return path


def passages(docs: list[Document], rename: dict[str, str] | None = None) -> list[dict]:
    rows = []
    for d in docs:
        at = 0
        for n, line in enumerate(d.text.split("\n")):
            pid = f"{d.doc_id}.p{n}"
            rows.append(
                {
                    "passage_id": (rename or {}).get(pid, pid),
                    "doc_id": d.doc_id,
                    "ordinal": n,
                    "start": at,
                    "end": at + len(line),
                }
            )
            at += len(line) + 1
    return rows


def test_documents_read_back_whole_by_id(tmp_path: Path) -> None:
    table = DocumentTable(write(tmp_path, DOCS))
    assert len(table) == 5 and list(table) == ["a", "b", "c", "d", "e"]
    assert [table.get(d.doc_id) for d in DOCS] == DOCS  # odd Unicode included
    assert table.get("zz") is None and "zz" not in table and "b" in table
    assert list(table.values()) == DOCS


@pytest.mark.parametrize(
    "filters",
    [
        Filters(sources=("antara",)),
        Filters(sources=("ANTARA", "cnn indonesia")),
        Filters(date_from="2018-01-03"),
        Filters(date_to="2018-01-04"),
        Filters(sources=("antaranews",), date_from="2018-01-01", date_to="2018-01-31"),
    ],
)
def test_filters_accept_the_documents_they_accept_one_by_one(tmp_path: Path, filters: Filters) -> None:
    table = DocumentTable(write(tmp_path, DOCS))
    assert table.accepting(filters).tolist() == [filters.accepts(d) for d in DOCS]


def test_newest_and_sources_as_sorting_the_documents(tmp_path: Path) -> None:
    table = DocumentTable(write(tmp_path, DOCS))
    every = np.ones(5, dtype=bool)
    expected = sorted(DOCS, key=lambda d: d.date or "", reverse=True)  # ties keep file order
    assert table.newest(every, 3) == expected[:3]
    assert [d.doc_id for d in table.newest(every, 10)] == [d.doc_id for d in expected]
    some = np.array([True, False, True, True, False])
    assert [d.doc_id for d in table.newest(some, 10)] == ["d", "a", "c"]
    assert table.sources(every) == {"ANTARA", "antaranews", "CNN Indonesia"}
    assert table.sources(some) == {"ANTARA", "CNN Indonesia"}


def test_an_empty_file_is_an_empty_table(tmp_path: Path) -> None:
    table = DocumentTable(write(tmp_path, []))
    assert len(table) == 0 and table.newest(np.zeros(0, dtype=bool), 5) == []
    assert table.accepting(Filters(sources=("x",))).tolist() == []


@pytest.mark.parametrize("rename", [None, {"b.p0": "custom-id"}])
def test_passages_by_row_and_by_id(tmp_path: Path, rename: dict | None) -> None:
    table = DocumentTable(write(tmp_path, DOCS))
    rows = passages(DOCS, rename)
    ptable = PassageTable(rows, table)
    assert len(ptable) == len(rows) == 7
    for n, r in enumerate(rows):
        passage = ptable[n]
        doc = table.get(r["doc_id"])
        assert passage.passage_id == r["passage_id"] == ptable.passage_id(n)
        assert passage.text == doc.text[r["start"] : r["end"]]
        assert ptable.row(r["passage_id"]) == n
    assert ptable.rows_of("e").tolist() == [5, 6] and ptable.rows_of("zz").tolist() == []
    with pytest.raises(KeyError):
        ptable.row("a.p9")
    with pytest.raises(KeyError):
        ptable.row("nothing")
    accepted = table.accepting(Filters(sources=("antara",)))
    assert ptable.of_documents(accepted).tolist() == [True, True, False, False, False, True, True]


def test_a_passage_of_no_document_is_refused(tmp_path: Path) -> None:
    table = DocumentTable(write(tmp_path, DOCS[:1]))
    with pytest.raises(KeyError):
        PassageTable(passages(DOCS[:2]), table)


@pytest.mark.parametrize("damage", ["half a line", "garbage", "no doc_id", "a document short"])
def test_a_damaged_documents_file_is_a_clear_error_and_the_file_is_left_as_it_was(tmp_path: Path, damage: str) -> None:
    from berita.backends.local import Manifest, current_generation, read_index, write_index
    from berita.errors import IndexCorruptError

    rows = passages(DOCS)
    built = [Passage(r["passage_id"], r["doc_id"], r["ordinal"], r["start"], r["end"], "") for r in rows]
    vectors = np.eye(len(rows), 8, dtype=np.float32)
    manifest = Manifest("m", 8, "numpy", len(DOCS), len(rows))
    write_index(tmp_path, manifest, DOCS, built, [f"k{n}" for n in range(len(rows))], vectors)
    path = current_generation(tmp_path) / "documents.jsonl"
    assert len(DocumentTable(path)) == 5  # read_index is not asked first: it keeps a generation it has read
    lines = path.read_bytes().splitlines(keepends=True)
    damaged = {
        "half a line": b"".join(lines[:-1]) + lines[-1][:20],
        "garbage": b"\xff\xfe" + b"".join(lines),
        "no doc_id": b"".join(lines[:-1]) + b'{"title": "x", "text": "y"}\n',
        "a document short": b"".join(lines[:-1]),
    }[damage]
    path.write_bytes(damaged)
    with pytest.raises(IndexCorruptError, match="index at"):
        read_index(tmp_path)
    assert path.read_bytes() == damaged  # reading never writes
