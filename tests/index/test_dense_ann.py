"""DenseIndex: exact below the policy limit, IVF above it, same ids, remove/reconstruct by id, memory-mapped loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wuxue.index.dense import DenseIndex, DensePolicy, recall_at
from wuxue.index.embedders import HashingEmbedder

SMALL = DensePolicy(exact_limit=300, min_lists=8, max_lists=32, points_per_list=40, tuning_queries=50)


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    """Clustered vectors like real embeddings: 40 topics, 20 noisy members each."""
    rng = np.random.default_rng(7)
    centres = _normalise(rng.standard_normal((40, 64)))
    return _normalise(np.repeat(centres, 20, axis=0) + 0.35 * rng.standard_normal((800, 64)).astype(np.float32))


def _ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64) * 5 + 11  # stable, sparse, not row numbers


def _numpy_top(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    scores = queries @ vectors.T
    return ids[np.argsort(-scores, axis=1, kind="stable")[:, :k]]


def test_small_index_is_exact_and_matches_numpy(vectors: np.ndarray) -> None:
    index = DenseIndex(64, policy=SMALL)
    ids = _ids(200)
    index.add(ids, vectors[:200])
    assert index.kind == "flat"
    queries = vectors[300:310]
    _, found = index.search(queries, 5)
    assert (found == _numpy_top(vectors[:200], ids, queries, 5)).all()


def test_grows_into_ivf_with_tuned_recall_and_keeps_ids(vectors: np.ndarray) -> None:
    index = DenseIndex(64, policy=SMALL)
    ids = _ids(800)
    index.add(ids[:200], vectors[:200])
    index.add(ids[200:], vectors[200:])
    assert index.kind == "ivf" and len(index) == 800
    assert index.nlist == SMALL.lists_for(800) and 1 <= (index.nprobe or 0) <= (index.nlist or 0)
    rng = np.random.default_rng(3)
    queries = _normalise(vectors[rng.choice(800, 60)] + 0.5 * rng.standard_normal((60, 64)).astype(np.float32))
    _, found = index.search(queries, 10)
    truth = _numpy_top(vectors, ids, queries, 10)
    assert recall_at(found, truth) >= 0.97
    _, exact = index.exact_search(queries, 10)
    assert (exact == truth).all()
    assert np.allclose(index.reconstruct(int(ids[123])), vectors[123])


def test_remove_by_id_in_ivf_and_shrink_back_to_exact(vectors: np.ndarray) -> None:
    index = DenseIndex(64, policy=SMALL)
    ids = _ids(800)
    index.add(ids, vectors)
    assert index.remove(ids[:10]) == 10
    _, found = index.search(vectors[:10], 800)
    assert not set(found.ravel().tolist()) & set(ids[:10].tolist())
    index.remove(ids[10:700])
    assert index.kind == "flat" and len(index) == 100
    _, found = index.search(vectors[750:751], 1)
    assert found[0, 0] == ids[750]


def test_allowed_ids_restrict_both_kinds(vectors: np.ndarray) -> None:
    for count in (200, 800):
        index = DenseIndex(64, policy=SMALL)
        ids = _ids(count)
        index.add(ids, vectors[:count])
        allowed = ids[50:60]
        _, found = index.search(vectors[:3], 5, allowed=allowed)
        assert set(found[found >= 0].tolist()) <= set(allowed.tolist())
        assert (found >= 0).all()


def test_full_ranking_of_ivf_is_exact(vectors: np.ndarray) -> None:
    index = DenseIndex(64, policy=SMALL)
    ids = _ids(800)
    index.add(ids, vectors)
    _, found = index.search(vectors[:2], len(index))
    assert (found >= 0).all() and sorted(found[0].tolist()) == sorted(ids.tolist())


@pytest.mark.parametrize("count", [0, 200, 800])
def test_saved_index_loads_memory_mapped_and_copies_before_change(tmp_path: Path, vectors: np.ndarray, count: int) -> None:
    index = DenseIndex(64, policy=SMALL)
    ids = _ids(count)
    index.add(ids, vectors[:count])
    path = tmp_path / "dense.faiss"
    index.save(path)
    loaded = DenseIndex.load(path, policy=SMALL)
    assert loaded.mapped and loaded.kind == index.kind and len(loaded) == count
    copy = tmp_path / "copy.faiss"
    loaded.save(copy)  # unchanged and still mapped: a complete, independent file
    path.unlink()
    assert len(DenseIndex.load(copy, mmap=False, policy=SMALL)) == count
    index.save(path)
    if count:
        assert (loaded.search(vectors[:4], 5)[1] == index.search(vectors[:4], 5)[1]).all()
        loaded.remove(ids[:1])  # would crash on a mapped FAISS index
        assert not loaded.mapped and len(loaded) == count - 1
    before = path.read_bytes()
    loaded.add(np.asarray([10**9], dtype=np.int64), vectors[:1])
    assert path.read_bytes() == before  # the snapshot file is never written through the mapping
    unmapped = DenseIndex.load(path, mmap=False, policy=SMALL)
    assert not unmapped.mapped and len(unmapped) == count


def test_items_round_trip_for_both_kinds(vectors: np.ndarray) -> None:
    for count in (200, 800):
        index = DenseIndex(64, policy=SMALL)
        index.add(_ids(count), vectors[:count])
        ids, stored = index.items()
        order = np.argsort(ids)
        assert (ids[order] == _ids(count)).all() and np.allclose(stored[order], vectors[:count])


def test_tune_sets_nprobe_under_a_new_policy(vectors: np.ndarray) -> None:
    index = DenseIndex(64, policy=SMALL)
    index.add(_ids(800), vectors)
    first = index.nprobe
    index.policy = DensePolicy(exact_limit=300, min_lists=8, max_lists=32, points_per_list=40, tuning_queries=50, target_recall=0.5, nprobe_margin=1.0)
    assert index.tune() is not None and (index.nprobe or 0) <= (first or 0)
    assert DenseIndex(64).tune() is None


def test_lists_grow_with_the_corpus() -> None:
    policy = DensePolicy()
    assert policy.lists_for(25_000) == 128 and policy.lists_for(100_000) == 256 and policy.lists_for(1_000_000) == 1024


def test_hashing_embedder_vectors_in_default_index() -> None:
    """The default policy keeps a knowledge-base-sized index exact."""
    embedder = HashingEmbedder()
    texts = [f"第{i}条 党员必须履行义务{i}" for i in range(50)]
    index = DenseIndex(embedder.dimension)
    index.add(np.arange(50, dtype=np.int64), embedder.embed(texts))
    assert index.kind == "flat"
    _, found = index.search(embedder.embed([texts[17]]), 1)
    assert found[0, 0] == 17
