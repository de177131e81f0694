"""Practice mode: a set as members see it before answering, and marking their answers.

Marking is strict for choices (多选 needs exactly the right options, as in Chinese 多选) and lenient
in form only for blanks: width, spaces and surrounding punctuation are ignored, several fillers may
be typed into one box separated by 、 or ，, and an unordered list is accepted in any order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

_EDGE_PUNCT = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_SEPARATORS = re.compile(r"[、，,；;／/\s]+")


def practice_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a member may see before answering: stem and options, never the answer or its source."""
    return {
        "id": item["id"], "type": item["type"], "stem": item["stem"],
        "options": [{"key": o["key"], "text": o["text"]} for o in item.get("options") or []],
        "blanks": len((item.get("answer") or {}).get("texts") or []) if item["type"] == "blank" else 0,
    }


def _norm(text: str) -> str:
    return _EDGE_PUNCT.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def is_correct(item: Mapping[str, Any], *, keys: Sequence[str] = (), texts: Sequence[str] = ()) -> bool:
    answer = item.get("answer") or {}
    if item.get("type") != "blank":
        return bool(keys) and set(keys) == set(answer.get("keys") or [])
    expected = [_norm(t) for t in answer.get("texts") or []]
    given = [_norm(t) for t in texts if _norm(t)]
    if len(given) == 1 and len(expected) > 1:
        given = [_norm(t) for t in _SEPARATORS.split(given[0]) if _norm(t)]
    if not expected or len(given) != len(expected):
        return False
    return sorted(given) == sorted(expected) if answer.get("any_order") else given == expected


def grade(items: Sequence[Mapping[str, Any]], answers: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, Any]:
    """``answers`` maps item id → {keys, texts}; unanswered items count as wrong."""
    results = []
    for item in items:
        given = answers.get(item["id"], {})
        keys, texts = list(given.get("keys") or []), list(given.get("texts") or [])
        results.append({"item_id": item["id"], "correct": is_correct(item, keys=keys, texts=texts),
                        "given": {"item_id": item["id"], "keys": keys, "texts": texts}, "item": dict(item)})
    return {"score": sum(r["correct"] for r in results), "total": len(results), "results": results}
