"""Dependencies: the knowledge base and app database built in the lifespan, injected into routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wuxue.app_db import AppDatabase
from wuxue.knowledge_base import KnowledgeBase


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_app_db(request: Request) -> AppDatabase:
    return request.app.state.app_db


KB = Annotated[KnowledgeBase, Depends(get_kb)]
AppDB = Annotated[AppDatabase, Depends(get_app_db)]
