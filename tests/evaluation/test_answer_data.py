"""The issue-12 answer data must be gradable: every piece verbatim in its document, every key well formed."""

from __future__ import annotations

from wuxue.evaluation import validate_answer_data as v


def _rows(path):
    return v.load_jsonl(path)


def test_every_answer_piece_is_in_its_document() -> None:
    rows = _rows(v.DATA / "answers.jsonl")
    assert rows
    assert v.check_answers(rows, [v.CORPUS]) == []


def test_every_quiz_item_is_well_formed() -> None:
    rows = _rows(v.DATA / "quiz_forms.jsonl")
    assert rows
    assert v.check_quiz(rows, [v.CORPUS]) == []


def test_heldout_data_is_well_formed() -> None:
    answers = _rows(v.HELDOUT / "answers.jsonl")
    quiz = _rows(v.HELDOUT / "quiz_forms.jsonl")
    assert answers and quiz
    assert all(r["doc_ids"] == ["fazhan_dangyuan_gongzuo_xize_2026"] for r in answers + quiz)
    assert v.check_answers(answers, [v.HELDOUT]) == []
    assert v.check_quiz(quiz, [v.HELDOUT]) == []


def test_validator_catches_a_piece_not_in_the_document() -> None:
    bad = {"id": "x", "question": "？", "kind": "list", "doc_ids": ["dangzhang_2022"], "article": "",
           "pieces": ["党员必须会游泳"], "single_fact": False, "added": False}
    assert any("not in document" in e for e in v.check_answers([bad], [v.CORPUS]))


def test_validator_catches_a_bad_quiz_key() -> None:
    bad = {"id": "y", "form": "multi", "question": "（ ）A.一 B.二 C.三", "key": "CA", "doc_ids": ["dangzhang_2022"],
           "added": False}
    assert v.check_quiz([bad], [v.CORPUS])


def test_sets_meet_the_issue_minimums_and_cover_every_document() -> None:
    answers = _rows(v.DATA / "answers.jsonl")
    quiz = _rows(v.DATA / "quiz_forms.jsonl")
    kinds = [r["kind"] for r in answers]
    forms = [r["form"] for r in quiz]
    assert len(answers) >= 130 and len(quiz) >= 90
    assert kinds.count("list") >= 55 and kinds.count("definition") >= 22
    assert sum(kinds.count(k) for k in ("quantity", "date", "actor")) >= 22
    assert sum(kinds.count(k) for k in ("requirement", "procedure", "yesno", "other")) >= 30
    assert forms.count("single") >= 25 and forms.count("multi") >= 20
    assert forms.count("blank") >= 20 and forms.count("judge") >= 25
    corpus_docs = {p.stem for p in v.CORPUS.glob("*.txt")}
    # 发展党员工作细则 joined the corpus (issue 14) but its questions stay in the held-out set, never tuned on.
    held_out = {r["doc_ids"][0] for r in _rows(v.HELDOUT / "answers.jsonl") + _rows(v.HELDOUT / "quiz_forms.jsonl")}
    assert held_out == {"fazhan_dangyuan_gongzuo_xize_2026"}
    assert corpus_docs <= {r["doc_ids"][0] for r in answers} | held_out
    assert corpus_docs <= {r["doc_ids"][0] for r in quiz} | held_out
    assert any(r["added"] for r in answers) and any(r["added"] for r in quiz)


def test_the_second_blind_sets_are_well_formed() -> None:
    for folder, docs in ((v.AFTER2, [v.CORPUS]), (v.DATA / "heldout_civil2", [v.CIVIL])):
        answers, quiz = _rows(folder / "answers.jsonl"), _rows(folder / "quiz_forms.jsonl")
        assert len(answers) >= 35 and len(quiz) >= 20
        assert v.check_answers(answers, docs) == []
        assert v.check_quiz(quiz, docs) == []


def test_every_later_set_on_the_kept_out_code_is_well_formed() -> None:
    assert v.CIVIL_SETS[0] == "heldout_civil2" and v.CIVIL_SETS[-1] == "heldout_civil10"
    for name in v.CIVIL_SETS:
        answers, quiz = _rows(v.DATA / name / "answers.jsonl"), _rows(v.DATA / name / "quiz_forms.jsonl")
        assert answers and quiz, name
        assert v.check_answers(answers, [v.CIVIL]) == [], name
        assert v.check_quiz(quiz, [v.CIVIL]) == [], name
