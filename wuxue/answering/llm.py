"""Optional LLM synthesis (off by default): an OpenAI-compatible endpoint writes the answer from the
retrieved passages only; we keep it honest afterwards.

Markers that point to no passage are dropped, sentences without a valid marker are flagged, and
any error or timeout falls back to the extractive answer (the caller decides).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

SYSTEM_PROMPT = (
    "你是党建学习知识库的助手。只能依据用户提供的编号段落回答问题，不得使用段落以外的知识。"
    "每一句话后用 [编号] 标注它依据的段落，例如“预备期为一年[1]”。"
    "如果段落不足以回答，请直接说“知识库中未找到相关内容”。回答使用简体中文，简洁准确。"
)
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?(?:\[\d+\])*")


class LLMError(Exception):
    """The endpoint failed, timed out or answered something unusable."""


class ChatClient(Protocol):
    def complete(self, messages: list[dict[str, str]]) -> str: ...

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...


class OpenAICompatibleClient:
    """``POST {base_url}/chat/completions``, plain or streamed (SSE), with a hard timeout."""

    def __init__(self, base_url: str, *, model: str, api_key: str = "", timeout: float = 20.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))

    def _body(self, messages: list[dict[str, str]], stream: bool) -> dict[str, object]:
        return {"model": self.model, "messages": messages, "temperature": 0, "stream": stream}

    def complete(self, messages: list[dict[str, str]]) -> str:
        try:
            response = httpx.post(self.url, json=self._body(messages, False), headers=self.headers, timeout=self.timeout)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise LLMError(str(exc) or type(exc).__name__) from exc

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        try:
            with httpx.stream("POST", self.url, json=self._body(messages, True), headers=self.headers, timeout=self.timeout) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    delta = json.loads(payload)["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield str(delta)
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise LLMError(str(exc) or type(exc).__name__) from exc


def build_messages(question: str, passages: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
    """``passages`` are (title, section, text), numbered from 1 in the prompt."""
    numbered = "\n\n".join(f"[{i}]《{title}》{section}\n{text}" for i, (title, section, text) in enumerate(passages, start=1))
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": f"段落：\n{numbered}\n\n问题：{question}"}]


@dataclass
class CheckedAnswer:
    answer: str
    unsupported: list[str]  # sentences that cite no passage
    dropped_markers: list[int]  # markers that pointed to no passage


def check_citations(text: str, passage_count: int) -> CheckedAnswer:
    """Drop markers outside 1..passage_count; list the sentences left without any valid marker."""
    dropped: list[int] = []

    def keep(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if 1 <= number <= passage_count:
            return match.group(0)
        dropped.append(number)
        return ""

    cleaned = _MARKER.sub(keep, text).strip()
    unsupported = [s.strip() for s in _SENTENCE.findall(cleaned) if s.strip() and not _MARKER.search(s)]
    return CheckedAnswer(cleaned, unsupported, dropped)
