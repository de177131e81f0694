"""Feedback: a member's vote on an answer, and the admin's review of unhelpful and refused questions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FeedbackIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"query_id": "3f2c…", "helpful": False, "reason": "出处不对", "comment": ""}]})

    query_id: str = Field(min_length=1, max_length=64)
    helpful: bool
    reason: Literal["", "答非所问", "不完整", "出处不对", "其他"] = Field(default="", description="没帮助的原因（可选）")
    comment: str = Field(default="", max_length=1000)


class FeedbackOut(BaseModel):
    id: int
    helpful: bool
    reason: str


class ReviewItemOut(BaseModel):
    key: str
    question: str
    count: int
    refused: int
    unhelpful: int
    reasons: dict[str, int]
    comments: list[str]
    answer: str
    found: bool
    first_at: float
    last_at: float
    handled: bool
    handled_at: float | None
    handled_by: str
    query_ids: list[str]


class ReviewOut(BaseModel):
    retention_days: int | None
    items: list[ReviewItemOut]


class HandledIn(BaseModel):
    handled: bool = True


class HandledOut(BaseModel):
    key: str
    handled: bool


class DeletedOut(BaseModel):
    key: str
    deleted: int
