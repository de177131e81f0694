"""Short names members use for bodies and meetings the texts spell out (纪委 → 纪律检查委员会).

Questions say 中央纪委, 县委, 十八届六中全会; the regulations say 党的中央纪律检查委员会, 县（旗）…党的委员会,
第十八届中央委员会第六次全体会议. A sentence that spells the body out answers as well as one using the short
name, so the long forms join the question's words when sentences are scored (not when passages are searched).
"""

from __future__ import annotations

import re

SHORT_NAMES: tuple[tuple[str, str], ...] = (
    ("中纪委", "中央纪律检查委员会"),
    ("中央纪委", "中央纪律检查委员会"),
    ("国家监委", "国家监察委员会"),
    ("纪委", "纪律检查委员会"),
    ("监委", "监察委员会"),
    ("人大常委会", "人民代表大会常务委员会"),
    ("人大", "人民代表大会"),
    ("政协", "政治协商会议"),
    ("党委", "党的委员会"),
    ("支委会", "支部委员会"),
    ("全会", "全体会议"),
    ("共青团", "中国共产主义青年团"),
    ("科协", "科学技术协会"),
    ("省委", "省、自治区、直辖市"),  # 党章: 党的省、自治区、直辖市…的委员会
    ("县委", "县（旗）"),  # 党章: 党的县（旗）、自治县、不设区的市和市辖区的委员会
    ("中央军委", "中央军事委员会"),
    ("政治局常委", "政治局常务委员会"),
)
_PLENUM = re.compile(r"([一二三四五六七八九十]+)届([一二三四五六七八九十]+)中全会")


def long_forms(question: str) -> list[str]:
    """The spelled-out names of the short names in ``question`` (longest short name first, no duplicates)."""
    found: list[str] = []
    rest = question
    for short, full in SHORT_NAMES:
        if short in rest:
            found.append(full)
            rest = rest.replace(short, "")
    for match in _PLENUM.finditer(question):  # 十八届六中全会 → 第十八届中央委员会第六次全体会议
        found.append(f"第{match.group(1)}届中央委员会第{match.group(2)}次全体会议")
    return list(dict.fromkeys(found))
