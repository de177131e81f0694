"""CSRF protection for requests authenticated by the session cookie.

The page gets a second, script-readable cookie whose value is derived from the session token;
every state-changing request that rides on the session cookie must echo it in ``X-CSRF-Token``.
Another site can make the browser send cookies but cannot read them, so it cannot echo the value
(OWASP "signed double-submit cookie"). Bearer-token API calls carry no ambient credentials and
need no token.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request, Response
from fastapi.responses import JSONResponse

CSRF_COOKIE = "wuxue_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token_for(session_token: str) -> str:
    """A one-way function of the session token: revealing it does not reveal the session."""
    return hashlib.sha256(b"wuxue-csrf\x00" + session_token.encode()).hexdigest()[:32]


def needs_check(request: Request, session_cookie: str) -> bool:
    if request.method in SAFE_METHODS:
        return False
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return False
    return bool(request.cookies.get(session_cookie))


def passes(request: Request, session_cookie: str) -> bool:
    expected = csrf_token_for(request.cookies.get(session_cookie, ""))
    return hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), expected)


def refusal() -> Response:
    return JSONResponse({"error": {"code": "csrf_failed", "message": "页面校验已失效，请刷新页面后重试（CSRF 校验失败）"}},
                        status_code=403)


def set_csrf_cookie(response: Response, session_token: str, *, max_age: int) -> None:
    response.set_cookie(CSRF_COOKIE, csrf_token_for(session_token), httponly=False, samesite="strict", max_age=max_age, path="/")
