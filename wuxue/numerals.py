"""Chinese numerals and digits: the one place that reads, writes and matches them.

Ingest (headings, list markers), retrieval (第二十七条 in a question), quiz generation (预备期为一年)
and answering all need the same reading of 十八, 一百零五, 二〇三五 and 两; this module imports
nothing of the project, so every layer can use it without a cycle.
"""

from __future__ import annotations

DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
POWERS = {"十": 10, "百": 100, "千": 1000}
# every character a Chinese numeral may hold (第一百零三条, 二〇三五年, 两千), for regex classes
NUMERALS = "零〇一二三四五六七八九十百千两"
# how documents number their parts and list items (一、 （一） 第一， 一是), for regex classes and ordering
ORDINALS = "一二三四五六七八九十"
# Arabic digits need no class here: ``\d`` in Python's re matches half- and full-width digits (3 and ３) alike.
_WRITTEN = "零一二三四五六七八九"
_FOLD_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``一百零三`` → 103, ``二〇三五`` → 2035 (digit by digit), ``两`` → 2, ``15`` → 15;
    None when ``text`` is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in DIGIT_VALUES and ch not in POWERS for ch in text):
        return None
    if not any(ch in POWERS for ch in text):  # digit by digit: 二〇二三
        return int("".join(str(DIGIT_VALUES[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in DIGIT_VALUES:
            digit = DIGIT_VALUES[ch]
        else:
            total += (1 if digit is None else digit) * POWERS[ch]
            digit = None
    return total + (digit or 0)


def to_chinese(value: int, *, liang: bool = False) -> str:
    """``value`` in Chinese numerals (105 → 一百零五, 10 → 十); ``liang`` writes a lone 2 as 两 (两名, 两年).
    Values outside 0–9999 stay in Arabic digits."""
    if value == 0:
        return "零"
    if not 0 < value < 10000:
        return str(value)
    parts: list[str] = []
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, value = divmod(value, unit_value)
        if digit:
            parts.append(("" if unit == "十" and digit == 1 and not parts else _WRITTEN[digit]) + unit)
        elif parts and value:
            parts.append("零")
    if value:
        parts.append(_WRITTEN[value])
    text = "".join(parts).replace("零零", "零")
    return "两" if liang and text == "二" else text


def chinese_digits(value: int) -> str:
    """``value`` written digit by digit, as years are: 2035 → 二〇三五."""
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(value))


def fold_digits(text: str) -> str:
    """Chinese digits written one by one as Arabic digits: ``二〇一七年`` → ``2017年`` (十/百 are left alone)."""
    return text.translate(_FOLD_DIGITS)
