"""Numbers with units in Chinese text: find them, read them, and write nearby values in the same script.

Quiz items blank quantities (预备期为一年, 两名正式党员, 三分之二以上) and need distractors that
differ only in the value (半年/两年/三年), written the way the document writes numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wuxue.numerals import DIGIT_VALUES, NUMERALS, ORDINALS, chinese_digits, chinese_number, to_chinese


# measure words and units that make a number a fact worth asking; 个/项/种 only before 月 (a bare
# 四个/八项 starts a formulation such as 四个意识, mined elsewhere)
UNITS = ("周岁", "个月", "年", "月", "日", "天", "周", "岁", "人", "名", "次", "届", "倍", "万元", "元", "小时", "分钟", "票",
         "章", "节", "%", "％", "万册", "册", "万人", "家", "所", "公里", "小时", "工作日")
_UNIT_RE = "|".join(sorted({re.escape(u) for u in UNITS}, key=len, reverse=True))
NUMBER_RE = re.compile(
    rf"(?<![\d{NUMERALS}第.])(?P<num>\d+(?:\.\d+)?|[{NUMERALS}]+)(?P<unit>{_UNIT_RE})"
)
FRACTION_RE = re.compile(rf"(?<![{NUMERALS}])(?P<den>[{ORDINALS}]+)分之(?P<num>[{ORDINALS}]+)")
DATE_RE = re.compile(r"(?<!\d)(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?")


_UNIT_LIMITS = {"月": 12, "日": 31, "年": 9999, "个月": 120, "天": 3660, "岁": 150, "周岁": 150}
_LIANG_UNITS = {"年", "名", "个月", "次", "人", "倍", "届", "天", "周", "周岁", "岁", "小时"}


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    value: float
    unit: str
    script: str  # "arabic" | "cn"


def find_quantities(sentence: str) -> list[Quantity]:
    """Numbers followed by a unit (dates are found by :func:`find_dates`)."""
    found: list[Quantity] = []
    dates = [m.span() for m in DATE_RE.finditer(sentence)]
    for match in NUMBER_RE.finditer(sentence):
        if any(a <= match.start() < b for a, b in dates):
            continue
        raw = match.group("num")
        if match.group("unit") == "周" and sentence[match.end() : match.end() + 1] == "年":  # 四十周年 is an anniversary
            continue
        value = float(raw) if raw[0].isdigit() else chinese_number(raw)
        limit = _UNIT_LIMITS.get(match.group("unit"))
        if value is not None and limit is not None and value > limit:  # 20231月 is a typo for 2023年1月, not 20231 months
            continue
        if value is None or set(raw) <= {"十", "百", "千"} - ({"十"} if raw == "十" else set()) or (raw in {"一", "〇", "零"} and match.group("unit") in {"名", "人"}):
            continue
        script = "arabic" if raw[0].isdigit() else ("cn_digits" if len(raw) > 1 and all(ch in DIGIT_VALUES for ch in raw) else "cn")
        found.append(Quantity(match.group(0), match.start(), match.end(), float(value), match.group("unit"), script))
    for match in FRACTION_RE.finditer(sentence):
        den, num = chinese_number(match.group("den")), chinese_number(match.group("num"))
        if den and num and num < den:
            found.append(Quantity(match.group(0), match.start(), match.end(), num / den, "分之", "cn"))
    return sorted(found, key=lambda q: q.start)


def find_dates(sentence: str) -> list[Quantity]:
    return [Quantity(m.group(0), m.start(), m.end(), float(m.group("year")), "date", "arabic") for m in DATE_RE.finditer(sentence)]


def nearby(quantity: Quantity, count: int = 6) -> list[str]:
    """Other values with the same unit, nearest first (半年 for one year; 2023年 for 2024年)."""
    if quantity.unit == "date":
        match = DATE_RE.fullmatch(quantity.text)
        assert match is not None
        year = int(match.group("year"))
        out = []
        for delta in (1, -1, 2, -2, 3, -3, 5, -5):
            out.append(str(year + delta) + quantity.text[4:])
        if match.group("month"):
            month = int(match.group("month"))
            for delta in (1, -1, 2, -2):
                m = (month - 1 + delta) % 12 + 1
                out.append(quantity.text.replace(f"{month}月", f"{m}月", 1))
        return out[:count]
    if quantity.unit == "分之":
        fractions = ["二分之一", "三分之一", "三分之二", "四分之一", "四分之三", "五分之一", "五分之四", "五分之二", "五分之三"]
        return [f for f in fractions if f != quantity.text][:count]
    value = quantity.value
    if quantity.unit == "年" and 1900 <= value <= 2100:  # a year written as a number of years (二〇三五年)
        candidates: list[float] = [value + d for d in (5, -5, 1, -1, 10, -10, 2, -2)]
    elif value != int(value):
        candidates = [value + d for d in (0.5, -0.5, 1, -1, 1.5, 2)]
    else:
        v = int(value)
        candidates = [v + 1, v - 1, v + 2, v * 2, v - 2, v + 3, v * 3, v + 5, v + 10, v - 3]  # type: ignore[list-item]
        if v >= 10:
            candidates = [v + 2, v - 2, v + 5, v - 5, v * 2, v + 10, v - 10, v + 1, v - 1]
        if v >= 100:
            candidates = [v + 10, v - 10, v * 2, v + 50, v - 50, v + 100, v // 2]
    out: list[str] = []
    for c in candidates:
        if c <= 0 or c == value:
            continue
        if quantity.script == "arabic":
            number = str(int(c)) if float(c) == int(c) else str(c)
        elif quantity.script == "cn_digits":
            number = chinese_digits(int(c))
        elif float(c) != int(c) or c > 9999:
            continue
        else:
            number = to_chinese(int(c), liang=quantity.unit in _LIANG_UNITS)
        text = number + quantity.unit
        if text not in out:
            out.append(text)
    if quantity.unit in {"年"} and quantity.script == "cn" and value == 1:
        out.insert(0, "半年")
    return out[:count]
