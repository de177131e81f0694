"""The retrieval modes every evaluation table reports, with their row labels."""

MODES = (
    ("hybrid", "ours: hybrid"),
    ("dense", "ours: dense only"),
    ("words", "ours: BM25 (jieba words) only"),
    ("bigrams", "ours: BM25 (char bigrams) only"),
)
