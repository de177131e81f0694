"""Answering without an LLM: extractive answers with citations, and an honest refusal."""

from wuxue.answering.ask import AskResult, Citation, ask

__all__ = ["AskResult", "Citation", "ask"]
