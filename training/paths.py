"""Where the training scripts keep their work: checkpoints, packed data and the layers they write, under data/."""

from __future__ import annotations

from pathlib import Path

from bench.datasets import ROOT

READER_WORK = ROOT / "data" / "reader"  # training/train_reader.py
QUERIES_WORK = ROOT / "data" / "queries"  # training/train_queries.py


def fold_dir(fold: int | None) -> Path:
    """Where the query encoder trained without ``fold`` (None: on every train question) keeps its checkpoint and
    layers (training/train_queries.py writes them, training/tune_rerank.py reads them)."""
    return QUERIES_WORK if fold is None else QUERIES_WORK / f"fold-{fold}"
