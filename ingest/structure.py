"""Classify paragraphs (title, 编/章/节, 第X条, 一、/（一）/1./（1）, subheadings) and give each a section path.

Kinds: ``title`` (first line), ``heading`` (a bare heading line), ``lead`` (an enumerated
paragraph that opens a section and carries text), ``article`` (第X条), ``item`` (a list
item inside an article) and ``body``.
"""

from __future__ import annotations

import re

from wuxue.ingest.document import Paragraph
from wuxue.ingest.patterns import (
    ARABIC_ENUM,
    ARTICLE,
    CHAPTER,
    ENUM_HEADING,
    PAREN_ARABIC,
    PAREN_ENUM,
    PART,
    SECTION,
    SENTENCE_END,
    SUBPART,
)

LEVEL_PART, LEVEL_SUBPART, LEVEL_CHAPTER, LEVEL_SECTION, LEVEL_ARTICLE = 1, 2, 3, 4, 5
LEVEL_ENUM, LEVEL_PAREN_ENUM, LEVEL_ARABIC, LEVEL_PAREN_ARABIC = 6, 7, 8, 9
LEVEL_SUBHEADING = 6
MAX_LABEL = 24
_DIVISIONS = ((PART, LEVEL_PART), (SUBPART, LEVEL_SUBPART), (CHAPTER, LEVEL_CHAPTER), (SECTION, LEVEL_SECTION))
_HEADING_MAX_CHARS = 40
_LABEL_STOP = re.compile(r"[。！？；：:，,]")


def _label(text: str) -> str:
    """A breadcrumb label: the text up to the first punctuation, at most MAX_LABEL characters."""
    match = _LABEL_STOP.search(text)
    label = text[: match.start()] if match and match.start() > 0 else text
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _is_subheading(text: str, next_text: str | None, *, before_article: bool = False) -> bool:
    """A short line without sentence punctuation followed by a longer paragraph (web article subheads),
    or by an article (a group title such as 党员廉洁自律规范)."""
    if not next_text or len(text) > 30 or len(text) < 2:
        return False
    if any(ch in text for ch in SENTENCE_END + "，,：:"):
        return False
    if re.search(r"\d{4}[-年/.]\d{1,2}", text):
        return False  # a date line, not a heading
    return before_article or len(next_text) > len(text) * 2


def classify(texts: list[str]) -> list[tuple[str, int, str]]:
    """Return (kind, level, label) for every paragraph text; the first paragraph is the title."""
    result: list[tuple[str, int, str]] = []
    in_article = False
    enum_after_article = False
    for index, text in enumerate(texts):
        next_text = texts[index + 1] if index + 1 < len(texts) else None
        if index == 0:
            result.append(("title", 0, _label(text)))
            continue
        short = len(text) <= _HEADING_MAX_CHARS and not text.endswith("。")
        division = next((lvl for pattern, lvl in _DIVISIONS if pattern.match(text)), None) if short else None
        if division is not None:
            kind, level, label = "heading", division, text
            in_article = False
        elif match := ARTICLE.match(text):
            kind, level, label = "article", LEVEL_ARTICLE, match.group(1)
            in_article, enum_after_article = True, False
        elif ENUM_HEADING.match(text):
            if in_article and not enum_after_article and not short:
                kind, level, label = "item", 99, ""
            else:
                kind, level, label = "heading", LEVEL_ENUM, _label(text)
                in_article, enum_after_article = False, True
        elif PAREN_ENUM.match(text):
            kind, level, label = ("item", 99, "") if in_article else ("heading", LEVEL_PAREN_ENUM, _label(text))
        elif ARABIC_ENUM.match(text) or PAREN_ARABIC.match(text):
            if in_article:
                kind, level, label = "item", 99, ""
            else:
                level = LEVEL_ARABIC if ARABIC_ENUM.match(text) else LEVEL_PAREN_ARABIC
                kind, label = "heading", _label(text)
        elif next_text is not None and ARTICLE.match(next_text) and _is_subheading(text, next_text, before_article=True):
            kind, level, label = "heading", LEVEL_SECTION, text  # a group title over articles (廉洁自律准则)
            in_article = False
        elif not in_article and _is_subheading(text, next_text):
            kind, level, label = "heading", LEVEL_SUBHEADING, text
        else:
            kind, level, label = "body", 99, ""
        if kind == "heading" and not _is_short_heading(text):
            kind = "lead"
        result.append((kind, level, label))
    return result


def _is_short_heading(text: str) -> bool:
    """A bare heading line; a longer enumerated paragraph is a "lead" that carries body text."""
    body = text.rstrip(SENTENCE_END)
    return len(text) <= _HEADING_MAX_CHARS and not any(ch in body for ch in SENTENCE_END)


def structure(text: str, spans: list[tuple[int, int]]) -> list[Paragraph]:
    """Attach kind, level, label and the breadcrumb path (title excluded) to every paragraph span."""
    texts = [text[start:end] for start, end in spans]
    stack: list[tuple[int, str]] = []
    paragraphs: list[Paragraph] = []
    for (start, end), (kind, level, label) in zip(spans, classify(texts)):
        if kind in {"heading", "lead", "article"}:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, label))
        paragraphs.append(
            Paragraph(start, end, kind=kind, level=level, label=label, section_path=tuple(lbl for _, lbl in stack))
        )
    return paragraphs
