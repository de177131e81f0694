from wuxue.ingest.clean import clean, fold_for_search, is_junk, looks_hard_wrapped, normalize_line
from wuxue.ingest.document import RawBlock, RawDocument


def test_junk_lines_from_the_seeds_are_recognised():
    for line in ("JHIVqZokgN/8vyocXvwhcA==", "/html>", "发布人:戴云珍", "• 时间:2023-02-23"):
        assert is_junk(normalize_line(line)), line
    assert not is_junk("时间就是生命，效率就是金钱。")
    assert not is_junk("第一条 为了加强党的建设，制定本条例。")


def test_article_separator_is_one_ascii_space():
    assert normalize_line("第一条\u3000为了维护党的章程") == "第一条 为了维护党的章程"
    assert normalize_line("　　第十二条  党员") == "第十二条 党员"
    assert normalize_line("第一章 党 员") == "第一章 党员"
    assert normalize_line("总 纲") == "总纲"


def test_full_width_digits_fold_for_search_only():
    assert fold_for_search("２０２３年") == "2023年"


def test_hard_wrapped_pdf_lines_are_rejoined_with_pages_kept():
    page1 = "第一条 中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主\n专政的社会主义国家。\n第二条 中华人民共和国的一切权力属于人民。人民行使国家权力的机关是全国\n"
    page2 = "人民代表大会和地方各级人民代表大会。\n第三条 国家机构实行民主集中制的原则。"
    text, spans, pages = clean(RawDocument([RawBlock(page1, 1), RawBlock(page2, 2)], "pdf", hard_wrapped=True))
    paragraphs = [text[s:e] for s, e in spans]
    assert paragraphs[0] == "第一条 中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。"
    assert paragraphs[1].endswith("全国人民代表大会和地方各级人民代表大会。")
    assert paragraphs[2] == "第三条 国家机构实行民主集中制的原则。"
    second_page_start = text.index("人民代表大会和地方")
    assert pages == [(0, 1), (second_page_start, 2)]


def test_two_line_bracketed_header_is_one_paragraph():
    raw = "标题\n\n（2021年2月23日中共中央政治局常委会会议审议批准\n2021年3月19日中共中央办公厅发布）\n\n第一条 正文。"
    text, spans, _ = clean(RawDocument([RawBlock(raw)], "text"))
    assert text[spans[1][0] : spans[1][1]] == "（2021年2月23日中共中央政治局常委会会议审议批准2021年3月19日中共中央办公厅发布）"


def test_one_paragraph_per_line_text_is_not_taken_for_hard_wrapped():
    lines = [f"第{n}条 这是一个完整的句子，以句号结束。" for n in "一二三四五六七八九十"]
    assert not looks_hard_wrapped(lines)
