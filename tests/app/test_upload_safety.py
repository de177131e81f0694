"""Uploads never replace another document; bad files are refused one by one; replacing is previewed and confirmed.

Regression tests for issue 11 (items 1, 2, 7, 9, 10, 11): each would have caught the defect it names.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests import hostile
from tests.conftest import CORPUS, FIXTURES, add_accounts
from tests.conftest import bearer as auth
from tests.service.test_admin_api import wait
from wuxue import knowledge_base, uploads
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app


@pytest.fixture
def client(kb, settings):
    kb.close()
    add_accounts(settings.data_dir, ("boss",))
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def upload(client, *files, **form):
    response = client.post("/api/admin/documents", headers=auth(client, "boss"),
                           files=[("files", (name, data, "application/octet-stream")) for name, data in files], data=form)
    assert response.status_code == 202, response.text
    return response.json()


def finish(client, body):
    admin = auth(client, "boss")
    for item in body["accepted"]:
        assert wait(client, admin, item["job_id"])["state"] == "succeeded"


def document(client, doc_id):
    response = client.get(f"/api/documents/{doc_id}")
    assert response.status_code == 200, response.text
    return response.json()


def chunk_count(client, doc_id):
    return len(client.get(f"/api/documents/{doc_id}/text").json()["passages"])


def test_a_file_named_like_an_indexed_document_becomes_a_new_document(client):
    before = document(client, "dangzhang_2022")
    chunks = chunk_count(client, "dangzhang_2022")
    body = upload(client, ("dangzhang_2022.txt", "学会通知\n\n本学会定于五月召开学习交流会。".encode()))
    finish(client, body)
    new_id = body["accepted"][0]["doc_id"]
    assert new_id != "dangzhang_2022" and new_id.startswith("dangzhang_2022")
    after = document(client, "dangzhang_2022")
    assert (after["title"], after["aliases"], chunk_count(client, "dangzhang_2022")) == (before["title"], before["aliases"], chunks)
    assert chunks > 50 and "五月召开学习交流会" in client.get(f"/api/documents/{new_id}/text").json()["passages"][0]["text"]


def test_chinese_names_with_the_same_digits_are_two_documents(client):
    first = upload(client, ("通知2023.txt", "关于开展学习的通知\n\n请各支部组织学习。".encode()))
    second = upload(client, ("方案2023.txt", "学习活动方案\n\n一、活动安排如下。".encode()))
    finish(client, first)
    finish(client, second)
    ids = [first["accepted"][0]["doc_id"], second["accepted"][0]["doc_id"]]
    assert ids == ["tongzhi_2023", "fangan_2023"]
    assert [document(client, i)["title"] for i in ids] == ["通知2023", "方案2023"]  # the Chinese name is the title


def test_same_stem_in_two_formats_is_two_documents(client):
    pdf = (FIXTURES / "ccdi_jubao_cailiao_muban.pdf").read_bytes()
    body = upload(client, ("good_zh.pdf", pdf), ("good_zh.docx", hostile.real_docx("学会工作要点", "一、加强理论学习。")))
    finish(client, body)
    ids = sorted(item["doc_id"] for item in body["accepted"])
    assert ids == ["good_zh", "good_zh_2"] and body["refused"] == []
    assert {document(client, i)["page_count"] for i in ids} == {5, None}  # the PDF and the Word file, each kept


def test_an_id_in_the_history_is_not_reused(client):
    admin = auth(client, "boss")
    first = upload(client, ("notice.md", "# 学会通知\n\n五月召开学习交流会。".encode()))
    finish(client, first)
    wait(client, admin, client.delete("/api/admin/documents/notice", headers=admin).json()["id"])
    second = upload(client, ("notice.md", "# 学会通知\n\n六月召开学习交流会。".encode()))
    assert second["accepted"][0]["doc_id"] == "notice_2"  # the deleted "notice" can still be restored under its id


def test_the_same_file_twice_in_one_request_is_already_there_the_second_time(client):
    data = "学会通知\n\n本学会定于七月召开学习交流会。".encode()
    body = upload(client, ("a.txt", data), ("copy.txt", data))
    assert [item["filename"] for item in body["accepted"]] == ["a.txt"]
    assert body["refused"][0]["filename"] == "copy.txt" and body["refused"][0]["code"] == "duplicate_document"
    assert "已存在" in body["refused"][0]["reason"]
    finish(client, body)


def test_one_bad_file_never_hides_the_others(client, settings):
    files = [
        ("a.txt", hostile.FIVE_BYTES),
        ("laughs.docx", hostile.docx_with_part("word/document.xml", hostile.BILLION_LAUGHS)),
        ("broken_xml.docx", hostile.docx_with_part("word/document.xml", b"<w:document><w:body>")),
        ("bom.txt", hostile.BOM_THEN_INVALID),
        ("empty.pdf", hostile.zero_page_pdf()),
        ("bomb.docx", hostile.forged_size_docx(200 * 1024 * 1024)),
        ("note.html", hostile.HTML_MENTIONING_PDF),
        ("utf16.txt", hostile.UTF16_NO_BOM),
        ("good.docx", hostile.real_docx("学会工作要点", "一、加强理论学习。")),
    ]
    body = upload(client, *files)
    refused = {item["filename"]: item for item in body["refused"]}
    expected = {"a.txt": "encoding_unknown", "laughs.docx": "corrupt_file", "broken_xml.docx": "corrupt_file",
                "bom.txt": "encoding_unknown", "empty.pdf": "empty_document", "bomb.docx": "file_too_large"}
    assert {name: item["code"] for name, item in refused.items()} == expected
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in item["reason"]) for item in refused.values())
    assert "0 页" in refused["empty.pdf"]["reason"] and "扫描件" not in refused["empty.pdf"]["reason"]
    assert sorted(item["filename"] for item in body["accepted"]) == ["good.docx", "note.html", "utf16.txt"]
    finish(client, body)
    log = client.get("/api/admin/audit", headers=auth(client, "boss")).json()
    assert sorted(e["target"] for e in log if e["action"] == "refuse_upload") == sorted(expected)
    uploaded = [e for e in log if e["action"] == "upload"]
    assert {e["detail"]["title"] for e in uploaded} >= {"学会工作要点", "学会通知"}  # entries name titles, not only ids


def test_an_unexpected_failure_is_a_refusal_row_and_an_audit_entry(client, monkeypatch):
    real = uploads.parse_isolated

    def fail_on_one(data, name, *args, **kwargs):
        if name == "boom.txt":
            raise RuntimeError("a bug")
        return real(data, name, *args, **kwargs)

    monkeypatch.setattr(uploads, "parse_isolated", fail_on_one)
    body = upload(client, ("boom.txt", "标题\n\n内容一。".encode()), ("fine.txt", "标题\n\n内容二。".encode()))
    assert body["refused"] == [{"filename": "boom.txt", "code": "internal_error", "reason": "内部错误：无法处理该文件（已记入服务日志）"}]
    assert [item["filename"] for item in body["accepted"]] == ["fine.txt"]
    finish(client, body)
    entry = client.get("/api/admin/audit", headers=auth(client, "boss")).json()
    assert any(e["action"] == "refuse_upload" and e["target"] == "boom.txt" and e["detail"]["code"] == "internal_error" for e in entry)


def test_the_job_indexes_the_parse_made_at_acceptance(client, monkeypatch):
    def no_second_parse(*args, **kwargs):
        raise AssertionError("the job parsed the file again")

    monkeypatch.setattr(knowledge_base, "parse_file", no_second_parse)
    body = upload(client, ("once.txt", "只解析一次\n\n上传时解析，任务直接使用解析结果。".encode()))
    finish(client, body)
    assert document(client, body["accepted"][0]["doc_id"])["title"] == "只解析一次"


def test_long_names_and_ids_are_never_echoed_whole(client):
    body = upload(client, ("长" * 300 + ".txt", "标题\n\n内容。".encode()))
    name = body["accepted"][0]["filename"]
    assert len(name) <= 200 and name.endswith(".txt")
    finish(client, body)
    too_long = client.post("/api/admin/documents", headers=auth(client, "boss"),
                           files=[("files", ("长" * 5000 + ".txt", "标题\n\n内容。".encode(), "text/plain"))])
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "invalid_request"
    assert "文件名" in too_long.json()["error"]["message"]  # python-multipart caps one part header at ~4 KB
    missing = client.get("/api/documents/" + "x" * 60_000)
    assert missing.status_code == 404 and len(missing.json()["error"]["message"]) < 200


def test_a_read_only_data_dir_is_refused_up_front_and_named_in_jobs(client, monkeypatch):
    admin = auth(client, "boss")
    real_write = Path.write_bytes

    def read_only(self, data):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "write_bytes", read_only)
    refused = client.post("/api/admin/documents", headers=admin, files=[("files", ("a.txt", "标题\n\n内容。".encode(), "text/plain"))])
    assert refused.status_code == 507 and refused.json()["error"] == {"code": "data_dir_not_writable", "message": "数据目录不可写：只读文件系统"}
    monkeypatch.setattr(Path, "write_bytes", real_write)

    def replace_fails(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", replace_fails)  # the job publishes its snapshot with os.replace
    job = client.patch("/api/admin/documents/cic_dangjian_2024", headers=admin, json={"title": "新标题"}).json()
    failed = wait(client, admin, job["id"])
    assert failed["state"] == "failed" and failed["error"] == "数据目录不可写：磁盘空间已满"


def test_replacing_shows_old_and_new_and_warns_when_the_new_text_is_older(client, monkeypatch):
    admin = auth(client, "boss")
    old_2017 = (FIXTURES / "dangzhang_2017.txt").read_bytes()
    preview = client.post("/api/admin/documents/dangzhang_2022/versions/preview", headers=admin,
                          files={"file": ("dangzhang_2017.txt", old_2017, "text/plain")})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["current"]["stated_year"], body["new"]["stated_year"]) == (2022, 2017)
    assert body["current"]["title"] == "中国共产党章程" and body["current"]["first_lines"][0] == "中国共产党章程（2022年修订）"
    assert body["new"]["stated_date"] == "2017年10月24日" and body["new"]["size_bytes"] == len(old_2017)
    assert any("更旧" in warning for warning in body["warnings"])
    assert body["diff"][0].startswith("--- 当前版本") and body["added_lines"] > 0 and body["removed_lines"] > 0
    assert len(body["diff"]) <= 80
    assert chunk_count(client, "dangzhang_2022") > 50  # a preview changes nothing

    forward = client.post("/api/admin/documents/dangzhang_2022/versions/preview", headers=admin,
                          files={"file": ("dangzhang_2022_copy.txt", (CORPUS / "dangzhang_2022.txt").read_bytes(), "text/plain")})
    assert forward.status_code == 409 and forward.json()["error"]["code"] == "duplicate_document"

    def parsed_already(*args, **kwargs):
        raise AssertionError("the previewed file was parsed again")

    monkeypatch.setattr(uploads, "parse_isolated", parsed_already)  # the preview's parse serves the confirmation
    monkeypatch.setattr(knowledge_base, "parse_file", parsed_already)  # and the job
    confirmed = client.post("/api/admin/documents/dangzhang_2022/versions", headers=admin,
                            files={"file": ("dangzhang_2017.txt", old_2017, "text/plain")},
                            data={"title": "中国共产党章程（2017年版）", "date": "2017-10-24"})
    assert confirmed.status_code == 202, confirmed.text
    assert wait(client, admin, confirmed.json()["job_id"])["state"] == "succeeded"
    detail = document(client, "dangzhang_2022")
    assert (detail["title"], detail["date"], detail["aliases"]) == ("中国共产党章程（2017年版）", "2017-10-24", ["党章", "中国共产党章程（2022年修订）"])
    versions = client.get("/api/admin/documents/dangzhang_2022/versions", headers=admin).json()
    assert [v["version"] for v in versions] == [2, 1]
    entry = next(e for e in client.get("/api/admin/audit", headers=admin).json() if e["action"] == "replace")
    assert entry["detail"]["title"] == "中国共产党章程（2017年版）" and entry["detail"]["previous_title"] == "中国共产党章程"


def test_an_unexpected_error_anywhere_is_json_with_an_audit_entry(kb, settings, monkeypatch):
    import sqlite3

    from wuxue.service.routers import admin_documents

    kb.close()
    add_accounts(settings.data_dir, ("boss",))
    with TestClient(create_app(settings, embedder=HashingEmbedder()), raise_server_exceptions=False) as client:
        admin = auth(client, "boss")
        monkeypatch.setattr(admin_documents, "document_catalog", lambda *args: 1 / 0)
        broken = client.get("/api/admin/documents", headers=admin)
        assert broken.status_code == 500 and broken.headers["content-type"].startswith("application/json")
        assert broken.json()["error"] == {"code": "internal_error", "message": "内部错误：请求未能完成（已记入服务日志）"}

        def disk_full(*args):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(admin_documents, "document_catalog", disk_full)
        full = client.get("/api/admin/documents", headers=admin)
        assert full.status_code == 507 and full.json()["error"]["code"] == "data_dir_not_writable"
        log = client.get("/api/admin/audit", headers=admin).json()
        assert [(e["action"], e["target"], e["detail"]) for e in log] == [
            ("internal_error", "GET /api/admin/documents", {"error": "ZeroDivisionError"})]


def test_a_file_that_parses_too_long_is_refused_with_a_time_limit(kb, settings):
    kb.close()
    add_accounts(settings.data_dir, ("boss",))
    impatient = settings.model_copy(update={"parse_timeout": 0.001})  # no child process can even start in a millisecond
    with TestClient(create_app(impatient, embedder=HashingEmbedder())) as client:
        # enough paragraphs that parsing and chunking them takes far longer than the limit, however warm the forkserver
        body = upload(client, ("slow.txt", ("标题\n\n" + "党员应当认真学习，增强党性。\n\n" * 20000).encode()))
        assert body["accepted"] == [] and body["refused"][0]["code"] == "parse_timeout"
        assert "解析超时" in body["refused"][0]["reason"]
