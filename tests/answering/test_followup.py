"""Follow-up resolution: elliptical questions read against the previous ones, complete questions left alone."""

from __future__ import annotations

import pytest

from wuxue.answering.followup import resolve_followup

RESOLVED = [
    # (follow-up, previous questions (newest last), the question answered)
    ("那权利呢？", ["党员有哪些义务？"], "党员有哪些权利？"),
    ("那义务呢？", ["预备党员享有哪些权利？"], "预备党员享有哪些义务？"),
    ("那条件呢？", ["入党的程序是什么？"], "入党的条件是什么？"),
    ("还有呢？", ["党员有哪些义务？"], "党员有哪些义务？"),
    ("还有哪些？", ["党员有哪些义务？"], "党员有哪些义务？"),
    ("具体呢？", ["什么是四个意识？"], "什么是四个意识？"),
    ("它的任期多长？", ["党的中央委员会由谁产生？"], "党的中央委员会的任期多长？"),
    ("它的任期多长？", ["党的中央委员会有哪些职权？"], "党的中央委员会的任期多长？"),
    ("其任期多长？", ["党的中央委员会由谁产生？"], "党的中央委员会的任期多长？"),
    ("它们分别是什么？", ["党的六项纪律是哪六项？"], "党的六项纪律分别是什么？"),
    ("这是什么意思？", ["什么是四个意识？"], "四个意识是什么意思？"),
    ("这个委员会由谁选举产生？", ["党的中央纪律检查委员会有哪些职责？"], "党的中央纪律检查委员会由谁选举产生？"),
    ("那预备党员呢？", ["党员有哪些义务？"], "预备党员有哪些义务？"),
    ("那么预备党员呢", ["党员享有哪些权利？"], "预备党员享有哪些权利？"),
    ("那入党积极分子呢？", ["预备党员的预备期是多长时间？"], "入党积极分子的预备期是多长时间？"),
    ("那地方委员会呢？", ["党的中央委员会每届任期多长？"], "党的地方委员会每届任期多长？"),
    ("那党支部呢？", ["党的基层组织的基本任务是什么？"], "党支部的基本任务是什么？"),
    ("那预备党员的权利呢？", ["党员有哪些义务？"], "预备党员有哪些权利？"),
    ("那正式党员呢？", ["预备党员有哪些权利？"], "正式党员有哪些权利？"),
    ("那党员呢？", ["预备党员有哪些权利？"], "党员有哪些权利？"),
    ("那，权利呢?", ["党员有哪些义务？"], "党员有哪些权利？"),
    ("它包括哪些内容？", ["什么是三会一课？"], "三会一课包括哪些内容？"),
    # No subject of its own: the previous one's (with the document it was asked of).
    ("那任期多长呢？", ["党的中央委员会由谁产生？"], "党的中央委员会的任期多长？"),
    ("那由谁选举产生呢？", ["党的中央委员会每届任期多长？"], "党的中央委员会由谁选举产生？"),
    ("那需要什么条件呢？", ["怎样成为预备党员？"], "成为预备党员需要什么条件？"),
    ("那有哪些要求呢？", ["廉洁自律准则对党员领导干部提出了什么？"], "廉洁自律准则对党员领导干部有哪些要求？"),
    # Earlier follow-ups in the history are resolved first.
    ("那预备党员呢？", ["党员有哪些义务？", "那权利呢？"], "预备党员有哪些权利？"),
    # Articles and documents.
    ("第二条呢？", ["党章第一条是怎么规定的？"], "党章第二条是怎么规定的？"),
    ("第十一条呢？", ["党章第九条讲了什么？"], "党章第十一条讲了什么？"),
    ("第二条呢？", ["纪律处分条例规定了哪些处分？"], "纪律处分条例第二条是怎么规定的？"),
    ("下一条呢？", ["《中国共产党纪律处分条例》第九条讲的是什么？"], "《中国共产党纪律处分条例》第十条讲的是什么？"),
    ("第三条呢？", ["党员有哪些义务？", "党章第一条讲的是什么？", "那预备党员呢？"], "党章第三条是怎么规定的？"),
    ("那宪法呢？", ["党章第一条是怎么规定的？"], "宪法第一条是怎么规定的？"),
    ("那党章呢？", ["纪律处分条例第八条规定了哪些处分？"], "党章第八条规定了哪些处分？"),
    ("该条例什么时候施行？", ["纪律处分条例规定了哪些处分？"], "纪律处分条例什么时候施行？"),
    ("这部条例是哪一年施行的？", ["《社会团体登记管理条例》规定了哪些登记事项？"], "《社会团体登记管理条例》是哪一年施行的？"),
]

UNCHANGED = [
    # A question that names its own subject is not a follow-up, whatever came before.
    ("党员有哪些权利？", ["党员有哪些义务？"]),
    ("那么党员的权利有哪些？", ["党员有哪些义务？"]),
    ("预备党员的预备期是多长时间呢？", ["党员有哪些义务？"]),
    ("入党誓词是什么？", ["党员有哪些义务？"]),
    ("如何理解两个确立？", ["党员有哪些义务？"]),
    ("党的六项纪律是哪六项？", ["党员有哪些义务？"]),
    ("党的中央委员会每届任期几年？", ["党员有哪些义务？"]),
    ("权利？", ["党员有哪些义务？"]),  # a bare word is a (terse) question of its own
    ("那么如何理解两个确立？", ["党员有哪些义务？"]),
    ("那党员有哪些权利呢？", ["党员有哪些义务？"]),
    ("预备期有多长呢？", ["党员有哪些义务？"]),
    ("还有别的义务吗？", ["党员有哪些义务？"]),
    # Pasted quiz items stand alone, even when they open with a pronoun.
    ("它的最高领导机关是（ ） A.全国代表大会 B.中央委员会 C.中央政治局 D.中央书记处", ["党员有哪些义务？"]),
    ("判断：其任期为五年。", ["党的中央委员会由谁产生？"]),
    ("该条例自____起施行", ["纪律处分条例规定了哪些处分？"]),
    # Nothing to resolve against.
    ("那权利呢？", []),
    ("它的任期多长？", []),
    ("第二条呢？", ["党员有哪些义务？"]),  # no document named anywhere
    ("上一条呢？", ["党章第一条讲的是什么？"]),  # there is no article before the first
]


@pytest.mark.parametrize(("question", "history", "expected"), RESOLVED)
def test_a_follow_up_is_made_whole_from_the_previous_question(question, history, expected):
    resolution = resolve_followup(question, history)
    assert resolution.resolved
    assert resolution.question == expected
    assert resolution.note == f"按‘{expected.rstrip('？')}’理解"


@pytest.mark.parametrize(("question", "history"), UNCHANGED)
def test_a_complete_question_is_left_as_asked(question, history):
    resolution = resolve_followup(question, history)
    assert not resolution.resolved
    assert resolution.question == question and resolution.note == ""


def test_the_table_is_large_enough_and_covers_both_outcomes():
    assert len(RESOLVED) + len(UNCHANGED) >= 25 and len(UNCHANGED) >= 10
