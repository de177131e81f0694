"""Everyday words in a question also search the texts' words (爸妈 → 父母, 到期 → 期限届满)."""

from __future__ import annotations

from tests.conftest import FIXTURES, hashing_kb
from wuxue.index.colloquial import formal_words


def test_formal_words_for_everyday_ones():
    assert formal_words("爸妈都不在了，谁当监护人？") == ["父母"]
    assert formal_words("租房到期了房子要还吗？") == ["期限届满", "房屋", "租赁"]
    assert formal_words("父母和爸妈") == []  # the text's word is already there
    assert formal_words("党员有哪些义务？") == []
    assert formal_words("全体会议要有多少委员到会才能开？") == ["方可"]  # 才能 / 方可召开
    assert formal_words("物业公司能不能停水停电？") == ["物业服务人", "停止供电、供水"]
    assert formal_words("房东不退钱怎么办？") == ["出租人", "返还"]
    assert formal_words("在哪些情况下可以解除合同？") == ["情形"]  # 有下列情形之一的，当事人可以解除合同
    assert formal_words("当爹妈的，对还没成年的孩子要尽哪些义务？") == ["父母", "未成年"]  # 父母对未成年子女负有…


def test_an_everyday_question_finds_the_article_in_the_texts_words(tmp_path):
    kb = hashing_kb(tmp_path, FIXTURES / "hezuo")
    result = kb.search("租房到期了房子要还吗？", k=3)
    assert result.hits[0].chunk.text.count("租赁期限届满") == 1, [h.chunk.text[:30] for h in result.hits]
