"""Knowledge atoms: the facts worth asking, mined from a document's sentences with exact offsets.

An atom is an answer span (a list item, a numbered formulation, a quantity, a date, a 《title》,
a defined term, an article number) with the quote it comes from. Enumerations keep all their
items so a builder never uses the answer's own list as distractors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from wuxue.ingest.patterns import ARTICLE_PREFIX, LIST_MARKER
from wuxue.numerals import ORDINALS
from wuxue.quiz.categories import Categories
from wuxue.quiz.corpus import Sentence
from wuxue.quiz.lexicon import Segmenter, pos_class
from wuxue.quiz.numbers import find_dates, find_quantities

ITEM_MIN, ITEM_MAX = 2, 12
QUOTE_MIN, QUOTE_MAX = 15, 160
LIST_QUOTE_MAX = 260

MARKER = LIST_MARKER
ARTICLE = ARTICLE_PREFIX
BAD_START = ("这", "此", "其", "上述", "以下", "前款", "前述", "该", "它", "他们", "同时", "但", "另外", "对此")
QUOTED = re.compile(r"“([^“”\n]{2,12})”")
TITLE = re.compile(r"《([^《》\n]{2,40})》")
NUMBERED = re.compile(rf"^[两{ORDINALS}]+[个项种大条]?[\u4e00-\u9fff]{{1,6}}$")
UNQUOTED_FORMULATION = re.compile(rf"(?<![{ORDINALS}两百千])([两三四五六七八九十]个(?!月)[\u4e00-\u9fff]{{2}})(?=[\u4e00-\u9fff，。、；”]|$)")
SEGMENT = re.compile(r"[^、，。；：！？,.;:!?\s（）()]{1,24}(?:、[^、，。；：！？,.;:!?\s（）()]{1,24}){2,}")
ORDINAL_ITEM = re.compile(rf"(?:^|(?<=[；;。，,：:]))([{ORDINALS}])是([^，,；;。]+)")
DEFINITION = re.compile(r"^([\u4e00-\u9fff“”]{2,12}?)(是指|是)([^，。；]{2,40})[。；]?$")


@dataclass(frozen=True)
class Enumeration:
    """Items of one list (any order unless ``ordered``), with the quote that holds them all."""

    items: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # absolute offsets of each item
    askable: tuple[bool, ...]  # items reliable enough to be an answer or an option
    quote_start: int
    quote_end: int
    family: str  # shared suffix (意识, 战略) or a length class
    label: str  # knowledge point shown to leaders
    ordered: bool = False
    doc_id: str = ""


@dataclass(frozen=True)
class Atom:
    kind: str  # enum_item | formulation | quoted | number | date | title | definition | article | term
    text: str
    start: int  # absolute span of the answer in the document text
    end: int
    quote_start: int  # absolute span of the quote (a sentence, or a list with its lead-in)
    quote_end: int
    doc_id: str
    knowledge_point: str
    family: str = ""
    enumeration: Enumeration | None = None
    unit: str = ""  # numbers: unit; dates: "date"
    value: float | None = None
    script: str = ""

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc_id, self.start, self.end)


@cache
def contrasts() -> dict[str, str]:
    """Term → contrasting term for false 判断 (resources/contrasts.txt), longest terms first."""
    text = resources.files("wuxue.quiz").joinpath("resources", "contrasts.txt").read_text(encoding="utf-8")
    pairs = [line.split("->") for line in text.splitlines() if "->" in line and not line.startswith("#")]
    return dict(sorted(((a.strip(), b.strip()) for a, b in pairs), key=lambda p: -len(p[0])))


def well_formed(text: str) -> bool:
    """A sentence worth quoting: long enough, ends like a sentence, does not lean on its neighbours."""
    body = ARTICLE.sub("", MARKER.sub("", text)).strip()
    return QUOTE_MIN <= len(body) <= QUOTE_MAX and body[-1] in "。；！？;" and not body.startswith(BAD_START)


def common_suffix(words: Sequence[str]) -> str:
    if not words:
        return ""
    shortest = min(words, key=len)
    n = 0
    while n < len(shortest) and all(w[-1 - n] == shortest[-1 - n] for w in words):
        n += 1
    return shortest[len(shortest) - n :] if n else ""


_FUNCTION_CLASSES = ("p", "c", "u", "d", "r", "f", "y", "e", "o", "x")


def _lead_is_function(flag: str) -> bool:
    return flag.startswith(_FUNCTION_CLASSES) and flag not in {"nr", "ns"}


def _strip_item(words: list[tuple[str, str]], *, first: bool) -> tuple[int, int]:
    """Characters to drop at the start (连词; 介词 before the first item) and end (等, 的) of an item."""
    head = 0
    while len(words) > 1 and ((first and _lead_is_function(words[0][1])) or words[0][0] in {"以及", "和", "及", "并", "又", "与", "了"}):
        head += len(words[0][0])
        words = words[1:]
    tail = 0
    for n in range(len(words) - 1, 0, -1):  # 通报典型案例等方式 → 通报典型案例
        if words[n][0] in {"等", "等等"} and sum(len(w) for w, _ in words[n + 1 :]) <= 3:
            tail = sum(len(w) for w, _ in words[n:])
            words = words[:n]
            break
    while len(words) > 1 and words[-1][0] in {"等", "等等", "的", "等方面"}:
        tail += len(words[-1][0])
        words = words[:-1]
    return head, tail


def _first_item(words: list[tuple[str, str]], prefix: str, limit: int, lead_class: str, floor: int) -> tuple[int, bool]:
    """Where the first list item starts inside its run (the run also holds the lead-in words).

    After a shared prefix of the other items (坚持…), else after the last function word (的, 以, 对),
    then dropping words until the item is no longer than the others and starts like them; no cut
    leaves fewer than ``floor`` characters.
    """
    text = "".join(w for w, _ in words)
    if len(prefix) >= 2 and prefix in text:
        return text.rindex(prefix), True
    offsets, pos = [], 0
    for word, _ in words:
        offsets.append(pos)
        pos += len(word)
    k = 0
    for n, (word, flag) in enumerate(words[:-1]):
        if _lead_is_function(flag) and len(text) - offsets[n + 1] >= floor:
            k = n + 1
    if k and len(text) - offsets[k] <= ITEM_MAX and pos_class(words[k][1]) == lead_class:
        return offsets[k], True  # a clean boundary after 以/对/的: trust it even if a little longer
    while k < len(words) - 1 and len(text) - offsets[k] > limit:
        k += 1
    while k < len(words) - 1 and lead_class == "n" and pos_class(words[k][1]) == "v" and len(text) - offsets[k + 1] >= floor:
        k += 1
    start = offsets[k] if k < len(words) else len(text)
    return start, ITEM_MIN <= len(text) - start <= limit


def common_prefix(words: Sequence[str]) -> str:
    if not words:
        return ""
    shortest = min(words, key=len)
    n = 0
    while n < len(shortest) and all(w[n] == shortest[n] for w in words):
        n += 1
    return shortest[:n]


def inline_lists(sentence: str, segmenter: Segmenter) -> list[tuple[list[str], list[int], list[bool]]]:
    """、-separated runs of three or more items in one sentence: (items, relative starts, askable)."""
    found = []
    for match in SEGMENT.finditer(sentence):
        parts = match.group(0).split("、")
        starts, pos = [], match.start()
        for part in parts:
            starts.append(pos)
            pos += len(part) + 1
        middles = parts[1:-1]
        suffix = common_suffix(middles) if len(middles) >= 2 else ""
        prefix = common_prefix(middles) if len(middles) >= 2 else ""
        # split a final "A和B" when both sides look like items
        last_words = segmenter.tag(parts[-1])
        for k, (word, flag) in enumerate(last_words):
            if k and word in {"和", "及", "以及", "与"}:
                head = "".join(w for w, _ in last_words[:k])
                if (suffix and head.endswith(suffix[-1:])) or (prefix and head.startswith(prefix)) or len(head) <= max(len(m) for m in middles) + 1:
                    tail_start = starts[-1] + len(head) + len(word)
                    parts[-1:] = [head, "".join(w for w, _ in last_words[k + 1 :])]
                    starts.append(tail_start)
                break
        askable = [True] * len(parts)
        mid = parts[1:-1]
        max_mid = max(len(p) for p in mid)
        leads = [segmenter.signature(m)[0] for m in mid]
        lead_class = max(sorted(set(leads)), key=leads.count)
        floor = max(ITEM_MIN, min(len(p) for p in mid) - 1)
        cut, askable[0] = _first_item(segmenter.tag(parts[0]), prefix, max_mid + 1, lead_class, floor)
        parts[0], starts[0] = parts[0][cut:], starts[0] + cut
        last = parts[-1]
        if len(last) > max_mid + 1:
            if suffix and suffix in last[1:]:
                parts[-1] = last[: last.index(suffix, 1) + len(suffix)]
            else:
                keep, pos = [], 0
                for word, _ in segmenter.tag(last):
                    if pos + len(word) > max_mid:
                        break
                    keep.append(word)
                    pos += len(word)
                parts[-1] = "".join(keep)
                askable[-1] = False
        cleaned, cleaned_starts = [], []
        kept = []
        for n, (part, start, ok) in enumerate(zip(parts, starts, askable)):
            head, tail = _strip_item(segmenter.tag(part), first=n == 0) if part else (0, 0)
            if part[head : len(part) - tail]:
                cleaned.append(part[head : len(part) - tail])
                cleaned_starts.append(start + head)
                kept.append(ok)
        # an item with a preposition or conjunction inside (受益人依照法律) is two lists run together
        for n, t in enumerate(cleaned):
            inner = segmenter.tag(t)[1:]
            if any(f.startswith(("p", "c")) for _, f in inner):
                kept[n] = False
        askable = kept
        with_de = sum("的" in t for t in cleaned)
        for n, t in enumerate(cleaned):  # 支部委员会的书记 among 基层委员会、总支部委员会: a phrase, not an item
            if ("的" in t and with_de * 2 < len(cleaned)) or "等" in t[1:]:
                kept[n] = False
        for n, (t, start) in enumerate(zip(cleaned, cleaned_starts)):  # 农村专业技术协（学）会: cut by a bracket
            if sentence[start + len(t) : start + len(t) + 1] in {"（", "("} or sentence[start - 1 : start] in {"）", ")"}:
                kept[n] = False
        typical = sorted(len(t) for t in cleaned)[len(cleaned) // 2]
        askable = [ok and ITEM_MIN <= len(t) <= ITEM_MAX and "“" not in t and "”" not in t and typical / 2 <= len(t) <= typical * 1.6 + 1
                   for ok, t in zip(askable, cleaned)]
        if len(cleaned) >= 3 and sum(askable) >= 2:
            found.append((cleaned, cleaned_starts, askable))
    return found


_CLAUSE = re.compile(r"[^，,；;。：:！？、]+")
MAXIM_LEN = 4


def maxim_runs(sentence: str, segmenter: Segmenter) -> list[tuple[list[str], list[int]]]:
    """Runs of three or more four-character clauses (解放思想，实事求是，与时俱进，求真务实).

    The first clause may carry a lead-in verb (坚持公私分明 → 公私分明). Returns (items, relative starts).
    """
    lead = ARTICLE.match(sentence) or MARKER.match(sentence)
    offset = lead.end() if lead else 0
    clauses = [(m.group(0), m.start() + offset) for m in _CLAUSE.finditer(sentence[offset:])]
    runs: list[tuple[list[str], list[int]]] = []
    current: list[tuple[str, int]] = []
    for n, (text, start) in enumerate(clauses + [("", len(sentence))]):
        gap_ok = not current or sentence[current[-1][1] + len(current[-1][0]) : start] in {"，", ","}
        item = (text, start)
        if len(text) > MAXIM_LEN and not current:
            words = segmenter.tag(text)
            if len(words) > 1 and pos_class(words[0][1]) == "v" and len(text) - len(words[0][0]) == MAXIM_LEN:
                item = (text[len(words[0][0]) :], start + len(words[0][0]))
        if len(item[0]) == MAXIM_LEN and gap_ok and re.fullmatch(r"[\u4e00-\u9fff]{4}", item[0]):
            current.append(item)
            continue
        if len(current) >= 3:
            runs.append(([t for t, _ in current], [a for _, a in current]))
        current = [item] if len(item[0]) == MAXIM_LEN and re.fullmatch(r"[\u4e00-\u9fff]{4}", item[0]) else []
    return runs


def _family(items: Sequence[str]) -> str:
    suffix = common_suffix([i for i in items if i])
    if len(suffix) >= 2 or (suffix and len(items) >= 3):
        return "suffix:" + suffix[-2:]
    lengths = sorted(len(i) for i in items)
    return f"len:{lengths[len(lengths) // 2]}"


def _label(sentence: str, items: Sequence[str]) -> str:
    quoted = [q for q in QUOTED.findall(sentence) if NUMBERED.match(q) and q not in items]
    if quoted:
        return quoted[0]
    return "、".join(items[:2]) + "等"


def word_bounds(text: str, segmenter: Segmenter) -> tuple[set[int], dict[int, str]]:
    """Offsets where jieba puts a word boundary, and the part of speech of the word starting at each."""
    bounds, flags, pos = {0}, {}, 0
    for word, flag in segmenter.tag(text):
        flags[pos] = flag
        pos += len(word)
        bounds.add(pos)
    return bounds, flags


ORGAN_TAIL = re.compile(r"[^\W\d_和及与或的、，。；：在对由向把将]{0,10}?(?:部门|机关|机构|办公室|委员会|单位|党委|党组|政府|工作部)")


def _sentence_atoms(s: Sentence, segmenter: Segmenter, categories: Categories | None = None) -> list[Atom]:
    atoms: list[Atom] = []
    if not well_formed(s.text):
        return atoms
    bounds, flags = word_bounds(s.text, segmenter)
    qa, qb = s.start, s.end
    body_offset = len(s.text) - len(ARTICLE.sub("", s.text))
    for items, starts, askable in inline_lists(s.text, segmenter):
        spans = tuple((s.start + a, s.start + a + len(t)) for t, a in zip(items, starts))
        enum = Enumeration(tuple(items), spans, tuple(askable), qa, qb, _family([i for i, ok in zip(items, askable) if ok]), _label(s.text, items), doc_id=s.doc_id)
        for item, span, ok in zip(items, spans, askable):
            if ok and s.text[span[0] - s.start : span[1] - s.start] == item:
                atoms.append(Atom("enum_item", item, span[0], span[1], qa, qb, s.doc_id, enum.label, enum.family, enum))
    for items, starts in maxim_runs(s.text, segmenter):
        spans = tuple((s.start + a, s.start + a + len(t)) for t, a in zip(items, starts))
        enum = Enumeration(tuple(items), spans, tuple(True for _ in items), qa, qb, "maxim", "、".join(items[:2]) + "等", ordered=True, doc_id=s.doc_id)
        for item, span in zip(items, spans):
            atoms.append(Atom("enum_item", item, span[0], span[1], qa, qb, s.doc_id, enum.label, enum.family, enum))
    for match in QUOTED.finditer(s.text):
        term = match.group(1)
        kind = "formulation" if NUMBERED.match(term) else "quoted"
        atoms.append(Atom(kind, term, s.start + match.start(1), s.start + match.end(1), qa, qb, s.doc_id, term, kind))
    for match in UNQUOTED_FORMULATION.finditer(s.text):
        term = match.group(1)
        if match.start(1) not in bounds or match.end(1) not in bounds:
            continue  # 这（两个基本）点: a blank never splits a word
        atoms.append(Atom("formulation", term, s.start + match.start(1), s.start + match.end(1), qa, qb, s.doc_id, term, "formulation:bare"))
    for q in find_quantities(s.text):
        atoms.append(Atom("number", q.text, s.start + q.start, s.start + q.end, qa, qb, s.doc_id, q.text, f"unit:{q.unit}", unit=q.unit, value=q.value, script=q.script))
    for q in find_dates(s.text):
        if q.start and s.text[q.start - 1] not in "，。；：、（(“于在自从至到止前后起截至" + " \n":
            continue  # 实际行动2023年,学会…: a date glued to the previous clause is a text glitch, not a fact
        atoms.append(Atom("date", q.text, s.start + q.start, s.start + q.end, qa, qb, s.doc_id, q.text, "date", unit="date", value=q.value))
    for match in TITLE.finditer(s.text):
        atoms.append(Atom("title", match.group(1), s.start + match.start(1), s.start + match.end(1), qa, qb, s.doc_id, f"《{match.group(1)}》", "title"))
    taken: list[tuple[int, int]] = []
    for term, other in contrasts().items():
        for match in re.finditer(re.escape(term), s.text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue  # 县级以上 wins over 上级 inside it
            taken.append(match.span())
            atoms.append(Atom("contrast", term, s.start + match.start(), s.start + match.end(), qa, qb, s.doc_id, term, "contrast:" + other))
    for term, a, b, category in (categories.find(s.text) if categories is not None else []):
        if a not in bounds or b not in bounds or a < body_offset or re.search(rf"[{ORDINALS}两][个项条种大]$", s.text[:a]):
            continue  # 四项（基本原则）: part of a numbered formulation
        if category.startswith("organ") and s.text[a - 1 : a] == "更":
            continue  # 向更（上级党组织）: 更基层委员会 would be absurd, not false
        if s.text[a - 1 : a] in {"不", "未", "无", "非", "难"}:
            continue  # 不（确定）: half of a negated word, not the action
        if re.fullmatch(r"[，,；;：:]", s.text[a - 1 : a] or "，") and re.fullmatch(r"[，,；;、]", s.text[b : b + 1] or "。"):
            continue  # 全国人大、国务院、全国政协，（中央纪委国家监委），最高人民法院…: a member of a comma list
        if s.text[a - 1 : a] == "、" or s.text[b : b + 1] in {"、", "（", "("}:  # 党委（党组）: the blank would dangle
            continue  # 地方、部门、（企事业单位党组织）: a list member, asked with its list
        if category.startswith("organ") and ORGAN_TAIL.match(s.text, b) and (flags.get(b, "")[:1] in {"n", "b", "a", "r"} or flags.get(b) == "vn"):
            continue  # （国务院）科学技术行政部门: part of a longer organ name; a swap would glue two organs
        if category.startswith("act_") and not flags.get(a, "").startswith("v"):
            continue  # 听取报告: a noun here, not the action between bodies
        atoms.append(Atom("category", term, s.start + a, s.start + b, qa, qb, s.doc_id, term, "category:" + category))
    body = s.text[body_offset:]
    definition = DEFINITION.match(body)
    if definition and _is_term(definition.group(1), segmenter) and not definition.group(3).startswith(("：", ":")):
        term = definition.group(1).strip("“”")
        offset = s.start + body_offset + body.index(term)
        atoms.append(Atom("definition", term, offset, offset + len(term), qa, qb, s.doc_id, term, "definition"))
    article = ARTICLE.match(s.text)
    if article and 20 <= len(body) <= 90:
        label = article.group(0).strip()
        atoms.append(Atom("article", label, s.start, s.start + len(label), qa, qb, s.doc_id, label, "article"))
    return atoms


def _paragraph_lists(sentences: Sequence[Sentence]) -> list[Atom]:
    """（一）警告；（二）严重警告… — items on their own lines after a lead-in ending with ：."""
    atoms: list[Atom] = []
    i = 0
    while i < len(sentences):
        lead = sentences[i]
        j = i + 1
        run: list[Sentence] = []
        while j < len(sentences) and MARKER.match(sentences[j].text):
            run.append(sentences[j])
            j += 1
        if lead.text.rstrip().endswith(("：", ":")) and len(run) >= 2:
            items, spans = [], []
            for s in run:
                marker = MARKER.match(s.text)
                assert marker is not None
                body = s.text[marker.end() :]
                text = body.rstrip("；;。，,")
                items.append(text)
                spans.append((s.start + marker.end(), s.start + marker.end() + len(text)))
            askable = tuple(ITEM_MIN <= len(t) <= ITEM_MAX and not re.search(r"[，。；、：]", t) for t in items)
            quote_end = run[-1].end
            if quote_end - lead.start <= LIST_QUOTE_MAX and sum(askable) >= 2:
                label = ARTICLE.sub("", lead.text).rstrip("：:")
                enum = Enumeration(tuple(items), tuple(spans), askable, lead.start, quote_end, _family(items), label[-12:], doc_id=lead.doc_id)
                for item, span, ok in zip(items, spans, askable):
                    if ok:
                        atoms.append(Atom("enum_item", item, span[0], span[1], lead.start, quote_end, lead.doc_id, enum.label, enum.family, enum))
            i = j
        else:
            i += 1
    return atoms


def _is_term(subject: str, segmenter: Segmenter) -> bool:
    tags = segmenter.tag(subject.strip("“”"))
    return bool(tags) and not subject.startswith(BAD_START) and pos_class(tags[-1][1]) == "n" and not _lead_is_function(tags[0][1])


def _ordinal_lists(sentences: Sequence[Sentence]) -> list[Atom]:
    """一是…，二是…，三是… within a sentence or over consecutive ones (ordered: the document's order)."""
    atoms: list[Atom] = []
    order = ORDINALS
    i = 0
    while i < len(sentences):
        found: list[tuple[str, int, int, int]] = []  # (text, start, end, sentence index)
        j = i
        while j < len(sentences):
            before = len(found)
            for m in ORDINAL_ITEM.finditer(sentences[j].text):
                if m.group(1) == order[len(found) : len(found) + 1]:
                    found.append((m.group(2), sentences[j].start + m.start(2), sentences[j].start + m.end(2), j))
            if len(found) == before or (j > i and not sentences[j].text.startswith(tuple(o + "是" for o in order))):
                break
            j += 1
        if len(found) >= 3:
            quote_start = sentences[i].start
            fits = [f for f in found if sentences[f[3]].end - quote_start <= LIST_QUOTE_MAX]
            quote_end = sentences[max(f[3] for f in fits)].end if fits else sentences[i].end
            items = tuple(f[0] for f in found)
            askable = tuple(ITEM_MIN <= len(t) <= ITEM_MAX and f in fits for t, f in zip(items, found))
            enum = Enumeration(items, tuple((f[1], f[2]) for f in found), askable, quote_start, quote_end, _family(items),
                               f"{order[len(found) - 1]}个方面", ordered=True, doc_id=sentences[i].doc_id)
            for (text, start, end, _), ok in zip(found, askable):
                if ok:
                    atoms.append(Atom("enum_item", text, start, end, quote_start, quote_end, enum.doc_id, enum.label, enum.family, enum))
        i = max(j, i + 1)
    return atoms


def mine_atoms(sentences: Sequence[Sentence], segmenter: Segmenter, categories: Categories | None = None) -> list[Atom]:
    """Every atom of one document, in document order, one per answer span (list items win).

    A category term inside a list is left out: blanking one member of a list has more than one
    right answer (录用、（考核）、晋升); the list is asked whole, as a 多选.
    """
    found: dict[tuple[int, int], Atom] = {}
    for atom in _paragraph_lists(sentences) + _ordinal_lists(sentences):
        found.setdefault((atom.start, atom.end), atom)
    for sentence in sentences:
        for atom in _sentence_atoms(sentence, segmenter, categories):
            found.setdefault((atom.start, atom.end), atom)
    lists = [span for atom in found.values() if atom.enumeration is not None for span in atom.enumeration.spans]
    return sorted((a for a in found.values()
                   if a.kind != "category" or not any(x < a.end and a.start < y for x, y in lists)),
                  key=lambda a: (a.start, a.end, a.kind))


def enumerations(atoms: Sequence[Atom]) -> list[Enumeration]:
    seen: dict[tuple[int, int, str], Enumeration] = {}
    for atom in atoms:
        if atom.enumeration is not None:
            e = atom.enumeration
            seen.setdefault((e.quote_start, e.spans[0][0], atom.doc_id), e)
    return list(seen.values())
