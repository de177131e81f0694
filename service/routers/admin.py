"""Admin: upload documents (indexed by the background worker), follow and cancel jobs, remove, re-index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel

from wuxue.errors import FileTooLargeError, WuxueError
from wuxue.ingest.manifest import KINDS, ManifestEntry
from wuxue.ingest.pipeline import content_hash
from wuxue.jobs import JobRunner
from wuxue.service.auth import Admin
from wuxue.service.deps import KB

router = APIRouter(prefix="/api/admin", tags=["管理"])


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


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    done: int
    total: int
    stage: str
    current: str
    error: str | None
    result: dict[str, object]
    created_by: str
    created_at: float
    updated_at: float


def _runner(request: Request) -> JobRunner:
    return request.app.state.jobs


@router.post("/documents", response_model=UploadOut, status_code=202, summary="上传文档（可多个），后台建立索引")
async def upload_documents(
    request: Request,
    kb: KB,
    user: Admin,
    files: Annotated[list[UploadFile], File(description="PDF、DOCX、TXT、MD、HTML")],
    title: Annotated[str | None, Form(max_length=200)] = None,
    kind: Annotated[str | None, Form()] = None,
    date: Annotated[str, Form(max_length=40)] = "",
    issuer: Annotated[str, Form(max_length=200)] = "",
) -> UploadOut:
    accepted: list[AcceptedFile] = []
    refused: list[RefusedFile] = []
    limit = kb.settings.max_upload_bytes
    for upload in files:
        name = (upload.filename or "upload").replace("\\\\", "/").rsplit("/", 1)[-1][:200]  # a name, never a path
        data = await upload.read(limit + 1)
        entry = ManifestEntry(file=name, title=title if len(files) == 1 else None,
                              kind=kind if kind in KINDS else "其他", date=date, issuer=issuer)
        try:
            if len(data) > limit:
                raise FileTooLargeError(f"文件过大：超过 {kb.settings.max_upload_mb} MB", filename=name)
            doc_id = kb.check_upload(data, name, entry)
        except WuxueError as error:
            refused.append(RefusedFile(filename=name, code=error.code, reason=error.message))
            continue
        digest = content_hash(data)
        kb.data_dir.store_source(data, digest)
        entry = entry.model_copy(update={"doc_id": doc_id})
        job = _runner(request).submit("ingest", {"content_hash": digest, "filename": name, "entry": entry.model_dump()},
                                      created_by=user.username, current=name)
        accepted.append(AcceptedFile(filename=name, doc_id=doc_id, job_id=job.id))
    return UploadOut(accepted=accepted, refused=refused)


@router.get("/jobs", response_model=list[JobOut], summary="最近的索引任务")
def list_jobs(request: Request, _: Admin) -> list[JobOut]:
    return [JobOut(**job.to_dict()) for job in _runner(request).store.list()]  # type: ignore[arg-type]


@router.get("/jobs/{job_id}", response_model=JobOut, summary="任务状态与进度")
def get_job(job_id: str, request: Request, _: Admin) -> JobOut:
    return JobOut(**_runner(request).store.get(job_id).to_dict())  # type: ignore[arg-type]


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, summary="取消任务（原索引保持不变）")
def cancel_job(job_id: str, request: Request, _: Admin) -> JobOut:
    return JobOut(**_runner(request).cancel(job_id).to_dict())  # type: ignore[arg-type]


@router.delete("/documents/{doc_id}", response_model=JobOut, status_code=202, summary="删除文档（从两个索引中移除）")
def delete_document(doc_id: str, request: Request, kb: KB, user: Admin) -> JobOut:
    kb.document(doc_id)
    job = _runner(request).submit("remove", {"doc_id": doc_id}, created_by=user.username, current=doc_id)
    return JobOut(**job.to_dict())  # type: ignore[arg-type]


@router.post("/reindex", response_model=JobOut, status_code=202, summary="重建索引（full=true 从零重建）")
def reindex(request: Request, user: Admin, full: bool = False) -> JobOut:
    job = _runner(request).submit("reindex", {"full": full}, created_by=user.username, current="全部文档")
    return JobOut(**job.to_dict())  # type: ignore[arg-type]
