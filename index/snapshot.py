"""The data directory: immutable index snapshots, an atomic ``CURRENT`` pointer, stored sources.

A build writes a complete snapshot into ``snapshots/.tmp-*`` and only then renames it and
swaps ``CURRENT`` (write + ``os.replace``), so a crash at any moment leaves the previous
snapshot current and loadable.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wuxue.errors import IndexMismatchError, IndexNotReadyError
from wuxue.index.dense import DenseIndex
from wuxue.index.sparse import SparseIndex
from wuxue.index.store import ChunkStore

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CHUNKS_DB = "chunks.sqlite"
DENSE = "dense.faiss"
SPARSE = "sparse"
SPARSE_BIGRAM = "sparse_bigram"
KEEP_SNAPSHOTS = 2


@dataclass(frozen=True)
class IndexParams:
    """Everything that must match between an index on disk and the code/settings reading it."""

    model_id: str
    dimension: int
    chunker: dict[str, int | str]
    context_prefix: str
    tokenizer: str = "jieba-search-v1+bigram-v1"
    format_version: int = FORMAT_VERSION

    def compatibility(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class IndexManifest:
    params: IndexParams
    corpus_hash: str
    documents: int
    chunks: int
    created_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    def to_dict(self) -> dict[str, object]:
        return {**self.params.compatibility(), "corpus_hash": self.corpus_hash, "documents": self.documents,
                "chunks": self.chunks, "created_at": self.created_at}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> "IndexManifest":
        params = IndexParams(
            model_id=str(data["model_id"]), dimension=int(data["dimension"]),  # type: ignore[arg-type]
            chunker=dict(data["chunker"]),  # type: ignore[arg-type]
            context_prefix=str(data["context_prefix"]), tokenizer=str(data["tokenizer"]),
            format_version=int(data["format_version"]),  # type: ignore[arg-type]
        )
        return cls(params, str(data["corpus_hash"]), int(data["documents"]), int(data["chunks"]), str(data["created_at"]))  # type: ignore[arg-type]


class IndexSnapshot:
    """A loaded, read-only snapshot: manifest, chunk store, dense and sparse indexes."""

    def __init__(self, path: Path, manifest: IndexManifest, store: ChunkStore, dense: DenseIndex, lexical: dict[str, SparseIndex]) -> None:
        self.path = path
        self.manifest = manifest
        self.store = store
        self.dense = dense
        self.lexical = lexical  # "words" (jieba BM25) and "bigrams" (character-bigram BM25)

    @classmethod
    def load(cls, path: Path, expected: IndexParams | None = None) -> "IndexSnapshot":
        manifest = IndexManifest.from_dict(json.loads((path / MANIFEST).read_text(encoding="utf-8")))
        if expected is not None:
            check_compatible(manifest.params, expected)
        store = ChunkStore(path / CHUNKS_DB, readonly=True)
        lexical = {"words": SparseIndex.load(path / SPARSE), "bigrams": SparseIndex.load(path / SPARSE_BIGRAM)}
        return cls(path, manifest, store, DenseIndex.load(path / DENSE), lexical)

    def close(self) -> None:
        self.store.close()


class SnapshotRetirer:
    """Closes replaced snapshots after a grace period, on daemon timers that never hold up exit.

    Readers that took the old snapshot just before the swap get ``grace`` seconds to finish;
    :meth:`close_all` releases everything at once (CLI exit, service shutdown).
    """

    def __init__(self, grace: float = 30.0) -> None:
        self.grace = grace
        self._pending: dict[int, tuple[IndexSnapshot, threading.Timer]] = {}
        self._lock = threading.Lock()

    def retire(self, snapshot: IndexSnapshot) -> None:
        timer = threading.Timer(self.grace, self._close, args=(id(snapshot),))
        timer.daemon = True  # a pending close must not keep the process alive
        with self._lock:
            self._pending[id(snapshot)] = (snapshot, timer)
        timer.start()

    def _close(self, key: int) -> None:
        with self._lock:
            entry = self._pending.pop(key, None)
        if entry is not None:
            entry[0].close()

    def close_all(self) -> None:
        with self._lock:
            entries, self._pending = list(self._pending.values()), {}
        for snapshot, timer in entries:
            timer.cancel()
            snapshot.close()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def check_compatible(found: IndexParams, expected: IndexParams) -> None:
    found_dict, expected_dict = found.compatibility(), expected.compatibility()
    differences = [f"{key}: 索引为 {found_dict[key]!r}，当前设置为 {expected_dict[key]!r}" for key in expected_dict if found_dict.get(key) != expected_dict[key]]
    if differences:
        raise IndexMismatchError(
            "索引与当前设置不一致，请运行 `wuxue reindex --full` 重建索引", detail="; ".join(differences)
        )


class DataDir:
    """Layout of ``WUXUE_DATA_DIR``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshots = root / "snapshots"
        self.sources = root / "sources"
        self.pointer = root / "CURRENT"

    def ensure(self) -> None:
        self.snapshots.mkdir(parents=True, exist_ok=True)
        self.sources.mkdir(parents=True, exist_ok=True)

    def current(self) -> Path | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.snapshots / name
        return path if name and (path / MANIFEST).is_file() else None

    def require_current(self) -> Path:
        path = self.current()
        if path is None:
            raise IndexNotReadyError(f"索引尚未建立：请先运行 `wuxue ingest corpus/`（数据目录 {self.root}）")
        return path

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """One builder per data directory at a time (across processes)."""
        self.ensure()
        with open(self.root / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_build_dir(self) -> Path:
        """Call under :meth:`build_lock`: clears leftovers of crashed builds first."""
        for leftover in self.snapshots.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        path = self.snapshots / f".tmp-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def publish(self, build_dir: Path) -> Path:
        """Make a finished build current, atomically; keep the previous snapshot for readers still using it."""
        for item in build_dir.iterdir():
            if item.is_file():
                with open(item, "rb") as handle:
                    os.fsync(handle.fileno())
        final = self.snapshots / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        build_dir.rename(final)
        temporary = self.pointer.with_suffix(".tmp")
        temporary.write_text(final.name, encoding="utf-8")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.pointer)
        self._collect_garbage(keep=final.name)
        return final

    def _collect_garbage(self, keep: str) -> None:
        snapshots = sorted((p for p in self.snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
        for old in snapshots[:-KEEP_SNAPSHOTS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)

    def source_path(self, content_hash: str) -> Path:
        return self.sources / content_hash

    def store_source(self, data: bytes, content_hash: str) -> Path:
        """Keep the original bytes (content-addressed) so a full re-index can re-parse them."""
        self.ensure()
        path = self.source_path(content_hash)
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        return path
