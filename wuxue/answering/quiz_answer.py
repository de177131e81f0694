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

from wuxue.answering.compose import Citation, Composition, TreeSource, _candidates, _Candidate, _citation, _cut, _quote, _unit_for, chunk_citation
from wuxue.answering.question import BLANK, Question, chinese_number
from wuxue.index.searcher import SearchResult
from wuxue.ingest.clean import fold_for_search
from wuxue.ingest.sentences import sentence_spans

JUDGE_COVERAGE = 0.85  # share of a statement's bigrams one sentence must hold for 正确
_PUNCT = re.compile(r"[\s\W_]+")
_NUMBER = re.compile(r"[零〇一二三四五六七八九十百两半\d]+(?:个|周)?(?:年|月|日|天|岁|名|人|次|届|项|种|分之|个工作日|工作日)")
_NEGATION = ("不", "没有", "无", "非", "禁止", "严禁", "未")
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


def _single(question: Question, pool: Sequence[_Sentence]) -> Composition:
    scored = []
    for letter, text in question.options:
        score, sentence = _best(pool, _fill(question.stem, text))
        present = sentence is not None and _squash(text) in sentence.folded
        scored.append((score + (0.2 if present else 0.0), letter, text, sentence))
    if question.negative:
        # the option the text does not state among those it lists
        stated = [_best(pool, text)[0] for _, text in question.options]
        index = min(range(len(stated)), key=lambda i: stated[i])
        _, letter, text, _ = scored[index]
        support = max(scored, key=lambda item: item[0])[3]
        return _compose_line(f"答案：{letter}（{text}）", support)
    score, letter, text, sentence = max(scored, key=lambda item: item[0])
    return _compose_line(f"答案：{letter}（{text}）", sentence)


def _multi(question: Question, pool: Sequence[_Sentence]) -> Composition:
    """The unit that states most options (and reads most like the stem); every option it states."""
    by_unit: dict[tuple[str, int, int], list[_Sentence]] = {}
    for sentence in pool:
        tree = sentence.candidate.tree
        assert tree is not None
        unit = _unit_for(tree, sentence.start, sentence.end)
        key = (sentence.candidate.hit.chunk.doc_id, unit.start if unit else sentence.start, unit.end if unit else sentence.end)
        by_unit.setdefault(key, []).append(sentence)
    best: tuple[float, list[str], _Sentence | None] = (-1.0, [], None)
    stem = BLANK.sub("", question.stem)
    for sentences in by_unit.values():
        text = "".join(s.folded for s in sentences)
        stated = [letter for letter, option in question.options if _squash(option) and _squash(option) in text]
        lead = max(sentences, key=lambda s: _coverage(stem, s.folded))
        score = len(stated) + _coverage(stem, text) - 0.01 * sentences[0].candidate.rank
        if score > best[0]:
            best = (score, stated, lead)
    _, stated, lead = best
    letters = stated if not question.negative else [letter for letter, _ in question.options if letter not in stated]
    if not letters:
        letters = [max(question.options, key=lambda o: _best(pool, _fill(question.stem, o[1]))[0])[0]]
    named = "、".join(text for letter, text in question.options if letter in letters)
    return _compose_line(f"答案：{''.join(sorted(letters))}（{named}）", lead)


def _blank_value(stem: str, sentence: str) -> str:
    """The words of ``sentence`` standing where the stem's first blank is (both sides matched)."""
    match = BLANK.search(stem)
    if not match:
        return ""
    left = _squash(stem[: match.start()])
    right = _squash(BLANK.sub("", stem[match.end():]))
    text = _squash(sentence)
    start = 0
    for size in range(min(len(left), 12), 0, -1):
        position = text.find(left[-size:])
        if position >= 0:
            start = position + size
            break
    end = len(text)
    for size in range(min(len(right), 8), 0, -1):
        position = text.find(right[:size], start)
        if position >= 0:
            end = position
            break
    value = text[start:end]
    return value if 0 < len(value) <= 30 else ""


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
    first = f"答案：{answer}。{sentence.text.strip()}" if answer else sentence.text.strip()
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
    score, sentence = _best(pool, claim)
    if sentence is None:
        return Composition("", "", [])
    same_numbers = _numbers(claim) <= _numbers(sentence.text) or not _numbers(claim)
    negations_match = all((word in _squash(claim)) == (word in sentence.folded) for word in ("没有", "不得", "不能", "无权"))
    verdict = "正确" if score >= JUDGE_COVERAGE and same_numbers and negations_match else "错误"
    return _compose_line(f"{verdict}：{sentence.text.strip()}", sentence)


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
        return _multi(question, pool)
    if question.kind == "quiz_single":
        return _single(question, pool)
    if question.kind == "quiz_judge":
        return _judge(question, pool)
    return _blank(question, pool)
