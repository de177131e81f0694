"""Wrong options of the answer's own kind (issue 13): a wrong option that differs in kind is solved by grammar.

- category terms (organs, actions, status words, punishments, principles …): other members of the same
  category (categories.py), ranked by embedding similarity;
- numbers and dates: nearby values with the same unit (nearest at hard, clearly different at easy);
- numbered formulations: other numbered formulations (四个意识 → 四个自信); titles: other titles;
- lists (多选, 不包括): members of the items' category, else items of other lists of the same suffix
  family, else other four-character maxims — never items of the answer's own list, nor of a list that
  repeats two or more of its items (the same enumeration quoted elsewhere: those are also correct);
- a term of no known kind gets no wrong options at all (it is asked as 填空 or 判断).
Nothing on the blocklist is ever offered.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from wuxue.quiz.atoms import NUMBERED, Atom, Enumeration, common_prefix, common_suffix
from wuxue.quiz.categories import Categories, blocklist
from wuxue.quiz.lexicon import Lexicon, Segmenter
from wuxue.numerals import ORDINALS, chinese_number, to_chinese
from wuxue.quiz.numbers import Quantity, nearby

# cosine band for embedding neighbours, calibrated on m3e-small (short unrelated terms score 0.55–0.70,
# siblings such as 政治意识/大局意识 0.75–0.80, near-synonyms above 0.92)
SIMILARITY_BAND = (0.70, 0.88)
SIMILARITY_FLOOR = 0.66  # below this a term is unrelated noise (新能源 for 审计长, 一般的关系 for 电子出版物)

Embed = Callable[[Sequence[str]], np.ndarray]


def length_ok(option: str, answer: str) -> bool:
    """Similar length so no option stands out (the leak gate allows 1.3x the median)."""
    return abs(len(option) - len(answer)) <= max(1, round(len(answer) * 0.2))


@dataclass
class DistractorPool:
    """Corpus-wide material for wrong options, built once per index snapshot."""

    enumerations: list[Enumeration]
    lexicon: Lexicon
    segmenter: Segmenter
    formulations: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    embed: Embed | None = None  # None: no similarity to rank by (the fake test embedder carries no meaning)
    categories: Categories | None = None
    _by_family: dict[str, list[Enumeration]] = field(default_factory=dict)
    _by_item: dict[str, list[Enumeration]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_family: dict[str, list[Enumeration]] = defaultdict(list)
        by_item: dict[str, list[Enumeration]] = defaultdict(list)
        for e in self.enumerations:
            by_family[e.family].append(e)
            for item in e.items:
                by_item[item].append(e)
        self._by_family, self._by_item = dict(by_family), dict(by_item)

    @staticmethod
    def shape(enumeration: Enumeration) -> int:
        """Typical item length: 四个意识 and 四个自信 items share the shape 4."""
        items = [i for i, ok in zip(enumeration.items, enumeration.askable) if ok] or list(enumeration.items)
        lengths = sorted(len(i) for i in items)
        return lengths[len(lengths) // 2]

    # the answer's own list -----------------------------------------------------
    def also_correct(self, enumeration: Enumeration | None) -> set[str]:
        """Items of the answer's own list and of every list that repeats two or more of them."""
        if enumeration is None:
            return set()
        own = set(enumeration.items)
        related = {id(e): e for item in own for e in self._by_item.get(item, [])}
        out = set(own)
        for e in related.values():
            if len(own & set(e.items)) >= 2:
                out |= set(e.items)
        return out

    # candidates ------------------------------------------------------------------
    def candidates(self, atom: Atom, quote: str, *, enumeration: Enumeration | None = None, siblings_only: bool = False) -> list[list[str]]:
        """Candidate tiers for ``atom`` (best tier first), each filtered against its own context.

        Term tiers are ranked most similar first (near-synonyms above the band dropped).
        ``siblings_only`` keeps items of other lists of the same suffix family (大局意识 → 法治意识): a false
        判断 swaps in a co-ordinate term, never a loose corpus word that leaves the statement half true.
        """
        answer = atom.text
        enum = enumeration or atom.enumeration
        banned = self.also_correct(enum) | {answer}
        tiers: list[list[str]]
        ranked = True
        if atom.kind in {"number", "date"}:
            quantity = Quantity(atom.text, 0, 0, atom.value or 0.0, atom.unit, atom.script or "cn")
            tiers, ranked = [nearby(quantity, count=10)], False
        elif atom.kind == "article":
            tiers, ranked = [_nearby_articles(answer)], False
        elif atom.kind == "contrast":  # 应当 → 可以: the one contrasting term, for false 判断 only
            tiers, ranked = [[atom.family.split(":", 1)[1]]], False
        elif atom.kind == "title":
            tiers = [self.titles]
        elif atom.kind == "formulation":
            tiers = [self._formulations(answer)]  # 四个意识 beside 四个自信, never a loose quoted phrase
        elif atom.kind == "category":
            siblings = self.categories.siblings(answer) if self.categories else []
            if siblings_only and atom.family in {"category:principle", "category:system"}:
                siblings = [s for s in siblings if s[-2:] == answer[-2:] and len(s) > 3]  # 党管人才原则 → 党管干部原则, never 个人分工负责
            tiers = [siblings]
        elif atom.kind == "enum_item" and enum is not None:
            return [self._ranked(answer, self._keep(self._form(t, enum), banned, quote, answer), floor=floor)
                    for t, floor in self._list_tiers(enum, answer, siblings_only)]
        else:
            return []  # a term of no known kind gets no wrong options: it is asked as 填空 or 判断 only
        return [self._ranked(answer, self._keep(t, banned, quote, answer), floor=False) if ranked else self._keep(t, banned, quote, answer)
                for t in tiers]

    def _too_close(self, answers: Sequence[str]) -> Callable[[str], bool]:
        """A test for near-synonyms of any of the other correct answers (多选: 财税 beside 财政)."""
        if self.embed is None or not answers:
            return lambda _: False
        targets = self.embed(list(answers))

        def check(candidate: str) -> bool:
            return bool(np.max(targets @ self.embed([candidate])[0]) > SIMILARITY_BAND[1])

        return check

    def _list_tiers(self, enum: Enumeration, answer: str, siblings_only: bool) -> list[tuple[list[str], bool]]:
        """Wrong options for a list: members of the list items' category, else items of other lists of the
        same suffix family (大局意识 → 法治意识), else other four-character maxims; never loose corpus words.
        """
        tiers: list[tuple[list[str], bool]] = []
        if self.categories is not None:
            kinds = [self.categories.category(i) for i in enum.items]
            common = max(set(kinds), key=kinds.count)
            if common and kinds.count(common) * 3 >= len(kinds) * 2:
                tiers.append((self.categories.members.get(common, []), False))
        if enum.family.startswith("suffix:"):
            tiers.append((self._lists_items(self._by_family.get(enum.family, []), enum), False))
        if enum.family == "maxim" and not siblings_only:
            tiers.append((self._lists_items(self._by_family.get("maxim", []), enum), True))
        return tiers

    @staticmethod
    def _form(tier: Sequence[str], enum: Enumeration) -> list[str]:
        """Wrong options share the form every item of the list has (面向X; X之Y), so form gives nothing away."""
        items = [i for i in enum.items if i]
        head = common_prefix(items)
        tail = common_suffix(items)
        return [c for c in tier if c.startswith(head) and c.endswith(tail)]

    @staticmethod
    def _keep(tier: Sequence[str], banned: set[str], quote: str, answer: str) -> list[str]:
        block = blocklist()
        return [c for c in dict.fromkeys(tier) if c not in banned and c not in quote and answer not in c and c not in answer
                and length_ok(c, answer) and "以上" not in c and not block.hit_as_wrong(c)]

    def pick(self, atom: Atom, quote: str, count: int, rng: random.Random, *, enumeration: Enumeration | None = None,
             avoid: Sequence[str] = (), difficulty: str = "medium", siblings_only: bool = False) -> list[str]:
        """``count`` distractors from the best tiers; none containing another.

        Within a ranked tier, hard takes the most similar, medium draws among the closest few, easy
        among the next few; numbers keep their nearest-first order.
        """
        chosen: list[str] = []
        too_close = self._too_close(avoid)
        for tier in self.candidates(atom, quote, enumeration=enumeration, siblings_only=siblings_only):
            pool = [c for c in tier if c not in avoid and not too_close(c)]
            if atom.kind in {"number", "date"} and difficulty == "easy":
                pool = pool[2:] + pool[:2]  # easy: clearly different values; hard keeps the nearest (四年 for 五年)
            if atom.kind not in {"number", "date", "article", "contrast"}:
                window = count + 2
                offset = window if difficulty == "easy" and len(pool) >= 2 * window else 0
                head = pool[offset : offset + window] if difficulty != "hard" else pool[:window]
                if difficulty != "hard":
                    rng.shuffle(head)
                pool = head + [c for c in pool if c not in head]
            for c in pool:
                if len(chosen) >= count:
                    return chosen
                if any(c in other or other in c for other in chosen + list(avoid)):
                    continue
                chosen.append(c)
        return chosen

    @staticmethod
    def _lists_items(lists: Sequence[Enumeration], own: Enumeration | None) -> list[str]:
        """Reliable items of other lists (the caller removes anything the answer's own list makes correct)."""
        items: list[str] = []
        for e in lists:
            if own is not None and e.doc_id == own.doc_id and e.spans == own.spans:
                continue
            items += [item for item, ok in zip(e.items, e.askable) if ok]
        return sorted(set(items))

    def _formulations(self, answer: str) -> list[str]:
        """Numbered formulations of the answer's own family: 四个意识 → 四个自信/两个维护 (N个X of one length),
        五学联动 → only another N学X; never a formulation of another shape (一带一路 for 五学联动 is absurd)."""
        family = formulation_family(answer)
        kin = [f for f in self.formulations if f != answer and formulation_family(f) == family]
        head = answer[:2]
        return [f for f in kin if f[:2] == head] + [f for f in kin if f[:2] != head]

    def _ranked(self, answer: str, candidates: Sequence[str], *, floor: bool, prior: dict[str, int] | None = None) -> list[str]:
        """Structurally closest (``prior``), then most similar first; near-synonyms (above the band) dropped,
        and with ``floor`` unrelated terms too.
        """
        prior = prior or {}
        if self.embed is None or not candidates:
            return sorted(candidates, key=lambda c: (prior.get(c, 1), c))
        vectors = self.embed([answer, *candidates])
        sims = vectors[1:] @ vectors[0]
        low = SIMILARITY_FLOOR if floor else -1.0
        scored = [(float(s), c) for s, c in zip(sims, candidates) if low <= s <= SIMILARITY_BAND[1]]
        return [c for _, c in sorted(scored, key=lambda p: (prior.get(p[1], 1), -p[0], p[1]))]

_NUMBERED_PARTS = re.compile(rf"^([两{ORDINALS}百]+)([个项种大条]?)(.*)$")


def formulation_family(term: str) -> tuple[str, int, str]:
    """(counter, length, bare stem word) of a numbered formulation: 四个意识 and 两个维护 share ("个", 4, "");
    bare ones (五学联动, 三会一课) are kin only with the same character after the numeral and at the end
    (五学联动, 四学联动; never 两学一做 for 五学联动)."""
    match = _NUMBERED_PARTS.match(term)
    if match is None:
        return ("?", len(term), term)
    counter, rest = match.group(2), match.group(3)
    return (counter, len(term), "" if counter else rest[:1] + term[-1])


def _nearby_articles(label: str) -> list[str]:
    number = chinese_number(label[1:-1])
    if number is None:
        return []
    return [f"第{to_chinese(n)}条" for n in (number + 1, number - 1, number + 2, number - 2, number + 3, number + 5) if n > 0]


def build_pool(atoms: Sequence[Atom], enumerations: Sequence[Enumeration], lexicon: Lexicon, segmenter: Segmenter,
               embed: Embed | None, categories: Categories | None = None) -> DistractorPool:
    formulations = sorted({a.text for a in atoms if a.kind == "formulation" and a.family == "formulation" and NUMBERED.match(a.text)})
    quoted = sorted({a.text for a in atoms if a.kind == "quoted"})
    titles = sorted({a.text for a in atoms if a.kind == "title"})
    return DistractorPool(list(enumerations), lexicon, segmenter, formulations, quoted, titles, embed, categories)
