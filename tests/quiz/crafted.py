"""Builders shared by the quiz generation tests: a knowledge base over the crafted corpus, drafts by hand."""

from __future__ import annotations

from pathlib import Path

from wuxue.index.embedders import HashingEmbedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.quiz.atoms import Atom
from wuxue.quiz.builders import BLANK, Draft, display, prefix
from wuxue.settings import load_settings

CRAFTED = Path(__file__).resolve().parent / "crafted_corpus"


def crafted_kb(root: Path, corpus: Path = CRAFTED) -> KnowledgeBase:
    settings = load_settings(data_dir=root / "data", cache_dir=root / "cache", embed_backend="hashing")
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    report = kb.ingest_paths([corpus])
    assert not report.failed, report.failed
    return kb


def sentence_span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def atom_in(text: str, doc_id: str, sentence: str, answer: str, kind: str = "term", **extra: object) -> Atom:
    """An atom for ``answer`` inside ``sentence`` (both found in the document text)."""
    q0, q1 = sentence_span(text, sentence)
    a0 = text.index(answer, q0)
    return Atom(kind, answer, a0, a0 + len(answer), q0, q1, doc_id, answer, **extra)  # type: ignore[arg-type]


def blank_draft(text: str, title: str, atom: Atom, kind: str = "blank", distractors: list[str] | None = None) -> Draft:
    holes = [(atom.start, atom.end)]
    stem = prefix(title) + display(text, atom.quote_start, atom.quote_end, holes)
    assert BLANK in stem
    return Draft(kind, atom, stem, [atom.text], list(distractors or []), method="test", blanks=holes)
