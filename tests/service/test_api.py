"""The HTTP API through the real app (lifespan included) on a small real index (fake embedder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app


@pytest.fixture
def client(kb, settings):
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def test_ask_returns_cited_answer_with_query_id(client):
    response = client.post("/api/ask", json={"question": "预备党员的预备期是多长时间？", "top_k": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query_id"] and isinstance(body["found"], bool) and body["citations"]
    citation = body["citations"][0]
    assert {"doc_id", "title", "section", "page", "text", "char_start", "char_end", "highlight", "score"} <= set(citation)
    start, end = citation["highlight"][0]
    assert 0 <= start < end <= len(citation["text"])
    assert "search" in body["timing_ms"]


def test_ask_within_selected_documents(client):
    body = client.post("/api/ask", json={"question": "五学联动", "doc_ids": ["cic_dangjian_2024"]}).json()
    assert {c["doc_id"] for c in body["citations"]} == {"cic_dangjian_2024"}


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"question": ""}, "invalid_request"), ({"question": "   "}, "invalid_question"), ({"question": "问" * 501}, "invalid_request"),
     ({}, "invalid_request"), ({"question": "党员", "top_k": 0}, "invalid_request")],
)
def test_bad_questions_get_chinese_errors_with_codes(client, payload, code):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_unknown_document_is_404(client):
    response = client.post("/api/ask", json={"question": "党员", "doc_ids": ["no_such_doc"]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_document"
    assert client.get("/api/documents/no_such_doc").json()["error"]["code"] == "unknown_document"
    assert client.get("/api/nothing-here").json()["error"]["code"] == "not_found"


def test_search_returns_both_scores(client):
    body = client.get("/api/search", params={"q": "三会一课", "k": 3}).json()
    assert body["query"] == "三会一课" and len(body["results"]) == 3
    assert {"dense_score", "sparse_score", "bigram_score", "score"} <= set(body["results"][0])
    filtered = client.get("/api/search", params={"q": "党员", "doc_ids": "lianjie_zilv_zhunze_2015"}).json()
    assert {r["doc_id"] for r in filtered["results"]} == {"lianjie_zilv_zhunze_2015"}


def test_documents_outline_and_text_around_a_passage(client):
    listing = client.get("/api/documents").json()
    assert {d["doc_id"] for d in listing} == {"dangzhang_2022", "lianjie_zilv_zhunze_2015", "cic_dangjian_2024", "njmes_dangjian_plan_2023"}
    detail = client.get("/api/documents/dangzhang_2022").json()
    assert detail["title"] == "中国共产党章程" and any(o["label"] == "第七条" for o in detail["outline"])
    text = client.get("/api/documents/dangzhang_2022/text", params={"around": "dangzhang_2022#20", "radius": 1}).json()
    assert [p["focus"] for p in text["passages"]] == [False, True, False]
    assert client.get("/api/documents/dangzhang_2022/text", params={"around": "nope"}).json()["error"]["code"] == "unknown_chunk"


def test_feedback_is_stored(client, kb):
    query_id = client.post("/api/ask", json={"question": "三会一课是什么"}).json()["query_id"]
    created = client.post("/api/feedback", json={"query_id": query_id, "helpful": False, "comment": "出处不对"})
    assert created.status_code == 201
    assert client.post("/api/feedback", json={"query_id": "missing", "helpful": True}).json()["error"]["code"] == "unknown_query"
    stored = client.app.state.app_db.feedback()
    assert stored[-1]["query_id"] == query_id and stored[-1]["comment"] == "出处不对" and stored[-1]["helpful"] == 0


def test_health_ready_and_security_headers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] == 4 and ready["manifest"]["chunks"] == ready["chunks"]
    page = client.get("/")
    assert page.status_code == 200 and "五学联动学习知识库" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "/api/ask" in client.get("/openapi.json").text


def test_not_ready_is_503_with_retry_after(settings):
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as empty:
        assert empty.get("/healthz").status_code == 200
        response = empty.post("/api/ask", json={"question": "党员的权利"})
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.json()["error"]["code"] == "index_not_ready"
        assert empty.get("/readyz").status_code == 503
