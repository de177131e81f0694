"""Fixes from the second blind read of issue 13, each on a crafted passage: formulation swaps of one
family, whole organ names, real titles in leads, stems with their subject, no weak blanks."""

from __future__ import annotations

from wuxue.quiz.corpus import names_title, stem_lead


def test_lead_uses_an_alias_only_when_it_names_the_document():
    assert stem_lead("中国共产党章程", ["党章"], "章程") == "党章规定，"
    assert stem_lead("中华人民共和国科学技术普及法", ["科普法"], "法律") == "《科普法》规定，"
    # a topic, not the article's title: the real title is cited instead
    assert stem_lead("健全工作机制 推动学会党建取得新实效", ["中国通信学会党建", "中国通信学会"], "学会材料") \
        == "《健全工作机制 推动学会党建取得新实效》提出，"
    assert stem_lead("南京机械工程学会2023年党建工作计划", ["南京机械工程学会党建工作计划", "南京机械工程学会"], "学会材料") \
        == "《南京机械工程学会党建工作计划》提出，"
    assert names_title("纪委工作条例", "中国共产党纪律检查委员会工作条例")
    assert not names_title("中国通信学会", "健全工作机制 推动学会党建取得新实效")
