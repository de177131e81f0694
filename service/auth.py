"""Who is calling: bearer tokens for the API, the same token in an HttpOnly cookie for the page;
role guards as dependencies; a small login rate limiter."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from wuxue.errors import WuxueError
from wuxue.users import AuthError, ForbiddenError, User, UserStore, login_key

SESSION_COOKIE = "wuxue_session"


class TooManyAttemptsError(WuxueError):
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds until the lockout really ends (sent as Retry-After)


class LoginRateLimiter:
    """Failed logins are limited twice: per (client, user name) against guessing one password,
    and per client across all names against password spraying. Only failures count, and a
    success clears only its own (client, name) count, so one valid account cannot reset the
    client's budget. The failures are kept in the app database (``UserStore``), so every
    process behind a load balancer enforces the same limit."""

    def __init__(self, users: UserStore, limit: int = 5, window: float = 60.0, *, client_limit: int = 20,
                 client_window: float = 600.0, clock: Callable[[], float] = time.time) -> None:
        self.users = users
        self.limit, self.window = limit, window
        self.client_limit, self.client_window = client_limit, client_window
        self.clock = clock  # wall-clock seconds: comparable between processes and machines

    def _wait(self, key: str, limit: int, window: float, now: float) -> float:
        """Seconds until ``key`` may try again: the limit-th latest failure leaves the window then."""
        nth = self.users.nth_latest_login_failure(key, limit, now - window)
        return 0.0 if nth is None else nth + window - now

    def check(self, key: tuple[str, str]) -> None:
        now = self.clock()
        wait = max(self._wait(login_key(*key), self.limit, self.window, now),
                   self._wait(login_key(key[0]), self.client_limit, self.client_window, now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttemptsError(f"登录失败次数过多，请 {seconds} 秒后再试", retry_after=seconds)

    def failed(self, key: tuple[str, str]) -> None:
        self.users.record_login_failure([login_key(*key), login_key(key[0])], self.clock(),
                                        keep_seconds=max(self.window, self.client_window))

    def succeeded(self, key: tuple[str, str]) -> None:
        self.users.clear_login_failures(login_key(*key))


def get_users(request: Request) -> UserStore:
    return request.app.state.users


def request_token(request: Request) -> str | None:
    """The bearer token, or the page's session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def optional_user(request: Request) -> User | None:
    token = request_token(request)
    return get_users(request).user_for_token(token) if token else None


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency that returns the caller, or raises 401 (no or bad login) / 403 (role too low)."""

    def dependency(request: Request) -> User:
        token = request_token(request)
        if not token:
            raise AuthError("请先登录")
        user = get_users(request).user_for_token(token)
        if not user.can(role):
            raise ForbiddenError("没有权限执行此操作")
        return user

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the OpenAPI error documentation
    return dependency


def asker(request: Request) -> User | None:
    """Asking is public on an intranet unless WUXUE_PUBLIC_ASK=false; then members must log in."""
    if request.app.state.settings.public_ask:
        return None
    return require("member")(request)


asker.required_role = "member"  # type: ignore[attr-defined]  # when WUXUE_PUBLIC_ASK=false


Member = Annotated[User, Depends(require("member"))]
Leader = Annotated[User, Depends(require("leader"))]
Admin = Annotated[User, Depends(require("admin"))]
Asker = Annotated[User | None, Depends(asker)]
