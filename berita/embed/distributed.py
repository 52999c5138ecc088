"""Embedding on a Ray cluster (``python -m berita index … --executor ray``): Ray Data sends the batches to a pool of
actors, each with its own copy of the model, and the vectors come back in order to the build, which checkpoints
them as it does for local embedding (an interrupted Ray build resumes from what it saved). ``pip install '.[ray]'``.

On a laptop or CI ``ray.init()`` starts a local cluster; ``--ray-address auto`` (or ``ray://host:10001``) joins a
running one, where actors may ask for GPUs (docs/scale-out.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core.config import EmbeddingConfig
from ..errors import ModelError
from .batch import Batch
from .registry import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None  # None: a local cluster; "auto" or "ray://host:10001": a running one
    actors: int = 2
    # On two cores an actor pool of two at a whole CPU each deadlocks: the read task never gets a CPU. Half a CPU
    # each leaves room for it (measured in the scale-out issue).
    cpus_per_actor: float = 0.5
    gpus_per_actor: float = 0.0


class RayExecutor:
    """An ``Executor`` whose batches are embedded by Ray actors, each loading the build's model in the same runtime
    (checked: an actor whose vectors would come from another runtime fails the build)."""

    def __init__(self, config: EmbeddingConfig, options: RayOptions | None = None):
        try:
            import ray
        except ImportError as exc:
            raise ModelError("--executor ray needs the ray extra: pip install '.[ray]'") from exc
        self.ray = ray
        # actors run in other folders and machines: a relative models folder would not be found there
        self.config = replace(config, models_dir=Path(config.models_dir).resolve())
        self.options = options or RayOptions()

    def map(self, embedder: Embedder, batches: Iterable[Batch]) -> Iterator[np.ndarray]:
        ray = self.ray
        rows = [{"n": n, "texts": list(batch)} for n, batch in enumerate(batches)]
        if not rows:
            return
        if not ray.is_initialized():
            ray.init(address=self.options.address, include_dashboard=False, log_to_driver=False)
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # the build matches vectors to passages by position
        context.enable_progress_bars = False  # the build reports progress itself
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        config = replace(self.config, runtime=embedder.runtime.split(":")[0])
        dataset = ray.data.from_items(rows, override_num_blocks=min(len(rows), 4 * self.options.actors))
        embedded = dataset.map_batches(
            _Embed,
            fn_constructor_kwargs={"model": embedder.name, "runtime": embedder.runtime, "config": asdict(config)},
            batch_size=1,  # one of the build's batches a call: already sized and sorted by length
            concurrency=self.options.actors,
            num_cpus=self.options.cpus_per_actor,
            num_gpus=self.options.gpus_per_actor,
        )
        for expected, row in enumerate(embedded.iter_rows()):
            if row["n"] != expected:
                raise RuntimeError(f"Ray returned batch {row['n']} where {expected} was expected")
            yield np.asarray(row["vectors"], dtype=np.float32)


class _Embed:
    """One actor: the model loaded once, then batches of texts to vectors."""

    def __init__(self, model: str, runtime: str, config: dict[str, Any]):
        from .registry import load_embedder

        self.embedder = load_embedder(model, config=EmbeddingConfig(**config))
        if self.embedder.runtime != runtime:
            raise ModelError(f"a Ray actor loaded {self.embedder.runtime}, the build uses {runtime}")

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        (n,), (texts,) = batch["n"], batch["texts"]
        return {"n": [n], "vectors": [self.embedder.encode_passages(list(texts))]}
