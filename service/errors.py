"""Translate domain errors to HTTP: every error is ``{"error": {"code", "message"}}`` with a Chinese message."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from wuxue import errors
from wuxue.errors import WuxueError
from wuxue.service.edge import RequestTooLargeError

# The HTTP status of each domain error, by class. Every class in wuxue.errors has an entry (a test walks
# the subclasses), so a new error cannot silently fall back to some default status.
STATUS: dict[type[WuxueError], int] = {
    errors.WuxueError: 500,  # the base class raised bare is a bug in the core
    # ingest: the file named cannot become a document
    errors.IngestError: 400,
    errors.UnsupportedTypeError: 400,
    errors.EncryptedPdfError: 400,
    errors.NoTextLayerError: 400,
    errors.NoTextRecognizedError: 400,
    errors.OcrUnavailableError: 400,
    errors.ToolMissingError: 400,
    errors.CorruptFileError: 400,
    errors.EncodingUnknownError: 400,
    errors.EmptyDocumentError: 400,
    errors.FileTooLargeError: 413,
    errors.DuplicateDocumentError: 409,
    errors.ManifestError: 400,
    errors.ParseTimeoutError: 422,
    # index and knowledge base
    errors.IndexNotReadyError: 503,
    errors.IndexMismatchError: 503,
    errors.ModelNotFoundError: 503,
    errors.DataDirNotWritableError: 507,
    errors.DatabaseUnavailableError: 503,  # the shared PostgreSQL cannot be reached
    errors.TargetNotEmptyError: 409,  # wuxue db copy into a database that already has rows
    errors.UnknownDocumentError: 404,
    errors.UnknownChunkError: 404,
    errors.UnknownQueryError: 404,
    errors.InvalidQuestionError: 422,
    errors.UnknownVersionError: 404,
    errors.StillIndexedError: 409,
    errors.InvalidKindError: 422,
    # users and login
    errors.AuthError: 401,
    errors.ForbiddenError: 403,
    errors.UserExistsError: 409,
    errors.UnknownUserError: 404,
    errors.UnknownRoleError: 422,
    errors.WeakPasswordError: 422,
    errors.TooManyAttemptsError: 429,
    # jobs
    errors.UnknownJobError: 404,
    errors.QueueFullError: 429,
    # quiz
    errors.InvalidQuizSpecError: 422,
    errors.UnknownQuizError: 404,
    errors.UnknownQuizItemError: 404,
    errors.QuizSourceChangedError: 409,
    errors.NoReplacementError: 409,
    errors.InvalidQuizEditError: 422,
    errors.ExportFormatError: 422,
    errors.AnswerModeError: 422,
}
RETRY_AFTER_SECONDS = 10
MAX_MESSAGE_CHARS = 300  # a message may quote input (an id, a file name); never all of it
_HTTP_CODES = {
    400: ("invalid_request", "请求格式不正确：无法解析请求体（multipart 格式错误，或文件名等字段过长）"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
}


def bounded(message: str) -> str:
    """Cut a message that quotes unbounded input (a 60 KB id once came back as a 60 KB message)."""
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


class ErrorDetail(BaseModel):
    code: str = Field(description="稳定的机器可读错误码，如 unauthorized、request_too_large")
    message: str = Field(description="中文说明")


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "请求无法处理（invalid_request 等）",
    401: "未登录或登录已失效（unauthorized）",
    403: "角色权限不足（forbidden）或页面校验失败（csrf_failed）",
    404: "资源不存在（unknown_document、unknown_job 等）",
    409: "与当前状态冲突（duplicate_document、still_indexed、no_replacement 等）",
    413: "请求体或文件过大（request_too_large、file_too_large）",
    422: "请求格式不正确（invalid_request 等）",
    429: "尝试过多或任务队列已满（too_many_attempts、queue_full），见 Retry-After",
    503: "索引尚未就绪或与设置不一致（index_not_ready、index_mismatch），见 Retry-After",
    507: "数据目录不可写或磁盘已满（data_dir_not_writable）",
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a route's signature does not reveal: its own refusals (login failures, conflicts).
ROUTE_ERRORS: dict[tuple[str, str], set[int]] = {
    ("POST", "/api/auth/login"): {401, 429},
    ("POST", "/api/admin/documents"): {507},
    ("POST", "/api/admin/documents/{doc_id}/versions"): {409, 507},
    ("POST", "/api/admin/documents/{doc_id}/versions/preview"): {409},
    ("DELETE", "/api/admin/documents/{doc_id}/history"): {409},
    ("POST", "/api/quiz/{quiz_id}/items/{item_id}/replace"): {409},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries for error statuses, all with the shared error schema."""
    return {status: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[status]} for status in sorted(set(statuses))}


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def route_error_statuses(route: APIRoute) -> set[int]:
    """The errors a route can answer with, read from what it depends on (login, role, index, jobs, path and body)."""
    from wuxue.service.deps import get_jobs, get_kb  # deps imports the core; keep this module light at import

    methods = route.methods or set()
    calls = list(_calls(route.dependant))
    statuses: set[int] = set()
    if any(getattr(call, "required_role", None) for call in calls):
        statuses |= {401, 403}
    if methods & WRITE_METHODS:
        statuses |= {403, 413}  # CSRF for cookie sessions; every body is capped at the edge
        if route.path.startswith("/api/admin"):
            statuses |= {401}  # the edge authenticates admin writes before the route runs
    if route.dependant.path_params:
        statuses.add(404)
    if route.body_field is not None or route.dependant.query_params or route.dependant.path_params:
        statuses.add(422)
    if get_kb in calls:
        statuses.add(503)
    if get_jobs in calls and methods & WRITE_METHODS and not route.path.endswith("/cancel"):
        statuses.add(429)  # queue_full
    for method in methods:
        statuses |= ROUTE_ERRORS.get((method, route.path), set())
    return statuses


def document_error_responses(router: APIRouter) -> None:
    """Give every route's OpenAPI entry the error responses it really returns, with the error schema.

    Call on each router before including it; a route's own ``responses`` take precedence.
    """
    for route in router.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            route.responses = {**error_responses(*route_error_statuses(route)), **route.responses}


def status_of(error: WuxueError) -> int:
    """The HTTP status of a domain error: its class's entry, else its nearest mapped base class's."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


# What a member or admin calls each request field; the API name follows in brackets for client authors.
FIELD_LABELS = {
    "question": "问题", "top_k": "检索段落数", "doc_ids": "文档范围", "history": "此前的问题", "title": "标题",
    "kind": "文档类别", "date": "日期", "issuer": "发文机关", "query_id": "问答编号", "helpful": "是否有帮助",
    "reason": "原因", "comment": "意见", "handled": "处理状态", "sections": "章节范围", "counts": "各题型数量",
    "difficulty": "难度", "seed": "随机种子", "stem": "题干", "options": "选项", "keys": "答案", "texts": "填空答案",
    "username": "用户名", "password": "密码", "q": "检索内容",
}


def _field_label(loc: Sequence[object]) -> str:
    """“问题（question）”, “此前的问题（history.2）”: the field in Chinese, its API path after it."""
    path = ".".join(str(part) for part in loc)
    if not path:
        return "请求"
    label = FIELD_LABELS.get(str(loc[0]))
    return f"{label}（{path}）" if label else path


def _field_message(error: dict[str, object]) -> str:
    location = _field_label(list(error.get("loc", ()))[1:])  # type: ignore[call-overload]
    kind = str(error.get("type", ""))
    if kind in {"missing"}:
        return f"缺少字段{location}"
    if kind.startswith("string_too_long"):
        return f"{location}过长"
    if kind.startswith("string_too_short"):
        return f"{location}不能为空"
    if kind.endswith(("less_than_equal", "greater_than_equal", "less_than", "greater_than")):
        return f"{location}超出允许范围"
    return f"{location}格式不正确"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Never a bare text/plain 500: the JSON error shape, an audit entry for admin requests, and the
        data directory named when that is what failed (a full disk fails logins too). Starlette still logs the traceback."""
        from wuxue.knowledge_base import unwritable_reason  # the core's reading of OS and SQLite errors

        reason = unwritable_reason(exc)
        if reason is not None:
            return JSONResponse(error_body("data_dir_not_writable", f"数据目录不可写：{reason}"), status_code=507)
        audit = getattr(request.app.state, "audit", None)
        if audit is not None and request.url.path.startswith("/api/admin"):
            try:
                audit.record("", "internal_error", f"{request.method} {request.url.path}"[:200], error=type(exc).__name__)
            except Exception:  # noqa: BLE001 - the audit log may be what is failing
                pass
        return JSONResponse(error_body("internal_error", "内部错误：请求未能完成（已记入服务日志）"), status_code=500)

    @app.exception_handler(WuxueError)
    async def _domain(_: Request, exc: WuxueError) -> JSONResponse:
        status = status_of(exc)
        retry_after = getattr(exc, "retry_after", None) or RETRY_AFTER_SECONDS  # the real lockout when the error knows it
        headers = {"Retry-After": str(retry_after)} if status in (503, 429) else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(error_body(exc.code, bounded(exc.message)), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "；".join(_field_message(e) for e in errors[:3]) or "请求格式不正确"
        return JSONResponse(error_body("invalid_request", message), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "请求失败"))
        if isinstance(exc, RequestTooLargeError):
            code, message = exc.code, exc.message
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)  # 405 keeps Allow
