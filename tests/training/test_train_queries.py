"""The query encoder training/train_queries.py trains (torch) is the one the product runs (CTranslate2 int8)."""

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
    from training.train_queries import TrainableEncoder

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


def test_the_folds_split_the_train_questions_by_passage_into_halves():
    from bench.datasets import FOLDS, facqa_questions, fold_of, tydi_questions
    from tests.conftest import SHARED_EVAL

    questions = tydi_questions(SHARED_EVAL, "train") + facqa_questions(SHARED_EVAL, "train")
    folds_of_passage: dict[str, set[int]] = {}
    for q in questions:
        folds_of_passage.setdefault(q.doc_id, set()).add(fold_of(q))
    assert all(len(folds) == 1 for folds in folds_of_passage.values())
    sizes = np.bincount([fold_of(q) for q in questions], minlength=FOLDS)
    assert len(sizes) == FOLDS and sizes.min() > 0.4 * len(questions)
