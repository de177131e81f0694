"""Structure and chunking: breadcrumbs, article integrity and the offset invariant."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.manifest import read_manifest
from tests.conftest import CORPUS

CONFIG = ChunkerConfig(300, 60)
MANIFEST = read_manifest(CORPUS)


def _prepared(name: str):
    return prepare_document((CORPUS / name).read_bytes(), name, MANIFEST.get(name))


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_offsets_hold_for_every_bundled_document(name):
    _, document = _prepared(name)
    chunks = chunk_document(document, CONFIG)
    assert chunks
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        for start, end in chunk.sentences:
            assert 0 <= start < end <= len(chunk.text)
    starts = [c.char_start for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_dangzhang_breadcrumbs_and_articles():
    meta, document = _prepared("dangzhang_2022.txt")
    assert meta.title == "中国共产党章程" and meta.kind == "章程"
    chunks = chunk_document(document, CONFIG)
    article7 = [c for c in chunks if "预备党员的预备期为一年" in c.text]
    assert article7 and article7[0].section == "第一章 党员 › 第七条"
    articles = {m.group(1) for c in chunks for m in re.finditer(r"(?m)^(第[一二三四五六七八九十]+条) ", c.text)}
    assert len(articles) == 55


def test_article_heading_stays_with_its_items():
    _, document = _prepared("dangzhang_2022.txt")
    chunks = chunk_document(document, CONFIG)
    first = next(c for c in chunks if c.text.startswith("第四条 党员享有下列权利："))
    assert "（一）" in first.text  # the list never starts in a chunk of its own


def test_seed_web_junk_is_gone_and_subheadings_are_sections():
    meta, document = _prepared("cic_dangjian_2024.txt")
    assert "JHIVqZokgN" not in document.text
    chunks = chunk_document(document, CONFIG)
    assert any(c.section == "突出政治统领强化党建引领有力" for c in chunks)
    _, plan = _prepared("njmes_dangjian_plan_2023.txt")
    assert "/html>" not in plan.text and "发布人" not in plan.text


def test_short_sibling_articles_are_packed_and_labelled():
    _, document = _prepared("lianjie_zilv_zhunze_2015.txt")
    sections = [c.section for c in chunk_document(document, CONFIG)]
    assert "党员廉洁自律规范 › 第一条至第四条" in sections
    assert "党员领导干部廉洁自律规范 › 第五条至第八条" in sections


def test_long_units_are_split_on_sentence_ends():
    _, document = _prepared("xi_report_20th_congress_2022.txt")
    for chunk in chunk_document(document, CONFIG):
        assert chunk.text[-1] in "。！？；”）：" or "\n" not in chunk.text[-3:], chunk.text[-20:]
        assert len(chunk.text) <= CONFIG.chunk_size * 2


_sentence = st.text(alphabet="党员组织纪律学习建设人民国家发展制度工作", min_size=1, max_size=40).map(lambda s: s + "。")
_paragraph = st.lists(_sentence, min_size=1, max_size=8).map("".join)
_heading = st.sampled_from(["第一章 总则", "一、指导思想", "（一）基本要求", "第三条 ", "1、"])
_line = st.one_of(_paragraph, st.tuples(_heading, _paragraph).map(lambda t: t[0] + t[1]), _heading)


@hypothesis_settings(max_examples=150, deadline=None)
@given(title=_paragraph, lines=st.lists(_line, min_size=1, max_size=30), size=st.integers(60, 400))
def test_offset_invariant_on_generated_documents(title, lines, size):
    data = "\n\n".join([title[:20], *lines]).encode("utf-8")
    _, document = prepare_document(data, "generated.txt")
    chunks = chunk_document(document, ChunkerConfig(size, size // 5))
    covered = set()
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        covered.update(range(chunk.char_start, chunk.char_end))
    # every sentence-bearing character is in some chunk
    assert all(i in covered for i, ch in enumerate(document.text) if ch == "。")
