"""Embedding on Ray (a local cluster started by the test): the same vectors as embedding here."""

import json
import shutil

import numpy as np
import pytest

from berita import Settings
from berita.backends import read_index
from berita.ingest import build
from tests.conftest import SEEDS, SHARED_EVAL, run_module

pytest.importorskip("ray", reason="the ray extra: pip install '.[ray]'")


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """The seeds and 200 IndoSum articles."""
    folder = tmp_path_factory.mktemp("articles")
    shutil.copytree(SEEDS, folder / "seeds")
    source = SHARED_EVAL / "indosum_articles.jsonl"
    if not source.exists():
        pytest.skip(f"{source} not found")
    with open(source, encoding="utf-8") as lines:
        (folder / "indosum.jsonl").write_text("".join(next(lines) for _ in range(200)), encoding="utf-8")
    return folder


def test_a_ray_build_gives_the_vectors_of_a_local_build(articles, tmp_path, embedder):
    from berita.embed.distributed import RayExecutor

    local = Settings().replace(index_dir=tmp_path / "local")
    distributed = Settings().replace(index_dir=tmp_path / "ray")
    build([articles], local, embedder)
    report = build([articles], distributed, embedder, executor=RayExecutor(distributed.embedding))
    a, b = read_index(local.storage.index_dir), read_index(distributed.storage.index_dir)
    assert report.documents == 205 and report.embedded > 1000  # passages with the same text are embedded once
    assert [p.passage_id for p in a.passages] == [p.passage_id for p in b.passages] and a.keys == b.keys
    np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-5)
    assert b.manifest.runtime == a.manifest.runtime


def test_the_indexer_takes_ray_from_the_command_line(tmp_path):
    done = run_module("berita", "index", str(SEEDS), "--index", str(tmp_path / "index"), "--executor", "ray")
    assert done.returncode == 0, done.stderr
    assert "36 embedded" in done.stdout
    found = run_module(
        "berita", "search", "--json", "--index", str(tmp_path / "index"), "How much is Allmed investing in Batang?"
    )
    assert json.loads(found.stdout)["answer"]["span"] == "USD 100 juta"
