"""Moodle GIFT: ``::id:: stem {=right ~wrong ####解析}``, one question per block.

单选 ``{=right ~wrong}``; 多选 gives each correct option an equal share (``~%50%``) and each wrong one
``~%-100%`` (a wrong pick scores nothing, as in Chinese 多选 marking); 判断 ``{TRUE}``/``{FALSE}``;
填空 is a short-answer question with the answer block in place of a single blank, or after the stem
when there are several blanks (accepted answers: the fillers joined by 、, in any order when the
item says so). The explanation goes in the general feedback (``####``). GIFT always carries the
answers, so ``answers`` does not apply.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from wuxue.quiz.export.common import (
    BLANK_RE,
    Item,
    answer_keys,
    answer_texts,
    clean,
    judge_is_true,
    options,
)

SPECIAL = "\\~=#{}:"
BLANK = "＿＿＿＿"
# Moodle accepts only these answer weights (percent).
_WEIGHTS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571", 8: "12.5", 9: "11.11111", 10: "10"}
_MAX_PERMUTED = 4


def escape(text: object) -> str:
    """Backslash before each of ``~=#{}:`` and the backslash itself; line breaks as ``\\n``."""
    escaped = "".join("\\" + char if char in SPECIAL else char for char in clean(text))
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _feedback(item: Item) -> str:
    explanation = clean(item.get("explanation", ""))
    return f" ####{escape(explanation)}" if explanation else ""


def _choices(item: Item) -> str:
    correct = set(answer_keys(item))
    if item.get("type") == "single":
        parts = [("=" if key in correct else "~") + escape(text) for key, text in options(item)]
    else:
        share = _WEIGHTS.get(len(correct), f"{100 / max(len(correct), 1):.5f}")
        parts = [(f"~%{share}%" if key in correct else "~%-100%") + escape(text) for key, text in options(item)]
    return " ".join(parts)


def _accepted(item: Item) -> list[str]:
    texts = answer_texts(item)
    if len(texts) <= 1:
        return texts
    if (item.get("answer") or {}).get("any_order") and len(texts) <= _MAX_PERMUTED:
        return ["、".join(order) for order in itertools.permutations(texts)]
    return ["、".join(texts)]


def _question(item: Item) -> str:
    title = f"::{escape(item.get('id', ''))}::"
    kind = item.get("type")
    stem = clean(item.get("stem", ""))
    if kind == "judge":
        return f"{title} {escape(stem)} {{{'TRUE' if judge_is_true(item) else 'FALSE'}{_feedback(item)}}}"
    if kind == "blank":
        block = "{" + " ".join("=" + escape(text) for text in _accepted(item)) + _feedback(item) + "}"
        pieces = BLANK_RE.split(stem)
        if len(pieces) == 2:  # one blank: the answer block stands in its place (GIFT's missing-word form)
            return f"{title} {escape(pieces[0])} {block} {escape(pieces[1])}".rstrip()
        return f"{title} {escape(BLANK.join(pieces))} {block}"
    return f"{title} {escape(stem)} {{{_choices(item)}{_feedback(item)}}}"


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    header = [f"// {clean(title).replace(chr(10), ' ')}"] if title else []
    return ("\n\n".join(header + [_question(item) for item in items]) + "\n").encode("utf-8")
