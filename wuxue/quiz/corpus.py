"""A sentence-level view of the indexed corpus for quiz generation.

Chunks overlap and store sentence offsets relative to themselves; quiz items need each sentence
once, with absolute offsets into the cleaned document text (so a citation's quote is exactly
``text[char_start:char_end]``), the chunks that contain it, and a whitespace-free copy of the
whole corpus to ask "does this sentence exist anywhere?" for the ambiguity gates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wuxue.index.store import ChunkStore, StoredChunk

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace-free form used for every "does this text occur in the corpus" comparison."""
    return _SPACE.sub("", text)


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    title: str
    index: int  # position among the document's sentences
    start: int  # absolute offsets into the cleaned document text
    end: int
    text: str
    section: str
    page: int | None
    chunk_ids: tuple[str, ...]  # chunks that contain the whole sentence, in order


@dataclass
class CorpusView:
    """Sentences of every document, the full squashed corpus, and document frequencies of words."""

    texts: dict[str, str]
    titles: dict[str, str]
    sentences: dict[str, list[Sentence]]
    chunks: dict[str, StoredChunk]
    haystack: str = ""
    leads: dict[str, str] = field(default_factory=dict)  # doc_id -> 党章规定， (the stem's short lead)
    kinds: dict[str, str] = field(default_factory=dict)  # doc_id -> 章程 | 报告 | 学会材料 …
    _doc_freq: Counter[str] = field(default_factory=Counter)

    @property
    def sentence_count(self) -> int:
        return sum(len(s) for s in self.sentences.values())

    def contains(self, text: str) -> bool:
        needle = squash(text)
        return bool(needle) and needle in self.haystack

    def sentence_frequency(self, term: str) -> float:
        """Share of corpus sentences that contain ``term`` (memoised)."""
        if term not in self._doc_freq:
            self._doc_freq[term] = sum(1 for doc in self.sentences.values() for s in doc if term in s.text)
        return self._doc_freq[term] / max(1, self.sentence_count)

    def quote_chunks(self, doc_id: str, start: int, end: int) -> list[str]:
        """Chunks of ``doc_id`` that contain the whole span."""
        return [c.chunk_id for c in self.chunks.values() if c.doc_id == doc_id and c.char_start <= start and end <= c.char_end]

    def all_sentences(self) -> Iterable[Sentence]:
        for doc_id in sorted(self.sentences):
            yield from self.sentences[doc_id]


def document_sentences(doc_id: str, title: str, text: str, chunks: Sequence[StoredChunk]) -> list[Sentence]:
    """Each sentence once, in document order, with the chunks that contain it."""
    spans: dict[tuple[int, int], StoredChunk] = {}
    for chunk in chunks:
        for a, b in chunk.sentences:
            start, end = chunk.char_start + a, chunk.char_start + b
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.setdefault((start, end), chunk)
    ordered = sorted(spans)
    sentences: list[Sentence] = []
    for start, end in ordered:
        if sentences and start < sentences[-1].end:  # overlapping split from another chunk: keep the first
            continue
        owner = spans[(start, end)]
        holders = tuple(c.chunk_id for c in chunks if c.char_start <= start and end <= c.char_end)
        sentences.append(Sentence(doc_id, title, len(sentences), start, end, text[start:end], owner.section, owner.page, holders))
    return sentences


def build_corpus_view(store: ChunkStore) -> CorpusView:
    texts: dict[str, str] = {}
    titles: dict[str, str] = {}
    sentences: dict[str, list[Sentence]] = {}
    chunks: dict[str, StoredChunk] = {}
    for document in store.documents():
        text = store.document_text(document.doc_id) or ""
        doc_chunks = store.chunks_of(document.doc_id)
        texts[document.doc_id] = text
        titles[document.doc_id] = document.title
        chunks.update((c.chunk_id, c) for c in doc_chunks)
        sentences[document.doc_id] = document_sentences(document.doc_id, document.title, text, doc_chunks)
    haystack = "\n".join(squash(texts[d]) for d in sorted(texts))
    leads = {d.doc_id: stem_lead(d.title, list(d.aliases or []), d.kind or "") for d in store.documents()}
    kinds = {d.doc_id: d.kind or "" for d in store.documents()}
    return CorpusView(texts, titles, sentences, chunks, haystack, leads=leads, kinds=kinds)


def stem_lead(title: str, aliases: Sequence[str], kind: str) -> str:
    """党章规定，/ 二十大报告指出，: the shortest alias a member knows (the manifest lists the common one first)."""
    from wuxue.quiz.builders import lead

    short = [a for a in aliases if a and len(a) <= 16 and "（" not in a and names_title(a, title)]
    name = short[0] if short else (title if len(title) <= 20 else title.split("——")[0].split(" ")[0][:20])
    return lead(name, kind)


def names_title(alias: str, title: str) -> bool:
    """An alias is a name of the document when it contracts the title (党章 ← 中国共产党章程: its characters
    appear in the title in order); 中国通信学会党建 names a topic, not the article 健全工作机制…, so a stem
    never cites it as a title.
    """
    rest = iter(title)
    return all(ch in rest for ch in alias)
