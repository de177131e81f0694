"""Admin: upload documents and new versions, edit metadata, delete, restore and purge — all as background jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field

from wuxue.catalog import document_catalog
from wuxue.errors import WuxueError
from wuxue.history import DocumentVersion
from wuxue.ingest.manifest import KINDS, ManifestEntry
from wuxue.ingest.pipeline import content_hash
from wuxue.knowledge_base import KnowledgeBase, entry_of
from wuxue.jobs import JobRunner
from wuxue.service.auth import Admin
from wuxue.service.deps import KB, Audit, Jobs
from wuxue.service.routers.admin_jobs import JobOut, job_out
from wuxue.users import User

router = APIRouter(prefix="/api/admin/documents", tags=["管理"])


class AcceptedFile(BaseModel):
    filename: str
    doc_id: str
    job_id: str


class RefusedFile(BaseModel):
    filename: str
    code: str
    reason: str


class UploadOut(BaseModel):
    accepted: list[AcceptedFile]
    refused: list[RefusedFile]


class CatalogOut(BaseModel):
    doc_id: str
    title: str
    status: str = Field(description="queued | running | indexed | failed | cancelled | deleted")
    status_label: str
    kind: str
    date: str
    issuer: str
    filename: str
    chunk_count: int
    version: int | None
    uploaded_by: str
    uploaded_at: float | None
    job_id: str | None
    job_kind: str | None
    done: int
    total: int
    stage: str = ""
    error: str | None


class MetadataIn(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = Field(default=None, description="、".join(KINDS))
    date: str | None = Field(default=None, max_length=40)
    issuer: str | None = Field(default=None, max_length=200)


class ParsedOut(BaseModel):
    doc_id: str
    title: str
    chars: int
    text: str


class PurgeOut(BaseModel):
    doc_id: str
    sources_deleted: int


class InvalidKindError(WuxueError):
    code = "invalid_kind"


def _safe_name(filename: str | None) -> str:
    """A display name only — never used as a path (sources are stored by content hash)."""
    return (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"


def _check_kind(kind: str | None) -> None:
    if kind and kind not in KINDS:
        raise InvalidKindError(f"文档类型应为：{'、'.join(KINDS)}")


async def _read_bounded(upload: UploadFile, kb: KnowledgeBase) -> bytes:
    """At most one byte past the size limit: enough for the core's check to refuse it (文件过大),
    never a whole oversized file in memory."""
    return await upload.read(kb.settings.max_upload_bytes + 1)


def _accept(kb: KnowledgeBase, jobs: JobRunner, data: bytes, name: str, entry: ManifestEntry, user: User, *, note: str = "") -> AcceptedFile:
    """Check now (refusals are immediate), store the source by hash, and queue the indexing job."""
    doc_id = kb.check_upload(data, name, entry)
    digest = content_hash(data)
    kb.data_dir.store_source(data, digest)
    entry = entry.model_copy(update={"doc_id": doc_id})
    job = jobs.submit("ingest", {"content_hash": digest, "filename": name, "entry": entry.model_dump(), "note": note},
                      created_by=user.username, current=name)
    return AcceptedFile(filename=name, doc_id=doc_id, job_id=job.id)


@router.get("", response_model=list[CatalogOut], summary="文档列表：状态、切块数、版本、上传人与时间")
def list_documents(kb: KB, jobs: Jobs, _: Admin) -> list[CatalogOut]:
    return [CatalogOut(**row.to_dict()) for row in document_catalog(kb, jobs.store)]


@router.get("/kinds", response_model=list[str], summary="文档类型（上传与编辑时可选）")
def document_kinds(_: Admin) -> list[str]:
    return list(KINDS)


@router.post("", response_model=UploadOut, status_code=202, summary="上传文档（可多个），后台建立索引")
async def upload_documents(
    kb: KB,
    jobs: Jobs,
    audit: Audit,
    user: Admin,
    files: Annotated[list[UploadFile], File(description="PDF、DOCX、TXT、MD、HTML")],
    title: Annotated[str | None, Form(max_length=200)] = None,
    kind: Annotated[str | None, Form()] = None,
    date: Annotated[str, Form(max_length=40)] = "",
    issuer: Annotated[str, Form(max_length=200)] = "",
) -> UploadOut:
    accepted: list[AcceptedFile] = []
    refused: list[RefusedFile] = []
    for upload in files:
        name = _safe_name(upload.filename)
        entry = ManifestEntry(file=name, title=(title or None) if len(files) == 1 else None,
                              kind=kind if kind in KINDS else "其他", date=date, issuer=issuer)
        try:
            item = _accept(kb, jobs, await _read_bounded(upload, kb), name, entry, user)
        except WuxueError as error:
            refused.append(RefusedFile(filename=name, code=error.code, reason=error.message))
            audit.record(user.username, "refuse_upload", name, code=error.code, reason=error.message)
            continue
        accepted.append(item)
        audit.record(user.username, "upload", item.doc_id, filename=name, job_id=item.job_id)
    return UploadOut(accepted=accepted, refused=refused)


@router.post("/{doc_id}/versions", response_model=AcceptedFile, status_code=202,
             summary="上传新版本替换文档（旧版本保留在历史中，可恢复）")
async def replace_document(doc_id: str, kb: KB, jobs: Jobs, audit: Audit, user: Admin,
                           file: Annotated[UploadFile, File(description="新版本文件")]) -> AcceptedFile:
    current = kb.document(doc_id)
    name = _safe_name(file.filename)
    entry = entry_of(current, filename=name)
    item = _accept(kb, jobs, await _read_bounded(file, kb), name, entry, user, note="上传新版本")
    audit.record(user.username, "replace", doc_id, filename=name, job_id=item.job_id)
    return item


@router.patch("/{doc_id}", response_model=JobOut, status_code=202, summary="修改标题、类型、日期、发布机关（后台重建该文档）")
def update_metadata(doc_id: str, body: MetadataIn, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    kb.document(doc_id)
    _check_kind(body.kind)
    changes = body.model_dump(exclude_none=True)
    job = jobs.submit("update_metadata", {"doc_id": doc_id, "changes": changes}, created_by=user.username, current=doc_id)
    audit.record(user.username, "update_metadata", doc_id, changes=changes, job_id=job.id)
    return job_out(job)


@router.delete("/{doc_id}", response_model=JobOut, status_code=202, summary="删除文档（从两个索引中移除；历史保留，可恢复）")
def delete_document(doc_id: str, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    kb.document(doc_id)
    job = jobs.submit("remove", {"doc_id": doc_id}, created_by=user.username, current=doc_id)
    audit.record(user.username, "delete", doc_id, job_id=job.id)
    return job_out(job)


@router.get("/{doc_id}/versions", response_model=list[DocumentVersion], summary="版本历史（最新在前）")
def list_versions(doc_id: str, kb: KB, _: Admin) -> list[DocumentVersion]:
    return kb.history.versions(doc_id)


@router.post("/{doc_id}/versions/{version}/restore", response_model=JobOut, status_code=202, summary="恢复某一历史版本")
def restore_version(doc_id: str, version: int, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    kb.history.version(doc_id, version)
    job = jobs.submit("restore", {"doc_id": doc_id, "version": version}, created_by=user.username, current=doc_id)
    audit.record(user.username, "restore", doc_id, version=version, job_id=job.id)
    return job_out(job)


@router.delete("/{doc_id}/history", response_model=PurgeOut, summary="清除已删除文档的历史与原文件")
def purge_document(doc_id: str, kb: KB, audit: Audit, user: Admin) -> PurgeOut:
    removed = kb.purge(doc_id)
    audit.record(user.username, "purge", doc_id, sources_deleted=len(removed))
    return PurgeOut(doc_id=doc_id, sources_deleted=len(removed))


@router.get("/{doc_id}/parsed", response_model=ParsedOut, summary="解析后的全文（清洗结果预览）")
def parsed_text(doc_id: str, kb: KB, _: Admin) -> ParsedOut:
    document = kb.document(doc_id)
    text = kb.snapshot.store.document_text(doc_id) or ""
    return ParsedOut(doc_id=doc_id, title=document.title, chars=len(text), text=text)
