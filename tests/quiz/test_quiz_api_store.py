"""The quiz set store behind the API, and practice marking."""

from __future__ import annotations

import threading

import pytest

from wuxue.quiz.practice import grade, is_correct, practice_view
from wuxue.errors import UnknownQuizError, UnknownQuizItemError
from wuxue.quiz.store import QuizStore


def item(item_id: str, kind: str = "single", **extra) -> dict:
    return {"id": item_id, "type": kind, "stem": f"题干{item_id}（　）", "options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
            "answer": {"keys": ["A"], "texts": ["甲"]}, "citation": {"doc_id": "d", "title": "文档", "quote": "甲"}, **extra}


@pytest.fixture
def store(tmp_path):
    quiz_store = QuizStore(tmp_path / "app.sqlite")
    yield quiz_store
    quiz_store.close()


def make(store, user="lead", items=None, title="测验"):
    return store.create(title=title, created_by=user, spec={"doc_ids": ["d"], "counts": {"single": 3}, "seed": 1},
                        doc_versions={"d": "hash1"}, items=items or [item("a"), item("b"), item("c")],
                        shortfall=[{"type": "single", "requested": 4, "produced": 3, "reason": "不足"}], rejected={"leak": 2})


def test_create_get_list_and_persist(store, tmp_path):
    first = make(store)
    second = make(store, user="other")
    third = make(store, title="第二套")
    got = store.get(first.id)
    assert got == first and got.spec["seed"] == 1 and got.doc_versions == {"d": "hash1"} and got.rejected == {"leak": 2}
    assert [q.id for q in store.list(created_by="lead")] == [third.id, first.id]
    assert {q.id for q in store.list()} == {first.id, second.id, third.id}
    summary = first.summary()
    assert "items" not in summary and summary["item_count"] == 3 and summary["counts"] == {"single": 3}
    reopened = QuizStore(tmp_path / "app.sqlite")
    assert reopened.get(first.id).items == first.items
    reopened.close()
    with pytest.raises(UnknownQuizError) as error:
        store.get("nope")
    assert error.value.code == "unknown_quiz"


def test_replace_keeps_position_and_delete_item(store):
    quiz = make(store)
    replaced = store.replace_item(quiz.id, "b", item("z"))
    assert [i["id"] for i in replaced.items] == ["a", "z", "c"]
    assert replaced.updated_at >= quiz.updated_at
    assert [i["id"] for i in store.delete_item(quiz.id, "a").items] == ["z", "c"]
    assert [i["id"] for i in store.get(quiz.id).items] == ["z", "c"]
    with pytest.raises(UnknownQuizItemError):
        store.delete_item(quiz.id, "a")
    store.delete(quiz.id)
    with pytest.raises(UnknownQuizError):
        store.delete(quiz.id)


def test_concurrent_edits_of_one_set_are_not_lost(store):
    quiz = make(store, items=[item(str(n)) for n in range(20)])
    threads = [threading.Thread(target=store.delete_item, args=(quiz.id, str(n))) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [i["id"] for i in store.get(quiz.id).items] == [str(n) for n in range(10, 20)]


def test_practice_view_hides_answers_and_sources():
    blank = item("k", "blank", options=[], answer={"keys": [], "texts": ["理想信念", "宗旨意识"], "any_order": True}, explanation="原文")
    view = practice_view(blank)
    assert view == {"id": "k", "type": "blank", "stem": "题干k（　）", "options": [], "blanks": 2}


def test_marking():
    multi = item("m", "multi", answer={"keys": ["A", "C"], "texts": ["甲", "丙"]})
    assert is_correct(multi, keys=["C", "A"]) and not is_correct(multi, keys=["A"]) and not is_correct(multi, keys=["A", "B", "C"])
    blank = item("k", "blank", answer={"keys": [], "texts": ["理想信念", "宗旨意识"], "any_order": True})
    assert is_correct(blank, texts=["宗旨意识", " 理想信念。"])
    assert is_correct(blank, texts=["理想信念、宗旨意识"])
    assert not is_correct(blank, texts=["理想信念"])
    ordered = item("o", "blank", answer={"keys": [], "texts": ["一年", "２年"]})
    assert is_correct(ordered, texts=["一年", "2年"]) and not is_correct(ordered, texts=["2年", "一年"])
    result = grade([item("a"), multi, blank], {"a": {"keys": ["A"]}, "k": {"texts": ["理想信念", "宗旨意识"]}})
    assert result["score"] == 2 and result["total"] == 3
    assert [r["correct"] for r in result["results"]] == [True, False, True]
    assert result["results"][1]["given"] == {"item_id": "m", "keys": [], "texts": []}
    assert result["results"][0]["item"]["citation"]["quote"] == "甲"
