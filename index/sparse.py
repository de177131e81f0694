"""Sparse index: BM25 over a base segment and small delta segments, scored with corpus-wide statistics.

Why segments: bm25s (which this replaced) stores every (row, term) score precomputed with the corpus's
N, average length and document frequencies, so any change rebuilt the whole matrix — about 40 s of
the 52 s a one-document change cost at 100k chunks. Here a segment keeps raw term frequencies and
row lengths, is written once and shared (hard-linked) by later snapshots; a change adds a small
delta segment and marks replaced rows dead (tombstones). A query scores its few terms' postings
with the statistics of the live rows of all segments, so the scores are those of a full rebuild.

The arithmetic follows bm25s's Lucene variant step by step (per posting in float64, stored and
summed in float32, query terms in order), so scores are bitwise those of the bm25s index the
retrieval numbers were measured with.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

K1 = 1.2
B = 0.75
MERGE_RATIO = 0.10  # merge into one base when delta rows + dead rows exceed this share of the base rows
CACHE_POSTINGS = 2_000_000  # term contributions kept per index (12 bytes each: ~24 MB at most)
FORMAT = "wuxue-bm25-segments-1"
SEGMENTS_FILE = "segments.json"
TERMS_FILE = "terms.txt"
ARRAYS = ("ids", "lengths", "indptr", "rows", "tf")
_SEPARATOR = "\u0001"  # never inside a token (the chunk store joins tokens with it too)


class LegacySparseFormat(Exception):
    """The folder holds an index written before segments (bm25s files): rebuild it from the stored tokens."""


class Segment:
    """An immutable block of rows: postings by term (CSC: ``indptr`` over terms, ``rows``, ``tf``), row lengths, chunk ids."""

    def __init__(self, name: str, ids: np.ndarray, lengths: np.ndarray, terms: list[str], indptr: np.ndarray,
                 rows: np.ndarray, tf: np.ndarray, *, path: Path | None = None) -> None:
        self.name = name
        self.ids = ids
        self.lengths = lengths
        self.terms = terms
        self.indptr = indptr
        self.rows = rows
        self.tf = tf
        self.path = path  # the folder it was read from (a later snapshot links these files instead of writing them)
        self._vocab: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def vocab(self) -> dict[str, int]:
        if self._vocab is None:
            self._vocab = {term: column for column, term in enumerate(self.terms)}
        return self._vocab

    def postings(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, term frequencies) of the rows containing ``token``, or None."""
        column = self.vocab.get(token)
        if column is None:
            return None
        start, end = int(self.indptr[column]), int(self.indptr[column + 1])
        return self.rows[start:end], self.tf[start:end]

    def matrix(self) -> sp.csc_matrix:
        """Rows × terms term-frequency matrix (for merging)."""
        return sp.csc_matrix((np.asarray(self.tf), np.asarray(self.rows), np.asarray(self.indptr)), shape=(len(self), len(self.terms)))

    @classmethod
    def from_matrix(cls, ids: np.ndarray, lengths: np.ndarray, terms: list[str], matrix: sp.spmatrix) -> "Segment":
        csc = sp.csc_matrix(matrix)
        csc.sum_duplicates()
        tf = csc.data
        tf = tf.astype(np.uint16 if (tf.max(initial=0) < 2**16) else np.uint32)
        return cls(_new_name(), np.asarray(ids, dtype=np.int64), np.asarray(lengths, dtype=np.int32), terms,
                   csc.indptr.astype(np.int64), csc.indices.astype(np.int32), tf)

    # files --------------------------------------------------------------------
    def save(self, parent: Path) -> None:
        """Write into ``parent/name``; a segment read from disk is hard-linked (copied across devices), never rewritten."""
        target = parent / self.name
        target.mkdir(parents=True, exist_ok=True)
        files = [f"{name}.npy" for name in ARRAYS] + [TERMS_FILE]
        if self.path is not None:
            if self.path.resolve() == target.resolve():
                return  # already there (and maybe memory-mapped: never rewrite it)
            for file in files:
                try:
                    os.link(self.path / file, target / file)
                except OSError:
                    shutil.copy2(self.path / file, target / file)
            return
        for name in ARRAYS:
            np.save(target / f"{name}.npy", np.asarray(getattr(self, name)), allow_pickle=False)
        (target / TERMS_FILE).write_text(_SEPARATOR.join(self.terms), encoding="utf-8")
        for file in files:
            with open(target / file, "rb") as handle:
                os.fsync(handle.fileno())
        self.path = target

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = True) -> "Segment":
        """Read a segment; the posting arrays are memory-mapped (read-only, shared by processes through the page cache)."""
        mode = "r" if mmap else None
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode=mode if name in ("rows", "tf") else None, allow_pickle=False)
                  for name in ARRAYS}
        text = (folder / TERMS_FILE).read_text(encoding="utf-8")
        terms = text.split(_SEPARATOR) if text else []
        return cls(folder.name, arrays["ids"], arrays["lengths"], terms, arrays["indptr"], arrays["rows"], arrays["tf"], path=folder)


def _new_name() -> str:
    return f"seg-{uuid.uuid4().hex[:12]}"


class SegmentWriter:
    """Builds one segment from slices of (ids, token lists), keeping integer term columns only.

    The builder tokenizes in slices so a large upload never holds every chunk's token strings;
    this keeps that promise (4 bytes per token instead of the strings).
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._ids: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._columns: list[np.ndarray] = []

    def add(self, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> None:
        vocab = self.vocab
        self._ids.append(np.asarray(ids, dtype=np.int64))
        self._lengths.append(np.fromiter((len(tokens) for tokens in token_lists), dtype=np.int32, count=len(token_lists)))
        self._columns.append(np.asarray([vocab.setdefault(t, len(vocab)) for tokens in token_lists for t in tokens], dtype=np.int32))

    def __len__(self) -> int:
        return sum(len(part) for part in self._ids)

    def finish(self) -> Segment | None:
        if not len(self):
            return None
        ids = np.concatenate(self._ids)
        lengths = np.concatenate(self._lengths)
        columns = np.concatenate(self._columns)
        if len(ids) > 1 and not (np.diff(ids) > 0).all():
            raise ValueError("segment rows must come in ascending id order")
        rows = np.repeat(np.arange(len(ids), dtype=np.int32), lengths)
        matrix = sp.csc_matrix((np.ones(len(columns), dtype=np.float32), (rows, columns)), shape=(len(ids), len(self.vocab)))
        return Segment.from_matrix(ids, lengths, list(self.vocab), matrix)


@dataclass
class _Live:
    """Per segment: compacted position of each row among all live rows (-1 = dead)."""

    positions: np.ndarray
    dead: np.ndarray  # sorted dead ids of this segment (persisted)
    offset: int  # position of the segment's first live row (rows + offset are the positions when nothing is dead)
    norm: np.ndarray | None = None  # per row k1·(1 − b + b·length/avgdl), the length part of every posting's score


class SparseIndex:
    """BM25 over segments minus tombstones; ``ids[i]`` is the chunk id of live row ``i`` (ascending, as a full rebuild orders them)."""

    def __init__(self, segments: Sequence[Segment] = (), dead: Sequence[np.ndarray] | None = None) -> None:
        self.segments = list(segments)
        dead = list(dead) if dead is not None else [np.zeros(0, dtype=np.int64) for _ in self.segments]
        self._live: list[_Live] = []
        offset = 0
        id_parts: list[np.ndarray] = []
        total_length = 0
        for segment, gone in zip(self.segments, dead):
            gone = np.unique(np.asarray(gone, dtype=np.int64))
            alive = ~np.isin(segment.ids, gone) if len(gone) else np.ones(len(segment), dtype=bool)
            positions = np.full(len(segment), -1, dtype=np.int64)
            count = int(alive.sum())
            positions[alive] = np.arange(offset, offset + count)
            self._live.append(_Live(positions, gone[np.isin(gone, segment.ids)], offset))
            offset += count
            id_parts.append(np.asarray(segment.ids)[alive])
            total_length += int(np.asarray(segment.lengths, dtype=np.int64)[alive].sum())
        self.ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64)
        if len(self.ids) > 1 and not (np.diff(self.ids) > 0).all():
            raise ValueError("live rows are not in ascending id order (a delta reused a live id)")
        self._n = len(self.ids)
        self._total_length = total_length
        # bm25s: np.array(lengths).mean() — an exact float64 sum divided by N
        self._avgdl = np.float64(total_length) / self._n if self._n else np.float64(0.0)
        if self._n:
            for segment, live in zip(self.segments, self._live):
                # elementwise the same float64 operations bm25s applies per document, so the values are identical
                live.norm = K1 * ((1 - B) + B * np.asarray(segment.lengths) / self._avgdl)
        self._terms: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()  # token -> (positions, float32 scores)
        self._cached_postings = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    # building -----------------------------------------------------------------
    @classmethod
    def build(cls, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> "SparseIndex":
        """A one-segment index (a full rebuild)."""
        writer = SegmentWriter()
        if len(ids):
            writer.add(ids, token_lists)
        segment = writer.finish()
        return cls([segment] if segment is not None else [])

    def changed(self, *, removed: Sequence[int] = (), added: Segment | None = None) -> "SparseIndex":
        """A new index: ``removed`` ids become tombstones, ``added`` a new delta segment; unchanged segments are shared."""
        removed_ids = np.asarray(removed, dtype=np.int64)
        dead = []
        for segment, live in zip(self.segments, self._live):
            hit = removed_ids[np.isin(removed_ids, segment.ids)] if len(removed_ids) else removed_ids
            dead.append(np.union1d(live.dead, hit))
        segments = list(self.segments)
        if added is not None and len(added):
            segments.append(added)
            dead.append(np.zeros(0, dtype=np.int64))
        return SparseIndex(segments, dead)

    def needs_merge(self, ratio: float = MERGE_RATIO) -> bool:
        """True when the deltas and tombstones outgrow ``ratio`` of the base (the first segment)."""
        if len(self.segments) <= 1 and not any(len(live.dead) for live in self._live):
            return False
        base = len(self.segments[0]) if self.segments else 0
        extra = sum(len(s) for s in self.segments[1:]) + sum(len(live.dead) for live in self._live)
        return extra > ratio * base

    def merged(self) -> "SparseIndex":
        """One segment holding exactly the live rows (terms found only in dead rows are dropped)."""
        terms: dict[str, int] = {}
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        lengths: list[np.ndarray] = []
        for segment, live in zip(self.segments, self._live):
            alive = np.flatnonzero(live.positions >= 0)
            if not len(alive):
                continue
            columns = np.asarray([terms.setdefault(t, len(terms)) for t in segment.terms], dtype=np.int64)
            block = segment.matrix().tocsr()[alive]
            parts.append((block.data, columns[block.indices], block.indptr, len(alive)))
            lengths.append(np.asarray(segment.lengths)[alive])
        if not parts:
            return SparseIndex()
        width = len(terms)
        blocks = [sp.csr_matrix((data, indices, indptr), shape=(count, width)) for data, indices, indptr, count in parts]
        matrix = sp.vstack(blocks, format="csc")
        used = np.flatnonzero(np.diff(matrix.indptr) > 0)
        names = list(terms)
        matrix = matrix[:, used]
        segment = Segment.from_matrix(self.ids, np.concatenate(lengths), [names[i] for i in used], matrix)
        return SparseIndex([segment])

    # queries ------------------------------------------------------------------
    def _term(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions, float32 BM25 contributions) of the live rows holding ``token``; kept in a bounded LRU.

        The index is immutable, so a term's contributions never change: a frequent question word
        costs one scatter-add afterwards, as bm25s's precomputed columns did.
        """
        with self._lock:
            cached = self._terms.get(token)
            if cached is not None:
                self._terms.move_to_end(token)
                return cached
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for segment, live in zip(self.segments, self._live):
            postings = segment.postings(token)
            if postings is None:
                continue
            rows, tf = postings
            if len(live.dead):
                positions = live.positions[rows]
                keep = positions >= 0
                rows, tf, positions = rows[keep], tf[keep], positions[keep]
            else:
                positions = rows + np.int64(live.offset)
            if len(rows):
                assert live.norm is not None
                parts.append((positions, rows, tf, live.norm))
        df = sum(len(part[0]) for part in parts)
        if not df:
            result = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        else:
            idf = np.float64(np.float32(math.log(1 + (self._n - df + 0.5) / (df + 0.5))))  # bm25s keeps idf in float32
            values = [(idf * (tf / (norm[rows] + tf))).astype(np.float32) for _, rows, tf, norm in parts]
            result = (np.concatenate([part[0] for part in parts]), np.concatenate(values))
        with self._lock:
            if token not in self._terms:
                self._terms[token] = result
                self._cached_postings += len(result[0])
            while self._cached_postings > CACHE_POSTINGS and len(self._terms) > 1:
                _, (gone, _) = self._terms.popitem(last=False)
                self._cached_postings -= len(gone)
        return result

    def warm(self, budget: int | None = None) -> int:
        """Compute the contributions of the most frequent terms now (half the cache by default); return how many terms.

        Frequent terms have the longest posting lists, so they are the expensive ones to score
        cold; rare terms are cheap. A reader calls this once after loading a snapshot.
        """
        budget = CACHE_POSTINGS // 2 if budget is None else budget
        if not self.segments or not self._n:
            return 0
        base = self.segments[0]
        sizes = np.diff(np.asarray(base.indptr))
        order = np.argsort(-sizes, kind="stable")
        within = order[: int(np.searchsorted(np.cumsum(sizes[order]), budget, side="right"))]
        for column in reversed(within.tolist()):  # the most frequent last: the least likely to be evicted
            self._term(base.terms[column])
        return len(within)

    def known(self, tokens: Sequence[str]) -> list[str]:
        return [token for token in tokens if self.document_frequency(token) > 0]

    def document_frequency(self, token: str) -> int:
        """In how many live rows the token occurs (0 when nowhere)."""
        return len(self._term(token)[0])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every live row for the query tokens (each occurrence of a query token counts, as in bm25s)."""
        scores = np.zeros(self._n, dtype=np.float32)
        for token in tokens:
            positions, values = self._term(token)
            if len(positions):
                scores[positions] += values  # positions are distinct within a term: a plain float32 add per row
        return scores

    def top(self, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows of a full score vector (positive scores only), as (scores, ids), without a Python loop."""
        k = min(k, len(scores))
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top], self.ids[top]

    def describe(self) -> dict[str, object]:
        return {"rows": self._n, "segments": [len(s) for s in self.segments], "dead": sum(len(live.dead) for live in self._live)}

    # files --------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the segment list and tombstones; segments already on disk are hard-linked from their snapshot."""
        folder.mkdir(parents=True, exist_ok=True)
        for segment in self.segments:
            segment.save(folder)
        listing = {"format": FORMAT, "k1": K1, "b": B, "rows": self._n,
                   "segments": [{"name": s.name, "rows": len(s), "dead": live.dead.tolist()} for s, live in zip(self.segments, self._live)]}
        path = folder / SEGMENTS_FILE
        path.write_text(json.dumps(listing), encoding="utf-8")
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = True) -> "SparseIndex":
        path = folder / SEGMENTS_FILE
        if not path.is_file():
            if folder.is_dir() and any(folder.iterdir()):
                raise LegacySparseFormat(str(folder))
            return cls()
        listing = json.loads(path.read_text(encoding="utf-8"))
        if listing.get("format") != FORMAT or listing.get("k1") != K1 or listing.get("b") != B:
            raise LegacySparseFormat(f"{folder}: {listing.get('format')}")
        segments = [Segment.load(folder / item["name"], mmap=mmap) for item in listing["segments"]]
        return cls(segments, [np.asarray(item["dead"], dtype=np.int64) for item in listing["segments"]])
