"""LlamaIndex integration: chunks become TextNodes, our hybrid search is a BaseRetriever."""

from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever

from wuxue.index.llama import HybridRetriever, nodes_of
from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from tests.conftest import CORPUS


def test_chunks_as_text_nodes_keep_offsets_and_metadata():
    meta, document = prepare_document((CORPUS / "dangzhang_2022.txt").read_bytes(), "dangzhang_2022.txt")
    nodes = nodes_of(meta, chunk_document(document, ChunkerConfig(300, 60)))
    for node in nodes:
        assert document.text[node.start_char_idx : node.end_char_idx] == node.text
        assert {"doc_id", "title", "section", "page", "char_start", "char_end"} <= set(node.metadata)


def test_hybrid_retriever_plugs_into_llamaindex(kb):
    retriever = HybridRetriever(lambda query: kb.search(query, k=3))
    assert isinstance(retriever, BaseRetriever)
    results = retriever.retrieve("预备党员的预备期是多长时间")
    assert len(results) == 3
    top = results[0]
    assert "预备期为一年" in top.node.get_content() and top.node.metadata["section"] == "第一章 党员 › 第七条"
    assert top.score is not None and top.node.metadata["dense_score"] > 0
