"""The Chinese plain-text import convention: ``1. 题干`` / ``A. 选项`` / ``答案：AB`` / ``解析：…``.

判断 answers are 正确/错误, a blank is ``____`` (always four, whatever the filler's length), several
fillers are joined by ；. Questions are numbered straight through in paper order (单选, 多选, 填空,
判断) and separated by a blank line. ``answers``: ``inline`` is the importable form (答案 and 解析 with
the source after each question), ``end`` lists them after all questions, ``none`` leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from wuxue.quiz.export.common import (
    Item,
    answer_label,
    basis,
    blank_stem,
    check_answers_mode,
    clean,
    one_line,
    options,
    ordered,
    source_label,
)

BLANK = "____"


def _question(number: int, item: Item) -> list[str]:
    lines = [f"{number}. {one_line(blank_stem(item, BLANK))}"]
    if item.get("type") in {"single", "multi"}:
        lines += [f"{key}. {one_line(text)}" for key, text in options(item)]
    return lines


def _answer(item: Item) -> list[str]:
    """答案 and 解析; the source goes into 解析 because importers know no other field."""
    explanation = one_line(clean(item.get("explanation", "")))
    source = f"（出处：{one_line(source_label(item))}）" if explanation else f"出处：{one_line(basis(item))}"
    return [f"答案：{one_line(answer_label(item))}", f"解析：{explanation}{source}"]


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    check_answers_mode(answers)
    paper = ordered(items)
    blocks = [one_line(clean(title))] if title else []
    for number, item in enumerate(paper, start=1):
        blocks.append("\n".join(_question(number, item) + (_answer(item) if answers == "inline" else [])))
    if answers == "end":
        blocks.append("参考答案")
        for number, item in enumerate(paper, start=1):
            first, *rest = _answer(item)
            blocks.append("\n".join([f"{number}. {first}", *rest]))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
