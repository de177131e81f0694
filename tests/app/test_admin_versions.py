"""Versions, metadata edits, delete/restore/purge, the document catalog and the audit log, over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS, FIXTURES, add_accounts
from tests.conftest import bearer as auth
from tests.service.test_admin_api import wait
from wuxue.index.embedders import HashingEmbedder
from wuxue.ingest.manifest import ManifestEntry
from wuxue.knowledge_base import KnowledgeBase
from wuxue.service.app import create_app

OLD_ONLY = "到建党一百年时，全面建成小康社会"  # the 2017 党章's strategic goal; the 2022 text replaced it
NEW_ONLY = "到二〇三五年基本实现社会主义现代化"


@pytest.fixture
def client(settings):
    """A knowledge base holding only the 2017 党章 as doc ``dangzhang`` (as a society would have had it)."""
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    entry = ManifestEntry(file="dangzhang_2017.txt", doc_id="dangzhang", title="中国共产党章程", kind="章程", aliases=["党章"])
    assert kb.ingest_bytes((FIXTURES / "dangzhang_2017.txt").read_bytes(), "dangzhang_2017.txt", entry, actor="cli").added == ["dangzhang"]
    kb.close()
    add_accounts(settings.data_dir, ("boss", "lead"))
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def indexed_text(client, doc_id):
    passages = client.get(f"/api/documents/{doc_id}/text").json()["passages"]
    return "".join(p["text"] for p in passages)


def top_passage(client, question):
    return client.get("/api/search", params={"q": question, "k": 1}).json()["results"][0]


def test_replace_2017_by_2022_then_restore(client):
    admin = auth(client, "boss")
    assert OLD_ONLY in indexed_text(client, "dangzhang")
    new = (CORPUS / "dangzhang_2022.txt").read_bytes()
    accepted = client.post("/api/admin/documents/dangzhang/versions", headers=admin,
                           files={"file": ("dangzhang_2022.txt", new, "text/plain")})
    assert accepted.status_code == 202 and accepted.json()["doc_id"] == "dangzhang"
    assert wait(client, admin, accepted.json()["job_id"])["state"] == "succeeded"

    text = indexed_text(client, "dangzhang")
    assert NEW_ONLY in text and OLD_ONLY not in text  # the old version is no longer searchable
    hit = top_passage(client, "经济和社会发展的战略目标是什么")
    assert hit["doc_id"] == "dangzhang" and OLD_ONLY not in hit["text"]
    assert client.get("/api/documents").json()[0]["title"] == "中国共产党章程"  # metadata carried over

    versions = client.get("/api/admin/documents/dangzhang/versions", headers=admin).json()
    assert [(v["version"], v["status"], v["actor"]) for v in versions] == [(2, "current", "boss"), (1, "superseded", "cli")]
    assert versions[1]["filename"] == "dangzhang_2017.txt"

    again = client.post("/api/admin/documents/dangzhang/versions", headers=admin, files={"file": ("same.txt", new, "text/plain")})
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_document"

    restored = client.post("/api/admin/documents/dangzhang/versions/1/restore", headers=admin).json()
    assert wait(client, admin, restored["id"])["state"] == "succeeded"
    assert OLD_ONLY in indexed_text(client, "dangzhang")
    versions = client.get("/api/admin/documents/dangzhang/versions", headers=admin).json()
    assert versions[0]["version"] == 3 and versions[0]["note"] == "恢复自第 1 版" and versions[0]["status"] == "current"
    assert client.post("/api/admin/documents/dangzhang/versions/9/restore", headers=admin).json()["error"]["code"] == "unknown_version"


def test_metadata_edit_delete_restore_purge_and_catalog(client, settings):
    admin = auth(client, "boss")
    bad = client.patch("/api/admin/documents/dangzhang", headers=admin, json={"kind": "小说"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_kind"
    job = client.patch("/api/admin/documents/dangzhang", headers=admin, json={"title": "党章（2017年版）", "date": "2017-10-24"}).json()
    assert wait(client, admin, job["id"])["state"] == "succeeded"
    detail = client.get("/api/documents/dangzhang").json()
    assert detail["title"] == "党章（2017年版）" and detail["date"] == "2017-10-24" and detail["kind"] == "章程"
    assert top_passage(client, "党章（2017年版） 总纲")["title"] == "党章（2017年版）"
    assert len(client.get("/api/admin/documents/dangzhang/versions", headers=admin).json()) == 1  # same content, same version

    row = client.get("/api/admin/documents", headers=admin).json()[0]
    assert (row["doc_id"], row["status"], row["status_label"], row["version"]) == ("dangzhang", "indexed", "已完成", 1)
    assert row["chunk_count"] > 10 and row["uploaded_by"] == "cli"

    assert client.delete("/api/admin/documents/dangzhang/history", headers=admin).json()["error"]["code"] == "still_indexed"
    removed = client.delete("/api/admin/documents/dangzhang", headers=admin).json()
    assert wait(client, admin, removed["id"])["state"] == "succeeded"
    assert client.get("/api/documents").json() == []
    row = client.get("/api/admin/documents", headers=admin).json()[0]
    assert (row["status"], row["status_label"]) == ("deleted", "已删除")  # kept in history until purged

    restored = client.post("/api/admin/documents/dangzhang/versions/1/restore", headers=admin).json()
    assert wait(client, admin, restored["id"])["state"] == "succeeded"
    assert [d["doc_id"] for d in client.get("/api/documents").json()] == ["dangzhang"]

    wait(client, admin, client.delete("/api/admin/documents/dangzhang", headers=admin).json()["id"])
    source = settings.data_dir / "sources"
    assert any(source.rglob("*"))
    assert client.delete("/api/admin/documents/dangzhang/history", headers=admin).json() == {"doc_id": "dangzhang", "sources_deleted": 1}
    assert client.get("/api/admin/documents", headers=admin).json() == []
    assert client.get("/api/admin/documents/dangzhang/versions", headers=admin).json() == []

    log = client.get("/api/admin/audit", headers=admin).json()
    actions = [e["action"] for e in log if not e["action"].startswith("job_")]
    assert actions == ["purge", "delete", "restore", "delete", "update_metadata"]
    assert all(e["actor"] == "boss" and e["at"] > 0 for e in log)
    assert log[-1]["action_label"]  # shown in Chinese on the page
    # every finished job is logged too, and each line reads as Chinese with the document's title
    assert [e["detail"]["kind"] for e in log if e["action"] == "job_succeeded"] == ["remove", "restore", "remove", "update_metadata"]
    texts = [e["text"] for e in log]
    assert "修改《党章（2017年版）》的元数据：标题改为“党章（2017年版）”、日期改为“2017-10-24”" in texts
    assert "删除文档《党章（2017年版）》（版本历史保留，可恢复）" in texts and "恢复版本完成：《党章（2017年版）》" in " ".join(texts)


def test_catalog_shows_failed_and_queued_work(client):
    admin = auth(client, "boss")
    leader = auth(client, "lead")
    assert client.get("/api/admin/audit", headers=leader).status_code == 403
    assert client.get("/api/admin/documents", headers=leader).status_code == 403
    assert client.patch("/api/admin/documents/dangzhang", headers=leader, json={"title": "x"}).status_code == 403
    upload = client.post("/api/admin/documents", headers=admin,
                         files=[("files", ("notice.md", "# 学会通知\n\n本学会定于五月召开学习交流会。".encode(), "text/markdown"))]).json()
    job_id = upload["accepted"][0]["job_id"]
    rows = {r["doc_id"]: r for r in client.get("/api/admin/documents", headers=admin).json()}
    assert rows["notice"]["status"] in {"queued", "running", "indexed"}
    assert wait(client, admin, job_id)["state"] == "succeeded"
    rows = {r["doc_id"]: r for r in client.get("/api/admin/documents", headers=admin).json()}
    assert rows["notice"]["status"] == "indexed" and rows["notice"]["uploaded_by"] == "boss" and rows["notice"]["version"] == 1
    parsed = client.get("/api/admin/documents/notice/parsed", headers=admin).json()
    assert "五月召开学习交流会" in parsed["text"] and parsed["chars"] == len(parsed["text"])
