"""Pasted quiz items answered from a crafted text (fake embedder): a 判断 with one word changed, a statement that
joins two sentences, a blank the text fills with a list or a reworded context, options that leave out an aside."""

from __future__ import annotations

import pytest

from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.answering.quiz_answer import (_blank_value, _negation_flipped, _readings, _squash, _stated_at_blank, _states,
                                         _substituted, _swapped_word)
from wuxue.answering.refusal import RefusalModel

ALWAYS = RefusalModel.always_answer()


@pytest.mark.parametrize("item, kind, first", [
    ("判断：二人以上共同实施侵权行为，造成他人损害的，应当承担按份责任。", "quiz_judge", "错误：二人以上共同实施侵权行为"),
    ("二人以上共同实施侵权行为，造成他人损害的，应当承担连带责任。（ ）", "quiz_judge", "正确："),
    ("打印遗嘱应当有两个以上见证人在场见证，遗嘱人和见证人应当在遗嘱每一页签名。", "quiz_judge", "正确：打印遗嘱应当有两个以上见证人在场见证。遗嘱人"),
    ("义务人已经自愿履行的，不得请求返还。", "quiz_judge", "正确："),
    ("义务人已经自愿履行的，可以请求返还。", "quiz_judge", "错误："),
    ("当事人订立合同，可以采用（ ）。A、书面形式 B、口头形式 C、其他形式 D、仅限公证形式", "quiz_multi", "答案：ABC（"),
    ("对于严重违反规定、本身又不能纠正的分会，理事会可以予以（ ） A、改组 B、通报表扬 C、解散 D、合并", "quiz_multi", "答案：AC（改组、解散）"),
    ("对于严重违反规定、本身又不能纠正的分会，理事会可以予以（ ）。A、警告 B、改组或者解散 C、通报批评 D、限期整改", "quiz_single", "答案：B（改组或者解散）"),
    ("全国性的分会应当有（ ）以上活动资金。A.3万元 B.5万元 C.10万元 D.50万元", "quiz_single", "答案：C（10万元）"),
    ("《示范合作办法》由（）负责解释。", "quiz_blank", "答案：理事会。"),
    # the sentence of 成员 itself, not the one of 成员的继承人或者法定代理人 sharing nearly every word pair
    ("成员的撤销权，自知道撤销事由之日起（ ）内行使。\nA、六个月\nB、一年\nC、二年\nD、三年", "quiz_single", "答案：B（一年）"),
    # a statement joining an article's first sentence with its last
    ("判断：同一分会成员分配结余的份额，一般应当均等。成员协商同意的，也可以不均等。", "quiz_judge", "正确："),
    ("判断：成员对处理决定不服提出申诉的，申诉期间停止处理决定的执行。", "quiz_judge", "错误："),  # the text says 不停止
    ("分会建设的总体安排是分三步走。（ ）", "quiz_judge", "错误："),
    ("义务人已经自愿履行的，不得请求返还。（判断对错）", "quiz_judge", "正确："),
    # a stem of two sentences is filled from the text's sentence that holds the blank
    ("代位权的行使范围以（ ）为限。成员行使代位权的必要费用，由分会负担。", "quiz_blank", "答案：成员的债权。"),
    ("判断：示范合作成员的培训由秘书处组织，一般采取集中方式。", "quiz_judge", "正确："),  # the title's words are no substitution  # 三步 for 两步: a changed count
    # options stated in different articles, each with what the stem says of them (无效), not one only revocable
    ("下列合作协议中，属于无效的有： A、违背社会公德的合作协议 B、基于重大误解订立的合作协议 C、恶意串通损害他人利益的合作协议",
     "quiz_multi", "答案：AC（违背社会公德的合作协议、恶意串通损害他人利益的合作协议）"),
    # a negation inside a bracketed condition does not make the item ask for the option the text leaves out
    ("分会（连续两年不是未开展活动的除外）有下列情形之一的，理事会应当（ ）A.表扬 B.撤销登记 C.合并 D.增补", "quiz_single", "答案：B（撤销登记）"),
    # the stem's own sentence decides, not one stating more options of another holder (分会 … 收益和处分)
    ("借用权人对分会的设备，依法享有哪些权利？ A.占有 B.使用 C.收益 D.处分", "quiz_multi", "答案：ABC（占有、使用、收益）"),
    # a statement of one list item through its lead (理事享有…（二）查阅分会文件); one naming no item is 错误
    ("判断：理事享有查阅分会文件的权利。", "quiz_judge", "正确：理事享有下列权利：……（二）查阅分会文件"),
    ("理事可以罢免分会负责人，对吗？", "quiz_judge", "错误："),
    # a stem naming one item of a list (第一顺序) takes that item's options, not the other item's
    ("下列属于分会奖励第一顺序的有（ ）A.理事 B.会员 C.顾问 D.志愿者", "quiz_multi", "答案：ABD（理事、会员、志愿者）"),
    # the options the text puts after the stem's verb (不得限制), not the ones the same sentence says may be agreed
    ("合作协议可以就某些事项作出约定，但是不得限制下列哪些？（A）学术交流（B）使用设备的范围（C）学术争鸣（D）查阅资料的范围",
     "quiz_multi", "答案：AC（学术交流、学术争鸣）"),
    # a stem asking 谁 is filled where the question word stands (未经理事同意), not by another party the sentence names
    ("秘书处根据理事对供应商、设备的选择订立的采购合同，未经谁同意，秘书处不得变更与理事有关的合同内容？ A.供应商 B.理事长 C.理事 D.监事",
     "quiz_single", "答案：C（理事）"),
])
def test_pasted_items(hezuo, item, kind, first):
    result = ask(hezuo, item, refusal=ALWAYS)
    assert result.kind in (kind, "quiz_single" if kind == "quiz_multi" else kind)  # an unlabelled 多选 pastes as 单选
    assert result.direct.startswith(first), result.direct
    assert_exact_citations(hezuo, result)


def test_a_changed_word_is_a_substitution_and_a_dropped_clause_is_not():
    sentence = _squash("二人以上共同实施侵权行为，造成他人损害的，应当承担连带责任。")
    assert _substituted("二人以上共同实施侵权行为，造成他人损害的，应当承担按份责任。", sentence)
    assert not _substituted("二人以上共同实施侵权行为的，应当承担连带责任。", sentence)


def test_a_swapped_word_is_seen_even_when_spelled_elsewhere_in_the_sentence():
    sentence = _squash("行纪人处理委托事务支出的费用，由行纪人负担，但是当事人另有约定的除外。")
    assert _swapped_word("行纪人处理委托事务支出的费用，由委托人负担，但是当事人另有约定的除外。", sentence)  # 委托 is in 委托事务
    assert _swapped_word("非法人组织的财产不足以清偿债务的，其出资人承担有限责任。", _squash("非法人组织的财产不足以清偿债务的，其出资人承担无限责任。"))
    assert not _swapped_word("行纪人处理委托事务支出的费用，由行纪人负担。", sentence)  # a clause left out is no swap
    assert not _swapped_word("行纪人处理委托事务支出的费用，由行纪人负担，但是当事人另有约定的除外。", sentence)


def test_a_negation_added_or_dropped_flips_the_claim():
    sentence = _squash("政府投资建设的场馆，应当常年向公众开放，并不得擅自改为他用。")
    assert not _negation_flipped("政府投资建设的场馆应当常年向公众开放。", sentence)  # 不得 governs a clause not claimed
    assert _negation_flipped("政府投资建设的场馆不得向公众开放。", sentence)
    assert _negation_flipped("政府投资建设的场馆可以擅自改为他用。", sentence)


def test_the_blank_is_placed_by_alignment():
    assert _blank_value("全国性的分会应当有（ ）以上活动资金。", "全国性的分会有10万元以上活动资金，地方性的分会有3万元以上活动资金。") == "10万元"
    assert _blank_value("担负直接（ ）党员的职责。", "担负直接教育党员、管理党员、监督党员和组织群众的职责。").startswith("教育党员、管理党员、监督党员")
    assert _blank_value("《示范合作办法》由（）负责解释。", "为了规范合作工作，保障成员权益，制定本办法。") == ""
    assert _blank_value("《示范合作办法》由（）负责解释。", "本办法由理事会负责解释。") == "理事会"


def test_options_match_without_the_texts_aside_and_as_joined_parts():
    assert _states("乡镇分会所属的小组", _readings("乡镇（街道）分会所属的小组，不能审批新成员。"))
    assert not _states("县级分会", _readings("乡镇（街道）分会所属的小组，不能审批新成员。"))
    assert _stated_at_blank("改组或者解散", _squash("（一）改组；（二）解散。"))
    assert not _stated_at_blank("警告或者严重警告", _squash("（一）改组；（二）解散。"))


def test_a_name_the_text_itself_speaks_of_is_no_unknown_document(hezuo):
    # “分会章程” reads like the title of a document we lack, but the retrieved article quotes it: a pasted item
    result = ask(hezuo, "分会有下列哪些情形，理事会应当撤销登记？（ ）（A）违反分会章程弄虚作假骗取登记的 （B）连续两年未开展活动的 （C）更换负责人的", refusal=ALWAYS)
    assert result.found and result.direct.startswith("答案：")
    assert not ask(hezuo, "按照《示范问责条例》，问责方式有哪些？", refusal=ALWAYS).found


def test_each_option_read_in_the_blank_is_searched_too(hezuo):
    """The stem alone may find another sentence (可以采取要约、承诺方式或者其他方式); what each option read in its
    place finds is in the pool as well, after the stem's own passages."""
    from wuxue.answering.question import analyze
    from wuxue.answering.quiz_answer import answer_quiz, option_readings
    question = analyze("当事人订立合同，可以采用（ ）。A、书面形式 B、口头形式 C、其他形式 D、仅限公证形式")
    assert option_readings(question)[0] == "当事人订立合同，可以采用书面形式。"
    assert option_readings(analyze("判断：当事人订立合同，可以采用书面形式。")) == []
    elsewhere = hezuo.search("成员要密切联系群众，倾听群众意见", k=1)  # a stem search that missed the article
    alone = answer_quiz(hezuo.structure(), elsewhere, question)
    assert not alone.direct.startswith("答案：ABC（")
    readings = [hezuo.search(text, k=3) for text in option_readings(question)]
    composed = answer_quiz(hezuo.structure(), elsewhere, question, readings)
    assert composed.direct.startswith("答案：ABC（书面形式、口头形式、其他形式）")



def test_a_blank_stem_copying_a_sentence_cut_at_a_semicolon_is_filled_from_the_whole_sentence(hezuo):
    # sentence splitting cuts 第四十六条 at ；— its second half alone reads less like the stem than 第四十七条 does
    item = "分会的设立、变更和注销，经秘书处登记，发生效力；未经登记，（ ），但是章程另有规定的除外。"
    result = ask(hezuo, item, refusal=ALWAYS)
    assert result.kind == "quiz_blank" and result.direct.startswith("答案：不发生效力。"), result.direct
    assert_exact_citations(hezuo, result)
