"""``wuxue quiz`` and ``wuxue quiz-eval`` through typer's CliRunner on the fake embedder."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.quiz.crafted import CRAFTED
from wuxue.cli import app


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("WUXUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WUXUE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WUXUE_EMBED_BACKEND", "hashing")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(CRAFTED)]).exit_code == 0
    return runner


def test_quiz_writes_the_json_export(runner, tmp_path):
    out = tmp_path / "set.json"
    result = runner.invoke(app, ["quiz", "--doc", "shouce", "--doc", "yaodian", "--single", "2", "--blank", "2", "--judge", "2",
                                 "--seed", "3", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "items" in data
    assert sorted(i["type"] for i in data["items"]) == ["blank", "blank", "judge", "judge", "single", "single"]
    assert all(i["citation"]["doc_id"] in {"shouce", "yaodian"} for i in data["items"])
    again = tmp_path / "again.json"
    runner.invoke(app, ["quiz", "--doc", "shouce", "--doc", "yaodian", "--single", "2", "--blank", "2", "--judge", "2",
                        "--seed", "3", "-o", str(again)])
    assert json.loads(again.read_text(encoding="utf-8")) == data


def test_quiz_prints_json_without_a_file_and_reports_a_shortfall(runner):
    result = runner.invoke(app, ["quiz", "--doc", "yaodian", "--single", "30"])
    assert result.exit_code == 0, result.output
    payload = result.stdout[: result.stdout.rindex("}") + 1]
    assert json.loads(payload)["items"]
    assert "要求 30 道" in result.output


def test_quiz_errors_are_chinese_with_codes(runner):
    result = runner.invoke(app, ["quiz", "--doc", "nope", "--single", "1"])
    assert result.exit_code == 2 and "unknown_document" in result.output
    result = runner.invoke(app, ["quiz", "--doc", "shouce"])
    assert result.exit_code == 2 and "invalid_quiz_spec" in result.output


def test_quiz_eval_writes_markdown_and_json(runner, tmp_path):
    out = tmp_path / "quiz_eval.md"
    result = runner.invoke(app, ["quiz-eval", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert {d["doc_id"] for d in report["documents"]} == {"shouce", "yaodian"}
    assert report["grounded_share"] == 1.0 and report["ambiguous_in_output"] == 0 and report["leaks"] == 0
    assert report["retrieval_top3_share"] == 1.0
    text = out.read_text(encoding="utf-8")
    assert "## Per document" in text and "random items with their sources" in text
