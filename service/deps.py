"""Dependencies: the knowledge base and app database built in the lifespan, injected into routes.

A route that only reads the index takes ``Reader`` (snapshot, search, documents, passages); admin routes
that change it take ``KB``, the write side.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wuxue.answering.llm import ChatClient
from wuxue.answering.refusal import RefusalModel
from wuxue.app_db import AppDatabase
from wuxue.audit import AuditLog
from wuxue.jobs import JobRunner
from wuxue.knowledge_base import KnowledgeBase
from wuxue.knowledge_reader import KnowledgeReader


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_app_db(request: Request) -> AppDatabase:
    return request.app.state.app_db


def get_llm(request: Request) -> ChatClient | None:
    return request.app.state.llm


def get_refusal(request: Request) -> RefusalModel:
    return request.app.state.refusal


def get_audit(request: Request) -> AuditLog:
    return request.app.state.audit


def get_jobs(request: Request) -> JobRunner:
    return request.app.state.jobs


KB = Annotated[KnowledgeBase, Depends(get_kb)]  # routes that change the index
Reader = Annotated[KnowledgeReader, Depends(get_kb)]  # routes that only read it (the same object, read side only)
LLM = Annotated[ChatClient | None, Depends(get_llm)]
Refusal = Annotated[RefusalModel, Depends(get_refusal)]
AppDB = Annotated[AppDatabase, Depends(get_app_db)]
Audit = Annotated[AuditLog, Depends(get_audit)]
Jobs = Annotated[JobRunner, Depends(get_jobs)]
