"""The ``wuxue quiz`` command body: generate a set, export it, say what fell short."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from wuxue.errors import InvalidQuizSpecError
from wuxue.quiz.generator import QuizSpec, generate_quiz

if TYPE_CHECKING:
    from wuxue.knowledge_reader import KnowledgeReader

TEXT_FORMATS = {"json", "txt", "gift", "aiken"}


def export_bytes(items: list[dict], fmt: str, *, answers: str, title: str) -> bytes:
    """Through the exporters; JSON never needs them (``{"items": [...]}``)."""
    try:
        from wuxue.quiz.export import export_quiz
    except ImportError:  # pragma: no cover - exporters are optional while they are being written
        if fmt != "json":
            raise InvalidQuizSpecError(f"导出格式 {fmt} 暂不可用") from None
        return json.dumps({"items": items}, ensure_ascii=False, indent=2).encode("utf-8")
    return export_quiz(items, fmt, answers=answers, title=title)


def run_quiz(kb: KnowledgeReader, *, doc_ids: Sequence[str], sections: Sequence[str], counts: Mapping[str, int], difficulty: str,
             seed: int, fmt: str, answers: str, output: Path | None) -> None:
    if output is None and fmt not in TEXT_FORMATS:
        raise InvalidQuizSpecError(f"{fmt} 格式需要用 -o 指定输出文件")
    spec = QuizSpec(tuple(doc_ids), {k: v for k, v in counts.items() if v}, tuple(sections), difficulty, seed)
    result = generate_quiz(kb, spec)
    titles = "、".join(f"《{kb.document(d).title}》" for d in spec.doc_ids)
    data = export_bytes(result.items, fmt, answers=answers, title=f"{titles}学习测试题")
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        if not data.endswith(b"\n"):
            sys.stdout.write("\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        typer.echo(f"已生成 {len(result.items)} 道题 → {output}", err=True)
    for short in result.shortfall:
        typer.secho(f"  {short['type']}：要求 {short['requested']} 道，生成 {short['produced']} 道。{short['reason']}", fg=typer.colors.YELLOW, err=True)
    if result.rejected:
        dropped = "，".join(f"{gate} {n}" for gate, n in result.rejected.items())
        typer.echo(f"  质量检查淘汰的候选题：{dropped}", err=True)
