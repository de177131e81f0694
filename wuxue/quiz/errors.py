"""Domain errors of quiz generation (the HTTP edge maps unknown codes to 400)."""

from __future__ import annotations

from wuxue.errors import WuxueError


class InvalidQuizSpecError(WuxueError):
    code = "invalid_quiz_spec"


class UnknownQuizItemError(WuxueError):
    code = "unknown_quiz_item"


class QuizSourceChangedError(WuxueError):
    code = "quiz_source_changed"
