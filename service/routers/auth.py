"""Login for the API (bearer token) and the page (HttpOnly, SameSite cookie carrying the same token)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from wuxue.service.auth import SESSION_COOKIE, Member, get_users
from wuxue.service.csrf import CSRF_COOKIE, set_csrf_cookie
from wuxue.service.schemas.users import LoginIn, LoginOut, MeOut
from wuxue.errors import AuthError
from wuxue.users import TOKEN_LIFETIME_SECONDS

router = APIRouter(prefix="/api/auth", tags=["账号"])


@router.post("/login", response_model=LoginOut, summary="登录，返回 bearer token（页面同时获得会话 Cookie）")
def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    limiter = request.app.state.login_limiter
    key = (request.client.host if request.client else "?", body.username)
    limiter.check(key)
    users = get_users(request)
    try:
        user = users.authenticate(body.username, body.password)
    except AuthError:
        limiter.failed(key)
        raise
    limiter.succeeded(key)
    token = users.issue_token(user)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=TOKEN_LIFETIME_SECONDS, path="/")
    set_csrf_cookie(response, token, max_age=TOKEN_LIFETIME_SECONDS)
    return LoginOut(token=token, role=user.role, username=user.username)


@router.post("/logout", status_code=204, summary="退出登录")
def logout(request: Request, response: Response, user: Member) -> Response:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(SESSION_COOKIE, "")
    get_users(request).revoke(token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut, summary="当前登录用户")
def me(user: Member, request: Request, response: Response) -> MeOut:
    session = request.cookies.get(SESSION_COOKIE)
    if session and not request.cookies.get(CSRF_COOKIE):  # a page opened before the cookie existed
        set_csrf_cookie(response, session, max_age=TOKEN_LIFETIME_SECONDS)
    return MeOut(username=user.username, role=user.role)
