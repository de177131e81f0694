"""Answer-set metrics: whitespace- and marker-insensitive pieces, first line, quiz grading, hit@k."""

from __future__ import annotations

from wuxue.evaluation.answer_metrics import answer_letters, answer_metrics, answer_verdict, hit_at, quiz_correct


def test_complete_recall_first_line_and_lengths():
    answers = ["共两项：（一）甲乙丙；（二）丁戊[1]\n引文[1]", "预备期为一年。[1]\n其他", "无关[1]"]
    pieces = [["甲乙丙", "丁 戊"], ["一年"], ["一年"]]
    m = answer_metrics(answers, pieces, [False, True, True], [True, True, True])
    assert m["complete"] == 2 / 3 and m["piece_recall"] == 3 / 4 and m["first_line"] == 0.5
    assert m["single_fact"] == 2 and m["refused"] == 0.0
    refused = answer_metrics(answers, pieces, [False, True, True], [False, True, True])
    assert refused["complete"] == 1 / 3 and refused["refused"] == 1 / 3


def test_quiz_grading():
    assert answer_letters("答案：C（五年）[1]\n…") == "C" and answer_letters("答案：BDA（…）") == "ABD"
    assert quiz_correct("multi", "ABD", "答案：ABD（…）[1]") and not quiz_correct("multi", "ABD", "答案：AB[1]")
    assert answer_verdict("错误：党章规定…[1]") == "错误" and quiz_correct("judge", "正确", "正确：…")
    assert quiz_correct("blank", "五年", "答案：五。每届任期五 年[1]") and not quiz_correct("blank", "五年", "答案：三\n五年")
    assert not quiz_correct("single", "C", "党的中央委员会每届任期五年[1]")


def test_hit_at_k_needs_a_listed_document_and_a_piece():
    rankings = [[("a", "无关"), ("b", "含有甲乙")], [("b", "甲乙")]]
    assert hit_at(rankings, [["b"], ["a"]], [["甲乙"], ["甲乙"]], 1) == 0.0
    assert hit_at(rankings, [["b"], ["a"]], [["甲乙"], ["甲乙"]], 2) == 0.5
