"""The query encoder bench/train_queries.py trains (torch) is the one the product runs (CTranslate2 int8)."""

import numpy as np
import pytest

from berita.core.config import EmbeddingConfig
from berita.embed import load_query_encoder
from berita.embed.queries import MODEL
from berita.embed.tuned import read_layers

torch = pytest.importorskip("torch")

QUESTIONS = ["berapa nilai investasi Allmed?", "Siapa Plt Direktur Perwilayahan Industri Kementerian Perindustrian?"]


@pytest.fixture(scope="module")
def trainable():
    from bench.train_queries import TrainableEncoder

    return TrainableEncoder(freeze=8)


def test_untrained_it_is_e5s_query_encoder(trainable, embedder):
    with torch.no_grad():
        ours = trainable(QUESTIONS, tuned=False).numpy()
    assert np.all(np.sum(ours * embedder.encode_queries(QUESTIONS), axis=1) > 0.99)


def test_the_shipped_layers_give_in_torch_what_the_product_gives(trainable):
    weights, meta = read_layers(EmbeddingConfig().query_layers)
    assert meta["from_layer"] == trainable.freeze
    with torch.no_grad():
        for name, value in weights.items():
            trainable.learned[name].copy_(torch.tensor(value))
        ours = trainable(QUESTIONS).numpy()
    product = load_query_encoder(EmbeddingConfig(), MODEL)
    assert product is not None
    assert np.all(np.sum(ours * product.encode(QUESTIONS), axis=1) > 0.99)
