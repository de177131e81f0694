"""Whole sets on four bundled documents (fake embedder): records, reproducibility, set checks, replacement."""

from __future__ import annotations

import random
import shutil
from collections import Counter

import pytest

from tests.conftest import CORPUS, SMALL_CORPUS_FILES
from tests.quiz.crafted import crafted_kb
from wuxue.errors import UnknownDocumentError, WuxueError
from wuxue.quiz.builders import BLANK, LEAD
from wuxue.errors import InvalidQuizSpecError, UnknownQuizItemError
from wuxue.quiz.generator import QuizResult, QuizSpec, _Assembler, generate_quiz, replacement_item
from wuxue.quiz.materials import materials_for
from wuxue.quiz.set_checks import near_duplicate, summarize

REQUEST = {"single": 8, "multi": 4, "blank": 8, "judge": 6}
ITEM_KEYS = {"id", "type", "stem", "options", "answer", "explanation", "citation", "difficulty", "knowledge_point", "generator", "checks"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiz_generator")
    folder = root / "corpus"
    folder.mkdir()
    blocks = (CORPUS / "manifest.toml").read_text(encoding="utf-8").split("[[documents]]")
    kept = [b for b in blocks[1:] if any(f'file = "{name}"' in b for name in SMALL_CORPUS_FILES)]
    (folder / "manifest.toml").write_text("".join("[[documents]]" + b for b in kept), encoding="utf-8")
    for name in SMALL_CORPUS_FILES:
        shutil.copy(CORPUS / name, folder / name)
    return crafted_kb(root, folder)


@pytest.fixture(scope="module")
def result(kb) -> QuizResult:
    return generate_quiz(kb, QuizSpec(("dangzhang_2022", "njmes_dangjian_plan_2023"), REQUEST, seed=7))


def test_the_set_has_the_requested_counts_and_full_records(kb, result):
    assert result.shortfall == []
    assert Counter(item["type"] for item in result.items) == Counter(REQUEST)
    for item in result.items:
        assert set(item) == ITEM_KEYS
        c = item["citation"]
        text = kb.snapshot.store.document_text(c["doc_id"])
        assert text[c["char_start"] : c["char_end"]] == c["quote"]
        assert set(c) == {"doc_id", "title", "section", "page", "chunk_id", "char_start", "char_end", "quote"}
        chunk = kb.snapshot.store.chunk(c["chunk_id"])
        assert chunk.char_start <= c["char_start"] and c["char_end"] <= chunk.char_end
        assert 1 <= item["checks"]["retrieval_rank"] <= 3
        assert LEAD.match(item["stem"]) and "……" not in item["stem"]  # 党章规定，… / 《…》提出，…
        assert item["explanation"].startswith("原文：") and "【" in item["explanation"]
        assert item["generator"]["llm"] is False and item["difficulty"] == "medium"
    assert result.doc_versions == {d: kb.document(d).content_hash for d in ("dangzhang_2022", "njmes_dangjian_plan_2023")}


def test_each_type_has_its_shape(result):
    for item in result.items:
        answer, options = item["answer"], item["options"]
        keys = [o["key"] for o in options]
        if item["type"] == "single":
            assert len(options) == 4 and len(answer["keys"]) == 1 and answer["keys"][0] in keys
            assert options[keys.index(answer["keys"][0])]["text"] == answer["texts"][0]
            assert not any(a in item["stem"].replace(BLANK, "") for a in answer["texts"])
        elif item["type"] == "multi":
            assert len(options) in (4, 5) and 2 <= len(answer["keys"]) <= 4 and answer.get("any_order") is True
            assert {o["text"] for o in options if o["key"] in answer["keys"]} == set(answer["texts"])
        elif item["type"] == "blank":
            assert options == [] and answer["keys"] == [] and item["stem"].count(BLANK) == len(answer["texts"])
            assert all(a in item["citation"]["quote"] for a in answer["texts"])
        else:
            assert options == [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]
            assert answer["texts"] == (["正确"] if answer["keys"] == ["A"] else ["错误"])


def test_set_checks_balance_duplicates_coverage_and_chunk_reuse(result):
    summary = summarize(result.items, ["dangzhang_2022", "njmes_dangjian_plan_2023"])
    assert summary["letters_balanced"], summary["single_letter_share"]
    assert summary["judge_balanced"] and summary["judge_true_share"] == 0.5
    assert summary["near_duplicate_stems"] == 0
    assert summary["max_chunk_uses"] <= 2
    assert summary["documents_missing"] == []
    multi_all = [i for i in result.items if i["type"] == "multi" and len(i["answer"]["keys"]) == len(i["options"])]
    assert len(multi_all) < len([i for i in result.items if i["type"] == "multi"])  # not always all correct


def test_false_judges_change_one_fact_and_never_insert_a_negation(result):
    falses = [i for i in result.items if i["type"] == "judge" and i["answer"]["keys"] == ["B"]]
    assert falses
    for item in falses:
        assert "改成了" in item["explanation"]
        original = item["explanation"].split("题干将“")[1].split("”")[0]
        changed = item["explanation"].split("改成了“")[1].split("”")[0]
        assert original in item["citation"]["quote"] and changed in item["stem"] and original != changed
        assert changed.count("不") <= original.count("不")


def test_same_inputs_and_seed_give_the_same_set(kb, result):
    again = generate_quiz(kb, QuizSpec(("dangzhang_2022", "njmes_dangjian_plan_2023"), REQUEST, seed=7))
    assert [i["id"] for i in again.items] == [i["id"] for i in result.items]
    assert again.items == result.items
    other = generate_quiz(kb, QuizSpec(("dangzhang_2022", "njmes_dangjian_plan_2023"), REQUEST, seed=8))
    assert [i["id"] for i in other.items] != [i["id"] for i in result.items]


def test_easy_has_three_options_and_hard_blanks_whole_short_lists(kb):
    easy = generate_quiz(kb, QuizSpec(("dangzhang_2022",), {"single": 4}, difficulty="easy", seed=1))
    assert all(len(i["options"]) == 3 and i["difficulty"] == "easy" for i in easy.items)
    assembler = _Assembler(kb, materials_for(kb), QuizSpec(("dangzhang_2022",), {"blank": 1}, difficulty="hard", seed=1))
    drafts = [assembler.draft("blank", a, random.Random(0)) for a in assembler.ordered_atoms("blank", "dangzhang_2022") if a.kind == "enum_item"]
    whole = [d for d in drafts if d is not None and len(d.correct) > 1]
    assert whole and any(d.any_order for d in whole)  # 、-lists in any order; 吃苦在前，享受在后… in order
    assert all(d.stem.count(BLANK) == len(d.correct) == len(d.atom.enumeration.items) for d in whole)  # never a member left out


def test_sections_restrict_the_source(kb):
    result = generate_quiz(kb, QuizSpec(("dangzhang_2022",), {"blank": 3, "single": 2}, sections=("第一章",), seed=3))
    assert result.items and all("第一章" in i["citation"]["section"] for i in result.items)


def test_a_tiny_document_falls_short_with_a_chinese_reason(kb):
    result = generate_quiz(kb, QuizSpec(("lianjie_zilv_zhunze_2015",), {"single": 20, "judge": 10}, seed=0))
    assert result.shortfall
    for short in result.shortfall:
        assert short["produced"] < short["requested"] and "不足" in short["reason"]
        assert short["produced"] == sum(1 for i in result.items if i["type"] == short["type"])


def test_invalid_specs_raise_domain_errors(kb):
    with pytest.raises(UnknownDocumentError):
        generate_quiz(kb, QuizSpec(("no_such_doc",), {"single": 1}))
    for counts in ({}, {"single": 0}, {"single": -1}, {"essay": 2}, {"single": 150, "blank": 60}):
        with pytest.raises(InvalidQuizSpecError) as caught:
            generate_quiz(kb, QuizSpec(("dangzhang_2022",), counts))
        assert caught.value.code == "invalid_quiz_spec" and isinstance(caught.value, WuxueError)
    with pytest.raises(InvalidQuizSpecError):
        generate_quiz(kb, QuizSpec(("dangzhang_2022",), {"single": 1}, difficulty="extreme"))
    with pytest.raises(InvalidQuizSpecError):
        generate_quiz(kb, QuizSpec((), {"single": 1}))


def test_replacement_item_is_new_of_the_same_type_and_keeps_the_balance(kb, result):
    spec = QuizSpec(("dangzhang_2022", "njmes_dangjian_plan_2023"), REQUEST, seed=7)
    for kind in ("single", "multi", "blank", "judge"):
        target = next(i for i in result.items if i["type"] == kind)
        new = replacement_item(kb, spec, items=result.items, item_id=target["id"])
        assert new is not None and new["type"] == kind
        assert new["id"] not in {i["id"] for i in result.items}
        assert not near_duplicate(new["stem"], [i["stem"] for i in result.items])
        quotes = {(i["citation"]["doc_id"], i["citation"]["char_start"]) for i in result.items}
        assert (new["citation"]["doc_id"], new["citation"]["char_start"]) not in quotes
        if kind in ("single", "judge"):
            assert new["answer"]["keys"] == target["answer"]["keys"]
        others = [i for i in result.items if i["id"] != target["id"]] + [new]
        assert summarize(others)["max_chunk_uses"] <= 2
    again = replacement_item(kb, spec, items=result.items, item_id=target["id"])
    assert again == new  # reproducible too
    with pytest.raises(UnknownQuizItemError):
        replacement_item(kb, spec, items=result.items, item_id="nope")


def test_crafted_corpus_set_avoids_the_ambiguous_period_item(tmp_path):
    kb = crafted_kb(tmp_path)
    result = generate_quiz(kb, QuizSpec(("shouce", "yaodian"), {"single": 2, "blank": 3, "judge": 2, "multi": 1}, seed=0))
    assert result.items and {i["citation"]["doc_id"] for i in result.items} == {"shouce", "yaodian"}
    for item in result.items:
        if item["type"] in ("blank", "single"):
            assert "预备期为（　　）" not in item["stem"]  # 一年 here, 半年 in the other document
