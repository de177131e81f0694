"""Turn chunks into searchable indexes (dense FAISS, sparse BM25), fuse them, persist them.

Knows nothing of HTTP.
"""
