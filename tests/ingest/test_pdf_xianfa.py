"""The real 宪法 PDF: every article from 第一条 to 第一百四十三条, with the page a viewer shows."""

from __future__ import annotations

import re

from pypdf import PdfReader

from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from tests.conftest import FIXTURES
from wuxue.numerals import to_chinese

PDF = FIXTURES / "xianfa_2018.pdf"


def test_all_articles_with_pages_and_offsets():
    _, document = prepare_document(PDF.read_bytes(), PDF.name)
    chunks = chunk_document(document, ChunkerConfig(300, 60))
    pages = [page.extract_text() for page in PdfReader(PDF).pages]
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.page is not None and chunk.page <= chunk.page_end <= len(pages)
    starts = {m.group(1): m.start() for m in re.finditer(r"(?m)^(第[一二三四五六七八九十百零]+条) ", document.text)}
    for n in range(1, 144):
        label = f"第{to_chinese(n)}条"
        assert label in starts, label
        page = document.page_at(starts[label])
        assert re.search(rf"(?m)^\s*{label}", pages[page - 1]), f"{label} not on page {page}"
        owner = next(c for c in chunks if c.char_start <= starts[label] < c.char_end)
        assert owner.page <= page <= owner.page_end


def test_page_breaks_inside_chunks_match_the_document_pages():
    _, document = prepare_document(PDF.read_bytes(), PDF.name)
    spanning = [c for c in chunk_document(document, ChunkerConfig(300, 60)) if c.page != c.page_end]
    assert spanning  # 宪法 has passages that run over a page end
    for chunk in spanning:
        assert chunk.page_breaks and chunk.page_breaks[-1][1] == chunk.page_end
        for offset in range(0, len(chunk.text), 7):
            expected = document.page_at(chunk.char_start + offset)
            found = chunk.page
            for start, page in chunk.page_breaks:
                if start <= offset:
                    found = page
            assert found == expected
