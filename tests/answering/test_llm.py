"""Optional LLM synthesis against a small OpenAI-compatible test server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.testclient import TestClient

from wuxue.answering import ask
from wuxue.answering.llm import OpenAICompatibleClient, check_citations
from wuxue.answering.refusal import RefusalModel
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app

REPLY = "预备党员的预备期为一年[1]。另见其他规定[9]。这句没有出处。"
ALWAYS = RefusalModel.always_answer()


def _fake_openai() -> tuple[FastAPI, dict[str, object]]:
    state: dict[str, object] = {"mode": "ok", "requests": []}
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):  # type: ignore[no-untyped-def]
        body = await request.json()
        state["requests"].append(body)  # type: ignore[union-attr]
        if state["mode"] == "error":
            return JSONResponse({"error": "boom"}, status_code=500)
        if state["mode"] == "slow":
            time.sleep(2.0)
        if body.get("stream"):
            def events():  # type: ignore[no-untyped-def]
                for piece in (REPLY[:8], REPLY[8:20], REPLY[20:]):
                    yield f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]}, ensure_ascii=False)}\n\n"
                yield "data: [DONE]\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")
        return {"choices": [{"message": {"role": "assistant", "content": REPLY}}]}

    return app, state


@pytest.fixture(scope="module")
def llm_server():
    app, state = _fake_openai()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1", state
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def llm(llm_server):
    url, state = llm_server
    state["mode"] = "ok"
    return OpenAICompatibleClient(url, model="test-model", timeout=1.0), state


def test_markers_outside_the_passages_are_dropped_and_unsupported_sentences_flagged():
    checked = check_citations(REPLY, 3)
    assert checked.answer == "预备党员的预备期为一年[1]。另见其他规定。这句没有出处。"
    assert checked.dropped_markers == [9]
    assert checked.unsupported == ["另见其他规定。", "这句没有出处。"]


def test_llm_answer_is_built_from_the_passages_only(kb, llm):
    client, state = llm
    result = ask(kb, "预备党员的预备期是多长时间？", refusal=ALWAYS, llm=client)
    assert result.mode == "llm" and "[9]" not in result.answer and "[1]" in result.answer
    assert "这句没有出处。" in result.unsupported
    prompt = state["requests"][-1]["messages"][1]["content"]
    assert "[1]" in prompt and "预备期为一年" in prompt and state["requests"][-1]["model"] == "test-model"
    assert [c.marker for c in result.citations] == list(range(1, len(result.citations) + 1))


@pytest.mark.parametrize("mode", ["error", "slow"])
def test_llm_failure_or_timeout_falls_back_to_the_extractive_answer(kb, llm, mode):
    client, state = llm
    state["mode"] = mode
    result = ask(kb, "预备党员的预备期是多长时间？", refusal=ALWAYS, llm=client)
    assert result.mode == "extractive" and "大模型不可用" in result.notice
    assert "预备期为一年。[1]" in result.answer


def test_refused_questions_never_reach_the_llm(kb, llm):
    client, state = llm
    before = len(state["requests"])
    result = ask(kb, "红烧肉怎么做？", refusal=RefusalModel.never_answer(), llm=client)
    assert not result.found and len(state["requests"]) == before


def _events(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_api_uses_the_llm_and_streams_server_sent_events(kb, settings, llm_server):
    url, state = llm_server
    state["mode"] = "ok"
    configured = settings.model_copy(update={"llm_base_url": url, "llm_model": "test-model", "llm_timeout": 1.0})
    with TestClient(create_app(configured, embedder=HashingEmbedder(), refusal=ALWAYS)) as client:
        body = client.post("/api/ask", json={"question": "预备党员的预备期是多长时间？"}).json()
        assert body["found"] and body["mode"] == "llm" and "[9]" not in body["answer"]
        response = client.post("/api/ask/stream", json={"question": "预备党员的预备期是多长时间？"})
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.text)
        assert events[0][0] == "citations" and events[-1][0] == "done"
        done = events[-1][1]
        assert done["query_id"] and done["found"]
        assert "".join(str(d) for e, d in events if e == "delta") == REPLY
        assert done["mode"] == "llm" and "这句没有出处。" in done["unsupported"]
        state["mode"] = "error"
        events = _events(client.post("/api/ask/stream", json={"question": "预备党员的预备期是多长时间？"}).text)
        assert [e for e, _ in events] == ["citations", "fallback", "done"]
        assert events[-1][1]["mode"] == "extractive" and events[-1][1]["found"]
        bad = client.post("/api/ask/stream", json={"question": "  "})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_question"
