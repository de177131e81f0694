"""Members say whether an answer helped: one choice per answer and member, which they can change."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Request, Response

from wuxue.errors import AuthError, UnknownQueryError
from wuxue.service.auth import Asker, optional_user
from wuxue.service.deps import AppDB
from wuxue.service.schemas.feedback import FeedbackIn, FeedbackOut

router = APIRouter(prefix="/api", tags=["反馈"])
CLIENT_COOKIE = "wuxue_client"
CLIENT_COOKIE_SECONDS = 365 * 24 * 3600
_CLIENT_ID = re.compile(r"^[0-9a-f]{32}$")


def client_key(request: Request, response: Response) -> str:
    """Who gives the feedback: the logged-in user, else this browser (a random id in an HttpOnly cookie)."""
    try:
        user = optional_user(request)
    except AuthError:
        user = None
    if user is not None:
        return f"user:{user.username}"
    browser = request.cookies.get(CLIENT_COOKIE, "")
    if not _CLIENT_ID.match(browser):
        browser = uuid.uuid4().hex
        response.set_cookie(CLIENT_COOKIE, browser, httponly=True, samesite="strict", max_age=CLIENT_COOKIE_SECONDS, path="/")
    return f"browser:{browser}"


@router.post("/feedback", response_model=FeedbackOut, status_code=201,
             summary="对回答点赞或点踩（每个回答一个选择，可更改；点踩可附原因）",
             responses={200: {"description": "已更改之前的选择"}})
def post_feedback(body: FeedbackIn, request: Request, response: Response, app_db: AppDB, _: Asker) -> FeedbackOut:
    if not app_db.has_query(body.query_id):
        raise UnknownQueryError("找不到对应的提问记录")
    row_id, created = app_db.set_feedback(body.query_id, client_key(request, response), body.helpful, body.reason, body.comment)
    response.status_code = 201 if created else 200
    return FeedbackOut(id=row_id, helpful=body.helpful, reason="" if body.helpful else body.reason)
