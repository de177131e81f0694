"""查看原文: the text around a passage reads continuously — the overlap between neighbouring chunks is shown once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app


@pytest.fixture
def client(settings, kb):  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def test_the_text_around_a_passage_repeats_nothing_and_keeps_exact_offsets(client, kb):
    store = kb.snapshot.store
    chunks = store.chunks_of("dangzhang_2022")
    overlapping = next(i for i in range(1, len(chunks) - 1) if chunks[i].char_start < chunks[i - 1].char_end)
    document = store.document_text("dangzhang_2022")
    body = client.get("/api/documents/dangzhang_2022/text", params={"around": chunks[overlapping].chunk_id, "radius": 2}).json()
    passages = body["passages"]
    assert [p["focus"] for p in passages].count(True) == 1
    for before, after in zip(passages, passages[1:]):
        assert after["char_start"] == before["char_end"]  # starts where the previous one ended: no repeat, no gap
    for p in passages:
        assert document[p["char_start"]:p["char_end"]] == p["text"]
    window = chunks[max(0, overlapping - 2): overlapping + 3]
    assert "".join(p["text"] for p in passages) == document[window[0].char_start:window[-1].char_end]


def test_a_line_break_between_two_chunks_is_kept(client, kb):
    store = kb.snapshot.store
    chunks = store.chunks_of("dangzhang_2022")
    document = store.document_text("dangzhang_2022")
    gap = next(i for i in range(1, len(chunks)) if chunks[i].char_start > chunks[i - 1].char_end)
    passages = client.get("/api/documents/dangzhang_2022/text", params={"around": chunks[gap].chunk_id, "radius": 1}).json()["passages"]
    assert "".join(p["text"] for p in passages) == document[chunks[gap - 1].char_start:chunks[gap + 1].char_end]


def test_the_whole_document_still_lists_every_chunk_as_indexed(client, kb):
    chunks = kb.snapshot.store.chunks_of("dangzhang_2022")
    passages = client.get("/api/documents/dangzhang_2022/text").json()["passages"]
    assert [p["chunk_id"] for p in passages] == [c.chunk_id for c in chunks]
    assert [p["text"] for p in passages] == [c.text for c in chunks]
