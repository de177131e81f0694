"""The unit tree of a document: the pieces an answer quotes whole, small to big, with exact offsets.

Retrieval searches small chunks; an answer quotes the unit that holds the retrieved text, however
many chunks it spans: a 编/章/节 or 一、 section, an article (第X条 with all its 款/项), a list (a lead
ending in ：with every item after it, on later lines or inline), an ordinal run (一是…二是…,
第一，…第二，…), a series sentence that enumerates X、Y、Z, and every paragraph. ``items`` are the
spans a list is made of; ``lead`` is the sentence that introduces them. Offsets index the cleaned
text (``text[start:end]`` is the unit), so highlights stay exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wuxue.ingest.document import CleanDocument, Paragraph
from wuxue.ingest.patterns import ARABIC_ENUM, ENUM_HEADING, PAREN_ARABIC, PAREN_ENUM
from wuxue.ingest.sentences import sentence_spans
from wuxue.ingest.structure import structure
from wuxue.numerals import ORDINALS, chinese_number

Span = tuple[int, int]
SECTION_KINDS = {"heading", "lead", "article"}
_RUN_MARK = re.compile(rf"(?:(?<=^)|(?<=[，,；;。：:]))\s*(?:([{ORDINALS}]{{1,2}})是|第([{ORDINALS}]{{1,2}})[，,、])")
_INLINE_ITEM = re.compile(rf"[（(]([{ORDINALS}]{{1,2}}|\d{{1,2}})[）)]")
_SERIES_STOP = "，,。；;：:！？!?\n（(）)“”\""
_SERIES_VERB = re.compile(r"(?:包括|包含|分为|分成|有|为|是|即|指|：|:)")
MAX_SERIES_ITEM = 16


@dataclass(frozen=True)
class Unit:
    """One addressable piece of a document. ``parent`` indexes the enclosing unit (-1: none)."""

    kind: str  # section | article | list | run | series | paragraph
    start: int
    end: int
    label: str = ""
    parent: int = -1
    lead: Span | None = None
    items: tuple[Span, ...] = ()
    page: int | None = None
    page_end: int | None = None

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def to_json(self) -> list[object]:
        return [self.kind, self.start, self.end, self.label, self.parent, list(self.lead) if self.lead else None,
                [list(s) for s in self.items], self.page, self.page_end]

    @classmethod
    def from_json(cls, row: list[object]) -> Unit:
        kind, start, end, label, parent, lead, items, page, page_end = row
        return cls(str(kind), int(start), int(end), str(label), int(parent),  # type: ignore[arg-type]
                   tuple(lead) if lead else None, tuple(tuple(s) for s in items), page, page_end)  # type: ignore[arg-type,misc]


@dataclass
class UnitTree:
    """A document's cleaned text, its units (ordered by start, bigger first) and its page map."""

    text: str
    units: list[Unit]
    page_starts: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page if page is not None or not self.page_starts else self.page_starts[0][1]

    def containing(self, start: int, end: int) -> list[Unit]:
        """Every unit holding ``[start, end)``, smallest first."""
        found = [u for u in self.units if u.contains(start, end)]
        return sorted(found, key=lambda u: (u.end - u.start, _KIND_ORDER.get(u.kind, 9)))

    def overlapping(self, start: int, end: int) -> list[Unit]:
        return [u for u in self.units if u.start < end and start < u.end]


_KIND_ORDER = {"series": 0, "run": 1, "list": 2, "paragraph": 3, "article": 4, "section": 5}


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "；;，,、"):
        end -= 1
    return start, end


def _sections(paragraphs: list[Paragraph], text_end: int, *text_of: str) -> list[Unit]:
    """A heading, lead or article with everything under it, up to the next one of the same or a higher level."""
    units: list[Unit] = []
    for index, paragraph in enumerate(paragraphs):
        if paragraph.kind not in SECTION_KINDS:
            continue
        end = text_end
        for later in paragraphs[index + 1:]:
            if later.kind in SECTION_KINDS and later.level <= paragraph.level:
                end = later.start
                break
        last = max((p.end for p in paragraphs[index:] if p.start < end), default=paragraph.end)
        kind = "article" if paragraph.kind == "article" else "section"
        units.append(Unit(kind, paragraph.start, last, paragraph.label, lead=(paragraph.start, paragraph.end) if kind == "section" else None))
    # a heading over articles or 一、 leads is a list of them (党员廉洁自律规范: 第一条…第四条)
    for index, unit in enumerate(units):
        if unit.kind != "section":
            continue
        level = next(p.level for p in paragraphs if p.start == unit.start)
        children = [u for u in units if u is not unit and unit.contains(u.start, u.end) and u.start > unit.start]
        child_levels = [next(p.level for p in paragraphs if p.start == u.start) for u in children]
        direct_level = min((lvl for lvl in child_levels if lvl > level), default=None)
        direct = [u for u, lvl in zip(children, child_levels) if lvl == direct_level]
        if len(direct) >= 2 and direct_level in (5, 6, 7):
            units[index] = Unit(unit.kind, unit.start, unit.end, unit.label, lead=unit.lead,
                                items=tuple(_trim(text_of[0], u.start, u.end) for u in direct))
    return units


def _paragraph_lists(text: str, paragraphs: list[Paragraph]) -> list[Unit]:
    """A sentence ending in ：followed by item paragraphs (（一） 1. 一、 or 第一，), all of them."""
    units: list[Unit] = []
    for index, paragraph in enumerate(paragraphs):
        sentences = sentence_spans(text, paragraph.start, paragraph.end)
        if not sentences:
            continue
        last = sentences[-1]
        ends_colon = text[last[1] - 1] in "：:"
        announces = text[last[1] - 1] == "。" and re.search(r"以下|下列|如下", text[last[0]:last[1]])
        if not (ends_colon or announces):
            continue
        items: list[Span] = []
        marker_kind: str | None = None
        for later in paragraphs[index + 1:]:
            body = text[later.start:later.end]
            kind = _marker_kind(body)
            if kind is None or (marker_kind is not None and kind != marker_kind) or later.kind == "article":
                break
            marker_kind = kind
            items.append(_trim(text, later.start, later.end))
        if len(items) >= 2:
            lead_start = paragraph.start if paragraph.kind == "article" or len(sentences) <= 3 else last[0]
            units.append(Unit("list", lead_start, items[-1][1], paragraph.label, lead=(lead_start, last[1]), items=tuple(items)))
    return units


def _dash_lists(text: str, paragraphs: list[Paragraph]) -> list[Unit]:
    """Paragraphs led by ——, one after another, are the items of the paragraph before them (报告: “…更有基于自己国情的
    中国特色。” then ——中国式现代化是人口规模巨大的现代化。——…); the lead is that paragraph's last sentences."""
    units: list[Unit] = []
    index = 1
    while index < len(paragraphs):
        run = index
        while run < len(paragraphs) and text[paragraphs[run].start:paragraphs[run].end].startswith("——"):
            run += 1
        if run - index >= 2 and paragraphs[index - 1].kind not in ("title",):
            lead = paragraphs[index - 1]
            sentences = sentence_spans(text, lead.start, lead.end)
            lead_start = lead.start if len(sentences) <= 2 else sentences[-2][0]
            items = tuple(_trim(text, p.start, p.end) for p in paragraphs[index:run])
            units.append(Unit("list", lead_start, items[-1][1], lead.label, lead=(lead_start, lead.end), items=items))
        index = max(run, index + 1)
    return units


def _marker_kind(body: str) -> str | None:
    for name, pattern in (("paren", PAREN_ENUM), ("paren_arabic", PAREN_ARABIC), ("arabic", ARABIC_ENUM), ("enum", ENUM_HEADING)):
        if pattern.match(body):
            return name
    if re.match(rf"^第[{ORDINALS}]+[，,、]", body):
        return "ordinal"
    if body.startswith(("——", "—", "●", "■", "◆")):
        return "dash"
    return None


def _ordinal_value(word: str) -> int:
    """一 → 1, 十二 → 12, 3 → 3; 0 for a label that is no number."""
    return chinese_number(word) or 0


def _runs(text: str, paragraph: Paragraph) -> list[Unit]:
    """一是…二是…三是… (or 第一，…第二，…) inside one paragraph; the lead is the sentence before 一是 when it ends in ：."""
    body_start = paragraph.start
    marks = [(m.start(1) if m.group(1) else m.start(2) - 1, _ordinal_value(m.group(1) or m.group(2)))
             for m in _RUN_MARK.finditer(text, body_start, paragraph.end)]
    units: list[Unit] = []
    index = 0
    while index < len(marks):
        if marks[index][1] != 1:
            index += 1
            continue
        run = [marks[index]]
        for position, value in marks[index + 1:]:
            if value == run[-1][1] + 1:
                run.append((position, value))
            elif value == 1:
                break
        if len(run) >= 2:
            items: list[Span] = []
            sentences = sentence_spans(text, paragraph.start, paragraph.end)
            for number, (position, _) in enumerate(run):
                if number + 1 < len(run):
                    end = run[number + 1][0]
                else:
                    end = next((e for s, e in sentences if s <= position < e), paragraph.end)
                items.append(_trim(text, position, end))
            first = items[0][0]
            lead_sentence = next(((s, e) for s, e in sentences if s <= first < e), (first, first))
            lead: Span | None = None
            start = lead_sentence[0]
            if lead_sentence[0] == first:
                before = [(s, e) for s, e in sentences if e <= first]
                if before and text[before[-1][1] - 1] in "：:":
                    lead = before[-1]
                    start = lead[0]
            elif text[first - 1] in "：:，,":
                lead = (lead_sentence[0], first)
            units.append(Unit("run", start, items[-1][1], lead=lead, items=tuple(items)))
        index += max(len(run), 1)
    return units


def _inline_lists(text: str, paragraph: Paragraph) -> list[Unit]:
    """A lead ending in ：followed in the same paragraph by （一）…（二）… items."""
    units: list[Unit] = []
    body = text[paragraph.start:paragraph.end]
    for colon in re.finditer(r"[：:]", body):
        after = paragraph.start + colon.end()
        marks = [m for m in _INLINE_ITEM.finditer(text, after, paragraph.end)]
        if not marks or marks[0].start() != after:
            units += _semicolon_list(text, paragraph, after)
            continue
        sequence = [marks[0]]
        for mark in marks[1:]:
            if _ordinal_value(mark.group(1)) == _ordinal_value(sequence[-1].group(1)) + 1:
                sequence.append(mark)
        if len(sequence) < 2:
            continue
        sentences = sentence_spans(text, paragraph.start, paragraph.end)
        lead_start = next((s for s, e in sentences if s <= after - 1 < e), paragraph.start)
        items: list[Span] = []
        for number, mark in enumerate(sequence):
            end = sequence[number + 1].start() if number + 1 < len(sequence) else _item_end(text, mark.end(), paragraph.end)
            items.append(_trim(text, mark.start(), end))
        units.append(Unit("list", lead_start, items[-1][1], lead=(lead_start, after), items=tuple(items)))
    return units


def _semicolon_list(text: str, paragraph: Paragraph, after: int) -> list[Unit]:
    """“监督方式主要包括：座谈…；查阅…；现场调查…。”: clauses after a colon, separated by ；, up to the sentence end."""
    end = _item_end(text, after, paragraph.end)
    body = text[after:end]
    if body.count("；") + body.count(";") < 2 or "\n" in body:
        return []
    items: list[Span] = []
    start = after
    for match in re.finditer(r"[；;]|[。！？!?]$", body):
        items.append(_trim(text, start, after + match.end()))
        start = after + match.end()
    if start < end:
        items.append(_trim(text, start, end))
    items = [(a, b) for a, b in items if b > a]
    if len(items) < 3:
        return []
    sentences = sentence_spans(text, paragraph.start, paragraph.end)
    lead_start = next((s for s, e in sentences if s <= after - 1 < e), paragraph.start)
    # sentence_spans splits at ；— the lead is the text from the sentence holding the colon
    return [Unit("list", lead_start, items[-1][1], lead=(lead_start, after), items=tuple(items))]


MAX_LIST_SENTENCE = 3000  # characters: a sentence listing duties is far shorter
_NAMED_DUTIES = re.compile(r"(?:任务|职责|职权|职能|内容|要求|义务|权利|方式|措施|原则|条件|标准|重点)[^；;。：:]{0,6}?"
                           r"(?:主要是|主要有|包括|分别是|是)")


def _lead_semicolon_lists(text: str, paragraph: Paragraph) -> list[Unit]:
    """“党组的任务，主要是负责…；加强…；讨论和决定…。”: a sentence naming its duties without a colon, then ；-separated
    clauses up to the sentence end. The lead runs to the verb; the first item starts after it.

    Sentences are found in one pass over their ends (a regex over whole sentences is quadratic on a long text
    without 。), and one longer than ``MAX_LIST_SENTENCE`` is not looked at."""
    units: list[Unit] = []
    start = paragraph.start
    for stop in re.finditer(r"[。！？!?\n]", text[paragraph.start:paragraph.end]):
        sentence_start, end = start, paragraph.start + stop.end()
        start = end
        if text[end - 1] == "\n" or end - sentence_start > MAX_LIST_SENTENCE:
            continue
        body = text[sentence_start:end]
        first = re.split(r"[；;]", body, maxsplit=1)[0]
        if body.count("；") + body.count(";") < 2 or "：" in first or ":" in first:
            continue
        verb = _NAMED_DUTIES.search(first)
        if verb is None:
            continue
        after = sentence_start + verb.end()
        items: list[Span] = []
        cursor = after
        for match in re.finditer(r"[；;]", text[after:end]):
            items.append(_trim(text, cursor, after + match.end()))
            cursor = after + match.end()
        items.append(_trim(text, cursor, end))
        items = [(a, b) for a, b in items if b > a]
        if len(items) >= 3:
            units.append(Unit("list", sentence_start, items[-1][1], lead=(sentence_start, after), items=tuple(items)))
    return units


def _item_end(text: str, start: int, limit: int) -> int:
    match = re.compile(r"[。！？!?]").search(text, start, limit)
    return match.end() if match else limit


def _series(text: str, paragraph: Paragraph) -> list[Unit]:
    """A sentence enumerating three or more short terms with 、 (政治纪律、组织纪律、…、生活纪律)."""
    units: list[Unit] = []
    for s_start, s_end in sentence_spans(text, paragraph.start, paragraph.end):
        sentence = text[s_start:s_end]
        position = 0
        while True:
            first_sep = sentence.find("、", position)
            if first_sep < 0:
                break
            # the segments around consecutive 、 without other punctuation
            seg_start = max(sentence.rfind(ch, 0, first_sep) for ch in _SERIES_STOP) + 1
            separators = [first_sep]
            cursor = first_sep + 1
            while True:
                stop = min([i for i in (sentence.find(ch, cursor) for ch in _SERIES_STOP) if i >= 0] or [len(sentence)])
                nxt = sentence.find("、", cursor)
                if 0 <= nxt < stop:
                    separators.append(nxt)
                    cursor = nxt + 1
                else:
                    seg_end = stop
                    break
            position = seg_end
            head = sentence[seg_start:separators[0]]
            verb = None
            for match in _SERIES_VERB.finditer(head):
                verb = match
            # two terms make a series only right after 分为/包括/：(“分为留党察看一年、留党察看二年”)
            if len(separators) < 2 and not (verb and re.search(r"分为|分成|包括|[：:]", verb.group(0))):
                continue
            skip = verb.end() + (head[verb.end():verb.end() + 1] == "的") if verb else 0  # 享有的表决权 → 表决权
            first_item_start = seg_start + (skip if verb and skip < len(head) else 0)
            bounds = [first_item_start, *[i + 1 for i in separators]]
            ends = [*separators, seg_end]
            last = sentence[bounds[-1]:ends[-1]]
            tail = re.search(rf"(?:等|等等)(?:[^、]{{0,6}})$|这[{ORDINALS}两]{{1,2}}(?:项|个|种|条|类|大)", last)
            if tail:
                ends[-1] = bounds[-1] + tail.start()
            items = [_trim(text, s_start + a, s_start + b) for a, b in zip(bounds, ends)]
            items = [(a, b) for a, b in items if b > a]
            if len(items) < 2 or max(b - a for a, b in items[1:]) > MAX_SERIES_ITEM:
                continue
            units.append(Unit("series", s_start, s_end, lead=(s_start, items[0][0]) if items[0][0] > s_start else None,
                              items=tuple(items)))
    return units


def build_units(document: CleanDocument) -> list[Unit]:
    """Every unit of a document with its parent and pages, ordered by start (bigger units first)."""
    text, paragraphs = document.text, document.paragraphs
    units = _sections(paragraphs, len(text), text) + _paragraph_lists(text, paragraphs) + _dash_lists(text, paragraphs)
    for paragraph in paragraphs:
        if paragraph.kind == "title":
            continue
        units.append(Unit("paragraph", paragraph.start, paragraph.end, paragraph.label))
        units += _runs(text, paragraph) + _inline_lists(text, paragraph) + _lead_semicolon_lists(text, paragraph) + \
            _series(text, paragraph)
    # an article whose body is one list: the article's items are the list's items
    lists = [u for u in units if u.kind == "list"]
    for i, unit in enumerate(units):
        if unit.kind == "article" and not unit.items:
            inner = [u for u in lists if unit.contains(u.start, u.end)]
            if len(inner) == 1:
                units[i] = Unit(unit.kind, unit.start, unit.end, unit.label, lead=inner[0].lead, items=inner[0].items)
    # ties (two series in one sentence) are ordered by their items, not by set order, so every run builds the same tree
    ordered = sorted(set(units), key=lambda u: (u.start, -(u.end - u.start), _KIND_ORDER.get(u.kind, 9), u.items, u.lead or (0, 0)))
    result: list[Unit] = []
    for unit in ordered:
        parent = -1
        for index in range(len(result) - 1, -1, -1):
            candidate = result[index]
            if candidate.contains(unit.start, unit.end) and (candidate.start, candidate.end) != (unit.start, unit.end) \
                    or (candidate.start, candidate.end) == (unit.start, unit.end) and _KIND_ORDER[candidate.kind] > _KIND_ORDER[unit.kind]:
                parent = index
                break
        result.append(Unit(unit.kind, unit.start, unit.end, unit.label, parent, unit.lead, unit.items,
                           document.page_at(unit.start), document.page_at(max(unit.end - 1, unit.start))))
    return result


def tree_of(document: CleanDocument) -> UnitTree:
    return UnitTree(document.text, build_units(document), list(document.page_starts))


def tree_from_text(text: str, page_starts: list[tuple[int, int]] | None = None) -> UnitTree:
    """Rebuild the tree from stored cleaned text (paragraphs are its lines) — for snapshots written before units were kept."""
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        if line:
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    document = CleanDocument(text=text, paragraphs=structure(text, spans) if spans else [], page_starts=list(page_starts or []))
    return tree_of(document)
