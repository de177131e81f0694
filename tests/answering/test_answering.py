"""Extractive answers: citations point at exact passages and sentences; refusal says so in Chinese."""

from __future__ import annotations

import pytest

from wuxue.answering import ask
from wuxue.answering.evidence import sentence_scores, unique_tokens
from wuxue.answering.refusal import RefusalModel
from wuxue.errors import InvalidQuestionError

ALWAYS = RefusalModel.always_answer()
NEVER = RefusalModel.never_answer()


def test_answer_cites_the_article_and_highlights_the_sentence(kb):
    result = ask(kb, "预备党员的预备期是多长时间？", refusal=ALWAYS)
    assert result.found and "[1]" in result.answer
    first = result.citations[0]
    assert first.doc_id == "dangzhang_2022" and first.section == "第一章 党员 › 第七条"
    start, end = first.highlight[0]
    assert first.text[start:end] == "第七条 预备党员的预备期为一年。"
    assert result.direct == "预备党员的预备期为一年。[1]" and result.answer.startswith(result.direct)  # the article number is in the citation
    stored = kb.snapshot.store.document_text("dangzhang_2022")
    assert stored[first.char_start : first.char_end] == first.text


def test_markers_are_numbered_in_order_and_passages_not_repeated(kb):
    result = ask(kb, "党员享有哪些权利", refusal=ALWAYS)
    assert [c.marker for c in result.citations] == list(range(1, len(result.citations) + 1))
    assert len({c.chunk_id for c in result.citations}) == len(result.citations)
    for citation in result.citations:
        assert f"[{citation.marker}]" in result.answer


def test_uncovered_question_is_refused_with_nearest_passages(kb):
    result = ask(kb, "明天北京会下雨吗", refusal=NEVER)
    assert not result.found
    assert result.answer.startswith("知识库中未找到与该问题相关的内容")
    assert result.citations and all(c.highlight for c in result.citations)


@pytest.mark.parametrize("question", ["", "   ", "问" * 600])
def test_invalid_questions(kb, question):
    with pytest.raises(InvalidQuestionError):
        ask(kb, question)


def test_question_about_a_document_we_do_not_hold_is_refused(kb):
    result = ask(kb, "按照《中国共产党问责条例》，问责的方式有哪些？", refusal=ALWAYS)
    assert not result.found and result.signals["unknown_documents"] == 1.0
    assert ask(kb, "根据党章，预备期是多长时间？", refusal=ALWAYS).found


def test_sentence_scores_count_specific_terms():
    assert unique_tokens(["预备", "党员", "预备党员"]) == ["预备党员"]
    text = "预备党员的预备期为一年。天气很好。"
    assert sentence_scores(["预备党员", "预备期"], text, [(0, 12), (12, 17)]) == [1.0, 0.0]
