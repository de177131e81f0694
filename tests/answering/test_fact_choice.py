"""Which sentence or unit answers a member's question, on a crafted text (fake embedder): the sentence that says
what is asked of the asked term, how a thing is divided, a requirement's whole article."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.answering.compose import _key_word, _lacks
from wuxue.answering.refusal import RefusalModel
from wuxue.index.searcher import SearchResult
from wuxue.ingest.units import Unit, UnitTree

ALWAYS = RefusalModel.always_answer()


@pytest.mark.parametrize("question, said", [
    ("本办法由哪个机构负责解释？", "本办法由理事会负责解释。"),  # the sentence that says who 负责解释
    ("成员的培训要多长时间？", "培训时间一般不少于三天。"),  # the article's sentence that holds the asked duration
    ("分会分为哪几类？", "分会分为全国性分会和地方性分会。"),  # how it is divided, not the list of 撤销登记 cases
])
def test_the_first_line_says_what_is_asked_of_the_asked_term(hezuo, question, said):
    result = ask(hezuo, question, refusal=ALWAYS)
    assert result.direct.startswith(said), result.direct
    assert_exact_citations(hezuo, result)


def test_a_requirement_quotes_every_paragraph_of_its_article(hezuo):
    result = ask(hezuo, "追认成员需要符合什么条件？", refusal=ALWAYS)
    assert result.kind == "requirement"
    for paragraph in ("追认成员必须严格掌握", "英勇献身、事迹突出", "追认成员由理事会批准"):
        assert paragraph in result.answer, result.answer
    assert_exact_citations(hezuo, result)


def test_items_named_by_the_first_character_of_the_asked_category(hezuo):
    result = ask(hezuo, "成员权利具体包括哪些权利？", refusal=ALWAYS)
    assert result.direct == "共三项：表决权、选举权、监督权[1]", result.direct  # 权利 → 表决权, 选举权, 监督权
    assert_exact_citations(hezuo, result)


def test_a_lead_that_says_how_things_are_told_apart_answers_a_divided_into_question(hezuo):
    result = ask(hezuo, "违规行为有关责任人员分为哪几类？", refusal=ALWAYS)
    assert result.direct.startswith("共两项：（一）直接责任者"), result.direct  # 区分： is how they are divided
    assert_exact_citations(hezuo, result)


def test_a_named_documents_parts_answer_what_it_covers(hezuo):
    result = ask(hezuo, "示范学习纲要从哪几个方面提出要求？", refusal=ALWAYS)
    assert result.direct == "共四个部分：坚定理想信念[1]；严明组织纪律[2]；密切联系群众[3]；加强自身建设[4]", result.direct
    assert [c.text for c in result.citations] == ["一、坚定理想信念", "二、严明组织纪律", "三、密切联系群众", "四、加强自身建设"]
    assert_exact_citations(hezuo, result)
    inside = ask(hezuo, "示范学习纲要对组织纪律提出哪几个方面的要求？", refusal=ALWAYS)
    assert not inside.direct.startswith("共四个部分"), inside.direct  # asks about something inside the document


@pytest.mark.parametrize("question, said", [
    ("示范大会的主题是什么？", "大会的主题是：团结协作、共同进步。"),  # defines it, against a sentence that only names it
    ("本组织最根本、最重要的纪律是什么纪律？", "政治纪律是本组织最根本、最重要的纪律。"),  # X是<the whole term>
])
def test_a_definition_is_the_sentence_that_defines_the_term(hezuo, question, said):
    result = ask(hezuo, question, refusal=ALWAYS)
    assert result.kind == "definition" and result.direct.startswith(said), result.direct
    assert_exact_citations(hezuo, result)


def test_definition_tiers():
    from wuxue.answering.compose import _definition_tier
    from wuxue.answering.question import analyze

    theme = analyze("党的二十大的主题是什么？")
    assert _definition_tier(theme, "大会的主题是：高举中国特色社会主义伟大旗帜。") == 2  # under a short owner
    assert _definition_tier(theme, "系统把握以下九个方面：一是深刻领会党的二十大的主题；") == 3  # names it only
    discipline = analyze("党最根本、最重要的纪律是什么纪律？")
    assert _definition_tier(discipline, "政治纪律是党最根本、最重要的纪律。") == 1
    assert _definition_tier(discipline, "党的纪律是党的各级组织和全体党员必须遵守的行为规则。") == 2
    assert _definition_tier(analyze("“四个意识”指的是什么？"), "四个意识是指政治意识、大局意识、核心意识、看齐意识。") == 0
    assert _definition_tier(analyze("首要任务是什么？"), "主要目标任务是：经济发展取得新成就。") == 3  # no owner 的


def test_a_sentence_opening_with_these_is_read_with_the_one_before(hezuo):
    result = ask(hezuo, "地方性分会的理事要有几年以上会龄？", refusal=ALWAYS)
    assert result.direct.startswith("地方性分会的理事会，每届任期三年。这些理事会的理事必须有三年以上的会龄。"), result.direct
    assert_exact_citations(hezuo, result)


def test_bracketed_long_forms_match_the_folded_text():
    from wuxue.answering.evidence import answer_scores

    text = "党的省、自治区、直辖市的委员会必须有五年以上的党龄。党的县（旗）、自治县的委员会必须有三年以上的党龄。"
    spans = [(0, 25), (25, len(text))]
    first, second = answer_scores("县委委员要有几年以上党龄？", ["县委", "委员", "党龄"], [], text, spans)
    assert second > first  # 县委 → 县（旗）, folded like the text


def test_the_asked_number_is_said_of_the_asked_term_not_of_its_opposite():
    from wuxue.answering.answer_type import expected_type
    from wuxue.answering.compose import _states_of_term

    age = expected_type("多大算成年人？")
    assert age is not None
    assert _states_of_term(age, ["成年人"], "十八周岁以上的自然人为成年人。")  # 以上 belongs to the number
    assert not _states_of_term(age, ["成年人"], "不满八周岁的未成年人为无民事行为能力人。")  # 未成年人 is not 成年人


def test_a_list_that_lacks_the_rarest_asked_word_does_not_answer_a_condition():
    """送养 is said by the best sentence alone; the guardian list beside it shares only the common words."""
    text = ("父母已经死亡的，由下列人员按顺序担任监护人：（一）祖父母；（二）兄、姐。"
            "父母均不具备完全民事行为能力的，该未成年人的监护人可以将其送养。")
    tree = UnitTree(text, [])
    sentence_start = text.index("父母均")
    best = SimpleNamespace(tree=tree, start=sentence_start, end=len(text))
    guardians = Unit("list", 0, sentence_start)
    result = SearchResult(query="监护人在什么条件下可以把未成年人送养？", tokens=["监护人", "条件", "未成年人", "送养"],
                          hits=[], max_sparse=0.0, term_df={"监护人": 40, "条件": 90, "未成年人": 30, "送养": 3},
                          passages=1000)
    key = _key_word(result, best)
    assert key == "送养"
    assert _lacks(key, tree, guardians)
    assert not _lacks(key, tree, Unit("article", 0, len(text)))
