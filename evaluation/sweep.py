"""Parameter sweep behind the defaults: chunk size, context prefix and fusion, scored on the gold set.

Run: ``python -m wuxue.evaluation.sweep`` (uses the embedding cache; each new chunking embeds once).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from wuxue.evaluation.datasets import gold_questions
from wuxue.evaluation.metrics import retrieval_metrics
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings, load_settings

CHUNK_SIZES = (200, 300, 400, 500)
PREFIXES = ("section", "title_section")
FUSIONS = (  # (method, (dense, jieba words, char bigrams))
    ("rrf", (0.5, 0.5, 0.0)), ("rrf", (0.3, 0.7, 0.0)), ("rrf", (0.3, 0.3, 0.4)),
    ("weighted", (0.5, 0.5, 0.0)), ("weighted", (0.3, 0.7, 0.0)), ("weighted", (0.3, 0.35, 0.35)),
    ("weighted", (0.2, 0.4, 0.4)), ("weighted", (0.3, 0.2, 0.5)), ("weighted", (0.3, 0.1, 0.6)),
    ("weighted", (0.3, 0.0, 0.7)), ("weighted", (0.4, 0.1, 0.5)),
)


def gold_retrieval(kb: KnowledgeBase) -> dict[str, float]:
    gold = gold_questions()
    rankings = [[hit.chunk.text for hit in kb.search(q.question, k=10).hits] for q in gold]
    return retrieval_metrics(rankings, [[q.span] for q in gold])


def sweep(base: Settings, corpus: Path, *, chunk_sizes=CHUNK_SIZES, prefixes=PREFIXES, fusions=FUSIONS) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    shared = KnowledgeBase(base).embedder.inner
    for size, prefix in itertools.product(chunk_sizes, prefixes):
        overlap = size // 5
        scratch = base.cache_dir / "eval" / f"sweep-{shared.model_id}-{size}-{overlap}-{prefix}"
        settings = base.model_copy(update={"data_dir": scratch, "chunk_size": size, "chunk_overlap": overlap, "context_prefix": prefix})
        builder_kb = KnowledgeBase(settings, embedder=shared)
        builder_kb.ingest_paths([corpus])
        chunks = builder_kb.snapshot.manifest.chunks
        for method, (dense, words, bigrams) in fusions:
            update = {"fusion": method, "dense_weight": dense, "word_weight": words, "bigram_weight": bigrams}
            kb = KnowledgeBase(settings.model_copy(update=update), embedder=shared)
            metrics = gold_retrieval(kb)
            row = {"chunk_size": size, "overlap": overlap, "prefix": prefix, "fusion": method, "weights": f"{dense}/{words}/{bigrams}", "chunks": chunks, **metrics}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus")
    rows = sweep(load_settings(), corpus)
    print("\n| chunk size | prefix | fusion | weights dense/words/bigrams | chunks | hit@1 | hit@5 | MRR@10 |\n|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (-float(r["hit@5"]), -float(r["mrr@10"]))):
        print(f"| {r['chunk_size']} | {r['prefix']} | {r['fusion']} | {r['weights']} | {r['chunks']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr@10']:.3f} |")


if __name__ == "__main__":
    main()
