"""`wuxue eval`: gold-set retrieval and answering metrics, refusal calibration, and CMRC 2018."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import typer

from wuxue.answering import AskResult, ask
from wuxue.answering.refusal import (RefusalModel, configured_refusal_model, data_dir_calibration, load_refusal_model,
                                    save_refusal_model)
from wuxue.answering.signals import features
from wuxue.evaluation.calibrate import cross_validate, fit_refusal
from wuxue.evaluation.cmrc import run_cmrc
from wuxue.evaluation.datasets import GoldQuestion, cmrc_contexts, gold_questions, out_of_scope_questions
from wuxue.evaluation.metrics import refusal_metrics, retrieval_metrics, support_rate
from wuxue.evaluation.modes import MODES
from wuxue.index.searcher import SearchResult
from wuxue.knowledge_base import KnowledgeBase

T = TypeVar("T")


def _pick(items: Sequence[T], keep: Sequence[bool]) -> list[T]:
    return [item for item, k in zip(items, keep) if k]


def _calibrate(inside: Sequence[SearchResult], outside: Sequence[SearchResult], original_in: Sequence[bool],
               original_out: Sequence[bool], out: Path) -> dict[str, object]:
    """Fit the refusal model on every question the rule does not decide, write it to ``out``; cross-validate on all
    and on the original sets."""
    def usable(results: Sequence[SearchResult], keep: Sequence[bool]) -> list[dict[str, float]]:
        return [features(r) for r, k in zip(results, keep) if k and not r.unknown_documents]

    everything_in, everything_out = [True] * len(inside), [True] * len(outside)
    inside_features, outside_features = usable(inside, everything_in), usable(outside, everything_out)
    model, fitted = fit_refusal(inside_features, outside_features)
    by_rule = sum(1 for r in outside if r.unknown_documents)
    cv = cross_validate(inside_features, outside_features)
    cv["cv_refusal_recall_with_rule"] = (cv["cv_refusal_recall"] * len(outside_features) + by_rule) / max(len(outside), 1)
    original = cross_validate(usable(inside, original_in), usable(outside, original_out))
    original_rule = sum(1 for r, k in zip(outside, original_out) if k and r.unknown_documents)
    original["cv_refusal_recall_with_rule"] = ((original["cv_refusal_recall"] * (sum(original_out) - original_rule) + original_rule)
                                               / max(sum(original_out), 1))
    note = (f"fitted by `wuxue eval --calibrate` on {len(inside_features)} in-scope and {len(outside_features)} out-of-scope "
            f"questions ({by_rule} more naming an unknown document are refused by rule); 5-fold CV ×5: recall "
            f"{cv['cv_refusal_recall_with_rule']:.3f} (rule included), in-scope refused {cv['cv_in_scope_refused']:.3f}; "
            f"original sets only: {original['cv_refusal_recall_with_rule']:.3f} / {original['cv_in_scope_refused']:.3f}")
    model = RefusalModel(model.mean, model.scale, model.weights, model.bias, model.threshold, note)
    save_refusal_model(model, out)
    return {**model.to_dict(), **fitted, **cv, "original_sets": original, "written_to": str(out)}


def _answering(answers: Sequence[AskResult], gold: Sequence[GoldQuestion], refused_outside: Sequence[bool]) -> dict[str, float]:
    return {
        **refusal_metrics([not a.found for a in answers], refused_outside),
        "answer_support": support_rate([a.answer for a in answers], [q.span for q in gold], [a.found for a in answers]),
        "in_scope": len(gold),
        "out_of_scope": len(refused_outside),
    }


def evaluate_gold(kb: KnowledgeBase, *, calibrate: bool = False, calibrate_out: Path | None = None) -> dict[str, object]:
    """Every metric on all questions, and on the original sets and the added ones apart (``datasets`` says why).

    With ``calibrate``, the refusal model is refitted, written to ``calibrate_out`` and used for the answering
    figures; otherwise the model the service would use for this data directory is.
    """
    gold = gold_questions()
    outside = out_of_scope_questions()
    original_in = [not q.added for q in gold]
    original_out = [not q.added for q in outside]
    added_in = [q.added for q in gold]
    added_out = [q.added for q in outside]
    spans = [[q.span] for q in gold]
    results: dict[str, object] = {}
    for mode, _ in MODES:
        rankings = [[hit.chunk.text for hit in kb.search(q.question, k=10, mode=mode).hits] for q in gold]
        results[mode] = retrieval_metrics(rankings, spans)
        if mode == "hybrid":
            results["hybrid_original"] = retrieval_metrics(_pick(rankings, original_in), _pick(spans, original_in))
            results["hybrid_added"] = retrieval_metrics(_pick(rankings, added_in), _pick(spans, added_in))
    if calibrate:
        inside_results = [kb.search(q.question, k=kb.settings.top_k) for q in gold]
        outside_results = [kb.search(q.question, k=kb.settings.top_k) for q in outside]
        out = calibrate_out or data_dir_calibration(kb.settings.data_dir)
        results["calibration"] = _calibrate(inside_results, outside_results, original_in, original_out, out)
        model = load_refusal_model(out)
    else:
        model = configured_refusal_model(kb.settings.data_dir, kb.settings.refusal_model_path)
    answers = [ask(kb, q.question, refusal=model) for q in gold]
    refused_outside = [not ask(kb, q.question, refusal=model).found for q in outside]
    results["answering"] = _answering(answers, gold, refused_outside)
    results["answering_original"] = _answering(_pick(answers, original_in), _pick(gold, original_in), _pick(refused_outside, original_out))
    results["answering_added"] = _answering(_pick(answers, added_in), _pick(gold, added_in), _pick(refused_outside, added_out))
    results["misses"] = [
        {"id": q.id, "question": q.question, "span": q.span, "top": a.citations[0].section if a.citations else None, "found": a.found}
        for q, a in zip(gold, answers) if not (a.found and q.span in a.answer)
    ][:40]
    results["answered_out_of_scope"] = [q.question for q, refused in zip(outside, refused_outside) if not refused]
    return results


def format_tables(results: dict[str, object]) -> str:
    gold = results["gold"]
    assert isinstance(gold, dict)
    counts = gold["answering"], gold["answering_original"], gold["answering_added"]
    lines = ["### Gold set (bundled corpus)", "", "| retriever | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|"]
    for mode, label in MODES:
        m = gold[mode]
        lines.append(f"| {label} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
        if mode == "hybrid":
            for key, name, a in (("hybrid_original", "original", counts[1]), ("hybrid_added", "added", counts[2])):
                m = gold[key]
                lines.append(f"| {label}, {name} {a['in_scope']} only | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
    lines += ["", "| answering | all | original sets | added sets |", "|---|---|---|---|"]
    rows = (("in-scope questions", "in_scope", "{}"), ("out-of-scope questions", "out_of_scope", "{}"),
            ("refusal precision", "refusal_precision", "{:.3f}"), ("refusal recall", "refusal_recall", "{:.3f}"),
            ("in-scope refused", "in_scope_refused", "{:.3f}"), ("answer support rate", "answer_support", "{:.3f}"))
    for label, key, form in rows:
        lines.append(f"| {label} | " + " | ".join(form.format(a[key]) for a in counts) + " |")
    calibration = gold.get("calibration")
    if isinstance(calibration, dict):
        original = calibration["original_sets"]
        assert isinstance(original, dict)
        lines.append(f"| 5-fold CV ×5: recall / in-scope refused | {calibration['cv_refusal_recall_with_rule']:.3f} / "
                     f"{calibration['cv_in_scope_refused']:.3f} | {original['cv_refusal_recall_with_rule']:.3f} / "
                     f"{original['cv_in_scope_refused']:.3f} | |")
    cmrc = results.get("cmrc")
    if isinstance(cmrc, dict):
        lines += ["", "### CMRC 2018 dev (848 contexts, 3,219 questions, chunk-level hits)", "",
                  "| retriever | chunks | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|---|"]
        for label, m in cmrc.items():
            chunks = int(m.get("chunks", 0)) or ""
            lines.append(f"| {label} | {chunks} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
    return "\n".join(lines)


def run_evaluation(kb: KnowledgeBase, *, calibrate: bool = False, calibrate_out: Path | None = None, with_cmrc: bool = True,
                   output: Path | None = None) -> dict[str, object]:
    started = time.time()
    s = kb.settings
    results: dict[str, object] = {
        "settings": {"chunk_size": s.chunk_size, "chunk_overlap": s.chunk_overlap, "context_prefix": s.context_prefix,
                     "fusion": s.fusion, "rrf_k": s.rrf_k, "weights": [s.dense_weight, s.word_weight, s.bigram_weight],
                     "route_boost": s.route_boost, "candidate_k": s.candidate_k,
                     "model": kb.embedder.model_id},
        "gold": evaluate_gold(kb, calibrate=calibrate, calibrate_out=calibrate_out),
    }
    if with_cmrc:
        scratch = s.cache_dir / "eval" / f"cmrc-{kb.embedder.model_id}-{s.chunk_size}-{s.chunk_overlap}-{s.context_prefix}"
        factory = lambda: KnowledgeBase(s.model_copy(update={"data_dir": scratch}), embedder=kb.embedder.inner)  # noqa: E731
        results["cmrc"] = run_cmrc(factory, kb.embedder, cmrc_contexts(), show_progress=True)
    results["seconds"] = round(time.time() - started, 1)
    typer.echo(format_tables(results))
    if output:
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return results
