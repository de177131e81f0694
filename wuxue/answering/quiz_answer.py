"""Answer a pasted quiz item from the text: the option letter(s), the blank's filling, or the verdict.

The item's stem is matched against the sentences of the retrieved units by character bigrams (after
folding full-width forms). 单选: the option that, put into the stem, reads most like a sentence of the
text; 多选: every option the best-matching unit states; 填空: the words of that sentence standing where the
blank is; 判断: 正确 when one sentence states the whole claim with the same numbers, else 错误, with the
sentence that says what is right. The first line is ``答案：C（五年）[1]`` / ``正确：…[1]`` / ``错误：…[1]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wuxue.answering.abbreviations import long_forms
from wuxue.answering.compose import (MAX_UNIT_CHARS, Citation, Composition, TreeSource, _candidates, _Candidate, _citation, _cut,
                                      _nearby_lists, _quote, _strip_label, _unit_for, chunk_citation)
from wuxue.answering.question import BLANK, Question
from wuxue.index.searcher import SearchResult
from wuxue.ingest.clean import fold_for_search
from wuxue.ingest.sentences import sentence_spans
from wuxue.ingest.units import Unit, UnitTree
from wuxue.numerals import chinese_number

JUDGE_COVERAGE = 0.85  # share of a statement's bigrams one sentence must hold for 正确
MULTI_MARGIN = 0.15  # unlabelled choice items: options scoring within this of the best read as stated…
MULTI_GAP = 0.2  # …and when the rest score at least this much lower, three or more such options make a 多选
_ATTRIBUTION = re.compile(r"^(?:(?:按照|根据|依照|依据)[^，,]{1,30}[，,]|[^，,]{1,20}(?:指出|规定|强调|提出|要求|明确)[，,：:])")
_NEGATIONS = ("没有", "不得", "不能", "无权", "无需", "无须", "不必", "不再", "不予", "不准", "不应", "不属于", "不是", "不可以")
_PUNCT = re.compile(r"[\s\W_]+")
_NUMBER = re.compile(r"[零〇一二三四五六七八九十百两半\d]+(?:个|周)?(?:年|月|日|天|岁|名|人|次|届|项|种|分之|个工作日|工作日)")
_NEGATION = ("不", "没有", "无", "非", "禁止", "严禁", "未")
_NUMERIC_OPTION = re.compile(r"[零〇一二三四五六七八九十百千万两半\d.%]+(?:个|周)?(?:年|月|日|天|岁|名|人|次|届|项|种|分之[零〇一二三四五六七八九十\d]+|个工作日|工作日|万元|元)?")
_JUDGE_TAIL = re.compile(r"[（(]\s*(?:对/错|对或错|√/×|正确/错误|对错)?\s*[）)]\s*$")


@dataclass
class _Sentence:
    candidate: _Candidate
    start: int
    end: int
    text: str
    folded: str


def _squash(text: str) -> str:
    return _PUNCT.sub("", fold_for_search(text))


def _bigrams(text: str) -> set[str]:
    squashed = _squash(text)
    return {squashed[i:i + 2] for i in range(len(squashed) - 1)} or ({squashed} if squashed else set())


def _coverage(claim: str, sentence: str) -> float:
    grams = _bigrams(claim)
    return sum(1 for g in grams if g in sentence) / len(grams) if grams else 0.0


def _pool(candidates: Sequence[_Candidate]) -> list[_Sentence]:
    """Every sentence of each retrieved passage's unit (the article or paragraph around it)."""
    seen: set[tuple[str, int]] = set()
    pool: list[_Sentence] = []
    for candidate in candidates:
        tree, chunk = candidate.tree, candidate.hit.chunk
        if tree is None:
            continue
        unit = _unit_for(tree, candidate.start, candidate.end)
        start, end = (min(unit.start, chunk.char_start), max(unit.end, chunk.char_end)) if unit else (chunk.char_start, chunk.char_end)
        for s, e in sentence_spans(tree.text, start, end):
            if (chunk.doc_id, s) in seen:
                continue
            seen.add((chunk.doc_id, s))
            text = tree.text[s:e]
            pool.append(_Sentence(candidate, s, e, text, _squash(text)))
    return pool


def _fill(stem: str, value: str) -> str:
    return BLANK.sub(value, stem, count=1) if BLANK.search(stem) else stem + value


def _best(pool: Sequence[_Sentence], claim: str) -> tuple[float, _Sentence | None]:
    best: tuple[float, _Sentence | None] = (0.0, None)
    for sentence in pool:
        score = _coverage(claim, sentence.folded) - 0.01 * sentence.candidate.rank
        if score > best[0]:
            best = (score, sentence)
    return best


def _compose_line(first: str, sentence: _Sentence | None) -> Composition:
    if sentence is None:
        return Composition(first, first, [])
    tree = sentence.candidate.tree
    assert tree is not None
    unit = _unit_for(tree, sentence.start, sentence.end)
    span = _cut(tree, unit.start, unit.end) if unit else (sentence.start, sentence.end)
    citation = _citation(1, sentence.candidate, span, [(sentence.start, sentence.end)])
    direct = f"{first}[1]"
    lines = [direct]
    quoted = tree.text[span[0]:span[1]].strip()
    if quoted != sentence.text.strip():
        lines.append(f"{_quote(tree, span, unit.end if unit else span[1])}[1]")
    return Composition(direct, "\n".join(lines), [citation])


def _window(stem: str, value: str, size: int = 6) -> str:
    """The option in its place in the stem with a few characters either side: what must read as in the text."""
    match = BLANK.search(stem)
    if not match:
        return _squash(stem)[-size:] + _squash(value)
    return _squash(stem[: match.start()])[-size:] + _squash(value) + _squash(BLANK.sub("", stem[match.end():]))[:size]


def _option_scores(question: Question, pool: Sequence[_Sentence]) -> list[tuple[float, str, str, _Sentence | None]]:
    scored = []
    for letter, text in question.options:
        best: tuple[float, _Sentence | None] = (0.0, None)
        for form in [text, *long_forms(text)]:  # 十八届六中全会 is written 第十八届中央委员会第六次全体会议
            local = _window(question.stem, form)
            whole = _fill(question.stem, form)
            for sentence in pool:
                score = _coverage(local, sentence.folded) + 0.3 * _coverage(whole, sentence.folded) - 0.01 * sentence.candidate.rank
                if _squash(form) in sentence.folded:
                    score += 0.2
                if score > best[0]:
                    best = (score, sentence)
        scored.append((best[0], letter, text, best[1]))
    return scored


def _at_blank(question: Question, pool: Sequence[_Sentence]) -> tuple[list[str], _Sentence | None]:
    """The options the text puts where the blank is (“担负直接教育、管理、监督党员” → 教育、管理、监督)."""
    if not BLANK.search(question.stem):
        return [], None
    _, sentence = _best(pool, BLANK.sub("", question.stem))
    if sentence is None:
        return [], None
    value = _squash(_blank_value(question.stem, sentence.text, limit=80))
    if not value:
        return [], sentence
    stated = [(letter, _squash(text)) for letter, text in question.options if _squash(text) and _squash(text) in value]
    # “三年” inside “三年至五年”: the longer option is the one the text states
    return [letter for letter, text in stated if not any(text != other and text in other for _, other in stated)], sentence


def _single(question: Question, pool: Sequence[_Sentence], candidates: Sequence[_Candidate]) -> Composition:
    at_blank, sentence = _at_blank(question, pool)
    labelled = bool(re.search(r"单选|单项", question.text[:12]))
    if len(at_blank) >= 2 and not question.negative and not labelled:
        return _multi(question, pool, candidates)  # the text fills the blank with several options: a 多选 without its label
    numeric = all(_NUMERIC_OPTION.fullmatch(_squash(text)) for _, text in question.options)
    if numeric and len(at_blank) == 1 and sentence is not None and not question.negative:
        # numbers exclude each other: the one the text puts where the blank is (“全国性公募基金会的原始基金不低于800
        # 万元”) answers, however alike the others read around it (“地方性…不低于400万元”)
        letter = at_blank[0]
        return _compose_line(f"答案：{letter}（{dict(question.options)[letter]}）", sentence)
    scored = _option_scores(question, pool)
    top = max(score for score, _, _, _ in scored)
    near = [(letter, text, sentence) for score, letter, text, sentence in scored if score >= top - MULTI_MARGIN]
    rest = [score for score, _, _, _ in scored if score < top - MULTI_MARGIN]
    if len(near) >= 3 and (not rest or max(rest) <= top - MULTI_GAP) and not question.negative and not labelled:
        # three or more options read in their place in the text about equally well, the others clearly worse:
        # a 多选 pasted without its label (担负直接教育、管理、监督党员)
        letters = "".join(letter for letter, _, _ in near)
        named = "、".join(text for _, text, _ in near)
        return _compose_line(f"答案：{letters}（{named}）", near[0][2])
    if question.negative:
        # the option the text does not state among those it lists
        stated = [_best(pool, text)[0] for _, text in question.options]
        index = min(range(len(stated)), key=lambda i: stated[i])
        _, letter, text, _ = scored[index]
        support = max(scored, key=lambda item: item[0])[3]
        return _compose_line(f"答案：{letter}（{text}）", support)
    if len(at_blank) == 1 and sentence is not None:
        letter = at_blank[0]
        text = dict(question.options)[letter]
        return _compose_line(f"答案：{letter}（{text}）", sentence)
    best_score = max(score for score, _, _, _ in scored)
    tied = [item for item in scored if item[0] >= best_score - 1e-6]
    # “三年” reads wherever “三年至五年” does: of tied options the one containing the others is the one stated
    _, letter, text, best = max(tied, key=lambda item: sum(1 for other in tied if _squash(other[2]) in _squash(item[2])))
    return _compose_line(f"答案：{letter}（{text}）", best)


def _unit_options(question: Question, tree: UnitTree, unit: Unit) -> tuple[list[str], float]:
    text = _squash(tree.text[unit.start:unit.end])
    stated = [letter for letter, option in question.options if _squash(option) and _squash(option) in text]
    lead = tree.text[unit.lead[0]:unit.lead[1]] if unit.lead else tree.text[unit.start:unit.end][:120]
    return stated, _coverage(BLANK.sub("", question.stem), _squash(lead))


def _multi(question: Question, pool: Sequence[_Sentence], candidates: Sequence[_Candidate]) -> Composition:
    """The unit that states most options and reads most like the stem (lists in the retrieved passages' sections
    count: the list of 职权 may be the article before the one retrieved); every option it states."""
    best: tuple[float, list[str], _Candidate | None, Unit | None] = (-1.0, [], None, None)
    for candidate in candidates:
        tree, chunk = candidate.tree, candidate.hit.chunk
        if tree is None:
            continue
        units = [u for u in tree.overlapping(chunk.char_start, chunk.char_end) if u.kind in ("article", "paragraph", "list", "run", "series")]
        units += _nearby_lists(tree, chunk.char_start, chunk.char_end)
        for unit in units:
            if unit.end - unit.start > MAX_UNIT_CHARS:
                continue
            stated, coverage = _unit_options(question, tree, unit)
            score = len(stated) + coverage - 0.01 * candidate.rank - 0.0001 * (unit.end - unit.start) / 100
            if score > best[0]:
                best = (score, stated, candidate, unit)
    _, stated, candidate, unit = best
    letters = stated if not question.negative else [letter for letter, _ in question.options if letter not in stated]
    if not letters:
        letters = [max(_option_scores(question, pool), key=lambda item: item[0])[1]]
    named = "、".join(text for letter, text in question.options if letter in letters)
    first = f"答案：{''.join(sorted(letters))}（{named}）"
    if candidate is None or unit is None or candidate.tree is None:
        return _compose_line(first, None)
    tree = candidate.tree
    span = _cut(tree, unit.start, unit.end)
    highlights = [(a, b) for a, b in (unit.items or ((unit.start, unit.end),))
                  if any(_squash(t) in _squash(tree.text[a:b]) for letter, t in question.options if letter in letters)]
    citation = _citation(1, candidate, span, highlights or [(unit.start, unit.end)])
    direct = f"{first}[1]"
    return Composition(direct, f"{direct}\n{_quote(tree, span, unit.end)}[1]", [citation])


def _blank_value(stem: str, sentence: str, limit: int = 30) -> str:
    """The words of ``sentence`` standing where the stem's first blank is (both sides matched).

    Matching ignores punctuation; the value keeps the sentence's own (a run 教育、管理、监督 stays readable) and
    stops at a clause end when nothing follows the blank in the stem.
    """
    match = BLANK.search(stem)
    if not match:
        return ""
    left = _squash(stem[: match.start()])
    right = _squash(BLANK.sub("", stem[match.end():]))
    plain = fold_for_search(re.sub(r"\s+", "", sentence))
    keep = [i for i, ch in enumerate(plain) if _squash(ch)]
    text = "".join(plain[i] for i in keep)
    start = 0
    for size in range(min(len(left), 12), 0, -1):
        position = text.find(left[-size:])
        if position >= 0:
            start = position + size
            break
    end = len(text)
    found_right = False
    for size in range(min(len(right), 8), 0, -1):
        position = text.find(right[:size], start)
        if position >= 0:
            end, found_right = position, True
            break
    if start >= end:
        return ""
    first, last = keep[start], keep[end - 1] + 1
    value = plain[first:last]
    if not found_right:
        stop = re.search(r"[，,。；;：:！？!?]", value)
        value = value[: stop.start()] if stop else value
    value = value.strip("，,。；;、 ")
    return value if 0 < len(value) <= limit else ""


def _blank(question: Question, pool: Sequence[_Sentence]) -> Composition:
    stem = question.stem
    _, sentence = _best(pool, BLANK.sub("", stem))
    if sentence is None:
        return Composition("", "", [])
    values: list[str] = []
    remaining = stem
    for _ in range(max(question.blanks, 1)):
        value = _blank_value(remaining, sentence.text)
        if not value:
            break
        values.append(value)
        remaining = BLANK.sub(value, remaining, count=1)
    answer = "；".join(values) if values else ""
    said = _strip_label(sentence.text)
    first = f"答案：{answer}。{said}" if answer else said
    return _compose_line(first, sentence)


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        word = match.group(0)
        digits = re.match(r"[零〇一二三四五六七八九十百两半\d]+", word)
        value = chinese_number(digits.group(0)) if digits else None
        unit = word[digits.end():] if digits else word
        found.add(f"{value if value is not None else digits.group(0) if digits else ''}{unit}")
    return found


def _judge(question: Question, pool: Sequence[_Sentence]) -> Composition:
    claim = _JUDGE_TAIL.sub("", BLANK.sub("", question.stem)).strip()
    claim = _ATTRIBUTION.sub("", claim) or claim  # “党章规定，…” / “按照准则，…”: the claim is what follows
    score, sentence = _best(pool, claim)
    if sentence is None:
        return Composition("", "", [])
    same_numbers = _numbers(claim) <= _numbers(sentence.text) or not _numbers(claim)
    negations_match = all((word in _squash(claim)) == (word in sentence.folded) for word in _NEGATIONS)
    verdict = "正确" if score >= JUDGE_COVERAGE and same_numbers and negations_match else "错误"
    return _compose_line(f"{verdict}：{_strip_label(sentence.text)}", sentence)


def answer_quiz(store: TreeSource, result: SearchResult, question: Question) -> Composition:
    """A pasted 单选/多选/填空/判断 item answered from the retrieved units."""
    candidates = _candidates(store, result)
    pool = _pool(candidates)
    if not pool:
        if not result.hits:
            return Composition("", "", [])
        hit = result.hits[0]
        citation: Citation = chunk_citation(1, hit, [])
        return Composition("", f"{hit.chunk.text}[1]", [citation])
    if question.kind == "quiz_multi":
        return _multi(question, pool, candidates)
    if question.kind == "quiz_single":
        return _single(question, pool, candidates)
    if question.kind == "quiz_judge":
        return _judge(question, pool)
    return _blank(question, pool)
