"""Limits a deployment sets (``WUXUE_MAX_QUESTION_CHARS``, ``WUXUE_QUIZ_MAX_ITEMS`` …), checked when a request arrives.

A schema's static ``max_length`` is fixed when the module is imported, so it would override the setting;
the checks here read the running app's settings instead. A breach is reported exactly as a schema's own
is (422 ``invalid_request``, e.g. "question 过长"), so clients see no difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from wuxue.settings import Settings

Location = tuple[str | int, ...]
Problem = dict[str, Any]


def app_settings(request: Request) -> Settings:
    """The settings the app was started with (set in the lifespan)."""
    return request.app.state.settings


def too_long(location: Location, text: str, limit: int) -> list[Problem]:
    if len(text) <= limit:
        return []
    return [{"type": "string_too_long", "loc": location, "msg": f"String should have at most {limit} characters", "ctx": {"max_length": limit}}]


def too_many(location: Location, items: Sequence[object], limit: int) -> list[Problem]:
    if len(items) <= limit:
        return []
    return [{"type": "too_long", "loc": location, "msg": f"List should have at most {limit} items", "ctx": {"max_length": limit}}]


def above(location: Location, value: int, limit: int) -> list[Problem]:
    if value <= limit:
        return []
    return [{"type": "less_than_equal", "loc": location, "msg": f"Input should be less than or equal to {limit}", "ctx": {"le": limit}}]


def check(problems: list[Problem]) -> None:
    """Refuse the request with every problem found, as request validation does."""
    if problems:
        raise RequestValidationError(problems)
