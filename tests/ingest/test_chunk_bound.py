"""Chunks have a hard upper bound whatever the punctuation (issue 11 item 3)."""

from __future__ import annotations

from hypothesis import given, settings as hypothesis_settings, strategies as st

from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.chunker import bounded_spans

CONFIG = ChunkerConfig(300, 60)


def _check(text: str, config: ChunkerConfig = CONFIG):
    _, document = prepare_document(text.encode("utf-8"), "long.txt")
    chunks = chunk_document(document, config)
    assert chunks
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        assert len(chunk.text) <= config.max_chars
        for start, end in chunk.sentences:
            assert 0 <= start < end <= len(chunk.text)
    return document, chunks


def _covered(document, chunks) -> None:
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(i in covered for i, ch in enumerate(document.text) if not ch.isspace())


def test_text_without_any_punctuation_is_cut_at_characters():
    document, chunks = _check("标题\n\n" + "党员学习组织建设" * 5000)
    assert max(len(c.text) for c in chunks) <= CONFIG.max_chars
    assert len(chunks) > 100
    _covered(document, chunks)


def test_long_sentence_is_cut_at_clause_marks_first():
    clauses = [f"第{i}项工作要求认真落实相关制度规定" for i in range(200)]
    document, chunks = _check("标题\n\n" + "，".join(clauses) + "。")
    # every cut but the last falls right after a clause mark
    assert all(c.text.endswith(("，", "。")) for c in chunks)
    _covered(document, chunks)


def test_colon_chains_cannot_grow_a_chunk_without_bound():
    """A run of sentences that each 'introduce a list' (end with ：) used to be glued together forever."""
    document, chunks = _check("标题\n\n" + "下列事项应当报告：" * 400)
    _covered(document, chunks)


def test_five_mebibytes_without_punctuation_stay_bounded():
    text = "学习贯彻党的二十大精神推进全面从严治党" * (5 * 1024 * 1024 // 57)  # ~5 MiB of UTF-8, one line
    assert len(text.encode("utf-8")) >= 5 * 1024 * 1024 - 64
    _, document = prepare_document(text.encode("utf-8"), "line.txt")
    chunks = chunk_document(document, CONFIG)
    assert max(len(c.text) for c in chunks) <= CONFIG.max_chars
    assert sum(len(c.text) for c in chunks) >= len(text) - 1000


def test_ordinary_sentences_are_untouched():
    text = "第一句话。第二句话，带逗号。"
    assert bounded_spans(text, [(0, 5), (5, 14)], CONFIG) == [(0, 5), (5, 14)]


_run = st.text(alphabet="党员组织纪律学习建设人民国家发展制度工作 　", min_size=0, max_size=900)
_mark = st.sampled_from(["", "，", "、", "：", "。", "；", "\n", "\n\n", "第三条 ", "一、"])
_body = st.lists(st.tuples(_run, _mark).map("".join), min_size=1, max_size=12).map("".join)


@hypothesis_settings(max_examples=120, deadline=None)
@given(body=_body, size=st.integers(50, 400))
def test_bound_and_offsets_hold_for_any_punctuation(body, size):
    text = "生成的文档\n\n" + body + "结束。"
    config = ChunkerConfig(size, size // 5)
    document, chunks = _check(text, config)
    _covered(document, chunks)


def test_ask_over_a_text_without_punctuation_returns_a_bounded_response(kb, settings):
    """On main a 5 MiB line became one chunk and /api/ask returned 10.5 MB; now every passage is bounded."""
    from fastapi.testclient import TestClient

    from wuxue.index.embedders import HashingEmbedder
    from wuxue.service.app import create_app

    unit = "学习贯彻党的二十大精神推进全面从严治党"
    report = kb.ingest_bytes(("无标点长文本\n\n" + unit * 20000).encode(), "line.txt")  # 380,000 characters, one line
    assert not report.failed
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as client:
        response = client.post("/api/ask", json={"question": "学习贯彻党的二十大精神", "doc_ids": [report.added[0]], "top_k": 10})
    assert response.status_code == 200
    assert len(response.content) < 64 * 1024
    assert all(len(c["text"]) <= CONFIG.max_chars for c in response.json()["citations"])
