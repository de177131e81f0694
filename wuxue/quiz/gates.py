"""Quality gates applied to every draft; a failing draft is dropped and counted under the gate's name.

blocklist     no option and no false 判断 edit on the blocklist (resources/blocklist.txt): country and
              party names, leaders' names as wrong options, slurs, terms that invert a statement
grounded      the quote is the document text at its offsets and holds the answer
leak          the answer is not in the stem; no option much longer than the others (≤ 1.3× median)
worth_asking  the key is 2–12 characters, not a stopword, not a trivially frequent word
unambiguous   no other corpus sentence has the same context around the blank with a different filler;
              no distractor, substituted in, makes a sentence that exists in the corpus; no option
              contains another; no 以上都对; no distractor from the answer's own list
judge_edit    a false 判断 differs from its quote by exactly one replaced fact, never by a negation
retrievable   searching with the stem returns the cited chunk in the top 3 (see :func:`retrieval_rank`)
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from wuxue.quiz.builders import BLANK, CUT, LEAD, Draft
from wuxue.quiz.categories import blocklist
from wuxue.quiz.corpus import CorpusView, squash
from wuxue.quiz.distractors import DistractorPool

RETRIEVAL_K = 3
if TYPE_CHECKING:
    from wuxue.knowledge_reader import KnowledgeReader

GATES = ("blocklist", "grounded", "judge_edit", "leak", "worth_asking", "unambiguous", "retrievable")
KEY_MIN, KEY_MAX = 2, 12
MAX_OPTION_RATIO = 1.3
FREQUENT_SHARE = 0.03  # a key found in more than 3% of corpus sentences (and at least 5) is trivial
FREQUENT_MIN = 5
CONTEXT_CHARS = 8
NEGATIONS = ("不", "未", "没", "非", "无", "否", "勿", "莫")


def _resource_words(name: str) -> frozenset[str]:
    text = resources.files("wuxue.quiz").joinpath("resources", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def quiz_stopwords() -> frozenset[str]:
    from wuxue.index.tokenizer import default_stopwords

    return default_stopwords() | _resource_words("stopwords_quiz.txt")


@dataclass
class GateContext:
    view: CorpusView
    pool: DistractorPool
    stopwords: frozenset[str]


def grounded(draft: Draft, ctx: GateContext) -> bool:
    text = ctx.view.texts.get(draft.atom.doc_id, "")
    a, b = draft.quote_span
    quote = text[a:b]
    if not quote or not (0 <= a < b <= len(text)):
        return False
    if text[draft.atom.start : draft.atom.end] != draft.atom.text or not (a <= draft.atom.start and draft.atom.end <= b):
        return False
    if draft.type == "judge":
        return draft.edit is None or draft.edit[0] in quote
    if draft.method == "choice_exclude":  # 不包括: the members are in the quote, the key is not of the list
        return all(m in quote for m in draft.distractors) and not any(a in quote for a in draft.correct)
    return all(answer in quote for answer in draft.correct)


def leak(draft: Draft, ctx: GateContext) -> bool:
    """True when the draft does not give its answer away."""
    body = draft.stem.replace(BLANK, "")
    if draft.type == "judge":
        return draft.edit is None or draft.edit[0] not in draft.statement
    if any(answer in body for answer in draft.correct):
        return False
    options = draft.correct + draft.distractors
    if draft.type in {"single", "multi"} and options:
        median = statistics.median(len(o) for o in options)
        if max(len(o) for o in options) > MAX_OPTION_RATIO * median:
            return False
    return True


def worth_asking(draft: Draft, ctx: GateContext) -> bool:
    keys = [draft.edit[0]] if draft.type == "judge" and draft.edit else ([draft.atom.text] if draft.type == "judge" else draft.correct)
    for key in keys:
        core = key.strip("“”《》")
        if not KEY_MIN <= len(core) <= KEY_MAX:
            return False
        if draft.atom.kind == "contrast":  # 应当/可以: a function word, but the fact a 判断 turns on
            continue
        if core in ctx.stopwords:
            return False
        if draft.atom.kind not in {"number", "date", "article"} and ctx.view.sentence_frequency(core) > FREQUENT_SHARE \
                and ctx.view.sentence_frequency(core) * ctx.view.sentence_count >= FREQUENT_MIN:
            return False
    return True


def stem_contexts(stem: str, *, chars: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Squashed text a reader sees just before the first blank and just after the last one.

    The 根据《…》 lead-in and anything beyond a …… cut are not context.
    """
    before, _, _ = stem.partition(BLANK)
    after = stem.rpartition(BLANK)[2]
    before = LEAD.sub("", before)
    before = before.rpartition(CUT)[2]
    after = after.partition(CUT)[0]
    return squash(before)[-chars:], squash(after)[:chars]


_BOUNDARY = "。；，：！？\n"


def other_fillers(haystack: str, left: str, right: str, answer: str) -> set[str]:
    """Fillers other than ``answer`` found between the same contexts anywhere in the (squashed) corpus.

    A filler never crosses a clause boundary (nor a 、 unless the answer has one); a missing context
    means a clause boundary (the blank opens or closes its clause).
    """
    if len(left) < 2 and len(right) < 2:
        return set()
    answer = squash(answer)
    excluded = re.escape(_BOUNDARY + ("" if "、" in answer else "、"))
    filler = f"([^{excluded}]{{1,{KEY_MAX + 4}}}?)"
    head = re.escape(left) if left else f"(?:^|(?<=[{re.escape(_BOUNDARY + '、')}]))"
    tail = re.escape(right) if right else f"(?=[{re.escape(_BOUNDARY + '、')}]|$)"
    if not left:
        filler = filler.replace("}?)", "})")  # anchored at a boundary: take the whole clause head
    return {m.group(1) for m in re.finditer(head + filler + tail, haystack)} - {answer}


def edit_contexts(true: str, false: str, *, chars: int = CONTEXT_CHARS) -> tuple[str, str, str, str]:
    """(left, before, after, right) around the single changed region of a false statement."""
    p = 0
    while p < min(len(true), len(false)) and true[p] == false[p]:
        p += 1
    s = 0
    while s < min(len(true), len(false)) - p and true[-1 - s] == false[-1 - s]:
        s += 1
    return true[:p][-chars:], true[p : len(true) - s], false[p : len(false) - s], true[len(true) - s :][:chars]


def unambiguous(draft: Draft, ctx: GateContext) -> bool:
    options = draft.correct + draft.distractors
    if any("以上" in o for o in options):
        return False
    for i, x in enumerate(options):
        for j, y in enumerate(options):
            if i != j and x in y:
                return False
    own = ctx.pool.also_correct(draft.atom.enumeration)
    if draft.method == "choice_exclude":
        return not any(a in own for a in draft.correct)
    quote = ctx.view.texts[draft.atom.doc_id][draft.quote_span[0] : draft.quote_span[1]]
    wrong = draft.distractors + ([draft.edit[1]] if draft.edit else [])
    if any(w in own or w in quote for w in wrong):
        return False
    if draft.type == "judge":
        if draft.edit is None:
            return True
        left, _, after, right = edit_contexts(draft.true_statement, draft.statement)
        return not ctx.view.contains(squash(left) + squash(after) + squash(right))
    if not draft.blanks:
        return True
    if draft.atom.kind == "article":  # asked by content: the article's sentence must be unique in its document
        a, b = draft.atom.end, draft.quote_span[1]
        body = squash(ctx.view.texts[draft.atom.doc_id][a:b])
        return squash(ctx.view.texts[draft.atom.doc_id]).count(body) == 1
    left, right = stem_contexts(draft.stem)
    if draft.type in {"blank", "single"} and len(draft.blanks) == 1 and other_fillers(ctx.view.haystack, left, right, draft.correct[0]):
        return False
    for w in wrong:
        if ctx.view.contains(left + w + right):
            return False
    return True


def judge_edit(draft: Draft, ctx: GateContext) -> bool:
    """A false statement replaces exactly one fact of the true one; adding a negation is not an edit."""
    if draft.type != "judge":
        return True
    if draft.edit is None:
        return draft.statement == draft.true_statement
    _, before, after, _ = edit_contexts(draft.true_statement, draft.statement)
    if not before or not after:  # a pure insertion or deletion (不, 未 …) is not a factual edit
        return False
    if before not in draft.edit[0] or after not in draft.edit[1]:
        return False
    return not any(after.count(n) > before.count(n) for n in NEGATIONS)


def politically_safe(draft: Draft, ctx: GateContext) -> bool:
    """No option and no false 判断 edit on the blocklist (country and party names, leaders' names, slurs,
    terms that invert a political statement); wrong options may not even contain a country or party name.
    """
    block = blocklist()
    wrong = ([draft.edit[1]] if draft.edit else []) + (draft.correct if draft.method == "choice_exclude" else draft.distractors)
    right = draft.distractors if draft.method == "choice_exclude" else (draft.correct if draft.type != "judge" else [])
    return not any(block.hit(o) for o in right) and not any(block.hit_as_wrong(o) for o in wrong)


ITEM_GATES: tuple[tuple[str, Callable[[Draft, GateContext], bool]], ...] = (
    ("blocklist", politically_safe),
    ("grounded", grounded),
    ("judge_edit", judge_edit),
    ("leak", leak),
    ("worth_asking", worth_asking),
    ("unambiguous", unambiguous),
)


def first_failure(draft: Draft, ctx: GateContext) -> str | None:
    """Name of the first gate the draft fails, or None (retrieval is checked separately: it searches)."""
    for name, gate in ITEM_GATES:
        if not gate(draft, ctx):
            return name
    return None


def search_query(draft: Draft) -> str:
    query = draft.stem.replace(BLANK, " ").replace(CUT, " ").strip()
    if draft.method == "choice_exclude":  # the stem names only the list; its members say where it is
        query += " " + " ".join(draft.distractors)
    return query


def retrievable_chunks(kb: KnowledgeReader, draft: Draft, *, k: int = RETRIEVAL_K) -> list[tuple[int, str]]:
    """(rank, chunk_id) of the top-k hits for the stem that hold the whole quote; empty = the gate fails."""
    a, b = draft.quote_span
    hits = kb.search(search_query(draft), k=k).hits
    return [(rank, h.chunk.chunk_id) for rank, h in enumerate(hits, start=1)
            if h.chunk.doc_id == draft.atom.doc_id and h.chunk.char_start <= a and b <= h.chunk.char_end]
