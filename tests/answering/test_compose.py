"""Answer composition on crafted documents (fake embedder): every answer kind and quiz form, exact highlights,
the same list in two documents, and a filtered question the selection does not cover."""

from __future__ import annotations

import pytest

from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.answering.ask import OUT_OF_SELECTION
from wuxue.answering.refusal import RefusalModel

ALWAYS = RefusalModel.always_answer()


_exact = assert_exact_citations


def test_list_direct_line_counts_and_names_every_item_and_the_unit_is_quoted_whole(crafted):
    result = ask(crafted, "成员有哪些义务？", refusal=ALWAYS)
    assert result.kind == "list"
    assert result.direct.startswith("共四项：（一）认真学习组织的基本知识") and result.direct.endswith("[1]")
    for item in ("（二）遵守组织的纪律", "（三）密切联系群众", "（四）开展批评和自我批评"):
        assert item in result.direct
    assert "维护群众的正当利益" in result.answer and "勇于纠正工作中的缺点和错误" in result.answer  # the whole unit
    assert result.answer.startswith(result.direct)
    citation = result.citations[0]
    assert citation.text.startswith("第二条 成员必须履行下列义务：") and len(citation.highlight) == 5  # lead + four items
    _exact(crafted, result)


def test_series_sentence_is_a_list(crafted):
    result = ask(crafted, "组织的纪律包括哪些？", refusal=ALWAYS)
    assert result.direct == "共四项：政治纪律、组织纪律、廉洁纪律、群众纪律[1]"
    _exact(crafted, result)


def test_the_same_list_in_two_documents_is_one_answer_with_two_citations(crafted):
    result = ask(crafted, "对成员的纪律处分有哪几种？", refusal=ALWAYS)
    assert result.direct.startswith("共三项：") and result.direct.endswith("[1][2]")
    assert len(result.citations) == 2 and {c.doc_id for c in result.citations} == {"shifan_zhangcheng", "shifan_guize"}
    also = result.citations[0].also_in
    assert len(also) == 1 and also[0]["doc_id"] == result.citations[1].doc_id
    assert result.answer.count("共三项") == 1
    _exact(crafted, result)


@pytest.mark.parametrize("question, kind, expected", [
    ("预备成员的预备期是多长？", "quantity", "预备成员的预备期为一年。[1]"),
    ("入会誓词是什么？", "definition", "我志愿加入本组织"),
    ("处分决定由谁作出？", "actor", "处分决定由理事会作出。[1]"),
    # the named document's closing rule, whatever retrieval ranks first
    ("《示范处分规则》从哪天开始施行？", "date", "本规则自发布之日起施行。[1]"),
])
def test_fact_questions_state_the_fact_on_the_first_line(crafted, question, kind, expected):
    result = ask(crafted, question, refusal=ALWAYS)
    assert result.kind == kind and expected in result.direct
    assert result.answer.splitlines()[0] == result.direct
    _exact(crafted, result)


@pytest.mark.parametrize("question, kind, first", [
    ("理事会每届任期（ ）年。A.三 B.四 C.五 D.六", "quiz_single", "答案：C（五）[1]"),
    ("理事会每届任期（）年。\nA、三年\nB、四年\nC、五年\nD、六年", "quiz_single", "答案：C（五年）[1]"),
    ("组织的纪律主要包括（ ）。A.政治纪律 B.组织纪律 C.宣传纪律 D.群众纪律", "quiz_multi", "答案：ABD（政治纪律、组织纪律、群众纪律）[1]"),
    ("预备成员的预备期为（ ）。", "quiz_blank", "答案：一年。预备成员的预备期为一年。[1]"),
    ("理事会每届任期五年。（ ）", "quiz_judge", "正确：理事会每届任期五年，由成员大会选举产生。[1]"),
    ("判断：留会察看最长不超过一年。", "quiz_judge", "错误：留会察看最长不超过两年。[1]"),
])
def test_pasted_quiz_items_get_the_option_the_filling_or_the_verdict(crafted, question, kind, first):
    result = ask(crafted, question, refusal=ALWAYS)
    assert result.kind == kind
    assert result.direct == first and result.answer.splitlines()[0] == first
    _exact(crafted, result)


def test_filtered_question_the_selection_does_not_cover_says_so_and_answers_from_all_documents(crafted):
    result = ask(crafted, "成员有哪些义务？", refusal=ALWAYS, doc_ids=["shifan_guize"])
    assert result.scope_notice == OUT_OF_SELECTION
    assert result.citations and result.citations[0].doc_id == "shifan_zhangcheng"
    assert result.direct.startswith("共四项：")
    covered = ask(crafted, "对成员的纪律处分有哪几种？", refusal=ALWAYS, doc_ids=["shifan_guize"])
    assert covered.scope_notice == "" and {c.doc_id for c in covered.citations} == {"shifan_guize"}


def test_a_question_about_a_named_document_itself_is_answered_whatever_the_signals_say(crafted):
    never = RefusalModel.never_answer()
    result = ask(crafted, "示范处分规则什么时候开始实施？", refusal=never)
    assert result.found and result.direct == "本规则自发布之日起施行。[1]"
    assert not ask(crafted, "示范处分规则规定受到处分的成员多长时间内不得担任理事？", refusal=never).found


def test_a_date_question_about_something_inside_a_document_is_not_its_closing_rule(crafted):
    result = ask(crafted, "示范处分规则规定受到处分的成员多长时间内不得担任理事？", refusal=ALWAYS)
    assert "一年" in result.direct and "施行" not in result.direct


def test_a_bare_heading_is_never_the_answer_sentence(crafted):
    result = ask(crafted, "纪律", refusal=ALWAYS)
    assert "第二章 纪律" not in result.direct and result.direct.strip("[1]").strip()


def test_refusal_has_no_direct_line(crafted):
    result = ask(crafted, "明天会下雨吗", refusal=RefusalModel.never_answer())
    assert not result.found and result.direct == "" and result.citations


def test_a_counted_term_finds_its_comma_clauses():
    from wuxue.answering.compose import _clause_runs
    from wuxue.ingest.units import tree_from_text

    text = "示范\n第十条 组织原则是：成员个人服从组织，少数服从多数，下级组织服从上级组织，全体成员服从大会。其他要求另行规定。"
    tree = tree_from_text(text)
    runs = _clause_runs(tree, "服从", 4)
    assert len(runs) == 1
    assert [text[a:b] for a, b in runs[0].items] == ["成员个人服从组织", "少数服从多数", "下级组织服从上级组织", "全体成员服从大会"]
    assert _clause_runs(tree, "服从", 3) == []


def test_llm_mode_reads_whole_units(crafted):
    from wuxue.answering.compose import unit_passages

    result = crafted.search("成员必须履行哪些义务？", k=3)
    passages = unit_passages(crafted.snapshot.store, result)
    duties = next(p for p in passages if p.text.startswith("第二条 成员必须履行下列义务："))
    assert "（四）开展批评和自我批评" in duties.text
    text = crafted.snapshot.store.document_text(duties.doc_id)
    assert text is not None and text[duties.char_start:duties.char_end] == duties.text
    assert [p.marker for p in passages] == list(range(1, len(passages) + 1))


def test_a_fact_line_drops_the_item_number_the_quote_keeps():
    from wuxue.answering.compose import _off_item_marker

    assert _off_item_marker("（三）党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。") == "党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。"
    assert _off_item_marker("党的最高领导机关，是党的全国代表大会。") == "党的最高领导机关，是党的全国代表大会。"
    assert _off_item_marker("（三）") == "（三）"  # nothing after it: kept
