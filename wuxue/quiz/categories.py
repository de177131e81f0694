"""Typed categories of answer terms and the blocklist: what may stand beside what as an option.

A wrong option must be of the answer's kind (an organ for an organ, an action between bodies for
an action, a punishment grade for a punishment …) so an item cannot be solved by grammar alone.
Categories come from seed lists (resources/categories.txt) and from corpus terms with a category's
suffix (…委员会, …原则). The blocklist (resources/blocklist.txt) names options that must never
appear on a Party-study paper at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

CATEGORY_NAMES = {"act_meet": "会议职责", "act_approve": "报批备案", "act_decide": "决定审议", "act_person": "选任职责",
                  "act_oversee": "监督领导", "punishment": "处分种类", "status": "地位作用", "organ": "党的组织",
                  "organ_state": "国家机关", "principle": "原则", "system": "制度", "person": "人员身份"}
MEMBER_MAX = 12


def _sections(name: str) -> dict[str, list[str]]:
    text = resources.files("wuxue.quiz").joinpath("resources", name).read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            out.setdefault(current, [])
        elif current:
            out[current].append(line)
    return out


@dataclass(frozen=True)
class Blocklist:
    exact: frozenset[str]
    contains: tuple[str, ...]
    names: tuple[str, ...] = ()

    def hit(self, option: str) -> str | None:
        """The blocked term an option (right or wrong) hits, or None."""
        text = option.strip("“”《》 ")
        if text in self.exact:
            return text
        return next((t for t in self.contains if t in text), None)

    def hit_as_wrong(self, option: str) -> str | None:
        """Stricter for wrong options and false 判断 edits: no country, party or leader's name inside either."""
        found = self.hit(option)
        if found:
            return found
        return next((t for t in (*sorted(self.exact, key=len, reverse=True), *self.names) if t in option), None)


@cache
def blocklist() -> Blocklist:
    sections = _sections("blocklist.txt")
    return Blocklist(frozenset(sections.get("exact", [])), tuple(sorted(set(sections.get("contains", [])), key=len, reverse=True)),
                     tuple(sorted(set(sections.get("names", [])), key=len, reverse=True)))


@dataclass
class Categories:
    """Category → member terms (seeds and corpus terms), and term → category."""

    members: dict[str, list[str]] = field(default_factory=dict)
    of: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def add(self, category: str, term: str) -> None:
        if term in self.of or not 2 <= len(term) <= MEMBER_MAX or blocklist().hit_as_wrong(term):
            return
        self.of[term] = category
        self.members.setdefault(category, []).append(term)
        self._pattern = None

    def category(self, term: str) -> str | None:
        return self.of.get(term)

    def siblings(self, term: str) -> list[str]:
        """Other members of the term's category (the caller filters by length, truth and context)."""
        category = self.of.get(term)
        return [t for t in self.members.get(category, []) if t != term] if category else []

    def find(self, sentence: str) -> list[tuple[str, int, int, str]]:
        """(term, start, end, category) of every category term in a sentence, longest match first."""
        if self._pattern is None:
            terms = sorted(self.of, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, terms))) if terms else re.compile("(?!)")
        return [(m.group(0), m.start(), m.end(), self.of[m.group(0)]) for m in self._pattern.finditer(sentence)]


def build_categories(corpus_terms: Iterable[str]) -> Categories:
    """Seeds first, then corpus terms that end with a category's suffix (中央纪律检查委员会 → organ)."""
    sections = _sections("categories.txt")
    categories = Categories()
    suffixes: list[tuple[str, str]] = []
    for name, lines in sections.items():
        for line in lines:
            if line.startswith("suffix:"):
                suffixes.append((line.split(":", 1)[1], name))
            else:
                categories.add(name, line)
    suffixes.sort(key=lambda p: -len(p[0]))
    for term in sorted(set(corpus_terms)):
        for suffix, name in suffixes:
            if suffix and term.endswith(suffix) and len(term) > len(suffix) + 2 and not re.search(r"[的和及与或、，]", term):
                categories.add(name, term)
                break
    return categories
