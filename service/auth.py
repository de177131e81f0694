"""Who is calling: bearer tokens for the API, the same token in an HttpOnly cookie for the page;
role guards as dependencies; a small login rate limiter."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request

from wuxue.errors import WuxueError
from wuxue.users import AuthError, ForbiddenError, User, UserStore

SESSION_COOKIE = "wuxue_session"


class TooManyAttemptsError(WuxueError):
    code = "too_many_attempts"


class LoginRateLimiter:
    """At most ``limit`` failed logins per (client, username) within ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str]) -> None:
        with self._lock:
            recent = self._failures[key]
            while recent and recent[0] < time.monotonic() - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                raise TooManyAttemptsError("登录失败次数过多，请一分钟后再试")

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures[key].append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def get_users(request: Request) -> UserStore:
    return request.app.state.users


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def optional_user(request: Request) -> User | None:
    token = _token(request)
    return get_users(request).user_for_token(token) if token else None


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency that returns the caller, or raises 401 (no or bad login) / 403 (role too low)."""

    def dependency(request: Request) -> User:
        token = _token(request)
        if not token:
            raise AuthError("请先登录")
        user = get_users(request).user_for_token(token)
        if not user.can(role):
            raise ForbiddenError("没有权限执行此操作")
        return user

    return dependency


def asker(request: Request) -> User | None:
    """Asking is public on an intranet unless WUXUE_PUBLIC_ASK=false; then members must log in."""
    if request.app.state.settings.public_ask:
        return None
    return require("member")(request)


Member = Annotated[User, Depends(require("member"))]
Leader = Annotated[User, Depends(require("leader"))]
Admin = Annotated[User, Depends(require("admin"))]
Asker = Annotated[User | None, Depends(asker)]
