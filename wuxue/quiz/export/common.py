"""What every exporter needs: type labels and order, answer and source wording, blank and text clean-up.

Exporters read item records (the JSON export's ``items``) and never change them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wuxue.errors import AnswerModeError
from wuxue.numerals import ORDINALS

Item = Mapping[str, Any]

TYPE_ORDER = ("single", "multi", "blank", "judge")
TYPE_LABELS = {"single": "单选题", "multi": "多选题", "blank": "填空题", "judge": "判断题"}
DIFFICULTY_LABELS = {"easy": "简单", "medium": "中等", "hard": "困难"}
ANSWER_MODES = ("none", "inline", "end")
TRUE_TEXT, FALSE_TEXT = "正确", "错误"
# A blank as the generator may write it: runs of ASCII/full-width underscores or an empty pair of brackets.
BLANK_RE = re.compile(r"_{2,}|＿{2,}|（[ \u3000]*）|\([ \u3000]*\)")
# Characters XML 1.0 (docx, xlsx) cannot hold; a document passage may carry them from a bad PDF.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_answers_mode(answers: str) -> None:
    if answers not in ANSWER_MODES:
        raise AnswerModeError(f"答案位置只能是 none（不含答案）、inline（题后）或 end（卷尾），收到：{answers}")


def clean(text: object) -> str:
    """Text safe for an XML-based file: control characters dropped, ``None`` as empty."""
    return _CONTROL_RE.sub("", "" if text is None else str(text))


def ordered(items: Iterable[Item]) -> list[Item]:
    """Items grouped by type in paper order (单选, 多选, 填空, 判断), keeping their order within a type."""
    items = list(items)
    rank = {kind: index for index, kind in enumerate(TYPE_ORDER)}
    return sorted(items, key=lambda item: rank.get(str(item.get("type")), len(rank)))


def sections(items: Iterable[Item]) -> list[tuple[str, str, list[Item]]]:
    """``(type, heading, items)`` per type present, with headings 一、单选题（共N题） in paper order."""
    groups: dict[str, list[Item]] = {}
    for item in ordered(items):
        groups.setdefault(str(item.get("type")), []).append(item)
    return [
        (kind, f"{ORDINALS[index] if index < 10 else index + 1}、{TYPE_LABELS.get(kind, kind)}（共{len(group)}题）", group)
        for index, (kind, group) in enumerate(groups.items())
    ]


def options(item: Item) -> list[tuple[str, str]]:
    return [(str(option.get("key", "")), clean(option.get("text", ""))) for option in item.get("options") or []]


def answer_keys(item: Item) -> list[str]:
    return [str(key) for key in (item.get("answer") or {}).get("keys") or []]


def answer_texts(item: Item) -> list[str]:
    return [clean(text) for text in (item.get("answer") or {}).get("texts") or []]


def judge_is_true(item: Item) -> bool:
    """A 判断 item is true when its answer is 正确 (by text, or by the key of the 正确 option)."""
    texts = answer_texts(item)
    if texts:
        return texts[0].strip() == TRUE_TEXT
    keys = set(answer_keys(item))
    return any(text.strip() == TRUE_TEXT for key, text in options(item) if key in keys)


def answer_label(item: Item) -> str:
    """The answer as an answer sheet writes it: ``B``, ``ACD``, ``正确``, or the fillers joined by ；."""
    kind = item.get("type")
    if kind == "judge":
        return TRUE_TEXT if judge_is_true(item) else FALSE_TEXT
    if kind == "blank":
        return "；".join(answer_texts(item))
    return "".join(sorted(answer_keys(item)))


def answer_detail(item: Item) -> str:
    """The answer with its texts for people: ``B（政治意识）``; blanks note when any order is accepted."""
    kind = item.get("type")
    label = answer_label(item)
    if kind in {"single", "multi"}:
        texts = "、".join(answer_texts(item))
        return f"{label}（{texts}）" if texts else label
    if kind == "blank" and (item.get("answer") or {}).get("any_order") and len(answer_texts(item)) > 1:
        return f"{label}（顺序不限）"
    return label


def blank_stem(item: Item, blank: str) -> str:
    """The stem with every blank of a 填空 item drawn as the same fixed ``blank`` (never one mark per character)."""
    stem = clean(item.get("stem", ""))
    return BLANK_RE.sub(blank, stem) if item.get("type") == "blank" else stem


def source_label(item: Item) -> str:
    """Where an item comes from: 《title》 › section，第N页."""
    citation = item.get("citation") or {}
    parts = [f"《{clean(citation.get('title') or citation.get('doc_id') or '')}》"]
    if citation.get("section"):
        parts.append(clean(citation["section"]))
    label = " › ".join(parts)
    page = citation.get("page")
    return f"{label}，第{page}页" if page not in (None, "") else label


def source_quote(item: Item) -> str:
    return clean((item.get("citation") or {}).get("quote", ""))


def basis(item: Item) -> str:
    """The 出题依据 line: source and quote."""
    quote = source_quote(item)
    return f"{source_label(item)}：“{quote}”" if quote else source_label(item)


def one_line(text: str) -> str:
    """Line breaks folded to spaces, for formats where a question must sit on one line."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def count_types(items: Sequence[Item]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item.get("type"))] = counts.get(str(item.get("type")), 0) + 1
    return counts
