"""Second-stage rerank: units a question names, definitions of its terms, best-sentence overlap."""

from __future__ import annotations

import pytest

from wuxue.index.overlap import QueryOverlap, sentence_scores
from wuxue.index.rerank import Candidate, DefinitionMatcher, RerankConfig, covers_unit, named_units, rerank, section_units
from wuxue.numerals import chinese_number


@pytest.mark.parametrize(("text", "value"), [("十", 10), ("十二", 12), ("二十", 20), ("一百零三", 103), ("一百四十三", 143),
                                             ("二〇二三", 2023), ("15", 15), ("两千", 2000), ("党", None)])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_units_named_in_a_question_and_covered_by_a_breadcrumb():
    assert named_units("根据宪法第二十七条，国家工作人员要履行什么仪式？") == [("条", 27)]
    assert named_units("党章第七章讲的是什么？") == [("章", 7)]
    assert named_units("预备期是多长时间？") == []
    section = "第一章 总则 › 第十条至第十三条"
    assert section_units(section) == [("条", 10, 13), ("章", 1, 1)]
    assert covers_unit(section, [("条", 12)]) and covers_unit(section, [("章", 1)])
    assert not covers_unit(section, [("条", 14)]) and not covers_unit(section, [("章", 2)])
    assert not covers_unit("第十二条", [("章", 12)])  # an article is not a chapter


def test_definition_matcher_finds_the_sentence_that_defines_a_question_term():
    matcher = DefinitionMatcher(["基金会", "管理", "定义"])
    assert matcher.strength("第二条 本条例所称基金会，是指利用自然人捐赠的财产") == 0.75
    assert matcher.strength("基金会应当按照合法、安全、有效的原则实现基金的保值") == 0.0
    assert DefinitionMatcher(["民主集中制"]).strength("民主集中制是民主基础上的集中") == 1.0
    assert DefinitionMatcher(["党"]).strength("党是…") == 0.0  # single characters say too little
    assert DefinitionMatcher([]).strength("任何文字") == 0.0


def test_query_overlap_equals_the_reference_sentence_scores():
    text = "预备党员的预备期为一年。天气很好。"
    spans = [(0, 12), (12, 17)]
    assert QueryOverlap(["预备党员", "预备期"]).scores(text, spans) == sentence_scores(["预备党员", "预备期"], text, spans) == [1.0, 0.0]
    # Full-width text folds to half-width before matching, with or without a pre-folded copy.
    assert QueryOverlap(["2024"]).scores("自２０２４年起施行。", [(0, 10)]) == [1.0]


def _candidate(key: int, fused: float, section: str, text: str) -> Candidate:
    return Candidate(key, fused, section, text, [(0, len(text))])


def test_rerank_prefers_the_named_article_and_the_definition_but_keeps_fused_order_otherwise():
    config = RerankConfig(unit_weight=0.3, definition_weight=0.1, sentence_weight=0.0)
    candidates = [_candidate(1, 1.0, "第一条至第二条", "科协应当依法开展工作。"),
                  _candidate(2, 0.9, "第十二条", "科协应为其提供支持和帮助。")]
    order = rerank(candidates, question="重庆市科协条例第十二条规定科协可以做什么？", terms=["科协"], bigrams=[], config=config)
    assert [key for key, _ in order] == [2, 1]
    # The same candidates without a named article: fused order stands.
    order = rerank(candidates, question="科协可以做什么？", terms=["可以"], bigrams=[], config=config)
    assert [key for key, _ in order] == [1, 2]
    # A passage defining the asked term overtakes a close one that only mentions it.
    candidates = [_candidate(3, 1.0, "", "基金会应当遵循公开、透明的原则。"), _candidate(4, 0.95, "", "本条例所称基金会，是指非营利性法人。")]
    order = rerank(candidates, question="怎样定义基金会？", terms=["基金会", "定义"], bigrams=[], config=config)
    assert [key for key, _ in order] == [4, 3]
    assert order[0][1] == pytest.approx(0.95 + 0.1 * 0.75)


def test_rerank_of_nothing_is_empty():
    assert rerank([], question="任何问题", terms=[], bigrams=[], config=RerankConfig()) == []
    assert not RerankConfig(depth=0).enabled and RerankConfig().enabled
