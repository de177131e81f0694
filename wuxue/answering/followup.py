"""Elliptical follow-ups (那权利呢？/还有呢？/它的任期多长？) read against the member's previous question, without an LLM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Resolution:
    question: str  # the question to answer: the follow-up made whole, or the question as asked
    resolved: bool  # True when the question was a follow-up and was rewritten
    note: str = ""  # what the page shows, e.g. “按‘党员有哪些权利’理解”


def resolve_followup(question: str, history: Sequence[str] = ()) -> Resolution:
    """The question as asked (follow-up resolution lands in the next commit)."""
    return Resolution(question, False)
