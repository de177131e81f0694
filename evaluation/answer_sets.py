"""Issue-12 answer sets: member questions with every required piece, and pasted quiz items with their keys.

``answers.jsonl`` and ``quiz_forms.jsonl`` (evaluation/data) cover the bundled corpus; ``heldout/`` holds one
official text kept out of every tuning choice, with its own questions (FORMATS.md in the issue's notes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from wuxue.evaluation.datasets import data_dir

HELDOUT = "heldout"


@dataclass(frozen=True)
class AnswerQuestion:
    id: str
    question: str
    kind: str
    doc_ids: list[str]
    pieces: list[str]
    article: str = ""
    single_fact: bool = False
    added: bool = False


@dataclass(frozen=True)
class QuizItem:
    id: str
    form: str  # single | multi | blank | judge
    question: str
    key: str
    doc_ids: list[str]
    added: bool = False


def _rows(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answer_questions(folder: Path | None = None) -> list[AnswerQuestion]:
    return [AnswerQuestion(**row) for row in _rows((folder or data_dir()) / "answers.jsonl")]  # type: ignore[arg-type]


def quiz_items(folder: Path | None = None) -> list[QuizItem]:
    return [QuizItem(**row) for row in _rows((folder or data_dir()) / "quiz_forms.jsonl")]  # type: ignore[arg-type]


def heldout_dir() -> Path:
    return data_dir() / HELDOUT


# each: kept-out documents and their questions, reported apart; a set without documents of its own
# (heldout_civil2: new questions on the 民法典 upload) is asked of the same upload
HELDOUT_SETS = (HELDOUT, "heldout_civil", "heldout_civil2", "heldout_civil3", "heldout_civil4", "heldout_civil5",
                "heldout_civil6", "heldout_civil7", "heldout_civil8", "heldout_civil9", "heldout_civil10")
CIVIL_SETS = tuple(name for name in HELDOUT_SETS if name.startswith("heldout_civil"))  # every set asked of the 民法典 upload
AFTER = "after"  # questions over the bundled corpus written blind after the issue-12 changes (session 5)
AFTER_SETS = (AFTER, "after2")  # after2: written blind on 2026-12-02, before session 6's changes were measured on it
UPLOADABLE = (".txt", ".pdf", ".docx")


def heldout_dirs() -> list[Path]:
    return [data_dir() / name for name in HELDOUT_SETS if (data_dir() / name).is_dir()]


def after_dirs() -> list[Path]:
    return [data_dir() / name for name in AFTER_SETS if (data_dir() / name).is_dir()]


def heldout_documents(folder: Path | None = None) -> list[Path]:
    """The kept-out documents of one set (default: the first), uploaded during the evaluation run, never in the base index."""
    folder = folder or heldout_dir()
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in UPLOADABLE) if folder.is_dir() else []
