"""Building, rebuilding and breaking the index on disk, with the real model."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from berita import SearchEngine, Settings
from berita.backends import build_lock, current_generation, read_index
from berita.embed import load_embedder, read_vectors_file, vector_space, write_vectors_file
from berita.embed.registry import default_registry
from berita.errors import BuildError, IndexCorruptError, IndexNotFoundError, IndexStoreError, ModelError
from berita.ingest import build
from tests.conftest import ROOT, SEEDS


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def settings(tmp_path):
    return Settings().replace(index_dir=tmp_path / "index")


def test_offsets_in_the_stored_index_point_at_the_passage_text(seed_settings):
    index = read_index(seed_settings.storage.index_dir)
    assert index.manifest.documents == 5 and index.manifest.model == "multilingual-e5-small"
    for p in index.passages:
        assert index.documents[p.doc_id].text[p.start : p.end] == p.text
    assert "002_40828a4ac6eca9be" in index.documents  # the id of a .txt file is its stem


def test_rebuild_reembeds_only_what_changed(corpus, settings, embedder):
    first = build([corpus], settings, embedder)
    assert first.embedded == first.passages > 30
    again = build([corpus], settings, embedder)
    assert (again.embedded, again.reused) == (0, first.passages)

    quoting = sum("150.000 orang" in p.text for p in read_index(settings.storage.index_dir).passages)
    article = corpus / "003_f339ff4e51c5c88e.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("150.000 orang", "175.000 orang"), encoding="utf-8")
    changed = build([corpus], settings, embedder)
    assert changed.embedded == quoting >= 1  # only the passages that quote the figure
    index = read_index(settings.storage.index_dir)
    assert any("175.000" in p.text for p in index.passages) and not any("150.000" in p.text for p in index.passages)

    (corpus / "002_40828a4ac6eca9be.txt").unlink()
    removed = build([corpus], settings, embedder)
    assert (removed.removed_documents, removed.embedded) == (1, 0)
    assert "002_40828a4ac6eca9be" not in read_index(settings.storage.index_dir).documents
    # small changes join the generation's changes: its files are not written again
    (generation,) = settings.storage.index_dir.glob("gen-*")
    assert (generation / "delta.sqlite").is_file() and removed.location.endswith("+2)")


def test_no_articles_leaves_the_old_index(tmp_path, seed_settings, embedder):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = current_generation(seed_settings.storage.index_dir)
    with pytest.raises(BuildError, match="no articles"):
        build([empty], seed_settings, embedder)
    assert current_generation(seed_settings.storage.index_dir) == before


def test_reads_jsonl_md_html_and_skips_bad_lines(tmp_path, settings, embedder, caplog):
    (tmp_path / "a.jsonl").write_text(
        json.dumps(
            {
                "doc_id": "j1",
                "title": "Judul",
                "text": "Isi berita tentang pelabuhan Batang yang ramai.",
                "date": "2017-03-27",
                "source": "antara",
                "url": "https://example.org/j1",
            }
        )
        + "\n{not json\n"
        + json.dumps({"title": "no id"})
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text(
        "# Judul Markdown\n\nIsi **tebal** dan [tautan](http://x) tentang kopi.\n", encoding="utf-8"
    )
    (tmp_path / "d.txt").write_text("   \n\n", encoding="utf-8")  # nothing to index
    (tmp_path / "c.html").write_text(
        "<html><head><title>Judul HTML</title><script>var x=1;</script></head>"
        "<body><nav>Menu</nav><p>Paragraf tentang teh &amp; gula.</p></body></html>",
        encoding="utf-8",
    )
    with caplog.at_level("WARNING", logger="berita"):
        report = build([tmp_path], settings, embedder)
    warnings = [r.getMessage() for r in caplog.records]
    docs = read_index(settings.storage.index_dir).documents
    assert report.documents == 3 and report.skipped == 3 and sum(w.startswith("skipped") for w in warnings) == 3
    assert docs["j1"].source == "antara" and docs["j1"].date == "2017-03-27"
    assert docs["b"].title == "Judul Markdown" and docs["b"].text == "Isi tebal dan tautan tentang kopi."
    assert docs["c"].title == "Judul HTML" and docs["c"].text == "Paragraf tentang teh & gula."


def test_broken_or_missing_index_is_a_clear_error(corpus, settings, embedder):
    with pytest.raises(IndexNotFoundError, match="python -m indexer build"):
        read_index(settings.storage.index_dir)
    build([corpus], settings, embedder)
    generation = current_generation(settings.storage.index_dir)
    assert not (generation / "ann.index").exists()  # vectors stored once: exact search reads vectors.npy
    (generation / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        read_index(settings.storage.index_dir)
    (settings.storage.index_dir / "CURRENT").write_text("gen-gone\n")
    with pytest.raises(IndexCorruptError, match="missing build"):
        read_index(settings.storage.index_dir)
    report = build([corpus], settings, embedder)  # a rebuild repairs it
    assert (
        report.embedded == report.passages
        and read_index(settings.storage.index_dir).manifest.passages == report.passages
    )


def _snapshot(index_dir):
    index = read_index(index_dir)
    return index.path, [p.passage_id for p in index.passages]


def test_killed_while_embedding_leaves_the_old_index(corpus, settings, embedder, tmp_path):
    build([corpus], settings, embedder)
    before = _snapshot(settings.storage.index_dir)
    bigger = tmp_path / "bigger"
    bigger.mkdir()
    for n in range(4):  # every passage new, to keep the model busy for many seconds
        for seed in corpus.glob("*.txt"):
            lines = seed.read_text(encoding="utf-8").splitlines()
            (bigger / f"{n}-{seed.name}").write_text(
                "\n".join(f"{line} (salinan {n})" for line in lines), encoding="utf-8"
            )
    proc = subprocess.Popen(
        # --force: the bigger corpus replaces the seeds (more than a fifth of the index removed)
        [sys.executable, "-m", "indexer", "build", str(bigger), "--index", str(settings.storage.index_dir), "--force"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BERITA_CHECKPOINT_EVERY": "32"},
    )
    deadline = time.monotonic() + 120
    while not list((settings.storage.index_dir / ".partial").glob("*.npz")) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the build finished before it could be interrupted"
    assert _snapshot(settings.storage.index_dir) == before
    resumed = build([bigger], settings, embedder, force=True)  # picks up what the killed build had embedded
    assert resumed.reused >= 32 and resumed.embedded + resumed.reused == resumed.passages
    index = read_index(settings.storage.index_dir)
    fresh = embedder.encode_passages([p.text for p in index.passages[:8]])  # the first checkpoint held these
    assert np.all(np.sum(fresh * index.vectors[:8], axis=1) > 0.999)  # checkpointed vectors belong to their passages
    assert not (settings.storage.index_dir / ".partial").exists()


KILL_MID_WRITE = """
import os, signal, sys
from pathlib import Path
import numpy as np
from berita.ingest import build
from berita import Settings

def dying_save(fh, array, *args, **kwargs):
    fh.write(b"\\x93NUMPY half of the vectors")  # then the power goes
    fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)

np.save = dying_save
# compact_share=0: a whole new generation is written (a small change would join the changes instead)
build([Path(sys.argv[1])], Settings().replace(index_dir=Path(sys.argv[2]), compact_share=0))
"""


def test_killed_while_writing_leaves_the_old_index(corpus, settings, embedder):
    build([corpus], settings, embedder)
    before = _snapshot(settings.storage.index_dir)
    (corpus / "000_9c241ea94c40f395.txt").unlink()  # so the new build has something to write
    proc = subprocess.run(
        [sys.executable, "-c", KILL_MID_WRITE, str(corpus), str(settings.storage.index_dir)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL
    assert list(settings.storage.index_dir.glob(".tmp-*")), "the kill should have left a half-written build behind"
    assert _snapshot(settings.storage.index_dir) == before
    report = build([corpus], settings, embedder)
    assert report.embedded == 0 and not list(settings.storage.index_dir.glob(".tmp-*"))


def test_index_remembers_its_model(corpus, settings, embedder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    minilm = load_embedder("all-MiniLM-L6-v2", default_registry())
    build([corpus], settings, minilm)
    assert read_index(settings.storage.index_dir).manifest.model == "all-MiniLM-L6-v2"
    with pytest.raises(ModelError, match="built with 'all-MiniLM-L6-v2'"):
        SearchEngine(read_index(settings.storage.index_dir).backend(), embedder, settings)
    with pytest.raises(ModelError, match="built with"):
        SearchEngine.load(settings.replace(model="multilingual-e5-small"))
    own = SearchEngine.load(settings)  # without a model named, the index's own model is used
    assert own.search("Allmed investment", k=3).results[0].doc_id == "002_40828a4ac6eca9be"


def test_one_build_at_a_time(corpus, settings, embedder):
    with build_lock(settings.storage.index_dir):
        with pytest.raises(IndexStoreError, match="another build"):
            build([corpus], settings, embedder)
    assert build([corpus], settings, embedder).documents == 5


def test_stored_embeddings_are_reused_and_checked_against_the_model(
    corpus, settings, embedder, seed_settings, tmp_path
):
    seed = read_index(seed_settings.storage.index_dir)
    vectors_file = tmp_path / "vectors.npz"
    write_vectors_file(vectors_file, vector_space(embedder), seed.keys, seed.vectors.astype(np.float16))
    # no embedder given: the build names the model from settings, as `python -m indexer` does
    report = build([corpus], settings, vectors_file=vectors_file)
    assert (report.embedded, report.reused) == (0, report.passages)
    built = read_index(settings.storage.index_dir)
    np.testing.assert_allclose(built.vectors, seed.vectors, atol=1e-3)  # float16 in the file

    assert read_vectors_file(vectors_file, "another-model") == {}  # another model's vectors are never reused
    vectors_file.write_bytes(b"not an npz")
    with pytest.raises(IndexStoreError, match="cannot read embeddings"):
        read_vectors_file(vectors_file, embedder.name)


def test_passages_with_the_same_text_are_embedded_once(tmp_path, settings, embedder):
    folder = tmp_path / "twins"
    folder.mkdir()
    text = "Pemerintah Kabupaten Batang menyiapkan lahan seluas 30 hektare untuk UMKM di kawasan industri."
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Judul {name}\n\n{text}\n", encoding="utf-8")
    report = build([folder], settings, embedder)
    assert report.passages == 2 and report.embedded == 1
    index = read_index(settings.storage.index_dir)
    np.testing.assert_array_equal(index.vectors[0], index.vectors[1])


def test_answers_quote_the_source_as_written(tmp_path, settings, embedder):
    # the index once stored NFKC text, so the product quoted "km2" for "km²" and "21⁄2 tahun" for "2½ tahun"
    folder = tmp_path / "articles"
    folder.mkdir()
    written = (
        "Batang (ANTARA) - Kawasan Industri Terpadu Batang memiliki luas 43,15 km² dan ditargetkan rampung dalam "
        "2½ tahun. Pemerintah menyiapkan jalan akses sepanjang 12 km menuju pelabuhan.\n"
        "Bupati Batang mengatakan investor dari Korea Selatan sudah menyatakan minat."
    )
    (folder / "kitb.txt").write_text("Luas Kawasan Industri Terpadu Batang\n" + written, encoding="utf-8")
    build([folder], settings, embedder)
    engine = SearchEngine.load(settings, embedder)
    doc, _ = engine.document("kitb")
    assert written in doc.text
    for query in ("berapa luas Kawasan Industri Terpadu Batang?", "berapa luas km2 Kawasan Industri Batang?"):
        response = engine.search(query, lang="id")
        assert "43,15 km²" in response.results[0].text
        answer = response.answer
        assert answer is not None and answer.span is not None and answer.span.startswith("43,15")
        assert "km2" not in answer.span and "43,15 km²" in answer.text and answer.text in doc.text


def test_an_approximate_index_ranks_with_exact_scores_and_keeps_one_copy_of_the_vectors(corpus, tmp_path, embedder):
    """Past ``ann_exact_max`` the vector index is IVF over 8-bit codes whose candidates are rescored against
    ``vectors.npy``: the same first passage and the same cosines as the exact index, and a file smaller than the
    vectors it indexes."""
    exact = Settings().replace(index_dir=tmp_path / "exact")
    approximate = Settings().replace(index_dir=tmp_path / "ivf", ann_exact_max=10, ann_nprobe=64)
    build([corpus], exact, embedder)
    build([corpus], approximate, embedder)
    generation = current_generation(approximate.storage.index_dir)
    assert (generation / "ann.index").stat().st_size < (generation / "vectors.npy").stat().st_size / 2
    assert read_index(approximate.storage.index_dir).base.ann.kind == "IndexIVFScalarQuantizer"
    for question in ("berapa nilai investasi Allmed?", "Who is the regent of Batang?"):
        a = SearchEngine.load(exact, embedder).search(question, k=3, with_answer=False, mode="dense").results
        b = SearchEngine.load(approximate, embedder).search(question, k=3, with_answer=False, mode="dense").results
        assert a[0].passage_id == b[0].passage_id and abs(a[0].score - b[0].score) < 1e-4
