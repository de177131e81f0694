"""Who is calling: bearer tokens for the API, the same token in an HttpOnly cookie for the page;
role guards as dependencies; a small login rate limiter."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request

from wuxue.errors import AuthError, ForbiddenError, TooManyAttemptsError
from wuxue.users import User, UserStore

SESSION_COOKIE = "wuxue_session"
MAX_TRACKED_KEYS = 10_000


class _Window:
    """Failure times per key within a sliding window."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.failures: dict[object, deque[float]] = defaultdict(deque)

    def wait(self, key: object, now: float) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        recent = self.failures.get(key)
        if not recent:
            return 0.0
        while recent and recent[0] <= now - self.seconds:
            recent.popleft()
        if not recent:
            del self.failures[key]
            return 0.0
        return recent[-self.limit] + self.seconds - now if len(recent) >= self.limit else 0.0

    def add(self, key: object, now: float) -> None:
        if len(self.failures) > MAX_TRACKED_KEYS:  # many names or clients: forget the expired ones
            for stale in [k for k, times in self.failures.items() if not times or times[-1] <= now - self.seconds]:
                del self.failures[stale]
        self.failures[key].append(now)


class LoginRateLimiter:
    """Failed logins are limited twice: per (client, user name) against guessing one password,
    and per client across all names against password spraying. Only failures count, and a
    success clears only its own (client, name) count, so one valid account cannot reset the
    client's budget."""

    def __init__(self, limit: int = 5, window: float = 60.0, *, client_limit: int = 20, client_window: float = 600.0) -> None:
        self.per_name = _Window(limit, window)
        self.per_client = _Window(client_limit, client_window)
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str]) -> None:
        with self._lock:
            now = time.monotonic()
            wait = max(self.per_name.wait(key, now), self.per_client.wait(key[0], now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttemptsError(f"登录失败次数过多，请 {seconds} 秒后再试", retry_after=seconds)

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            now = time.monotonic()
            self.per_name.add(key, now)
            self.per_client.add(key[0], now)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self.per_name.failures.pop(key, None)


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
