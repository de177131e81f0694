"""A document's own parts as the answer to “准则从哪几个方面提出要求？” / “二十大报告分为几个部分？”.

When a list question names one document and asks for nothing but its 方面/部分, what the member wants is the
document's top-level headings (一、坚定理想信念 … 十二、保持清正廉洁的政治本色): no list inside the text says
them, they are the text's structure. Each heading is cited where it stands, with its page.
"""

from __future__ import annotations

import re

from wuxue.answering.compose import Composition, TreeSource, _Candidate, _citation, chinese_count
from wuxue.answering.question import Question
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.index.store import StoredChunk
from wuxue.ingest.units import Unit, UnitTree

MIN_PARTS, MAX_PARTS = 3, 20
_ASKS_PARTS = re.compile(r"(?:哪几个|哪些|几个|哪几|哪)(?:方面|部分)")
# what may stand around the asked parts without asking about something inside the document
_FILLER = re.compile(r"(?:哪几个|哪些|几个|哪几|哪)(?:方面|部分)|从|在|有|分为|分成|包括|包含|规定|提出|作出|了|的|主要|"
                     r"内容|要求|呢|吗|一共|共|总共|具体|都|讲|说")
_LABEL = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|第[一二三四五六七八九十百]+(?:编|章|部分)\s*)")


def left_after_title(question: Question, title: str, filler: re.Pattern[str]) -> str:
    """What the question asks beyond its filler words and the characters of the document's title (its name,
    however shortened: 新形势下党内政治生活准则, 党章); empty when it asks about the document itself."""
    rest = filler.sub("", re.sub(r"[\s\W_]+", "", question.text))
    return "".join(ch for ch in rest if ch not in title)


def _asks_only_parts(question: Question, title: str) -> bool:
    """党章规定党的纪律包括哪几个方面 keeps 纪律 once the parts and the title are taken out: it asks about
    something inside the document."""
    return not left_after_title(question, title, _FILLER)


def _top_sections(tree: UnitTree) -> list[Unit]:
    """The sections no other section holds (一、… of the 准则; the 章 of a regulation with 节 under them)."""
    sections = [u for u in tree.units if u.kind == "section" and u.lead]
    return [u for u in sections if not any(o.start <= u.start and u.end <= o.end and (o.start, o.end) != (u.start, u.end)
                                           for o in sections)]


def chunk_at(chunks: list[StoredChunk], offset: int) -> StoredChunk | None:
    return next((c for c in chunks if c.char_start <= offset < c.char_end), None)


def outline_answer(store: TreeSource, result: SearchResult, question: Question) -> Composition | None:
    """The named document's top-level headings, each cited, or None when the question is not about them."""
    if question.kind != "list" or not _ASKS_PARTS.search(question.text) or len(result.named_documents) != 1:
        return None
    doc_id = result.named_documents[0]
    tree = store.document_tree(doc_id)
    chunks = list(store.chunks_of(doc_id))
    if tree is None or not chunks or not _asks_only_parts(question, chunks[0].title):
        return None
    parts = _top_sections(tree)
    if not MIN_PARTS <= len(parts) <= MAX_PARTS:
        return None
    citations, named = [], []
    for marker, unit in enumerate(parts, 1):
        assert unit.lead is not None
        chunk = chunk_at(chunks, unit.lead[0])
        if chunk is None:
            return None
        holder = _Candidate(0, SearchHit(chunk, 0.0, 0.0, 0.0), tree, unit.lead[0], unit.lead[1], 0.0, 0.0)
        citations.append(_citation(marker, holder, unit.lead, [unit.lead]))
        named.append(f"{_LABEL.sub('', tree.text[unit.lead[0]:unit.lead[1]]).strip()}[{marker}]")
    direct = f"共{chinese_count(len(parts))}个部分：" + "；".join(named)
    return Composition(direct, direct, citations)
