"""The LRU of query vectors in front of the query embedder: repeats skip the model, old entries go first."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from wuxue.index.embedders import HashingEmbedder
from wuxue.index.searcher import QueryVectorCache
from wuxue.knowledge_base import KnowledgeBase


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        with self._lock:
            self.calls += list(texts)
        return super().embed(texts, batch_size=batch_size, progress=progress)


def test_repeated_query_is_embedded_once_and_vector_is_identical() -> None:
    embedder = CountingEmbedder()
    cache = QueryVectorCache(embedder, size=4)
    first = cache("预备党员的预备期是多长时间")
    second = cache("预备党员的预备期是多长时间")
    assert embedder.calls == ["预备党员的预备期是多长时间"]
    assert np.array_equal(first, second)
    assert np.array_equal(first, embedder.embed(["预备党员的预备期是多长时间"])[0])


def test_least_recently_used_entry_is_evicted_first() -> None:
    embedder = CountingEmbedder()
    cache = QueryVectorCache(embedder, size=2)
    cache("甲")
    cache("乙")
    cache("甲")  # 甲 is now the most recent
    cache("丙")  # evicts 乙
    embedder.calls.clear()
    cache("甲")
    cache("丙")
    assert embedder.calls == []
    cache("乙")
    assert embedder.calls == ["乙"]


def test_concurrent_callers_get_correct_vectors() -> None:
    embedder = CountingEmbedder()
    cache = QueryVectorCache(embedder, size=64)
    questions = [f"第{i}个问题：党的纪律有哪些" for i in range(16)]
    expected = {q: embedder.embed([q])[0] for q in questions}
    embedder.calls.clear()
    errors: list[str] = []

    def worker(offset: int) -> None:
        for i in range(64):
            question = questions[(i + offset) % len(questions)]
            if not np.array_equal(cache(question), expected[question]):
                errors.append(question)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(embedder.calls)) == len(questions)  # every question reached the model (once, or rarely twice in a race)


def test_knowledge_base_search_uses_the_cache(kb: KnowledgeBase) -> None:
    counting = CountingEmbedder()
    knowledge_base = KnowledgeBase(kb.settings, embedder=counting)
    knowledge_base.load()
    counting.calls.clear()
    first = knowledge_base.search("党员有哪些权利", k=3)
    second = knowledge_base.search("党员有哪些权利", k=3)
    assert counting.calls == ["党员有哪些权利"]
    assert [h.chunk.chunk_id for h in first.hits] == [h.chunk.chunk_id for h in second.hits]
