"""Which sentence or unit answers a member's question, on a crafted text (fake embedder): the sentence that says
what is asked of the asked term, how a thing is divided, a requirement's whole article."""

from __future__ import annotations

import pytest

from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.answering.refusal import RefusalModel

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
