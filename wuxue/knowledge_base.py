"""The write side of the knowledge base: collect sources, accept parsed uploads, ingest, edit, restore,
remove, purge and re-index, and the document history these changes keep.

:class:`KnowledgeBase` is a :class:`~wuxue.knowledge_reader.KnowledgeReader` (snapshot, search, documents,
passages) that can also change the index; code that only reads takes the reader.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shutil
import sqlite3
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from tqdm import tqdm

from wuxue.errors import (
    DataDirNotWritableError,
    EmptyDocumentError,
    FileTooLargeError,
    IngestError,
    StillIndexedError,
)
from wuxue.app_database import database_location
from wuxue.history import DocumentHistory, DocumentVersion
from wuxue.index.builder import BuildResult, IndexBuilder, PreparedDocument, Progress
from wuxue.index.embedders import Embedder
from wuxue.index.snapshot import IndexSnapshot
from wuxue.index.store import StoredDocument
from wuxue.ingest import chunk_document
from wuxue.ingest.document import Chunk
from wuxue.ingest.loaders import SUPPORTED_SUFFIXES
from wuxue.ingest.loaders.ocr import ocr_context
from wuxue.ingest.manifest import MANIFEST_NAME, ManifestEntry, read_manifest
from wuxue.ingest.pipeline import ParsedFile, content_hash, default_doc_id, describe, parse_file
from wuxue.knowledge_reader import KnowledgeReader
from wuxue.settings import Settings

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# Keep this much free beyond what a change itself needs: a new snapshot copies the index files.
MIN_FREE_BYTES = 64 * 1024 * 1024
# Parsed uploads waiting for their job: a few, and bounded in total text (each is rebuilt from its source if evicted).
HANDOFF_ENTRIES = 8
HANDOFF_CHARS = 20_000_000
_UNWRITABLE = {errno.EROFS: "只读文件系统", errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "磁盘配额已满",
               errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限"}


def unwritable_reason(error: BaseException) -> str | None:
    """Why the data directory cannot be written, if ``error`` says so (OS or SQLite), else None."""
    if isinstance(error, OSError) and error.errno in _UNWRITABLE:
        return _UNWRITABLE[error.errno]
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        if "readonly" in message or "read-only" in message:
            return "只读文件系统"
        if "disk is full" in message or "database or disk is full" in message:
            return "磁盘空间已满"
    return None


def writes_data(method: Callable[P, R]) -> Callable[P, R]:
    """A change that fails because the data directory is read-only or full says so (数据目录不可写), never 内部错误."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (OSError, sqlite3.OperationalError) as error:
            reason = unwritable_reason(error)
            if reason is None:
                raise
            raise DataDirNotWritableError(f"数据目录不可写：{reason}") from error

    return wrapper


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    embedded: int = 0
    chunks: int = 0
    notes: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> how it was read (按文本文件处理, OCR pages)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    entry: ManifestEntry | None


def collect_sources(paths: Iterable[Path]) -> tuple[list[SourceFile], list[dict[str, str]]]:
    """Expand folders; a folder with a manifest contributes exactly the files it lists."""
    found: list[SourceFile] = []
    skipped: list[dict[str, str]] = []
    for path in paths:
        if path.is_dir():
            manifest = read_manifest(path)
            if manifest:
                for name, entry in manifest.items():
                    found.append(SourceFile(path / name, entry))
                listed = set(manifest) | {MANIFEST_NAME}  # names, not Paths: a 40k-file folder is scanned once
                with os.scandir(path) as entries:
                    unlisted = sorted(e.name for e in entries if e.name not in listed and e.is_file())
                skipped += [{"filename": str(path / name), "reason": "未列入清单 manifest.toml"} for name in unlisted]
            else:
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))
                found += [SourceFile(p, read_manifest(p.parent).get(p.name)) for p in files]
        else:
            found.append(SourceFile(path, read_manifest(path.parent).get(path.name)))
    return found, skipped


class KnownDocuments:
    """The served snapshot's documents by id and by content hash. A folder ingest reads them in one query instead
    of two lookups per file (40k files: 1.2 s); one upload (``lazy``) just looks its file up."""

    def __init__(self, existing: IndexSnapshot | None, *, lazy: bool = False) -> None:
        self._store = existing.store if existing else None
        self._ids: dict[str, StoredDocument] | None = None
        self._hashes: dict[str, StoredDocument] | None = None
        if self._store is not None and not lazy:
            documents = self._store.documents()
            self._ids = {d.doc_id: d for d in documents}
            self._hashes = {}
            for document in documents:  # the first one stored, as a lookup by hash returns
                self._hashes.setdefault(document.content_hash, document)

    def by_id(self, doc_id: str) -> StoredDocument | None:
        if self._ids is not None:
            return self._ids.get(doc_id)
        return self._store.document(doc_id) if self._store is not None else None

    def by_hash(self, content_hash: str) -> StoredDocument | None:
        if self._hashes is not None:
            return self._hashes.get(content_hash)
        return self._store.document_by_hash(content_hash) if self._store is not None else None


class KnowledgeBase(KnowledgeReader):
    """The reader plus everything that changes the index; every change publishes a new snapshot and loads it."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        super().__init__(settings, embedder=embedder)
        self._handoff: OrderedDict[tuple[str, str], tuple[ParsedFile, list[Chunk]]] = OrderedDict()  # see hand_over()
        self._handoff_lock = threading.Lock()
        self._history: DocumentHistory | None = None

    @property
    def history(self) -> DocumentHistory:
        """Every indexed version of every document (in the app database, beside the snapshots)."""
        with self._lock:
            if self._history is None:
                self._history = DocumentHistory(database_location(self.settings))
            return self._history

    def builder(self) -> IndexBuilder:
        return IndexBuilder(self.data_dir, self.embedder, self.analyzers, self.params, batch_size=self.settings.embed_batch_size)

    def close(self) -> None:
        """Release retired snapshots and the history database."""
        super().close()
        with self._lock:
            if self._history is not None:
                self._history.close()
                self._history = None

    # versions and sources -----------------------------------------------------
    def versions(self, doc_id: str) -> list[DocumentVersion]:
        """The document's indexed versions, newest first (deleted documents too)."""
        return self.history.versions(doc_id)

    def version(self, doc_id: str, version: int) -> DocumentVersion:
        return self.history.version(doc_id, version)

    def latest_versions(self) -> dict[str, DocumentVersion]:
        """Each document's newest version, by doc_id (deleted documents too)."""
        return self.history.latest()

    def source_bytes(self, content_hash: str) -> bytes:
        """A stored source file, by the hash of its content."""
        return self.data_dir.source_path(content_hash).read_bytes()

    def source_size(self, content_hash: str) -> int:
        """Bytes of a stored source file (0 if it is missing)."""
        path = self.data_dir.source_path(content_hash)
        return path.stat().st_size if path.exists() else 0

    def store_source(self, data: bytes, content_hash: str) -> None:
        self.data_dir.store_source(data, content_hash)

    # changes ------------------------------------------------------------------
    def _existing(self) -> IndexSnapshot | None:
        return self.load() if self.has_index() else None

    def taken_ids(self) -> set[str]:
        """Ids a new document may not have: every indexed document and every one in the history (deleted ones too)."""
        return {d.doc_id for d in self.documents()} | set(self.history.latest())

    def check_writable(self, need_bytes: int = 0) -> None:
        """Refuse up front when the data directory cannot take ``need_bytes`` more (read-only, full, not ours)."""
        try:
            self.data_dir.ensure()
            probe = self.data_dir.sources / f".probe-{uuid.uuid4().hex[:8]}"
            probe.write_bytes(b"probe")
            probe.unlink()
            free = shutil.disk_usage(self.data_dir.root).free
        except OSError as error:
            raise DataDirNotWritableError(f"数据目录不可写：{unwritable_reason(error) or error.strerror or '无法写入'}") from error
        if free < need_bytes + MIN_FREE_BYTES:
            raise DataDirNotWritableError(f"数据目录不可写：磁盘剩余空间不足（剩余 {free // (1024 * 1024)} MB）")

    def hand_over(self, parsed: ParsedFile, chunks: list[Chunk]) -> None:
        """Keep a file parsed at acceptance for the job that indexes it, so the job does not parse it again."""
        with self._handoff_lock:
            self._handoff[(parsed.content_hash, parsed.filename)] = (parsed, chunks)
            while len(self._handoff) > HANDOFF_ENTRIES or (
                    len(self._handoff) > 1 and sum(len(p.document.text) for p, _ in self._handoff.values()) > HANDOFF_CHARS):
                self._handoff.popitem(last=False)

    def handed_over(self, digest: str, filename: str) -> tuple[ParsedFile, list[Chunk]] | None:
        """The parse kept for this file, if any (left in place for its job)."""
        with self._handoff_lock:
            return self._handoff.get((digest, Path(filename).name))

    def _take_handed_over(self, digest: str, filename: str) -> tuple[ParsedFile, list[Chunk]] | None:
        with self._handoff_lock:
            return self._handoff.pop((digest, Path(filename).name), None)

    @writes_data
    def ingest_paths(self, paths: Sequence[Path], *, show_progress: bool = False, actor: str = "cli") -> IngestReport:
        sources, skipped = collect_sources(paths)
        report = IngestReport(skipped=skipped)
        existing = self._existing()
        known = KnownDocuments(existing)
        prepared: list[PreparedDocument] = []
        seen_hashes: dict[str, str] = {}
        for source in tqdm(sources, desc="解析", unit="个文件", disable=not show_progress):
            try:
                data = source.path.read_bytes()
            except OSError as exc:
                report.failed.append({"filename": str(source.path), "code": "file_not_found", "reason": f"无法读取文件：{exc.strerror}"})
                continue
            self._prepare(data, source.path.name, source.entry, existing, seen_hashes, prepared, report, display=str(source.path),
                          known=known)
        return self._apply(prepared, report, show_progress=show_progress, actor=actor)

    @writes_data
    def ingest_bytes(self, data: bytes, filename: str, entry: ManifestEntry | None = None, *, on_progress: Progress | None = None,
                     actor: str = "", note: str = "") -> IngestReport:
        report = IngestReport()
        prepared: list[PreparedDocument] = []
        with ocr_context(on_progress=on_progress):  # a scan reports each recognised page to the job
            self._prepare(data, filename, entry, self._existing(), {}, prepared, report, display=filename)
        return self._apply(prepared, report, show_progress=False, on_progress=on_progress, actor=actor, note=note)

    def _identify(self, data: bytes, filename: str, entry: ManifestEntry | None) -> tuple[str, str]:
        """(content hash, doc_id) of a file within the size limit; no parsing, so unchanged files cost nothing."""
        if len(data) > self.settings.max_upload_bytes:
            raise FileTooLargeError(f"文件过大：超过 {self.settings.max_upload_mb} MB", filename=filename)
        digest = content_hash(data)
        return digest, (entry.doc_id if entry and entry.doc_id else None) or default_doc_id(filename, digest)

    def _parse(self, data: bytes, filename: str, entry: ManifestEntry | None, doc_id: str, digest: str) -> PreparedDocument:
        """Load, clean, structure and chunk (unless the upload's parse was handed over); no chunk is an error."""
        handed = self._take_handed_over(digest, filename)
        if handed and not handed[0].complete:  # an upload check's probe of a scan: the job reads (OCRs) all of it
            handed = None
        parsed, chunks = handed if handed else (parsed := parse_file(data, filename), chunk_document(parsed.document, self.chunker))
        if not chunks:
            raise EmptyDocumentError("文件中没有可用的文字内容", filename=filename)
        meta = describe(parsed, entry)
        meta.doc_id = doc_id
        return PreparedDocument(meta, parsed.document, chunks)

    def _prepare(self, data: bytes, filename: str, entry: ManifestEntry | None, existing: IndexSnapshot | None,
                 seen_hashes: dict[str, str], prepared: list[PreparedDocument], report: IngestReport, *, display: str,
                 known: KnownDocuments | None = None) -> None:
        known = known or KnownDocuments(existing, lazy=True)
        try:
            digest, doc_id = self._identify(data, filename, entry)
            if not (entry and entry.doc_id) and doc_id in seen_hashes.values():  # two files of one batch named alike
                batch_ids = set(seen_hashes.values())
                doc_id = default_doc_id(filename, digest, batch_ids.__contains__)
            current = known.by_id(doc_id)
            if current is not None and current.content_hash == digest and _same_metadata(current, entry):
                report.skipped.append({"filename": display, "doc_id": doc_id, "reason": "未变化"})
                return
            twin = known.by_hash(digest)
            if twin is not None and twin.doc_id != doc_id:
                report.skipped.append({"filename": display, "doc_id": twin.doc_id, "reason": f"已存在（与 {twin.doc_id} 内容相同）"})
                return
            if digest in seen_hashes:
                report.skipped.append({"filename": display, "doc_id": seen_hashes[digest], "reason": "已存在（本批次重复）"})
                return
            parsed = self._parse(data, filename, entry, doc_id, digest)
        except IngestError as exc:
            report.failed.append({"filename": display, "code": exc.code, "reason": exc.message})
            return
        except (DataDirNotWritableError, OSError, sqlite3.OperationalError):
            raise  # the whole change fails (ingest_bytes/ingest_paths say 数据目录不可写), not this one file
        except Exception:  # noqa: BLE001 - one file's bug never aborts the others
            log.exception("preparing %s failed", display[:200])
            report.failed.append({"filename": display, "code": "internal_error", "reason": "内部错误：无法处理该文件（已记入日志）"})
            return
        self.store_source(data, digest)
        if parsed.meta.notes:
            report.notes[doc_id] = list(parsed.meta.notes)
        seen_hashes[digest] = doc_id
        prepared.append(parsed)
        (report.updated if current is not None else report.added).append(doc_id)

    def _apply(self, prepared: list[PreparedDocument], report: IngestReport, *, show_progress: bool, on_progress: Progress | None = None,
               actor: str = "", note: str = "") -> IngestReport:
        if prepared:
            result = self.builder().apply(upserts=prepared, show_progress=show_progress, on_progress=on_progress)
            report.embedded = result.embedded
            report.chunks = result.chunks_added
            self.load()
            for item in prepared:
                meta = item.meta
                self.history.record_indexed(meta.doc_id, content_hash=meta.content_hash, filename=meta.filename,
                                            meta=vars(meta), actor=actor, note=note)
        return report

    def ingest_prepared(self, prepared: Sequence[PreparedDocument], *, show_progress: bool = False) -> BuildResult:
        """Index documents that were parsed elsewhere (benchmarks build their documents directly)."""
        result = self.builder().apply(upserts=prepared, show_progress=show_progress)
        self.load()
        return result

    @writes_data
    def remove(self, doc_id: str, *, on_progress: Progress | None = None) -> BuildResult:
        """Take a document out of both indexes; its versions stay in the history until purged."""
        self.document(doc_id)
        result = self.builder().apply(removals=[doc_id], on_progress=on_progress)
        self.load()
        self.history.mark_deleted(doc_id)
        return result

    def restore(self, doc_id: str, version: int, *, actor: str = "", on_progress: Progress | None = None) -> IngestReport:
        """Make an older (or deleted) version the indexed one again; it becomes the newest version."""
        old = self.history.version(doc_id, version)
        data = self.source_bytes(old.content_hash)
        entry = ManifestEntry.model_validate({**old.meta, "file": old.filename, "doc_id": doc_id})
        return self.ingest_bytes(data, old.filename, entry, on_progress=on_progress, actor=actor, note=f"恢复自第 {version} 版")

    def update_metadata(self, doc_id: str, changes: dict[str, str], *, actor: str = "", on_progress: Progress | None = None) -> IngestReport:
        """Change title/kind/date/issuer; chunks are rebuilt because their embedded prefix names the title."""
        stored = self.document(doc_id)
        entry = entry_of(stored).model_copy(update=changes)
        data = self.source_bytes(stored.content_hash)
        return self.ingest_bytes(data, stored.filename, entry, on_progress=on_progress, actor=actor, note="修改元数据")

    @writes_data
    def purge(self, doc_id: str) -> list[str]:
        """Forget a deleted document's history and delete source files nothing else refers to."""
        if self.has_index() and self.find_document(doc_id) is not None:
            raise StillIndexedError("文档仍在索引中：请先删除，再清除历史")
        orphans = self.history.purge(doc_id)
        indexed = {d.content_hash for d in self.documents()}
        removed = [digest for digest in orphans if digest not in indexed]
        for digest in removed:
            self.data_dir.source_path(digest).unlink(missing_ok=True)
        return removed

    @writes_data
    def reindex(self, *, full: bool = False, show_progress: bool = False, on_progress: Progress | None = None) -> BuildResult:
        """Re-parse every stored source with the current code and settings and rebuild.

        Without ``full`` the new snapshot starts from the current one (only changed
        chunks are embedded); ``full`` starts from nothing, e.g. after a model change.
        A mismatched index can only be rebuilt with ``full``.
        """
        path = self.data_dir.require_current()
        store_snapshot = IndexSnapshot.load(path) if full else self.load()
        documents = store_snapshot.store.documents()
        prepared: list[PreparedDocument] = []
        for stored in tqdm(documents, desc="解析", unit="个文件", disable=not show_progress):
            data = self.source_bytes(stored.content_hash)
            entry = entry_of(stored)
            parsed = parse_file(data, stored.filename)
            prepared.append(PreparedDocument(describe(parsed, entry), parsed.document, chunk_document(parsed.document, self.chunker)))
        if full:
            store_snapshot.close()
        result = self.builder().apply(upserts=prepared, full=full, show_progress=show_progress, on_progress=on_progress)
        self.load()
        return result


def entry_of(stored: StoredDocument, *, filename: str | None = None) -> ManifestEntry:
    """The manifest entry that re-creates a stored document's metadata (for re-index, edits and new versions)."""
    return ManifestEntry(file=filename or stored.filename, doc_id=stored.doc_id, title=stored.title, issuer=stored.issuer,
                         date=stored.date, kind=stored.kind, source=stored.source, aliases=stored.aliases)


def _same_metadata(stored: StoredDocument, entry: ManifestEntry | None) -> bool:
    if entry is None:
        return True
    return (entry.title in (None, stored.title) and entry.kind == stored.kind and entry.issuer == stored.issuer
            and entry.date == stored.date and entry.source == stored.source and entry.aliases == stored.aliases)
