"""Accepting uploads: refuse a file now with its reason, or give it a new document id and queue its indexing.

Runs off the event loop (the routes call it in a worker thread) and parses each file once, in a
child process with a time limit (``wuxue.ingest.isolated``); the parsed text goes to the job.
A scan is the exception: OCR costs seconds a page, so the check only reads it until one page
yields text (a probe) and the job, which shows OCR progress page by page, reads the whole file.

Two rules protect what is already indexed:
- a new upload always becomes a new document: its id is derived from the file name and never
  one that is indexed, in the history (deleted documents) or reserved by a queued job;
- replacing a document is only the explicit 替换 action on a chosen document, which can be
  previewed (old and new side by side) before it is confirmed.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from wuxue.job_payloads import IngestPayload, payload_of
from wuxue.audit import AuditLog
from wuxue.catalog import DOCUMENT_JOBS, job_doc_id
from wuxue.errors import DuplicateDocumentError, EmptyDocumentError, FileTooLargeError, InvalidKindError, WuxueError, brief
from wuxue.index.store import StoredDocument
from wuxue.ingest.document import Chunk
from wuxue.ingest.isolated import parse_isolated
from wuxue.ingest.manifest import KINDS, ManifestEntry
from wuxue.ingest.pipeline import ParsedFile, content_hash, default_doc_id, describe
from wuxue.jobs import Job, JobRunner
from wuxue.knowledge_base import KnowledgeBase, entry_of, writes_data
from wuxue.version_compare import VersionComparison, compare_versions, describe_side

log = logging.getLogger(__name__)
MAX_FILENAME_CHARS = 200
_CJK = re.compile(r"[\u3400-\u9fff]")
_ACCEPT_LOCK = threading.Lock()  # id allocation and job submission: two uploads never get the same id


@dataclass(frozen=True)
class Accepted:
    filename: str
    doc_id: str
    job_id: str
    title: str


@dataclass(frozen=True)
class Refused:
    filename: str
    code: str
    reason: str


@dataclass(frozen=True)
class Upload:
    """One file of a request: its display name and (at most limit + 1) bytes."""

    filename: str
    data: bytes


def display_name(filename: str | None) -> str:
    """A display name only — never used as a path (sources are stored by content hash); long names are cut."""
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    suffix = Path(name).suffix[:12]
    return name[: MAX_FILENAME_CHARS - len(suffix) - 1] + "…" + suffix


def check_kind(kind: str | None) -> None:
    if kind and kind not in KINDS:
        raise InvalidKindError(f"文档类型应为：{'、'.join(KINDS)}")


def _default_title(filename: str) -> str | None:
    """A Chinese file name is the admin's own name for the document: it is the title when none is given."""
    stem = Path(filename).stem.strip()
    return stem[:200] if _CJK.search(stem) else None


class UploadDesk:
    """Accept new documents and new versions for the admin API (and anything else that uploads)."""

    def __init__(self, kb: KnowledgeBase, jobs: JobRunner, audit: AuditLog) -> None:
        self.kb = kb
        self.jobs = jobs
        self.audit = audit

    # new documents -------------------------------------------------------------------------
    def accept_all(self, uploads: list[Upload], *, actor: str, title: str | None = None, kind: str | None = None,
                   date: str = "", issuer: str = "") -> tuple[list[Accepted], list[Refused]]:
        """Each file gets its own row: one bad file (or one bug) never hides the others' results."""
        accepted: list[Accepted] = []
        refused: list[Refused] = []
        for upload in uploads:
            entry = ManifestEntry(file=upload.filename, title=(title or None) if len(uploads) == 1 else None,
                                  kind=kind if kind in KINDS else "其他", date=date, issuer=issuer)
            try:
                item = self.accept(upload, entry, actor=actor)
            except WuxueError as error:
                refused.append(self._refuse(upload.filename, error.code, error.message, actor))
            except Exception:  # noqa: BLE001 - a refusal row and an audit entry, never a bare 500
                log.exception("accepting %s failed", upload.filename)
                refused.append(self._refuse(upload.filename, "internal_error", "内部错误：无法处理该文件（已记入服务日志）", actor))
            else:
                accepted.append(item)
        return accepted, refused

    def accept(self, upload: Upload, entry: ManifestEntry, *, actor: str) -> Accepted:
        """Refuse now (size, duplicate, unreadable, data directory) or queue the file as a new document."""
        data, name = upload.data, upload.filename
        self._check_size(data, name)
        self.kb.check_writable(len(data))
        digest = content_hash(data)
        self._refuse_duplicate(digest, name)
        parsed, chunks = self._parse(data, name)
        entry = entry.model_copy(update={"title": entry.title or _default_title(name)})
        with _ACCEPT_LOCK:
            self._refuse_duplicate(digest, name)  # another request may have taken it while we parsed
            # Queued jobs first: one that finishes meanwhile has put its id in the index and history already.
            taken = self._pending_ids() | self.kb.taken_ids()
            doc_id = default_doc_id(name, digest, taken.__contains__)
            meta = describe(parsed, entry.model_copy(update={"doc_id": doc_id}))
            entry = entry.model_copy(update={"doc_id": doc_id, "title": meta.title})
            job = self._submit(data, parsed, chunks, name, entry, actor=actor)
        self.audit.record(actor, "upload", doc_id, title=meta.title, filename=name, job_id=job.id)
        return Accepted(filename=name, doc_id=doc_id, job_id=job.id, title=meta.title)

    # new versions ----------------------------------------------------------------------------
    def preview_replacement(self, doc_id: str, upload: Upload) -> VersionComparison:
        """Old and new side by side (nothing is stored); the parse is kept for the confirmation."""
        current = self.kb.document(doc_id)
        parsed, chunks = self._checked_version(current, upload)
        self.kb.hand_over(parsed, chunks)  # confirming sends the same file again: it is not parsed twice
        current_text = self.kb.document_text(doc_id)
        old = describe_side(title=current.title, date=current.date, filename=current.filename,
                            size_bytes=self.kb.source_size(current.content_hash), text=current_text, chunks=current.chunk_count)
        new = describe_side(title=parsed.title_hint or parsed.first_line[:80], date="", filename=upload.filename,
                            size_bytes=len(upload.data), text=parsed.document.text, chunks=len(chunks))
        comparison = compare_versions(doc_id, old, current_text, new, parsed.document.text)
        if not parsed.complete:
            comparison.warnings = [w for w in comparison.warnings if not w.startswith("新文件的文字不到当前版本的一半")]
            comparison.warnings.append(f"新文件是扫描件（共 {parsed.page_count} 页）：预览只识别到第一页有文字的页为止，"
                                       "全文在确认后的索引任务中识别；上面的比较只含已识别的部分。")
        return comparison

    def replace(self, doc_id: str, upload: Upload, changes: dict[str, str], *, actor: str) -> Accepted:
        """Queue the new version of ``doc_id``, with any metadata changes made in the same step."""
        current = self.kb.document(doc_id)
        check_kind(changes.get("kind"))
        self.kb.check_writable(len(upload.data))
        parsed, chunks = self._checked_version(current, upload)
        entry = entry_of(current, filename=upload.filename).model_copy(update=changes)
        with _ACCEPT_LOCK:
            job = self._submit(upload.data, parsed, chunks, upload.filename, entry, actor=actor, note="上传新版本")
        title = entry.title or current.title
        self.audit.record(actor, "replace", doc_id, title=title, previous_title=current.title if title != current.title else None,
                          filename=upload.filename, changes=changes or None, job_id=job.id)
        return Accepted(filename=upload.filename, doc_id=doc_id, job_id=job.id, title=title)

    # parts -----------------------------------------------------------------------------------
    def _checked_version(self, current: StoredDocument, upload: Upload) -> tuple[ParsedFile, list[Chunk]]:
        self._check_size(upload.data, upload.filename)
        digest = content_hash(upload.data)
        if digest == current.content_hash:
            raise DuplicateDocumentError("已存在：新文件与当前版本内容相同", filename=upload.filename)
        self._refuse_duplicate(digest, upload.filename)
        return self._parse(upload.data, upload.filename)

    def _check_size(self, data: bytes, name: str) -> None:
        if len(data) > self.kb.settings.max_upload_bytes:
            raise FileTooLargeError(f"文件过大：超过 {self.kb.settings.max_upload_mb} MB", filename=name)

    def _parse(self, data: bytes, name: str) -> tuple[ParsedFile, list[Chunk]]:
        previewed = self.kb.handed_over(content_hash(data), name)
        parsed, chunks = previewed or parse_isolated(data, name, self.kb.chunker, timeout=self.kb.settings.parse_timeout, probe=True)
        if not chunks:
            raise EmptyDocumentError("文件中没有可用的文字内容", filename=name)
        return parsed, chunks

    def _active_jobs(self) -> list[Job]:
        return [job for job in self.jobs.store.list(limit=500) if job.kind in DOCUMENT_JOBS and job.state in ("queued", "running")]

    def _pending_ids(self) -> set[str]:
        return {doc_id for job in self._active_jobs() if (doc_id := job_doc_id(job))}

    def _refuse_duplicate(self, digest: str, name: str) -> None:
        """Content already indexed, or waiting in a queued job (the same file twice in one request), is 已存在."""
        existing = self.kb.document_with_content(digest)
        if existing is not None:
            raise DuplicateDocumentError(f"已存在：与《{existing.title}》（{existing.doc_id}）内容相同", filename=name)
        for job in self._active_jobs():
            payload = payload_of(job) if job.kind == "ingest" else None
            if isinstance(payload, IngestPayload) and payload.content_hash == digest:
                raise DuplicateDocumentError(f"已存在：与正在索引的《{payload.entry.title or payload.filename}》（{job_doc_id(job)}）内容相同",
                                             filename=name)

    @writes_data
    def _submit(self, data: bytes, parsed: ParsedFile, chunks: list[Chunk], name: str, entry: ManifestEntry, *,
                actor: str, note: str = "") -> Job:
        self.kb.store_source(data, parsed.content_hash)
        self.kb.hand_over(parsed, chunks)
        return self.jobs.enqueue(IngestPayload(content_hash=parsed.content_hash, filename=name, entry=entry, note=note),
                                created_by=actor, current=name)

    def _refuse(self, name: str, code: str, reason: str, actor: str) -> Refused:
        self.audit.record(actor, "refuse_upload", name, code=code, reason=brief(reason, 200))
        return Refused(filename=name, code=code, reason=reason)
