"""training/train_reader.py: the contexts the product reads, labelled for training, and training from a shipped
reader."""

import numpy as np
import pytest

from training.train_reader import retrieved_windows

QUESTION = "berapa nilai investasi Allmed?"


def row(answers: list[str], impossible: bool = False) -> dict:
    return {"question": QUESTION, "answers": answers, "is_impossible": impossible, "set": "tydi"}


def decoded(engine, window: list[int], start: int, end: int) -> str:
    pieces = engine.reader().model.e5.pieces
    return "".join(pieces[t] for t in window[start : end + 1]).replace("\u2581", " ").strip()


def test_the_context_holding_the_answer_is_labelled_with_it_and_the_others_say_nothing(engine):
    found = retrieved_windows(engine, [row(["USD 100 juta"])])
    labelled = [decoded(engine, w, s, e) for _, w, s, e in found if s > 0]
    # the reader reads three passages here; the answer is in one of them, the others teach "no answer"
    assert len(found) >= 2
    assert labelled and all("100" in text and "juta" in text for text in labelled)
    assert any(s == e == 0 for _, _, s, e in found)
    # every window is <s> question </s> context </s>, as the reader reads it
    assert all(w[0] == 0 and w[-1] == 2 and w.count(2) == 2 for _, w, _, _ in found)


def test_an_unanswerable_question_teaches_only_no_answer(engine):
    found = retrieved_windows(engine, [row([], impossible=True)])
    assert found and all(s == e == 0 for _, _, s, e in found)


def test_an_answer_no_context_holds_is_no_answer_everywhere(engine):
    found = retrieved_windows(engine, [row(["sama sekali tidak tertulis di mana pun"])])
    assert found and all(s == e == 0 for _, _, s, e in found)


@pytest.fixture(scope="module")
def pack() -> dict:
    """What training reads from data/reader/pack.npz, for a one-layer reader over an 8-word vocabulary."""
    from berita.embed.bert import LAYER_TENSORS
    from berita.embed.e5file import shared

    e5 = shared()
    names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"] + [f"l0.{t}.{p}" for t in LAYER_TENSORS for p in "wb"]
    pack = {f"w:{n}": e5.tensor(n) for n in names}
    pack.update(words=np.random.default_rng(0).normal(size=(8, e5.tensor("emb.ln.w").shape[0])).astype(np.float32))
    pack["config"] = {"heads": e5.config.heads, "layers": 1, "eps": e5.config.eps}
    return pack


def test_training_starts_from_an_exported_reader(tmp_path, pack):
    torch = pytest.importorskip("torch")
    from training.train_reader import build_model, export, start_from

    torch.manual_seed(0)
    trained = build_model(pack, 1)
    with torch.no_grad():
        trained.head.weight.normal_()  # what training would have changed
        trained.w["l0_q_w"].mul_(1.5)
    export(trained, 1, tmp_path / "reader.npz")
    fresh = build_model(pack, 1)
    start_from(fresh, tmp_path / "reader.npz")
    ids, mask = torch.tensor([[0, 5, 2, 6, 7, 2]]), torch.ones(1, 6, dtype=torch.long)
    with torch.no_grad():
        want, got = trained(ids, mask), fresh(ids, mask)
        untrained = build_model(pack, 1)(ids, mask)
    for a, b, c in zip(want, got, untrained):
        # the trained model's outputs up to the int8 rounding of the exported matrices, far from a fresh model's
        change = float((c - a).abs().max())
        assert float((a - b).abs().max()) < 0.15 * change


def test_starting_from_a_missing_or_foreign_file_is_a_clear_error(tmp_path, pack):
    pytest.importorskip("torch")
    from training.layers import save_layers
    from training.train_reader import build_model, start_from

    model = build_model(pack, 1)
    with pytest.raises(SystemExit, match="cannot start from .*missing.npz"):
        start_from(model, tmp_path / "missing.npz")
    save_layers(tmp_path / "deeper.npz", {"l5.q.w": np.ones((2, 2), np.float32)}, {"layers": 6})
    with pytest.raises(SystemExit, match=r"holds l5.q.w, which the reader trained here lacks: --layers 6\?"):
        start_from(model, tmp_path / "deeper.npz")
