"""Decide whether the corpus covers a question, from retrieval signals calibrated on the gold set.

The signals (``wuxue.answering.signals``) each give a reason to believe the corpus answers the question.
A logistic model over the standardised signals gives the odds that the question is out of
scope; ``wuxue eval --calibrate`` fits it and picks the threshold that refuses at most 3% of
in-scope questions. A question that names a document the corpus does not hold (《问责条例》…)
is always refused.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from wuxue.answering.signals import FEATURES, TOP_PASSAGES, features, idf
from wuxue.index.searcher import SearchResult

__all__ = ["CALIBRATION_FILE", "FEATURES", "LIST_MARGIN", "TOP_PASSAGES", "RefusalModel", "configured_refusal_model", "features",
           "idf", "kind_margin", "load_refusal_model", "save_refusal_model", "shipped_refusal_model"]

log = logging.getLogger(__name__)
CALIBRATION_FILE = "refusal.json"


@dataclass(frozen=True)
class RefusalModel:
    """Logistic model: ``score = bias + Σ w·(x − mean)/scale`` is the log-odds of "out of scope"."""

    mean: tuple[float, ...] = (0.8, 0.5, 1.5, 1.2, 0.5, 0.2, 0.8, 0.3)
    scale: tuple[float, ...] = (0.05, 0.2, 0.8, 0.6, 0.2, 0.4, 0.2, 0.2)
    weights: tuple[float, ...] = (-1.0, -1.0, -1.0, -1.0, -1.0, 1.0, -1.0, -1.0)
    bias: float = -2.0
    threshold: float = 0.0
    note: str = field(default="", compare=False)
    names: tuple[str, ...] = FEATURES  # the signals, in the order of mean/scale/weights (others only in studies)

    def score(self, values: dict[str, float]) -> float:
        total = self.bias
        for name, mean, scale, weight in zip(self.names, self.mean, self.scale, self.weights, strict=True):
            total += weight * (values[name] - mean) / (scale or 1.0)
        return total

    def covers(self, values: dict[str, float], margin: float = 0.0) -> bool:
        return self.score(values) <= self.threshold + margin

    def decide(self, result: SearchResult, values: dict[str, float] | None = None, *, margin: float = 0.0) -> bool:
        """True when the corpus covers the question (``values``: its signals, when already computed; ``margin``:
        how far past the threshold this kind of question may score and still be answered, see ``kind_margin``)."""
        if not result.hits or result.unknown_documents:
            return False
        return self.covers(values if values is not None else features(result), margin)

    @classmethod
    def always_answer(cls) -> "RefusalModel":
        return cls(threshold=math.inf)

    @classmethod
    def never_answer(cls) -> "RefusalModel":
        return cls(threshold=-math.inf)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["features"] = list(data.pop("names"))
        return data


# A list question (有哪些/哪几种) is refused only this far past the threshold. The near misses the model is fitted
# to refuse ask for one number, date or name the corpus lacks (差额比例不得少于百分之多少); a list question from a
# member's everyday story (当爹妈的，对还没成年的孩子到底要尽哪些义务) scores up to 1.2 past it on the 民法典 dev sets
# while its article lists the answer. Of the 68 out-of-scope questions 5 are list questions; the nearest refused one
# (办理护照需要准备哪些材料) scores 1.7 past the threshold (2.0 with the 民法典 uploaded). The margin lies between.
LIST_MARGIN = 1.3


def kind_margin(kind: str) -> float:
    """The threshold margin for a question of this kind (``question.Question.kind``)."""
    return LIST_MARGIN if kind == "list" else 0.0


def calibration_path() -> Path:
    """The model shipped with the package (read-only: ``--calibrate`` never writes here unless told to)."""
    return Path(str(resources.files("wuxue.answering").joinpath("resources", CALIBRATION_FILE)))


def data_dir_calibration(data_dir: Path) -> Path:
    """Where ``wuxue eval --calibrate`` writes by default, and where the service looks first."""
    return data_dir / CALIBRATION_FILE


def load_refusal_model(path: Path | None = None) -> RefusalModel:
    """The model in ``path`` (default: the shipped one); built-in defaults when the file is missing or stale."""
    path = path or calibration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RefusalModel()
    if data.get("features") != list(FEATURES):
        return RefusalModel()
    return RefusalModel(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
                        float(data["threshold"]), str(data.get("note", "")))


def configured_refusal_model(data_dir: Path, path: Path | None = None) -> RefusalModel:
    """The model a process uses, loaded once at start-up: ``path`` when given, else one calibrated for
    this data directory (``<data_dir>/refusal.json``) when present, else the shipped one."""
    if path is not None:
        if not path.is_file():
            log.warning("refusal model %s not found; using the shipped one", path)
            return load_refusal_model()
        return load_refusal_model(path)
    local = data_dir_calibration(data_dir)
    return load_refusal_model(local if local.is_file() else None)


@cache
def shipped_refusal_model() -> RefusalModel:
    """The shipped model, read once per process (for library callers that inject none)."""
    return load_refusal_model()


def save_refusal_model(model: RefusalModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
