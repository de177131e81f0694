"""Item drafts from atoms: 填空 (blank), 单选 (single), 多选 (multi) and 判断 (judge).

A draft holds everything the gates need (the atom, its quote, the blanked spans, the edit of a
false statement); option letters, ids and citations are added when a set is assembled.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from wuxue.quiz.atoms import ARTICLE, Atom, Enumeration
from wuxue.quiz.distractors import DistractorPool

BLANK = "（　　）"
_LINE_MARKER = re.compile(r"\n\s*(?:（[一二三四五六七八九十]+）|\([一二三四五六七八九十\d]+\)|\d+[.、．])\s*")
_SPACES = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*|[ \t\u3000]{2,}")

OPTIONS = {"easy": 3, "medium": 4, "hard": 4}
MULTI_OPTIONS = {"easy": 4, "medium": 5, "hard": 5}


@dataclass
class Draft:
    type: str  # blank | single | multi | judge
    atom: Atom
    stem: str
    correct: list[str]  # answer texts; judge: ["正确"] or ["错误"]
    distractors: list[str] = field(default_factory=list)
    any_order: bool = False
    method: str = ""
    blanks: list[tuple[int, int]] = field(default_factory=list)  # absolute spans taken out of the quote
    statement: str = ""  # judge: the statement shown (true or edited)
    true_statement: str = ""  # judge: the quote as displayed
    edit: tuple[str, str] | None = None  # judge false: (original, replacement)
    knowledge_point: str = ""

    @property
    def quote_span(self) -> tuple[int, int]:
        return self.atom.quote_start, self.atom.quote_end

    @property
    def truth(self) -> bool | None:
        return None if self.type != "judge" else self.edit is None


def tidy(text: str, *, at_start: bool) -> str:
    """Quote text as shown in a stem: no article label, no list markers, no line breaks."""
    if at_start:
        text = ARTICLE.sub("", text.lstrip())
        text = re.sub(r"^\s*(?:（[一二三四五六七八九十]+）|\d+[.、．])\s*", "", text)
    text = _LINE_MARKER.sub("", text)
    return _SPACES.sub("", text).strip(" \u3000")


def display(document: str, start: int, end: int, holes: list[tuple[int, int]], fill: list[str] | None = None) -> str:
    """The quote with each hole replaced by a blank (or by ``fill``), tidied piecewise."""
    pieces: list[str] = []
    cursor = start
    for n, (a, b) in enumerate(sorted(holes)):
        pieces.append(tidy(document[cursor:a], at_start=cursor == start))
        pieces.append(fill[n] if fill is not None else BLANK)
        cursor = b
    pieces.append(tidy(document[cursor:end], at_start=cursor == start))
    return "".join(pieces)


def prefix(title: str) -> str:
    return f"根据《{title}》，"


def blank_item(atom: Atom, document: str, title: str, *, difficulty: str, rng: random.Random) -> Draft:
    """Blank one atom; at hard difficulty a short unordered list is blanked whole (graded in any order)."""
    enum = atom.enumeration
    if difficulty == "hard" and enum is not None and 2 <= sum(enum.askable) <= 4 and all(enum.askable) and len(enum.items) <= 4:
        holes = list(enum.spans)
        stem = prefix(title) + display(document, atom.quote_start, atom.quote_end, holes)
        return Draft("blank", atom, stem, list(enum.items), any_order=not enum.ordered, method="cloze_enum_all",
                     blanks=holes, knowledge_point=atom.knowledge_point)
    holes = [(atom.start, atom.end)]
    stem = prefix(title) + display(document, atom.quote_start, atom.quote_end, holes)
    return Draft("blank", atom, stem, [atom.text], method=f"cloze_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)


def single_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    holes = [(atom.start, atom.end)]
    quote = document[atom.quote_start : atom.quote_end]
    need = OPTIONS[difficulty] - 1
    wrong = pool.pick(atom, quote, need, rng)
    if len(wrong) < need:
        return None
    stem = prefix(title) + display(document, atom.quote_start, atom.quote_end, holes)
    return Draft("single", atom, stem, [atom.text], wrong, method=f"choice_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)


def multi_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    """k of the list's items are correct (2–4, sometimes all of the options); the rest are distractors."""
    enum: Enumeration | None = atom.enumeration
    if enum is None:
        return None
    usable = [item for item, ok in zip(enum.items, enum.askable) if ok]
    if len(usable) < 2:
        return None
    total = MULTI_OPTIONS[difficulty]
    k_max = min(4, len(usable), total)
    choices = list(range(2, k_max + 1))
    k = rng.choice(choices)
    if k == total and rng.random() < 0.5:  # all-correct sets exist but are the exception
        k -= 1
    correct = sorted(rng.sample(usable, k), key=usable.index)
    quote = document[enum.quote_start : enum.quote_end]
    wrong = pool.pick(atom, quote, total - k, rng, enumeration=enum, avoid=correct)
    if len(wrong) < max(1, total - k) and k < total:
        if len(wrong) + k < 4:
            return None
    holes = [(enum.spans[0][0], enum.spans[-1][1])]
    stem = prefix(title) + display(document, enum.quote_start, enum.quote_end, holes)
    return Draft("multi", atom, stem, correct, wrong, any_order=True, method="multi_enum", blanks=holes, knowledge_point=enum.label)


def judge_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, truth: bool, rng: random.Random) -> Draft | None:
    """True: the cited statement. False: exactly one fact replaced (a number or a sibling term)."""
    true_statement = display(document, atom.quote_start, atom.quote_end, [])
    if truth:
        return Draft("judge", atom, prefix(title) + true_statement, ["正确"], method="judge_true",
                     statement=true_statement, true_statement=true_statement, knowledge_point=atom.knowledge_point)
    quote = document[atom.quote_start : atom.quote_end]
    wrong = pool.pick(atom, quote, 1, rng)
    if not wrong:
        return None
    statement = display(document, atom.quote_start, atom.quote_end, [(atom.start, atom.end)], fill=wrong)
    method = "judge_number" if atom.kind in {"number", "date"} else "judge_swap"
    return Draft("judge", atom, prefix(title) + statement, ["错误"], method=method, blanks=[(atom.start, atom.end)],
                 statement=statement, true_statement=true_statement, edit=(atom.text, wrong[0]), knowledge_point=atom.knowledge_point)


def _method(atom: Atom) -> str:
    return {"enum_item": "enum", "formulation": "formulation", "quoted": "term", "number": "number", "date": "date",
            "title": "title", "definition": "definition", "article": "article", "term": "term"}.get(atom.kind, atom.kind)
