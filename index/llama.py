"""LlamaIndex integration, wrapped once: our chunks as ``TextNode``s, our search as a ``BaseRetriever``,
and our embedder as a LlamaIndex ``BaseEmbedding`` (for the default-pipeline baseline)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

from wuxue.index.embedders import Embedder
from wuxue.index.searcher import SearchResult
from wuxue.ingest.document import Chunk
from wuxue.ingest.pipeline import DocumentMeta


def chunk_to_node(meta: DocumentMeta, chunk: Chunk) -> TextNode:
    """A chunk as a LlamaIndex node; ``start_char_idx``/``end_char_idx`` are offsets into the cleaned text."""
    return TextNode(
        id_=f"{meta.doc_id}#{chunk.ordinal}",
        text=chunk.text,
        start_char_idx=chunk.char_start,
        end_char_idx=chunk.char_end,
        metadata={
            "doc_id": meta.doc_id,
            "title": meta.title,
            "kind": meta.kind,
            "section": chunk.section,
            "page": chunk.page,
            "page_end": chunk.page_end,
            "char_start": chunk.char_start,
            "char_end": chunk.char_end,
        },
        excluded_embed_metadata_keys=["doc_id", "kind", "page", "page_end", "char_start", "char_end"],
        excluded_llm_metadata_keys=["doc_id", "char_start", "char_end"],
    )


class HybridRetriever(BaseRetriever):
    """Our dense + BM25 hybrid search as a LlamaIndex retriever, so it plugs into query engines."""

    def __init__(self, search: Callable[[str], SearchResult], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search = search

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self._search(query_bundle.query_str)
        nodes = []
        for hit in result.hits:
            chunk = hit.chunk
            node = TextNode(
                id_=chunk.chunk_id, text=chunk.text, start_char_idx=chunk.char_start, end_char_idx=chunk.char_end,
                metadata={"doc_id": chunk.doc_id, "title": chunk.title, "section": chunk.section, "page": chunk.page,
                          "page_end": chunk.page_end, "dense_score": hit.dense_score, "sparse_score": hit.sparse_score},
            )
            nodes.append(NodeWithScore(node=node, score=hit.score))
        return nodes


class LlamaEmbeddingAdapter(BaseEmbedding):
    """Our :class:`Embedder` seen as a LlamaIndex embedding model (no hub, no API key)."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.model_id, embed_batch_size=64, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def nodes_of(meta: DocumentMeta, chunks: Sequence[Chunk]) -> list[TextNode]:
    return [chunk_to_node(meta, chunk) for chunk in chunks]
