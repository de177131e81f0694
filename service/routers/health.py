"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from wuxue.evaluation.datasets import gold_questions
from wuxue.service.deps import KB
from wuxue.service.schemas import Health, Ready

router = APIRouter(tags=["运行状态"])


@router.get("/healthz", response_model=Health, summary="进程存活")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, summary="索引已加载")
def readyz(kb: KB) -> Ready:
    snapshot = kb.snapshot  # raises index_not_ready (503) when there is no index
    documents, chunks = snapshot.store.counts()
    return Ready(status="ready", documents=documents, chunks=chunks, manifest=snapshot.manifest.to_dict())


@router.get("/api/examples", response_model=list[str], tags=["问答"], summary="示例问题（取自本库已收录文档）")
def examples(kb: KB) -> list[str]:
    indexed = {d.doc_id for d in kb.documents()}
    seen: set[str] = set()
    picked: list[str] = []
    for question in gold_questions():
        if question.doc_id in indexed and question.doc_id not in seen and len(question.question) <= 24:
            seen.add(question.doc_id)
            picked.append(question.question)
    return picked[:6]
