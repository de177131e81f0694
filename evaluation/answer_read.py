"""Draw member questions for a blind read of the answers (issue 12: measure what the member reads).

Each drawn question is answered twice, by the current answer builder and by the one before issue 12
(``answer_eval.legacy_ask``); both answers are written as the page shows them (the text with its [n] markers and,
below it, each citation's document and section), shuffled together under opaque ids, so a reader grades them
against ``evaluation/data/answer_read_rubric.md`` without knowing which is which. The key (id → version, set,
question id) goes to a separate file; ``summarize`` joins the reader's grades with it.

    python -m wuxue.evaluation.answer_read draw --out evaluation/results/answer_read_blind.jsonl \
        --key evaluation/results/answer_read_key.jsonl
    python -m wuxue.evaluation.answer_read summarize evaluation/results/answer_read_grades.jsonl \
        evaluation/results/answer_read_key.jsonl

A held-out set is drawn on the scratch index that holds its upload (``wuxue eval`` builds it under the cache
directory): ``draw --set heldout_civil7=30 --data-dir ~/.cache/wuxue/eval/heldout-…``.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from wuxue.evaluation.answer_sets import AnswerQuestion, answer_questions, data_dir

if TYPE_CHECKING:
    from wuxue.answering import AskResult
    from wuxue.knowledge_base import KnowledgeBase

GRADES = ("answers", "partly", "fails")
SETS = {"after2": 25, "": 15}  # folder (""= the original set) → questions drawn from it

app = typer.Typer(add_completion=False)


def _shown(result: AskResult) -> str:
    """The answer as the page shows it: the text, then the sources it cites (a refusal: the nearest passages, under
    可能相关, as the page lists them; session 9's civil9 read was drawn before they were shown here)."""
    if not result.found:
        nearest = [f"{c.title} {c.section}\n{c.text}".rstrip() for c in result.citations]
        return (result.answer or "知识库中未找到与该问题相关的内容。") + ("\n可能相关：\n" + "\n".join(nearest) if nearest else "")
    sources = [f"[{c.marker}] {c.title} {c.section}".rstrip() for c in result.citations]
    return result.answer + ("\n——\n" + "\n".join(sources) if sources else "")


def draw_questions(sets: dict[str, int], seed: int) -> list[tuple[str, AnswerQuestion]]:
    """``sets[name]`` questions from each set, the original ones not marked ``added``, at a fixed seed."""
    rng = random.Random(seed)
    drawn: list[tuple[str, AnswerQuestion]] = []
    for name, size in sets.items():
        pool = [q for q in answer_questions(data_dir() / name if name else None) if name or not q.added]
        drawn += [(name or "original", q) for q in rng.sample(pool, min(size, len(pool)))]
    return drawn


def blind_records(kb: KnowledgeBase, drawn: Sequence[tuple[str, AnswerQuestion]], seed: int) -> tuple[list[dict], list[dict]]:
    """(records for the reader, key): both versions of each answer under shuffled opaque ids."""
    from wuxue.answering import ask
    from wuxue.answering.refusal import configured_refusal_model
    from wuxue.evaluation.answer_eval import legacy_ask

    refusal = configured_refusal_model(kb.settings.data_dir)
    rows = []
    for set_name, question in drawn:
        for version, result in (("after", ask(kb, question.question, refusal=refusal)),
                                ("before", legacy_ask(kb, question.question, refusal=refusal))):
            rows.append(({"question": question.question, "answer": _shown(result)},
                         {"version": version, "set": set_name, "question_id": question.id}))
    random.Random(seed).shuffle(rows)
    records, key = [], []
    for n, (record, meta) in enumerate(rows, 1):
        records.append({"id": f"r{n:03d}", **record})
        key.append({"id": f"r{n:03d}", **meta})
    return records, key


def summarize(grades: Sequence[dict], key: Sequence[dict]) -> dict[str, dict[str, object]]:
    """Share of each grade and count of each defect code, by version (and by version and set)."""
    meta = {row["id"]: row for row in key}
    groups: dict[str, list[dict]] = defaultdict(list)
    for grade in grades:
        row = meta[grade["id"]]
        groups[row["version"]].append(grade)
        groups[f"{row['version']} · {row['set']}"].append(grade)
    summary: dict[str, dict[str, object]] = {}
    for name, members in sorted(groups.items()):
        counts = Counter(g["grade"] for g in members)
        defects = Counter(code for g in members for code in g.get("defects", []))
        summary[name] = {"n": len(members), **{g: round(counts[g] / len(members), 3) for g in GRADES},
                         "defects": dict(sorted(defects.items()))}
    return summary


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: Sequence[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def parse_sets(specs: Sequence[str]) -> dict[str, int]:
    """``heldout_civil7=30`` → {"heldout_civil7": 30}; none given: the session-6 draw (``SETS``)."""
    sets: dict[str, int] = {}
    for spec in specs:
        name, _, size = spec.partition("=")
        if not size.isdigit():
            raise typer.BadParameter(f"{spec}: expected SET=N")
        sets["" if name == "original" else name] = int(size)
    return sets or dict(SETS)


@app.command()
def draw(out: Path = typer.Option(..., "--out"), key: Path = typer.Option(..., "--key"),
         seed: int = typer.Option(2026, "--seed"), data_dir_: Path | None = typer.Option(None, "--data-dir"),
         sets: list[str] = typer.Option([], "--set", help="SET=N questions from a set (repeatable); a held-out set "
                                        "is read on the index that holds its upload (--data-dir)")) -> None:
    """Answer the drawn questions with both versions and write the blind records and their key."""
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    settings = load_settings()
    if data_dir_ is not None:
        settings = settings.model_copy(update={"data_dir": data_dir_})
    kb = KnowledgeBase(settings)
    kb.load()
    records, meta = blind_records(kb, draw_questions(parse_sets(sets), seed), seed)
    _write(out, records)
    _write(key, meta)
    typer.echo(f"{len(records)} answers to read → {out} (key: {key})")


@app.command("summarize")
def summarize_command(grades: Path, key: Path) -> None:
    """Print the grade shares by version from the reader's grades and the key."""
    typer.echo(json.dumps(summarize(_jsonl(grades), _jsonl(key)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    app()
