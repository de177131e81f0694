"""Translate domain errors to HTTP: every error is ``{"error": {"code", "message"}}`` with a Chinese message."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from wuxue.errors import WuxueError

STATUS = {
    "invalid_question": 422,
    "unknown_document": 404,
    "unknown_chunk": 404,
    "unknown_query": 404,
    "index_not_ready": 503,
    "index_mismatch": 503,
    "model_not_found": 503,
    "unauthorized": 401,
    "forbidden": 403,
    "too_many_attempts": 429,
    "user_exists": 409,
    "unknown_user": 404,
    "weak_password": 422,
    "unknown_job": 404,
    "duplicate_document": 409,
    "file_too_large": 413,
    "unknown_version": 404,
    "still_indexed": 409,
    "invalid_kind": 422,
    "csrf_failed": 403,
    "unknown_quiz": 404,
    "unknown_quiz_item": 404,
    "invalid_quiz_spec": 422,
    "no_replacement": 409,
    "invalid_quiz_edit": 422,
    "quiz_source_changed": 409,
    "unknown_export_format": 422,
    "invalid_answers_mode": 422,
}
RETRY_AFTER_SECONDS = 10
_HTTP_CODES = {404: ("not_found", "请求的资源不存在"), 405: ("method_not_allowed", "不支持该请求方法")}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def _field_message(error: dict[str, object]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ())[1:]) or "请求"  # type: ignore[union-attr]
    kind = str(error.get("type", ""))
    if kind in {"missing"}:
        return f"缺少字段 {location}"
    if kind.startswith("string_too_long"):
        return f"{location} 过长"
    if kind.startswith("string_too_short"):
        return f"{location} 不能为空"
    if kind.endswith(("less_than_equal", "greater_than_equal", "less_than", "greater_than")):
        return f"{location} 超出允许范围"
    return f"{location} 格式不正确"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WuxueError)
    async def _domain(_: Request, exc: WuxueError) -> JSONResponse:
        status = STATUS.get(exc.code, 400)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status in (503, 429) else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(error_body(exc.code, exc.message), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "；".join(_field_message(e) for e in errors[:3]) or "请求格式不正确"
        return JSONResponse(error_body("invalid_request", message), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "请求失败"))
        return JSONResponse(error_body(code, message), status_code=exc.status_code)
