"""Benchmark corpora from real Chinese text, grown to a target chunk count.

Real text, in this order: the bundled corpus (18 documents), CMRC 2018 dev + trial and
DRCD dev + test (converted to simplified Chinese with OpenCC). CMRC/DRCD are read from
``../shared/data`` when present (the benchmark says so) and otherwise fall back to the
shipped ``evaluation/data/cmrc2018_dev.json``; DRCD is skipped without OpenCC.
Beyond the real text, documents are repeated with perturbations (sentences rotated,
about a tenth dropped, two sentences from another document inserted), and their vectors
are derived from the real vectors of the document they copy (:class:`DerivedEmbedder`),
so only real text is ever sent to the model.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wuxue.evaluation.datasets import data_dir as shipped_data_dir
from wuxue.index.builder import index_text
from wuxue.index.embedders import Embedder
from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.manifest import MANIFEST_NAME, ManifestEntry, read_manifest

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "corpus"
SHARED = REPO.parent / "shared" / "data"
COPY_MARK = re.compile(r"（v(\d+)）")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


@dataclass(frozen=True)
class TextDoc:
    doc_id: str
    title: str
    text: str
    origin: str  # bundled / cmrc2018 / drcd / copy
    base: str | None = None  # doc_id of the document a copy was made from
    entry: dict[str, object] = field(default_factory=dict)  # extra manifest fields of bundled documents (aliases, kind …)

    @property
    def filename(self) -> str:
        return f"{self.doc_id}.txt"


@dataclass
class Sources:
    documents: list[TextDoc]
    notes: list[str] = field(default_factory=list)  # where the text came from, fallbacks taken


def bundled_documents(folder: Path = BUNDLED) -> list[TextDoc]:
    docs = []
    for name, entry in read_manifest(folder).items():
        text = (folder / name).read_text(encoding="utf-8")
        extra = entry.model_dump(include={"kind", "issuer", "date", "source", "aliases"})
        docs.append(TextDoc(entry.doc_id or Path(name).stem, entry.title or Path(name).stem, text, "bundled", entry=extra))
    return docs


def _grouped(items: Iterator[tuple[str, str]]) -> dict[str, list[str]]:
    """Paragraphs grouped by article title, in first-seen order: one document per article."""
    groups: dict[str, list[str]] = {}
    for title, text in items:
        groups.setdefault(title.strip() or "无题", []).append(text.strip())
    return groups


def cmrc_documents(shared: Path | None = SHARED) -> tuple[list[TextDoc], str]:
    files = [shared / "cmrc2018" / name for name in ("cmrc2018_dev.json", "cmrc2018_trial.json")] if shared else []
    files = [f for f in files if f.is_file()]
    note = f"CMRC 2018 dev+trial from {shared}/cmrc2018" if files else "CMRC 2018 dev from the shipped evaluation/data (../shared/data not found)"
    files = files or [shipped_data_dir() / "cmrc2018_dev.json"]
    items: list[tuple[str, str]] = []
    for path in files:
        for context in json.loads(path.read_text(encoding="utf-8")):
            items.append((context.get("title", ""), context["context_text"]))
    docs = [TextDoc(f"cmrc-{n:05d}", title, "\n\n".join(parts), "cmrc2018") for n, (title, parts) in enumerate(_grouped(iter(items)).items())]
    return docs, note


def simplified_converter():  # noqa: ANN201 - returns a callable or None
    """OpenCC traditional → simplified, or None when the optional ``bench`` extra is not installed."""
    try:
        import opencc
    except ImportError:
        return None
    try:
        return opencc.OpenCC("t2s").convert
    except Exception:  # noqa: BLE001 - older packages name the config file
        return opencc.OpenCC("t2s.json").convert


def drcd_documents(shared: Path | None = SHARED) -> tuple[list[TextDoc], str]:
    files = [shared / "drcd" / name for name in ("DRCD_dev.json", "DRCD_test.json")] if shared else []
    files = [f for f in files if f.is_file()]
    if not files:
        return [], "DRCD skipped (../shared/data/drcd not found)"
    convert = simplified_converter()
    if convert is None:
        return [], "DRCD skipped (OpenCC not installed: pip install -e .[bench])"
    items: list[tuple[str, str]] = []
    for path in files:
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            items += [(convert(article.get("title", "")), convert(p["context"])) for p in article["paragraphs"]]
    docs = [TextDoc(f"drcd-{n:05d}", title, "\n\n".join(parts), "drcd") for n, (title, parts) in enumerate(_grouped(iter(items)).items())]
    return docs, f"DRCD dev+test from {shared}/drcd, converted to simplified Chinese with OpenCC t2s"


def real_sources(*, shared: Path | None = SHARED, bundled_only: bool = False) -> Sources:
    docs = bundled_documents()
    if bundled_only:
        return Sources(docs, ["bundled corpus only"])
    cmrc, cmrc_note = cmrc_documents(shared)
    drcd, drcd_note = drcd_documents(shared)
    return Sources(docs + cmrc + drcd, ["bundled corpus (18 documents)", cmrc_note, drcd_note])


def sentences(text: str) -> list[str]:
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def perturbed_copy(doc: TextDoc, number: int, donors: Sequence[TextDoc]) -> TextDoc:
    """A new document with the same vocabulary: sentences rotated, ~10% dropped, two foreign sentences in."""
    rng = np.random.default_rng(zlib.crc32(f"{doc.doc_id}/{number}".encode()))
    parts = sentences(doc.text) or [doc.text]
    shift = int(rng.integers(len(parts)))
    parts = parts[shift:] + parts[:shift]
    parts = [s for s in parts if rng.random() > 0.1] or parts[:1]
    donor = donors[int(rng.integers(len(donors)))]
    foreign = sentences(donor.text)
    for _ in range(2):
        if foreign:
            parts.insert(int(rng.integers(len(parts) + 1)), foreign[int(rng.integers(len(foreign)))])
    paragraphs = ["".join(parts[i : i + 6]) for i in range(0, len(parts), 6)]
    return TextDoc(f"{doc.doc_id}-v{number}", f"{doc.title}（v{number}）", "\n\n".join(paragraphs), "copy", base=doc.doc_id)


def chunk_count(doc: TextDoc, chunker: ChunkerConfig) -> int:
    _, document = prepare_document(doc.text.encode("utf-8"), doc.filename, _entry(doc))
    return len(chunk_document(document, chunker))


def _entry(doc: TextDoc) -> ManifestEntry:
    return ManifestEntry(**{"source": doc.origin, **doc.entry, "file": doc.filename, "doc_id": doc.doc_id, "title": doc.title})


@dataclass
class Corpus:
    """Documents reaching a target chunk count; ``real_chunks`` of them come from real documents."""

    documents: list[TextDoc]
    chunks: int
    real_chunks: int


def grow(sources: Sources, target: int, chunker: ChunkerConfig, counts: dict[str, int]) -> Corpus:
    """Real documents in order until ``target`` chunks, then perturbed copies of them round-robin.

    ``counts`` caches chunk counts by document, text and chunker (chunking 100k chunks of text takes a while).
    """
    def count(doc: TextDoc) -> int:
        key = f"{doc.doc_id}:{zlib.crc32(doc.text.encode('utf-8')):08x}:{chunker.chunk_size}/{chunker.chunk_overlap}"
        if key not in counts:
            counts[key] = chunk_count(doc, chunker)
        return counts[key]

    picked: list[TextDoc] = []
    total = 0
    for doc in sources.documents:
        if total >= target:
            break
        picked.append(doc)
        total += count(doc)
    real = total
    bases = [d for d in picked if d.origin != "bundled"] or picked
    number = 0
    grow_copies = total < target * 0.9  # "about" the target: the bundled corpus alone (921 chunks) is the 1k size
    while grow_copies and total < target:
        number += 1
        for doc in bases:
            if total >= target:
                break
            copy = perturbed_copy(doc, number, bases)
            picked.append(copy)
            total += count(copy)
    return Corpus(picked, total, real)


def write_folder(folder: Path, docs: Sequence[TextDoc]) -> None:
    """Plain-text files plus a manifest (doc_id, title, origin) so ``ingest_paths`` indexes them as-is."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for doc in docs:
        path = folder / doc.filename
        data = doc.text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        fields = _entry(doc).model_dump(exclude_defaults=True)
        lines.append("[[documents]]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in fields.items()))
    (folder / MANIFEST_NAME).write_text("\n".join(lines), encoding="utf-8")


class DerivedEmbedder:
    """Real vectors for real text; for a perturbed copy, a real vector of the document it copies plus noise.

    A copy's index text starts with its title ``…（vN）``; its vector is one of the base
    document's real chunk vectors (picked by text hash) moved to cosine ≈ 0.89 by a
    deterministic random direction. ``model_id`` is the real model's, so the resulting
    index loads in a server running the real model.
    """

    def __init__(self, real: Embedder, documents: Sequence[TextDoc], chunker: ChunkerConfig, context_prefix: str,
                 *, noise: float = 0.5) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dimension = real.dimension
        self._copy_base = {d.title: d.base for d in documents if d.origin == "copy"}
        self._by_id = {d.doc_id: d for d in documents if d.origin != "copy"}
        self._chunker = chunker
        self._prefix = context_prefix
        self._noise = noise
        self._base_vectors: dict[str, np.ndarray] = {}
        self.derived_count = 0
        self.real_count = 0

    def base_vectors(self, doc_id: str) -> np.ndarray:
        if doc_id not in self._base_vectors:
            doc = self._by_id[doc_id]
            meta, document = prepare_document(doc.text.encode("utf-8"), doc.filename, _entry(doc))
            texts = [index_text(meta, chunk, self._prefix) for chunk in chunk_document(document, self._chunker)]
            self._base_vectors[doc_id] = self.real.embed(texts)
        return self._base_vectors[doc_id]

    def _copy_of(self, text: str) -> str | None:
        match = COPY_MARK.search(text[:200])
        if match is None:
            return None
        return self._copy_base.get(text[: match.end()].strip())

    def derive(self, base_id: str, text: str) -> np.ndarray:
        vectors = self.base_vectors(base_id)
        seed = zlib.crc32(text.encode("utf-8"))
        rng = np.random.default_rng(seed)
        direction = rng.standard_normal(self.dimension).astype(np.float32)
        vector = vectors[seed % len(vectors)] + self._noise * direction / np.linalg.norm(direction)
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        real_rows = []
        for row, text in enumerate(texts):
            base = self._copy_of(text)
            if base is None:
                real_rows.append(row)
            else:
                out[row] = self.derive(base, text)
                self.derived_count += 1
        if real_rows:
            out[real_rows] = self.real.embed([texts[r] for r in real_rows], batch_size=batch_size)
            self.real_count += len(real_rows)
        return out
