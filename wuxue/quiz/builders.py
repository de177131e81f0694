"""Item drafts from atoms: 填空 (blank), 单选 (single), 多选 (multi) and 判断 (judge).

A draft holds everything the gates need (the atom, its quote, the blanked spans, the edit of a
false statement); option letters, ids and citations are added when a set is assembled.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from wuxue.ingest.patterns import LINE_LIST_MARKER
from wuxue.quiz.atoms import ARTICLE, Atom, Enumeration
from wuxue.quiz.distractors import DistractorPool

BLANK = "（　　）"
_LINE_MARKER = LINE_LIST_MARKER
_SPACES = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*|[ \t\u3000]{2,}")

OPTIONS = {"easy": 3, "medium": 4, "hard": 4}
JUDGE_FALSE_KINDS = {"number", "date", "enum_item", "formulation", "title", "contrast"}
JUDGE_LIST_MAX = 5
MULTI_CONTEXT_MIN = 8
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
        text = re.sub(r"^\s*(?:（[一二三四五六七八九十]+）|\([一二三四五六七八九十\d]+\)|\d+[.、．]|[一二三四五六七八九十]是)\s*", "", text)
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


STEM_WINDOW = 72  # characters of quote shown around the blank; longer sentences are cut at clause ends
CUT = "……"
_CLAUSE_END = re.compile(r"[，；：,;:]")
_MARK = "\x00"


def window(text: str, start: int, end: int, limit: int = STEM_WINDOW) -> str:
    """The clauses around ``text[start:end]`` (the blank), at most ``limit`` characters when possible.

    Cuts fall after a clause end (，；：); a cut is shown as …… so no one reads a fragment as the sentence.
    """
    if len(text) <= limit:
        return text
    bounds = [0] + [m.end() for m in _CLAUSE_END.finditer(text)] + [len(text)]
    bounds = sorted(set(bounds))
    lo = max(b for b in bounds if b <= start)
    hi = min(b for b in bounds if b >= end)
    while True:
        left = max((b for b in bounds if b < lo), default=None)
        right = min((b for b in bounds if b > hi), default=None)
        grew = False
        if right is not None and right - lo <= limit:
            hi, grew = right, True
        if left is not None and hi - left <= limit:
            lo, grew = left, True
        if not grew:
            break
    piece = text[lo:hi]
    if hi < len(text):
        piece = piece.rstrip("，；：,;:") + CUT
    if lo > 0:
        piece = CUT + piece
    return piece


def prefix(title: str) -> str:
    return f"根据《{title}》，"


def _stem(atom: Atom, document: str, title: str, holes: list[tuple[int, int]]) -> str:
    if atom.kind == "article":  # 第X条 asked about the article's content
        body = display(document, atom.quote_start, atom.quote_end, [])
        return f"《{title}》中规定“{body.rstrip('。；;')}”的条款是{BLANK}。"
    return prefix(title) + windowed(document, atom.quote_start, atom.quote_end, holes)


def windowed(document: str, start: int, end: int, holes: list[tuple[int, int]], fill: list[str] | None = None) -> str:
    """:func:`display` cut to the clauses around the holes."""
    marks = [_MARK] * len(holes)
    text = display(document, start, end, holes, fill=marks)
    first, last = text.find(_MARK), text.rfind(_MARK)
    if first < 0:
        return text
    text = window(text, first, last + 1)
    values = fill if fill is not None else [BLANK] * len(holes)
    for value in values:
        text = text.replace(_MARK, value, 1)
    return text


def blank_item(atom: Atom, document: str, title: str, *, difficulty: str, rng: random.Random) -> Draft:
    """Blank one atom; at hard difficulty a short unordered list is blanked whole (graded in any order)."""
    enum = atom.enumeration
    if difficulty == "hard" and enum is not None and 2 <= sum(enum.askable) <= 4 and len(enum.items) <= 6:
        holes = [span for span, ok in zip(enum.spans, enum.askable) if ok]  # unreliable items stay verbatim
        stem = prefix(title) + windowed(document, atom.quote_start, atom.quote_end, holes)
        fillers = [item for item, ok in zip(enum.items, enum.askable) if ok]
        return Draft("blank", atom, stem, fillers, any_order=not enum.ordered, method="cloze_enum_all",
                     blanks=holes, knowledge_point=atom.knowledge_point)
    holes = [(atom.start, atom.end)]
    stem = _stem(atom, document, title, holes)
    return Draft("blank", atom, stem, [atom.text], method=f"cloze_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)


def single_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    holes = [(atom.start, atom.end)]
    quote = document[atom.quote_start : atom.quote_end]
    need = OPTIONS[difficulty] - 1
    wrong = pool.pick(atom, quote, need, rng, difficulty=difficulty)
    if len(wrong) < need:
        return None
    stem = _stem(atom, document, title, holes)
    return Draft("single", atom, stem, [atom.text], wrong, method=f"choice_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)


def multi_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    """k of the list's items are correct (2–4, sometimes all of the options); the rest are distractors."""
    enum: Enumeration | None = atom.enumeration
    if enum is None:
        return None
    askable = [n for n, ok in enumerate(enum.askable) if ok]
    if len(askable) < 2 or askable != list(range(askable[0], askable[-1] + 1)):
        return None  # an unreliable item inside the list means two phrases were read as one list
    first, last = askable[0], askable[-1]  # unreliable edge items stay in the stem, verbatim
    usable = [enum.items[n] for n in askable]
    total = MULTI_OPTIONS[difficulty]
    k_max = min(4, len(usable), total)
    choices = list(range(2, k_max + 1))
    k = rng.choice(choices)
    if k == total and rng.random() < 0.5:  # all-correct sets exist but are the exception
        k -= 1
    correct = sorted(rng.sample(usable, k), key=usable.index)
    quote = document[enum.quote_start : enum.quote_end]
    wrong = pool.pick(atom, quote, total - k, rng, enumeration=enum, avoid=correct, difficulty=difficulty)
    if len(wrong) < max(1, total - k) and k < total and len(wrong) + k < 4:
        return None
    holes = [(enum.spans[first][0], enum.spans[last][1])]
    stem = prefix(title) + windowed(document, enum.quote_start, enum.quote_end, holes)
    before = stem[len(prefix(title)) :].split(BLANK)[0].rpartition(CUT)[2]
    if len(stem) - len(prefix(title)) - len(BLANK) < MULTI_CONTEXT_MIN or len(before) < 2:  # 坚持（　　）。 asks nothing
        return None
    return Draft("multi", atom, stem, correct, wrong, any_order=True, method="multi_enum", blanks=holes, knowledge_point=enum.label)


def judge_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, truth: bool, rng: random.Random) -> Draft | None:
    """True: the cited statement. False: exactly one fact replaced (a number or a sibling term).

    Both show the clauses around the atom, so a long sentence is cut the same way either way.
    """
    if atom.kind == "article" and not truth:  # an article number is no fact of the statement
        return None
    hole = [(atom.start, atom.end)]
    if atom.kind == "article":
        true_statement = windowed(document, atom.end, atom.quote_end, [])
        return Draft("judge", atom, prefix(title) + true_statement, ["正确"], method="judge_true",
                     statement=true_statement, true_statement=true_statement, knowledge_point=atom.knowledge_point)
    true_statement = windowed(document, atom.quote_start, atom.quote_end, hole, fill=[atom.text])
    if truth:
        return Draft("judge", atom, prefix(title) + true_statement, ["正确"], method="judge_true",
                     statement=true_statement, true_statement=true_statement, knowledge_point=atom.knowledge_point)
    if atom.kind not in JUDGE_FALSE_KINDS or (atom.enumeration is not None and len(atom.enumeration.items) > JUDGE_LIST_MAX):
        return None  # in a long list one swapped item still reads as true; definitions and loose terms are not facts to flip
    quote = document[atom.quote_start : atom.quote_end]
    wrong = pool.pick(atom, quote, 1, rng, difficulty="medium", siblings_only=True)  # a sibling term, never a random word
    if not wrong:
        return None
    statement = windowed(document, atom.quote_start, atom.quote_end, hole, fill=wrong)
    method = {"number": "judge_number", "date": "judge_number", "contrast": "judge_contrast"}.get(atom.kind, "judge_swap")
    return Draft("judge", atom, prefix(title) + statement, ["错误"], method=method, blanks=hole,
                 statement=statement, true_statement=true_statement, edit=(atom.text, wrong[0]), knowledge_point=atom.knowledge_point)


def _method(atom: Atom) -> str:
    return {"enum_item": "enum", "formulation": "formulation", "quoted": "term", "number": "number", "date": "date",
            "title": "title", "definition": "definition", "article": "article", "term": "term"}.get(atom.kind, atom.kind)
