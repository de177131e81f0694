"""Liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    documents: int
    chunks: int
    manifest: dict[str, object]
    role: str = Field(default="all", description="all | reader | writer（WUXUE_ROLE / `wuxue serve --role`）")
    snapshot: str = Field(default="", description="正在服务的索引快照")
    published: str | None = Field(default=None, description="CURRENT 指向的最新快照；与 snapshot 不同表示正在切换或加载失败")
    snapshot_error: str | None = Field(default=None, description="最新快照未能加载的原因（仍用 snapshot 回答）")
