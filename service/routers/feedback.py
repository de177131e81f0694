"""Members say whether an answer helped."""

from __future__ import annotations

from fastapi import APIRouter

from wuxue.errors import WuxueError
from wuxue.service.deps import AppDB
from wuxue.service.schemas import FeedbackIn, FeedbackOut

router = APIRouter(prefix="/api", tags=["反馈"])


class UnknownQueryError(WuxueError):
    code = "unknown_query"


@router.post("/feedback", response_model=FeedbackOut, status_code=201, summary="对回答点赞或点踩")
def post_feedback(body: FeedbackIn, app_db: AppDB) -> FeedbackOut:
    if not app_db.has_query(body.query_id):
        raise UnknownQueryError("找不到对应的提问记录")
    return FeedbackOut(id=app_db.add_feedback(body.query_id, body.helpful, body.comment))
