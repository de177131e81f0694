"""Second stage: re-order the fused top candidates by evidence a bag of words cannot see.

The fused lists score a chunk by the words it shares with the question, wherever they are.
Three things decide between near ties among the top ~20 that the lists cannot:

* **structure the question names** — “第十二条”, “第三章”: a chunk whose breadcrumb covers
  that unit (``第十条至第十三条`` covers 12) is what the member means;
* **a definition of a term the question asks about** — “X是…”, “X是指…”, “X，是指…”:
  questions asking what something is, what nature or role it has, are answered by the
  sentence that starts defining it, not by a passage that merely mentions it often;
* **one sentence holding the question** — the best single sentence's overlap with the
  question (the same measure the extractive answer quotes by), rewarding passages where
  the words occur together rather than scattered.

Each adds ``weight × feature`` (features in 0..1) to the fused score divided by the best
fused score, so the first stage still dominates and the weights read as shares of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wuxue.index.overlap import QueryOverlap, unique_tokens
from wuxue.ingest.clean import fold_for_search
from wuxue.numerals import NUMERALS, chinese_number

_UNIT = re.compile(rf"第([{NUMERALS}\d]+)(编|分编|章|节|条)")
_UNIT_RANGE = re.compile(rf"第([{NUMERALS}\d]+)(编|分编|章|节|条)至第([{NUMERALS}\d]+)(?:编|分编|章|节|条)")
_QUOTES = "”\"」』’'"


def named_units(question: str) -> list[tuple[str, int]]:
    """Structural units a question names: ``宪法第二十七条`` → ``[("条", 27)]``."""
    found = []
    for number, kind in _UNIT.findall(fold_for_search(question)):
        value = chinese_number(number)
        if value is not None:
            found.append((kind, value))
    return found


def section_units(section: str) -> list[tuple[str, int, int]]:
    """Units a breadcrumb covers as (kind, first, last): ``第一章 总则 › 第三条至第五条`` → 章 1–1, 条 3–5."""
    covered = []
    rest = section
    for match in _UNIT_RANGE.finditer(section):
        first, last = chinese_number(match.group(1)), chinese_number(match.group(3))
        if first is not None and last is not None:
            covered.append((match.group(2), first, last))
    rest = _UNIT_RANGE.sub(" ", section)
    for number, kind in _UNIT.findall(rest):
        value = chinese_number(number)
        if value is not None:
            covered.append((kind, value, value))
    return covered


def covers_unit(section: str, units: Iterable[tuple[str, int]]) -> bool:
    spans = section_units(section)
    return any(kind == k and first <= value <= last for kind, value in units for k, first, last in spans)


class DefinitionMatcher:
    """Finds where a text defines a question term: ``term是…``, ``term”是指…``, ``term，是指…``, ``term系…``."""

    def __init__(self, terms: Sequence[str]) -> None:
        candidates = sorted(unique_tokens([t for t in terms if len(t) >= 2]), key=len, reverse=True)
        self._pattern = (re.compile("(" + "|".join(re.escape(t) for t in candidates) + f")[{_QUOTES}]?[，,]?(?:是指|是|系)")
                         if candidates else None)

    def strength(self, folded_text: str) -> float:
        """How specific the longest defined term is (length 4 or more counts fully), 0..1."""
        if self._pattern is None:
            return 0.0
        return max((min(len(m.group(1)), 4) for m in self._pattern.finditer(folded_text)), default=0) / 4


def definition_strength(terms: Sequence[str], folded_text: str) -> float:
    """How specific the longest question term is that the text defines (``term是…``/``term，是指…``), 0..1."""
    return DefinitionMatcher(terms).strength(folded_text)


@dataclass(frozen=True)
class RerankConfig:
    depth: int = 20  # how many fused candidates are re-ordered
    unit_weight: float = 0.3
    definition_weight: float = 0.1
    sentence_weight: float = 0.05

    @property
    def enabled(self) -> bool:
        return self.depth > 1 and (self.unit_weight > 0 or self.definition_weight > 0 or self.sentence_weight > 0)


@dataclass(frozen=True)
class Candidate:
    """What the rerank reads of one fused candidate."""

    key: int
    fused: float
    section: str
    text: str
    sentences: Sequence[tuple[int, int]]


def rerank(candidates: Sequence[Candidate], *, question: str, terms: Sequence[str], bigrams: Sequence[str],
           config: RerankConfig) -> list[tuple[int, float]]:
    """(key, score) best first; ties keep the fused order."""
    if not candidates:
        return []
    best = max(c.fused for c in candidates) or 1.0
    units = named_units(question)
    overlap = QueryOverlap(terms, bigrams)
    definitions = DefinitionMatcher(terms)
    scored = []
    for order, candidate in enumerate(candidates):
        score = candidate.fused / best
        if units and config.unit_weight and covers_unit(candidate.section, units):
            score += config.unit_weight
        folded = fold_for_search(candidate.text)
        if config.definition_weight:
            score += config.definition_weight * definitions.strength(folded)
        if config.sentence_weight and candidate.sentences:
            score += config.sentence_weight * max(overlap.scores(candidate.text, candidate.sentences, folded)) / 2
        scored.append((score, order, candidate.key))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(key, score) for score, _, key in scored]
