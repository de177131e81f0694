"""Structure-aware chunking for Chinese regulations and reports.

Units are a heading (or 第X条) with the paragraphs under it. A unit that fits is one
chunk, so a short article stays whole; a longer one is split on sentence ends into
balanced pieces with a sentence-aligned overlap. Runs of very short sibling units
(e.g. one-line articles 第五条…第八条) are packed into one chunk labelled 第五条至第八条. Chunks are contiguous spans of the
cleaned text, so ``text[char_start:char_end] == chunk.text`` always holds.

Whatever the punctuation, no chunk is longer than ``max_chars``: a "sentence" longer than that
(a text without 。, a table flattened into one line) is first cut at clause marks (，、：) and,
where a clause is still too long, at characters. Without the bound a 5 MiB line became one
chunk that every answer and quiz then carried around.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from wuxue.ingest.document import Chunk, CleanDocument, Paragraph
from wuxue.ingest.sentences import sentence_spans

CLAUSE_END = re.compile(r"[，、：,:]+[”’」』）)》\"']*")


@dataclass(frozen=True)
class ChunkerConfig:
    chunk_size: int = 300
    chunk_overlap: int = 60

    @property
    def merge_below(self) -> int:
        """Units shorter than this are packed together with short siblings."""
        return self.chunk_size // 3

    @property
    def keep_whole_max(self) -> int:
        """A unit up to this length is never split (a short article stays together)."""
        return int(self.chunk_size * 1.5)

    @property
    def max_chars(self) -> int:
        """Hard upper bound on a chunk's length, whatever the punctuation."""
        return self.chunk_size * 2

    def as_dict(self) -> dict[str, int | str]:
        # The bound changes no chunk of ordinary text (the bundled corpus chunks identically), so the
        # parameters stay compatible with existing indexes; `wuxue reindex` re-chunks any over-long one.
        return {"chunker": "structure-v2", "chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


@dataclass
class _Unit:
    paragraphs: list[Paragraph]

    @property
    def section_path(self) -> tuple[str, ...]:
        content = [p for p in self.paragraphs if p.kind not in {"heading", "title"}]
        return (content[0] if content else self.paragraphs[-1]).section_path

    @property
    def only_headings(self) -> bool:
        return all(p.kind in {"heading", "title"} for p in self.paragraphs)


def _units(paragraphs: list[Paragraph]) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in paragraphs:
        starts_unit = paragraph.kind in {"heading", "lead", "article", "title"}
        if units and (not starts_unit or units[-1].only_headings):
            units[-1].paragraphs.append(paragraph)
        else:
            units.append(_Unit([paragraph]))
    return units


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _cut_long(text: str, start: int, end: int, piece: int) -> list[tuple[int, int]]:
    """Pieces of at most ``piece`` characters: at the last clause mark that fits, else at characters."""
    clause_ends = [m.end() for m in CLAUSE_END.finditer(text, start, end)]
    pieces: list[tuple[int, int]] = []
    position, next_clause = start, 0
    while end - position > piece:
        limit = position + piece
        while next_clause < len(clause_ends) and clause_ends[next_clause] <= position:
            next_clause += 1
        cut = position
        while next_clause < len(clause_ends) and clause_ends[next_clause] <= limit:
            cut = clause_ends[next_clause]
            next_clause += 1
        if cut == position:  # no clause mark in reach: balanced cut at characters
            remaining = end - position
            cut = position + math.ceil(remaining / math.ceil(remaining / piece))
        span = _trimmed(text, position, cut)
        if span:
            pieces.append(span)
        position = cut
    span = _trimmed(text, position, end)
    if span:
        pieces.append(span)
    return pieces


def bounded_spans(text: str, spans: list[tuple[int, int]], config: ChunkerConfig) -> list[tuple[int, int]]:
    """Sentence spans, with any longer than ``max_chars`` cut into pieces of at most ``chunk_size``."""
    bounded: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start <= config.max_chars:
            bounded.append((start, end))
        else:
            bounded += _cut_long(text, start, end, config.chunk_size)
    return bounded


def _must_continue(text: str, span: tuple[int, int], heading_ends: set[int]) -> bool:
    """A chunk may not end on a heading line or a sentence that introduces a list (ends with ：)."""
    return span[1] in heading_ends or text[span[1] - 1] in "：:"


def _split(text: str, sentences: list[tuple[int, int]], heading_ends: set[int], config: ChunkerConfig) -> list[list[tuple[int, int]]]:
    total = sentences[-1][1] - sentences[0][0]
    if total <= config.keep_whole_max:
        return [sentences]
    target = total / math.ceil(total / config.chunk_size)
    pieces: list[list[tuple[int, int]]] = []
    first = 0
    while first < len(sentences):
        last = first
        while last + 1 < len(sentences) and (
            sentences[last + 1][1] - sentences[first][0] <= target * 1.1
            or (_must_continue(text, sentences[last], heading_ends) and sentences[last + 1][1] - sentences[first][0] <= config.max_chars)
        ):
            last += 1
        pieces.append(sentences[first : last + 1])
        if last + 1 >= len(sentences):
            break
        next_first = last + 1
        while next_first - 1 > first and sentences[last][1] - sentences[next_first - 1][0] <= config.chunk_overlap:
            next_first -= 1
        first = next_first
    return pieces


@dataclass
class _Group:
    """Consecutive units that become chunks together (usually one unit)."""

    units: list[_Unit]
    sentences: list[tuple[int, int]]
    heading_ends: set[int]

    @property
    def length(self) -> int:
        return self.sentences[-1][1] - self.sentences[0][0]

    @property
    def section_path(self) -> tuple[str, ...]:
        first, last = self.units[0].section_path, self.units[-1].section_path
        if len(self.units) == 1 or first == last:
            return first
        return first[:-1] + (f"{first[-1]}至{last[-1]}",)


def _mergeable(group: _Group, unit: _Unit, sentences: list[tuple[int, int]], config: ChunkerConfig) -> bool:
    path, previous = unit.section_path, group.units[-1].section_path
    if not path or not previous or path[:-1] != previous[:-1] or group.units[0].paragraphs[0].kind == "title":
        return False
    small = group.length < config.merge_below or len(group.units) > 1
    return small and sentences[-1][1] - sentences[0][0] < config.merge_below and sentences[-1][1] - group.sentences[0][0] <= config.chunk_size


def _groups(text: str, paragraphs: list[Paragraph], config: ChunkerConfig) -> list[_Group]:
    groups: list[_Group] = []
    for unit in _units(paragraphs):
        sentences = bounded_spans(text, [span for p in unit.paragraphs for span in sentence_spans(text, p.start, p.end)], config)
        if not sentences:
            continue
        heading_ends = {p.end for p in unit.paragraphs if p.kind in {"heading", "title"}}
        if groups and _mergeable(groups[-1], unit, sentences, config):
            group = groups[-1]
            group.units.append(unit)
            group.sentences += sentences
            group.heading_ends |= heading_ends
        else:
            groups.append(_Group([unit], sentences, heading_ends))
    return groups


def chunk_document(document: CleanDocument, config: ChunkerConfig) -> list[Chunk]:
    text = document.text
    chunks: list[Chunk] = []
    for group in _groups(text, document.paragraphs, config):
        for piece in _split(text, group.sentences, group.heading_ends, config):
            start, end = piece[0][0], piece[-1][1]
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    text=text[start:end],
                    char_start=start,
                    char_end=end,
                    section_path=group.section_path,
                    page=document.page_at(start),
                    page_end=document.page_at(end - 1),
                    sentences=tuple((s - start, e - start) for s, e in piece),
                    page_breaks=tuple((offset - start, page) for offset, page in document.page_starts if start < offset < end),
                )
            )
    return chunks
