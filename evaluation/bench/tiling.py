"""A corpus too large to index on this machine in minutes, made by tiling a built snapshot.

``factor`` copies of a snapshot become one loadable snapshot: the chunk store repeats
every document and chunk under new ids (``doc~c``), the BM25 term frequencies are tiled
into one segment (posting lists grow ``factor`` times as they would), and every copy's vectors are the base vectors moved by random noise (cosine ≈ 0.89),
indexed by :class:`DenseIndex` under its size policy (IVF at this size). The vectors are
synthetic; the text, tokens and query path are the product's.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from wuxue.index.dense import DenseIndex
from wuxue.index.snapshot import CHUNKS_DB, DENSE, MANIFEST, SPARSE, SPARSE_BIGRAM
from wuxue.index.sparse import Segment, SparseIndex

NOISE = 0.5


def _tile_store(base: Path, target: Path, factor: int, offset: int) -> None:
    shutil.copyfile(base, target)
    db = sqlite3.connect(str(target))
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    columns_doc = [row[1] for row in db.execute("PRAGMA table_info(documents)")]
    columns_chunk = [row[1] for row in db.execute("PRAGMA table_info(chunks)")]
    for copy in range(1, factor):
        suffix = f"~{copy}"
        doc_values = ", ".join("doc_id || ?" if c == "doc_id" else c for c in columns_doc)
        db.execute(f"INSERT INTO documents ({', '.join(columns_doc)}) SELECT {doc_values} FROM documents WHERE doc_id NOT LIKE '%~%'", [suffix])
        chunk_values = []
        params: list[object] = []
        for column in columns_chunk:
            if column == "int_id":
                chunk_values.append("int_id + ?")
                params.append(copy * offset)
            elif column in ("doc_id",):
                chunk_values.append("doc_id || ?")
                params.append(suffix)
            elif column == "chunk_id":
                chunk_values.append("doc_id || ? || '#' || ordinal")
                params.append(suffix)
            elif column in ("tokens", "bigrams"):
                chunk_values.append("''")  # the tiled BM25 matrices stand in for re-tokenizing
            else:
                chunk_values.append(column)
        db.execute(f"INSERT INTO chunks ({', '.join(columns_chunk)}) SELECT {', '.join(chunk_values)} FROM chunks WHERE int_id < ?",
                   [*params, offset])
        db.commit()
    db.close()


def _tile_sparse(base: Path, target: Path, factor: int, offset: int) -> None:
    """The base snapshot's live BM25 rows repeated ``factor`` times under shifted ids, as one segment
    (term frequencies are tiled, so N, lengths and document frequencies are the tiled corpus's own)."""
    merged = SparseIndex.load(base).merged()
    if not merged.segments:
        SparseIndex().save(target)
        return
    segment = merged.segments[0]
    matrix = sp.vstack([segment.matrix()] * factor, format="csc")
    ids = np.concatenate([np.asarray(segment.ids) + copy * offset for copy in range(factor)])
    tiled = Segment.from_matrix(ids, np.tile(np.asarray(segment.lengths), factor), segment.terms, matrix)
    SparseIndex([tiled]).save(target)


def _tile_dense(base: Path, target: Path, factor: int, offset: int, seed: int) -> dict[str, object]:
    ids, vectors = DenseIndex.load(base, mmap=False).items()
    rng = np.random.default_rng(seed)
    all_ids = [ids]
    all_vectors = [vectors]
    for copy in range(1, factor):
        noise = rng.standard_normal(vectors.shape, dtype=np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        moved = vectors + NOISE * noise
        moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        all_ids.append(ids + copy * offset)
        all_vectors.append(moved)
    del vectors
    dense = DenseIndex(all_vectors[0].shape[1])
    started = time.perf_counter()
    dense.add(np.concatenate(all_ids), np.concatenate(all_vectors))
    build_s = time.perf_counter() - started
    dense.save(target)
    return {**dense.describe(), "build_s": round(build_s, 1)}


def tile_snapshot(base_snapshot: Path, data_dir: Path, factor: int, *, seed: int = 99) -> dict[str, object]:
    """Write ``data_dir`` holding one snapshot = ``factor`` copies of ``base_snapshot``; return what was built."""
    started = time.perf_counter()
    if data_dir.exists():
        shutil.rmtree(data_dir)
    snapshot = data_dir / "snapshots" / f"tiled-x{factor}"
    snapshot.mkdir(parents=True)
    (data_dir / "sources").mkdir()
    db = sqlite3.connect(f"file:{base_snapshot / CHUNKS_DB}?mode=ro", uri=True)
    offset = int(db.execute("SELECT COALESCE(MAX(int_id), 0) + 1 FROM chunks").fetchone()[0])
    db.close()
    _tile_store(base_snapshot / CHUNKS_DB, snapshot / CHUNKS_DB, factor, offset)
    _tile_sparse(base_snapshot / SPARSE, snapshot / SPARSE, factor, offset)
    _tile_sparse(base_snapshot / SPARSE_BIGRAM, snapshot / SPARSE_BIGRAM, factor, offset)
    dense = _tile_dense(base_snapshot / DENSE, snapshot / DENSE, factor, offset, seed)
    manifest = json.loads((base_snapshot / MANIFEST).read_text(encoding="utf-8"))
    manifest.update(documents=manifest["documents"] * factor, chunks=manifest["chunks"] * factor,
                    corpus_hash=f"tiled-x{factor}-{manifest['corpus_hash'][:16]}")
    (snapshot / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    (data_dir / "CURRENT").write_text(snapshot.name, encoding="utf-8")
    return {"factor": factor, "chunks": manifest["chunks"], "documents": manifest["documents"], "dense": dense,
            "build_s": round(time.perf_counter() - started, 1)}
