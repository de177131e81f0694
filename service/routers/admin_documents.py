"""Admin: upload documents and new versions, edit metadata, delete, restore and purge — all as background jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool

from wuxue.job_payloads import RemovePayload, RestorePayload, UpdateMetadataPayload
from wuxue.catalog import document_catalog
from wuxue.history import DocumentVersion
from wuxue.ingest.manifest import KINDS
from wuxue.knowledge_base import KnowledgeBase
from wuxue.service.auth import Admin
from wuxue.service.deps import KB, Audit, Jobs
from wuxue.service.schemas.admin_documents import (
    DATE_CHARS,
    ISSUER_CHARS,
    TITLE_CHARS,
    AcceptedFile,
    CatalogOut,
    MetadataIn,
    ParsedOut,
    PreviewOut,
    PurgeOut,
    RefusedFile,
    UploadOut,
)
from wuxue.service.schemas.jobs import JobOut, job_out
from wuxue.uploads import Upload, UploadDesk, check_kind, display_name

router = APIRouter(prefix="/api/admin/documents", tags=["管理"])


async def _read_bounded(upload: UploadFile, kb: KnowledgeBase) -> Upload:
    """At most one byte past the size limit: enough for the core's check to refuse it (文件过大),
    never a whole oversized file in memory."""
    return Upload(display_name(upload.filename), await upload.read(kb.settings.max_upload_bytes + 1))


def _title_of(kb: KnowledgeBase, doc_id: str) -> str:
    """The title an audit entry names: the indexed document's, else the newest version's in the history."""
    document = kb.find_document(doc_id) if kb.has_index() else None
    if document is not None:
        return document.title
    versions = kb.versions(doc_id)
    return str(versions[0].meta.get("title") or doc_id) if versions else doc_id


@router.get("", response_model=list[CatalogOut], summary="文档列表：状态、切块数、版本、上传人与时间")
def list_documents(kb: KB, jobs: Jobs, _: Admin) -> list[CatalogOut]:
    return [CatalogOut(**row.to_dict()) for row in document_catalog(kb, jobs.store)]


@router.get("/kinds", response_model=list[str], summary="文档类型（上传与编辑时可选）")
def document_kinds(_: Admin) -> list[str]:
    return list(KINDS)


@router.post("", response_model=UploadOut, status_code=202, summary="上传文档（可多个）：每个文件都成为新文档，后台建立索引")
async def upload_documents(
    kb: KB,
    jobs: Jobs,
    audit: Audit,
    user: Admin,
    files: Annotated[list[UploadFile], File(description="PDF、DOCX、TXT、MD、HTML")],
    title: Annotated[str | None, Form(max_length=TITLE_CHARS)] = None,
    kind: Annotated[str | None, Form()] = None,
    date: Annotated[str, Form(max_length=DATE_CHARS)] = "",
    issuer: Annotated[str, Form(max_length=ISSUER_CHARS)] = "",
) -> UploadOut:
    """Each file gets its own accepted or refused row. A new upload never replaces a document: use 替换 for that."""
    await run_in_threadpool(kb.check_writable)
    uploads = [await _read_bounded(upload, kb) for upload in files]
    desk = UploadDesk(kb, jobs, audit)
    accepted, refused = await run_in_threadpool(desk.accept_all, uploads, actor=user.username, title=title, kind=kind, date=date, issuer=issuer)
    return UploadOut(accepted=[AcceptedFile(**vars(item)) for item in accepted], refused=[RefusedFile(**vars(item)) for item in refused])


@router.post("/{doc_id}/versions/preview", response_model=PreviewOut,
             summary="替换前预览：当前版本与新文件并排对比（标题、日期、大小、开头几行、差异；新文件更旧时给出警告）")
async def preview_replacement(doc_id: str, kb: KB, jobs: Jobs, audit: Audit, _: Admin,
                              file: Annotated[UploadFile, File(description="新版本文件")]) -> PreviewOut:
    upload = await _read_bounded(file, kb)
    comparison = await run_in_threadpool(UploadDesk(kb, jobs, audit).preview_replacement, doc_id, upload)
    return PreviewOut(**comparison.to_dict())


@router.post("/{doc_id}/versions", response_model=AcceptedFile, status_code=202,
             summary="确认替换：上传新版本（可同时修改元数据；旧版本保留在历史中，可恢复）")
async def replace_document(doc_id: str, kb: KB, jobs: Jobs, audit: Audit, user: Admin,
                           file: Annotated[UploadFile, File(description="新版本文件")],
                           title: Annotated[str | None, Form(min_length=1, max_length=TITLE_CHARS)] = None,
                           kind: Annotated[str | None, Form()] = None,
                           date: Annotated[str | None, Form(max_length=DATE_CHARS)] = None,
                           issuer: Annotated[str | None, Form(max_length=ISSUER_CHARS)] = None) -> AcceptedFile:
    await run_in_threadpool(kb.check_writable)
    upload = await _read_bounded(file, kb)
    changes = {name: value for name, value in {"title": title, "kind": kind, "date": date, "issuer": issuer}.items() if value is not None}
    item = await run_in_threadpool(UploadDesk(kb, jobs, audit).replace, doc_id, upload, changes, actor=user.username)
    return AcceptedFile(**vars(item))


@router.patch("/{doc_id}", response_model=JobOut, status_code=202, summary="修改标题、类型、日期、发布机关（后台重建该文档）")
def update_metadata(doc_id: str, body: MetadataIn, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    current = kb.document(doc_id)
    check_kind(body.kind)
    changes = body.model_dump(exclude_none=True)
    job = jobs.enqueue(UpdateMetadataPayload(doc_id=doc_id, changes=changes), created_by=user.username, current=doc_id)
    audit.record(user.username, "update_metadata", doc_id, title=current.title, changes=changes, job_id=job.id)
    return job_out(job)


@router.delete("/{doc_id}", response_model=JobOut, status_code=202, summary="删除文档（从两个索引中移除；历史保留，可恢复）")
def delete_document(doc_id: str, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    current = kb.document(doc_id)
    job = jobs.enqueue(RemovePayload(doc_id=doc_id), created_by=user.username, current=doc_id)
    audit.record(user.username, "delete", doc_id, title=current.title, job_id=job.id)
    return job_out(job)


@router.get("/{doc_id}/versions", response_model=list[DocumentVersion], summary="版本历史（最新在前）")
def list_versions(doc_id: str, kb: KB, _: Admin) -> list[DocumentVersion]:
    return kb.versions(doc_id)


@router.post("/{doc_id}/versions/{version}/restore", response_model=JobOut, status_code=202, summary="恢复某一历史版本")
def restore_version(doc_id: str, version: int, kb: KB, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    old = kb.version(doc_id, version)
    job = jobs.enqueue(RestorePayload(doc_id=doc_id, version=version), created_by=user.username, current=doc_id)
    audit.record(user.username, "restore", doc_id, title=str(old.meta.get("title") or doc_id), version=version, job_id=job.id)
    return job_out(job)


@router.delete("/{doc_id}/history", response_model=PurgeOut, summary="清除已删除文档的历史与原文件")
def purge_document(doc_id: str, kb: KB, audit: Audit, user: Admin) -> PurgeOut:
    title = _title_of(kb, doc_id)
    removed = kb.purge(doc_id)
    audit.record(user.username, "purge", doc_id, title=title, sources_deleted=len(removed))
    return PurgeOut(doc_id=doc_id, sources_deleted=len(removed))


@router.get("/{doc_id}/parsed", response_model=ParsedOut, summary="解析后的全文（清洗结果预览）")
def parsed_text(doc_id: str, kb: KB, _: Admin) -> ParsedOut:
    document = kb.document(doc_id)
    text = kb.document_text(doc_id)
    return ParsedOut(doc_id=doc_id, title=document.title, chars=len(text), text=text)
