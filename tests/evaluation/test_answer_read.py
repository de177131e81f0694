"""The blind answer read: both versions drawn under opaque ids, grades summarised by version."""

from __future__ import annotations

from wuxue.evaluation.answer_read import draw_questions, summarize


def test_draws_are_fixed_by_the_seed_and_leave_out_added_questions():
    first, again = draw_questions({"": 5}, seed=7), draw_questions({"": 5}, seed=7)
    assert [q.id for _, q in first] == [q.id for _, q in again] and len(first) == 5
    assert all(name == "original" and not q.added for name, q in first)


def test_grades_are_summarised_by_version_and_set():
    key = [{"id": "r1", "version": "after", "set": "original", "question_id": "a1"},
           {"id": "r2", "version": "before", "set": "original", "question_id": "a1"},
           {"id": "r3", "version": "after", "set": "after2", "question_id": "x1"}]
    grades = [{"id": "r1", "grade": "answers", "defects": []}, {"id": "r2", "grade": "partly", "defects": ["I", "N"]},
              {"id": "r3", "grade": "fails", "defects": ["R"]}]
    summary = summarize(grades, key)
    assert summary["after"] == {"n": 2, "answers": 0.5, "partly": 0.0, "fails": 0.5, "defects": {"R": 1}}
    assert summary["before · original"]["defects"] == {"I": 1, "N": 1}


def test_sets_to_draw_are_given_as_set_equals_count():
    from wuxue.evaluation.answer_read import SETS, parse_sets

    assert parse_sets(["heldout_civil7=30", "original=5"]) == {"heldout_civil7": 30, "": 5}
    assert parse_sets([]) == dict(SETS)


def test_a_refusal_is_shown_with_the_nearest_passages_as_the_page_lists_them():
    from types import SimpleNamespace

    from wuxue.evaluation.answer_read import _shown

    nearest = SimpleNamespace(title="民法典", section="第三百一十四条", text="拾得遗失物，应当返还权利人。", marker=1)
    refused = SimpleNamespace(found=False, answer="知识库中未找到与该问题相关的内容。以下是可能相关的段落，仅供参考。",
                              citations=[nearest])
    shown = _shown(refused)  # type: ignore[arg-type]
    assert "可能相关" in shown and "拾得遗失物，应当返还权利人。" in shown
