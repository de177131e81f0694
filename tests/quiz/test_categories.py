"""Category rules, the blocklist and the stem rules of issue 13 on crafted passages (fake embedder).

Every item of every type and difficulty generated from the crafted documents is checked: wrong
options share the answer's category (or unit), no option is on the blocklist, no stem carries
"……", a list is never blanked in its middle, a blank never splits a word, 多选 asks whole lists.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tests.quiz.crafted import crafted_kb
from wuxue.quiz.builders import BLANK, LEAD, Draft
from wuxue.quiz.categories import blocklist, build_categories
from wuxue.quiz.evaluation import whole_list
from wuxue.quiz.gates import first_failure
from wuxue.quiz.generator import QuizSpec, _Assembler, generate_quiz
from wuxue.quiz.materials import materials_for

CORPUS = Path(__file__).resolve().parent / "crafted_categories"
REQUEST = {"single": 3, "multi": 1, "blank": 1, "judge": 2}  # small documents: few chunks, each used at most twice


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return crafted_kb(tmp_path_factory.mktemp("quiz_categories"), CORPUS)


@pytest.fixture(scope="module")
def items(kb) -> list[dict]:
    out = []
    for difficulty in ("easy", "medium", "hard"):
        for seed in (0, 1, 2):
            for doc in ("yaodian", "shouce"):
                out += generate_quiz(kb, QuizSpec((doc,), REQUEST, difficulty=difficulty, seed=seed)).items
    return out


def wrong_options(item: dict) -> list[str]:
    return [o["text"] for o in item["options"] if o["text"] not in item["answer"]["texts"]]


def test_no_option_is_on_the_blocklist_and_china_is_never_a_wrong_option(items):
    block = blocklist()
    assert items
    for item in items:
        if item["type"] == "judge":
            continue
        for option in item["options"]:
            right = option["text"] in item["answer"]["texts"]
            assert not (block.hit(option["text"]) if right else block.hit_as_wrong(option["text"])), item
    assert not any(i["answer"]["texts"] == ["台独"] for i in items)  # 遏制“（台独）” is not a point worth asking


def test_blocklist_terms():
    block = blocklist()
    assert block.hit("中国") and block.hit("中华人民共和国") and block.hit("中国共产党") and block.hit("美国")
    assert block.hit("两面人") and block.hit("台独") and block.hit_as_wrong("习近平同志")
    assert not block.hit("邓小平理论") and block.hit_as_wrong("邓小平理论")  # right in the guiding thought, never offered as wrong
    assert not block.hit("中国工人")  # a member of a list may name the country …
    assert block.hit_as_wrong("中国工人")  # … a wrong option may not
    assert not block.hit("党的全国代表大会") and not block.hit_as_wrong("支部委员会")


def test_wrong_options_share_the_answers_category_or_unit(kb, items):
    categories = materials_for(kb).pool.categories
    checked = 0
    for item in items:
        method = item["generator"]["method"]
        if method == "choice_category":
            kind = categories.category(item["answer"]["texts"][0])
            assert kind and all(categories.category(w) == kind for w in wrong_options(item)), item
            checked += 1
        elif method == "choice_number":
            unit = re.sub(r"^[\d一二三四五六七八九十百千两半〇零.]+", "", item["answer"]["texts"][0])
            assert all(re.sub(r"^[\d一二三四五六七八九十百千两半〇零.]+", "", w) == unit for w in wrong_options(item)), item
            checked += 1
    assert checked >= 5


def test_stems_have_a_short_lead_no_ellipsis_and_no_blank_first(items):
    for item in items:
        assert LEAD.match(item["stem"]), item["stem"]
        assert item["stem"].startswith(("学习手册规定，", "《学习手册》规定，", "《基层组织规定》规定，", "根据《基层组织规定》，", "根据《学习手册》，"))
        assert "……" not in item["stem"]
        assert not LEAD.sub("", item["stem"]).startswith(BLANK)
        if item["type"] == "judge":
            assert item["stem"].endswith(("。", "；")), item["stem"]  # a whole sentence, with its subject


def test_a_list_is_never_blanked_in_its_middle_and_a_blank_never_splits_a_word(items):
    for item in items:
        if item["type"] in {"single", "blank"} and item["generator"]["method"] != "choice_exclude":
            assert not {"考核", "晋升", "录用", "享受在后", "克己奉公"} & set(item["answer"]["texts"]), item
            assert "两个基本" not in item["answer"]["texts"], item  # 这（两个基本）点


def test_multi_asks_the_whole_list_with_one_or_two_wrong_options(items):
    multis = [i for i in items if i["type"] == "multi"]
    assert multis
    for item in multis:
        assert whole_list(item), item
        assert 1 <= len(wrong_options(item)) <= 2


def test_heavy_facts_come_first(kb):
    assembler = _Assembler(kb, materials_for(kb), QuizSpec(("yaodian",), {"single": 1}, seed=0))
    kinds = [a.kind for a in assembler.ordered_atoms("single", "yaodian")]
    assert "article" not in kinds and "enum_item" not in kinds  # never 第X条; lists go to 多选
    assert set(kinds[:4]) <= {"number", "category"}


def test_hard_asks_near_misses_and_what_a_list_does_not_include(kb):
    hard = generate_quiz(kb, QuizSpec(("shouce", "yaodian"), {"single": 12}, difficulty="hard", seed=0)).items
    exclude = [i for i in hard if i["generator"]["method"] == "choice_exclude"]
    assert exclude and all("不包括" in i["stem"] for i in exclude)
    for item in exclude:
        members = wrong_options(item)
        assert all(m in item["citation"]["quote"] for m in members)
        assert item["answer"]["texts"][0] not in item["citation"]["quote"]
    numbers = [i for i in hard if i["generator"]["method"] == "choice_number"]
    easy = generate_quiz(kb, QuizSpec(("shouce", "yaodian"), {"single": 12}, difficulty="easy", seed=0)).items
    easy_numbers = {i["answer"]["texts"][0]: wrong_options(i) for i in easy if i["generator"]["method"] == "choice_number"}
    both = [i for i in numbers if i["answer"]["texts"][0] in easy_numbers]
    assert both  # the same fact at both levels: hard offers the nearest values, easy clearly different ones
    for item in both:
        assert set(wrong_options(item)) != set(easy_numbers[item["answer"]["texts"][0]])


def test_the_political_gate_drops_a_country_name_as_a_wrong_option(kb):
    materials = materials_for(kb)
    assembler = _Assembler(kb, materials, QuizSpec(("yaodian",), {"single": 1}, seed=0))
    drafts = [assembler.draft("single", a, random.Random(0)) for a in assembler.ordered_atoms("single", "yaodian") if a.kind == "category"]
    draft = next(d for d in drafts if d is not None and first_failure(d, materials.gates) is None)
    bad = Draft(draft.type, draft.atom, draft.stem, draft.correct, [*draft.distractors[:-1], "中国"], method=draft.method, blanks=draft.blanks)
    assert first_failure(bad, materials.gates) == "blocklist"


def test_categories_come_from_seeds_and_corpus_suffixes():
    categories = build_categories(["中央纪律检查委员会", "中央审计委员会", "基本原则", "党管干部原则", "一个中国原则", "完善的制度"])
    assert categories.category("批准") == categories.category("备案") == "act_approve"
    assert categories.category("召开") == "act_meet" != categories.category("任命")  # 党支部（任命）党员大会 never
    assert categories.category("留党察看") == "punishment" and categories.category("战斗堡垒") == "status"
    assert categories.category("中央审计委员会") == "organ" and categories.category("基本原则") is None and categories.category("党管干部原则") == "principle"
    assert categories.category("一个中国原则") is None  # never offered as an option
    assert categories.category("完善的制度") is None  # a phrase with 的 is no term


def test_a_short_document_is_topped_up_and_the_shortfall_is_explained(kb):
    result = generate_quiz(kb, QuizSpec(("shouce",), {"multi": 6, "single": 2}, seed=0))
    short = {s["type"]: s for s in result.shortfall}
    assert "multi" in short
    reason = short["multi"]["reason"]
    assert "列举性内容少" in reason and "不足 6 道" in reason and "建议增加文档或改出判断题" in reason
    assert "补足" in reason and any(i["type"] in {"judge", "blank"} for i in result.items)  # topped up with 判断/填空


def test_replacement_keeps_to_documents_still_at_the_sets_version(kb):
    from wuxue.errors import QuizSourceChangedError
    from wuxue.quiz.generator import replacement_item, stale_documents

    spec = QuizSpec(("shouce", "yaodian"), {"judge": 2, "blank": 2}, seed=0)
    result = generate_quiz(kb, spec)
    versions = dict(result.doc_versions)
    assert stale_documents(kb, versions) == []
    target = result.items[0]
    changed = {**versions, "yaodian": "an-older-version"}  # the set was made from an older 基层组织规定
    assert [s["doc_id"] for s in stale_documents(kb, changed)] == ["yaodian"]
    new = replacement_item(kb, spec, items=result.items, item_id=target["id"], versions=changed)
    assert new is not None and new["citation"]["doc_id"] == "shouce" and new["type"] == target["type"]
    with pytest.raises(QuizSourceChangedError):
        replacement_item(kb, spec, items=result.items, item_id=target["id"], versions={d: "old" for d in versions})
