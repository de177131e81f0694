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


# --- 1. a false 判断 swaps within one family of formulations, and a whole organ name -------------------

import random  # noqa: E402

import pytest  # noqa: E402

from tests.quiz.test_atoms import sentences  # noqa: E402
from wuxue.quiz.atoms import Atom, mine_atoms  # noqa: E402
from wuxue.quiz.builders import judge_item  # noqa: E402
from wuxue.quiz.categories import blocklist, build_categories  # noqa: E402
from wuxue.quiz.distractors import DistractorPool, formulation_family  # noqa: E402
from wuxue.quiz.lexicon import Lexicon, Segmenter  # noqa: E402


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def _pool(segmenter: Segmenter, formulations: list[str]) -> DistractorPool:
    return DistractorPool([], Lexicon(), segmenter, formulations)


def test_a_formulation_is_swapped_only_for_one_of_its_own_family(segmenter):
    text = "开展理论学习组带头学、党小组交流学的“五学联动”机制。"
    start = text.index("五学联动")
    atom = Atom("formulation", "五学联动", start, start + 4, 0, len(text), "doc", "五学联动", "formulation")
    pool = _pool(segmenter, ["一带一路", "三会一课", "四个意识", "五学联动"])
    assert pool.pick(atom, text, 3, random.Random(0), siblings_only=True) == []  # no N学X kin: no false 判断
    assert judge_item(atom, text, "《某文》提出，", pool, truth=False, rng=random.Random(0)) is None
    atom2 = Atom("formulation", "四个意识", 1, 5, 0, 12, "doc", "四个意识", "formulation")
    pool = _pool(segmenter, ["一带一路", "四个自信", "两个维护", "四个意识", "三严三实"])
    assert set(pool.pick(atom2, "“四个意识”要牢固树立。", 3, random.Random(0))) == {"四个自信", "两个维护"}
    assert formulation_family("五学联动") != formulation_family("一带一路")


def test_national_initiatives_are_never_a_wrong_option():
    block = blocklist()
    assert block.hit_as_wrong("一带一路") and block.hit_as_wrong("乡村振兴战略")
    assert not block.hit("一带一路")  # a right answer may still be one


def test_an_organ_inside_a_longer_organ_name_is_not_swapped(segmenter):
    categories = build_categories([])
    text, sents = sentences("国务院科学技术行政部门负责制定全国科普工作规划。", "国务院和地方各级人民政府领导科普工作。")
    atoms = mine_atoms(sents, segmenter, categories)
    organs = [(a.text, a.start) for a in atoms if a.kind == "category" and a.text == "国务院"]
    assert organs == [("国务院", text.index("国务院和"))]  # only the whole organ in the second sentence


# --- 3. stems with their subject, no enumerator or pronoun opening, ending with 。 -------------------------

from wuxue.quiz.builders import BLANK, blank_item, stem_ok, windowed  # noqa: E402

PROBATION = ("第七条 预备党员预备期满，党的支部应当及时讨论他能否转为正式党员。认真履行党员义务，具备党员条件的，"
             "应当按期转为正式党员；需要继续考察和教育的，可以延长预备期，但不能超过一年；不具备党员条件的，应当取消预备党员资格。\n")


def test_a_condition_clause_after_a_semicolon_gets_the_paragraphs_subject_and_ends_with_a_full_stop():
    start = PROBATION.index("需要继续")
    end = PROBATION.index("；不具备") + 1
    hole = PROBATION.index("一年")
    atom = Atom("number", "一年", hole, hole + 2, start, end, "doc", "一年", "unit:年", unit="年", value=1.0)
    draft = blank_item(atom, PROBATION, "党章规定，", difficulty="medium", rng=random.Random(0))
    assert draft is not None
    assert draft.stem == f"党章规定，预备党员预备期满，需要继续考察和教育的，可以延长预备期，但不能超过{BLANK}。"
    # a sentence that opens its own paragraph needs no lead, but still ends with 。
    assert windowed("认真履行党员义务，应当按期转为正式党员；\n", 0, 20, []) == "认真履行党员义务，应当按期转为正式党员。"


def test_an_enumerator_is_dropped_and_a_pronoun_opening_is_refused():
    text = "第二，坚持解放思想，实事求是，与时俱进，求真务实。"
    assert windowed(text, 0, len(text), []) == "坚持解放思想，实事求是，与时俱进，求真务实。"
    assert not stem_ok("党章规定，其一，坚持（　　）。")
    assert not stem_ok("《某计划》提出，该会将定期向（　　）汇报。")
    assert not stem_ok("《某计划》提出，2023年,学会将围绕上述九个方面内容,坚持（　　）,做到多层次全覆盖。")
    assert stem_ok("党章规定，党的最高领导机关，是党的全国代表大会和它所产生的（　　）。")


# --- 4. points not worth asking ----------------------------------------------------------------------

from wuxue.quiz.weak import weak_reason  # noqa: E402


def _atom(text: str, term: str, kind: str, family: str, nth: int = 0) -> Atom:
    start = text.index(term) if not nth else [i for i in range(len(text)) if text.startswith(term, i)][nth]
    return Atom(kind, term, start, start + len(term), 0, len(text), "doc", term, family)


def test_weak_points_are_not_asked():
    plan = "学会党支部将定期向机关党委汇报学会党建工作情况。"
    assert weak_reason(_atom(plan, "党支部", "category", "category:organ"), plan) == "generic subject"
    assert weak_reason(_atom(plan, "机关党委", "category", "category:organ"), plan) is None  # not the subject
    soe = "国有企业党委（党组）发挥领导作用，依照规定讨论和决定企业重大事项。"
    assert weak_reason(_atom(soe, "讨论", "category", "category:act_decide"), soe) == "verb pair"
    rules = "党组织要严格执行组织生活制度，确保党的组织生活经常、认真、严肃。"
    atom = _atom(rules, "组织生活制度", "category", "category:system")
    assert weak_reason(atom, rules) == "repeats the stem or heading"
    single = "党组织要严格执行组织生活制度。"
    assert weak_reason(_atom(single, "组织生活制度", "category", "category:system"), single, ["九、严格党的组织生活制度"])
    assert weak_reason(_atom(single, "组织生活制度", "category", "category:system"), single, ["九、其他"]) is None
    news = "五年来，我们党团结带领人民，攻克了许多长期没有解决的难题。"
    number = Atom("number", "五年", 0, 2, 0, len(news), "doc", "五年", "unit:年", unit="年", value=5.0)
    assert weak_reason(number, news) == "N年来"
    term = "党员的预备期为一年。"
    assert weak_reason(Atom("number", "一年", 7, 9, 0, len(term), "doc", "一年", "unit:年", unit="年", value=1.0), term) is None


def test_more_weak_points_seen_on_the_bundled_corpus():
    rules = "党员必须参加党员大会、党小组会和上党课，党支部要定期召开支部委员会会议。"
    assert weak_reason(_atom(rules, "党支部", "category", "category:organ"), rules) == "generic subject"
    plan = "学会党支部原则上每季召开一次工作会议。"
    assert weak_reason(_atom(plan, "召开", "category", "category:act_meet"), plan) == "meeting verb"
    law = "鼓励和支持老年科学技术人员积极参与科普工作。"
    assert weak_reason(_atom(law, "鼓励", "contrast", "contrast:限制"), law) == "verb pair"
    news = "深刻领会过去5年的工作和新时代10年的伟大变革。"
    assert weak_reason(Atom("number", "5年", 6, 8, 0, len(news), "doc", "5年", "unit:年", unit="年", value=5.0), news) == "N年来"
    study = "引导党员干部认真学习《条例》内容。"
    assert weak_reason(_atom(study, "条例", "title", "title"), study) == "short title"


def test_bare_formulations_are_kin_only_with_the_same_frame():
    assert formulation_family("五学联动") == formulation_family("四学联动")
    assert formulation_family("五学联动") != formulation_family("两学一做")
    assert formulation_family("四个意识") == formulation_family("两个维护")


def test_an_organ_before_other_departments_is_part_of_the_name(segmenter):
    text, sents = sentences("国务院其他部门按照各自的职责分工，负责有关的科普工作。")
    atoms = mine_atoms(sents, segmenter, build_categories([]))
    assert not [a for a in atoms if a.kind == "category" and a.text == "国务院"]
    assert windowed("2)学会工作群的管理遵循“谁建群谁管理”原则。", 0, 30, []).startswith("学会工作群")


def test_news_spans_glued_organs_and_the_anthem(segmenter):
    news = "深刻领会新时代10年的伟大变革。"
    assert weak_reason(Atom("number", "10年", 7, 10, 0, len(news), "doc", "10年", "unit:年", unit="年", value=10.0), news) == "N年来"
    text, sents = sentences("下级应该抵制这种要求并向更上级党组织直至党中央报告。")
    atoms = mine_atoms(sents, segmenter, build_categories(["上级党组织"]))
    assert not [a for a in atoms if a.kind == "category" and a.text == "上级党组织"]
    assert blocklist().hit_as_wrong("义勇军进行曲") and not blocklist().hit("义勇军进行曲")


def test_a_numbered_item_gets_its_lead_in_line():
    text = "第四条 党员享有下列权利：\n（一）参加党的有关会议，阅读党的有关文件，接受党的教育和培训；\n（二）在党的会议上和党报党刊上，参加关于党的政策问题的讨论；\n"
    start = text.index("（二）")
    end = text.index("讨论；") + 3
    hole = text.index("讨论；")
    assert windowed(text, start, end, [(hole, hole + 2)]) == f"党员享有下列权利：在党的会议上和党报党刊上，参加关于党的政策问题的{BLANK}。"
