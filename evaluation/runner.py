"""`wuxue eval`: gold-set retrieval and answering metrics, refusal calibration, and CMRC 2018."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from wuxue.answering import ask
from wuxue.answering.refusal import RefusalModel, features, load_refusal_model, save_refusal_model
from wuxue.evaluation.calibrate import cross_validate, fit_refusal
from wuxue.evaluation.cmrc import run_cmrc
from wuxue.evaluation.datasets import cmrc_contexts, gold_questions, out_of_scope_questions
from wuxue.evaluation.metrics import refusal_metrics, retrieval_metrics, support_rate
from wuxue.evaluation.modes import MODES
from wuxue.knowledge_base import KnowledgeBase


def evaluate_gold(kb: KnowledgeBase, *, calibrate: bool = False) -> dict[str, object]:
    gold = gold_questions()
    outside = out_of_scope_questions()
    results: dict[str, object] = {}
    for mode, _ in MODES:
        rankings = [[hit.chunk.text for hit in kb.search(q.question, k=10, mode=mode).hits] for q in gold]
        results[mode] = retrieval_metrics(rankings, [[q.span] for q in gold])
    if calibrate:
        # Questions naming a document we do not hold are refused by rule; fit on the rest.
        inside_results = [kb.search(q.question, k=kb.settings.top_k) for q in gold]
        outside_results = [kb.search(q.question, k=kb.settings.top_k) for q in outside]
        inside_features = [features(r) for r in inside_results if not r.unknown_documents]
        outside_features = [features(r) for r in outside_results if not r.unknown_documents]
        model, fitted = fit_refusal(inside_features, outside_features)
        cv = cross_validate(inside_features, outside_features)
        note = (f"fitted by `wuxue eval --calibrate` on {len(inside_features)} in-scope and {len(outside_features)} "
                f"out-of-scope questions (those naming an unknown document are refused by rule); 5-fold CV recall "
                f"{cv['cv_refusal_recall']:.3f}, in-scope refused {cv['cv_in_scope_refused']:.3f}")
        model = RefusalModel(model.mean, model.scale, model.weights, model.bias, model.threshold, note)
        save_refusal_model(model)
        results["calibration"] = {**model.to_dict(), **fitted, **cv}
    model = load_refusal_model()
    answers = [ask(kb, q.question, refusal=model) for q in gold]
    refused_outside = [not ask(kb, q.question, refusal=model).found for q in outside]
    results["answering"] = {
        **refusal_metrics([not a.found for a in answers], refused_outside),
        "answer_support": support_rate([a.answer for a in answers], [q.span for q in gold], [a.found for a in answers]),
        "in_scope": len(gold),
        "out_of_scope": len(outside),
    }
    results["misses"] = [
        {"id": q.id, "question": q.question, "span": q.span, "top": a.citations[0].section if a.citations else None, "found": a.found}
        for q, a in zip(gold, answers) if not (a.found and q.span in a.answer)
    ][:40]
    return results


def format_tables(results: dict[str, object]) -> str:
    lines = ["### Gold set (bundled corpus)", "", "| retriever | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|"]
    gold = results["gold"]
    assert isinstance(gold, dict)
    for mode, label in MODES:
        m = gold[mode]
        lines.append(f"| {label} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
    a = gold["answering"]
    lines += ["", "| answering | value |", "|---|---|",
              f"| in-scope questions | {a['in_scope']} |", f"| out-of-scope questions | {a['out_of_scope']} |",
              f"| refusal precision | {a['refusal_precision']:.3f} |", f"| refusal recall | {a['refusal_recall']:.3f} |",
              f"| in-scope refused | {a['in_scope_refused']:.3f} |", f"| answer support rate | {a['answer_support']:.3f} |"]
    cmrc = results.get("cmrc")
    if isinstance(cmrc, dict):
        lines += ["", "### CMRC 2018 dev (848 contexts, 3,219 questions, chunk-level hits)", "",
                  "| retriever | chunks | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|---|"]
        for label, m in cmrc.items():
            chunks = int(m.get("chunks", 0)) or ""
            lines.append(f"| {label} | {chunks} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
    return "\n".join(lines)


def run_evaluation(kb: KnowledgeBase, *, calibrate: bool = False, with_cmrc: bool = True, output: Path | None = None) -> dict[str, object]:
    started = time.time()
    s = kb.settings
    results: dict[str, object] = {
        "settings": {"chunk_size": s.chunk_size, "chunk_overlap": s.chunk_overlap, "context_prefix": s.context_prefix,
                     "fusion": s.fusion, "rrf_k": s.rrf_k, "weights": [s.dense_weight, s.word_weight, s.bigram_weight],
                     "route_boost": s.route_boost, "candidate_k": s.candidate_k,
                     "model": kb.embedder.model_id},
        "gold": evaluate_gold(kb, calibrate=calibrate),
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
