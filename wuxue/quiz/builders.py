"""Item drafts from atoms: 填空 (blank), 单选 (single), 多选 (multi) and 判断 (judge).

A draft holds everything the gates need (the atom, its quote, the blanked spans, the edit of a
false statement); option letters, ids and citations are added when a set is assembled.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

from wuxue.ingest.patterns import LINE_LIST_MARKER
from wuxue.numerals import ORDINALS, chinese_number
from wuxue.quiz.atoms import ARTICLE, NUMBERED, Atom, Enumeration
from wuxue.quiz.distractors import DistractorPool

BLANK = "（　　）"
_LINE_MARKER = LINE_LIST_MARKER
_SPACES = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*|[ \t\u3000]{2,}")

OPTIONS = {"easy": 3, "medium": 4, "hard": 4}
JUDGE_FALSE_KINDS = {"number", "date", "category", "formulation", "contrast"}
MULTI_CONTEXT_MIN = 8


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
        text = re.sub(rf"^\s*(?:（[{ORDINALS}]+）|\([{ORDINALS}\d]+\)|\d+[.、．]|[{ORDINALS}]+、|[{ORDINALS}]是)\s*", "", text)
        text = ENUMERATOR.sub("", text)  # 第二，坚持解放思想… → 坚持解放思想…
    text = _LINE_MARKER.sub("", text)
    return _SPACES.sub("", text).strip(" \u3000")


ENUMERATOR = re.compile(r"^(?:(?:第[一二三四五六七八九十]+|其[一二三四五六七八九十]|首先|其次|再次|最后)[，、,]|\d{1,2}[)）])\s*")
_ITEM_MARKER = re.compile(r"\s*(?:（[一二三四五六七八九十]+）|\([一二三四五六七八九十\d]+\))")
ITEM_LEAD_MAX = 24  # 党员享有下列权利：— a longer lead-in makes the stem a paragraph
_OPENING = re.compile(r"^([^，。；：,;:！？\n]{4,14})[，,]")


def context_lead(document: str, start: int) -> str:
    """What gives a subjectless quote its subject: the paragraph's opening clause (预备党员预备期满，) for a
    bare condition clause after a ； (需要继续考察和教育的，可以延长预备期…), or the short lead-in line
    (党员享有下列权利：) of a numbered item （二）在党的会议上…. "" when none is needed or none is short.
    """
    before = document[:start].rstrip(" \u3000")
    if _ITEM_MARKER.match(document, start) and before.endswith("\n"):
        lines = [ln for ln in before[-3000:].split("\n") if ln.strip()]
        while lines and _ITEM_MARKER.match(lines[-1]):
            lines.pop()  # （一）… （二）…: back over the earlier items to the lead-in
        line = tidy(lines[-1], at_start=True) if lines else ""
        return line if line.endswith(("：", ":")) and len(line) <= ITEM_LEAD_MAX and not _ITEM_MARKER.match(line) else ""
    first = re.match(r"[^，,；;。]*", document[start:]).group(0)
    if not before.endswith(("；", ";")) or not first.endswith("的"):
        return ""
    para = before.rfind("\n") + 1
    head = tidy(document[para:start], at_start=True)
    opening = _OPENING.match(head)
    if opening is None or opening.group(1).endswith("的") or "。" not in head[opening.end():]:
        return ""  # the opening clause must belong to an earlier sentence, not this one's condition list
    return opening.group(0)


_CLOSE = re.compile(r"[；;，,、：:]$")


def close(text: str) -> str:
    """A stem ends its sentence with 。, never with the ；/， of a clause cut from a longer sentence."""
    return _CLOSE.sub("", text) + "。" if _CLOSE.search(text) else text


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


STEM_LIMIT = 100  # characters of statement after the lead; a longer sentence is cut after the blank's clause or not used
CUT = "……"  # never shown in a new stem; kept so older saved items are still read correctly
_CLAUSE_END = re.compile(r"[，；,;]")
_MARK = "\x00"
LEAD = re.compile(r"^(?:根据《[^》]*》|《[^》]*》(?:规定|指出|提出)|[\u4e00-\u9fff]{2,14}(?:规定|指出|提出))，")


def window(text: str, start: int, end: int, limit: int = STEM_LIMIT) -> str | None:
    """The sentence from its start (its subject) to the end of the clause holding ``text[start:end]``.

    The cut falls after a clause end (，；) and never leaves a dangling condition (…的，) or a lead-in
    (…：); the cut sentence ends with 。. None when even that is longer than ``limit``: a stem never
    carries "……", and a clause torn from the middle of a sentence loses its subject.
    """
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _CLAUSE_END.finditer(text) if m.end() >= end]
    for hi in ends:
        piece = text[:hi].rstrip("，；,;")
        if piece.endswith(("的", "：", ":")):
            continue
        if len(piece) + 1 > limit or any(w in piece for w in _CONDITIONS) or text[hi:].lstrip().startswith(_PREDICATES):
            return None  # the cut would drop the main clause (如果…，就…; …，给予…处分)
        if len(piece) < _PIECE_MIN or piece.endswith(_DANGLING):
            continue  # 十三届四中全会以来。 is no statement: take the next clause too
        return piece + "。"
    return None


_PIECE_MIN = 15
_DANGLING = ("以来", "时", "期间", "中", "后", "前", "上", "为", "是", "和", "及", "对", "在", "把", "将", "要", "通过")
_CONDITIONS = ("如果", "凡是", "对于", "只有", "除非", "因")
_PREDICATES = ("给予", "就", "都", "应当", "必须", "可以", "不得", "由", "经", "须", "才", "依照", "依法")


def lead(name: str, kind: str) -> str:
    """A short lead with the document's alias: 党章规定，/ 二十大报告指出，/ 《科普法》规定，."""
    verb = {"报告": "指出", "准则": "指出", "学会材料": "提出"}.get(kind, "规定")
    bare = name in {"党章", "宪法"} or name.endswith("报告")
    return f"{name if bare else '《' + name + '》'}{verb}，"


def prefix(title: str) -> str:
    """Kept for callers that still pass a title: the lead of a document known only by its title."""
    return title if title.endswith("，") else f"根据《{title}》，"


def _stem(atom: Atom, document: str, title: str, holes: list[tuple[int, int]]) -> str | None:
    body = windowed(document, atom.quote_start, atom.quote_end, holes)
    return None if body is None else prefix(title) + body


JUDGE_LIMIT = 110


def windowed(document: str, start: int, end: int, holes: list[tuple[int, int]], fill: list[str] | None = None,
             *, whole: bool = False) -> str | None:
    """:func:`display` cut after the clause of the last hole (None: too long to show whole).

    ``whole``: never cut (a 判断 statement is the whole sentence, or no statement at all).
    """
    marks = [_MARK] * len(holes)
    text = close(context_lead(document, start) + display(document, start, end, holes, fill=marks))
    if whole:
        if len(text) > JUDGE_LIMIT:
            return None
        values = fill if fill is not None else [BLANK] * len(holes)
        for value in values:
            text = text.replace(_MARK, value, 1)
        return text
    first, last = text.find(_MARK), text.rfind(_MARK)
    if first < 0:
        return window(text, 0, 0)
    cut = window(text, first, last + 1)
    if cut is None:
        return None
    values = fill if fill is not None else [BLANK] * len(holes)
    for value in values:
        cut = cut.replace(_MARK, value, 1)
    return cut


REFERENCE_START = ("这", "此", "其", "上述", "以下", "前款", "前述", "该", "它", "他们", "同时", "但", "另外", "对此", "并")


def stem_ok(stem: str) -> bool:
    """A stem reads on its own: no pronoun or connective opening it (该/其/上述/但), no 上述 pointing
    back to a passage the member cannot see, no enumerator (第二，) left at its start."""
    body = LEAD.sub("", stem)
    return not body.startswith(REFERENCE_START) and "上述" not in body and "前述" not in body and not ENUMERATOR.match(body)


def opens_sentence(stem: str) -> bool:
    """The blank comes first in the statement (（　　）、工作检查制度…): nothing to go on."""
    body = LEAD.sub("", stem)
    return len(body.split(BLANK)[0]) < 2


BLANK_KINDS = {"number", "date", "category", "formulation", "definition", "title", "quoted"}
SINGLE_KINDS = {"number", "date", "category", "formulation", "title"}
MULTI_MIN, MULTI_MAX = 3, 4
EXCLUDE_LEAD_MAX = 30


def _draft_ok(stem: str | None) -> bool:
    return stem is not None and not opens_sentence(stem) and stem_ok(stem)


def blank_item(atom: Atom, document: str, title: str, *, difficulty: str, rng: random.Random) -> Draft | None:
    """Blank one weight-bearing term; at hard difficulty a short closed list is blanked whole (any order)."""
    enum = atom.enumeration
    if atom.kind == "enum_item":
        if difficulty != "hard" or enum is None or not all(enum.askable) or not 2 <= len(enum.items) <= MULTI_MAX:
            return None  # one blank in the middle of a list has more than one right answer
        holes = list(enum.spans)
        stem = windowed(document, enum.quote_start, enum.quote_end, holes)
        stem = None if stem is None else prefix(title) + stem
        if not _draft_ok(stem):
            return None
        return Draft("blank", atom, stem, list(enum.items), any_order=not enum.ordered, method="cloze_enum_all",  # type: ignore[arg-type]
                     blanks=holes, knowledge_point=atom.knowledge_point)
    if atom.kind not in BLANK_KINDS:
        return None
    holes = [(atom.start, atom.end)]
    stem = _stem(atom, document, title, holes)
    if not _draft_ok(stem):
        return None
    return Draft("blank", atom, stem, [atom.text], method=f"cloze_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)  # type: ignore[arg-type]


def _list_lead(document: str, enum: Enumeration) -> str:
    """The words that introduce a list (对党员的纪律处分的种类：) without their colon, or ""."""
    head = tidy(document[enum.quote_start : enum.spans[0][0]], at_start=True)
    if not head.endswith(("：", ":")):
        return ""
    return _LIST_VERB.sub("", head.rstrip("：:"))  # 对党员的纪律处分有五种 → 对党员的纪律处分


_LIST_VERB = re.compile(r"(?:主要)?(?:有[一二三四五六七八九十]+[种项个类条]|包括|分为|有|是|为|如下|种类)$")


def exclude_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, rng: random.Random) -> Draft | None:
    """不包括: three members of a closed list and one outsider of the same kind; the outsider is the key."""
    enum = atom.enumeration
    if enum is None or not all(enum.askable) or not MULTI_MIN <= len(enum.items) <= 6:
        return None
    label = enum.label if _names_list(document, enum) else _list_lead(document, enum)
    if not label or len(label) > EXCLUDE_LEAD_MAX:
        return None
    quote = document[enum.quote_start : enum.quote_end]
    typical = sorted(enum.items, key=len)[len(enum.items) // 2]  # the outsider is as long as a typical member
    wrong = pool.pick(replace(atom, text=typical), quote, 1, rng, enumeration=enum, avoid=list(enum.items), difficulty="hard")
    if not wrong:
        return None
    by_length = sorted(enum.items, key=lambda m: (abs(len(m) - len(wrong[0])), rng.random()))
    shown = sorted(by_length[:3], key=enum.items.index)
    name = f"“{label}”" if NUMBERED.match(label) else label
    stem = f"{lead_name(title)}{name}不包括{BLANK}。"
    return Draft("single", atom, stem, wrong, shown, method="choice_exclude", blanks=[],
                 knowledge_point=enum.label)


def _names_list(document: str, enum: Enumeration) -> bool:
    """“四个意识”：政治意识、… — a numbered label right before the list, with as many items as it counts."""
    if not NUMBERED.match(enum.label):
        return False
    numeral = re.match(rf"[两{ORDINALS}]+", enum.label)
    count = chinese_number(numeral.group(0)) if numeral else None
    before = document[max(enum.quote_start, enum.spans[0][0] - len(enum.label) - 6) : enum.spans[0][0]]
    return count == len(enum.items) and enum.label in before


def lead_name(title: str) -> str:
    """根据党章， from the lead 党章规定，."""
    match = re.match(r"^(.*?)(?:规定|指出|提出)，$", title)
    return f"根据{match.group(1)}，" if match else prefix(title)


def reads_in(option: str, left: str, right: str) -> bool:
    """An option that repeats the words around the blank (党的 + 党的全国代表大会) does not read in the stem."""
    return not any(left.endswith(option[:k]) or right.startswith(option[-k:]) for k in (1, 2) if len(option) > k)


def single_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    if atom.kind == "enum_item":
        return exclude_item(atom, document, title, pool, rng=rng) if difficulty == "hard" else None
    if atom.kind not in SINGLE_KINDS:
        return None
    holes = [(atom.start, atom.end)]
    stem = _stem(atom, document, title, holes)
    if not _draft_ok(stem):
        return None
    quote = document[atom.quote_start : atom.quote_end]
    need = OPTIONS[difficulty] - 1
    left, right = document[max(atom.quote_start, atom.start - 2) : atom.start], document[atom.end : atom.end + 2]
    wrong = [w for w in pool.pick(atom, quote, need + 3, rng, difficulty=difficulty) if reads_in(w, left, right)][:need]
    if len(wrong) < need:
        return None
    return Draft("single", atom, stem, [atom.text], wrong, method=f"choice_{_method(atom)}", blanks=holes, knowledge_point=atom.knowledge_point)  # type: ignore[arg-type]


def multi_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, difficulty: str, rng: random.Random) -> Draft | None:
    """The whole list: every member among the options, plus one or two wrong options of the same kind."""
    enum: Enumeration | None = atom.enumeration
    if enum is None or not all(enum.askable) or not MULTI_MIN <= len(enum.items) <= MULTI_MAX:
        return None  # an unreliable member would be dropped from both stem and options
    correct = list(enum.items)
    want = 2 if len(correct) == MULTI_MIN and difficulty != "easy" else 1
    quote = document[enum.quote_start : enum.quote_end]
    wrong = pool.pick(atom, quote, want, rng, enumeration=enum, avoid=correct, difficulty=difficulty)
    if not wrong:
        return None
    holes = [(enum.spans[0][0], enum.spans[-1][1])]
    body = windowed(document, enum.quote_start, enum.quote_end, holes)
    if body is None:
        return None
    stem = prefix(title) + body
    if not stem_ok(stem):
        return None
    before = body.split(BLANK)[0]
    if len(body) - len(BLANK) < MULTI_CONTEXT_MIN or len(before) < 2:  # 坚持（　　）。 asks nothing
        return None
    return Draft("multi", atom, stem, correct, wrong, any_order=True, method="multi_enum", blanks=holes, knowledge_point=enum.label)


def judge_item(atom: Atom, document: str, title: str, pool: DistractorPool, *, truth: bool, rng: random.Random) -> Draft | None:
    """True: the cited statement. False: exactly one fact replaced (a number, an organ, an action, a grade).

    Both show the sentence from its subject to the end of the fact's clause, so either reads whole.
    """
    if atom.kind in {"article", "enum_item", "quoted"}:
        return None  # a list member swapped still reads as half true; loose quoted phrases are no facts
    hole = [(atom.start, atom.end)]
    true_statement = windowed(document, atom.quote_start, atom.quote_end, hole, fill=[atom.text], whole=True)
    if true_statement is None or not stem_ok(prefix(title) + true_statement):
        return None
    if truth:
        return Draft("judge", atom, prefix(title) + true_statement, ["正确"], method="judge_true",
                     statement=true_statement, true_statement=true_statement, knowledge_point=atom.knowledge_point)
    if atom.kind not in JUDGE_FALSE_KINDS or atom.family == "category:person":
        return None  # 主要（入党介绍人）: people swapped rarely make a clean false statement
    quote = document[atom.quote_start : atom.quote_end]
    wrong = pool.pick(atom, quote, 1, rng, difficulty="medium", siblings_only=True)  # a sibling term, never a random word
    if not wrong:
        return None
    statement = windowed(document, atom.quote_start, atom.quote_end, hole, fill=wrong, whole=True)
    if statement is None:
        return None
    method = {"number": "judge_number", "date": "judge_number", "contrast": "judge_contrast"}.get(atom.kind, "judge_swap")
    return Draft("judge", atom, prefix(title) + statement, ["错误"], method=method, blanks=hole,
                 statement=statement, true_statement=true_statement, edit=(atom.text, wrong[0]), knowledge_point=atom.knowledge_point)


def _method(atom: Atom) -> str:
    return {"enum_item": "enum", "formulation": "formulation", "quoted": "term", "number": "number", "date": "date",
            "title": "title", "definition": "definition", "article": "article", "term": "term", "category": "category"}.get(atom.kind, atom.kind)
