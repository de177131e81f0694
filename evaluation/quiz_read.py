"""Draw quiz items for a blind read by a question setter (issue 13).

Builds the ten sets a study-group leader would make (党章 ×4 including ``hard`` and one section, 纪律处分条例,
二十大报告, 党内政治生活准则, 科普法 and both society documents), then draws ``--size`` items at a fixed seed,
spread over item types and documents. Each drawn item is written as a plain record (stem, options, key, source
quote) with no trace of which code made it, so samples from two versions can be shuffled together and graded
blind against ``evaluation/data/quiz_read_rubric.md``.

    python -m wuxue.evaluation.quiz_read --out evaluation/results/quiz_read_after.jsonl
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from wuxue.knowledge_base import KnowledgeBase

COUNTS = {"single": 6, "multi": 4, "blank": 5, "judge": 5}
TYPE_NAMES = {"single": "单选", "multi": "多选", "blank": "填空", "judge": "判断"}


@dataclass(frozen=True)
class LeaderSet:
    """One set as a leader would request it."""

    name: str
    doc_ids: tuple[str, ...]
    difficulty: str = "medium"
    sections: tuple[str, ...] = ()
    seed: int = 1
    counts: dict[str, int] = field(default_factory=lambda: dict(COUNTS))


LEADER_SETS: tuple[LeaderSet, ...] = (
    LeaderSet("党章", ("dangzhang_2022",), seed=1),
    LeaderSet("党章·第二次", ("dangzhang_2022",), seed=2),
    LeaderSet("党章·难", ("dangzhang_2022",), difficulty="hard", seed=3),
    LeaderSet("党章·第一章 党员", ("dangzhang_2022",), sections=("第一章",), seed=4),
    LeaderSet("纪律处分条例", ("jilv_chufen_tiaoli_2023",)),
    LeaderSet("二十大报告", ("xi_report_20th_congress_2022",)),
    LeaderSet("党内政治生活准则", ("dangnei_zhengzhi_shenghuo_zhunze_2016",)),
    LeaderSet("科普法", ("kexue_jishu_puji_fa_2024",)),
    LeaderSet("中国通信学会党建文章", ("cic_dangjian_2024",)),
    LeaderSet("南京机械工程学会党建计划", ("njmes_dangjian_plan_2023",)),
)


def _record(set_name: str, item: dict) -> dict:
    """The item as a setter reads it on paper: no ids, scores or gate traces."""
    citation = item.get("citation", {})
    return {
        "set": set_name,
        "type": TYPE_NAMES.get(item.get("type", ""), item.get("type", "")),
        "stem": item.get("stem", ""),
        "options": [f"{o.get('key', '')}. {o.get('text', '')}" for o in item.get("options", [])],
        "key": item.get("answer", {}).get("keys", []),
        "answer_texts": item.get("answer", {}).get("texts", []),
        "source": f"{citation.get('title', '')} {citation.get('section', '')}".strip(),
        "quote": citation.get("quote", ""),
    }


def leader_items(kb: KnowledgeBase, sets: Sequence[LeaderSet] = LEADER_SETS) -> Iterator[dict]:
    from wuxue.quiz.generator import QuizSpec, generate_quiz

    for leader_set in sets:
        spec = QuizSpec(doc_ids=leader_set.doc_ids, counts=leader_set.counts, sections=leader_set.sections,
                        difficulty=leader_set.difficulty, seed=leader_set.seed)
        for item in generate_quiz(kb, spec).items:
            yield _record(leader_set.name, item)


def draw(records: Sequence[dict], size: int, seed: int) -> list[dict]:
    """``size`` records spread round-robin over (set, type) groups, so every document and type is read."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        groups[(record["set"], record["type"])].append(record)
    for members in groups.values():
        rng.shuffle(members)
    keys = sorted(groups)
    rng.shuffle(keys)
    drawn: list[dict] = []
    while len(drawn) < size and any(groups[k] for k in keys):
        for key in keys:
            if groups[key] and len(drawn) < size:
                drawn.append(groups[key].pop())
    return drawn


def main(
    out: Path = typer.Option(..., "--out", help="JSONL of drawn items"),
    size: int = typer.Option(40, "--size"),
    seed: int = typer.Option(2026, "--seed"),
    data_dir: Path | None = typer.Option(None, "--data-dir"),
) -> None:
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    kb = KnowledgeBase(load_settings(data_dir=data_dir))
    drawn = draw(list(leader_items(kb)), size, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in drawn), encoding="utf-8")
    typer.echo(f"{len(drawn)} items from {len({r['set'] for r in drawn})} sets → {out}")


if __name__ == "__main__":
    typer.run(main)
