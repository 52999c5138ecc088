"""Embedding many passages: in batches, with progress and periodic saves, on a pluggable executor."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np

from .registry import Embedder

log = logging.getLogger(__name__)

Batch = Sequence[str]


class Executor(Protocol):
    """Embeds batches of passages with ``embedder``'s model and yields their vectors in order."""

    def map(self, embedder: Embedder, batches: Iterable[Batch]) -> Iterator[np.ndarray]: ...


class LocalExecutor:
    """One batch after another in this process (the model uses the machine's cores itself)."""

    def map(self, embedder: Embedder, batches: Iterable[Batch]) -> Iterator[np.ndarray]:
        return map(embedder.encode_passages, batches)


def embed_passages(
    embedder: Embedder,
    texts: Sequence[str],
    batch_size: int,
    save: Callable[[list[int], np.ndarray], None] | None = None,
    save_every: int = 512,
    executor: Executor | None = None,
) -> np.ndarray:
    """Embeddings of ``texts``, in their order; every ``save_every`` passages ``save(positions, vectors)`` may keep
    the newly embedded ones safe. Texts are embedded shortest first, so that a batch holds similar lengths and
    pads little. Tokens are counted batch by batch as they are embedded, so a huge input shows progress at once."""
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    started = last = time.perf_counter()
    saved = done = too_long = 0
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches = [[texts[i] for i in order[lo : lo + batch_size]] for lo in range(0, len(texts), batch_size)]

    for vectors in (executor or LocalExecutor()).map(embedder, batches):
        # counted here as each batch comes back, wherever it was embedded
        too_long += sum(embedder.token_count(texts[i]) > embedder.max_tokens for i in order[done : done + len(vectors)])
        out[order[done : done + len(vectors)]] = vectors
        done += len(vectors)
        now = time.perf_counter()
        if save and (done - saved >= save_every or done == len(texts)):
            save(order[saved:done], out[order[saved:done]])
            saved = done
        if now - last > 5 or done == len(texts):
            rate = done / (now - started)
            log.info("embedded %d/%d passages (%.1f/s)", done, len(texts), rate)
            last = now
    if too_long:
        log.warning(
            "warning: %d passages exceed %s's %d-token window and were truncated",
            too_long,
            embedder.name,
            embedder.max_tokens,
        )
    return out
