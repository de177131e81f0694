"""Which list or sentence answers, on a crafted document (fake embedder): a counted term's own list, a duty
sentence without a colon, the list of what is asked to enumerate, the asking clause, a clause widened to its
sentence, and a number at a pasted item's blank."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES as ALL_FIXTURES
from tests.conftest import assert_exact_citations
from wuxue.answering import ask
from wuxue.answering.answer_type import expected_type, holds_answer
from wuxue.answering.evidence import asked_clause_terms
from wuxue.answering.refusal import RefusalModel

FIXTURES = ALL_FIXTURES / "answers_more"
ALWAYS = RefusalModel.always_answer()


_exact = assert_exact_citations


def test_a_label_is_not_a_stated_number():
    kind = expected_type("多少日内作出决定？")
    assert not holds_answer(kind, "第九条 申请成立分会，应当经理事会审查同意。")
    assert not holds_answer(kind, "（二）提出处理意见。")
    assert holds_answer(kind, "第八条 秘书处应当自收到全部有效文件之日起60日内作出决定。")


def test_the_asking_clause_of_a_two_clause_question():
    tokens = ["申请", "成立", "分会", "秘书处", "多少", "日内", "作出", "决定"]
    assert asked_clause_terms("申请成立分会，秘书处多少日内作出决定？", tokens) == ["秘书处", "多少", "日内", "作出", "决定"]
    assert asked_clause_terms("秘书处多少日内作出决定？", tokens) == []


def test_a_counted_term_gets_the_list_it_sums_up_not_a_list_after_its_mention(choices):
    result = ask(choices, "四项基本要求是哪四项？", refusal=ALWAYS)
    assert result.direct.startswith("共四项：") and "勤学苦练" in result.direct and "勇于创新" in result.direct
    assert "演说" not in result.direct
    _exact(choices, result)


def test_a_counted_term_gets_the_items_named_by_its_head_word(choices):
    result = ask(choices, "“四个意识”指的是什么？", refusal=ALWAYS)
    assert result.direct.startswith("共四项：")
    assert all(term in result.direct for term in ("学习意识", "纪律意识", "服务意识", "创新意识"))


def test_duties_named_without_a_colon_are_a_list(choices):
    result = ask(choices, "小组的任务主要有哪些？", refusal=ALWAYS)
    assert result.direct.startswith("共四项：") and "开展志愿服务活动" in result.direct and "讨论和决定本小组的重要事项" in result.direct
    _exact(choices, result)


def test_a_question_about_kinds_is_not_answered_with_procedure_steps(choices):
    result = ask(choices, "组织处理包括哪几种方式？", refusal=ALWAYS)
    assert "停职检查" in result.direct and "免职" in result.direct and "调查核实" not in result.direct
    _exact(choices, result)


def test_the_asking_clause_picks_the_sentence_with_the_number(choices):
    result = ask(choices, "申请成立分会，秘书处多少日内作出决定？", refusal=ALWAYS)
    assert "60日内" in result.direct
    _exact(choices, result)


def test_a_clause_cut_at_a_semicolon_is_widened_to_its_sentence(choices):
    result = ask(choices, "分会用于公益活动的支出有什么比例要求？", refusal=ALWAYS)
    assert "70%" in result.direct and "8%" in result.direct
    _exact(choices, result)


def test_a_number_at_the_blank_answers_a_pasted_single_choice(choices):
    result = ask(choices, "全国性分会的原始基金不低于（ ）万元。A.200 B.400 C.800 D.1000", refusal=ALWAYS)
    assert result.direct.startswith("答案：C（800）")
    _exact(choices, result)


def test_a_term_names_a_list_only_when_it_introduces_or_sums_it_up():
    from wuxue.answering.compose import _names_items
    from wuxue.ingest.units import tree_from_text

    text = (FIXTURES / "shifan_jiaoyu.txt").read_text(encoding="utf-8")
    tree = tree_from_text(text)
    series = {text[u.items[0][0]:u.items[-1][1]]: u for u in tree.units if u.kind == "series"}
    summed = next(u for key, u in series.items() if "勤学苦练" in key)
    mentioned = next(u for key, u in series.items() if "演说" in key)
    assert _names_items(tree, summed, "四项基本要求")
    assert not _names_items(tree, mentioned, "四项基本要求")


def test_a_list_of_steps_does_not_agree_with_a_question_about_kinds():
    from wuxue.answering.compose import NOUN_WEIGHT, _noun_agreement

    assert _noun_agreement("组织处理包括哪几种方式？", "组织处理一般按照以下程序进行：") == -NOUN_WEIGHT
    assert _noun_agreement("组织处理包括哪几种方式？", "是指对违规成员采取的调整措施，包括") == NOUN_WEIGHT
    assert _noun_agreement("成员有哪些义务？", "成员必须履行下列义务：") == NOUN_WEIGHT
    assert _noun_agreement("成员有哪些？", "组织处理一般按照以下程序进行：") == 0.0


def test_a_question_about_one_item_is_answered_with_its_sentence_not_the_whole_list(choices):
    result = ask(choices, "“热心服务”有什么要求？", refusal=ALWAYS)
    assert not result.direct.startswith("共") and "热心服务" in result.direct


def test_a_message_with_two_questions_is_split_and_the_second_takes_the_first_ones_subject():
    from wuxue.answering.ask import question_parts

    assert question_parts("预备期多长？从哪天算起？") == ["预备期多长？", "预备期从哪天算起？"]
    assert question_parts("党员有哪些义务？有哪些权利？") == ["党员有哪些义务？", "党员有哪些权利？"]
    assert question_parts("党员有哪些义务？") == ["党员有哪些义务？"]
    assert question_parts("你好？谢谢。") == ["你好？谢谢。"]
    assert question_parts("我国的国旗、国歌和首都分别是什么？") == ["我国的国旗是什么？", "我国的国歌是什么？", "我国的首都是什么？"]
    assert question_parts("纪律处分和组织处理分别有哪些？") == ["纪律处分有哪些？", "组织处理有哪些？"]
    # a later part is asked about the case the first part tells (alone it names none)
    assert question_parts("同一笔债权既有物的担保又有保证人，债权人按什么规则实现债权？担保的第三人替人还了之后又怎么办？") == [
        "同一笔债权既有物的担保又有保证人，债权人按什么规则实现债权？", "同一笔债权既有物的担保又有保证人，担保的第三人替人还了之后又怎么办？"]
    # a later part asking the first one again as the law's is no second question
    assert question_parts("什么是技术开发合同？民法典是怎么界定的？") == ["什么是技术开发合同？民法典是怎么界定的？"]
    assert question_parts("买技术的钱怎么付？民法典列了哪几种付款办法？") == ["买技术的钱怎么付？民法典列了哪几种付款办法？"]


def test_each_part_of_a_two_question_message_is_answered_direct_lines_first(choices):
    result = ask(choices, "秘书处多少日内作出决定？小组的任务主要有哪些？", refusal=ALWAYS)
    first, second = result.direct.splitlines()
    assert "60日内" in first and first.endswith("[1]")
    assert second.startswith("共四项：") and "[1]" not in second
    assert [c.marker for c in result.citations] == list(range(1, len(result.citations) + 1))
    assert result.answer.startswith(result.direct)
    _exact(choices, result)


def test_paragraphs_led_by_dashes_are_the_items_of_the_paragraph_before():
    from wuxue.ingest.units import tree_from_text

    text = ("报告\n中国式现代化，既有各国现代化的共同特征，更有基于自己国情的中国特色。\n"
            "——中国式现代化是人口规模巨大的现代化。我国人口众多。\n——中国式现代化是全体人民共同富裕的现代化。\n"
            "——中国式现代化是走和平发展道路的现代化。\n其后的段落。")
    tree = tree_from_text(text)
    dashed = [u for u in tree.units if u.kind == "list" and u.items and text[u.items[0][0]:].startswith("——")]
    assert len(dashed) == 1 and len(dashed[0].items) == 3
    assert text[dashed[0].lead[0]:dashed[0].lead[1]].endswith("更有基于自己国情的中国特色。")
    assert text[dashed[0].items[-1][0]:dashed[0].items[-1][1]] == "——中国式现代化是走和平发展道路的现代化。"


def test_an_asked_count_of_steps_makes_a_list_question():
    from wuxue.answering.question import analyze

    question = analyze("全面建成社会主义现代化强国分哪两步走？")
    assert question.kind == "list" and question.count == 2


def test_a_definition_question_is_answered_by_the_sentence_that_defines_the_term_not_one_that_mentions_it(choices):
    result = ask(choices, "入会誓词是什么？", refusal=ALWAYS)
    assert "我志愿加入示范学会" in result.direct
    _exact(choices, result)


def test_short_names_have_their_long_forms_for_sentence_scoring():
    from wuxue.answering.abbreviations import long_forms

    assert long_forms("中央纪委和国家监委是什么关系？") == ["中央纪律检查委员会", "国家监察委员会"]
    assert long_forms("地方各级纪委受哪些机关领导？") == ["纪律检查委员会"]
    assert long_forms("准则由十八届六中全会通过") == ["全体会议", "第十八届中央委员会第六次全体会议"]
    assert long_forms("党员有哪些义务？") == []


@pytest.mark.parametrize("question, opening", [
    # “有下列情形之一的…” answers “什么情况下/什么样的…”: the list may sit in the article next to the retrieved one,
    # and a first clause that only tells the story does not hide it
    ("什么样的合作协议是无效的？", "共两项：（一）以欺骗手段订立的"),
    ("分会好久都不搞活动了，什么情况下理事会应当撤销登记？", "共两项：（一）违反分会章程弄虚作假骗取登记的"),
    ("大家一直联系不上分会，理事会什么情况下应当撤销登记？", "共两项：（一）违反分会章程弄虚作假骗取登记的"),
    # “在什么条件下…” is answered by “符合下列情形的，…：” even when the lead shares only part of the question
    ("冒名签约的，相对人在什么条件下可以请求履行？", "共两项：（一）相对人签约时是善意；（二）分会事后予以追认"),
    # “由谁担任” by the list its lead introduces as people (由下列人员…)
    ("孩子入了会，联络人由谁担任？", "共两项：（一）父母；（二）其他近亲属"),
    # “不能拿去抵押” shares little with “下列财产不得抵押：”; a member who asks 哪些 wants the list counted
    ("哪些财产是不能拿去抵押的？", "共两项：（一）成员交纳的会费；（二）分会的公益设施"),
    # the text's own list of 权利 (理事享有下列权利：) over a sentence naming three of them (知情权、参与权、表决权)
    ("理事有哪些权利？", "共四项：（一）出席理事会会议"),
    # laws define a right by what its holder may do (居住权人有权…), under a chapter heading
    ("借用权是什么权利？", "借用权人有权按照协议约定"),
])
def test_the_direct_line_answers_what_is_asked(hezuo, question, opening):
    result = ask(hezuo, question, refusal=ALWAYS)
    assert result.direct.startswith(opening), result.direct
    _exact(hezuo, result)


def test_the_holder_sentence_is_the_plainest_definition_of_a_right():
    from wuxue.answering.compose import _definition_tier
    from wuxue.answering.question import analyze
    question = analyze("居住权是什么权利？")
    assert _definition_tier(question, "第十四章 居住权\n第三百六十六条 居住权人有权按照合同约定，对他人的住宅享有占有、使用的用益物权。") == 0
    assert _definition_tier(question, "居住权无偿设立，但是当事人另有约定的除外。") == 3



def test_a_law_naming_the_defined_term_last_defines_it():
    from wuxue.answering.compose import _definition_tier
    from wuxue.answering.question import analyze
    question = analyze("地役权中的“供役地”指什么？")
    assert _definition_tier(question, "前款所称他人的不动产为供役地，自己的不动产为需役地。") == 1
    assert _definition_tier(question, "地役权人应当按照约定的利用目的和方法利用供役地。") == 3
    assert _definition_tier(analyze("什么是预备党员？"), "经支部大会通过的，成为预备党员。") == 3  # 成为 is no definition
    assert _definition_tier(analyze("地役权是什么？"), "地役权人有下列情形之一的，供役地权利人有权解除地役权合同：") == 3


def test_the_best_passage_enumerating_itself_answers_over_a_loose_list_further_down(hezuo):
    result = ask(hezuo, "有人在网上恶搞分会荣誉成员，侵害了荣誉成员哪些方面、损害分会利益的要担责任？", refusal=ALWAYS)
    assert "姓名、肖像、名誉、荣誉" in result.direct, result.direct


def test_a_sentence_too_long_to_quote_whole_is_widened_clause_by_clause():
    from types import SimpleNamespace

    from wuxue.answering.compose import MAX_DIRECT_CHARS, _whole_sentence

    first = "被许可人未按照约定支付使用费的，应当补交使用费并按照约定支付违约金；"
    second = "不补交使用费或者支付违约金的，应当停止实施专利，交还技术资料，承担违约责任；"
    rest = "超越约定范围的，" + "应当停止违约行为，" * 12 + "承担违约责任。"
    text = first + second + rest
    assert len(text) > MAX_DIRECT_CHARS  # too long to quote whole
    tree = SimpleNamespace(text=text)
    assert _whole_sentence(tree, 0, len(first)) == (0, len(first) + len(second))  # the consequence asked for is kept
    listed = "有下列情形之一的：\n（一）不履行义务；\n（二）违反约定。"
    item = listed.index("（一）")
    assert _whole_sentence(SimpleNamespace(text=listed), item, listed.index("\n", item)) == (item, listed.index("\n", item))


def test_article_labels_of_a_thousand_and_more_are_stripped_from_answer_lines():
    from wuxue.answering.compose import _strip_label
    from wuxue.ingest.patterns import ARTICLE_PREFIX

    assert _strip_label("第一千零四十七条 结婚年龄，男不得早于二十二周岁。") == "结婚年龄，男不得早于二十二周岁。"
    assert _strip_label("第二百零九条 不动产物权…") == "不动产物权…"
    assert ARTICLE_PREFIX.sub("", "第一千二百六十条 本法自2021年1月1日起施行。") == "本法自2021年1月1日起施行。"


def test_a_chapter_is_no_list_answer_when_the_question_shares_one_word_of_its_heading(tmp_path):
    from tests.conftest import hashing_kb

    src = tmp_path / "src"
    src.mkdir()
    (src / "manifest.toml").write_text('[[documents]]\nfile = "banfa.txt"\ndoc_id = "banfa"\ntitle = "学会会员办法"\nkind = "规定"\n',
                                       encoding="utf-8")
    (src / "banfa.txt").write_text(
        "第一章 总则\n\n第一条 本办法适用于学会。\n\n第二章 会员的基本权利和义务\n\n第二条 会员享有选举权和被选举权。\n\n"
        "第三条 会员有参加学会活动的自由。\n\n第四条 会员有遵守学会章程的义务。\n\n第五条 会员有交纳会费的义务。\n\n"
        "第三章 家庭\n\n第六条 父母对未成年子女负有抚养、教育和保护的义务。\n", encoding="utf-8")
    kb = hashing_kb(tmp_path, src)
    kb.load()
    result = ask(kb, "当爸妈的要尽哪些义务？", refusal=ALWAYS)
    assert "抚养、教育和保护" in result.direct and "第二章" not in result.answer, result.answer
    _exact(kb, result)
