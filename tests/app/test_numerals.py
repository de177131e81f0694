"""One reading of Chinese numerals for ingest, retrieval, quiz generation and answering (wuxue/numerals.py, issue 16)."""

from __future__ import annotations

import pytest

from wuxue.numerals import NUMERALS, ORDINALS, chinese_digits, chinese_number, fold_digits, to_chinese


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("十八", 18), ("二十", 20), ("一百零三", 103), ("一百一十", 110), ("一百四十三", 143),
    ("两", 2), ("两千", 2000), ("一千二百六十", 1260), ("二〇三五", 2035), ("一二", 12), ("零", 0), ("15", 15), ("１５", 15),
    ("", None), ("党", None), ("十个", None), ("半", None),
])
def test_chinese_numbers_are_read(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("value", [*range(1, 200), 1000, 1005, 1260, 2035, 9999])
def test_writing_and_reading_agree(value):
    assert chinese_number(to_chinese(value)) == value


def test_numbers_are_written_as_documents_write_them():
    assert [to_chinese(n) for n in (0, 10, 11, 20, 105, 110, 1005)] == ["零", "十", "十一", "二十", "一百零五", "一百一十", "一千零五"]
    assert to_chinese(2, liang=True) == "两" and to_chinese(12, liang=True) == "十二"
    assert to_chinese(10000) == "10000" and to_chinese(-1) == "-1"  # outside what a document numbers in words
    assert chinese_digits(2035) == "二〇三五"


def test_digits_fold_for_years():
    assert fold_digits("二〇一七年十月") == "2017年十月"


def test_character_classes_cover_what_the_parser_reads():
    assert set(ORDINALS) <= set(NUMERALS)
    assert all(chinese_number(ch) is not None for ch in NUMERALS)
