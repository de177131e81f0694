"""The edge of every request, as pure ASGI middleware: security headers, CSRF, admin authentication
and body caps — all before a byte of the body is read.

FastAPI reads (and spools to disk) a request's body before it runs the route's dependencies,
so a role guard on the route alone let anyone make the server receive a 300 MiB upload before
answering 401. This pure ASGI middleware runs first:

* a write (POST, PUT, PATCH, DELETE) under ``/api/admin`` needs an admin token — 401/403 at once;
* a body is capped by route: the upload routes at ``max_upload_request_mb``, everything else
  (JSON) at ``max_json_kb``. A declared ``Content-Length`` over the cap is refused without
  reading; a streamed body is counted and cut off the moment it passes the cap.

Refusals use the project's error shape ``{"error": {"code", "message"}}`` (413 ``request_too_large``).
Pure ASGI rather than ``@app.middleware("http")``: that wrapper reads ``receive`` in a task group,
which turns the cut-off signal into an exception group the route reports as a parse error (400).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request

from wuxue.errors import WuxueError
from wuxue.service import csrf
from wuxue.service.auth import SESSION_COOKIE, require
from wuxue.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_PREFIX = "/api/admin"
UPLOAD_ROUTES = re.compile(r"^/api/admin/documents(?:/[^/]+/versions(?:/preview)?)?/?$")


class RequestTooLargeError(HTTPException):
    """Raised from ``receive`` when a streamed body passes its cap; FastAPI passes HTTP errors through."""

    code = "request_too_large"

    def __init__(self, limit: int) -> None:
        self.message = too_large_message(limit)
        super().__init__(status_code=413, detail=self.message)


def too_large_message(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"
    return f"请求体过大：不能超过 {size}"


def body_limit(settings: Settings, method: str, path: str) -> int:
    """Bytes a request to ``path`` may carry: an upload route takes files, every other route small JSON."""
    if method == "POST" and UPLOAD_ROUTES.match(path):
        return settings.max_upload_request_bytes
    return settings.max_json_bytes


def admin_refusal(request: Request) -> tuple[int, str, str] | None:
    """(status, code, message) when the caller may not write as admin, else None — the same check as the
    routes' ``Admin`` dependency (which still runs), made before the body is read."""
    try:
        require("admin")(request)
    except WuxueError as error:
        return (403 if error.code == "forbidden" else 401), error.code, error.message
    return None


async def send_error(send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every response, refusals included."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestGuardMiddleware:
    """CSRF, admin authentication and body caps, before the body is read (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings: Settings | None = getattr(state, "settings", None)
        if settings is None:  # not started yet
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        method, path = request.method, scope["path"]
        if csrf.needs_check(request, SESSION_COOKIE) and not csrf.passes(request, SESSION_COOKIE):
            await csrf.refusal()(scope, receive, send)
            return

        if method in WRITE_METHODS and (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
            refusal = admin_refusal(request)
            if refusal is not None:
                status, code, message = refusal
                await send_error(send, status, code, message, [(b"www-authenticate", b"Bearer")] if status == 401 else None)
                return

        limit = body_limit(settings, method, path)
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                await send_error(send, 400, "invalid_request", "Content-Length 格式不正确")
                return
            if too_large:
                await send_error(send, 413, RequestTooLargeError.code, too_large_message(limit))
                return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLargeError(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except RequestTooLargeError as error:  # raised where no handler turned it into a response
            if started:
                raise
            await send_error(send, 413, error.code, error.message)
