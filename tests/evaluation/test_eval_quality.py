"""Evaluation plumbing for the quality work: added question sets, repeated CV, the sweep's CV choice, tables."""

from __future__ import annotations

import re

import numpy as np

from wuxue.answering.refusal import FEATURES, load_refusal_model
from wuxue.evaluation.calibrate import cross_validate, fit_refusal
from wuxue.evaluation.datasets import gold_questions, out_of_scope_questions, story_out_of_scope_questions
from wuxue.evaluation.runner import format_tables
from wuxue.evaluation.sweep import cross_validated_choice, metrics_of

from tests.conftest import CORPUS


def test_added_questions_are_marked_and_can_be_left_out():
    gold, original = gold_questions(), gold_questions(added=False)
    assert len(original) == 175 and len(gold) == 230
    assert [q for q in gold if not q.added] == original
    assert all(q.id.startswith("added-") for q in gold if q.added)
    assert len({q.id for q in gold}) == len(gold)
    outside = out_of_scope_questions()
    assert len(out_of_scope_questions(added=False)) == 34 and sum(q.added for q in outside) == 34
    assert {q.category for q in outside if q.added} == {"everyday", "other_domain", "near_miss"}
    stories = story_out_of_scope_questions()  # reported apart, never calibrated on
    assert len(stories) == 60 and sum(q.category == "story" for q in stories) == 40
    assert not {q.question for q in stories} & {q.question for q in outside}


def test_added_spans_are_in_their_documents():
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    for q in gold_questions():
        if q.added:
            assert squeeze(q.span) in squeeze((CORPUS / f"{q.doc_id}.txt").read_text(encoding="utf-8")), q.id


def _rows(rng: np.random.Generator, n: int, centre: float) -> list[dict[str, float]]:
    return [{name: float(rng.normal(centre, 0.1)) for name in FEATURES} for _ in range(n)]


def test_repeated_cross_validation_on_separable_signals():
    rng = np.random.default_rng(3)
    inside, outside = _rows(rng, 60, 1.0), _rows(rng, 20, 0.0)
    model, fitted = fit_refusal(inside, outside)
    assert fitted["refusal_recall"] == 1.0 and fitted["in_scope_refused"] <= 0.03
    cv = cross_validate(inside, outside, repeats=3)
    assert cv["cv_refusal_recall"] == 1.0 and cv["cv_in_scope_refused"] <= 0.1
    looser = cross_validate(inside, outside, repeats=1, budget=0.2)
    assert looser["cv_in_scope_refused"] >= cv["cv_in_scope_refused"]


def test_a_study_signal_is_fitted_by_name_and_the_shipped_file_keeps_its_eight():
    """A candidate signal (as in refusal_study) is fitted beside the shipped ones; only it separates here."""
    rng = np.random.default_rng(5)
    inside = [{**row, "candidate": 1.0 + float(rng.normal(0, 0.05))} for row in _rows(rng, 60, 0.5)]
    outside = [{**row, "candidate": float(rng.normal(0, 0.05))} for row in _rows(rng, 20, 0.5)]
    names = (*FEATURES, "candidate")
    model, fitted = fit_refusal(inside, outside, names=names)
    assert model.names == names and fitted["refusal_recall"] == 1.0
    assert model.to_dict()["features"] == list(names)
    assert cross_validate(inside, outside, repeats=1, names=names)["cv_refusal_recall"] == 1.0
    shipped = load_refusal_model()
    assert shipped.names == FEATURES and len(shipped.weights) == len(FEATURES)


def test_sweep_cross_validated_choice_scores_held_out_questions():
    always_first = [1] * 20
    half = [1] * 10 + [None] * 10
    assert cross_validated_choice([half, always_first]) == metrics_of(always_first) == {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0}
    assert metrics_of([1, 2, None, 6]) == {"hit@1": 0.25, "hit@5": 0.5, "mrr@10": (1 + 0.5 + 1 / 6) / 4}


def test_tables_show_all_original_and_added_questions():
    m = {"hit@1": 0.9, "hit@5": 1.0, "mrr@10": 0.95}
    answering = {"in_scope": 205, "out_of_scope": 66, "refusal_precision": 0.9, "refusal_recall": 0.92,
                 "in_scope_refused": 0.03, "answer_support": 0.85}
    gold = {"hybrid": m, "hybrid_original": m, "hybrid_added": m, "dense": m, "words": m, "bigrams": m,
            "answering": answering, "answering_original": {**answering, "in_scope": 175}, "answering_added": {**answering, "in_scope": 30},
            "calibration": {"cv_refusal_recall_with_rule": 0.89, "cv_in_scope_refused": 0.031,
                            "original_sets": {"cv_refusal_recall_with_rule": 0.99, "cv_in_scope_refused": 0.04}}}
    text = format_tables({"gold": gold})
    assert "| ours: hybrid, original 175 only | 0.900 | 1.000 | 0.950 |" in text
    assert "| ours: hybrid, added 30 only |" in text
    assert "| in-scope questions | 205 | 175 | 30 |" in text
    assert "| 5-fold CV ×5: recall / in-scope refused | 0.890 / 0.031 | 0.990 / 0.040 | |" in text


def test_refusal_study_table_has_a_row_per_variant_and_a_column_per_budget():
    from wuxue.evaluation.refusal_study import BUDGETS, render

    curve = {b: {"cv_refusal_recall": 0.9, "cv_in_scope_refused": b} for b in BUDGETS}
    table = render([("shipped: 8 signals", curve)])
    row = next(line for line in table.splitlines() if line.startswith("| shipped"))
    assert row.count(" / ") == len(BUDGETS) and "0.900 / 0.030" in row
