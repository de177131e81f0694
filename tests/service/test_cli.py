"""The wuxue command end to end on the fake embedder (WUXUE_EMBED_BACKEND=hashing)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from wuxue.cli import app


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("WUXUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WUXUE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WUXUE_EMBED_BACKEND", "hashing")
    return tmp_path


def test_ingest_list_search_ask_remove(env, small_corpus):
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(small_corpus)])
    assert result.exit_code == 0, result.output
    assert "新增 4" in result.output

    listing = json.loads(runner.invoke(app, ["docs", "list", "--json"]).output)
    assert {d["doc_id"] for d in listing} >= {"dangzhang_2022", "cic_dangjian_2024"}
    assert all(d["chunks"] > 0 for d in listing)

    found = json.loads(runner.invoke(app, ["search", "预备党员的预备期", "-k", "3", "--json"]).output)
    assert found["query"] == "预备党员的预备期" and len(found["results"]) == 3
    assert {"chunk_id", "doc_id", "title", "section", "page", "text", "char_start", "char_end", "score", "dense_score", "sparse_score"} <= set(found["results"][0])

    lines = runner.invoke(app, ["ask", "-", "--json"], input="预备期多长\n\n三会一课是什么\n").output.strip().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["question"] for a in answers] == ["预备期多长", "三会一课是什么"]
    assert all({"found", "answer", "citations"} <= set(a) for a in answers)

    readable = runner.invoke(app, ["ask", "预备党员的预备期是多长时间"]).output
    assert "问：" in readable and ("出处" in readable or "可能相关" in readable)

    removed = runner.invoke(app, ["docs", "remove", "cic_dangjian_2024"])
    assert removed.exit_code == 0 and "已删除" in removed.output


def test_errors_are_chinese_with_codes(env, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["search", "党员"])
    assert result.exit_code == 2 and "index_not_ready" in result.output
    bad = tmp_path / "anim.gif"  # images other than PNG/JPEG/TIFF/BMP are not read
    bad.write_bytes(b"GIF89a" + b"0" * 64)
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 1 and "unsupported_type" in result.output
