"""Why no refusal threshold answers members' everyday stories about an uploaded statute: the scores of the covered
民法典 questions beside those of the out-of-scope ones, band by band, on the index with the 民法典 uploaded.

    WUXUE_DATA_DIR=<index of the bundled corpus> python -m wuxue.evaluation.answer_eval   # builds the held-out index
    WUXUE_DATA_DIR=<index of the bundled corpus> python -m wuxue.evaluation.refusal_overlap [--sets heldout_civil …]

A score is how far a question lies past the refusal threshold, with its kind's margin, as ``ask`` decides (> 0:
refused). Where the two kinds of question share a band, a threshold refuses covered stories only by answering
uncovered ones as often.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wuxue.answering.refusal import load_refusal_model
from wuxue.evaluation.answer_eval import heldout_index_dir
from wuxue.evaluation.answer_sets import CIVIL_SETS, answer_questions, data_dir
from wuxue.evaluation.datasets import out_of_scope_questions, story_out_of_scope_questions
from wuxue.evaluation.refusal_threshold import REFUSED_BY_RULE, score_question
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

BANDS = ((0.0, 0.5), (0.5, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, 3.0), (3.0, 5.0), (5.0, float("inf")))


def _within(scores: list[float], low: float, high: float) -> int:
    return sum(1 for score in scores if low < score <= high and score != REFUSED_BY_RULE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(CIVIL_SETS), help="held-out answer sets (default: every civil set)")
    args = parser.parse_args()
    settings = load_settings()
    embedder = KnowledgeBase(settings).embedder  # the model names the scratch index; it is loaded once
    scratch = heldout_index_dir(settings, embedder.model_id)
    if not (scratch / "CURRENT").exists():
        raise SystemExit(f"no held-out index at {scratch}: run python -m wuxue.evaluation.answer_eval first")
    held = KnowledgeBase(settings.model_copy(update={"data_dir": scratch}), embedder=embedder.inner)
    held.load()
    model = load_refusal_model()
    inside = [score_question(held, model, q.question) - model.threshold
              for name in args.sets for q in answer_questions(Path(data_dir()) / name)]
    outside = [score_question(held, model, q.question) - model.threshold
               for q in [*out_of_scope_questions(), *story_out_of_scope_questions()]]
    print(f"{len(inside)} covered questions ({', '.join(args.sets)}), {len(outside)} out-of-scope questions")
    print("| past the threshold | covered, refused | out-of-scope, refused |\n|---|---|---|")
    for low, high in BANDS:
        print(f"| ({low:g}, {high:g}] | {_within(inside, low, high)} | {_within(outside, low, high)} |")
    print(f"| by rule (names an absent document) | {sum(s == REFUSED_BY_RULE for s in inside)} | "
          f"{sum(s == REFUSED_BY_RULE for s in outside)} |")
    print(f"covered refused {sum(s > 0 for s in inside)} of {len(inside)}; "
          f"out-of-scope answered {sum(s <= 0 for s in outside)} of {len(outside)}")
    held.close()


if __name__ == "__main__":
    main()
