"""CMRC 2018 dev as a chunk-level retrieval benchmark: our pipeline against two baselines in one run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from wuxue.evaluation.datasets import CmrcContext
from wuxue.evaluation.metrics import retrieval_metrics
from wuxue.evaluation.modes import MODES
from wuxue.index.builder import PreparedDocument
from wuxue.index.embedders import Embedder
from wuxue.ingest import ChunkerConfig, chunk_document
from wuxue.ingest.document import CleanDocument, Paragraph
from wuxue.ingest.pipeline import DocumentMeta, content_hash
from wuxue.knowledge_base import KnowledgeBase


def prepare_contexts(contexts: Sequence[CmrcContext], chunker: ChunkerConfig) -> list[PreparedDocument]:
    """Each context is one untitled paragraph of body text, chunked with our chunker."""
    prepared = []
    for context in contexts:
        document = CleanDocument(text=context.text, paragraphs=[Paragraph(0, len(context.text), kind="body")])
        meta = DocumentMeta(doc_id=context.context_id, title=context.title or context.context_id,
                            content_hash=content_hash(context.text.encode("utf-8")), source_type="cmrc2018")
        prepared.append(PreparedDocument(meta, document, chunk_document(document, chunker)))
    return prepared


def _queries(contexts: Sequence[CmrcContext]) -> tuple[list[str], list[list[str]]]:
    questions = [q for c in contexts for q, _ in c.questions]
    answers = [a for c in contexts for _, a in c.questions]
    return questions, answers


def evaluate_ours(kb: KnowledgeBase, contexts: Sequence[CmrcContext], *, show_progress: bool = False) -> dict[str, dict[str, float]]:
    """Index the contexts in ``kb`` (a scratch data dir) unless already indexed, then score three modes."""
    prepared = prepare_contexts(contexts, kb.chunker)
    if kb.data_dir.current() is None or len(kb.documents()) != len(prepared):
        kb.ingest_prepared(prepared, show_progress=show_progress)
    questions, answers = _queries(contexts)
    results: dict[str, dict[str, float]] = {}
    for mode, label in MODES:
        rankings = [[hit.chunk.text for hit in kb.search(q, k=10, mode=mode).hits] for q in questions]
        results[label] = retrieval_metrics(rankings, answers)
    results["ours: hybrid"]["chunks"] = kb.snapshot.manifest.chunks
    return results


def evaluate_llamaindex_default(embedder: Embedder, contexts: Sequence[CmrcContext]) -> dict[str, float]:
    """LlamaIndex out of the box: SentenceSplitter defaults + VectorStoreIndex, same embedder."""
    from llama_index.core import Document, VectorStoreIndex

    from wuxue.index.llama import LlamaEmbeddingAdapter

    documents = [Document(text=c.text, id_=c.context_id) for c in contexts]
    index = VectorStoreIndex.from_documents(documents, embed_model=LlamaEmbeddingAdapter(embedder))
    retriever = index.as_retriever(similarity_top_k=10)
    questions, answers = _queries(contexts)
    rankings = [[n.node.get_content() for n in retriever.retrieve(q)] for q in questions]
    metrics = retrieval_metrics(rankings, answers)
    metrics["chunks"] = len(index.docstore.docs)
    return metrics


def evaluate_bm25s_default(prepared: Sequence[PreparedDocument], contexts: Sequence[CmrcContext]) -> dict[str, float]:
    """bm25s with its default (regex, whitespace-oriented) tokenizer over our chunks."""
    import bm25s

    texts = [chunk.text for p in prepared for chunk in p.chunks]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
    questions, answers = _queries(contexts)
    query_tokens = bm25s.tokenize(questions, return_ids=False, show_progress=False)
    vocab = retriever.vocab_dict
    rankings: list[list[str]] = []
    for tokens in query_tokens:
        known = [t for t in tokens if t in vocab]
        if not known:
            rankings.append([])
            continue
        scores = retriever.get_scores(known)
        top = np.argsort(-scores, kind="stable")[:10]
        rankings.append([texts[i] for i in top if scores[i] > 0])
    metrics = retrieval_metrics(rankings, answers)
    metrics["chunks"] = len(texts)
    return metrics


def run_cmrc(kb_factory: Callable[[], KnowledgeBase], embedder: Embedder, contexts: Sequence[CmrcContext], *, show_progress: bool = False) -> dict[str, dict[str, float]]:
    kb = kb_factory()
    results = evaluate_ours(kb, contexts, show_progress=show_progress)
    results["LlamaIndex default (SentenceSplitter + VectorStoreIndex)"] = evaluate_llamaindex_default(embedder, contexts)
    results["bm25s default tokenizer"] = evaluate_bm25s_default(prepare_contexts(contexts, kb.chunker), contexts)
    return results
