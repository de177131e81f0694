"""A leader's edit of one saved item: new stem, options and key, re-checked before it is kept.

The checks are the gates that still make sense for a hand-written item: the key is among the
options, no option repeats or contains another, no 以上都对, the answer is not written in the stem,
a 填空 stem has one blank per answer, nothing on the blocklist. The source quote and citation stay
(the item still cites its passage); the item is marked ``edited`` so exports and reviewers know.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from wuxue.errors import InvalidQuizEditError
from wuxue.quiz.categories import blocklist

BLANK_RE = re.compile(r"_{2,}|＿{2,}|（[ \u3000]*）|\([ \u3000]*\)")
STEM_MAX = 300
OPTION_MAX = 60
KEYS = "ABCDE"
JUDGE_OPTIONS = [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]


def _fail(message: str) -> None:
    raise InvalidQuizEditError(message)


def edit_item(item: dict[str, Any], *, stem: str, options: Sequence[str] = (), keys: Sequence[str] = (),
              texts: Sequence[str] = ()) -> dict[str, Any]:
    """The edited copy of ``item``; :class:`InvalidQuizEditError` (with a Chinese reason) when a check fails.

    Choice items take ``options`` (texts, lettered A…) and ``keys``; 判断 takes ``keys`` (A 正确 / B 错误);
    填空 takes ``texts`` (one per blank, in order).
    """
    kind = item["type"]
    stem = stem.strip()
    if not stem:
        _fail("题干不能为空")
    if len(stem) > STEM_MAX:
        _fail(f"题干不能超过 {STEM_MAX} 个字")
    block = blocklist()
    answer: dict[str, Any]
    new_options: list[dict[str, str]] = []
    if kind in {"single", "multi"}:
        cleaned = [o.strip() for o in options]
        if not 2 <= len(cleaned) <= len(KEYS) or any(not o for o in cleaned):
            _fail(f"选择题需要 2 到 {len(KEYS)} 个非空选项")
        if any(len(o) > OPTION_MAX for o in cleaned):
            _fail(f"每个选项不能超过 {OPTION_MAX} 个字")
        if len(set(cleaned)) < len(cleaned):
            _fail("选项不能重复")
        for i, x in enumerate(cleaned):
            for j, y in enumerate(cleaned):
                if i != j and x in y:
                    _fail(f"选项“{y}”包含了另一个选项“{x}”，考生可凭字面猜出答案")
        if any("以上" in o for o in cleaned):
            _fail("不要使用“以上都对/以上都不对”一类选项")
        new_options = [{"key": KEYS[n], "text": t} for n, t in enumerate(cleaned)]
        chosen = sorted(set(keys))
        valid = {o["key"] for o in new_options}
        if not chosen or any(k not in valid for k in chosen):
            _fail("请从选项中选出正确答案")
        if kind == "single" and len(chosen) != 1:
            _fail("单选题只能有一个正确答案")
        if kind == "multi" and len(chosen) < 2:
            _fail("多选题至少要有两个正确答案")
        right = [o["text"] for o in new_options if o["key"] in chosen]
        if any(r in BLANK_RE.sub("", stem) for r in right):
            _fail("题干中已经写出了正确答案")
        answer = {"keys": chosen, "texts": right, **({"any_order": True} if kind == "multi" else {})}
        for option in new_options:
            hit = block.hit(option["text"]) if option["text"] in right else block.hit_as_wrong(option["text"])
            if hit:
                _fail(f"选项“{option['text']}”不宜出现在党员学习试卷上（{hit}）")
    elif kind == "judge":
        chosen = list(keys)
        if chosen not in (["A"], ["B"]):
            _fail("判断题的答案只能是“正确”或“错误”")
        new_options = [dict(o) for o in JUDGE_OPTIONS]
        answer = {"keys": chosen, "texts": ["正确" if chosen == ["A"] else "错误"]}
    else:
        fillers = [t.strip() for t in texts]
        if not fillers or any(not t for t in fillers):
            _fail("填空题需要填写每个空的答案")
        if len(BLANK_RE.findall(stem)) != len(fillers):
            _fail(f"题干中的空（　　）有 {len(BLANK_RE.findall(stem))} 个，答案有 {len(fillers)} 个，两者要一致")
        if any(t in BLANK_RE.sub("", stem) for t in fillers):
            _fail("题干中已经写出了答案")
        answer = {"keys": [], "texts": fillers, **({"any_order": True} if item.get("answer", {}).get("any_order") else {})}
    checks = {**(item.get("checks") or {}), "edited": True}
    return {**item, "stem": stem, "options": new_options, "answer": answer, "edited": True, "edited_at": time.time(), "checks": checks}
