"""The FastAPI application: routers per resource, errors translated, heavy resources loaded once in the lifespan."""

from __future__ import annotations

import gc
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from wuxue.answering.llm import OpenAICompatibleClient
from wuxue.answering.refusal import RefusalModel, configured_refusal_model
from wuxue.app_database import open_database
from wuxue.app_db import AppDatabase
from wuxue.audit import AuditLog, document_titles, record_job_outcome
from wuxue.jobs import Job, JobHandler, JobRunner, JobStore, knowledge_base_handlers
from wuxue.errors import WuxueError
from wuxue.examples import ExampleChips
from wuxue.index.embedders import Embedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.quiz.store import QuizStore
from wuxue.service.errors import document_error_responses, install_error_handlers
from wuxue.service.auth import LoginRateLimiter
from wuxue.service.edge import RequestGuardMiddleware, SecurityHeadersMiddleware
from wuxue.service.routers import admin_documents, admin_feedback, admin_hit_test, admin_jobs, ask, auth, documents, feedback, health, quiz
from wuxue.settings import Settings, load_settings
from wuxue.snapshot_follower import SnapshotFollower
from wuxue.users import UserStore

log = logging.getLogger(__name__)
QUIZ_WORKERS = 2  # quiz generations at once (CPU work in threads)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def static_dir() -> Path:
    return Path(str(resources.files("wuxue.service").joinpath("static")))


def tagged_with_runner(handlers: dict[str, JobHandler]) -> dict[str, JobHandler]:
    """Each job's result names the process that ran it (``runner``: host:pid): with several writers an admin can
    tell which machine indexed a document (and the multi-process test that no job ran twice)."""
    runner = f"{socket.gethostname()}:{os.getpid()}"

    def tag(handler: JobHandler) -> JobHandler:
        def run(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
            return {**handler(job, progress), "runner": runner}
        return run

    return {kind: tag(handler) for kind, handler in handlers.items()}


def _serving_new_snapshot(app: FastAPI, kb: KnowledgeBase) -> None:
    """After the follower swapped snapshots: keep the new index out of full garbage collections (as at start-up)
    and check the example questions against it in the background."""
    gc.freeze()
    app.state.examples.warm(kb)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None, refusal: RefusalModel | None = None) -> FastAPI:
    """Build the app; settings are read at start-up (not import), the model and index load in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or load_settings()
        kb = KnowledgeBase(resolved, embedder=embedder)
        try:
            kb.load()
            kb.warm_up()
        except WuxueError as error:  # serve /healthz and a clear 503 until an index exists
            log.warning("index not loaded: %s", error.message)
        # The model and index are a few million long-lived objects: a full garbage collection walking them all
        # holds the interpreter lock for up to a second (measured while a 12 MB upload was parsed). Keep them out of it.
        gc.freeze()
        app.state.kb = kb
        app.state.refusal = refusal or configured_refusal_model(resolved.data_dir, resolved.refusal_model_path)
        app.state.examples = ExampleChips(refusal=app.state.refusal)  # checked with the model the ask route uses
        app.state.examples.warm(kb)  # each chip is asked once against the loaded index
        app.state.llm = (
            OpenAICompatibleClient(resolved.llm_base_url, model=resolved.llm_model, api_key=resolved.llm_api_key, timeout=resolved.llm_timeout)
            if resolved.llm_base_url else None
        )
        app.state.settings = resolved
        app.state.database = database = open_database(resolved)  # one connection factory for every store below
        app.state.app_db = AppDatabase(database, retention_days=resolved.query_log_days)
        app.state.users = UserStore(database)
        app.state.audit = AuditLog(database)
        app.state.login_limiter = LoginRateLimiter(app.state.users, resolved.login_failures_per_name, resolved.login_window_seconds,
                                                   client_limit=resolved.login_failures_per_client,
                                                   client_window=resolved.login_client_window_seconds)
        app.state.quiz_store = QuizStore(database)
        app.state.quiz_limiter = anyio.CapacityLimiter(QUIZ_WORKERS)
        app.state.jobs = JobRunner(JobStore(database), tagged_with_runner(knowledge_base_handlers(kb)), max_queued=resolved.max_queued_jobs,
                                   on_finish=lambda job: record_job_outcome(app.state.audit, job, document_titles(kb)))
        runs_jobs = resolved.role != "reader"  # a reader's jobs wait in the shared queue for a writer
        if not runs_jobs and resolved.database_url is None:
            log.warning("role reader on the SQLite app database in %s: jobs queued here run only if a writer uses the same "
                        "data directory; several machines share WUXUE_DATABASE_URL", resolved.data_dir)
        if runs_jobs:
            app.state.jobs.start()
        app.state.follower = SnapshotFollower(kb, resolved.snapshot_poll_seconds, on_swap=lambda _: _serving_new_snapshot(app, kb))
        app.state.follower.start()  # every role follows CURRENT: a writer's own jobs, another writer's, `wuxue ingest`
        yield
        app.state.follower.stop()
        if runs_jobs:
            app.state.jobs.stop()
        app.state.jobs.store.close()
        app.state.app_db.close()
        app.state.users.close()
        app.state.quiz_store.close()
        app.state.audit.close()
        kb.close()
        database.close()

    app = FastAPI(
        title="五学联动学习知识库",
        description="带出处的离线问答：每个回答都指向原文的文档、章节、页码与支持句。",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (ask, auth, admin_documents, admin_feedback, admin_hit_test, admin_jobs, documents, feedback, health, quiz):
        document_error_responses(module.router)
        app.include_router(module.router)

    # Pure ASGI middleware; the last added runs first. The guard (CSRF, admin login, body caps)
    # acts before any body is read; the security headers go on every response, refusals included.
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, headers=SECURITY_HEADERS)

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(static_dir() / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/quiz", include_in_schema=False)
    def quiz_page() -> FileResponse:
        return FileResponse(static_dir() / "quiz.html", media_type="text/html; charset=utf-8")

    @app.get("/admin", include_in_schema=False)
    def admin_page() -> FileResponse:
        return FileResponse(static_dir() / "admin.html", media_type="text/html; charset=utf-8")

    @app.get("/admin/feedback", include_in_schema=False)
    def admin_feedback_page() -> FileResponse:
        return FileResponse(static_dir() / "admin_feedback.html", media_type="text/html; charset=utf-8")

    return app
