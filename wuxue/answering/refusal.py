"""Decide whether the corpus covers a question, from retrieval signals calibrated on the gold set.

Signals of the top passages: cosine similarity (dense), the share of the question's character
bigrams they contain, and word- and bigram-BM25 scores per query term. A logistic model over
the standardised signals gives the odds that the question is out of scope; ``wuxue eval
--calibrate`` fits it and picks the threshold that refuses at most 3% of in-scope questions.
A question that names a document the corpus does not hold (《问责条例》…) is always refused.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from wuxue.index.searcher import SearchResult

CALIBRATION_FILE = "refusal.json"
FEATURES = ("dense", "bigram_coverage", "word_bm25_per_term", "bigram_bm25_per_term")


def features(result: SearchResult) -> dict[str, float]:
    top = result.hits[:3]
    if not top:
        return dict.fromkeys(FEATURES, 0.0)
    query_bigrams = set(result.bigrams)
    bigram_count = max(len(query_bigrams), 1)

    def bigram_share(text: str) -> float:
        return sum(1 for gram in query_bigrams if gram in text) / bigram_count

    return {
        "dense": max(hit.dense_score for hit in top),
        "bigram_coverage": max(bigram_share(hit.chunk.section + hit.chunk.text) for hit in top),
        "word_bm25_per_term": result.max_sparse / max(len(set(result.tokens)), 1),
        "bigram_bm25_per_term": max(hit.bigram_score for hit in top) / bigram_count,
    }


@dataclass(frozen=True)
class RefusalModel:
    """Logistic model: ``score = bias + Σ w·(x − mean)/scale`` is the log-odds of "out of scope"."""

    mean: tuple[float, ...] = (0.8, 0.5, 1.5, 1.2)
    scale: tuple[float, ...] = (0.05, 0.2, 0.8, 0.6)
    weights: tuple[float, ...] = (-1.0, -1.0, -1.0, -1.0)
    bias: float = -2.0
    threshold: float = 0.0
    note: str = field(default="", compare=False)

    def score(self, values: dict[str, float]) -> float:
        total = self.bias
        for name, mean, scale, weight in zip(FEATURES, self.mean, self.scale, self.weights):
            total += weight * (values[name] - mean) / (scale or 1.0)
        return total

    def covers(self, values: dict[str, float]) -> bool:
        return self.score(values) <= self.threshold

    def decide(self, result: SearchResult) -> bool:
        """True when the corpus covers the question."""
        return bool(result.hits) and not result.unknown_documents and self.covers(features(result))

    @classmethod
    def always_answer(cls) -> "RefusalModel":
        return cls(threshold=math.inf)

    @classmethod
    def never_answer(cls) -> "RefusalModel":
        return cls(threshold=-math.inf)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "features": list(FEATURES)}


def calibration_path() -> Path:
    return Path(str(resources.files("wuxue.answering").joinpath("resources", CALIBRATION_FILE)))


def load_refusal_model(path: Path | None = None) -> RefusalModel:
    path = path or calibration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RefusalModel()
    if data.get("features") != list(FEATURES):
        return RefusalModel()
    return RefusalModel(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
                        float(data["threshold"]), str(data.get("note", "")))


def save_refusal_model(model: RefusalModel, path: Path | None = None) -> None:
    path = path or calibration_path()
    path.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
