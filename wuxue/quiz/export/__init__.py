"""Quiz exports: Word, Excel, plain text, GIFT, Aiken, JSON — one small module per format.

``export_quiz(items, fmt, answers=..., title=...)`` turns item records (the JSON export's ``items``)
into file bytes. ``answers`` (``none`` / ``inline`` / ``end``) matters for the printed formats
(Word, plain text; Excel blanks its answer columns for ``none``); JSON, GIFT and Aiken are import
formats and always carry the answers. Aiken holds only single-answer questions: see ``skipped``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wuxue.errors import ExportFormatError
from wuxue.quiz.export import aiken, excel, gift, json_file, plaintext, word
from wuxue.quiz.export.common import ANSWER_MODES, Item, check_answers_mode

FORMATS = ("json", "docx", "xlsx", "txt", "gift", "aiken")
MEDIA_TYPES = {
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
}
EXTENSIONS = {"json": ".json", "docx": ".docx", "xlsx": ".xlsx", "txt": ".txt", "gift": ".gift.txt", "aiken": ".aiken.txt"}
FORMAT_LABELS = {"json": "JSON", "docx": "Word", "xlsx": "Excel", "txt": "纯文本", "gift": "Moodle GIFT", "aiken": "Aiken"}

_RENDERERS: dict[str, Callable[..., bytes]] = {
    "json": json_file.render, "docx": word.render, "xlsx": excel.render,
    "txt": plaintext.render, "gift": gift.render, "aiken": aiken.render,
}

__all__ = [
    "ANSWER_MODES", "EXTENSIONS", "FORMATS", "FORMAT_LABELS", "MEDIA_TYPES",
    "check_export_args", "export_quiz", "skipped",
]


def _check_format(fmt: str) -> None:
    if fmt not in _RENDERERS:
        raise ExportFormatError(f"不支持的导出格式：{fmt}（可选：{'、'.join(FORMATS)}）")


def check_export_args(fmt: str, answers: str) -> None:
    """Raise ExportFormatError / AnswerModeError before any work is done."""
    _check_format(fmt)
    check_answers_mode(answers)


def export_quiz(items: Sequence[Item], fmt: str, *, answers: str = "end", title: str = "") -> bytes:
    """File bytes of ``items`` in ``fmt``; raises ExportFormatError / AnswerModeError on a bad argument."""
    check_export_args(fmt, answers)
    return _RENDERERS[fmt](list(items), answers=answers, title=title)


def skipped(items: Sequence[Item], fmt: str) -> int:
    """How many items ``fmt`` cannot hold and leaves out (only Aiken skips: 多选 and 填空)."""
    _check_format(fmt)
    return aiken.skipped(items) if fmt == "aiken" else 0
