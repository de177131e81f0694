"""The app database on SQLite and PostgreSQL: one schema by migrations, the same behaviour of every store,
and state shared between processes (tokens, passwords, login limits, the job queue)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wuxue.app_database import Database, database_location
from wuxue.app_db import AppDatabase, question_key
from wuxue.audit import AuditLog
from wuxue.history import DocumentHistory, StillIndexedError
from wuxue.jobs import JobStore
from wuxue.migrations import LATEST, MIGRATIONS, schema_version
from wuxue.service.auth import LoginRateLimiter, TooManyAttemptsError
from wuxue.settings import load_settings
from wuxue.sql_dialect import POSTGRESQL, SQLITE, text_epoch, upsert, utc_text
from wuxue.users import AuthError, UserExistsError, UserStore

REPO = Path(__file__).resolve().parents[2]


# ---- the dialect shim ----------------------------------------------------------------------------
def test_placeholders_become_pyformat_outside_literals_only():
    statement = "SELECT '?', \"a?\", x FROM t WHERE a = ? AND b LIKE '50%' AND c % 2 = ?"
    assert SQLITE.sql(statement) == statement
    assert POSTGRESQL.sql(statement) == "SELECT '?', \"a?\", x FROM t WHERE a = %s AND b LIKE '50%%' AND c %% 2 = %s"
    assert upsert("m", ("k",), ("a", "b")) == ("INSERT INTO m (k, a, b) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET "
                                              "a = excluded.a, b = excluded.b")


def test_stored_times_round_trip_to_unix_seconds():
    from datetime import datetime, timezone

    at = datetime(2026, 12, 2, 1, 2, 3, 456000, tzinfo=timezone.utc)
    assert utc_text(at) == "2026-12-02 01:02:03" and utc_text(at, millis=True) == "2026-12-02 01:02:03.456"
    assert text_epoch(utc_text(at, millis=True)) == pytest.approx(at.timestamp())
    assert text_epoch("2026-12-02 01:02:03") == pytest.approx(at.timestamp() - 0.456) and text_epoch("") is None


# ---- settings ------------------------------------------------------------------------------------
def test_database_url_setting_is_validated(monkeypatch, tmp_path):
    assert load_settings(data_dir=tmp_path).database_url is None
    assert database_location(load_settings(data_dir=tmp_path)) == tmp_path / "app.sqlite"
    monkeypatch.setenv("WUXUE_DATABASE_URL", "postgresql://u:secret@db.example:5432/wuxue")
    settings = load_settings(data_dir=tmp_path)
    assert database_location(settings) == "postgresql://u:secret@db.example:5432/wuxue"
    monkeypatch.setenv("WUXUE_DATABASE_URL", "mysql://u@db/wuxue")
    with pytest.raises(ValueError, match="postgresql://"):
        load_settings(data_dir=tmp_path)
    monkeypatch.setenv("WUXUE_DATABASE_URL", "postgresql://[bad")
    with pytest.raises(ValueError, match="not a valid PostgreSQL URL"):
        load_settings(data_dir=tmp_path)
    monkeypatch.setenv("WUXUE_DATABASE_URL", "")
    assert load_settings(data_dir=tmp_path).database_url is None


def test_an_unreachable_postgresql_is_one_clear_error():
    from wuxue.app_database import PostgresDatabase
    from wuxue.errors import DatabaseUnavailableError

    import wuxue.app_database as module

    original = module.CONNECT_TIMEOUT
    module.CONNECT_TIMEOUT = 2.0
    try:
        with pytest.raises(DatabaseUnavailableError) as error:
            PostgresDatabase("postgresql://nobody:pw@127.0.0.1:1/none")
    finally:
        module.CONNECT_TIMEOUT = original
    assert error.value.code == "database_unavailable" and "pw" not in error.value.message and "***" in error.value.message


def test_losing_postgresql_is_a_database_unavailable_error(pg_cluster, monkeypatch):
    """A request during an outage (or a failover) gets 503 database_unavailable to retry, not an internal error."""
    import wuxue.app_database as module
    from wuxue.errors import DatabaseUnavailableError
    from wuxue.service.errors import STATUS

    monkeypatch.setattr(module, "POOL_WAIT", 1.0)
    url = pg_cluster.new_database()
    users = UserStore(url)
    users.add("li", "member", "password1")
    pg_cluster.drop_database(url)  # ends the pool's connections; reconnecting fails
    with pytest.raises(module.DatabaseUnavailableError) as error:
        users.list()
    assert error.value.code == "database_unavailable" and STATUS[DatabaseUnavailableError] == 503
    users.close()


# ---- migrations ----------------------------------------------------------------------------------
def test_a_new_database_gets_every_migration_once(app_db_location):
    database = Database.open(app_db_location)
    assert schema_version(database) == LATEST
    with database.read() as tx:
        rows = tx.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert [tuple(row) for row in rows] == [(version, name) for version, name, _ in MIGRATIONS]
    database.close()
    again = Database.open(app_db_location)  # opening again applies nothing
    with again.read() as tx:
        assert tx.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_processes_starting_together_apply_the_migrations_once(pg_cluster):
    url = pg_cluster.new_database()
    errors: list[BaseException] = []
    opened: list[Database] = []

    def start() -> None:
        try:
            opened.append(Database.open(url))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(opened) == 6
    with opened[0].read() as tx:
        assert tx.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    for database in opened:
        database.close()
    pg_cluster.drop_database(url)


PREVIOUS_RELEASE = """
CREATE TABLE users (username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
                     expires_at REAL NOT NULL);
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
                   total INTEGER NOT NULL DEFAULT 0, stage TEXT NOT NULL DEFAULT '', current TEXT NOT NULL DEFAULT '',
                   error TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL DEFAULT '{}', result TEXT NOT NULL DEFAULT '{}',
                   created_by TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, updated_at REAL NOT NULL,
                   note TEXT NOT NULL DEFAULT '');
CREATE INDEX jobs_state_kind ON jobs(state, kind);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                        target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}');
CREATE TABLE document_versions (doc_id TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
                                filename TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL,
                                actor TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,
                                PRIMARY KEY (doc_id, version));
CREATE TABLE quiz_sets (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL,
                        updated_at REAL NOT NULL, spec TEXT NOT NULL, doc_versions TEXT NOT NULL, items TEXT NOT NULL,
                        shortfall TEXT NOT NULL, rejected TEXT NOT NULL);
CREATE TABLE queries (query_id TEXT PRIMARY KEY, question TEXT NOT NULL, found INTEGER NOT NULL, answer TEXT NOT NULL,
                      created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, query_id TEXT NOT NULL REFERENCES queries(query_id),
                       helpful INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')),
                       client TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX feedback_query_client ON feedback(query_id, client);
CREATE TABLE review_marks (question_key TEXT PRIMARY KEY, handled_at REAL NOT NULL, handled_by TEXT NOT NULL DEFAULT '');
"""


def test_the_previous_releases_sqlite_file_upgrades_in_place_keeping_its_rows(tmp_path):
    """A file written by the release before migrations (each store made its tables) keeps every row."""
    from wuxue.users import hash_password

    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(PREVIOUS_RELEASE)
        db.execute("INSERT INTO users (username, role, password_hash) VALUES ('old', 'admin', ?)", [hash_password("oldpassword")])
        db.execute("INSERT INTO jobs (id, kind, state, created_at, updated_at) VALUES ('j1', 'reindex', 'succeeded', 1, 1)")
        db.execute("INSERT INTO audit_log (at, actor, action) VALUES (1, 'old', 'reindex')")
        db.execute("INSERT INTO document_versions (doc_id, version, content_hash, status, created_at) VALUES ('d', 1, 'h', 'current', 1)")
        db.execute("INSERT INTO queries (query_id, question, found, answer, created_at) VALUES ('q1', '旧问题', 0, '未找到', datetime('now'))")
        db.execute("INSERT INTO feedback (query_id, helpful, client, updated_at) VALUES ('q1', 0, 'browser:a', datetime('now'))")
    db.close()

    database = Database.open(path)
    assert schema_version(database) == LATEST
    users = UserStore(database)
    assert users.authenticate("old", "oldpassword").role == "admin"
    assert JobStore(database).get("j1").state == "succeeded"
    assert [e.actor for e in AuditLog(database).entries()] == ["old"]
    assert DocumentHistory(database).version("d", 1).content_hash == "h"
    app_db = AppDatabase(database)
    assert [(r["client"], r["helpful"]) for r in app_db.feedback()] == [("browser:a", 0)]
    assert [item.question for item in app_db.review()] == ["旧问题"]
    database.close()


# ---- every store, both backends ------------------------------------------------------------------
def test_users_tokens_and_passwords(app_db_location):
    users = UserStore(app_db_location)
    users.add("zhang", "leader", "password1")
    with pytest.raises(UserExistsError):
        users.add("zhang", "member", "password2")
    token = users.issue_token(users.authenticate("zhang", "password1"))
    assert users.user_for_token(token).role == "leader" and [u.username for u in users.list()] == ["zhang"]
    assert users.list()[0].created_at  # the default time is set by either engine
    users.revoke(token)
    with pytest.raises(AuthError):
        users.user_for_token(token)
    users.close()


def test_audit_history_and_query_log(app_db_location):
    database = Database.open(app_db_location)
    audit = AuditLog(database)
    audit.record("boss", "upload", "d1", title="文档", filename="a.txt")
    audit.record("boss", "delete", "d1")
    assert [(e.action, e.detail.get("title")) for e in audit.entries()] == [("delete", None), ("upload", "文档")]
    assert audit.entries()[0].id > audit.entries()[1].id

    history = DocumentHistory(database)
    assert history.record_indexed("d1", content_hash="h1", filename="a.txt", meta={"title": "一"}, actor="boss") == 1
    assert history.record_indexed("d1", content_hash="h1", filename="a.txt", meta={"title": "一改"}, actor="boss") == 1
    assert history.record_indexed("d1", content_hash="h2", filename="a.txt", meta={"title": "二"}, actor="boss") == 2
    assert [(v.version, v.status) for v in history.versions("d1")] == [(2, "current"), (1, "superseded")]
    assert history.latest()["d1"].meta["title"] == "二"
    with pytest.raises(StillIndexedError):
        history.purge("d1")
    history.mark_deleted("d1")
    assert history.purge("d1") == ["h1", "h2"] and history.latest() == {}

    app_db = AppDatabase(database, retention_days=90)
    first = app_db.log_query("党员可以炒股吗？", False, "未找到")
    second = app_db.log_query("党员可以炒股吗?", False, "未找到")
    answered = app_db.log_query("什么是三会一课", True, "回答")
    assert app_db.set_feedback(answered, "browser:a", False, "不完整") == (app_db.feedback()[0]["id"], True)
    row_id = app_db.feedback()[0]["id"]
    assert app_db.set_feedback(answered, "browser:a", False, "答非所问", "改了") == (row_id, False)
    review = app_db.review()
    assert [(i.question, i.count) for i in review] == [("什么是三会一课", 1), ("党员可以炒股吗?", 2)]
    assert review[0].reasons == {"答非所问": 1} and review[0].last_at >= review[1].last_at > 0
    app_db.mark_handled(question_key("党员可以炒股吗"), "boss")
    app_db.mark_handled(question_key("党员可以炒股吗"), "boss2")  # upsert: one mark, the latest actor
    assert [(i.question, i.handled_by) for i in app_db.review("handled")] == [("党员可以炒股吗?", "boss2")]
    assert [r["query_id"] for r in app_db.export_rows()] == [first, second, answered]
    assert app_db.delete_question(question_key("党员可以炒股吗")) == 2
    assert app_db.purge_older_than(1) == 0 and [r["question"] for r in app_db.export_rows()] == ["什么是三会一课"]
    database.close()


def test_a_store_on_a_shared_database_leaves_it_open(app_db_location):
    database = Database.open(app_db_location)
    store = AuditLog(database)
    store.close()
    store.record("boss", "reindex")  # the database is still open: only its opener closes it
    assert len(AuditLog(database).entries()) == 1
    database.close()
    owning = AuditLog(app_db_location)
    assert owning._owns and len(owning.entries()) == 1
    owning.close()


# ---- state shared between processes -------------------------------------------------------------
def test_sessions_and_passwords_are_shared_between_processes(app_db_location):
    """Two stores with their own connections, as two server processes: what one does, the other sees."""
    one, two = UserStore(app_db_location), UserStore(app_db_location)
    one.add("li", "member", "password1")
    token = two.issue_token(two.authenticate("li", "password1"))
    assert one.user_for_token(token).username == "li"
    one.revoke(token)
    with pytest.raises(AuthError):
        two.user_for_token(token)
    kept = two.issue_token(two.authenticate("li", "password1"))
    one.set_password("li", "new-password")  # ends every session, wherever it was opened
    with pytest.raises(AuthError):
        two.user_for_token(kept)
    with pytest.raises(AuthError):
        two.authenticate("li", "password1")
    assert two.authenticate("li", "new-password").username == "li"
    one.close()
    two.close()


def test_login_limits_count_failures_from_every_process(app_db_location):
    clock = [5000.0]
    limiters = [LoginRateLimiter(UserStore(app_db_location), 4, 60.0, client_limit=100, client_window=600.0,
                                 clock=lambda: clock[0]) for _ in range(2)]
    key = ("10.0.0.9", "boss")
    for attempt in range(4):  # alternate between the two processes behind a load balancer
        limiters[attempt % 2].check(key)
        limiters[attempt % 2].failed(key)
        clock[0] += 1
    for limiter in limiters:
        with pytest.raises(TooManyAttemptsError) as error:
            limiter.check(key)
        assert error.value.retry_after == 56
    limiters[0].succeeded(key)
    limiters[1].check(key)  # a success through one process clears the count for all
    for limiter in limiters:
        limiter.users.close()


CLAIMER = """
import json, sys
from wuxue.jobs import JobStore
store = JobStore(sys.argv[1])
sys.stdin.readline()  # start together
claimed = []
while (job := store.claim_next()) is not None:
    claimed.append(job.id)
print(json.dumps(claimed))
store.close()
"""


def test_worker_processes_never_claim_the_same_job(app_db_location):
    store = JobStore(app_db_location)
    created = {store.create("count", {"n": n}).id for n in range(60)}
    workers = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(app_db_location)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=REPO) for _ in range(3)]
    outputs = [worker.communicate("go\n", timeout=120)[0] for worker in workers]
    claimed = [json.loads(output) for output in outputs]
    every = [job_id for part in claimed for job_id in part]
    assert sorted(every) == sorted(created)  # each job once, none lost
    assert all(store.get(job_id).state == "running" for job_id in created)
    store.close()


# ---- the service on PostgreSQL --------------------------------------------------------------------
def test_the_service_keeps_its_state_in_postgresql_when_configured(kb, settings, pg_cluster):
    from tests.conftest import ACCOUNTS, bearer
    from wuxue.index.embedders import HashingEmbedder
    from wuxue.service.app import create_app

    url = pg_cluster.new_database()
    shared = settings.model_copy(update={"database_url": url})
    with TestClient(create_app(shared, embedder=HashingEmbedder())) as client:
        assert client.app.state.database.dialect.name == "postgresql"
        users = UserStore(url)
        users.add("boss", *ACCOUNTS["boss"])
        users.close()
        headers = bearer(client, "boss")
        asked = client.post("/api/ask", json={"question": "预备党员的预备期是多长时间？"}).json()
        assert client.post("/api/feedback", json={"query_id": asked["query_id"], "helpful": False, "reason": "不完整"}).status_code in (200, 201)
        job = client.post("/api/admin/reindex", headers=headers, json={"full": False})
        assert job.status_code == 202, job.text
        assert client.get(f"/api/admin/jobs/{job.json()['id']}", headers=headers).json()["kind"] == "reindex"
    database = Database.open(url)
    app_db = AppDatabase(database)
    assert [r["question"] for r in app_db.export_rows()] == ["预备党员的预备期是多长时间？"]
    assert app_db.feedback()[0]["reason"] == "不完整"
    assert [j.kind for j in JobStore(database).list()] == ["reindex"]
    assert "reindex" in [e.action for e in AuditLog(database).entries()]
    database.close()
    pg_cluster.drop_database(url)


def test_two_servers_on_one_postgresql_share_sessions_and_login_limits(kb, settings, pg_cluster):
    """Two app instances with their own connection pools (as two machines behind a load balancer)."""
    from tests.conftest import ACCOUNTS
    from wuxue.index.embedders import HashingEmbedder
    from wuxue.service.app import create_app

    url = pg_cluster.new_database()
    shared = settings.model_copy(update={"database_url": url, "login_failures_per_name": 3})
    users = UserStore(url)
    users.add("boss", *ACCOUNTS["boss"])
    users.close()
    with TestClient(create_app(shared, embedder=HashingEmbedder())) as one, \
            TestClient(create_app(shared, embedder=HashingEmbedder())) as two:
        token = one.post("/api/auth/login", json={"username": "boss", "password": ACCOUNTS["boss"][1]}).json()["token"]
        one.cookies.clear()
        headers = {"Authorization": f"Bearer {token}"}
        assert two.get("/api/auth/me", headers=headers).json() == {"username": "boss", "role": "admin"}
        assert two.post("/api/auth/logout", headers=headers).status_code == 204
        assert one.get("/api/auth/me", headers=headers).status_code == 401  # revoked everywhere

        wrong = {"username": "boss", "password": "wrong-password"}
        statuses = [client.post("/api/auth/login", json=wrong).status_code for client in (one, two, one)]
        assert statuses == [401, 401, 401]
        blocked = two.post("/api/auth/login", json={"username": "boss", "password": ACCOUNTS["boss"][1]})
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
    pg_cluster.drop_database(url)


# ---- moving a society's SQLite file into the shared PostgreSQL ------------------------------------
def test_wuxue_db_copy_moves_every_row_into_postgresql(tmp_path, pg_cluster, monkeypatch):
    from typer.testing import CliRunner

    from wuxue.cli import app
    from wuxue.quiz.store import QuizStore

    data_dir = tmp_path / "data"
    source = Database.open(data_dir / "app.sqlite")
    users = UserStore(source)
    users.add("boss", "admin", "adminpass1")
    token = users.issue_token(users.authenticate("boss", "adminpass1"))
    JobStore(source).create("reindex", {"full": True}, created_by="boss")
    audit = AuditLog(source)
    for n in range(3):
        audit.record("boss", "upload", f"d{n}", title=f"文档{n}")
    DocumentHistory(source).record_indexed("d0", content_hash="h", filename="a.txt", meta={"title": "文档0"}, actor="boss")
    quizzes = QuizStore(source)
    made = [quizzes.create(title=f"套{n}", created_by="boss", spec={}, doc_versions={}, items=[]).id for n in range(3)]
    app_db = AppDatabase(source)
    asked = [app_db.log_query(f"问题{n}", False, "未找到") for n in range(3)]
    app_db.set_feedback(asked[0], "browser:a", False, "不完整")
    app_db.mark_handled(question_key("问题1"), "boss")
    before = {"review": [(i.key, i.count, i.handled) for i in app_db.review("all")], "export": app_db.export_rows(),
              "quiz": [q.id for q in quizzes.list()], "audit": [(e.id, e.detail) for e in audit.entries()]}
    source.close()

    url = pg_cluster.new_database()
    monkeypatch.delenv("WUXUE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "db", "copy", "--to", url])
    assert result.exit_code == 0, result.output
    assert "users 1 行" in result.output and "queries 3 行" in result.output

    target = Database.open(url)
    assert UserStore(target).user_for_token(token).username == "boss"  # sessions survive the move
    assert [j.kind for j in JobStore(target).list()] == ["reindex"]
    assert DocumentHistory(target).version("d0", 1).meta["title"] == "文档0"
    moved = AppDatabase(target)
    assert [(i.key, i.count, i.handled) for i in moved.review("all")] == before["review"]
    assert moved.export_rows() == before["export"]
    assert [q.id for q in QuizStore(target).list()] == before["quiz"] == made[::-1]
    moved_audit = AuditLog(target)
    assert [(e.id, e.detail) for e in moved_audit.entries()] == before["audit"]
    moved_audit.record("boss", "reindex")  # new rows continue after the copied ids
    assert moved_audit.entries()[0].id == before["audit"][0][0] + 1
    assert moved.set_feedback(asked[1], "browser:b", True)[0] > 1
    target.close()

    again = CliRunner().invoke(app, ["--data-dir", str(data_dir), "db", "copy", "--to", url])
    assert again.exit_code == 2 and "target_not_empty" in again.output  # never copies over existing data
    pg_cluster.drop_database(url)
