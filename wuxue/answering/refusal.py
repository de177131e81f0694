"""Decide whether the corpus covers a question, from retrieval signals calibrated on the gold set.

Signals: the top passage's cosine similarity (dense), the share of the question's
weighted terms found in it (lexical), and whether BM25 and the dense model agree.
``wuxue eval --calibrate`` fits the weights and threshold and rewrites the JSON file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from wuxue.answering.evidence import coverage
from wuxue.index.searcher import SearchResult

CALIBRATION_FILE = "refusal.json"


@dataclass(frozen=True)
class RefusalModel:
    dense_weight: float = 0.5
    coverage_weight: float = 0.5
    agreement_bonus: float = 0.05
    threshold: float = 0.55

    def score(self, features: dict[str, float]) -> float:
        return (self.dense_weight * features["dense"] + self.coverage_weight * features["coverage"]
                + self.agreement_bonus * features["agreement"])

    def covers(self, features: dict[str, float]) -> bool:
        return self.score(features) >= self.threshold

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def features(result: SearchResult) -> dict[str, float]:
    if not result.hits:
        return {"dense": 0.0, "coverage": 0.0, "agreement": 0.0}
    top = result.hits[0]
    best_coverage = max(coverage(result.tokens, hit.chunk.text + hit.chunk.section) for hit in result.hits[:3])
    agreement = 1.0 if top.sparse_score > 0 and result.max_sparse > 0 and top.sparse_score >= 0.5 * result.max_sparse else 0.0
    return {"dense": max(hit.dense_score for hit in result.hits[:3]), "coverage": best_coverage, "agreement": agreement}


def calibration_path() -> Path:
    return Path(str(resources.files("wuxue.answering").joinpath("resources", CALIBRATION_FILE)))


def load_refusal_model(path: Path | None = None) -> RefusalModel:
    path = path or calibration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RefusalModel()
    return RefusalModel(**{key: float(data[key]) for key in RefusalModel.__dataclass_fields__ if key in data})


def save_refusal_model(model: RefusalModel, path: Path | None = None, *, note: str = "") -> None:
    path = path or calibration_path()
    path.write_text(json.dumps({**model.to_dict(), "note": note}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
