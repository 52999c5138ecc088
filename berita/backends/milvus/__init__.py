"""The Milvus backend: the same protocols as the local one, over ``pymilvus``' ``MilvusClient``, so one code path
serves Milvus Lite (a file, in-process: laptops and CI), Milvus Standalone and a Milvus cluster (a URL).

Each build is a generation of three collections (passages with their vectors and BM25 terms, documents, the
terms' document frequencies), written whole and then named current in one row of a small ``meta`` collection:
readers never see half a build, and a failed build leaves the previous generation serving (as ``CURRENT`` does
for the local backend). Milvus Lite has no collection aliases, so the switch is that row, on every kind of server.

BM25 runs in Milvus, over the product's own tokens (``core.text.tokenize``: numbers normalised, stopwords
dropped) joined by spaces and split on whitespace by Milvus, with the local backend's k1 and b: the same scores.
Fusion, reranking and answers stay in the product, so both backends rank alike. ``pip install '.[milvus]'``.

A small change (an article added, replaced or deleted over the API) is applied to the live collections of the
current generation, journalled so that a crash or an ``undo`` takes it back (``change``); a full rebuild, a model
or index change, or a large change writes a new generation.

``client`` connects and translates errors, ``read`` serves a generation, ``write`` builds one or changes it."""

from .client import MilvusStore
from .read import open_milvus_backend
from .write import MilvusWriter, rollback, undo

__all__ = ["MilvusStore", "MilvusWriter", "open_milvus_backend", "rollback", "undo"]
