"""Admin document management over HTTP: role boundaries, refusals with reasons, background jobs."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader, PdfWriter

from wuxue.index.embedders import HashingEmbedder
from wuxue.ingest import sniff
from wuxue.service.app import create_app
from tests.conftest import FIXTURES, add_accounts, bearer

@pytest.fixture
def client(kb, settings):
    add_accounts(settings.data_dir, ("boss", "lead", "mem"))
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


auth = bearer


def wait(client, headers, job_id, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/api/admin/jobs/{job_id}", headers=headers).json()
        if job["state"] in {"succeeded", "failed", "cancelled"}:
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def pdf_bytes(writer):
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_upload_is_indexed_in_the_background_and_searchable(client):
    admin = auth(client, "boss")
    text = "学会读书班材料\n\n第一条 本学会每月第二个星期三举办“青年理论读书班”。\n".encode("gbk")
    response = client.post("/api/admin/documents", headers=admin, files=[("files", ("dushuban.txt", text, "text/plain"))],
                           data={"title": "学会读书班安排", "kind": "学会材料"})
    assert response.status_code == 202
    body = response.json()
    assert body["refused"] == [] and body["accepted"][0]["doc_id"] == "dushuban"
    job = wait(client, admin, body["accepted"][0]["job_id"])
    assert job["state"] == "succeeded" and job["total"] >= 1 and job["done"] == job["total"]
    hits = client.get("/api/search", params={"q": "青年理论读书班", "k": 1}).json()["results"]
    assert hits[0]["doc_id"] == "dushuban" and hits[0]["title"] == "学会读书班安排"


def test_role_boundaries(client):
    files = [("files", ("a.txt", "标题\n\n内容。".encode(), "text/plain"))]
    assert client.post("/api/admin/documents", files=files).status_code == 401
    assert client.post("/api/admin/documents", files=files, headers=auth(client, "mem")).status_code == 403
    leader = auth(client, "lead")
    forbidden = client.delete("/api/admin/documents/cic_dangjian_2024", headers=leader)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    assert client.get("/api/admin/jobs", headers=leader).status_code == 403


def test_each_bad_file_is_refused_with_a_chinese_reason(client):
    template = FIXTURES / "ccdi_jubao_cailiao_muban.pdf"
    encrypted = PdfWriter(clone_from=PdfReader(template))
    encrypted.encrypt(user_password="secret", owner_password="owner")
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (sniff.MAX_ZIP_UNCOMPRESSED + 1024))  # parsed in a child: no monkeypatching the limit
    corpus_copy = (FIXTURES.parent.parent / "corpus" / "dangzhang_2022.txt").read_bytes()
    files = [
        ("files", ("secret.pdf", pdf_bytes(encrypted), "application/pdf")),
        ("files", ("scan.pdf", pdf_bytes(blank), "application/pdf")),
        ("files", ("broken.pdf", template.read_bytes()[:2000], "application/pdf")),
        ("files", ("bomb.docx", bomb.getvalue(), "application/octet-stream")),
        ("files", ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "application/pdf")),
        ("files", ("dangzhang_copy.txt", corpus_copy, "text/plain")),
        ("files", ("page.pdf", "<html><body><p>其实是网页的学习材料。</p></body></html>".encode(), "application/pdf")),
    ]
    body = client.post("/api/admin/documents", files=files, headers=auth(client, "boss")).json()
    reasons = {item["filename"]: (item["code"], item["reason"]) for item in body["refused"]}
    assert reasons["secret.pdf"][0] == "encrypted_pdf" and "加密的PDF" in reasons["secret.pdf"][1]
    assert reasons["scan.pdf"][0] == "no_text_layer" and "扫描件无文字层" in reasons["scan.pdf"][1]
    assert reasons["broken.pdf"][0] in {"corrupt_file", "no_text_layer"}
    assert reasons["bomb.docx"][0] == "file_too_large" and "文件过大" in reasons["bomb.docx"][1]
    assert reasons["photo.pdf"][0] == "corrupt_file" and "文件损坏" in reasons["photo.pdf"][1]  # a truncated PNG
    assert reasons["dangzhang_copy.txt"][0] == "duplicate_document" and "已存在" in reasons["dangzhang_copy.txt"][1]
    assert [item["filename"] for item in body["accepted"]] == ["page.pdf"]


def test_delete_and_cancel(client):
    admin = auth(client, "boss")
    job = client.delete("/api/admin/documents/cic_dangjian_2024", headers=admin).json()
    assert wait(client, admin, job["id"])["state"] == "succeeded"
    assert "cic_dangjian_2024" not in {d["doc_id"] for d in client.get("/api/documents").json()}
    assert client.delete("/api/admin/documents/cic_dangjian_2024", headers=admin).json()["error"]["code"] == "unknown_document"
    assert client.get("/api/admin/jobs/nope", headers=admin).json()["error"]["code"] == "unknown_job"


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read_whole(kb, settings):
    add_accounts(settings.data_dir, ("boss",))
    small_limit = settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(small_limit, embedder=HashingEmbedder())) as client:
        big = ("标题\n\n" + "学习内容。" * 300_000).encode()
        body = client.post("/api/admin/documents", headers=auth(client, "boss"), files=[("files", ("big.txt", big, "text/plain"))]).json()
        assert body["accepted"] == [] and body["refused"][0]["code"] == "file_too_large"
        assert "文件过大" in body["refused"][0]["reason"]
        replaced = client.post("/api/admin/documents/cic_dangjian_2024/versions", headers=auth(client, "boss"),
                               files={"file": ("big.txt", big, "text/plain")})
        assert replaced.status_code == 413 and replaced.json()["error"]["code"] == "file_too_large"
