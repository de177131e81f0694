"""Plain data passed between loading, cleaning, structuring and chunking."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawBlock:
    """Text as a loader extracted it; ``page`` is 1-based for paged formats, else None.

    ``rows``: each line is a table row written as a sentence, a paragraph of its own (never
    rejoined with its neighbours as a hard-wrapped line would be).
    """

    text: str
    page: int | None = None
    rows: bool = False


@dataclass(frozen=True)
class RawDocument:
    """What a loader returns: blocks of text, and whether lines are hard-wrapped (PDF)."""

    blocks: list[RawBlock]
    source_type: str
    hard_wrapped: bool = False
    title_hint: str | None = None
    page_count: int | None = None
    ocr_pages: dict[int, float] = field(default_factory=dict)  # page -> mean OCR confidence, for pages read by OCR
    notes: tuple[str, ...] = ()  # what the admin should know about how the file was read (按文本文件处理)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the cleaned text, classified by the structure pass."""

    start: int
    end: int
    kind: str = "body"  # title | heading | article | item | body
    level: int = 99
    label: str = ""
    section_path: tuple[str, ...] = ()


@dataclass
class CleanDocument:
    """Cleaned text plus paragraph structure and a page map (char offset -> page)."""

    text: str
    paragraphs: list[Paragraph]
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # (char offset, page), ascending
    ocr_pages: dict[int, float] = field(default_factory=dict)  # pages read by OCR -> mean recognition confidence

    def page_at(self, offset: int) -> int | None:
        """The page on which the character at ``offset`` stands, or None for unpaged text."""
        if not self.page_starts:
            return None
        offsets = [start for start, _ in self.page_starts]
        index = bisect.bisect_right(offsets, offset) - 1
        return self.page_starts[max(index, 0)][1]


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of the cleaned text: ``document.text[char_start:char_end] == text``."""

    ordinal: int
    text: str
    char_start: int
    char_end: int
    section_path: tuple[str, ...]
    page: int | None
    page_end: int | None
    sentences: tuple[tuple[int, int], ...]  # sentence spans relative to ``text``
    page_breaks: tuple[tuple[int, int], ...] = ()  # (offset in ``text``, page) of each page that starts inside the chunk
    source: str = ""  # "ocr" when any of its pages was read by OCR (its text may contain recognition errors)
    ocr_confidence: float | None = None  # mean recognition confidence of those pages

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)
