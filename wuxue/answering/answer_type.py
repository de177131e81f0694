"""What kind of answer a question asks for, and whether a sentence holds one.

“多少岁” wants an age, “哪一天” a date, “百分之几” a share, “多久一次” a frequency, “多长时间”
a duration, “多少/几” a number. A passage about the right topic that holds no expression of
the asked kind does not answer the question: the sentence that does is the one to quote, and
when no retrieved sentence does, that is a sign the corpus does not cover the question
(the near misses: “党支部书记每年至少讲几次党课？” finds passages about 党课 with no count).

Questions asking “哪几类/哪几方面” want a list, not a number, and have no type here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wuxue.numerals import NUMERALS

_N = rf"[0-9{NUMERALS}万半几]"


_DATE = re.compile(rf"{_N}+年|{_N}+月|{_N}+日|之日|当日|次日")
# A moment named by an event (the statutes' “when”): 自…时/起, …时起, …之前/以前/之后/以后, 届满/期满.
_EVENT_TIME = r"自[^，。；]{1,40}?(?:时|起)|时起|之前|以前|之后|以后|届满|期满"


@dataclass(frozen=True)
class AnswerType:
    name: str
    asked: re.Pattern[str]  # in the question
    answer: re.Pattern[str]  # in a sentence that answers it


# Checked in order: the first type whose question pattern matches wins.
TYPES = (
    AnswerType("percent", re.compile(r"百分之(?:几|多少)|比例|比率|[几多少]成"),
               re.compile(rf"百分之{_N}+|\d+(?:\.\d+)?%|{_N}+成|{_N}+分之{_N}+")),
    AnswerType("age", re.compile(r"多少岁|几岁|年龄|年纪|多大"), re.compile(rf"{_N}+(?:周)?岁")),
    AnswerType("frequency", re.compile(r"多久.{0,6}一次|多长时间.{0,6}一次|几年.{0,3}一次|每几|隔多久|几次|多少次"),
               re.compile(rf"每{_N}*个?(?:年|届|月|季度|半年|周)|{_N}+(?:年|月)一次|{_N}+次")),
    AnswerType("date", re.compile(r"哪一?天|哪一?年|哪个月|几月|日期|哪一?日|截止时间|时间是"), _DATE),
    # “从什么时候起/何时生效” is answered by a date or by the event it dates from: 自交付时, 自登记之日起, 交付成果之前
    AnswerType("when", re.compile(r"什么时候|何时|什么时间"), re.compile(rf"{_DATE.pattern}|{_EVENT_TIME}")),
    AnswerType("duration", re.compile(r"多长时间|多久|多长|期限|任期|几年|多少年|几个月|多少天|几天|多少个工作日|几个工作日"),
               re.compile(rf"{_N}+个?(?:年|月|日|天|周|小时|工作日)")),
    AnswerType("money", re.compile(r"多少(?:元|钱|块|万元|亿元)|多少资金|金额"),
               re.compile(rf"\d+(?:\.\d+)?\s*(?:元|万元|亿元)|{_N}+(?:元|万元|亿元)")),
    AnswerType("number", re.compile(r"多少|(?<!哪)几"), re.compile(rf"{_N}+")),
)


def expected_type(question: str) -> AnswerType | None:
    """The kind of answer the question asks for, or None (what/why/how/which-list questions)."""
    return next((kind for kind in TYPES if kind.asked.search(question)), None)


# Numbers that label rather than state: 第九条, 第三章, （二）, 第一 — “第九条 申请成立社会团体…” holds no quantity.
LABELS = re.compile(r"第[0-9零〇一二三四五六七八九十百千两]+(?:条|章|节|款|项|编|部分)?|[（(][0-9一二三四五六七八九十]+[）)]")


def holds_answer(kind: AnswerType | None, sentence: str) -> bool:
    """True when the sentence contains an expression of the asked kind (always False for no kind)."""
    return kind is not None and kind.answer.search(LABELS.sub("", sentence)) is not None
