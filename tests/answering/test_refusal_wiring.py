"""Answering owns the refusal decision: signals from what the searcher returns, the model loaded once and injected,
calibration written where it is told."""

from __future__ import annotations

import json
import math
import sys

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import wuxue.answering.refusal as refusal_module
from wuxue.answering import ask
from wuxue.answering.refusal import RefusalModel, calibration_path, configured_refusal_model, load_refusal_model, save_refusal_model
from wuxue.answering.signals import FEATURES, agreement, features
from wuxue.cli import app as cli
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app

QUESTIONS = ("预备党员的预备期是多长时间？", "党员有哪些义务？", "红烧肉怎么做？", "《问责条例》规定了什么？", "党章第七条讲的是什么？")


def _agreement_as_the_searcher_computed_it(kb, question: str) -> float:
    """The formula the searcher used before the move: its own dense and bigram candidate lists, top 10 each."""
    searcher = kb._searcher
    words = searcher._tokens(searcher.router.without_names(question)) if searcher.router.named(question) else searcher._tokens(question)
    if not any(words.values()):
        words = searcher._tokens(question)
    dense = searcher._dense(searcher.embed_query(question), None)[0][:10]
    bigrams = set(searcher._lexical("bigrams", searcher.snapshot.lexical["bigrams"].scores(words["bigrams"]), None)[0][:10])
    return sum(1 for i in dense if i in bigrams) / 10


def test_signals_come_from_the_search_result_and_keep_their_values(kb):
    middle = RefusalModel(threshold=-2.0)  # a model that answers some of these and refuses others
    decisions = []
    for question in QUESTIONS:
        result = kb.search(question, k=5)
        values = features(result)
        assert set(values) == set(FEATURES)
        assert values["agreement"] == agreement(result) == _agreement_as_the_searcher_computed_it(kb, question)
        assert middle.decide(result) == middle.decide(result, values) == (not result.unknown_documents and middle.covers(values))
        decisions.append(middle.decide(result))
        answered = ask(kb, question, refusal=middle)
        assert answered.found == decisions[-1]
        assert answered.signals["agreement"] == round(values["agreement"], 4)
    assert decisions[2:4] == [False, False]  # a cooking question and an unknown document are refused


def _never_called() -> RefusalModel:
    raise AssertionError("the request re-read the refusal model instead of using the injected one")


def test_the_service_loads_the_refusal_model_once_at_start_up(settings, kb, monkeypatch):
    loads = []
    real = refusal_module.load_refusal_model

    def counted(path=None):  # type: ignore[no-untyped-def]
        loads.append(path)
        return real(path)

    monkeypatch.setattr(refusal_module, "load_refusal_model", counted)
    monkeypatch.setattr(sys.modules["wuxue.answering.ask"], "shipped_refusal_model", _never_called)
    application = create_app(settings, embedder=HashingEmbedder())
    with TestClient(application) as client:
        assert isinstance(application.state.refusal, RefusalModel)
        for question in ("预备党员的预备期是多长时间？", "党员有哪些义务？", "红烧肉怎么做？"):
            assert client.post("/api/ask", json={"question": question}).status_code == 200
        assert client.post("/api/ask/stream", json={"question": "党员有哪些义务？"}).status_code == 200
    assert len(loads) == 1


def test_a_model_calibrated_for_the_data_directory_is_the_one_the_service_uses(settings, kb):
    never = RefusalModel(threshold=-math.inf, note="test")
    save_refusal_model(never, settings.data_dir / "refusal.json")
    assert configured_refusal_model(settings.data_dir) == never
    application = create_app(settings, embedder=HashingEmbedder())
    with TestClient(application) as client:
        assert application.state.refusal == never
        assert client.post("/api/ask", json={"question": "预备党员的预备期是多长时间？"}).json()["found"] is False
    assert configured_refusal_model(settings.data_dir / "elsewhere") == load_refusal_model()


def test_calibrate_writes_the_given_path_and_never_the_package(kb, settings, monkeypatch, tmp_path):
    import wuxue.evaluation.runner as runner

    shipped = calibration_path().read_bytes()
    monkeypatch.setattr(runner, "gold_questions", _few_gold)
    monkeypatch.setattr(runner, "out_of_scope_questions", _few_outside)
    monkeypatch.setenv("WUXUE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("WUXUE_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("WUXUE_EMBED_BACKEND", "hashing")
    out = tmp_path / "fitted" / "refusal.json"
    result = CliRunner().invoke(cli, ["eval", "--no-cmrc", "--calibrate", "--calibrate-out", str(out)])
    assert result.exit_code == 0, result.output
    fitted = json.loads(out.read_text(encoding="utf-8"))
    assert fitted["features"] == list(FEATURES) and "wuxue eval --calibrate" in fitted["note"]
    assert calibration_path().read_bytes() == shipped
    assert not (settings.data_dir / "refusal.json").exists()




def _few_gold():  # type: ignore[no-untyped-def]
    from wuxue.evaluation.datasets import gold_questions

    return [q for q in gold_questions() if q.doc_id in ("dangzhang_2022", "lianjie_zilv_zhunze_2015")][:12]


def _few_outside():  # type: ignore[no-untyped-def]
    from wuxue.evaluation.datasets import out_of_scope_questions

    return out_of_scope_questions()[:6]


def test_compare_eval_finds_changed_figures_and_ignores_timings(tmp_path):
    from wuxue.evaluation.compare_eval import differences, main

    before = {"gold": {"answering": {"refusal_recall": 0.924, "in_scope_refused": 0.029}, "misses": [1]}, "seconds": 10}
    after = {"gold": {"answering": {"refusal_recall": 0.924, "in_scope_refused": 0.034}, "misses": [1]}, "seconds": 12}
    assert differences(before, after) == ["gold.answering.in_scope_refused: 0.029 → 0.034"]
    assert differences(before, {**before, "seconds": 99}) == []
    (tmp_path / "a.json").write_text(json.dumps(before), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(after), encoding="utf-8")
    assert main([str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 0
    assert main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1


def test_a_list_question_is_refused_only_past_the_threshold_and_its_margin(crafted):
    from wuxue.answering import ask
    from wuxue.answering.refusal import FEATURES, LIST_MARGIN, RefusalModel

    n = len(FEATURES)
    just_past = RefusalModel(mean=(0.0,) * n, scale=(1.0,) * n, weights=(0.0,) * n, bias=LIST_MARGIN / 2, threshold=0.0)
    listed = ask(crafted, "成员有哪些义务？", refusal=just_past)
    assert listed.found and listed.signals["refusal_margin"] == LIST_MARGIN
    assert not ask(crafted, "处分决定由谁作出？", refusal=just_past).found  # one fact: no margin
    far_past = RefusalModel(mean=(0.0,) * n, scale=(1.0,) * n, weights=(0.0,) * n, bias=LIST_MARGIN * 2, threshold=0.0)
    assert not ask(crafted, "成员有哪些义务？", refusal=far_past).found
