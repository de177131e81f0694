"""The knowledge base's read side (snapshot, search, documents, passages) stands alone; changes are the write side (issue 16)."""

from __future__ import annotations

import pytest

from wuxue.errors import IndexNotReadyError, UnknownDocumentError
from wuxue.index.embedders import HashingEmbedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.knowledge_reader import KnowledgeReader

WRITES = ("ingest_paths", "ingest_bytes", "ingest_prepared", "update_metadata", "restore", "remove", "purge", "reindex",
          "check_writable", "hand_over", "store_source", "history", "builder")


def test_the_reader_has_no_way_to_change_the_index():
    assert [name for name in WRITES if hasattr(KnowledgeReader, name)] == []
    assert all(hasattr(KnowledgeBase, name) for name in WRITES) and issubclass(KnowledgeBase, KnowledgeReader)


def test_a_reader_alone_serves_what_the_writer_published(kb, settings):
    reader = KnowledgeReader(settings, embedder=HashingEmbedder())
    try:
        assert [d.doc_id for d in reader.documents()] == [d.doc_id for d in kb.documents()]
        assert [h.chunk.chunk_id for h in reader.search("预备党员的预备期", k=3).hits] == \
               [h.chunk.chunk_id for h in kb.search("预备党员的预备期", k=3).hits]
        doc_id = kb.documents()[0].doc_id
        passages = reader.passages(doc_id)
        text = reader.document_text(doc_id)
        assert passages and all(text[p.char_start:p.char_end] == p.text for p in passages)
        assert reader.document_outline(doc_id) == kb.snapshot.store.document_outline(doc_id)
        assert reader.find_document("no_such_doc") is None
        with pytest.raises(UnknownDocumentError):
            reader.document("no_such_doc")
        digest = kb.document(doc_id).content_hash
        assert reader.document_with_content(digest).doc_id == doc_id  # type: ignore[union-attr]
    finally:
        reader.close()


def test_a_reader_before_any_index_has_no_documents_and_says_not_ready(settings):
    reader = KnowledgeReader(settings, embedder=HashingEmbedder())
    assert not reader.has_index() and reader.documents() == [] and reader.document_with_content("x") is None
    with pytest.raises(IndexNotReadyError):
        reader.search("党员")
