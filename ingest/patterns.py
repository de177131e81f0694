"""Regular expressions for Chinese document structure, shared by cleaning, structure and chunking."""

from __future__ import annotations

import re

from wuxue.numerals import NUMERALS, ORDINALS

_NUM = rf"[{NUMERALS}\d]+"  # \d matches full-width digits too

# 第X编 / 第X分编 / 第X章 / 第X节 / 第X条, with the separator that follows them.
STRUCTURE_PREFIX = re.compile(rf"^(第{_NUM}(?:分编|编|章|节|条))[\s\u3000]*")
PART = re.compile(rf"^第{_NUM}编(?:[\s\u3000]|$)")
SUBPART = re.compile(rf"^第{_NUM}分编(?:[\s\u3000]|$)")
CHAPTER = re.compile(rf"^第{_NUM}章(?:[\s\u3000]|$)")
SECTION = re.compile(rf"^第{_NUM}节(?:[\s\u3000]|$)")
ARTICLE = re.compile(rf"^(第{_NUM}条)(?:[\s\u3000]|$)")
ENUM_HEADING = re.compile(rf"^[{ORDINALS}]+、")          # 一、
PAREN_ENUM = re.compile(rf"^[（(][{ORDINALS}]+[）)]")     # （一）
ARABIC_ENUM = re.compile(r"^\d{1,2}(?:[.．、](?!\d)|[)）])")       # 1.  1、  1)
PAREN_ARABIC = re.compile(r"^[（(]\d{1,2}[）)]")                   # （1）

# A list label (（一） (1) 1. 1、 一、) or an article number at the start of a sentence, with the spaces after it:
# what is stripped to get an item's or an article's own words.
_LIST_LABEL = rf"（[{ORDINALS}]+）|\([{ORDINALS}\d]+\)|\d+[.、．]"
LIST_MARKER = re.compile(rf"^\s*(?:{_LIST_LABEL}|[{ORDINALS}]+、)\s*")
LINE_LIST_MARKER = re.compile(rf"\n\s*(?:{_LIST_LABEL})\s*")  # the same label starting a later line
ARTICLE_PREFIX = re.compile(rf"^第[{ORDINALS}百千零〇]+条\s*")  # with 千: the 民法典 has 1,260 articles
# An article's number anywhere, Chinese or Arabic (第三条, 第一千二百六十条, 第5条): what answers strip from a quoted line.
ARTICLE_NUMBER = re.compile(rf"第[{ORDINALS}百千零〇\d]+条")

# Any line that starts a new structural unit: a wrapped line never continues into one.
STARTS_UNIT = re.compile(
    rf"^(?:第{_NUM}(?:分编|编|章|节|条)|[{ORDINALS}]+、|[（(][{ORDINALS}\d]+[）)]|\d{{1,2}}[.．、](?!\d))"
)

SENTENCE_END = "。！？；!?;"
CLOSERS = "”’」』）)》\"'"
