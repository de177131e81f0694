"""Parameter sweep behind the defaults, scored on the gold set.

Stage 1: chunk size, context prefix and first-stage fusion (with the current routing and rerank).
Stage 2: at the default chunking and fusion, the document-name routing boost and the rerank
weights; the choice is also cross-validated (pick the best setting on four fifths of the
questions, score it on the fifth) so the table says how much of its gain is fitted to these questions.

Run: ``python -m wuxue.evaluation.sweep corpus [--stage 1|2|all] [-o evaluation/results/sweep.md]``
(uses the embedding cache; each new chunking embeds once).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from wuxue.evaluation.datasets import GoldQuestion, gold_questions
from wuxue.evaluation.metrics import first_hit_rank, retrieval_metrics
from wuxue.index.rerank import RerankConfig
from wuxue.index.searcher import FusionConfig, HybridSearcher, QueryVectorCache
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
ROUTE_BOOSTS = (0.0, 0.2, 0.5, 1.0)
UNIT_WEIGHTS = (0.0, 0.3)
DEFINITION_WEIGHTS = (0.0, 0.05, 0.1, 0.2)
SENTENCE_WEIGHTS = (0.0, 0.05, 0.1, 0.2)


def first_ranks(search: HybridSearcher, gold: Sequence[GoldQuestion]) -> list[int | None]:
    return [first_hit_rank([hit.chunk.text for hit in search.search(q.question, k=10).hits], [q.span], 10) for q in gold]


def metrics_of(ranks: Sequence[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {"hit@1": sum(1 for r in ranks if r == 1) / n, "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
            "mrr@10": sum(1.0 / r for r in ranks if r is not None) / n}


def _order(m: dict[str, float]) -> tuple[float, float, float]:
    return (m["hit@1"], m["mrr@10"], m["hit@5"])


def gold_retrieval(kb: KnowledgeBase) -> dict[str, float]:
    gold = gold_questions()
    rankings = [[hit.chunk.text for hit in kb.search(q.question, k=10).hits] for q in gold]
    return retrieval_metrics(rankings, [[q.span] for q in gold])


def stage_one(base: Settings, corpus: Path, *, chunk_sizes=CHUNK_SIZES, prefixes=PREFIXES, fusions=FUSIONS) -> list[dict[str, object]]:
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
            row = {"chunk_size": size, "overlap": overlap, "prefix": prefix, "fusion": method,
                   "weights": f"{dense}/{words}/{bigrams}", "chunks": chunks, **gold_retrieval(kb)}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def stage_two(base: Settings) -> tuple[list[dict[str, object]], dict[str, float]]:
    """Routing boost × rerank weights at the default chunking/fusion; and a 5-fold estimate of choosing among them."""
    kb = KnowledgeBase(base)
    gold = gold_questions()
    vectors = QueryVectorCache(kb.embedder.inner)
    default = kb.fusion_config()
    rows, ranks = [], []
    for boost, unit, definition, sentence in itertools.product(ROUTE_BOOSTS, UNIT_WEIGHTS, DEFINITION_WEIGHTS, SENTENCE_WEIGHTS):
        config: FusionConfig = replace(default, route_boost=boost, rerank=RerankConfig(
            unit_weight=unit, definition_weight=definition, sentence_weight=sentence))
        found = first_ranks(HybridSearcher(kb.snapshot, vectors, kb.analyzers, config), gold)
        original = [r for r, q in zip(found, gold) if not q.added]
        row = {"route_boost": boost, "unit": unit, "definition": definition, "sentence": sentence,
               **metrics_of(found), "original": metrics_of(original)}
        rows.append(row)
        ranks.append(found)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows, cross_validated_choice(ranks)


def cross_validated_choice(ranks: Sequence[Sequence[int | None]], *, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Choose the setting on 4/5 of the questions, score it on the held-out 1/5; pooled over the folds."""
    count = len(ranks[0])
    order = np.random.default_rng(seed).permutation(count)
    held_out: list[int | None] = []
    for fold in np.array_split(order, folds):
        test = set(int(i) for i in fold)
        train = [i for i in range(count) if i not in test]
        best = max(range(len(ranks)), key=lambda s: _order(metrics_of([ranks[s][i] for i in train])))
        held_out += [ranks[best][i] for i in sorted(test)]
    return metrics_of(held_out)


def _stage_one_table(rows: Sequence[dict[str, object]]) -> list[str]:
    lines = ["| chunk size | prefix | fusion | weights dense/words/bigrams | chunks | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (-float(r["hit@5"]), -float(r["mrr@10"]))):  # type: ignore[arg-type]
        lines.append(f"| {r['chunk_size']} | {r['prefix']} | {r['fusion']} | {r['weights']} | {r['chunks']} | "
                     f"{r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr@10']:.3f} |")
    return lines


def _stage_two_table(rows: Sequence[dict[str, object]], cv: dict[str, float]) -> list[str]:
    lines = ["| route boost | 第X条 unit | definition | best sentence | hit@1 | hit@5 | MRR@10 | original 175: hit@1 | hit@5 | MRR@10 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (-float(r["hit@1"]), -float(r["mrr@10"]))):  # type: ignore[arg-type]
        o = r["original"]
        assert isinstance(o, dict)
        lines.append(f"| {r['route_boost']} | {r['unit']} | {r['definition']} | {r['sentence']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | "
                     f"{r['mrr@10']:.3f} | {o['hit@1']:.3f} | {o['hit@5']:.3f} | {o['mrr@10']:.3f} |")
    lines += ["", f"Choosing among these settings by 5-fold cross-validation (best hit@1 on 4/5, scored on the held-out 1/5): "
              f"hit@1 {cv['hit@1']:.3f}, hit@5 {cv['hit@5']:.3f}, MRR@10 {cv['mrr@10']:.3f}."]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="corpus", type=Path)
    parser.add_argument("--stage", choices=("1", "2", "all"), default="all")
    parser.add_argument("-o", "--output", type=Path, help="write the tables as Markdown")
    args = parser.parse_args(argv)
    base = load_settings()
    lines: list[str] = []
    if args.stage in ("1", "all"):
        lines += ["## Stage 1: chunking and fusion (route boost and rerank at their defaults), sorted by hit@5 then MRR", ""]
        lines += _stage_one_table(stage_one(base, args.corpus)) + [""]
    if args.stage in ("2", "all"):
        rows, cv = stage_two(base)
        lines += ["## Stage 2: document-name routing and second-stage rerank weights (default chunking and fusion), sorted by hit@1", ""]
        lines += _stage_two_table(rows, cv) + [""]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
