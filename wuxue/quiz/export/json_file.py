"""JSON: ``{"title"?, "items": [...]}`` with the item records unchanged, readable UTF-8 (no \\u escapes)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from wuxue.quiz.export.common import Item


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    """Always the full records: JSON is the exchange format, so ``answers`` does not strip anything."""
    document: dict[str, object] = {"title": title} if title else {}
    document["items"] = [dict(item) for item in items]
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
