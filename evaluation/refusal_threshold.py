"""Where the refusal threshold sits on the gold set: in-scope refused and recall at each number of refused questions.

    WUXUE_DATA_DIR=<index of the bundled corpus> python -m wuxue.evaluation.refusal_threshold [--model refusal.json]

For a model whose weights stay but whose signals changed (session 7: the coverage signals also read the asking
clause of a story question), the threshold is moved to the score that refuses as many in-scope questions as
before; this prints the scores to choose from and what each choice refuses.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from wuxue.answering.question import analyze
from wuxue.answering.refusal import RefusalModel, features, kind_margin, load_refusal_model
from wuxue.evaluation.datasets import gold_questions, out_of_scope_questions, story_out_of_scope_questions
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

REFUSED_BY_RULE = float("inf")  # a question naming a document the corpus lacks is refused whatever its score


def score_question(kb: KnowledgeBase, model: RefusalModel, question: str) -> float:
    """The refusal score as ``ask`` compares it with the threshold (a list question's margin taken off)."""
    analysis = analyze(question)
    result = kb.search(analysis.search_text if analysis.is_quiz else question, k=kb.settings.top_k)
    if not result.hits or result.unknown_documents:
        return REFUSED_BY_RULE
    return model.score(features(result)) - kind_margin(analysis.kind)  # a list question's margin, as ask() applies it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="refusal model file (default: the shipped one)")
    parser.add_argument("--most", type=int, default=10, help="show thresholds refusing up to this many in-scope questions")
    args = parser.parse_args()
    kb = KnowledgeBase(load_settings())
    kb.load()
    model = load_refusal_model(args.model)
    inside = np.array([score_question(kb, model, q.question) for q in gold_questions()])
    outside = np.array([score_question(kb, model, q.question) for q in out_of_scope_questions()])
    print(f"model threshold {model.threshold:.4f}: in-scope refused {np.mean(inside > model.threshold):.3f}, "
          f"recall {np.mean(outside > model.threshold):.3f} ({len(inside)} in-scope, {len(outside)} out-of-scope)")
    stories = np.array([score_question(kb, model, q.question) for q in story_out_of_scope_questions()])
    print(f"everyday questions the corpus does not answer (out_of_scope_story.jsonl, {len(stories)}): "
          f"recall {np.mean(stories > model.threshold):.3f}")
    ordered = np.sort(inside[np.isfinite(inside)])[::-1]
    for refused in range(min(args.most, len(ordered) - 1) + 1):
        threshold = float(ordered[refused]) if refused < len(ordered) else -np.inf
        print(f"threshold {threshold:8.4f}: in-scope refused {np.mean(inside > threshold):.3f}, "
              f"recall {np.mean(outside > threshold):.3f}")


if __name__ == "__main__":
    main()
