"""Chunk store (SQLite): documents, their cleaned text and outline, and chunks with offsets.

One file per snapshot; a builder writes a copy, readers open it read-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wuxue.ingest.document import Chunk, CleanDocument
from wuxue.ingest.pipeline import DocumentMeta
from wuxue.ingest.units import Unit, UnitTree, build_units, tree_from_text

_SEPARATOR = "\u0001"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    source_type TEXT NOT NULL DEFAULT '',
    page_count INTEGER,
    text TEXT NOT NULL,
    outline TEXT NOT NULL DEFAULT '[]',
    aliases TEXT NOT NULL DEFAULT '[]',
    units TEXT NOT NULL DEFAULT '[]',
    page_starts TEXT NOT NULL DEFAULT '[]',
    chunk_count INTEGER NOT NULL DEFAULT 0,
    indexed_at TEXT NOT NULL DEFAULT (datetime('now')),
    notes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
    int_id INTEGER PRIMARY KEY,
    chunk_id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '',
    page INTEGER,
    page_end INTEGER,
    sentences TEXT NOT NULL DEFAULT '[]',
    page_breaks TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    ocr_confidence REAL,
    index_text_hash TEXT NOT NULL,
    tokens TEXT NOT NULL DEFAULT '',
    bigrams TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
"""


@dataclass(frozen=True)
class StoredChunk:
    int_id: int
    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    char_start: int
    char_end: int
    section: str
    page: int | None
    page_end: int | None
    sentences: tuple[tuple[int, int], ...]
    title: str
    page_breaks: tuple[tuple[int, int], ...] = ()
    source: str = ""  # "ocr": read from a scan, may contain recognition errors
    ocr_confidence: float | None = None

    def page_at(self, offset: int) -> int | None:
        """The page of the character at ``offset`` in this chunk's text (the chunk may span pages)."""
        page = self.page
        for start, number in self.page_breaks:
            if start <= offset:
                page = number
        return page

    def to_dict(self) -> dict[str, object]:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "page_end": self.page_end,
            "text": self.text,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "source": self.source or "text",
            "ocr_confidence": self.ocr_confidence,
        }


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    title: str
    kind: str
    issuer: str
    date: str
    source: str
    filename: str
    content_hash: str
    source_type: str
    page_count: int | None
    chunk_count: int
    indexed_at: str
    aliases: list[str]
    notes: list[str] = field(default_factory=list)  # how the file was read: 按文本文件处理, OCR pages and those to proofread

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


_CHUNK_COLUMNS = ("c.int_id, c.chunk_id, c.doc_id, c.ordinal, c.text, c.char_start, c.char_end, c.section, c.page, c.page_end,"
                  " c.sentences, d.title, c.page_breaks, c.source, c.ocr_confidence")
_DOC_COLUMNS = ("doc_id, title, kind, issuer, date, source, filename, content_hash, source_type, page_count, chunk_count, indexed_at,"
                " aliases, notes")


def _document(row: Sequence[object]) -> StoredDocument:
    return StoredDocument(*row[:-2], aliases=json.loads(str(row[-2])), notes=json.loads(str(row[-1])))  # type: ignore[arg-type]


def _chunk(row: Sequence[object]) -> StoredChunk:
    sentences = tuple(tuple(pair) for pair in json.loads(str(row[10])))
    breaks = tuple(tuple(pair) for pair in json.loads(str(row[12])))
    return StoredChunk(*row[:10], sentences=sentences, title=str(row[11]), page_breaks=breaks,  # type: ignore[arg-type]
                       source=str(row[13] or ""), ocr_confidence=None if row[14] is None else float(row[14]))  # type: ignore[arg-type]


def outline_of(document: CleanDocument) -> list[dict[str, object]]:
    """Headings and articles with their offsets, for a document's table of contents."""
    return [
        {"label": p.label, "level": p.level, "kind": p.kind, "char_start": p.start, "path": list(p.section_path)}
        for p in document.paragraphs
        if p.kind in {"heading", "lead", "article"}
    ]


class ChunkStore:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.executescript(SCHEMA)
        present = {row[1] for row in self._db.execute("PRAGMA table_info(chunks)")}
        if "page_breaks" not in present and not readonly:
            # a snapshot written before the column existed: its old chunks gain it (empty) and get breaks on re-index
            self._db.execute("ALTER TABLE chunks ADD COLUMN page_breaks TEXT NOT NULL DEFAULT '[]'")
            self._db.commit()
            present.add("page_breaks")
        for column, kind in (("source", "TEXT NOT NULL DEFAULT ''"), ("ocr_confidence", "REAL")):
            if column not in present and not readonly:
                self._db.execute(f"ALTER TABLE chunks ADD COLUMN {column} {kind}")  # OCR marks came later: old chunks are text
                self._db.commit()
                present.add(column)
        document_columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        if "notes" not in document_columns and not readonly:
            self._db.execute("ALTER TABLE documents ADD COLUMN notes TEXT NOT NULL DEFAULT '[]'")
            self._db.commit()
            document_columns.add("notes")
        self._doc_columns = _DOC_COLUMNS if "notes" in document_columns else _DOC_COLUMNS.replace("aliases, notes", "aliases, '[]'")
        # an older read-only snapshot without page breaks still loads (pages then come from the chunk's first character)
        columns = _CHUNK_COLUMNS if "page_breaks" in present else _CHUNK_COLUMNS.replace("c.page_breaks", "'[]'")
        columns = columns if "source" in present else columns.replace("c.source", "''")
        self._chunk_columns = columns if "ocr_confidence" in present else columns.replace("c.ocr_confidence", "NULL")
        documents = document_columns
        for column in ("units", "page_starts"):
            if column not in documents and not readonly:
                # a snapshot written before the unit tree was kept: its documents get the tree rebuilt from their text
                self._db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT NOT NULL DEFAULT '[]'")
                self._db.commit()
                documents.add(column)
        self._has_units = {"units", "page_starts"} <= documents
        self._trees: dict[str, UnitTree] = {}

    def close(self) -> None:
        self._db.close()

    def commit(self) -> None:
        self._db.commit()

    def copy_to(self, target: Path) -> None:
        """Consistent copy through SQLite's backup API."""
        destination = sqlite3.connect(str(target))
        with destination:
            self._db.backup(destination)
        destination.close()

    # documents -------------------------------------------------------------
    def documents(self) -> list[StoredDocument]:
        rows = self._db.execute(f"SELECT {self._doc_columns} FROM documents ORDER BY rowid")
        return [_document(row) for row in rows]

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self._db.execute(f"SELECT {self._doc_columns} FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return _document(row) if row else None

    def document_by_hash(self, content_hash: str) -> StoredDocument | None:
        row = self._db.execute(f"SELECT {self._doc_columns} FROM documents WHERE content_hash = ?", [content_hash]).fetchone()
        return _document(row) if row else None

    def document_text(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return str(row[0]) if row else None

    def document_outline(self, doc_id: str) -> list[dict[str, object]]:
        row = self._db.execute("SELECT outline FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return json.loads(row[0]) if row else []

    def document_tree(self, doc_id: str) -> UnitTree | None:
        """The document's unit tree (cached); rebuilt from its text for snapshots written before trees were kept."""
        tree = self._trees.get(doc_id)
        if tree is not None:
            return tree
        columns = "text, units, page_starts" if self._has_units else "text, '[]', '[]'"
        row = self._db.execute(f"SELECT {columns} FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        if not row:
            return None
        text, units, page_starts = str(row[0]), json.loads(row[1]), [tuple(p) for p in json.loads(row[2])]
        if units:
            tree = UnitTree(text, [Unit.from_json(u) for u in units], page_starts)  # type: ignore[arg-type]
        else:
            tree = tree_from_text(text, page_starts or self._pages_from_chunks(doc_id))  # type: ignore[arg-type]
        self._trees[doc_id] = tree
        return tree

    def _pages_from_chunks(self, doc_id: str) -> list[tuple[int, int]]:
        pages: dict[int, int] = {}
        for chunk in self.chunks_of(doc_id):
            if chunk.page is not None:
                pages.setdefault(chunk.char_start, chunk.page)
            for offset, page in chunk.page_breaks:
                pages.setdefault(chunk.char_start + offset, page)
        result: list[tuple[int, int]] = []
        for offset, page in sorted(pages.items()):
            if not result or result[-1][1] != page:
                result.append((offset, page))
        return result

    def put_document(self, meta: DocumentMeta, document: CleanDocument, chunk_count: int) -> None:
        self._trees.pop(meta.doc_id, None)
        self._db.execute(
            "INSERT OR REPLACE INTO documents (doc_id, title, kind, issuer, date, source, filename, content_hash,"
            " source_type, page_count, text, outline, aliases, units, page_starts, chunk_count, notes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                meta.doc_id, meta.title, meta.kind, meta.issuer, meta.date, meta.source, meta.filename,
                meta.content_hash, meta.source_type, meta.page_count, document.text,
                json.dumps(outline_of(document), ensure_ascii=False), json.dumps(meta.aliases, ensure_ascii=False),
                json.dumps([u.to_json() for u in build_units(document)], ensure_ascii=False),
                json.dumps(document.page_starts), chunk_count, json.dumps(meta.notes, ensure_ascii=False),
            ],
        )

    def delete_document(self, doc_id: str) -> list[int]:
        """Remove a document and its chunks; return the removed chunks' integer ids."""
        ids = [int(row[0]) for row in self._db.execute("SELECT int_id FROM chunks WHERE doc_id = ?", [doc_id])]
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc_id])
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])
        self._trees.pop(doc_id, None)
        return ids

    # chunks ----------------------------------------------------------------
    def next_int_id(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(int_id), 0) + 1 FROM chunks").fetchone()[0])

    def put_chunks(self, doc_id: str, chunks: Sequence[Chunk], int_ids: Sequence[int], index_hashes: Sequence[str],
                   tokens: Mapping[str, Sequence[list[str]]]) -> None:
        """Insert chunks with their lexical tokens per analyzer (``words`` and ``bigrams``)."""
        self._db.executemany(
            "INSERT INTO chunks (int_id, chunk_id, doc_id, ordinal, text, char_start, char_end, section, page, page_end,"
            " sentences, page_breaks, source, ocr_confidence, index_text_hash, tokens, bigrams) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    int_id, f"{doc_id}#{chunk.ordinal}", doc_id, chunk.ordinal, chunk.text, chunk.char_start,
                    chunk.char_end, chunk.section, chunk.page, chunk.page_end, json.dumps(chunk.sentences),
                    json.dumps(chunk.page_breaks), chunk.source, chunk.ocr_confidence, index_hash, _SEPARATOR.join(words),
                    _SEPARATOR.join(bigrams),
                )
                for chunk, int_id, index_hash, words, bigrams in zip(chunks, int_ids, index_hashes, tokens["words"], tokens["bigrams"])
            ],
        )

    def chunks_by_int_ids(self, int_ids: Iterable[int]) -> dict[int, StoredChunk]:
        ids = [int(i) for i in int_ids]
        found: dict[int, StoredChunk] = {}
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT {self._chunk_columns} FROM chunks c JOIN documents d USING (doc_id) WHERE c.int_id IN ({marks})", batch
            )
            found.update((int(row[0]), _chunk(row)) for row in rows)
        return found

    def chunk(self, chunk_id: str) -> StoredChunk | None:
        row = self._db.execute(
            f"SELECT {self._chunk_columns} FROM chunks c JOIN documents d USING (doc_id) WHERE c.chunk_id = ?", [chunk_id]
        ).fetchone()
        return _chunk(row) if row else None

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        rows = self._db.execute(
            f"SELECT {self._chunk_columns} FROM chunks c JOIN documents d USING (doc_id) WHERE c.doc_id = ? ORDER BY c.ordinal", [doc_id]
        )
        return [_chunk(row) for row in rows]

    def int_ids_of(self, doc_ids: Iterable[str]) -> list[int]:
        docs = list(doc_ids)
        marks = ",".join("?" * len(docs))
        return [int(row[0]) for row in self._db.execute(f"SELECT int_id FROM chunks WHERE doc_id IN ({marks})", docs)]

    def doc_ids_by_int_id(self) -> dict[int, str]:
        return {int(i): str(d) for i, d in self._db.execute("SELECT int_id, doc_id FROM chunks")}

    def all_tokens(self, analyzer: str = "words") -> tuple[list[int], list[list[str]]]:
        """Every chunk's stored tokens for one analyzer, ordered by integer id."""
        column = {"words": "tokens", "bigrams": "bigrams"}[analyzer]
        ids: list[int] = []
        tokens: list[list[str]] = []
        shared: dict[str, str] = {}  # one string object per distinct token: millions of repeats cost pointers only
        for int_id, joined in self._db.execute(f"SELECT int_id, {column} FROM chunks ORDER BY int_id"):
            ids.append(int(int_id))
            tokens.append([shared.setdefault(t, t) for t in joined.split(_SEPARATOR)] if joined else [])
        return ids, tokens

    def counts(self) -> tuple[int, int]:
        docs = int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        chunks = int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        return docs, chunks

    def corpus_hash(self) -> str:
        import hashlib

        digest = hashlib.sha256()
        for doc_id, content_hash in self._db.execute("SELECT doc_id, content_hash FROM documents ORDER BY doc_id"):
            digest.update(f"{doc_id}:{content_hash}\n".encode())
        return digest.hexdigest()
