"""The feedback loop over HTTP: one changeable choice per answer, the admins' review list, export,
delete, retention of the query log, 命中测试 and the checked example questions."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from fastapi.testclient import TestClient

from tests.conftest import add_accounts, bearer
from wuxue.app_db import AppDatabase, question_key
from wuxue.examples import ExampleCheck, ExampleQuestion, check_example, check_examples, pick_examples
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.settings import load_settings


@pytest.fixture
def client(kb, settings):
    add_accounts(settings.data_dir, ("boss", "mem"))
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def asked(client, question="三会一课是什么") -> str:
    return client.post("/api/ask", json={"question": question}).json()["query_id"]


def rows_for(client, query_id):
    return [row for row in client.app.state.app_db.feedback() if row["query_id"] == query_id]


# ---- feedback: one choice per answer and client, changeable, with an optional reason -------------
def test_feedback_is_one_choice_that_can_be_changed_with_a_reason(client):
    query_id = asked(client)
    first = client.post("/api/feedback", json={"query_id": query_id, "helpful": True})
    assert first.status_code == 201 and first.json()["helpful"] is True and "wuxue_client" in first.cookies
    changed = client.post("/api/feedback", json={"query_id": query_id, "helpful": False, "reason": "答非所问"})
    assert changed.status_code == 200 and changed.json() == {"id": first.json()["id"], "helpful": False, "reason": "答非所问"}
    stored = rows_for(client, query_id)
    assert len(stored) == 1 and stored[0]["helpful"] == 0 and stored[0]["reason"] == "答非所问"

    again = client.post("/api/feedback", json={"query_id": query_id, "helpful": True, "reason": "不完整"})
    assert again.status_code == 200 and again.json()["reason"] == ""  # a reason only belongs to 没帮助
    assert [(r["helpful"], r["reason"]) for r in rows_for(client, query_id)] == [(1, "")]


def test_each_browser_and_each_member_has_its_own_choice(client):
    query_id = asked(client)
    client.post("/api/feedback", json={"query_id": query_id, "helpful": True})
    client.cookies.clear()  # another browser
    client.post("/api/feedback", json={"query_id": query_id, "helpful": False, "reason": "出处不对"})
    member = bearer(client, "mem")
    client.post("/api/feedback", headers=member, json={"query_id": query_id, "helpful": False})
    client.post("/api/feedback", headers=member, json={"query_id": query_id, "helpful": False, "reason": "其他"})
    stored = rows_for(client, query_id)
    assert len(stored) == 3 and sum(r["client"] == "user:mem" for r in stored) == 1
    assert next(r for r in stored if r["client"] == "user:mem")["reason"] == "其他"


def test_feedback_refuses_unknown_queries_and_reasons(client):
    assert client.post("/api/feedback", json={"query_id": "missing", "helpful": True}).json()["error"]["code"] == "unknown_query"
    bad = client.post("/api/feedback", json={"query_id": asked(client), "helpful": False, "reason": "太长"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


# ---- the admins' review list ---------------------------------------------------------------------
def test_review_lists_refused_and_unhelpful_questions_grouped_newest_first(client):
    app_db = client.app.state.app_db
    app_db.log_query("党员可以炒股吗？", False, "知识库中未找到与该问题相关的内容。")
    app_db.log_query("党员可以炒股吗?", False, "知识库中未找到与该问题相关的内容。")  # same question, other punctuation
    app_db.log_query("党员 可以 炒股吗", True, "一个回答")  # answered and nobody complained: not listed
    unhelpful = asked(client, "三会一课是什么")
    client.post("/api/feedback", json={"query_id": unhelpful, "helpful": False, "reason": "不完整"})
    liked = asked(client, "党员的权利")
    client.post("/api/feedback", json={"query_id": liked, "helpful": True})

    admin = bearer(client, "boss")
    body = client.get("/api/admin/feedback", headers=admin).json()
    assert body["retention_days"] == 90
    items = body["items"]
    assert [i["question"] for i in items] == ["三会一课是什么", "党员可以炒股吗?"]  # newest first, liked answers left out
    shares, refused = items
    assert shares["unhelpful"] == 1 and shares["reasons"] == {"不完整": 1} and shares["answer"]
    assert refused["count"] == 2 and refused["refused"] == 2 and refused["key"] == question_key("党员可以炒股吗？")
    assert not refused["found"] and refused["answer"].startswith("知识库中未找到")


def test_mark_handled_and_reopened_by_a_new_occurrence(client):
    app_db = client.app.state.app_db
    app_db.log_query("红烧肉怎么做？", False, "未找到")
    admin = bearer(client, "boss")
    key = question_key("红烧肉怎么做？")
    assert client.post(f"/api/admin/feedback/{key}/handled", headers=admin, json={"handled": True}).json() == {"key": key, "handled": True}
    assert client.get("/api/admin/feedback", headers=admin).json()["items"] == []
    handled = client.get("/api/admin/feedback", headers=admin, params={"state": "handled"}).json()["items"]
    assert handled[0]["handled"] and handled[0]["handled_by"] == "boss"

    with app_db.db.transaction() as tx:  # the same question again a moment later
        tx.execute("UPDATE review_marks SET handled_at = handled_at - 10")
    app_db.log_query("红烧肉怎么做", False, "未找到")
    reopened = client.get("/api/admin/feedback", headers=admin).json()["items"]
    assert reopened[0]["key"] == key and reopened[0]["count"] == 2 and not reopened[0]["handled"]
    audit = [e["action"] for e in client.get("/api/admin/audit", headers=admin).json()]
    assert "review_handled" in audit


def test_only_admins_see_members_questions(client):
    key = question_key("问题")
    calls = [("get", "/api/admin/feedback"), ("get", "/api/admin/feedback/export"), ("post", f"/api/admin/feedback/{key}/handled"),
             ("delete", f"/api/admin/feedback/{key}"), ("post", "/api/admin/hit-test")]
    member = bearer(client, "mem")
    for method, path in calls:
        kwargs = {"json": {"question": "党员"}} if path.endswith("hit-test") else {"json": {}} if method == "post" else {}
        assert getattr(client, method)(path, **kwargs).status_code == 401, path
        response = getattr(client, method)(path, headers=member, **kwargs)
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", path


def test_export_csv_and_json_then_delete(client):
    query_id = asked(client, "党员的义务有哪些？")
    client.post("/api/feedback", json={"query_id": query_id, "helpful": False, "reason": "出处不对", "comment": "引用了别的条"})
    asked(client, "党员的义务有哪些")
    admin = bearer(client, "boss")

    exported = client.get("/api/admin/feedback/export", headers=admin, params={"format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"] and exported.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["提问编号", "提问时间（UTC）", "问题"]
    assert any(row[0] == query_id and row[5] == "没帮助" and row[6] == "出处不对" and row[7] == "引用了别的条" for row in table[1:])

    records = json.loads(client.get("/api/admin/feedback/export", headers=admin, params={"format": "json"}).content)
    assert {r["question"] for r in records} == {"党员的义务有哪些？", "党员的义务有哪些"}
    assert client.get("/api/admin/feedback/export", headers=admin, params={"format": "pdf"}).status_code == 422

    deleted = client.delete(f"/api/admin/feedback/{question_key('党员的义务有哪些？')}", headers=admin)
    assert deleted.json()["deleted"] == 2  # every time it was asked, with its feedback
    assert client.app.state.app_db.export_rows() == [] and rows_for(client, query_id) == []
    texts = [e["text"] for e in client.get("/api/admin/audit", headers=admin).json()]
    assert "删除一组提问记录（2 条）" in texts and any(t.startswith("导出提问记录（CSV") for t in texts)
    assert not any("义务" in t for t in texts)  # the audit log never repeats members' questions


# ---- retention -----------------------------------------------------------------------------------
def _age(path, query_id, days):
    with sqlite3.connect(path) as db:
        db.execute("UPDATE queries SET created_at = datetime('now', ?) WHERE query_id = ?", [f"-{days} days", query_id])


def test_query_log_is_purged_after_the_retention_period(tmp_path):
    path = tmp_path / "app.sqlite"
    app_db = AppDatabase(path)
    old, recent = app_db.log_query("旧问题", False, "未找到"), app_db.log_query("新问题", False, "未找到")
    app_db.set_feedback(old, "browser:x", False, "答非所问")
    app_db.close()
    _age(path, old, 100)
    _age(path, recent, 80)

    app_db = AppDatabase(path, retention_days=90)  # start-up purges
    assert [r["question"] for r in app_db.export_rows()] == ["新问题"] and app_db.feedback() == []
    _age(path, recent, 95)
    app_db.log_query("今天的问题", True, "回答")  # not due yet: purged at most once a day
    assert len(app_db.export_rows()) == 2
    app_db._next_purge = 0.0  # a day later
    app_db.log_query("明天的问题", True, "回答")
    assert [r["question"] for r in app_db.export_rows()] == ["今天的问题", "明天的问题"]
    app_db.close()


def test_retention_days_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WUXUE_QUERY_LOG_DAYS", "30")
    assert load_settings(data_dir=tmp_path).query_log_days == 30
    monkeypatch.setenv("WUXUE_QUERY_LOG_DAYS", "0")
    with pytest.raises(ValueError):
        load_settings(data_dir=tmp_path)


def test_old_feedback_rows_survive_the_migration(tmp_path):
    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as db:  # the first release's tables
        db.executescript("""
            CREATE TABLE queries (query_id TEXT PRIMARY KEY, question TEXT NOT NULL, found INTEGER NOT NULL, answer TEXT NOT NULL,
                                  created_at TEXT NOT NULL DEFAULT (datetime('now')));
            CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, query_id TEXT NOT NULL REFERENCES queries(query_id),
                                   helpful INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')));
            INSERT INTO queries (query_id, question, found, answer) VALUES ('q1', '问题', 1, '回答');
            INSERT INTO feedback (query_id, helpful) VALUES ('q1', 1), ('q1', 0);
        """)
    app_db = AppDatabase(path)
    assert [(r["client"], r["helpful"]) for r in app_db.feedback()] == [("legacy:1", 1), ("legacy:2", 0)]
    assert app_db.set_feedback("q1", "browser:a", False, "其他") == (3, True)
    app_db.close()
    assert len(AppDatabase(path).feedback()) == 3  # opening again changes nothing


# ---- 命中测试 ------------------------------------------------------------------------------------
def test_hit_test_shows_what_ask_would_do_without_logging(client):
    admin = bearer(client, "boss")
    before = len(client.app.state.app_db.export_rows())
    body = client.post("/api/admin/hit-test", headers=admin,
                       json={"question": "预备党员的预备期", "top_k": 3, "doc_ids": ["dangzhang_2022"]}).json()
    ask = client.post("/api/ask", json={"question": "预备党员的预备期", "top_k": 3, "doc_ids": ["dangzhang_2022"]}).json()
    assert (body["found"], body["answer"]) == (ask["found"], ask["answer"])
    assert body["refusal_score"] == ask["signals"]["out_of_scope_score"]
    assert body["found"] == (body["refusal_score"] <= body["threshold"])
    assert len(body["hits"]) == 3 and {h["doc_id"] for h in body["hits"]} == {"dangzhang_2022"}
    assert {"dense_score", "sparse_score", "bigram_score"} <= set(body["hits"][0])
    assert len(client.app.state.app_db.export_rows()) == before + 1  # only the member's /api/ask was logged


# ---- example questions ---------------------------------------------------------------------------
def test_examples_are_only_questions_the_service_answers(client, kb):
    served = client.get("/api/examples").json()
    indexed = {d.doc_id for d in kb.documents()}
    checks = check_examples(kb)
    assert {c.doc_id for c in checks} <= indexed
    assert served == pick_examples(checks)
    answered = {c.question for c in checks if c.answered}
    assert served and set(served) <= answered
    assert "预备党员的预备期是多长时间？" in served


def test_a_wrong_document_or_a_wrong_answer_is_not_offered(kb):
    right = check_example(kb, ExampleQuestion("预备党员的预备期是多长时间？", "dangzhang_2022", "预备期为一年"))
    elsewhere = check_example(kb, ExampleQuestion("预备党员的预备期是多长时间？", "njmes_dangjian_plan_2023", "预备期为一年"))
    wrong = check_example(kb, ExampleQuestion("预备党员的预备期是多长时间？", "dangzhang_2022", "预备期为十年"))
    assert (right.answered, right.reason) == (True, "")
    assert (elsewhere.answered, elsewhere.reason) in {(False, "出处不是预期文档"), (False, "未找到")}
    assert (wrong.answered, wrong.reason) in {(False, "回答中没有预期内容"), (False, "未找到")}


def test_pick_keeps_one_answered_question_per_document_in_order():
    checks = [ExampleCheck("甲一", "a", False, "未找到"), ExampleCheck("甲二", "a", True, ""), ExampleCheck("甲三", "a", True, ""),
              ExampleCheck("乙一", "b", True, ""), ExampleCheck("丙一", "c", True, "")]
    assert pick_examples(checks) == ["甲二", "乙一", "丙一"]
    assert pick_examples(checks, limit=2) == ["甲二", "乙一"]


def test_examples_are_checked_again_when_a_new_snapshot_is_published(kb, tmp_path):
    from wuxue.examples import ExampleChips
    from wuxue.ingest.manifest import ManifestEntry

    chips = ExampleChips(candidates=(
        ExampleQuestion("预备党员的预备期是多长时间？", "dangzhang_2022", "预备期为一年"),
        ExampleQuestion("青年理论读书班", "dushuban", "每月第二个星期三")  # answered even by the fake embedder,
    ))
    assert chips.current(kb) == ["预备党员的预备期是多长时间？"]  # the second document is not indexed yet
    text = "学会读书班安排\n\n第一条 本学会每月第二个星期三举办“青年理论读书班”，学习党的创新理论。\n"
    kb.ingest_bytes(text.encode("utf-8"), "dushuban.txt", ManifestEntry(file="dushuban.txt", title="学会读书班安排"))
    assert chips.current(kb) == ["预备党员的预备期是多长时间？", "青年理论读书班"]


# ---- finished jobs in the audit log --------------------------------------------------------------
def test_finished_and_failed_jobs_are_logged_as_readable_lines(tmp_path):
    import time

    from wuxue.audit import AuditLog, record_job_outcome
    from wuxue.errors import EmptyDocumentError
    from wuxue.ingest.manifest import ManifestEntry
    from wuxue.job_payloads import IngestPayload, ReindexPayload
    from wuxue.jobs import JobRunner, JobStore

    audit, store = AuditLog(tmp_path / "app.sqlite"), JobStore(tmp_path / "app.sqlite")

    def ingest(job, progress):
        if job.payload["filename"] == "empty.txt":
            raise EmptyDocumentError("文件中没有可用的文字内容")
        progress("embed", 1, 1)
        return {"chunks": 12}

    titles = {"dushuban": "学会读书班安排"}
    runner = JobRunner(store, {"ingest": ingest, "reindex": lambda job, progress: {"chunks": 900}}, poll_seconds=0.01,
                       on_finish=lambda job: record_job_outcome(audit, job, titles))
    runner.start()
    try:
        for name in ("dushuban", "empty"):
            entry = ManifestEntry(file=f"{name}.txt", doc_id=name)
            runner.enqueue(IngestPayload(content_hash=name, filename=f"{name}.txt", entry=entry), created_by="boss")
        runner.enqueue(ReindexPayload(full=False), created_by="boss")
        deadline = time.time() + 10
        while len(audit.entries()) < 3 and time.time() < deadline:
            time.sleep(0.02)
    finally:
        runner.stop()
    lines = [entry.to_dict(titles)["text"] for entry in reversed(audit.entries())]
    assert lines == ["索引文档完成：《学会读书班安排》（12 个切块）", "索引文档失败：empty：文件中没有可用的文字内容", "重建索引完成：全部文档（900 个切块）"]
    assert {entry.actor for entry in audit.entries()} == {"boss"}
    audit.close()
    store.close()
