"""The plain LlamaIndex pipeline on the same questions: ``VectorStoreIndex`` with default settings.

Same model (our embedder behind ``LlamaEmbeddingAdapter``), LlamaIndex defaults otherwise:
``SentenceSplitter`` (1024 tokens, 200 overlap), the in-memory ``SimpleVectorStore``,
no query-vector cache. Only the retrieval depth is set to our answer depth (5). At the
1k size the documents go through the whole default pipeline; at larger sizes the index
is given our chunks with their stored vectors (no embedding), to time its query path at
that size.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence

from wuxue.evaluation.bench.common import percentiles, rss_mb
from wuxue.evaluation.bench.corpora import TextDoc
from wuxue.index.embedders import Embedder
from wuxue.index.llama import LlamaEmbeddingAdapter
from wuxue.index.snapshot import IndexSnapshot

TOP_K = 5


class _QueryOnModel(LlamaEmbeddingAdapter):
    """Document texts through the given (cached) embedder, questions straight to the model, as LlamaIndex would."""

    def __init__(self, documents: Embedder, model: Embedder) -> None:
        super().__init__(documents)
        object.__setattr__(self, "_wuxue_model", model)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._wuxue_model.embed([query])[0].tolist()  # type: ignore[attr-defined]


def _query_latency(index, questions: Sequence[str], time_budget_s: float) -> dict[str, object]:  # noqa: ANN001
    retriever = index.as_retriever(similarity_top_k=TOP_K)
    retriever.retrieve(questions[0])
    samples = []
    deadline = time.perf_counter() + time_budget_s
    for question in questions:
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        retriever.retrieve(question)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def default_pipeline(documents: Sequence[TextDoc], cached: Embedder, model: Embedder, questions: Sequence[str], *,
                     time_budget_s: float = 60.0) -> dict[str, object]:
    """Documents → ``VectorStoreIndex.from_documents`` (default splitter and store) → retriever."""
    from llama_index.core import Document, VectorStoreIndex

    gc.collect()
    rss_before = rss_mb()
    embedded_before = getattr(cached, "embedded_count", 0)
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents([Document(text=d.text, id_=d.doc_id) for d in documents],
                                            embed_model=_QueryOnModel(cached, model))
    build_s = time.perf_counter() - started
    nodes = len(index.docstore.docs)
    result = {"pipeline": "from_documents (SentenceSplitter defaults)", "nodes": nodes, "build_s": round(build_s, 2),
              "chars": sum(len(d.text) for d in documents), "model_texts": getattr(cached, "embedded_count", 0) - embedded_before,
              "rss_growth_mb": round((rss_mb() or 0) - (rss_before or 0), 1),
              "query": _query_latency(index, questions, time_budget_s)}
    del index
    gc.collect()
    return result


def same_vectors(snapshot: IndexSnapshot, model: Embedder, questions: Sequence[str], *, time_budget_s: float = 60.0) -> dict[str, object]:
    """Our chunks and stored vectors in a default ``VectorStoreIndex``: its query path at this corpus size."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    gc.collect()
    rss_before = rss_mb()
    ids, vectors = snapshot.dense.items()
    chunks = snapshot.store.chunks_by_int_ids(ids.tolist())
    nodes = [TextNode(id_=chunks[int(i)].chunk_id, text=chunks[int(i)].text, embedding=vector.tolist())
             for i, vector in zip(ids, vectors) if int(i) in chunks]
    del chunks, vectors
    started = time.perf_counter()
    index = VectorStoreIndex(nodes, embed_model=_QueryOnModel(model, model))
    build_s = time.perf_counter() - started
    result = {"pipeline": "VectorStoreIndex(nodes with our vectors)", "nodes": len(nodes), "build_s": round(build_s, 2),
              "rss_growth_mb": round((rss_mb() or 0) - (rss_before or 0), 1), "query": _query_latency(index, questions, time_budget_s)}
    del index, nodes
    gc.collect()
    return result
