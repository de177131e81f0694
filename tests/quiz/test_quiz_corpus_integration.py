"""Every bundled document's quiz sets with the real model (issue 13): nothing on the blocklist, ever.

Generation depends on the embedding vectors (which wrong options rank first, which stems retrieve
their source), so this runs on the real model over the whole bundled corpus: a standard set and a
hard set per document. It fails if any option — right or wrong — or any false 判断 edit hits the
blocklist, if a stem carries "……", if a 多选 leaves out a member of its list, or if a document of
3,000 characters or more does not get the requested number of items.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wuxue.knowledge_base import KnowledgeBase
from wuxue.quiz.categories import blocklist
from wuxue.quiz.evaluation import MIN_DOC_CHARS, STANDARD_REQUEST, whole_list
from wuxue.quiz.generator import QuizSpec, generate_quiz
from wuxue.settings import load_settings

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
EDIT = re.compile(r"（题干将“(.+?)”改成了“(.+?)”）$")


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> KnowledgeBase:
    kb = KnowledgeBase(load_settings(data_dir=tmp_path_factory.mktemp("quiz-corpus")))
    report = kb.ingest_paths([CORPUS])
    assert not report.failed, report.failed
    return kb


@pytest.fixture(scope="module")
def sets(kb) -> list[tuple[str, str, object]]:
    out = []
    for document in sorted(kb.documents(), key=lambda d: d.doc_id):
        for difficulty in ("medium", "hard"):
            out.append((document.doc_id, difficulty, generate_quiz(kb, QuizSpec((document.doc_id,), dict(STANDARD_REQUEST), difficulty=difficulty))))
    return out


def test_every_bundled_document_was_asked(kb, sets):
    assert len({doc for doc, _, _ in sets}) == len(kb.documents()) >= 18
    assert sum(len(result.items) for _, _, result in sets) > 400


def test_no_option_of_any_set_hits_the_blocklist(sets):
    block = blocklist()
    hits = []
    for doc, difficulty, result in sets:
        for item in result.items:
            for option in item["options"] if item["type"] != "judge" else []:
                right = option["text"] in item["answer"]["texts"]
                if block.hit(option["text"]) if right else block.hit_as_wrong(option["text"]):
                    hits.append((doc, difficulty, item["stem"], option["text"]))
            edit = EDIT.search(item["explanation"])
            if edit and block.hit_as_wrong(edit.group(2)):
                hits.append((doc, difficulty, item["stem"], edit.group(2)))
    assert hits == []


def test_stems_lists_and_counts(kb, sets):
    for doc, difficulty, result in sets:
        for item in result.items:
            assert "……" not in item["stem"], item["stem"]
            if item["type"] == "multi":
                assert whole_list(item), item
        chars = len(kb.snapshot.store.document_text(doc) or "")
        if chars >= MIN_DOC_CHARS:
            assert len(result.items) >= sum(STANDARD_REQUEST.values()), (doc, difficulty, result.shortfall)
        for short in result.shortfall:
            assert "不足" in short["reason"] and "建议" in short["reason"], short
