"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request

from wuxue.service.deps import KB
from wuxue.service.schemas.health import Health, Ready

router = APIRouter(tags=["运行状态"])


@router.get("/healthz", response_model=Health, summary="进程存活")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, summary="索引已加载")
def readyz(kb: KB) -> Ready:
    snapshot = kb.snapshot  # raises index_not_ready (503) when there is no index
    documents, chunks = snapshot.store.counts()
    return Ready(status="ready", documents=documents, chunks=chunks, manifest=snapshot.manifest.to_dict())


@router.get("/api/examples", response_model=list[str], tags=["问答"],
            summary="示例问题：只给出本服务确实能回答的问题（每次发布新索引后重新检查）")
def examples(kb: KB, request: Request) -> list[str]:
    return request.app.state.examples.current(kb)
