"""Background jobs as the admin follows them, and the audit log of admin actions."""

from __future__ import annotations

from pydantic import BaseModel

from wuxue.jobs import Job


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
    note: str = ""


class AuditOut(BaseModel):
    id: int
    at: float
    actor: str
    action: str
    action_label: str
    target: str
    detail: dict[str, object]
    text: str = ""  # the entry as one readable Chinese line, documents named by title


def job_out(job: Job) -> JobOut:
    return JobOut(**job.to_dict())
