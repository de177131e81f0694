"""Load the gold question sets and CMRC 2018 (shipped as package data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


def data_dir() -> Path:
    return Path(str(resources.files("wuxue.evaluation").joinpath("data")))


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    doc_id: str
    span: str
    type: str


@dataclass(frozen=True)
class OutOfScopeQuestion:
    id: str
    question: str
    category: str


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_questions(folder: Path | None = None) -> list[GoldQuestion]:
    folder = folder or data_dir()
    rows = _jsonl(folder / "gold_party.jsonl") + _jsonl(folder / "gold_other.jsonl")
    return [GoldQuestion(**row) for row in rows]


def out_of_scope_questions(folder: Path | None = None) -> list[OutOfScopeQuestion]:
    return [OutOfScopeQuestion(**row) for row in _jsonl((folder or data_dir()) / "out_of_scope.jsonl")]


@dataclass(frozen=True)
class CmrcContext:
    context_id: str
    title: str
    text: str
    questions: list[tuple[str, list[str]]]  # (question, gold answers)


def cmrc_contexts(path: Path | None = None) -> list[CmrcContext]:
    data = json.loads((path or data_dir() / "cmrc2018_dev.json").read_text(encoding="utf-8"))
    return [
        CmrcContext(
            item["context_id"], item.get("title", ""), item["context_text"],
            [(qa["query_text"], list(dict.fromkeys(str(a) for a in qa["answers"] if str(a).strip()))) for qa in item["qas"]],
        )
        for item in data
    ]
