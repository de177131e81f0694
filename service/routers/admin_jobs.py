"""Admin: follow and cancel background jobs, start a re-index, read the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wuxue.job_payloads import ALL_DOCUMENTS, ReindexPayload
from wuxue.audit import document_titles
from wuxue.service.auth import Admin
from wuxue.service.deps import KB, Audit, Jobs
from wuxue.service.schemas.jobs import AuditOut, JobOut, job_out

router = APIRouter(prefix="/api/admin", tags=["管理"])


@router.get("/jobs", response_model=list[JobOut], summary="最近的索引任务")
def list_jobs(jobs: Jobs, _: Admin) -> list[JobOut]:
    return [job_out(job) for job in jobs.store.list()]


@router.get("/jobs/{job_id}", response_model=JobOut, summary="任务状态与进度")
def get_job(job_id: str, jobs: Jobs, _: Admin) -> JobOut:
    return job_out(jobs.store.get(job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, summary="取消任务（原索引保持不变）")
def cancel_job(job_id: str, jobs: Jobs, audit: Audit, user: Admin) -> JobOut:
    job = jobs.cancel(job_id)
    audit.record(user.username, "cancel_job", job_id, kind=job.kind)
    return job_out(job)


@router.post("/reindex", response_model=JobOut, status_code=202, summary="重建索引（full=true 从零重建）")
def reindex(jobs: Jobs, audit: Audit, user: Admin, full: bool = False) -> JobOut:
    job = jobs.enqueue(ReindexPayload(full=full), created_by=user.username, current=ALL_DOCUMENTS)
    audit.record(user.username, "reindex", "全部文档", full=full, job_id=job.id)
    return job_out(job)


@router.get("/audit", response_model=list[AuditOut], summary="管理操作日志（谁、何时、做了什么）")
def audit_log(audit: Audit, kb: KB, _: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditOut]:
    titles = document_titles(kb, audit)
    return [AuditOut(**entry.to_dict(titles)) for entry in audit.entries(limit)]
