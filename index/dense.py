"""Dense index: FAISS inner product over normalised vectors, with our stable integer ids.

Small corpora use exact search (``IndexIDMap2(IndexFlatIP)``). Above
:attr:`DensePolicy.exact_limit` vectors the index is rebuilt as an ``IndexIVFFlat``
(inner product, ids stored in the inverted lists, a hash-table direct map so
``reconstruct`` and ``remove_ids`` work by our ids) whose ``nprobe`` is tuned at build
time to a measured recall@10 against exact search. Both kinds are written with
``faiss.write_index`` and read back memory-mapped, so several server processes share
one copy of the vectors in the page cache; the first change to a mapped index reloads
a private, writable copy (mapped FAISS indexes must never be modified).
"""

from __future__ import annotations

import contextlib
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

SINGLE_THREAD_QUERIES = 8  # a few queries: one OpenMP thread (no fork/join wait on a busy 2-core machine)
NPROBE_STEPS = (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)


@dataclass(frozen=True)
class DensePolicy:
    """When to leave exact search, and how good the approximate index must be.

    ``exact_limit``: up to this many vectors a flat index is scanned in full (one query
    reads ``n × 2 KB``, about 4 ms at 20k vectors on one core); above it an IVF index
    is built. ``target_recall`` is recall@10 against exact search on the tuning queries.
    """

    exact_limit: int = 20_000
    target_recall: float = 0.99
    nprobe_margin: float = 1.5  # real questions needed up to ~1.5× the nprobe the tuning queries did
    min_lists: int = 64
    max_lists: int = 1024
    points_per_list: int = 64  # k-means training sample per list (faiss warns below 39)
    tuning_queries: int = 200
    seed: int = 1234

    def lists_for(self, count: int) -> int:
        """About sqrt(n) lists, a power of two between ``min_lists`` and ``max_lists``."""
        wanted = 2 ** round(math.log2(max(math.sqrt(max(count, 1)), 1)))
        return int(min(self.max_lists, max(self.min_lists, wanted)))


DEFAULT_POLICY = DensePolicy()


class DenseIndex:
    """Exact or IVF inner-product search keyed by our int64 chunk ids; add, remove and reconstruct by id."""

    def __init__(self, dimension: int, index: faiss.Index | None = None, *, policy: DensePolicy = DEFAULT_POLICY,
                 path: Path | None = None, mapped: bool = False) -> None:
        self.dimension = dimension
        self.policy = policy
        self._index = index if index is not None else _flat(dimension)
        self._path = path  # the file a mapped index came from, reloaded privately before the first change
        self._mapped = mapped

    def __len__(self) -> int:
        return int(self._index.ntotal)

    # what kind of index -------------------------------------------------------
    @property
    def kind(self) -> str:
        """``flat`` (exact) or ``ivf`` (approximate)."""
        return "ivf" if self._ivf() is not None else "flat"

    @property
    def mapped(self) -> bool:
        return self._mapped

    @property
    def nprobe(self) -> int | None:
        ivf = self._ivf()
        return int(ivf.nprobe) if ivf is not None else None

    @property
    def nlist(self) -> int | None:
        ivf = self._ivf()
        return int(ivf.nlist) if ivf is not None else None

    def describe(self) -> dict[str, object]:
        return {"kind": self.kind, "vectors": len(self), "nlist": self.nlist, "nprobe": self.nprobe, "mapped": self._mapped}

    def _ivf(self) -> faiss.IndexIVF | None:
        try:
            return faiss.extract_index_ivf(self._index)
        except RuntimeError:
            return None

    # changes ------------------------------------------------------------------
    def _writable(self) -> None:
        """A memory-mapped index is read-only: swap in a private copy before changing it."""
        if self._mapped:
            assert self._path is not None
            self._index = faiss.read_index(str(self._path))
            self._mapped = False

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension:
            raise ValueError(f"vector dimension {vectors.shape[-1]} != index dimension {self.dimension}")
        self._writable()
        self._index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))
        self.restructure()

    def remove(self, ids: np.ndarray) -> int:
        if len(ids) == 0:
            return 0
        self._writable()
        removed = int(self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))
        self.restructure()
        return removed

    def restructure(self, *, force: bool = False) -> bool:
        """Switch between exact and IVF as the size crosses the policy limits; return whether it rebuilt.

        Flat → IVF above ``exact_limit``; IVF → flat below half of it (hysteresis);
        IVF retrained when the list count it would choose is 4× off the current one.
        """
        count = len(self)
        if self.kind == "flat":
            if count > self.policy.exact_limit:
                self._rebuild("ivf")
                return True
            return False
        if count < self.policy.exact_limit // 2:
            self._rebuild("flat")
            return True
        current, wanted = self.nlist or 1, self.policy.lists_for(count)
        if force or max(current, wanted) >= 4 * min(current, wanted):
            self._rebuild("ivf")
            return True
        return False

    def _rebuild(self, kind: str) -> None:
        ids, vectors = self.items()
        self._index = _build_ivf(ids, vectors, self.policy) if kind == "ivf" else _flat(self.dimension)
        if kind == "flat" and len(ids):
            self._index.add_with_ids(vectors, ids)
        self._mapped = False

    def tune(self) -> int | None:
        """Re-tune ``nprobe`` of an IVF index under the current policy (e.g. after the policy changed)."""
        ivf = self._ivf()
        if ivf is None:
            return None
        self._writable()
        ivf = self._ivf()
        assert ivf is not None
        ivf.nprobe = tune_nprobe(ivf, self.items()[1], self.policy)
        return int(ivf.nprobe)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (id, vector), in no particular order; used to rebuild and to benchmark."""
        ivf = self._ivf()
        if ivf is None:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            vectors = self._index.index.reconstruct_n(0, len(ids)) if len(ids) else np.zeros((0, self.dimension), np.float32)
            return ids, np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        lists = ivf.invlists
        id_parts, vector_parts = [], []
        for number in range(ivf.nlist):
            size = lists.list_size(number)
            if not size:
                continue
            id_parts.append(faiss.rev_swig_ptr(lists.get_ids(number), size).copy())
            codes = faiss.rev_swig_ptr(lists.get_codes(number), size * lists.code_size).copy()
            vector_parts.append(codes.view(np.float32).reshape(size, self.dimension))
        if not id_parts:
            return np.zeros(0, np.int64), np.zeros((0, self.dimension), np.float32)
        return np.concatenate(id_parts).astype(np.int64), np.concatenate(vector_parts)

    # queries ------------------------------------------------------------------
    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (scores, ids), each of shape (n_queries, k'); missing slots have id -1.

        ``allowed`` restricts the search to those ids (a FAISS id selector, so an IVF
        index still returns the best allowed vectors). Asking for every vector
        (``k >= len``) scans all IVF lists, so full rankings stay exact.
        """
        k = min(k, len(self))
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        with _threads(1 if len(queries) <= SINGLE_THREAD_QUERIES else None):
            return self._search(queries, k, allowed)

    def _search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        ivf = self._ivf()
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64)) if allowed is not None else None
        if ivf is None:
            return self._index.search(queries, k, params=faiss.SearchParameters(sel=selector) if selector is not None else None)
        exhaustive = k >= len(self) or selector is not None
        params = faiss.SearchParametersIVF(nprobe=ivf.nlist if exhaustive else ivf.nprobe)
        if selector is not None:
            params.sel = selector
        return self._index.search(queries, k, params=params)

    def exact_search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k whatever the index kind (every IVF list is scanned): the recall reference."""
        ivf = self._ivf()
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if ivf is None:
            return self.search(queries, k)
        return self._index.search(queries, min(k, len(self)), params=faiss.SearchParametersIVF(nprobe=ivf.nlist))

    def reconstruct(self, int_id: int) -> np.ndarray:
        """The stored vector of one id (IndexIDMap2's reverse map, or the IVF direct map)."""
        return self._index.reconstruct(int(int_id))

    # files --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index; an unchanged mapped index is copied byte for byte (a mapped IVF would be
        written as a reference to its source file, which snapshot clean-up later deletes)."""
        if self._mapped and self._path is not None:
            shutil.copyfile(self._path, path)
            return
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, mmap: bool = True, policy: DensePolicy = DEFAULT_POLICY) -> "DenseIndex":
        """Read an index; by default memory-mapped (shared between processes, copied privately on first change)."""
        index = None
        if mmap:
            with open(path, "rb") as handle:
                ivf_file = handle.read(4).startswith(b"Iw")  # IVF fourccs; flat ones are "IxM2"/"IxFI"
            flag = faiss.IO_FLAG_MMAP if ivf_file else faiss.IO_FLAG_MMAP_IFC
            try:
                index = faiss.read_index(str(path), flag | faiss.IO_FLAG_READ_ONLY)
            except RuntimeError:
                index = None
        mapped = index is not None
        if index is None:
            index = faiss.read_index(str(path))
        return cls(index.d, index, policy=policy, path=path, mapped=mapped)


@contextlib.contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """OpenMP threads for FAISS calls in this thread only (the setting is per calling thread)."""
    if count is None:
        yield
        return
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _flat(dimension: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def _build_ivf(ids: np.ndarray, vectors: np.ndarray, policy: DensePolicy) -> faiss.Index:
    """Train k-means lists on a sample, add everything under our ids, then tune ``nprobe``."""
    dimension = vectors.shape[1]
    nlist = policy.lists_for(len(ids))
    rng = np.random.default_rng(policy.seed)
    sample_size = min(len(vectors), nlist * policy.points_per_list)
    sample = vectors[rng.choice(len(vectors), sample_size, replace=False)] if sample_size < len(vectors) else vectors
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.min_points_per_centroid = 1  # our sample is deliberately small; silence faiss' warning
    index.cp.spherical = True  # unit-norm centroids suit inner-product search (better recall per probe)
    index.train(np.ascontiguousarray(sample))
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.add_with_ids(np.ascontiguousarray(vectors), np.ascontiguousarray(ids, dtype=np.int64))
    index.nprobe = tune_nprobe(index, vectors, policy)
    return index


def tuning_queries(vectors: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Normalised midpoints of random pairs of stored vectors: in the data's region but between passages.

    Real questions are harder for IVF than stored vectors or noisy copies of them (their
    nearest passages straddle cells); midpoints came closest in our measurements, and
    :func:`tune_nprobe` adds a margin on top.
    """
    rng = np.random.default_rng(seed)
    first = vectors[rng.choice(len(vectors), count)]
    second = vectors[rng.choice(len(vectors), count)]
    queries = first + second
    return (queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of the true top-k ids present in the found top-k (rows are queries)."""
    hits = [len(set(f[f >= 0].tolist()) & set(t[t >= 0].tolist())) / max(1, int((t >= 0).sum())) for f, t in zip(found, truth)]
    return float(np.mean(hits)) if hits else 1.0


def tune_nprobe(index: faiss.IndexIVF, vectors: np.ndarray, policy: DensePolicy, *, k: int = 10) -> int:
    """The smallest ``nprobe`` whose recall@k against exact search reaches the target, times the margin.

    Measured on the benchmark corpora with real questions: at 25k vectors (128 lists) the
    tuning queries reached 0.99 at nprobe 12 and questions needed 16; at 1M (1024 lists)
    both needed 48. With the margin: 24 and 96, question recall@10 0.999 and 0.9995.
    """
    queries = tuning_queries(vectors, policy.tuning_queries, policy.seed + 1)
    _, truth = index.search(queries, k, params=faiss.SearchParametersIVF(nprobe=index.nlist))
    for nprobe in NPROBE_STEPS:
        if nprobe >= index.nlist:
            break
        _, found = index.search(queries, k, params=faiss.SearchParametersIVF(nprobe=nprobe))
        if recall_at(found, truth) >= policy.target_recall:
            wanted = nprobe * policy.nprobe_margin
            return int(next((step for step in NPROBE_STEPS if step >= wanted), index.nlist)) if wanted < index.nlist else int(index.nlist)
    return int(index.nlist)
