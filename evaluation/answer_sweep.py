"""Sweep the composition's choices on the ORIGINAL (non-added) answer questions: which setting wins is decided here.

    python -m wuxue.evaluation.answer_sweep

Each row sets module constants of wuxue.answering.compose (SHORT_UNIT_CHARS: single-fact answers quote their unit
up to this length; FURTHER: add further passages that say something new; LEAD_OVERLAP; TYPED_SHARE) and prints
complete / piece recall / first line / median lengths for the original questions only.
"""

from __future__ import annotations

import typer

from wuxue.answering import ask, compose
from wuxue.answering.refusal import load_refusal_model
from wuxue.evaluation.answer_metrics import answer_metrics
from wuxue.evaluation.answer_sets import answer_questions
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

SETTINGS: list[dict[str, object]] = [
    {},
    {"FURTHER": False},
    {"SHORT_UNIT_CHARS": 80},
    {"SHORT_UNIT_CHARS": 150},
    {"SHORT_UNIT_CHARS": 300},
    {"LEAD_OVERLAP": 0.6},
    {"LEAD_OVERLAP": 0.8},
    {"TYPED_SHARE": 0.15},
    {"TYPED_SHARE": 0.6},
    {"MAIN_SHARE_WEIGHT": None},
    {"FOCUS_BONUS": 1.0},
    {"FOCUS_BONUS": 0.0},
    {"MAIN_BY_STRENGTH": {"quantity", "date", "actor", "yesno"}},
    {"MAIN_BY_STRENGTH": {"quantity", "date", "actor", "yesno"}, "FOCUS_BONUS": 1.0},
    {"SKIP_WHEN_STATED": False},
    {"MAIN_SHARE_WEIGHT": 1.0},
    {"MAIN_SHARE_WEIGHT": 2.0},
    {"HOLDS_SUPPORT": 0.0},
    {"HOLDS_SUPPORT": 1.0},
    {"NEARBY_WINDOW": 0},
    {"MAX_SECTION_LIST_CHARS": 0},
    {"NEARBY_FALLBACK": True},
    {"NEARBY_FALLBACK": True, "LEAD_OVERLAP": 0.8},
    {"LEAD_OVERLAP": 1.2},
]


def main() -> None:
    kb = KnowledgeBase(load_settings())
    kb.load()
    model = load_refusal_model()
    questions = [q for q in answer_questions() if not q.added]
    defaults = {name: getattr(compose, name) for change in SETTINGS for name in change}
    typer.echo("| setting | complete | piece recall | first line | median length | median single-fact |\n|---|---|---|---|---|---|")
    for change in SETTINGS:
        for name, value in {**defaults, **change}.items():
            setattr(compose, name, value)
        answers = [ask(kb, q.question, refusal=model) for q in questions]
        m = answer_metrics([a.answer for a in answers], [q.pieces for q in questions], [q.single_fact for q in questions],
                           [a.found for a in answers])
        label = ", ".join(f"{k}={v}" for k, v in change.items()) or "shipped"
        typer.echo(f"| {label} | {m['complete']:.3f} | {m['piece_recall']:.3f} | {m['first_line']:.3f} | "
                   f"{m['median_length']:.0f} | {m['median_length_single_fact']:.0f} |")
    for name, value in defaults.items():
        setattr(compose, name, value)


if __name__ == "__main__":
    typer.run(main)
