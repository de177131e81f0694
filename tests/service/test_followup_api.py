"""Follow-ups through the API and the CLI: history is bounded, the question answered is reported."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import wuxue.answering.refusal as refusal_module
from wuxue.cli import app as cli
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app


@pytest.fixture
def client(settings, kb):  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def test_a_follow_up_is_answered_as_the_question_it_stands_for(client):
    body = client.post("/api/ask", json={"question": "那权利呢？", "history": ["党员有哪些义务？"]}).json()
    assert body["question"] == "那权利呢？" and body["resolved_question"] == "党员有哪些权利？"
    assert {"direct", "kind", "scope_notice"} <= set(body)
    assert all({"highlight_pages", "also_in"} <= set(c) for c in body["citations"])
    plain = client.post("/api/ask", json={"question": "党员有哪些权利？", "history": ["党员有哪些义务？"]}).json()
    assert plain["resolved_question"] == ""
    assert [c["chunk_id"] for c in plain["citations"]] == [c["chunk_id"] for c in body["citations"]]
    assert client.post("/api/ask", json={"question": "那权利呢？"}).json()["resolved_question"] == ""


def test_the_stream_reports_the_resolved_question(client):
    text = client.post("/api/ask/stream", json={"question": "那权利呢？", "history": ["党员有哪些义务？"]}).text
    done = [block for block in text.strip().split("\n\n") if block.startswith("event: done")][0]
    assert json.loads(done.split("data: ", 1)[1])["resolved_question"] == "党员有哪些权利？"


@pytest.mark.parametrize("history", [["问题"] * 6, ["党" * 501], "党员有哪些义务？", [3]])
def test_history_is_bounded_and_typed(client, history):
    response = client.post("/api/ask", json={"question": "那权利呢？", "history": history})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "history" in error["message"]


def test_the_cli_reads_follow_ups_after_previous_questions_and_loads_the_model_once(kb, settings, monkeypatch):
    monkeypatch.setenv("WUXUE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("WUXUE_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("WUXUE_EMBED_BACKEND", "hashing")
    loads = []
    real = refusal_module.load_refusal_model
    monkeypatch.setattr(refusal_module, "load_refusal_model", lambda path=None: loads.append(path) or real(path))
    runner = CliRunner()
    output = runner.invoke(cli, ["ask", "那权利呢？", "--after", "党员有哪些义务？", "--json"]).output
    assert json.loads(output)["resolved_question"] == "党员有哪些权利？"
    readable = runner.invoke(cli, ["ask", "它的任期多长？", "--after", "党员有哪些义务？", "--after", "党的中央委员会由谁产生？"]).output
    assert readable.startswith("问：它的任期多长？\n（按“党的中央委员会的任期多长”理解）")
    assert len(loads) == 2  # one per process (each invoke is one)
    loads.clear()
    lines = runner.invoke(cli, ["ask", "-", "--json"], input="预备期多长\n三会一课是什么\n党员有哪些义务\n").output.splitlines()
    assert len(lines) == 3 and len(loads) == 1
