"""Compose the answer a member reads: a direct first line, then the whole supporting unit, with citations.

Retrieval finds small chunks; the answer is built from the structure unit that holds the retrieved text
(ingest/units.py): the article with every item, the list with its lead, the 一是…二是… run, the series
sentence X、Y、Z. The first line answers in one sentence — for a list how many and every item's leading
clause (``共八项：（一）…；（二）…[1]``), for a fact the sentence that states it. The unit is then quoted
whole (capped) with each supporting span highlighted, each span with its page. A further passage is added
only when it says something the first did not; the same list elsewhere becomes a second citation
(``also_in``), not a second answer. A bare heading is never an answer sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from wuxue.answering.answer_type import LABELS, AnswerType, expected_type, holds_answer
from wuxue.answering.evidence import answer_scores, asked_role, asking_clause, in_opposite, new_content, supporting_span
from wuxue.answering.question import CLAUSE_END, GENERIC, Question
from wuxue.answering.signals import idf
from wuxue.index.overlap import QueryOverlap
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.index.store import StoredChunk
from wuxue.ingest.clean import fold_for_search
from wuxue.ingest.patterns import ARTICLE_NUMBER, LIST_MARKER
from wuxue.ingest.sentences import sentence_spans
from wuxue.ingest.units import Unit, UnitTree
from wuxue.numerals import chinese_number, to_chinese

MAX_CITED = 2  # a fact answer cites its passage and at most one more that adds to it (a third was noise to readers)
# A further passage is quoted only when retrieval ranks it close to the best one (see README: 0.6 kept every
# supported answer on the gold set) and its best sentence scores close to the best sentence.
RETRIEVAL_SHARE = 0.6
SENTENCE_SHARE = 0.6
MAX_UNIT_CHARS = 1500  # a quoted unit is cut (at a sentence end) beyond this
MAX_CLAUSE_CHARS = 40  # an item's leading clause on the direct line
ARTICLE_QUOTE_CHARS = 600  # answers that are not one fact quote the whole article up to this length
WHOLE_ARTICLE_KINDS = {"requirement", "procedure", "list", "other"}  # kinds that are not one fact
SHORT_UNIT_CHARS = 75  # single-fact answers quote their unit only when it is at most this long (0: never)
TYPED_SHARE = 0.3  # a lower-ranked passage that holds the asked kind (a number, a date) states the fact instead
TYPED_BONUS = 0.5  # asked-number questions: a sentence of the article that holds a number of the asked kind
PREDICATE_BONUS = 0.3  # asked-number questions: the sentence says the number of an asked term
FOCUS_BONUS = 0.5  # a sentence defining the focus term (“誓词如下：”)
DEFINES_BONUS = 1.0  # definition questions: the passage whose sentence defines the term states the answer
FURTHER = True  # add further passages that say something new
SKIP_WHEN_STATED = True  # single facts: no further passage once the first line holds the asked kind
MAIN_BY_STRENGTH = {"definition", "quantity", "date", "actor", "yesno", "list", "other"}  # kinds whose first line is chosen by strength
MAIN_SHARE_WEIGHT: float | None = 0.5  # None: the best-ranked passage states the fact; else argmax(score + w * share)
LIST_KINDS = {"list", "run", "series"}
NEARBY_WINDOW = 2000  # without such a section: lists this close to the chunk
NEARBY_SECTION_CHARS = 8000  # lists in the section around a retrieved chunk are candidates up to this section size
LIST_ASKING = {"list", "requirement", "procedure", "definition", "other", "actor"}  # kinds a list can answer
_ACTORS_LEAD = re.compile(r"由下列|下列[^，。：:]{0,10}(?:人|组织|机关|单位|部门)")  # a list of who
LOOSE_LEAD_OVERLAP = 0.7  # list questions whose lists all missed LEAD_OVERLAP: the lists in the best passages, at this bar
LOOSE_PASSAGES = 3
NEARBY_KINDS = {"list", "requirement"}  # kinds that take a list from the section around a retrieved passage
LEAD_OVERLAP = 1.0  # a list whose lead shares this much with the question (words + bigrams, 0..2) answers it
DECLARED_BONUS = 1.0  # a lead that announces the asked things (下列权利：)
HOLDS_SUPPORT = 0.5  # bonus for a list that holds the retrieved passage's best sentence
MIN_SERIES_TERMS = 3  # terms (two 、) that make the best passage's sentence an enumeration of its own
NEARBY_FALLBACK = False  # True: lists next to the retrieved passages only when none in them fits (False: always, penalised)
_INTRODUCES = re.compile(r"[，,]?(?:(?:即|就是|是指|是|为|包括|主要是|主要有|分别是|指|有)[：:]?|[：:])")  # “X即：”, “X包括”, “X：”
MAX_SECTION_LIST_CHARS = 30000  # a heading over articles/一、 parts answers a list question up to this size (quote capped)
_ARTICLE_LABEL = re.compile(rf"^{ARTICLE_NUMBER.pattern}\s*")


class TreeSource(Protocol):
    def document_tree(self, doc_id: str) -> UnitTree | None: ...

    def documents(self) -> Sequence[object]: ...

    def chunks_of(self, doc_id: str) -> Sequence[StoredChunk]: ...


@dataclass
class Citation:
    marker: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    page_end: int | None
    text: str
    char_start: int
    char_end: int
    highlight: list[list[int]]
    score: float
    highlight_page: int | None = None  # the page of the first highlighted span
    highlight_pages: list[int | None] = field(default_factory=list)  # the page of every highlighted span
    also_in: list[dict[str, object]] = field(default_factory=list)  # other places saying the same (the same list elsewhere)
    source: str = "text"  # "ocr": the passage was read from a scan and may contain recognition errors
    ocr_confidence: float | None = None  # mean OCR confidence of its pages (None for text)


@dataclass
class Composition:
    direct: str
    answer: str
    citations: list[Citation]


@dataclass
class _Candidate:
    rank: int
    hit: SearchHit
    tree: UnitTree | None
    start: int  # absolute support span in the document
    end: int
    score: float
    share: float  # retrieval score relative to the best passage
    named: Unit | None = None  # a list found by its counted name, not by retrieval


def chinese_count(n: int) -> str:
    """共两项, 共八项, 共十二项: how the direct line counts items."""
    return to_chinese(n, liang=True)


def _candidates(store: TreeSource, result: SearchResult) -> list[_Candidate]:
    if not result.hits:
        return []
    top = result.hits[0].score or 1.0
    found: list[_Candidate] = []
    kind = expected_type(result.query)
    for rank, hit in enumerate(result.hits):
        chunk = hit.chunk
        scores = answer_scores(result.query, result.tokens, result.bigrams, chunk.text, chunk.sentences)
        start, end, score = supporting_span(chunk.text, chunk.sentences, scores, tokens=result.tokens,
                                            bigrams=result.bigrams, kind=kind)
        tree = store.document_tree(chunk.doc_id)
        if tree is not None and tree.text[chunk.char_start:chunk.char_end] != chunk.text:
            tree = None  # a stale tree never gives wrong offsets
        found.append(_Candidate(rank, hit, tree, chunk.char_start + start, chunk.char_start + end, score,
                                hit.score / top if top > 0 else 0.0))
    return found


def _is_heading(tree: UnitTree, start: int, end: int) -> bool:
    """A bare heading line (第二章 总则, 一、…) says nothing by itself."""
    text = tree.text[start:end].strip()
    line_start = tree.text.rfind("\n", 0, start) + 1
    line_end = tree.text.find("\n", end)
    line = tree.text[line_start: line_end if line_end >= 0 else len(tree.text)].strip()
    return line == text and len(text) <= 40 and not re.search(r"[。！？；：:]$", text) and \
        any(u.kind == "section" and u.start == line_start for u in tree.units)


def _unit_for(tree: UnitTree, start: int, end: int) -> Unit | None:
    """The smallest article or paragraph holding the span (what a citation quotes for a fact)."""
    for unit in tree.containing(start, end):
        if unit.kind in ("article", "paragraph") and unit.end - unit.start <= MAX_UNIT_CHARS:
            return unit
    return None


def _article_for(tree: UnitTree, start: int, end: int) -> Unit | None:
    """The article holding the span, when it is short enough to quote whole (a requirement may take three paragraphs)."""
    for unit in tree.containing(start, end):
        if unit.kind == "article" and unit.end - unit.start <= ARTICLE_QUOTE_CHARS:
            return unit
    return None


def _list_units(tree: UnitTree, start: int, end: int) -> list[Unit]:
    """List-like units touching a chunk: lists, runs, series and articles with items."""
    return [u for u in tree.overlapping(start, end) if _is_list(tree, u)]


def _is_list(tree: UnitTree, unit: Unit) -> bool:
    if not (unit.kind in LIST_KINDS or unit.kind in ("article", "section") and unit.items) or len(unit.items) < 2:
        return False
    if unit.kind == "series":  # 第九条、第十条… or one-character fragments are references, not a list
        words = [_ARTICLE_LABEL.sub("", tree.text[a:b]) for a, b in unit.items]
        return all(len(re.findall(r"[\u4e00-\u9fff]", w)) >= 2 for w in words)
    return True


def _nearby_lists(tree: UnitTree, start: int, end: int) -> list[Unit]:
    """Lists elsewhere in the section (章/节/一、) that holds the chunk: the list may sit in the next article."""
    sections = [u for u in tree.containing(start, end) if u.kind == "section" and u.end - u.start <= NEARBY_SECTION_CHARS]
    low, high = (sections[0].start, sections[0].end) if sections else (start - NEARBY_WINDOW, end + NEARBY_WINDOW)
    return [u for u in tree.units if low <= u.start and u.end <= high and not (u.start < end and start < u.end) and _is_list(tree, u)]


def _lead_text(tree: UnitTree, unit: Unit) -> str:
    if unit.lead:
        return tree.text[unit.lead[0]:unit.lead[1]]
    return tree.text[unit.start:unit.items[0][0]] if unit.items else tree.text[unit.start:unit.end]


def _says_count(lead: str) -> int | None:
    found = re.findall(r"([一二两三四五六七八九十]{1,3})(?:种|项|个|类|条|方面)", _ARTICLE_LABEL.sub("", lead.strip()))
    return chinese_number(found[-1]) if found else None


_FILLER = re.compile(r"的|主要|基本|具体|有关|相关|" + GENERIC.pattern)


_DIVIDES = re.compile(r"分为|分成")
_DIVIDED = re.compile(r"分为|分成|区分|分类|类别|种类|[几两三四五六七八九十]类|[几两三四五六七八九十]种")  # a lead that says how


def _focus_tail_in(focus: str, lead: str) -> bool:
    """The lead names the asked term: the whole focus, or a tail of at least half of it that keeps a content word
    (对发展对象政治审查的主要内容 → 政治审查的主要内容是：; not just 的主要内容 or 组织处理)."""
    focus = fold_for_search(focus)
    if not focus:
        return False
    if focus in lead:
        return True
    for size in range(len(focus) - 1, max(5, (len(focus) + 1) // 2) - 1, -1):  # at least half of it
        tail = focus[-size:]
        if tail in lead:
            return len(_FILLER.sub("", tail)) >= 2
    return False


def _suffix_match(question: Question, tree: UnitTree, unit: Unit) -> bool:
    """“四个意识”, “六项纪律”: the items end in the focus term's head word (政治意识、大局意识…)."""
    head = question.focus_head
    if len(head) < 2:
        return False
    return _suffix_items(tree, unit, head)


class _LeadOverlap:
    """How much of the question a list's lead says: of the whole question, or of its asking clause alone when it
    has one (“家里人一直联系不上，什么情况下可以申请宣告死亡” is asked by its second clause; the first only tells
    the story, in words no statute uses)."""

    def __init__(self, result: SearchResult) -> None:
        self.whole = QueryOverlap(result.tokens, result.bigrams)
        clause = asking_clause(result.query)
        folded = fold_for_search(clause) if clause else ""
        words = [t for t in result.tokens if t in folded] if folded else []
        self.asking = QueryOverlap(words, [g for g in result.bigrams if g in folded]) if words else None

    def sentence(self, folded: str) -> float:
        whole = self.whole.sentence(folded)
        return max(whole, self.asking.sentence(folded)) if self.asking is not None else whole


def _list_score(question: Question, overlap: _LeadOverlap, candidate: _Candidate, unit: Unit, *, nearby: bool = False,
                floor: float = LEAD_OVERLAP) -> float | None:
    """How well a list answers the question; None when nothing ties it to the question (an asked count, the focus)."""
    tree = candidate.tree
    assert tree is not None
    lead_text = _lead_text(tree, unit)
    lead = fold_for_search(lead_text + unit.label)
    whole = fold_for_search(tree.text[unit.start:unit.end][:400])
    lead_overlap = overlap.sentence(lead)
    score = lead_overlap + 0.5 * overlap.sentence(whole) + 0.5 * candidate.share
    counted = question.count is not None and question.count == len(unit.items)
    if question.count is None and lead_overlap >= floor:
        counted = _says_count(lead_text) == len(unit.items)  # “处分有五种：” counts its own items
    agreement = _noun_agreement(question.text, lead_text)
    score += agreement
    suffix = _suffix_match(question, tree, unit)
    head = question.focus_head
    focused = _focus_tail_in(question.focus, lead) or \
        len(head) == 2 and head in lead and lead_overlap >= floor
    if question.count is not None and not counted:
        return None  # “分哪两步走” is not answered by a list of seven
    if _DIVIDES.search(question.text) and not _DIVIDED.search(lead_text) and not (counted or suffix):
        return None  # “基金会分为哪几类” asks how it is divided, not for any list that names 基金会
    score += (1.0 if counted else 0.0) + (1.0 if suffix else 0.0) + (0.5 if focused else 0.0)
    if len(head) == 2 and re.search("下列" + re.escape(head) + r"[：:]\s*$", lead_text):
        score += DECLARED_BONUS  # “党员享有下列权利：” is the text's own list of 权利, not a sentence naming four of them
    if unit.start <= candidate.start and candidate.end <= unit.end:
        score += HOLDS_SUPPORT  # the list holds the passage's best sentence, not just its edge
    if unit.kind == "series":
        score -= 0.3  # a sentence that happens to enumerate is weaker evidence than a list the text introduces
        if not (counted or suffix or focused and re.search(r"(?:包括|分为|有|是)[：:]?$", lead_text.strip())):
            return None
    if unit.kind == "section" and (question.kind == "definition" and not counted
                                   or not (counted or lead_overlap >= floor)):
        return None  # a chapter is a list only when the question names it (not one word of its heading: 公民的基本权利和
        # 义务 for 父母对孩子要尽哪些义务), and never what defines a term
    # “在什么条件下能取得所有权” and “符合下列情形的，受让人取得…所有权：”: the lead names what is asked for
    agrees = question.kind != "list" and agreement > 0 and lead_overlap >= min(floor, LOOSE_LEAD_OVERLAP)
    if nearby:
        if not (counted or suffix or focused or agrees):
            return None
        score -= 0.3
    if not (counted or suffix or focused or agrees or lead_overlap >= floor):
        return None
    return score


# What a list enumerates: a question about 方式 is not answered by a list of 程序 steps, and the other way round.
_LIST_NOUNS = tuple(re.compile(p) for p in (r"程序|步骤|环节|流程", r"条件|资格|情形|情况|什么样的", r"方式|种类|形式|类型|措施|办法",
                                             r"任务|职责|职权|职能", r"原则", r"义务", r"权利", r"纪律"))
NOUN_WEIGHT = 0.5


def _noun_agreement(question: str, lead: str) -> float:
    """+w when the list's lead names what the question asks to enumerate, −w when it names something else."""
    asked = {i for i, p in enumerate(_LIST_NOUNS) if p.search(question)}
    named = {i for i, p in enumerate(_LIST_NOUNS) if p.search(lead)}
    if not asked or not named:
        return 0.0
    return NOUN_WEIGHT if asked & named else -NOUN_WEIGHT


def _clause(text: str) -> str:
    """An item's leading clause for the direct line: its label, then words up to the first clause end."""
    label = LIST_MARKER.match(text)
    head = label.group(0).strip() if label else ""
    body = text[label.end():] if label else text
    body = _ARTICLE_LABEL.sub("", body)
    match = CLAUSE_END.search(body)
    clause = body[: match.start()] if match else body
    if len(clause) < 4 and match:  # “警告；” is whole; a too-short clause takes the next one
        nxt = CLAUSE_END.search(body, match.end())
        clause = body[: nxt.start()] if nxt else body
    clause = clause.rstrip("；;，,。")
    if len(clause) > MAX_CLAUSE_CHARS:
        clause = clause[:MAX_CLAUSE_CHARS] + "…"
    elif len(clause) < len(body.rstrip("；;，,。")):
        clause += "…"
    return head + clause


def _list_direct(tree: UnitTree, unit: Unit, markers: str) -> str:
    items = [_clause(tree.text[a:b]) for a, b in unit.items]
    separator = "、" if unit.kind == "series" else "；"
    return f"共{chinese_count(len(items))}项：" + separator.join(items) + markers


def _cut(tree: UnitTree, start: int, end: int) -> tuple[int, int]:
    """At most MAX_UNIT_CHARS, ending at a sentence end."""
    if end - start <= MAX_UNIT_CHARS:
        return start, end
    last = start + MAX_UNIT_CHARS
    for s, e in sentence_spans(tree.text, start, end):
        if e > start + MAX_UNIT_CHARS:
            break
        last = e
    return start, last


def _citation(marker: int, candidate: _Candidate, span: tuple[int, int], highlights: Sequence[tuple[int, int]]) -> Citation:
    chunk, tree = candidate.hit.chunk, candidate.tree
    assert tree is not None
    start, end = span
    marks = [[max(a, start) - start, min(b, end) - start] for a, b in highlights if a < end and b > start]
    pages = [tree.page_at(start + a) for a, _ in marks]
    section = _section_of(tree, start, end) or chunk.section
    return Citation(marker, chunk.chunk_id, chunk.doc_id, chunk.title, section, tree.page_at(start),
                    tree.page_at(max(end - 1, start)), tree.text[start:end], start, end, marks,
                    round(candidate.hit.score, 6), pages[0] if pages else tree.page_at(start), pages,
                    source=chunk.source or "text", ocr_confidence=chunk.ocr_confidence)


def _section_of(tree: UnitTree, start: int, end: int) -> str:
    """The breadcrumb of the quoted span: the chapters, sections and article holding it (第一章 党员 › 第三条)."""
    labels = [u.label for u in sorted(tree.containing(start, end), key=lambda u: u.start - u.end)
              if u.kind in ("section", "article") and u.label]
    return " › ".join(dict.fromkeys(labels))


def chunk_citation(marker: int, hit: SearchHit, highlight: list[list[int]]) -> Citation:
    """A citation of the chunk itself (no unit tree: refusals' nearest passages, stale trees)."""
    chunk = hit.chunk
    pages = [chunk.page_at(a) for a, _ in highlight]
    return Citation(marker, chunk.chunk_id, chunk.doc_id, chunk.title, chunk.section, chunk.page, chunk.page_end,
                    chunk.text, chunk.char_start, chunk.char_end, highlight, round(hit.score, 6),
                    pages[0] if pages else chunk.page, pages, source=chunk.source or "text", ocr_confidence=chunk.ocr_confidence)


def _off_item_marker(sentence: str) -> str:
    """“（三）党的最高领导机关，是…” read as an answer: without the list item's number."""
    marker = LIST_MARKER.match(sentence)
    return sentence[marker.end():].lstrip() if marker and marker.end() < len(sentence) else sentence


def _strip_label(text: str) -> str:
    return _ARTICLE_LABEL.sub("", text.strip())


def _quote(tree: UnitTree, span: tuple[int, int], full_end: int) -> str:
    text = tree.text[span[0]:span[1]].strip()
    return text + ("……" if span[1] < full_end else "")


def _items_key(tree: UnitTree, unit: Unit) -> list[str]:
    keys = []
    for a, b in unit.items:
        body = tree.text[a:b]
        label = LIST_MARKER.match(body)
        body = body[label.end():] if label else body
        keys.append(fold_for_search(re.sub(r"\W", "", body))[:4])
    return keys


def _same_list(tree_a: UnitTree, a: Unit, tree_b: UnitTree, b: Unit) -> bool:
    keys_a, keys_b = _items_key(tree_a, a), _items_key(tree_b, b)
    if len(keys_a) != len(keys_b):
        return False
    text_b = fold_for_search(re.sub(r"\W", "", tree_b.text[b.start:b.end]))
    return sum(1 for k in keys_a if k and k in text_b) >= 0.8 * len(keys_a)


def _unit_id(candidate: _Candidate, unit: Unit) -> tuple[str, int, int, int]:
    """Two series in one sentence share its start and end; their first items tell them apart."""
    return candidate.hit.chunk.doc_id, unit.start, unit.end, unit.items[0][0] if unit.items else unit.start


def _named_lists(store: TreeSource, result: SearchResult, question: Question,
                 doc_ids: Sequence[str] | None) -> list[_Candidate]:
    """“四个意识”、“六项纪律”: a counted term names a list; look for it in every document's units.

    Retrieval may miss the one sentence that enumerates them (it mentions the term less often than the passages
    that use it); a unit with exactly that many items, each holding the term's head word (政治意识、大局意识…),
    or whose sentence names the term, is that list. Documents the search ranked come first.
    """
    if question.count is None or not question.focus:
        return []
    head = question.focus_chars
    ranked = list(dict.fromkeys(h.chunk.doc_id for h in result.hits))
    documents = [str(getattr(d, "doc_id", d)) for d in store.documents()]
    allowed = set(doc_ids) if doc_ids else None
    order = ranked + [d for d in documents if d not in ranked]
    found: list[_Candidate] = []
    for doc_id in order:
        if allowed is not None and doc_id not in allowed:
            continue
        tree = store.document_tree(doc_id)
        if tree is None:
            continue
        for unit in tree.units:
            if len(unit.items) != question.count or not _is_list(tree, unit):
                continue
            if not (_names_items(tree, unit, head) or _suffix_items(tree, unit, head)):
                continue
            chunk = next((c for c in store.chunks_of(doc_id) if c.char_start <= unit.start < c.char_end), None)
            if chunk is not None:
                found.append(_Candidate(999, SearchHit(chunk, 0.0, 0.0, 0.0), tree, unit.start, unit.end, 0.0, 0.0, unit))
        if not found and len(head) >= 2:
            for unit in _clause_runs(tree, head[-2:], question.count):
                chunk = next((c for c in store.chunks_of(doc_id) if c.char_start <= unit.start < c.char_end), None)
                if chunk is not None:
                    found.append(_Candidate(999, SearchHit(chunk, 0.0, 0.0, 0.0), tree, unit.start, unit.end, 0.0, 0.0, unit))
    return found


def _suffix_items(tree: UnitTree, unit: Unit, head: str) -> bool:
    """Every item's first clause holds the term's head word: 政治意识、大局意识、核心意识、看齐意识 for “四个意识”
    (a word somewhere in long items — 规范 in four paragraphs of a report — is chance, not a name)."""
    if len(head) < 2:
        return False
    short = _KIND_CHARS.get(head[-2:])  # 哪些权利 → 生命权、身体权…; 哪些费用 → 医疗费、护理费…
    return all(head[-2:] in clause or bool(short) and clause.rstrip("，,；;。、 ").endswith(short)
               for clause in (_first_clause(tree.text[a:b]) for a, b in unit.items))


# Category words whose items are named by their first character alone (名誉权 is a 权利, 护理费 a 费用).
_KIND_CHARS = {"权利": "权", "费用": "费", "税费": "税", "保险": "险", "法律": "法"}


def _first_clause(item: str) -> str:
    """An item up to its first clause end, without its label and closing quotes: 牢固树立政治意识 / （一）廉洁从政."""
    label = LIST_MARKER.match(item)
    body = _ARTICLE_LABEL.sub("", item[label.end():] if label else item)
    return re.split(r"[，,；;。：:！？!?（(]", body, maxsplit=1)[0].strip().rstrip("”’」\"")


def _names_items(tree: UnitTree, unit: Unit, head: str) -> bool:
    """The term introduces or sums up the items: “四个意识”即…/廉洁自律规范 over its articles, or
    “坚持社会主义道路、…这四项基本原则” — not a term named earlier in a sentence that lists something else
    (“反对四项基本原则，反对…的文章、演说、宣言、声明”)."""
    lead = tree.text[unit.start:unit.items[0][0]]
    at = lead.rfind(head)
    if at >= 0:
        between = lead[at + len(head):].strip().strip("”’」\"")
        if (unit.kind == "section" and not between) or _INTRODUCES.fullmatch(between):
            return True
    after = tree.text[unit.items[-1][1]:unit.end]
    return bool(re.match(r"[”’」\"]?(?:等)?这?[一二三四五六七八九十两]?(?:项|个|种|条|类|大)?" + re.escape(head), after.strip()))


def _clause_runs(tree: UnitTree, word: str, count: int) -> list[Unit]:
    """“四个服从”: exactly ``count`` consecutive clauses of one sentence, each holding the word (党员个人服从党的组织，
    少数服从多数，…), as a series unit."""
    runs: list[Unit] = []
    for unit in tree.units:
        if unit.kind != "paragraph" or word not in tree.text[unit.start:unit.end]:
            continue
        for s_start, s_end in sentence_spans(tree.text, unit.start, unit.end):
            clauses: list[tuple[int, int]] = []
            start = s_start
            for match in re.finditer(r"[，,；;：:。！？!?]", tree.text[s_start:s_end]):
                clauses.append((start, s_start + match.start()))
                start = s_start + match.end()
            if start < s_end:
                clauses.append((start, s_end))
            holding = [word in tree.text[a:b] for a, b in clauses]
            index = 0
            while index < len(clauses):
                if not holding[index]:
                    index += 1
                    continue
                last = index
                while last + 1 < len(clauses) and holding[last + 1]:
                    last += 1
                if last - index + 1 == count:
                    items = tuple(clauses[index:last + 1])
                    runs.append(Unit("series", s_start, s_end, lead=(s_start, items[0][0]) if items[0][0] > s_start else None,
                                     items=items))
                index = last + 1
    return runs


def compose(store: TreeSource, result: SearchResult, question: Question, *, doc_ids: Sequence[str] | None = None) -> Composition:
    """The direct line, the quoted unit(s) and their citations for an answerable question."""
    candidates = _candidates(store, result)
    if not candidates:
        return Composition("", "", [])
    usable = [c for c in (_off_heading(result, c) for c in candidates if c.tree is not None) if c is not None]
    if not usable:
        return _chunk_answer(result, candidates)
    best_score = max(c.score for c in usable)
    eligible = [c for c in usable if c.rank == usable[0].rank or (c.score >= SENTENCE_SHARE * best_score and c.share >= RETRIEVAL_SHARE)]
    defining = _defining(question, result, [c for c in usable if c not in eligible], SENTENCE_SHARE * best_score) \
        if question.kind == "definition" else []
    listed = _pick_list(question, result, eligible, usable)
    if question.kind == "list" and (listed is None or not _ties(question, listed)):
        named = _named_lists(store, result, question, doc_ids)
        if named:
            listed = _pick_named(question, result, named) or listed
    if listed is not None:
        return _list_answer(question, result, eligible, *listed)
    return _fact_answer(question, result, eligible, usable, defining)


def _defining(question: Question, result: SearchResult, others: list[_Candidate], floor: float) -> list[_Candidate]:
    """Passages retrieval ranks high whose article defines the asked term in a sentence the chunk's own best sentence
    missed (“誓词如下：我志愿加入中国共产党…” for 入党誓词是什么): they compete for the first line too."""
    found = []
    for candidate in others:
        if candidate.share < TYPED_SHARE or candidate.tree is None:
            continue  # as for an asked number: a lower-ranked passage that defines the term may state the answer
        unit = _unit_for(candidate.tree, candidate.start, candidate.end)
        start, end, score = _refine(question, result, candidate, unit)
        if score >= floor or _opens_with_definition(question, candidate.tree.text[start:end], owned=True):
            found.append(candidate)
    return found


def _pick_list(question: Question, result: SearchResult, eligible: list[_Candidate],
               candidates: list[_Candidate]) -> tuple[_Candidate, Unit] | None:
    """The list the question asks for: list questions look at every retrieved passage and its section;
    other questions take a list only when its lead reads like the question."""
    overlap = _LeadOverlap(result)
    scored: list[tuple[float, int, _Candidate, Unit]] = []
    if question.kind not in LIST_ASKING:
        return None
    focus = fold_for_search(question.focus)
    if question.kind == "definition" and len(focus) >= 4 and any(
            c.tree is not None and focus in fold_for_search(c.tree.text[c.start:c.end]) for c in eligible):
        return None  # a sentence states the whole term (“高质量发展是…的首要任务”): that is the answer
    pool = candidates if question.kind == "list" else eligible
    first = eligible[0] if eligible else None
    top_support = overlap.sentence(fold_for_search(first.tree.text[first.start:first.end])) \
        if first is not None and first.tree is not None else 0.0  # how well the best passage's sentence reads
    key_word = _key_word(result, first) if question.kind != "list" else ""
    seen: set[tuple[str, int, int, int]] = set()
    for nearby in (False, True):  # lists in the retrieved passages first; the ones next to them only when none fits
        if nearby and (scored and NEARBY_FALLBACK or question.kind not in NEARBY_KINDS or scored and question.kind != "list"):
            break  # conditions (“什么样的婚姻是无效的”) look next door only when the passages hold no list
        for candidate in pool:
            if candidate.tree is None:
                continue
            chunk = candidate.hit.chunk
            finder = _nearby_lists if nearby else _list_units
            for unit in finder(candidate.tree, chunk.char_start, chunk.char_end):
                key = _unit_id(candidate, unit)
                if key in seen or unit.end - unit.start > (MAX_SECTION_LIST_CHARS if unit.kind == "section" else 3 * MAX_UNIT_CHARS):
                    continue
                seen.add(key)
                if question.kind != "list" and unit.kind == "series":
                    continue
                if question.kind == "definition" and not _defines_list(question, candidate.tree, unit):
                    continue
                if question.kind == "actor" and not _ACTORS_LEAD.search(_lead_text(candidate.tree, unit)):
                    continue  # “由谁当监护人” is answered by “由下列有监护能力的人按顺序担任”, not by any list
                if question.kind != "list" and _names_one_item(question, candidate.tree, unit):
                    continue  # “‘廉洁齐家’有什么要求”: the question is about one item, which answers as a sentence
                if question.kind == "list" and _outread_by_best(overlap, first, candidate, unit):
                    continue
                score = _list_score(question, overlap, candidate, unit, nearby=nearby)
                if score is None:
                    continue
                if _lacks(key_word, candidate.tree, unit):
                    continue  # “监护人在什么条件下可以把未成年人送养” is not answered by who becomes a guardian
                if question.kind != "list":
                    lead_text = _lead_text(candidate.tree, unit)
                    lead = fold_for_search(lead_text)
                    support = fold_for_search(candidate.tree.text[candidate.start:candidate.end])
                    # “有下列情形之一的” answers “什么情况下…”: a lead naming what is asked for wins a near tie
                    agreement = max(0.0, _noun_agreement(question.text, lead_text))
                    lead_overlap = overlap.sentence(lead)
                    if lead_overlap + agreement < max(LEAD_OVERLAP, overlap.sentence(support)):
                        continue  # the supporting sentence reads more like the question than the list's lead
                    if lead_overlap < min(LEAD_OVERLAP, top_support):
                        continue  # below the bar, a lead must read more like the question than the best passage does
                scored.append((score, -candidate.rank, candidate, unit))
    if not scored and question.kind == "list":
        scored = _loose_lists(question, overlap, pool, first)
    if not scored:
        return None
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return scored[0][2], scored[0][3]


def _key_word(result: SearchResult, best: _Candidate | None) -> str:
    """The question's rarest word that the best passage's sentence says (送养), "" when none: a list without it is
    about the question's other, common words (监护人, 未成年人), and the sentence is the answer."""
    if best is None or best.tree is None:
        return ""
    sentence = fold_for_search(best.tree.text[best.start:best.end])
    said = [word for word in result.tokens if len(word) >= 2 and word in sentence and not GENERIC.fullmatch(word)]
    return max(said, key=lambda word: idf(result, word)) if said else ""


def _lacks(word: str, tree: UnitTree, unit: Unit) -> bool:
    """The unit does not say the word (never for no word)."""
    return bool(word) and word not in fold_for_search(tree.text[unit.start:unit.end])


def _outread_by_best(overlap: _LeadOverlap, best: _Candidate | None, candidate: _Candidate, unit: Unit) -> bool:
    """The best passage's answering sentence enumerates itself (不得非法收集、使用、加工、传输他人个人信息; 侵害英雄烈士等
    的姓名、肖像、名誉、荣誉) and reads more like the question than this list's lead, which does not hold it: the
    sentence is the answer (个人信息 is asked, 任何组织或者个人不得实施下列行为 lists 隐私 intrusions)."""
    if best is None or best.tree is None or candidate.tree is None:
        return False
    text = best.tree.text[best.start:best.end]
    if text.count("、") < MIN_SERIES_TERMS - 1:
        return False
    if candidate.tree is best.tree and unit.start <= best.start and best.end <= unit.end:
        return False
    return overlap.sentence(fold_for_search(_lead_text(candidate.tree, unit))) < overlap.sentence(fold_for_search(text))


def _loose_lists(question: Question, overlap: _LeadOverlap, pool: list[_Candidate],
                 best: _Candidate | None) -> list[tuple[float, int, _Candidate, Unit]]:
    """A list question no lead matched closely (“哪些财产是不能拿去抵押的” for “下列财产不得抵押：”, in everyday
    words): the lists inside the best passages, at a lower bar — a member who asks 有哪些 wants the list."""
    found = []
    for candidate in pool[:LOOSE_PASSAGES]:
        if candidate.tree is None:
            continue
        chunk = candidate.hit.chunk
        for unit in _list_units(candidate.tree, chunk.char_start, chunk.char_end):
            if unit.kind in ("series", "section") or unit.end - unit.start > 3 * MAX_UNIT_CHARS:
                continue
            if _outread_by_best(overlap, best, candidate, unit):
                continue
            if _noun_agreement(question.text, _lead_text(candidate.tree, unit)) < 0:
                continue  # 哪些情况… is not answered by “…坚持以下原则：” at the lower bar
            score = _list_score(question, overlap, candidate, unit, floor=LOOSE_LEAD_OVERLAP)
            if score is not None:
                found.append((score, -candidate.rank, candidate, unit))
    return found


def _names_one_item(question: Question, tree: UnitTree, unit: Unit) -> bool:
    """The question's term is one item of the list (廉洁齐家 of 廉洁从政、廉洁用权、廉洁修身、廉洁齐家), not its lead."""
    focus = fold_for_search(question.focus)
    if len(focus) < 2 or focus in fold_for_search(_lead_text(tree, unit)):
        return False
    return sum(1 for a, b in unit.items if focus in fold_for_search(_first_clause(tree.text[a:b]))) == 1


def _defines_list(question: Question, tree: UnitTree, unit: Unit) -> bool:
    """“它的基本任务是：” answers “…基本任务是什么”; “有下列情形之一的，可以从轻处分：” does not define 从轻处分."""
    head = question.focus_head
    lead = _lead_text(tree, unit).strip()
    return len(head) == 2 and head in lead and bool(re.search(r"(?:是|为|包括|有|如下|主要有)[：:]$", lead))


def _list_led_by(tree: UnitTree, start: int, end: int) -> Unit | None:
    """The list a sentence ending in ：introduces (a lead alone is never the answer)."""
    if not tree.text[start:end].rstrip().endswith(("：", ":")):
        return None
    for unit in tree.units:
        if unit.lead and unit.lead[0] <= start < unit.lead[1] + 1 and _is_list(tree, unit) and unit.kind != "series":
            return unit
        if unit.start > end:
            break
    return None


def _best_plain_sentence(result: SearchResult, candidate: _Candidate) -> tuple[int, int, float] | None:
    """The passage's best sentence that is not a bare heading, with its score (None: the passage is only headings)."""
    tree, chunk = candidate.tree, candidate.hit.chunk
    assert tree is not None
    spans = [(a, b) for a, b in sentence_spans(tree.text, chunk.char_start, chunk.char_end)
             if tree.text[a:b].strip() and not _is_heading(tree, a, b)]
    if not spans:
        return None
    text = tree.text[chunk.char_start:chunk.char_end]
    scores = answer_scores(result.query, result.tokens, result.bigrams, text, [(a - chunk.char_start, b - chunk.char_start) for a, b in spans])
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    return spans[best][0], spans[best][1], scores[best]


def _off_heading(result: SearchResult, candidate: _Candidate) -> _Candidate | None:
    """A passage whose best sentence is a bare heading (第四章 国旗、国歌、国徽、首都) still answers through its best
    other sentence (第一百四十二条 中华人民共和国国徽，中间是…); a passage that is only headings does not."""
    assert candidate.tree is not None
    if not _is_heading(candidate.tree, candidate.start, candidate.end):
        return candidate
    plain = _best_plain_sentence(result, candidate)
    return replace(candidate, start=plain[0], end=plain[1], score=plain[2]) if plain else None


def _past_heading(result: SearchResult, candidate: _Candidate, start: int, end: int) -> tuple[int, int]:
    """A heading (党员领导干部廉洁自律规范) that reads most like the question is never the answer: the best sentence of
    the passage that is not a heading is."""
    tree = candidate.tree
    assert tree is not None
    line_end = tree.text.find("\n", start, end)
    if not _is_heading(tree, start, line_end if line_end >= 0 else end):
        return start, end
    plain = _best_plain_sentence(result, candidate)
    return (plain[0], plain[1]) if plain else (_skip_headings(tree, start, end), end)


def _skip_headings(tree: UnitTree, start: int, end: int) -> int:
    """Move the start past bare heading lines (党员廉洁自律规范, 第四章 …): they are never answer sentences."""
    while True:
        line_end = tree.text.find("\n", start, end)
        if line_end < 0 or not _is_heading(tree, start, line_end):
            return start
        start = line_end + 1


def _ties(question: Question, listed: tuple[_Candidate, Unit]) -> bool:
    """The picked list has the asked count and the focus's head word in its items."""
    candidate, unit = listed
    assert candidate.tree is not None
    return question.count == len(unit.items) and _suffix_match(question, candidate.tree, unit)


def _pick_named(question: Question, result: SearchResult, named: list[_Candidate]) -> tuple[_Candidate, Unit] | None:
    overlap = QueryOverlap(result.tokens, result.bigrams)
    best: tuple[float, _Candidate | None] = (-1.0, None)
    for rank, candidate in enumerate(named):
        assert candidate.tree is not None and candidate.named is not None
        unit = candidate.named
        text = fold_for_search(candidate.tree.text[unit.start:unit.end][:400])
        score = overlap.sentence(text) + (2.0 if _suffix_match(question, candidate.tree, unit) else 0.0) - 0.001 * rank
        if score > best[0]:
            best = (score, candidate)
    candidate = best[1]
    if candidate is None or candidate.named is None:
        return None
    return candidate, candidate.named


def _list_answer(question: Question, result: SearchResult, eligible: list[_Candidate], candidate: _Candidate, unit: Unit,
                 *, opening: str = "") -> Composition:
    """``opening``: a sentence that defines the asked term and leads the list stands before the count."""
    tree = candidate.tree
    assert tree is not None
    span = _cut(tree, unit.start, unit.end)
    highlights = ([unit.lead] if unit.lead else []) + list(unit.items)
    citations = [_citation(1, candidate, span, highlights)]
    # the same list in another document: one answer with two citations
    for other in eligible:
        if other is candidate or other.tree is None or other.hit.chunk.doc_id == candidate.hit.chunk.doc_id:
            continue
        chunk = other.hit.chunk
        twin = next((u for u in _list_units(other.tree, chunk.char_start, chunk.char_end)
                     if _same_list(tree, unit, other.tree, u)), None)
        if twin is not None:
            twin_span = _cut(other.tree, twin.start, twin.end)
            second = _citation(len(citations) + 1, other, twin_span, list(twin.items))
            citations[0].also_in.append({"doc_id": chunk.doc_id, "title": chunk.title, "section": chunk.section,
                                         "page": second.page, "char_start": second.char_start, "char_end": second.char_end})
            citations.append(second)
            break
    markers = "".join(f"[{c.marker}]" for c in citations)
    direct = opening + _list_direct(tree, unit, markers)
    quote = _quote(tree, span, unit.end)
    lines = [direct, f"{quote}[1]"]
    return Composition(direct, "\n".join(lines), citations)


def _main(question: Question, result: SearchResult, eligible: list[_Candidate], usable: list[_Candidate]) -> _Candidate:
    """The passage whose sentence states the fact: the best-ranked one, unless only a lower one holds the asked kind
    (a number for 多少, a date for 哪一天)."""
    kind = expected_type(result.query)
    first = eligible[0]
    said = (first.start, first.end)
    if MAIN_SHARE_WEIGHT is not None and question.kind in MAIN_BY_STRENGTH:  # the best sentence, retrieval share as tie-breaker
        weight = MAIN_SHARE_WEIGHT

        refined = [_refine(question, result, c, _unit_for(c.tree, c.start, c.end) if c.tree is not None else None)
                   for c in eligible]  # each candidate's best sentence, computed once
        ranked = [((score + weight * c.share, -c.rank), c, (a, b)) for c, (a, b, score) in zip(eligible, refined)]
        if question.kind == "definition":  # a passage whose sentence opens by defining the term states the answer
            tiers = [_definition_tier(question, c.tree.text[a:b]) if c.tree is not None else 3 for c, (a, b, _) in zip(eligible, refined)]
            ranked = [item for item, tier in zip(ranked, tiers) if tier == min(tiers)]
        _, first, said = max(ranked, key=lambda item: item[0])
    if kind is None or first.tree is None or holds_answer(kind, fold_for_search(first.tree.text[said[0]:said[1]])):
        return first
    for candidate in usable:
        if candidate.share >= TYPED_SHARE and candidate.tree is not None and \
                holds_answer(kind, fold_for_search(candidate.tree.text[candidate.start:candidate.end])):
            return candidate
    return first


_DEFINING = r"[”’」\"]?[，,]?(?:是指|是|为|如下|指|即)"
_HOLDER_HAS = r"人(?:(?!的[，,])[^。；：:]){0,25}?(?:有权|享有)"  # 居住权人有权…, 所有权人对…依法享有…


def _defines_focus(question: Question, sentence: str) -> bool:
    """The sentence defines the asked term: its head word followed by 是/为/如下/指/： (“誓词如下：”, “四个意识是指”)."""
    head = question.focus_head
    return len(head) == 2 and re.search(re.escape(head) + r".{0,2}?(?:是|为|如下|指|：|:)", sentence) is not None


def _definition_tier(question: Question, sentence: str) -> int:
    """How plainly a sentence defines the asked term: 0 it opens by defining it (四个意识是…), 1 it names the whole
    term as what something is (政治纪律是党最根本、最重要的纪律), 2 it defines it under a short owner (大会的主题是：),
    3 it does not define it. The first line of a definition comes from the lowest tier present."""
    if _opens_with_definition(question, sentence):
        return 0
    focus = question.focus_chars
    if len(focus) >= 6 and re.search("[是为]" + re.escape(focus), re.sub(r"[^\u4e00-\u9fff]", "", sentence)):
        return 1
    if len(focus) >= 3 and re.search(r"(?<![成作认视])为" + re.escape(focus) + r"[，,。；;]", sentence):
        return 1  # the law names what it defines last: 他人的不动产为供役地，自己的不动产为需役地; …经依法登记，为个体工商户。
    return 2 if _opens_with_definition(question, sentence, owned=True) else 3


def _off_heading_lines(sentence: str) -> str:
    """The sentence without the heading lines a span may start with (第十四章 居住权\n第三百六十六条 居住权人…)."""
    lines = sentence.split("\n")
    while len(lines) > 1 and len(lines[0]) <= 30 and not re.search(r"[。；！？]", lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def _opens_with_definition(question: Question, sentence: str, *, owned: bool = False) -> bool:
    """Stricter: the sentence opens with the term or its head word and defines it (“誓词如下：…”, “四个意识是…”) —
    not “撤销党内职务处分，是指…” for 最高处分, nor “主要目标任务是：” for 首要任务. ``owned``: a short owner may
    stand before the head word (大会的主题是：… for 党的二十大的主题)."""
    focus = question.focus_chars
    body = _strip_label(_off_heading_lines(sentence))
    if focus.endswith("权") and re.match(re.escape(focus) + _HOLDER_HAS, body):
        return True  # a law defines a right through its holder: 居住权人有权…对他人的住宅享有占有、使用的用益物权
    owner = r"(?:[\u4e00-\u9fff]{1,4}的)?" if owned else ""
    return any(len(term) >= 2 and re.match(owner + re.escape(term) + _DEFINING, body) is not None
               for term in {focus, focus[-2:]})


def _refine(question: Question, result: SearchResult, main: _Candidate, unit: Unit | None) -> tuple[int, int, float]:
    """The sentence of the whole unit that answers best (the chunk may hold only part of the article), with a bonus
    for one that defines the focus term (“誓词如下：…”, “X是…”), and its score."""
    tree = main.tree
    if unit is None or tree is None:
        return main.start, main.end, main.score
    kind = expected_type(result.query)
    if kind is not None or asked_role(result.query):  # 几年 / 谁是清算义务人: another paragraph may say it
        unit = _article_for(tree, unit.start, unit.end) or unit
    text = tree.text[unit.start:unit.end]
    sentences = _with_antecedents(text, [(a - unit.start, b - unit.start) for a, b in sentence_spans(tree.text, unit.start, unit.end)])
    if not sentences:
        return main.start, main.end, main.score
    scores = answer_scores(result.query, result.tokens, result.bigrams, text, sentences)
    if question.kind == "definition":
        # “誓词如下：我志愿加入中国共产党…” answers 入党誓词是什么, whatever else the article (or the passage) says
        chunk = main.hit.chunk
        low, high = min(unit.start, chunk.char_start), max(unit.end, chunk.char_end)
        wide = [(a, b) for a, b in sentence_spans(tree.text, low, high) if _opens_with_definition(question, tree.text[a:b])]
        if wide:
            wide_scores = answer_scores(result.query, result.tokens, result.bigrams, tree.text[low:high],
                                        [(a - low, b - low) for a, b in wide])
            best = max(range(len(wide)), key=lambda i: wide_scores[i])
            return wide[best][0], wide[best][1], wide_scores[best] + DEFINES_BONUS
    if question.kind in ("definition", "other"):
        scores = [sc + (FOCUS_BONUS if _defines_focus(question, text[a:b]) else 0.0) for sc, (a, b) in zip(scores, sentences)]
    verb = _asked_verb(question, result.tokens)
    if verb:  # 由哪个部门负责解释: the sentence that says who 负责解释 (本细则由中央组织部负责解释)
        scores = [sc + (PREDICATE_BONUS if verb in text[a:b] else 0.0) for sc, (a, b) in zip(scores, sentences)]
    if kind is not None:  # 多长时间: the sentence that says a duration, best of the asked term (培训时间一般不少于三天)
        words = _asked_terms(result.tokens)
        scores = [sc + (TYPED_BONUS if holds_answer(kind, text[a:b]) else 0.0)
                  + (PREDICATE_BONUS if _states_of_term(kind, words, text[a:b]) else 0.0)
                  for sc, (a, b) in zip(scores, sentences)]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    a, b = sentences[best]
    widened = unit.start + a <= main.start and main.end < unit.start + b and _READ_BACK.search(text[a:b]) is not None
    if not widened and (unit.start + a <= main.start < unit.start + b or scores[best] <= main.score):
        return main.start, main.end, max(main.score, scores[best])  # the passage's own span says it (maybe finer)
    if _is_heading(tree, unit.start + a, unit.start + b):
        return main.start, main.end, main.score
    return unit.start + a, unit.start + b, scores[best]


def _asked_verb(question: Question, tokens: Sequence[str]) -> str:
    """The word a 由谁/哪次会议 question asks the doer of: its last word when an asking word stands before it
    (由哪个部门负责解释 → 解释, 是哪次会议通过的 → 通过)."""
    if question.kind not in ("actor", "other") or not tokens or len(tokens[-1]) < 2:
        return ""
    at = question.stem.rfind(tokens[-1])
    return tokens[-1] if at > 0 and re.search(r"谁|哪|什么", question.stem[:at]) else ""


_PREDICATE_GAP = 6  # characters between an asked term and the number said of it (预备期为一年, 十八周岁以上的自然人为成年人)


def _asked_terms(tokens: Sequence[str]) -> list[str]:
    """The question's words that name what is asked about, not how it is asked (几年, 多长 left out)."""
    return [t for t in tokens if len(t) >= 2 and not expected_type(t)]


def _states_of_term(kind: AnswerType, words: Sequence[str], sentence: str) -> bool:
    """The sentence says the asked number of an asked term (one of ``words``), right next to it (诉讼时效期间为三年),
    not of something else in passing (自最后一期履行期限届满之日起计算)."""
    plain = LABELS.sub("", sentence)
    for match in kind.answer.finditer(plain):
        before = plain[max(0, match.start() - _PREDICATE_GAP - 8):match.start()]
        bound = re.match(r"以上|以下|以内|以外", plain[match.end():])  # 十八周岁以上的自然人为成年人: the bound is the number's
        after = plain[match.end() + (bound.end() if bound else 0):match.end() + _PREDICATE_GAP + 10]
        for word in words:
            at = before.rfind(word)
            if at >= 0 and len(before) - at - len(word) <= _PREDICATE_GAP and not re.search(r"[，,；;。]", before[at:]) \
                    and not in_opposite(before, at):
                return True
            at = after.find(word)
            if 0 <= at <= _PREDICATE_GAP and not re.search(r"[，,；;。]", after[:at]) and not in_opposite(after, at):
                return True
    return False


_ANAPHORS = r"(?:这些|这个|这类|这种|该|上述|前款)"
_ANAPHOR = re.compile(r"^\s*" + _ANAPHORS)
_READ_BACK = re.compile(r"[。！？!?]\s*" + _ANAPHORS)  # a span joined to the sentence its 这些 refers to


def _with_antecedents(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A sentence that opens with 这些/该/上述 is read, scored and quoted with the sentence before it: “这些委员会的
    委员…必须有三年以上的党龄” says 县委's 三年 only after “党的县（旗）…的委员会，每届任期五年。”."""
    joined = []
    for index, (a, b) in enumerate(sentences):
        if index and _ANAPHOR.match(text[a:b]) and b - sentences[index - 1][0] <= MAX_DIRECT_CHARS:
            a = sentences[index - 1][0]
        joined.append((a, b))
    return joined


MAX_DIRECT_CHARS = 160  # a clause is widened to its whole sentence (up to 。) only within this length
_SENTENCE_STOP = re.compile(r"[。！？!?\n]")


def _whole_sentence(tree: UnitTree, start: int, end: int) -> tuple[int, int]:
    """A clause cut at ；is widened to the sentence it belongs to: “公募基金会…不得低于…70%；非公募基金会…8%。” and
    “对党性不强的党员…限期改正；经教育仍无转变的，应劝其退党或除名。” say their fact in both halves. A sentence
    too long to quote whole is widened clause by clause (“…应当补交使用费并支付违约金；不补交的，应当停止实施…”)."""
    text = tree.text
    new_start, new_end = start, end
    while new_end < len(text) and text[new_end - 1] in "；;":
        stop = _SENTENCE_STOP.search(text, new_end)
        if stop is None or text[stop.start()] == "\n" or text[new_end:stop.start()].count("；") > 2:
            break  # a line ending in ；is an item of a list, not half a sentence
        semicolon = text.find("；", new_end, stop.start())
        clause_end = semicolon + 1 if semicolon >= 0 else stop.end()
        if clause_end - start > MAX_DIRECT_CHARS:
            break
        new_end = clause_end
    before = max(text.rfind(ch, 0, start) for ch in "。！？!?\n") + 1
    if before < start and text[start - 1] in "；;" and not LIST_MARKER.match(text[before:start]):
        new_start = before
    if new_end - new_start > MAX_DIRECT_CHARS or (new_start, new_end) == (start, end):
        return start, end
    if any(LIST_MARKER.match(text[a:b].strip()) for a, b in sentence_spans(text, new_start, new_end)[1:]):
        return start, end  # items of a list stay items
    return new_start, new_end


def _fact_answer(question: Question, result: SearchResult, eligible: list[_Candidate], usable: list[_Candidate],
                 defining: Sequence[_Candidate] = ()) -> Composition:
    """``defining``: lower-ranked passages that define the asked term compete for the first line, but are not
    quoted as further passages."""
    main = _main(question, result, eligible + list(defining), usable)
    tree = main.tree
    assert tree is not None
    unit = _unit_for(tree, main.start, main.end)
    start, end, _ = _refine(question, result, main, unit)
    if unit is not None and not unit.contains(start, end):
        unit = _unit_for(tree, start, end)  # the defining sentence may stand in the next article of the passage
    start, end = _past_heading(result, main, start, end)
    start, end = _whole_sentence(tree, start, end)
    if question.kind in WHOLE_ARTICLE_KINDS:
        unit = _article_for(tree, start, end) or unit  # 条件/程序: the whole article, each of its paragraphs
    sentence = " ".join(_strip_label(tree.text[start:end]).split())
    led = _list_led_by(tree, start, end)
    if led is not None:
        opening = sentence if question.kind == "definition" and _opens_with_definition(question, sentence) else ""
        return _list_answer(question, result, eligible, main, led, opening=opening)  # 要约是…，应当符合下列条件：
    span = _cut(tree, unit.start, unit.end) if unit else (start, end)
    citations = [_citation(1, main, span, [(start, end)])]
    direct = f"{_off_item_marker(sentence)}[1]"  # the quote below keeps （三）; the answer line says the fact
    lines = [direct]
    quoted = tree.text[span[0]:span[1]].strip()
    if unit and _strip_label(quoted) != sentence and (not question.single_fact or len(quoted) <= SHORT_UNIT_CHARS):
        lines.append(f"{_quote(tree, span, unit.end)}[1]")
    covered = [tree.text[span[0]:span[1]]]
    for other in eligible:
        if len(citations) == MAX_CITED or other.tree is None or other is main:
            continue
        other_start, other_end = _whole_sentence(other.tree, other.start, other.end)
        text = other.tree.text[other_start:other_end]
        if any(text in seen or seen in text for seen in covered):
            continue
        if new_content(text, result.tokens, result.bigrams) == 0:
            continue
        keep_top = other.rank == 0 and main.rank != 0  # the best-ranked passage stays when another one states the fact
        if not FURTHER or not keep_top and SKIP_WHEN_STATED and question.single_fact and \
                holds_answer(expected_type(result.query), fold_for_search(sentence)):
            continue  # the first line already states the asked fact
        marker = len(citations) + 1
        other_unit = _unit_for(other.tree, other.start, other.end)
        other_span = _cut(other.tree, other_unit.start, other_unit.end) if other_unit else (other.start, other.end)
        citations.append(_citation(marker, other, other_span, [(other_start, other_end)]))
        lines.append(f"{_strip_label(text)}[{marker}]")
        covered.append(other.tree.text[other_span[0]:other_span[1]])
    return Composition(direct, "\n".join(lines), citations)


def _chunk_answer(result: SearchResult, candidates: list[_Candidate]) -> Composition:
    """No usable unit tree: quote the best supporting span of the best chunk."""
    best = candidates[0]
    chunk = best.hit.chunk
    start, end = best.start - chunk.char_start, best.end - chunk.char_start
    citation = chunk_citation(1, best.hit, [[start, end]])
    direct = f"{chunk.text[start:end]}[1]"
    return Composition(direct, direct, [citation])


def unit_passages(store: TreeSource, result: SearchResult, limit: int | None = None) -> list[Citation]:
    """Every retrieved passage widened to its unit (article, list or paragraph), numbered, overlaps dropped (LLM mode)."""
    citations: list[Citation] = []
    for candidate in _candidates(store, result)[:limit]:
        tree, chunk = candidate.tree, candidate.hit.chunk
        span = (chunk.char_start, chunk.char_end)
        if tree is not None:
            for unit in tree.containing(candidate.start, candidate.end):
                if unit.kind in ("article", "list", "run", "paragraph") and unit.end - unit.start <= MAX_UNIT_CHARS:
                    span = (min(unit.start, span[0]), max(unit.end, span[1])) if unit.kind != "paragraph" else span
            if span[1] - span[0] > MAX_UNIT_CHARS:
                span = (chunk.char_start, chunk.char_end)
        if any(c.doc_id == chunk.doc_id and c.char_start <= span[0] and span[1] <= c.char_end for c in citations):
            continue
        if tree is None:
            citations.append(chunk_citation(len(citations) + 1, candidate.hit,
                                            [[candidate.start - chunk.char_start, candidate.end - chunk.char_start]]))
        else:
            citations.append(_citation(len(citations) + 1, candidate, span, [(candidate.start, candidate.end)]))
    return citations
