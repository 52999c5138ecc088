"""The connection to Milvus (Lite or a server): retries of transient failures, errors in the product's terms, the
``meta`` collection, and the vector index the settings ask for."""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from ...core.config import StorageConfig
from ...errors import ConfigError, IndexStoreError

BATCH = 1000  # rows per insert: 5,000-row batches were pathological on Milvus Lite (72 s for 10k rows)
CHUNK = 15_000  # characters per stored piece of a document: VARCHAR holds 65,535 bytes, a character up to 4
MAX_TERM_BYTES = 512
T = TypeVar("T")
# per index type: its build parameters and its search parameters, by default (BERITA_MILVUS_INDEX_PARAMS overrides)
INDEX_DEFAULTS: dict[str, tuple[dict[str, int], dict[str, int]]] = {
    "FLAT": ({}, {}),
    "IVF_FLAT": ({"nlist": 1024}, {"nprobe": 32}),
    "IVF_SQ8": ({"nlist": 1024}, {"nprobe": 32}),
    "HNSW": ({"M": 16, "efConstruction": 200}, {"ef": 64}),
}
LITE_INDEXES = ("FLAT", "IVF_FLAT")  # Milvus Lite refuses the others ("local mode only support ...")


def is_lite(uri: str) -> bool:
    """A path (Milvus Lite, in-process) rather than a server's URL."""
    return "://" not in uri


SQLITE_HEADER = b"SQLite format 3\x00"  # a Milvus Lite file is an SQLite database
_HELD: dict[str, IO[str]] = {}  # Milvus Lite files this process owns, by absolute path, until it exits


def hold_lite_file(uri: str) -> None:
    """Own the Milvus Lite file ``uri`` for this process, or fail with who owns it or what is wrong with it.

    Milvus Lite's own lock file is deleted by any process that failed to take it, so a third process went
    through; this lock (``flock`` on ``.<name>.owner``) is never deleted, released only by its holder, and by the
    kernel when the holder dies, so a lock left by a killed process is never in the way. Milvus Lite's logs are
    kept to errors, in the file's folder (it wrote every query's INFO to /tmp)."""
    path = os.path.abspath(uri)
    if path in _HELD:
        return
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise IndexStoreError(f"cannot create the folder of the Milvus Lite file {uri}: {exc}") from exc
    if os.path.isdir(path):
        raise IndexStoreError(f"the Milvus Lite file {uri} is a folder; give a file path such as {uri}/milvus.db")
    try:
        owner = open(os.path.join(folder, f".{os.path.basename(path)}.owner"), "a+")  # noqa: SIM115 (held until exit)
    except OSError as exc:
        raise IndexStoreError(f"cannot open the Milvus Lite file {uri}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner.seek(0)
        pid = owner.read().strip() or "another process"
        owner.close()
        raise IndexStoreError(
            f"the Milvus Lite file {uri} is open in process {pid}: a Milvus Lite file admits one process at a time; "
            "stop that one (a server using it), or use a Milvus server"
        ) from None
    problem = _not_lite(path)
    if problem:
        owner.close()
        raise IndexStoreError(f"cannot open the Milvus Lite file {uri}: {problem}; move it away or give another path")
    owner.truncate(0)
    owner.write(f"{os.getpid()}\n")
    owner.flush()
    _HELD[path] = owner
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("GLOG_log_dir", folder)


def _not_lite(path: str) -> str | None:
    """Why the file at ``path`` is not a Milvus Lite database, or None (a missing or empty file is a new one)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    if size == 0:
        return None
    if head != SQLITE_HEADER:
        return "it is not a Milvus Lite database (an SQLite file)"
    if size < 4096:
        return f"it is damaged: {size} bytes, shorter than one page of the database"
    return None


@dataclass(frozen=True)
class VectorIndex:
    """The ``dense`` field's index: its type, the parameters it is built with and those it is searched with."""

    kind: str
    build: dict[str, int]
    search: dict[str, int]


def vector_index(storage: StorageConfig) -> VectorIndex:
    """The index ``milvus_index_type`` and ``milvus_index_params`` ask for, over the type's defaults. Milvus Lite
    asked for a type it cannot build (HNSW, IVF_SQ8) is a ConfigError, not a silent fallback to FLAT: a build on
    a laptop should not measure another index than the server it stands in for."""
    kind = storage.milvus_index_type
    if kind not in INDEX_DEFAULTS:
        raise ConfigError(f"BERITA_MILVUS_INDEX_TYPE={kind!r} is not one of {', '.join(INDEX_DEFAULTS)}")
    if is_lite(storage.milvus_uri) and kind not in LITE_INDEXES:
        raise ConfigError(
            f"BERITA_MILVUS_INDEX_TYPE={kind} needs a Milvus server: Milvus Lite ({storage.milvus_uri}) builds "
            f"{' or '.join(LITE_INDEXES)} only"
        )
    build, search = (dict(d) for d in INDEX_DEFAULTS[kind])
    for name, value in storage.milvus_index_options().items():
        if name not in build and name not in search:
            known = ", ".join([*build, *search]) or "none"
            raise ConfigError(f"BERITA_MILVUS_INDEX_PARAMS: {name!r} is not a parameter of {kind} (known: {known})")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"BERITA_MILVUS_INDEX_PARAMS: {name} must be a whole number, 1 or more (got {value!r})")
        (build if name in build else search)[name] = value
    return VectorIndex(kind, build, search)


class MilvusStore:
    """A connection and the names of this product's collections (all start with ``prefix``)."""

    def __init__(self, uri: str, prefix: str = "berita", timeout: float = 10.0):
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise IndexStoreError("the milvus backend needs its extra: pip install '.[milvus]'") from exc
        os.environ.setdefault("RUST_LOG", "error")  # Milvus Lite's text index logs every commit otherwise
        self.uri, self.prefix, self.timeout = uri, prefix, timeout
        if is_lite(uri):
            hold_lite_file(uri)
        try:
            self.client = MilvusClient(uri=uri, timeout=timeout)
        except Exception as exc:  # pymilvus raises its own exceptions and grpc's alike
            hint = (
                "the file is damaged or not a Milvus Lite file (no other process has it open)"
                if is_lite(uri)
                else "is the server running and reachable?"
            )
            raise IndexStoreError(f"cannot open Milvus at {uri}: {exc}; {hint}") from exc
        self.meta = f"{prefix}_meta"

    def call(self, what: str, fn: Callable[[], T], attempts: int = 3) -> T:
        """``fn`` (a read, or an idempotent write), retried on a transient failure; a clear error after."""
        from pymilvus.exceptions import MilvusException

        for attempt in range(attempts):
            try:
                return fn()
            except MilvusException as exc:
                if attempt + 1 == attempts or not _transient(exc):
                    raise IndexStoreError(f"Milvus at {self.uri}: {what} failed: {exc}") from exc
            except Exception as exc:  # grpc errors: the server went away or timed out
                if attempt + 1 == attempts:
                    raise IndexStoreError(f"Milvus at {self.uri}: {what} failed: {exc}") from exc
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    # ---- the meta collection: small JSON values by name ----------------------------------------------------
    def get(self, name: str) -> Any:
        if not self.client.has_collection(self.meta):
            return None
        rows = self.call("reading meta", lambda: self._query(self.meta, "name == {n}", {"n": name}, ["piece", "value"]))
        return json.loads(_join(rows)) if rows else None

    def put(self, name: str, value: Any) -> None:
        if not self.client.has_collection(self.meta):
            self._create_blobs(self.meta)
        rows = [{"pk": f"{name}#{n}", "name": name, "piece": n, "value": v} for n, v in _pieces(json.dumps(value))]
        # one upsert: the pieces of a value are replaced together (``current`` fits one piece; a journal may not),
        # then the pieces a longer value had before are deleted
        self.call("writing meta", lambda: self.client.upsert(self.meta, [_blob(r) for r in rows]))
        self._delete_meta(expression("name == {n} and piece >= {p}", {"n": name, "p": len(rows)}))
        self.call("flushing meta", lambda: self.client.flush(self.meta))

    def drop(self, name: str) -> None:
        """Forget the value ``name``."""
        if self.client.has_collection(self.meta):
            self._delete_meta(expression("name == {n}", {"n": name}))
            self.call("flushing meta", lambda: self.client.flush(self.meta))

    def drop_like(self, prefix: str) -> None:
        """Forget every value whose name starts with ``prefix``."""
        if self.client.has_collection(self.meta):
            self._delete_meta(expression("name like {p}", {"p": prefix.replace("%", "") + "%"}))

    def _delete_meta(self, expr: str) -> None:
        self.call("writing meta", lambda: self.client.delete(self.meta, filter=expr))

    # ---- helpers ------------------------------------------------------------------------------------------
    def names(self, generation: str) -> tuple[str, str, str]:
        return (
            f"{self.prefix}_{generation}_passages",
            f"{self.prefix}_{generation}_documents",
            f"{self.prefix}_{generation}_vocab",
        )

    def _query(
        self, collection: str, expr: str, params: dict, fields: list[str], limit: int | None = None
    ) -> list[dict]:
        kwargs: dict[str, Any] = {"filter": expression(expr, params), "output_fields": fields}
        if limit is not None:
            kwargs["limit"] = limit
        return list(self.client.query(collection, **kwargs))

    def query(
        self, collection: str, expr: str, params: dict, fields: list[str], limit: int | None = None
    ) -> list[dict]:
        if any(isinstance(v, list) and not v for v in params.values()):
            return []  # "in []" matches nothing, and Milvus Lite fails on it instead
        return self.call(f"query on {collection}", lambda: self._query(collection, expr, params, fields, limit))

    def scan(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict]:
        """Every row matching ``expr``, a batch at a time (a collection can be larger than one query returns)."""
        iterator = self.call(
            "scan", lambda: self.client.query_iterator(collection, batch_size=BATCH, filter=expr, output_fields=fields)
        )
        while True:
            rows = iterator.next()
            if not rows:
                iterator.close()
                return
            yield from rows

    def _create_blobs(self, name: str) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=2048)
        schema.add_field("name", DataType.VARCHAR, max_length=2048)
        schema.add_field("piece", DataType.INT64)
        schema.add_field("value", DataType.VARCHAR, max_length=65535)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector in every collection
        index = self.client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        self.client.create_collection(name, schema=schema, index_params=index)


def expression(template: str, values: dict[str, Any]) -> str:
    """A Milvus filter with ``{name}`` replaced by ``values[name]`` as a literal: strings quoted and escaped,
    lists bracketed. (Milvus Lite 2.5 does not take ``filter_params``; ids with quotes must not break out.)"""

    def literal(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)  # "..." with \" \\ and control characters escaped
        return str(int(value))

    return re.sub(r"\{(\w+)\}", lambda m: literal(values[m.group(1)]), template)


def _pieces(text: str) -> list[tuple[int, str]]:
    return [(n, text[i : i + CHUNK]) for n, i in enumerate(range(0, max(len(text), 1), CHUNK))]


def _join(rows: list[dict]) -> str:
    return "".join(r["value"] for r in sorted(rows, key=lambda r: r["piece"]))


def _blob(row: dict) -> dict:
    return {**row, "v": [0.0, 0.0]}


def _transient(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("unavailable", "deadline", "timeout", "connection", "not ready"))
