"""Aiken (Moodle): one single-answer question per block, ``ANSWER: B``.

Aiken holds only single-answer multiple choice, so 单选 are written as they are, 判断 become a
two-option question (A. 正确 / B. 错误), and 多选 and 填空 are skipped; ``skipped`` counts them so the
caller can say so (the API sends it in ``X-Quiz-Skipped``).
"""

from __future__ import annotations

from collections.abc import Sequence

from wuxue.quiz.export.common import (
    FALSE_TEXT,
    TRUE_TEXT,
    Item,
    answer_keys,
    clean,
    judge_is_true,
    one_line,
    options,
)

SUPPORTED = ("single", "judge")


def skipped(items: Sequence[Item]) -> int:
    return sum(1 for item in items if item.get("type") not in SUPPORTED)


def _block(item: Item) -> list[str]:
    stem = one_line(clean(item.get("stem", "")))
    if item.get("type") == "judge":
        choices = [("A", TRUE_TEXT), ("B", FALSE_TEXT)]
        answer = "A" if judge_is_true(item) else "B"
    else:
        choices = [(key, one_line(text)) for key, text in options(item)]
        answer = (answer_keys(item) or ["?"])[0]
    return [stem, *(f"{key}. {text}" for key, text in choices), f"ANSWER: {answer}"]


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    """Aiken has no comments and always carries the answer; ``answers`` and ``title`` do not apply."""
    blocks = ["\n".join(_block(item)) for item in items if item.get("type") in SUPPORTED]
    return ("\n\n".join(blocks) + "\n").encode("utf-8") if blocks else b""
