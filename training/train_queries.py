"""Train the query encoder: multilingual-e5-small's upper layers fine-tuned so that a question lands nearest the
passage that answers it. Passages keep e5's own vectors, so no index is re-embedded; the product encodes questions
with these layers (berita/embed/queries.npz) and passages with e5 as it ships.

    .venv/bin/python -m bench.quality --sets tydi-dev      # builds the eval index this trains against, if missing
    .venv/bin/python -m training.train_queries             # torch (pip install '.[train]'); about 30 minutes on
                                                           # two cores; resumes from data/queries/checkpoint.pt
    cp data/queries/queries.npz berita/embed/queries.npz
    .venv/bin/python -m training.train_queries --fold 0    # the same without half the train questions (and
    .venv/bin/python -m training.train_queries --fold 1    # then the other half), for training.tune_rerank

Each question is scored against every passage of the eval index (31,987, with e5's stored vectors) and the
Indonesian sides of the parallel sentence pairs; the loss is the softmax over all of them of its gold passages.
Trained on TyDi QA's train buckets, FacQA train and the 5,358 English-Indonesian sentence pairs (English sentence
-> its Indonesian side). Never trained on, and printed at the end with e5's own query encoder beside: TyDi QA's dev
and test buckets (split by passage), FacQA valid, the news_en_id pairs and the English questions over IndoSum.

The reranker learns from the same train questions, and on them this encoder's similarities look better than on
questions it never saw. ``--fold k`` trains it without the train questions of fold k (half of them, split by
passage: ``bench.datasets.fold_of``) into data/queries/fold-k/, so that training/tune_rerank.py reads every train
question's features from an encoder that never saw it (cross-fitting).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from bench.datasets import (
    EVAL_DIR,
    EVAL_INDEX,
    FOLDS,
    ROOT,
    Question,
    facqa_questions,
    fold_of,
    parallel_pairs,
    seed_questions,
    tydi_questions,
    xling_questions,
)
from berita.embed.tuned import layer_of
from training.layers import bert_layer, save_layers
from training.paths import QUERIES_WORK as WORK
from training.paths import fold_dir

INDEX = EVAL_INDEX
MAX_TOKENS = 64  # with <s> and </s>; questions are 10-40


class Corpus:
    """The eval index's passages and e5's vectors of them, plus extra Indonesian sentences (parallel pairs)."""

    def __init__(self, index_dir: Path, extra: np.ndarray):
        from berita.backends.local import read_index

        index = read_index(index_dir)
        self.passages = index.passages
        self.vectors = np.concatenate([index.vectors, extra]).astype(np.float32)
        self.rows_of: dict[str, list[int]] = {}
        for row, p in enumerate(self.passages):
            self.rows_of.setdefault(p.doc_id, []).append(row)

    def golds(self, q: Question) -> list[int]:
        """Rows of the passages that answer ``q``, as bench.quality judges them."""
        rows = self.rows_of.get(q.doc_id, [])
        return [r for r in rows if q.passage_contains is None or q.passage_contains in self.passages[r].text]


def parallel_vectors(pairs: list[dict]) -> np.ndarray:
    """e5's passage vectors of the pairs' Indonesian sides (the product's encoder; cached, a minute or two)."""
    path = WORK / "parallel-vectors.npy"
    if not path.exists():
        from berita.core.config import Settings
        from berita.embed import load_embedder

        embedder = load_embedder(config=Settings.from_env().embedding)
        WORK.mkdir(parents=True, exist_ok=True)
        np.save(path, embedder.encode_passages([p["id"] for p in pairs]))
    return np.load(path)


class TrainableEncoder:
    """e5 in torch: the lower ``freeze`` layers as shipped, the upper ones learned; mean pooling, unit length."""

    def __init__(self, freeze: int):
        import torch

        from berita.embed.bert import Encoder
        from berita.embed.e5file import E5File

        self.e5 = E5File()
        c = self.e5.config
        self.heads, self.eps, self.layers, self.freeze = c.heads, c.eps, c.layers, freeze
        self.fixed = {n: torch.tensor(v) for n, v in Encoder.from_file(self.e5).weights.items()}
        self.learned = {n: torch.nn.Parameter(v.clone()) for n, v in self.fixed.items() if layer_of(n) >= freeze}

    def __call__(self, texts: list[str], tuned: bool = True):  # noqa: ANN204
        import torch

        f = torch.nn.functional
        tok = self.e5.tokenizer
        rows = [[tok.bos, *tok.encode("query: " + t)[0][: MAX_TOKENS - 2], tok.eos] for t in texts]
        ids = np.full((len(rows), max(map(len, rows))), self.e5.config.pad, np.int64)
        mask = torch.zeros(ids.shape)
        for n, row in enumerate(rows):
            ids[n, : len(row)], mask[n, : len(row)] = row, 1
        unique, inverse = np.unique(ids, return_inverse=True)  # dequantise only the word rows used
        x = torch.tensor(self.e5.tensor("emb.word", unique)[inverse.reshape(ids.shape)])
        w = self.fixed
        bias = (1 - mask[:, None, None, :]) * -1e4
        with torch.no_grad():
            x = f.layer_norm(
                x + w["emb.pos"][: x.shape[1]] + w["emb.type"][0], x.shape[-1:], w["emb.ln.w"], w["emb.ln.b"], self.eps
            )
            for i in range(self.freeze):
                x = bert_layer(x, bias, lambda t, i=i: w[f"l{i}.{t}"], self.heads, self.eps)
        source = self.learned if tuned else w
        for i in range(self.freeze, self.layers):
            x = bert_layer(x, bias, lambda t, i=i: source[f"l{i}.{t}"], self.heads, self.eps)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return f.normalize(pooled, dim=-1)


def recall_at_1(encoder: TrainableEncoder, corpus: Corpus, questions: list[Question], tuned: bool) -> float:
    import torch

    passages = torch.tensor(corpus.vectors[: len(corpus.passages)])
    right = 0
    with torch.no_grad():
        for lo in range(0, len(questions), 64):
            batch = questions[lo : lo + 64]
            top = (encoder([q.text for q in batch], tuned) @ passages.T).argmax(1).tolist()
            right += sum(t in corpus.golds(q) for t, q in zip(top, batch))
    return round(right / len(questions), 4)


def train(args: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(0)
    pairs = parallel_pairs(args.eval)
    corpus = Corpus(INDEX, parallel_vectors(pairs))
    questions = tydi_questions(args.eval, "train") + facqa_questions(args.eval, "train")
    held = [q for q in questions if fold_of(q) == args.fold]
    questions = [q for q in questions if fold_of(q) != args.fold]
    examples = [(q.text, corpus.golds(q)) for q in questions]
    examples = [e for e in examples if e[1]]  # a few gold passages were cut out of the index as too short
    first_pair = len(corpus.passages)
    examples += [(p["en"], [first_pair + n]) for n, p in enumerate(pairs)]
    print(f"{len(examples)} training examples ({len(examples) - len(pairs)} questions, {len(pairs)} pairs)")
    encoder = TrainableEncoder(args.freeze)
    targets = torch.tensor(corpus.vectors)
    params = list(encoder.learned.values())
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * math.ceil(len(examples) / args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / max(1, steps // 10)) * max(0.0, (steps - s) / max(1, steps - steps // 10))
    )
    work = fold_dir(args.fold)
    checkpoint, epoch0 = work / "checkpoint.pt", 0
    if checkpoint.exists() and not args.restart:
        state = torch.load(checkpoint)
        for name, value in state["learned"].items():
            encoder.learned[name].data.copy_(value)
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        epoch0 = state["epoch"]
        print(f"resumed after epoch {epoch0}")
    for epoch in range(epoch0, args.epochs):
        order = np.random.default_rng(epoch).permutation(len(examples))
        started, total = time.perf_counter(), 0.0
        for lo in range(0, len(order), args.batch):
            batch = [examples[i] for i in order[lo : lo + args.batch]]
            scores = encoder([text for text, _ in batch]) @ targets.T / args.temperature
            gold = torch.zeros_like(scores, dtype=torch.bool)
            for row, (_, rows) in enumerate(batch):
                gold[row, rows] = True
            # every gold passage counts: the loss is minus the log of their share of the softmax
            loss = (torch.logsumexp(scores, 1) - torch.logsumexp(scores.masked_fill(~gold, -1e4), 1)).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        batches = math.ceil(len(order) / args.batch)
        print(f"epoch {epoch + 1}: loss {total / batches:.4f}, {time.perf_counter() - started:.0f}s", flush=True)
        work.mkdir(parents=True, exist_ok=True)
        learned = {n: p.detach() for n, p in encoder.learned.items()}
        state = {"learned": learned, "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict()}
        torch.save({**state, "epoch": epoch + 1}, checkpoint)
    scale, shift = scale_to_e5(encoder, corpus, questions)
    print(f"its cosines on e5's scale: {scale} * cosine + {shift}")
    tensors = {n: p.detach().numpy() for n, p in encoder.learned.items()}
    meta = {"layers": encoder.layers, "from_layer": encoder.freeze, "scale": scale, "shift": shift}
    save_layers(work / "queries.npz", tensors, meta)
    if args.fold is None:
        report(encoder, corpus, args.eval)
    else:  # what the reranker will see: dense R@1 on the half it was not trained on
        before, after = (recall_at_1(encoder, corpus, held, tuned) for tuned in (False, True))
        print(f"fold {args.fold}, never trained on ({len(held)}): dense R@1 {before:.3f} -> {after:.3f}", flush=True)


def scale_to_e5(
    encoder: TrainableEncoder, corpus: Corpus, questions: list[Question], sample: int = 800
) -> tuple[float, float]:
    """The linear map that puts the trained encoder's cosines on e5's scale (berita/embed/queries.py): over each of
    ``sample`` training questions' best passages (e5's top 20 and its own), the same spread and the same mean."""
    import torch

    chosen = np.random.default_rng(0).choice(len(questions), min(sample, len(questions)), replace=False)
    passages = torch.tensor(corpus.vectors[: len(corpus.passages)])
    ours, e5s = [], []
    with torch.no_grad():
        for lo in range(0, len(chosen), 64):
            texts = [questions[i].text for i in chosen[lo : lo + 64]]
            for x, y in zip(encoder(texts) @ passages.T, encoder(texts, tuned=False) @ passages.T):
                best = torch.unique(torch.cat([x.topk(20).indices, y.topk(20).indices]))
                ours.append(x[best].numpy())
                e5s.append(y[best].numpy())
    scale = float(np.mean([y.std() for y in e5s]) / np.mean([x.std() for x in ours]))
    shift = float(np.concatenate(e5s).mean() - scale * np.concatenate(ours).mean())
    return round(scale, 4), round(shift, 4)


def report(encoder: TrainableEncoder, corpus: Corpus, eval_dir: Path) -> None:
    """Dense R@1 on sets never trained on, e5's own query encoder against this one (torch, float32)."""
    held_out = {
        "TyDi QA dev buckets": tydi_questions(eval_dir, "dev"),
        "TyDi QA test buckets": tydi_questions(eval_dir, "test"),
        "FacQA valid": facqa_questions(eval_dir, "valid"),
        "news en->id": xling_questions(eval_dir),
        "English questions over IndoSum": seed_questions("indosum_en_questions.jsonl"),
    }
    results = {}
    for name, questions in held_out.items():
        before, after = (recall_at_1(encoder, corpus, questions, tuned) for tuned in (False, True))
        results[name] = {"n": len(questions), "e5": before, "trained": after}
        print(f"{name} ({len(questions)}): dense R@1 {before:.3f} -> {after:.3f}", flush=True)
    out = ROOT / "bench" / "results" / "queries.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--freeze", type=int, default=8, help="lower layers kept as e5 has them (of 12)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--temperature", type=float, default=0.02)
    parser.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument("--fold", type=int, choices=range(FOLDS), help="leave out this fold of the train questions")
    args = parser.parse_args()
    if not (INDEX / "CURRENT").exists():
        parser.error(f"no eval index at {INDEX}: build it with python -m bench.quality --sets tydi-dev")
    train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
