"""Knowledge atoms mined from crafted sentences, and the number helpers behind quantity items."""

from __future__ import annotations

import pytest

from wuxue.quiz.atoms import inline_lists, mine_atoms, well_formed
from wuxue.quiz.corpus import Sentence
from wuxue.quiz.lexicon import Segmenter
from wuxue.numerals import chinese_number, to_chinese
from wuxue.quiz.numbers import find_dates, find_quantities, nearby


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def sentences(*texts: str) -> tuple[str, list[Sentence]]:
    """Sentences on their own lines, with absolute offsets into the joined text."""
    out, pos = [], 0
    for n, t in enumerate(texts):
        out.append(Sentence("doc", "测试文件", n, pos, pos + len(t), t, "", None, ("doc#0",)))
        pos += len(t) + 1
    return "\n".join(texts), out


def kinds(atoms, kind):
    return [a.text for a in atoms if a.kind == kind]


def test_enumeration_after_a_lead_in_is_trimmed_to_its_items(segmenter):
    text, sents = sentences("党员必须牢固树立政治意识、大局意识、核心意识、看齐意识，坚定维护党中央权威。")
    atoms = mine_atoms(sents, segmenter)
    items = kinds(atoms, "enum_item")
    assert items == ["政治意识", "大局意识", "核心意识", "看齐意识"]
    enum = atoms[0].enumeration
    assert enum is not None and enum.family == "suffix:意识" and not enum.ordered
    assert all(text[a:b] == item for item, (a, b) in zip(enum.items, enum.spans))


def test_first_item_loses_prepositions_and_last_item_is_cut_at_the_shared_suffix(segmenter):
    lists = inline_lists("要实施科教兴国战略、人才强国战略、创新驱动发展战略、乡村振兴战略，坚持节约资源。", segmenter)
    assert lists and lists[0][0] == ["科教兴国战略", "人才强国战略", "创新驱动发展战略", "乡村振兴战略"]
    lists = inline_lists("中国共产党以马克思列宁主义、毛泽东思想、邓小平理论、科学发展观作为自己的行动指南。", segmenter)
    items, _, askable = lists[0]
    assert items[0] == "马克思列宁主义" and askable[0]
    assert items[1:3] == ["毛泽东思想", "邓小平理论"]
    assert not askable[-1]  # 科学发展观作为… has no shared suffix to cut at: never an answer or option


def test_paragraph_list_after_a_colon(segmenter):
    text, sents = sentences("第五条 对党员的纪律处分种类：", "（一）警告；", "（二）严重警告；", "（三）撤销党内职务；", "（四）留党察看；", "（五）开除党籍。")
    atoms = mine_atoms(sents, segmenter)
    assert kinds(atoms, "enum_item") == ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]
    enum = atoms[0].enumeration
    assert enum is not None
    assert text[enum.quote_start : enum.quote_end].startswith("第五条") and text[enum.quote_start : enum.quote_end].endswith("开除党籍。")


def test_ordinal_lists_in_one_sentence_or_across_sentences(segmenter):
    text, sents = sentences("学会系统把握以下三个方面：一是深刻领会主题；", "二是深刻领会伟大变革；", "三是深刻领会使命任务。")
    items = [a for a in mine_atoms(sents, segmenter) if a.kind == "enum_item"]
    assert [a.text for a in items] == ["深刻领会主题", "深刻领会伟大变革", "深刻领会使命任务"]
    enum = items[0].enumeration
    assert enum is not None and enum.ordered and text[enum.quote_start : enum.quote_end] == text
    _, sents = sentences("一是迎来建党一百周年，二是进入新时代，三是实现第一个百年奋斗目标。")
    assert [a.text for a in mine_atoms(sents, segmenter) if a.kind == "enum_item"] == ["迎来建党一百周年", "进入新时代", "实现第一个百年奋斗目标"]


def test_formulations_numbers_dates_titles_definitions_and_articles(segmenter):
    _, sents = sentences(
        "第二条 党员要增强“四个意识”、坚定“四个自信”、做到“两个维护”，自觉遵守党的纪律。",
        "预备党员的预备期为一年，从支部大会通过之日算起。",
        "本手册自2024年1月1日起施行，由学会党支部负责解释。",
        "党员应当认真学习《中国共产党章程》，自觉遵守党的纪律。",
        "民主集中制是民主基础上的集中和集中指导下的民主相结合。",
    )
    atoms = mine_atoms(sents, segmenter)
    assert {"四个意识", "四个自信", "两个维护"} <= set(kinds(atoms, "formulation"))
    assert kinds(atoms, "number") == ["一年"]
    assert kinds(atoms, "date") == ["2024年1月1日"]
    assert kinds(atoms, "title") == ["中国共产党章程"]
    assert kinds(atoms, "definition") == ["民主集中制"]
    assert kinds(atoms, "article") == ["第二条"]


def test_contrast_terms_and_maxims(segmenter):
    _, sents = sentences(
        "党支部召开党员大会，可以邀请入党积极分子列席会议，并报上级党组织备案。",
        "第二，坚持解放思想，实事求是，与时俱进，求真务实。",
    )
    atoms = mine_atoms(sents, segmenter)
    contrast = {a.text: a.family for a in atoms if a.kind == "contrast"}
    assert contrast == {"可以": "contrast:应当", "上级": "contrast:下级", "备案": "contrast:批准"}
    maxims = [a for a in atoms if a.family == "maxim"]
    assert [a.text for a in maxims] == ["解放思想", "实事求是", "与时俱进", "求真务实"]
    assert maxims[0].enumeration is not None and maxims[0].enumeration.ordered


def test_sentences_that_lean_on_their_neighbours_are_not_quoted(segmenter):
    assert not well_formed("这一年，支部共召开党员大会四次，研究决定了重要事项。")
    assert not well_formed("第一章 总则")
    assert well_formed("预备党员的预备期为一年，从支部大会通过之日算起。")
    _, sents = sentences("上述规定包括警告、严重警告、撤销党内职务、留党察看、开除党籍五种处分。")
    assert mine_atoms(sents, segmenter) == []


def test_numbers_are_read_and_varied_in_their_own_script():
    assert chinese_number("十八") == 18 and chinese_number("一百零五") == 105 and chinese_number("二〇三五") == 2035
    assert to_chinese(2, liang=True) == "两" and to_chinese(20) == "二十" and to_chinese(105) == "一百零五"
    (year,) = find_quantities("预备党员的预备期为一年。")
    assert year.text == "一年" and nearby(year)[:3] == ["半年", "两年", "三年"]
    (people,) = find_quantities("要有两名正式党员作介绍人")
    assert "三名" in nearby(people) and all(n.endswith("名") for n in nearby(people))
    (fraction,) = find_quantities("三分之二以上的多数通过")
    assert fraction.text == "三分之二" and "三分之二" not in nearby(fraction)
    (date,) = find_dates("自2024年1月1日起施行")
    assert nearby(date)[0] == "2025年1月1日"
    (target,) = find_quantities("到二〇三五年基本实现社会主义现代化")
    assert all(len(v) == 5 and v.startswith("二〇") for v in nearby(target))
    assert find_quantities("第十九条 党的全国代表大会每五年举行一次") and not any(q.text.startswith("十九") for q in find_quantities("第十九条"))
