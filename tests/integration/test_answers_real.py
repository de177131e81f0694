"""Real model, real index (four bundled documents): the answers issue 12 asked for, and exact highlights everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

pytestmark = pytest.mark.integration

DUTIES = ("认真学习马克思列宁主义", "增强“四个意识”", "坚持党和人民的利益高于一切", "自觉遵守党的纪律", "维护党的团结和统一",
          "切实开展批评和自我批评", "密切联系群众", "发扬社会主义新风尚")


@pytest.fixture(scope="module")
def real_kb(real_index: Path, model_cache: Path) -> KnowledgeBase:
    kb = KnowledgeBase(load_settings(data_dir=real_index, cache_dir=model_cache))
    kb.load()
    return kb


def _squash(text: str) -> str:
    return "".join(text.split())


_exact = assert_exact_citations


def test_duties_all_eight_with_the_count_on_the_first_line(real_kb):
    result = ask(real_kb, "党员有哪些义务？")
    assert result.found and result.direct.startswith("共八项：")
    for duty in DUTIES:
        assert duty in result.answer
    assert result.citations[0].section.endswith("第三条")
    _exact(real_kb, result)


def test_six_disciplines_come_from_article_forty(real_kb):
    result = ask(real_kb, "党的六项纪律是哪六项？")
    assert result.direct.startswith("共六项：")
    for word in ("政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律"):
        assert word in result.direct
    assert "第四十条" in result.citations[0].text
    _exact(real_kb, result)


def test_oath_text_is_the_answer(real_kb):
    result = ask(real_kb, "入党誓词是什么？")
    assert "我志愿加入中国共产党" in result.direct and "永不叛党" in result.answer
    _exact(real_kb, result)


def test_four_consciousnesses_are_named(real_kb):
    result = ask(real_kb, "“四个意识”指的是什么？")
    assert result.direct.startswith("共四项：")
    for word in ("政治意识", "大局意识", "核心意识", "看齐意识"):
        assert word in result.direct
    _exact(real_kb, result)


def test_five_kinds_of_discipline(real_kb):
    result = ask(real_kb, "对党员的纪律处分有哪几种？")
    assert result.direct.startswith("共五项：")
    for word in ("警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"):
        assert word in result.direct
    _exact(real_kb, result)


def test_pasted_single_choice_and_judgement(real_kb):
    single = ask(real_kb, "党的中央委员会每届任期（）年 A.三 B.四 C.五 D.六")
    assert single.kind == "quiz_single" and single.direct.startswith("答案：C（五）")
    judge = ask(real_kb, "判断：留党察看最长不超过一年。")
    assert judge.kind == "quiz_judge" and judge.direct.startswith("错误：") and "两年" in judge.direct
    _exact(real_kb, single)
    _exact(real_kb, judge)


def test_every_answer_to_the_member_questions_has_exact_citations_and_highlights(real_kb):
    """The invariant over the answer set's questions on these documents: offsets and highlights are the document's text."""
    from wuxue.evaluation.answer_sets import answer_questions, quiz_items

    documents = {d.doc_id for d in real_kb.documents()}
    questions = [q.question for q in answer_questions() if q.doc_ids[0] in documents]
    questions += [i.question for i in quiz_items() if i.doc_ids[0] in documents]
    assert len(questions) >= 50
    for question in questions:
        result = ask(real_kb, question)
        _exact(real_kb, result)
        if result.found:
            assert result.direct and result.answer.startswith(result.direct), json.dumps(result.to_dict(), ensure_ascii=False)[:300]


def test_filtered_to_a_document_that_does_not_cover_the_question(real_kb):
    result = ask(real_kb, "党员有哪些义务？", doc_ids=["lianjie_zilv_zhunze_2015"])
    assert result.scope_notice.startswith("所选文档中未找到")
    assert result.citations[0].doc_id == "dangzhang_2022" and result.direct.startswith("共八项：")
    covered = ask(real_kb, "党员领导干部廉洁自律规范有哪些？", doc_ids=["lianjie_zilv_zhunze_2015"])
    assert covered.scope_notice == "" and all(c.doc_id == "lianjie_zilv_zhunze_2015" for c in covered.citations)
