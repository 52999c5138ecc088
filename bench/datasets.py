"""Every dataset the benchmarks and the training scripts read, and how it is split: the seed questions and the
English questions over IndoSum (bench/*.jsonl), and from the eval folder (../shared/eval, see its README) FacQA,
TyDi QA GoldP, IDK-MRC, the English-Indonesian news and sentence pairs and the IndoSum articles.

TyDi QA and IDK-MRC are split by passage, never by question (``bucket``): ``train`` (what learned stages may fit),
``dev`` (where their settings are chosen) and ``test`` (reported only); FacQA by its own train and valid splits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from berita import Passage
from berita.core.text import normalize, reading

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"  # the default of every script's --eval
EVAL_INDEX = ROOT / "data" / "bench" / "eval-index"  # the index of eval_corpus() that bench/quality.py builds

HELD_OUT_PERCENT = 15
DEV_PERCENT = 7  # of the held-out 15%: where thresholds are chosen (training/tune_reader.py); the rest is reported
FOLDS = 2  # halves of the train questions, for cross-fitting (training/train_queries.py --fold)


@dataclass
class Question:
    qid: str
    lang: str
    text: str
    doc_id: str
    passage_contains: str | None
    answers: list[str]
    # the gold passage's reading (berita.core.text.reading), where its text is known: a copy of it in another
    # document reads the same, and the product shows only the first of the two (Retriever.distinct)
    gold_reading: str = ""

    def __post_init__(self) -> None:
        # the gold as the product stores every text (core.text.normalize, as ingest does each line): when the index
        # held "2.093,45km2" where TyDi QA's answer says "2.093,45km²", no passage was judged gold for 3-5% of TyDi
        # QA's questions, whichever system ranked it
        self.answers = [normalize(a) for a in self.answers]
        self.passage_contains = None if self.passage_contains is None else normalize(self.passage_contains)


def is_gold(passage: Passage, q: Question) -> bool:
    """``passage`` is the one ``q`` was asked of, or a copy of it (the same text in another document)."""
    if passage.doc_id == q.doc_id:
        return q.passage_contains is None or q.passage_contains in passage.text
    return bool(q.gold_reading) and reading(passage.text) == q.gold_reading


# ---- splits -----------------------------------------------------------------------------------
def bucket(doc_id: str) -> int:
    """0-99 from the passage's id: every question on one passage lands in the same part."""
    return int(hashlib.md5(doc_id.encode()).hexdigest(), 16) % 100


def held_out(doc_id: str) -> bool:
    return bucket(doc_id) < HELD_OUT_PERCENT


def split(row: dict) -> str:
    """Where a TyDi QA or IDK-MRC row of ``qa_rows`` belongs: ``train``, ``dev`` (thresholds and settings are chosen
    there) or ``test`` (reported only)."""
    if row["part"] == "train":
        return "train"
    return "dev" if bucket(row["doc_id"]) < DEV_PERCENT else "test"


def fold_of(q: Question) -> int:
    """The half of the train questions ``q`` is in, by its passage (every question on one passage in one half)."""
    return bucket(q.doc_id) % FOLDS


# ---- rows as the files hold them ----------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def qa_rows(eval_dir: Path, english: bool = False) -> list[dict]:
    """Every QA row with ``set`` (tydi, idk, facqa; tydi-en with ``english``), ``part`` (train or the held-out set's
    name) and answer offsets."""
    out = []
    tydi = read_jsonl(eval_dir / "tydiqa_goldp_id_train.jsonl")
    seen = {r["id"].split("-", 1)[1] for r in tydi}
    for r in tydi:
        out.append({**r, "set": "tydi", "part": "tydi-heldout" if held_out(r["doc_id"]) else "train"})
    for r in read_jsonl(eval_dir / "idk_mrc_id_train.jsonl"):
        if not r["is_impossible"] and r["id"].split("-", 1)[1] in seen:
            continue  # a TyDi repeat
        out.append({**r, "set": "idk", "part": "idk-heldout" if held_out(r["doc_id"]) else "train"})
    for r in read_jsonl(eval_dir / "tydiqa_goldp_en_train.jsonl") if english else []:  # over English Wikipedia
        out.append({**r, "set": "tydi-en", "part": "tydi-en-heldout" if held_out(r["doc_id"]) else "train"})
    for r in read_jsonl(eval_dir / "facqa_dev.jsonl"):
        starts = [r["context"].find(a) for a in r["answers"]]
        found = [(a, s) for a, s in zip(r["answers"], starts) if s >= 0]
        if not found:
            continue  # an answer not written in its passage cannot be a span
        out.append(
            {
                **r,
                "answers": [a for a, _ in found],
                "answer_starts": [s for _, s in found],
                "is_impossible": False,
                "set": "facqa",
                "part": "facqa-valid" if r["split"] == "valid" else "train",
            }
        )
    return out


def tydi_rows(eval_dir: Path) -> list[dict]:
    return [r for r in qa_rows(eval_dir) if r["set"] == "tydi"]


def parallel_pairs(eval_dir: Path) -> list[dict]:
    """The English-Indonesian sentence pairs for training (``en``, ``id``)."""
    return [json.loads(line) for line in open(eval_dir / "parallel_en_id_train.jsonl", encoding="utf-8")]


def question_texts(eval_dir: Path, n: int, missing_ok: bool = False) -> list[str]:
    """The first ``n`` FacQA questions (Indonesian, both splits, in file order), then the English sides of the first
    ``n`` news pairs: what the speed benchmarks ask. ``missing_ok``: a file that is not there gives none."""
    out: list[str] = []
    for name, field in (("facqa_dev.jsonl", "question"), ("news_en_id_valid.jsonl", "en")):
        path = eval_dir / name
        if missing_ok and not path.exists():
            continue
        out += [json.loads(line)[field] for line in open(path, encoding="utf-8")][:n]
    return out


def indosum_sample(eval_dir: Path, articles: int, folder: Path) -> Path:
    """The first ``articles`` IndoSum articles, as ``folder``/articles.jsonl (for timing builds)."""
    out = folder / "articles.jsonl"
    with open(eval_dir / "indosum_articles.jsonl", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for _, line in zip(range(articles), src):
            dst.write(line)
    return out


# ---- questions -----------------------------------------------------------------------------------
def seed_questions(name: str = "seed_questions.jsonl") -> list[Question]:
    """Questions written here with their gold passage and answer span: over the seeds (seed_questions.jsonl) or,
    in English, over IndoSum articles of the eval corpus (indosum_en_questions.jsonl, reported; and
    indosum_en_dev_questions.jsonl, 44 questions over other articles, for choosing English settings)."""
    rows = [json.loads(line) for line in open(ROOT / "bench" / name, encoding="utf-8")]
    return [Question(r["id"], r["lang"], r["question"], r["doc_id"], r["passage_contains"], r["answers"]) for r in rows]


def facqa_questions(eval_dir: Path, part: str) -> list[Question]:
    """FacQA's ``train`` or ``valid`` questions."""
    rows = [json.loads(line) for line in open(eval_dir / "facqa_dev.jsonl", encoding="utf-8")]
    return [
        Question(r["id"], "id", r["question"], r["doc_id"], None, r["answers"], reading(r["context"]))
        for r in rows
        if r["split"] == part
    ]


def xling_questions(eval_dir: Path) -> list[Question]:
    """The news pairs' English sides, each asked of its Indonesian side."""
    rows = [json.loads(line) for line in open(eval_dir / "news_en_id_valid.jsonl", encoding="utf-8")]
    return [Question(r["pair_id"], "en", r["en"], r["pair_id"], None, [], reading(r["id"])) for r in rows]


def tydi_questions(eval_dir: Path, part: str = "test") -> list[Question]:
    """TyDi QA (Wikipedia paragraphs, questions written by people), split by passage as the reader's data is:
    ``train`` (what learned stages may fit), ``dev`` (where their settings are chosen) or ``test`` (reported only)."""
    return [
        Question(
            r["id"], "id", r["question"], f"tydi-{r['doc_id']}", r["answers"][0], r["answers"], reading(r["context"])
        )
        for r in tydi_rows(eval_dir)
        if split(r) == part
    ]


def idk_unanswerable(eval_dir: Path, part: str = "test") -> list[Question]:
    """IDK-MRC's held-out unanswerable questions (``test`` or ``dev`` buckets). Their passages are in the eval
    corpus; the product reads its top passages, not the one each question was written against."""
    return [
        Question(r["id"], "id", r["question"], f"tydi-{r['doc_id']}", None, [])
        for r in qa_rows(eval_dir)
        if r["set"] == "idk" and r["is_impossible"] and split(r) == part
    ]


def off_corpus(eval_dir: Path) -> list[Question]:
    """Questions whose answers are nowhere in the seed articles: TyDi QA test, FacQA valid and the English
    questions over IndoSum, asked of the seeds' index."""
    english = seed_questions("indosum_en_questions.jsonl")
    return tydi_questions(eval_dir) + facqa_questions(eval_dir, "valid") + english


# ---- the eval corpus -------------------------------------------------------------------------------
def eval_corpus(eval_dir: Path, indosum_articles: int | None = None) -> Path:
    """IndoSum articles + FacQA contexts + the Indonesian side of the news pairs + TyDi QA's paragraphs (every
    part: one corpus for tuning and reporting, as FacQA's train and valid contexts share one), as one .jsonl."""
    out = ROOT / "data" / "bench" / "corpus.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    seen = set()
    with open(out, "w", encoding="utf-8") as fh:

        def put(doc_id, title, text, **extra):
            if doc_id not in seen:
                seen.add(doc_id)
                fh.write(
                    json.dumps({"doc_id": doc_id, "title": title, "text": text, **extra}, ensure_ascii=False) + "\n"
                )

        for n, line in enumerate(open(eval_dir / "indosum_articles.jsonl", encoding="utf-8")):
            if indosum_articles is not None and n >= indosum_articles:
                break
            r = json.loads(line)
            put(r["doc_id"], r["title"], r["text"], date=r.get("date"), source=r.get("source"), url=r.get("url"))
        for line in open(eval_dir / "facqa_dev.jsonl", encoding="utf-8"):
            r = json.loads(line)
            put(r["doc_id"], "FacQA " + r["doc_id"], r["context"], source="facqa")
        for line in open(eval_dir / "news_en_id_valid.jsonl", encoding="utf-8"):
            r = json.loads(line)
            put(r["pair_id"], "news_en_id " + r["pair_id"], r["id"], source="news_en_id")
        for r in tydi_rows(eval_dir):
            put(f"tydi-{r['doc_id']}", r["title"] or f"TyDi {r['doc_id']}", r["context"], source="tydiqa")
    return out


# ---- the newsroom set ----------------------------------------------------------------------------
NEWSROOM = ROOT / "bench" / "newsroom"
RESERVED_LINES = range(301, 1301)  # IndoSum articles kept for a held-out check: no question here is over them


def newsroom_questions(eval_dir: Path, split: str | None = None) -> list[Question]:
    """Questions a journalist or an investor asks of the seeds + IndoSum archive (``bench/newsroom/*.jsonl``,
    answerable ones with their gold spans, unanswerable ones with ``answers`` empty), with the English IndoSum
    questions over articles outside the reserved lines. Split by article: ``dev`` where its bucket is under 50."""
    lines = {
        json.loads(line)["doc_id"]: n
        for n, line in enumerate(open(eval_dir / "indosum_articles.jsonl", encoding="utf-8"), 1)
    }
    rows = [json.loads(line) for path in sorted(NEWSROOM.glob("*.jsonl")) for line in open(path, encoding="utf-8")]
    for name in ("indosum_en_questions.jsonl", "indosum_en_dev_questions.jsonl"):
        rows += [{**r, "answerable": True} for r in map(json.loads, open(ROOT / "bench" / name, encoding="utf-8"))]
    out = [
        Question(r["id"], r["lang"], r["question"], r["doc_id"], r.get("passage_contains"), r["answers"])
        for r in rows
        if lines.get(r["doc_id"], 0) not in RESERVED_LINES
    ]
    return [q for q in out if split is None or newsroom_split(q.doc_id) == split]


def newsroom_split(doc_id: str) -> str:
    return "dev" if bucket(doc_id) < 50 else "test"
