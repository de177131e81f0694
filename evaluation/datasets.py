"""Load the gold question sets and CMRC 2018 (shipped as package data).

``gold_party.jsonl``/``gold_other.jsonl`` (175) and ``out_of_scope.jsonl`` (34 since oos-029 and oos-025 moved, see below) are the original sets.
``gold_added.jsonl`` (30) and ``out_of_scope_added.jsonl`` (29) were written later, from passages and
topics the original sets did not touch, after the rerank and the refusal signals had been designed on
the original sets: they are marked ``added`` so every report can show them apart as a check on overfitting.
``gold_added_2026.jsonl`` (25) and ``out_of_scope_added_2026.jsonl`` (5) cover the three texts bundled in
2026 (党员教育管理工作条例, 发展党员工作细则, 三中全会决定); three near-miss questions those texts answer
(oos-029, oos-added-025, and oos-025: 条例第二十条 says 一般不少于32学时) moved from out of scope to
``gold_added_2026.jsonl``. They count as added too.
"""

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
    added: bool = False  # from gold_added.jsonl


@dataclass(frozen=True)
class OutOfScopeQuestion:
    id: str
    question: str
    category: str
    added: bool = False  # from out_of_scope_added.jsonl


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _optional(path: Path) -> list[dict[str, str]]:
    return _jsonl(path) if path.is_file() else []


def gold_questions(folder: Path | None = None, *, added: bool = True) -> list[GoldQuestion]:
    folder = folder or data_dir()
    rows = _jsonl(folder / "gold_party.jsonl") + _jsonl(folder / "gold_other.jsonl")
    extra = _optional(folder / "gold_added.jsonl") + _optional(folder / "gold_added_2026.jsonl") if added else []
    return [GoldQuestion(**row) for row in rows] + [GoldQuestion(**row, added=True) for row in extra]


def out_of_scope_questions(folder: Path | None = None, *, added: bool = True) -> list[OutOfScopeQuestion]:
    folder = folder or data_dir()
    extra = _optional(folder / "out_of_scope_added.jsonl") + _optional(folder / "out_of_scope_added_2026.jsonl") if added else []
    return ([OutOfScopeQuestion(**row) for row in _jsonl(folder / "out_of_scope.jsonl")]
            + [OutOfScopeQuestion(**row, added=True) for row in extra])


def story_out_of_scope_questions(folder: Path | None = None) -> list[OutOfScopeQuestion]:
    """Everyday legal questions in members' words (40 stories, 20 plain) answered by laws the corpus and the kept-out
    民法典 do not hold (劳动合同法, 刑法, 道路交通安全法…): written in session 9 to see whether the refusal model,
    fitted on short questions, refuses a member's story it cannot answer. Not in the calibration set."""
    rows = _jsonl((folder or data_dir()) / "out_of_scope_story.jsonl")
    return [OutOfScopeQuestion(row["id"], row["question"], row["category"], added=True) for row in rows]


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
