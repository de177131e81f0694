"""Points a question setter would not ask (issue 13, second blind read): the answer is found without
knowing the document, or knowing it teaches nothing.

- a generic organ as the sentence's own subject: 学会（党支部）将定期… (党组织 fits as well);
- one verb of a verb pair: 依照规定（讨论）和决定企业重大事项 (the pair is the point, not its half);
- an answer the stem or its section heading repeats: 严格执行（组织生活制度），确保党的组织生活… under
  the heading 严格党的组织生活制度;
- the count of a news-style "N年来" (五年来 → 六年来 is no fact worth a 判断);
- a contrast verb in a pair (鼓励和支持 → 限制和支持), a meeting verb (每季召开一次), a title of ≤ 4 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wuxue.numerals import ORDINALS
from wuxue.quiz.atoms import Atom

GENERIC_ORGANS = frozenset({"党支部", "党组织", "基层党组织", "党委", "党总支", "支部", "党小组", "党组", "学会", "协会", "单位", "机关", "部门", "组织"})
SUBJECT_REACH = 4  # an organ this close to its clause's start (学会党支部将…, ，党支部要…) is the clause's subject
_PAIR = "和及或与并"
_SUFFIXES = ("制度", "原则", "机制", "机关", "委员会", "组织", "体系", "建设")
_ARTICLE = re.compile(rf"^\s*第[{ORDINALS}百零〇\d]+条\s*")


def _core(term: str) -> str:
    """组织生活制度 → 组织生活: the words that carry the meaning, without a category suffix."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 2:
            return term[: -len(suffix)]
    return term


def weak_reason(atom: Atom, document: str, sections: Sequence[str] = ()) -> str | None:
    """Why ``atom`` is not worth asking, or None."""
    quote = document[atom.quote_start : atom.quote_end]
    at = atom.start - atom.quote_start
    if atom.kind in {"number", "date"} and (document.startswith(("来", "以来"), atom.end)
                                            or document[max(0, atom.start - 3) : atom.start].endswith(("过去", "近", "新时代"))):
        return "N年来"  # 五年来, 过去5年的工作, 新时代10年: a news story's span of time, not a fact to learn
    if atom.kind == "title" and len(atom.text) <= 4:
        return "short title"  # 学习《（条例）》: a shortened reference, not a title
    pair = document[atom.end : atom.end + 1] in set(_PAIR) or document[atom.start - 1 : atom.start] in set(_PAIR)
    if atom.kind == "contrast" and pair:
        return "verb pair"  # 鼓励和支持 → 限制和支持 is absurd, not false
    if atom.kind == "category":
        body_start = len(quote) - len(_ARTICLE.sub("", quote))
        clause = re.split(r"[，,；;：:。]", quote[body_start:at])[-1]
        if atom.family.startswith("category:organ") and atom.text in GENERIC_ORGANS and len(clause) <= SUBJECT_REACH:
            return "generic subject"
        if atom.family.startswith("category:act_") and pair:
            return "verb pair"
        if atom.family == "category:act_meet":
            return "meeting verb"  # 每季（召开）一次: the grammar gives it away
    if atom.kind in {"category", "quoted", "term"}:
        core = _core(atom.text)
        rest = quote[:at] + quote[at + len(atom.text) :]
        heading = sections[-1].split("›")[-1] if sections else ""
        if (core != atom.text and len(core) >= 3 and core in rest) or atom.text in heading:
            return "repeats the stem or heading"
    return None
