"""Each quality gate rejects the crafted item it exists for, and lets a sound sibling through."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tests.quiz.crafted import atom_in, blank_draft, crafted_kb
from wuxue.quiz.builders import BLANK, Draft, judge_item
from wuxue.quiz.gates import (
    first_failure,
    grounded,
    judge_edit,
    leak,
    retrievable_chunks,
    unambiguous,
    worth_asking,
)
from wuxue.quiz.materials import materials_for

LIST_SENTENCE = "第一条 党员必须牢固树立政治意识、大局意识、核心意识、看齐意识，坚定维护党中央权威和集中统一领导。"
TERM_SENTENCE = "第七条 党员应当认真学习《中国共产党章程》，自觉遵守党的纪律。"
PERIOD_SENTENCE = "第三条 预备党员的预备期为一年，从支部大会通过之日算起。"
MEETING_SENTENCE = "第四条 党支部每月召开一次支部委员会会议，每季度召开一次党员大会。"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return crafted_kb(tmp_path_factory.mktemp("quiz_gates"))


@pytest.fixture(scope="module")
def materials(kb):
    return materials_for(kb)


@pytest.fixture(scope="module")
def text(materials):
    return materials.view.texts["shouce"]


def mined(materials, text: str) -> object:
    return next(a for a in materials.atoms["shouce"] if a.text == text)


def single(materials, text, answer, distractors):
    return blank_draft(text, "党员学习手册", mined(materials, answer), "single", distractors)


def test_a_sound_single_choice_passes_every_gate(materials, text):
    draft = single(materials, text, "大局意识", ["道路自信", "理论自信", "制度自信"])
    assert first_failure(draft, materials.gates) is None


def test_a_distractor_from_the_answers_own_list_is_rejected(materials, text):
    draft = single(materials, text, "大局意识", ["核心意识", "道路自信", "理论自信"])
    assert not unambiguous(draft, materials.gates)
    assert first_failure(draft, materials.gates) == "unambiguous"


def test_the_distractor_pool_never_offers_the_answers_own_list(materials, text):
    atom = mined(materials, "大局意识")
    quote = text[atom.quote_start : atom.quote_end]
    own = atom.enumeration
    other_lists = {i for e in materials.pool.enumerations if e.spans != own.spans for i in e.items}
    for seed in range(5):
        picked = materials.pool.pick(atom, quote, 3, random.Random(seed))
        assert len(picked) == 3 and not set(picked) & set(own.items)
        assert set(picked) <= other_lists  # items of a different enumeration come first
    # a false 判断 swaps in a sibling of the same family: 法治意识、程序意识、证据意识 (学会党建工作要点)
    sibling = materials.pool.pick(atom, quote, 1, random.Random(0), siblings_only=True)
    assert sibling and sibling[0] in {"法治意识", "程序意识", "证据意识"}


def test_a_blank_on_a_stopword_or_a_trivially_frequent_word_is_rejected(materials, text):
    stopword = blank_draft(text, "党员学习手册", atom_in(text, "shouce", TERM_SENTENCE, "应当"))
    assert grounded(stopword, materials.gates) and not worth_asking(stopword, materials.gates)
    assert first_failure(stopword, materials.gates) == "worth_asking"
    frequent = blank_draft(text, "党员学习手册", atom_in(text, "shouce", TERM_SENTENCE, "党员"))
    assert materials.view.sentence_frequency("党员") > 0.03
    assert not worth_asking(frequent, materials.gates)
    one_char = blank_draft(text, "党员学习手册", atom_in(text, "shouce", TERM_SENTENCE, "党"))
    assert not worth_asking(one_char, materials.gates)


def test_a_false_judge_made_by_inserting_a_negation_is_rejected(materials, text):
    atom = mined(materials, "一年")
    true = judge_item(atom, text, "党员学习手册", materials.pool, truth=True, rng=random.Random(0))
    assert true is not None and judge_edit(true, materials.gates)
    negated = true.true_statement.replace("为一年", "不为一年")
    fake = Draft("judge", atom, "根据《党员学习手册》，" + negated, ["错误"], method="judge_number", blanks=[(atom.start, atom.end)],
                 statement=negated, true_statement=true.true_statement, edit=("一年", "不为一年"))
    assert not judge_edit(fake, materials.gates)
    assert first_failure(fake, materials.gates) == "judge_edit"
    swapped = replace(fake, statement=true.true_statement.replace("一年", "两年"), edit=("一年", "两年"))
    assert judge_edit(swapped, materials.gates)


def test_a_false_judge_turns_a_permission_into_an_obligation(materials, text):
    atom = next(a for a in materials.atoms["shouce"] if a.kind == "contrast" and a.text == "可以")
    false = judge_item(atom, text, "党员学习手册", materials.pool, truth=False, rng=random.Random(0))
    assert false is not None and false.edit == ("可以", "应当") and "应当邀请" in false.stem
    assert first_failure(false, materials.gates) is None


def test_a_false_judge_that_is_true_elsewhere_in_the_corpus_is_rejected(materials, text):
    atom = mined(materials, "一年")
    true = judge_item(atom, text, "党员学习手册", materials.pool, truth=True, rng=random.Random(0))
    assert true is not None
    half = replace(true, statement=true.true_statement.replace("一年", "半年"), edit=("一年", "半年"), correct=["错误"])
    assert judge_edit(half, materials.gates)  # one factual edit…
    assert not unambiguous(half, materials.gates)  # …but 学会党建工作要点 says 预备期为半年 with the same context


def test_the_same_context_with_another_filler_elsewhere_makes_a_blank_ambiguous(materials, text):
    period = blank_draft(text, "党员学习手册", atom_in(text, "shouce", PERIOD_SENTENCE, "一年", "number"))
    assert not unambiguous(period, materials.gates)
    once = blank_draft(text, "党员学习手册", atom_in(text, "shouce", MEETING_SENTENCE, "支部委员会会议"))
    assert unambiguous(once, materials.gates)


def test_leaks_answer_in_stem_and_a_standout_option(materials, text):
    draft = single(materials, text, "大局意识", ["道路自信", "理论自信", "制度自信"])
    assert leak(draft, materials.gates)
    in_stem = replace(draft, stem=draft.stem.replace(BLANK, BLANK + "（提示：大局意识）"))
    assert not leak(in_stem, materials.gates)
    standout = replace(draft, distractors=["道路自信", "理论自信", "社会主义基本经济制度自信"])
    assert not leak(standout, materials.gates)
    assert first_failure(standout, materials.gates) == "leak"


def test_options_containing_each_other_or_all_of_the_above_are_rejected(materials, text):
    draft = single(materials, text, "大局意识", ["道路自信", "理论自信", "制度自信"])
    assert not unambiguous(replace(draft, distractors=["道路自信", "理论自信", "以上都对"]), materials.gates)
    assert not unambiguous(replace(draft, distractors=["道路自信", "理论自信", "大局"]), materials.gates)


def test_a_quote_that_is_not_the_document_text_is_not_grounded(materials, text):
    atom = mined(materials, "大局意识")
    draft = blank_draft(text, "党员学习手册", atom)
    assert grounded(draft, materials.gates)
    shifted = replace(draft, atom=replace(atom, start=atom.start + 1, end=atom.end + 1))
    assert not grounded(shifted, materials.gates)
    elsewhere = replace(draft, atom=replace(atom, quote_start=atom.end, quote_end=atom.end + 20))
    assert not grounded(elsewhere, materials.gates)
    assert first_failure(elsewhere, materials.gates) == "grounded"


def test_retrievable_finds_the_cited_chunk_only_for_a_stem_about_it(kb, materials, text):
    draft = single(materials, text, "大局意识", ["道路自信", "理论自信", "制度自信"])
    found = retrievable_chunks(kb, draft)
    assert found and found[0][0] <= 3
    chunk = materials.view.chunks[found[0][1]]
    assert chunk.char_start <= draft.atom.quote_start and draft.atom.quote_end <= chunk.char_end
    unrelated = replace(draft, stem="根据《学会党建工作要点》，学会会员代表大会每五年召开一次，理事会每年至少召开一次会议。")
    assert retrievable_chunks(kb, unrelated) == []
