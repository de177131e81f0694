"""Question analysis: kinds, quiz forms, focus terms, asked counts."""

from __future__ import annotations

import pytest

from wuxue.answering.question import analyze, split_options
from wuxue.numerals import chinese_number


@pytest.mark.parametrize("question, kind", [
    ("党员有哪些义务？", "list"),
    ("对党员的纪律处分有哪几种？", "list"),
    ("党的六项纪律是哪六项？", "list"),
    ("“四个意识”指的是什么？", "list"),
    ("党的纪律分为几个方面？", "list"),
    ("什么是民主集中制？", "definition"),
    ("预备党员的预备期是多长？", "quantity"),
    ("党的中央委员会每届任期几年？", "quantity"),
    ("二十大报告是哪一天作的？", "date"),
    ("党的中央委员会总书记由谁选举？", "actor"),
    ("申请入党需要什么条件？", "requirement"),
    ("怎样处理不合格党员？", "procedure"),
    ("预备党员能否参加表决？", "yesno"),
    ("党的中央委员会每届任期（）年。A.三 B.四 C.五 D.六", "quiz_single"),
    ("在对党员的纪律处分中，党内的最高处分是（ ）\nA.严重警告\nB.撤销党内职务\nC.留党察看\nD.开除党籍", "quiz_single"),
    ("多选：党的纪律包括（ ）A、政治纪律 B、组织纪律 C、宣传纪律", "quiz_multi"),
    ("党的纪律主要包括（ ）。A.政治纪律 B.组织纪律 C.廉洁纪律 D.宣传纪律 E.群众纪律", "quiz_multi"),
    ("申请设立基金会，应当提交的文件有（ ） A、申请书 B、章程草案 C、验资证明", "quiz_multi"),  # …有（ ）: every one
    ("什么样的婚姻是无效的？", "requirement"),  # the cases in which a rule applies
    ("家里人一直联系不上，什么情况下可以申请宣告死亡？", "requirement"),
    ("党徽是什么样的图案？", "definition"),
    ("常听人说“不当得利”，这到底是指什么情况？", "definition"),  # 指什么情况 asks what the term means
    ("留党察看最长不超过____。", "quiz_blank"),
    ("留党察看最长不超过（ ）。", "quiz_blank"),
    ("判断：留党察看最长不超过一年。", "quiz_judge"),
    ("判断正误：留党察看最长不超过一年。（  ）", "quiz_judge"),
    ("是非题：留党察看最长不超过一年。", "quiz_judge"),
    ("留党察看最长不超过一年，对吗？", "quiz_judge"),  # the verdict asked in words, the claim before it
    ("党组织应当按照错误性质和情节轻重给以批评教育直至纪律处分。判断对错", "quiz_judge"),
    ("党员有哪些权利，对吗？", "list"),  # what stands before 对吗 asks something itself
    ("这样对吗？", "yesno"),
    ("党的中央委员会每届任期五年。（ ）", "quiz_judge"),
    ("预备期最长不能超过两年。（对/错）", "quiz_judge"),
])
def test_kinds(question, kind):
    assert analyze(question).kind == kind


def test_focus_count_article_and_negation():
    assert analyze("党员有哪些义务？").focus == "义务"
    assert analyze("“四个意识”指的是什么？").focus == "四个意识" and analyze("“四个意识”指的是什么？").count == 4
    assert analyze("党的六项纪律是哪六项？").count == 6
    assert analyze("二十大报告说必须牢牢把握哪几个重大原则").count is None  # 二十大 is a congress, not a count
    assert analyze("二十大报告讲的“六个必须坚持”具体是哪些？").count == 6
    assert analyze("和平共处五项原则包括哪些内容？").focus == "和平共处五项原则"
    assert analyze("党章第四十条规定了什么？").article == "第四十条"
    assert analyze("下列不属于党的纪律的是（ ）A.政治纪律 B.宣传纪律").negative
    assert not analyze("无人继承的遗产（死者生前不是集体组织成员），应当如何处理？（A）归国家所有（B）平分").negative


def test_a_pasted_statement_without_its_brackets_is_a_judge_item():
    assert analyze("党员受到警告处分一年内，不得在党内提拔职务。").kind == "quiz_judge"
    assert analyze("留党察看最长不超过一年。").kind == "quiz_judge"
    for question in ("请介绍一下党员的义务。", "党员的义务。", "党员有哪些义务。", "入党誓词", "预备期是多长时间。"):
        assert analyze(question).kind != "quiz_judge", question
    assert analyze("申请成立社会团体，登记管理机关多少日内作出决定？").focus.startswith("申请")
    assert analyze("主题党日包括哪些环节？").focus == "主题党日"  # 环节 names what is listed, not what it is about


def test_options_inline_and_on_lines():
    assert split_options("任期（）年。A.三 B.四 C.五 D.六") == ("任期（）年。", [("A", "三"), ("B", "四"), ("C", "五"), ("D", "六")])
    stem, options = split_options("最高处分是（ ）\nA.严重警告\nB.开除党籍")
    assert stem == "最高处分是（ ）" and options == [("A", "严重警告"), ("B", "开除党籍")]
    assert split_options("党员有哪些义务？") == ("党员有哪些义务？", [])
    stem, options = split_options("最高领导机关是（ ）。（A）全国代表大会 （B）中央委员会\n(C)中央政治局")
    assert stem == "最高领导机关是（ ）。" and options == [("A", "全国代表大会"), ("B", "中央委员会"), ("C", "中央政治局")]
    stem, options = split_options("原始基金不低于（ ）万元。（A）200（B）400（C）800")
    assert options == [("A", "200"), ("B", "400"), ("C", "800")]  # bracketed letters after a digit


def test_the_question_word_of_a_choice_stem_is_its_blank():
    item = analyze("未经谁同意，出租人不得变更与承租人有关的合同内容？ A.出卖人 B.保证人 C.承租人 D.次承租人")
    assert item.kind == "quiz_single" and item.stem == "未经（ ）同意，出租人不得变更与承租人有关的合同内容"
    assert analyze("设立社会团体由什么机关批准？A.民政部门 B.业务主管单位").stem == "设立社会团体由（ ）批准"
    assert analyze("谁提名谁当选？A.甲 B.乙").stem == "谁提名谁当选？"  # two question words: no single slot
    assert analyze("下列哪些属于党的纪律？A.政治纪律 B.组织纪律").stem == "下列哪些属于党的纪律？"  # a 多选 asks for options
    assert analyze("党员有哪些义务？").stem == "党员有哪些义务？"
    assert analyze("没有约定或者约定不明确的，视为哪种共有？\nA.共同共有\nB.按份共有").stem == "没有约定或者约定不明确的，视为（ ）"
    assert analyze("下列哪一项属于党的纪律？A.政治纪律 B.学习纪律").stem == "下列哪一项属于党的纪律？"
    assert analyze("关于党的纪律，哪个是正确的？A.甲 B.乙").stem == "关于党的纪律，哪个是正确的？"


def test_a_statutes_own_exception_in_a_stem_asks_for_nothing_left_out():
    assert not analyze("标的物交付后（ ）办理抵押登记的，优先受偿，但是留置权人除外。A.五日内 B.十日内").negative
    assert not analyze("未经登记，不得对抗善意第三人，法律另有规定的除外（ ）A.甲 B.乙").negative
    assert analyze("下列属于纪律处分的是（ ），警告除外 A.甲 B.乙").negative
    assert analyze("下列不属于党的纪律的是（ ）A.政治纪律 B.学习纪律").negative


def test_search_text_drops_blanks_and_labels():
    assert analyze("判断：留党察看最长不超过一年。").search_text == "留党察看最长不超过一年。"
    assert analyze("判断正误：留党察看最长不超过一年。（  ）").search_text == "留党察看最长不超过一年。"  # no 正误 to match
    assert analyze("留党察看最长不超过一年，对吗？").search_text == "留党察看最长不超过一年。"
    assert analyze("党的中央委员会每届任期（）年。A.三 B.四").search_text == "党的中央委员会每届任期年。"


def test_chinese_numbers():
    assert [chinese_number(w) for w in ("一", "十", "十八", "二十", "两", "12")] == [1, 10, 18, 20, 2, 12]


def test_a_negation_the_stem_copies_from_the_statute_asks_for_nothing_left_out():
    """履行债务不符合约定 is the statute's condition; the asking clause (应当（ ）返还 / 承担哪些) is positive."""
    assert not analyze("收受定金的一方履行债务不符合约定的，应当（ ）返还定金。（A）原数（B）双倍（C）三倍").negative
    assert not analyze("工作成果不符合质量要求的，定作人可以请求承担哪些责任？（A）支付定金（B）修理（C）重作").negative
    assert analyze("下列选项中，不符合党章规定的是（ ）A.甲 B.乙").negative
    assert analyze("关于党的纪律，下列说法不正确的是 A.甲 B.乙").negative
    assert analyze("以下各项，不属于党员义务 A.甲 B.乙").negative
