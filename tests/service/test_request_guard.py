"""The edge: admin writes authenticated and bodies capped before they are read (issue 11 item 5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.service.edge import body_limit
from tests.conftest import add_accounts, bearer


@pytest.fixture
def small_limits(kb, settings):
    return settings.model_copy(update={"max_upload_request_mb": 2, "max_json_kb": 4})  # a 3,000-character id still fits


@pytest.fixture
def client(small_limits):
    add_accounts(small_limits.data_dir, ("boss", "mem"))
    with TestClient(create_app(small_limits, embedder=HashingEmbedder())) as test_client:
        yield test_client


class CountingBody:
    """A streamed (chunked) body that records how much of it the server pulled."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.sent = chunk, count, 0

    def __iter__(self):
        for _ in range(self.count):
            self.sent += len(self.chunk)
            yield self.chunk


def test_limits_by_route(small_limits):
    assert body_limit(small_limits, "POST", "/api/admin/documents") == 2 * 1024 * 1024
    assert body_limit(small_limits, "POST", "/api/admin/documents/dangzhang_2022/versions") == 2 * 1024 * 1024
    assert body_limit(small_limits, "POST", "/api/ask") == 4 * 1024
    assert body_limit(small_limits, "PATCH", "/api/admin/documents/x") == 4 * 1024


def test_unauthenticated_upload_gets_401_without_the_body_being_read(client):
    body = CountingBody(b"x" * 65536, 64)  # 4 MiB, streamed
    response = client.post("/api/admin/documents", content=body,
                           headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized" and response.headers["www-authenticate"] == "Bearer"
    assert body.sent <= 65536  # the client was not asked for the rest
    forged = client.post("/api/admin/documents", content=b"x" * 10, headers={"Authorization": "Bearer nope", "content-type": "multipart/form-data; boundary=zzz"})
    assert forged.status_code == 401 and forged.json()["error"]["message"] == "登录已失效，请重新登录"


def test_member_upload_is_forbidden_at_the_edge(client):
    member = bearer(client, "mem")
    response = client.post("/api/admin/reindex", headers=member)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_declared_oversize_upload_is_refused_before_reading(client):
    admin = bearer(client, "boss")
    big = b"a" * (3 * 1024 * 1024)
    response = client.post("/api/admin/documents", headers=admin, files=[("files", ("big.txt", big, "text/plain"))])
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large" and "2 MB" in error["message"]


def test_streamed_oversize_upload_is_cut_off(client):
    admin = bearer(client, "boss")
    head = b'--zzz\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n'
    body = CountingBody(b"x" * 65536, 200)  # ~12.5 MiB of one file part, no Content-Length

    def stream():
        yield head
        yield from body

    response = client.post("/api/admin/documents", content=stream(),
                           headers={**admin, "content-type": "multipart/form-data; boundary=zzz"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    # (the test client drains its own stream regardless; evaluation/battery.py measures the cut-off on a real socket)


def test_json_bodies_are_capped_at_a_few_kb(client):
    huge = {"question": "党员" * 5000}
    response = client.post("/api/ask", json=huge)
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    assert "4 KB" in response.json()["error"]["message"]
    streamed = CountingBody(b"[" * 1024, 1024)
    response = client.post("/api/ask", content=streamed, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    assert client.post("/api/ask", json={"question": "预备党员的预备期是多长时间"}).status_code == 200


def test_bad_content_length_is_a_clear_400(client):
    response = client.post("/api/ask", content=b"{}", headers={"content-type": "application/json", "content-length": "abc"})
    assert response.status_code in (400, 422) and "error" in response.json()


def test_an_admin_upload_within_the_limits_still_works(client):
    admin = bearer(client, "boss")
    text = "学会读书班材料\n\n第一条 本学会每月举办读书班。\n".encode()
    response = client.post("/api/admin/documents", headers=admin, files=[("files", ("dushuban.txt", text, "text/plain"))])
    assert response.status_code == 202 and response.json()["accepted"]


def test_error_messages_never_echo_unbounded_input(client):
    response = client.post("/api/ask", json={"question": "党员的义务", "doc_ids": ["x" * 3000]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_document"
    assert len(response.json()["error"]["message"]) <= 300


def test_unparseable_multipart_is_a_clear_400(client):
    admin = bearer(client, "boss")
    response = client.post("/api/admin/documents", headers=admin, files=[("files", ("长" * 5000 + ".txt", b"abc", "text/plain"))])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "文件名" in error["message"]
