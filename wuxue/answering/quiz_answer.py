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
from dataclasses import dataclass, replace
from difflib import Match, SequenceMatcher

from wuxue.answering.abbreviations import long_forms
from wuxue.answering.compose import (MAX_UNIT_CHARS, Citation, Composition, TreeSource, _candidates, _Candidate, _citation, _cut,
                                      _nearby_lists, _quote, _strip_label, _unit_for, chunk_citation)
from wuxue.answering.question import BLANK, JUDGE_TAIL, Question
from wuxue.index.searcher import SearchResult
from wuxue.ingest.clean import fold_for_search
from wuxue.ingest.patterns import ARTICLE_NUMBER, LIST_MARKER
from wuxue.ingest.sentences import sentence_spans
from wuxue.ingest.units import Unit, UnitTree
from wuxue.numerals import NUMERALS, chinese_number

JUDGE_COVERAGE = 0.8  # share of a statement's bigrams one sentence must hold for 正确
MULTI_MARGIN = 0.15  # unlabelled choice items: options scoring within this of the best read as stated…
MULTI_GAP = 0.2  # …and when the rest score at least this much lower, three or more such options make a 多选
STEM_SENTENCE = 0.8  # a unit reading this much like a 多选 stem is the stem's own sentence…
STEM_MARGIN = 0.05  # …and units reading less like it than this do not compete with it
ITEM_WORDS = 2  # a 多选 stem naming one item of a list (第一顺序) shares this many more word pairs with it than with any other
_ATTRIBUTION = re.compile(r"^(?:(?:按照|根据|依照|依据)[^，,]{1,30}[，,]|[^，,]{1,20}(?:指出|规定|强调|提出|要求|明确)[，,：:])")
_NEGATIONS = ("没有", "不得", "不能", "无权", "无需", "无须", "不必", "不再", "不予", "不准", "不应", "不属于", "不是", "不可以")
CONTIGUITY = 0.3  # weight of the stem's unbroken words in choosing the sentence a blank stands in
MIN_OPTION_CHARS = 4  # shorter options (警告, 改组) are stated in too many sentences to count alone
READING_K = 3  # passages searched for each option read in the blank
MAX_READINGS = 5  # options A–E
JOIN_SPAN = 6  # a 判断 statement may join a sentence with one up to this many sentences later in its article…
JOIN_GAP_CHARS = 400  # …and at most this many characters later (继承人协商同意的，也可以不均等 closes the article)
_ARTICLE_START = re.compile(r"(?:^|\n)\s*" + ARTICLE_NUMBER.pattern)
SWAP_CHARS = 4  # a 判断 item's changed word: longer differences are rewording, left to bigram coverage
_NEAR = 2  # stem characters next to a blank the sentence may word otherwise (应当有 → 有, 党员的职责 → 的职责)
_PUNCT = re.compile(r"[\s\W_]+")
_NUMBER = re.compile(rf"[{NUMERALS}半\d]+(?:个|周)?(?:年|月|日|天|岁|名|人|次|届|项|种|类|步|方面|分之|个工作日|工作日)")
_NEGATION = ("不", "没有", "无", "非", "禁止", "严禁", "未")


@dataclass
class _Sentence:
    candidate: _Candidate
    start: int
    end: int
    text: str
    folded: str


def _squash(text: str) -> str:
    return _PUNCT.sub("", fold_for_search(text))


_ASIDE = re.compile(r"[（(][^（()）]{1,20}[）)]")


def _readings(text: str) -> tuple[str, str]:
    """The text squashed as it is and without its bracketed asides, computed once for every option checked."""
    return _squash(text), _squash(_ASIDE.sub("", text))


def _states(option: str, readings: tuple[str, str]) -> bool:
    """The text (its ``_readings``) states the option, also where the option leaves out the text's bracketed aside
    (乡镇党委所属的基层党委 for 乡镇（街道）党委所属的基层党委)."""
    wanted = _squash(option)
    return bool(wanted) and any(wanted in reading for reading in readings)


def _states_any(options: Sequence[str], text: str) -> bool:
    readings = _readings(text)
    return any(_states(option, readings) for option in options)


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


def _with_blank(stem: str) -> str:
    """The sentence of a stem that holds the blank (“撤销权的行使范围以（ ）为限。债权人行使撤销权的必要费用，由债务人
    负担。” is filled from the text's first sentence, not the second, which the stem copies whole)."""
    sentences = [part for part in re.findall(r"[^。！？!?]*[。！？!?]?", stem) if part.strip()]
    holding = [part for part in sentences if BLANK.search(part)]
    return holding[0] if len(sentences) > 1 and len(holding) == 1 else stem


def _blank_sentence(stem: str, pool: Sequence[_Sentence]) -> tuple[_Sentence | None, str]:
    """The sentence that reads most like the stem and holds the words either side of its blank, and what it puts
    there (squashed; "" when nothing): a title that repeats the stem's name (《中国共产党发展党员工作细则》由（）负责
    解释) reads alike but has nothing to fill in."""
    stem = _with_blank(stem)
    claim = BLANK.sub("", stem)
    best: tuple[float, _Sentence | None, str] = (0.0, None, "")
    for sentence in [*pool, *_semicolon_joined(pool)]:
        score = _coverage(claim, sentence.folded) + CONTIGUITY * _contiguous(stem, sentence.folded) - 0.01 * sentence.candidate.rank
        filling = _squash(_blank_value(stem, sentence.text, limit=80)) or _list_after(sentence, stem)
        if filling:
            score += 0.5
        if score > best[0]:
            best = (score, sentence, filling)
    return best[1], best[2]


def _semicolon_joined(pool: Sequence[_Sentence]) -> list[_Sentence]:
    """Each sentence with the next one when only ；separates them: a stem copies the whole sentence (“…经依法登记，
    发生效力；未经登记，（ ），但是法律另有规定的除外”) that sentence splitting cut in two."""
    joined = []
    for first, second in zip(pool, pool[1:]):
        tree = first.candidate.tree
        if tree is None or second.candidate.tree is not tree or not first.text.rstrip().endswith(("；", ";")) \
                or tree.text[first.end:second.start].strip():
            continue
        text = tree.text[first.start:second.end]
        joined.append(_Sentence(first.candidate, first.start, second.end, text, _squash(text)))
    return joined


def _contiguous(stem: str, folded: str) -> float:
    """Share of the stem's words before and after its blank that the sentence holds unbroken: “赠与人的撤销权，自知道…
    之日起（ ）内行使” is the sentence of 赠与人 itself, not of 赠与人的继承人或者法定代理人的撤销权, which shares
    nearly every word pair too."""
    match = BLANK.search(stem)
    parts = [_squash(stem[: match.start()]), _squash(BLANK.sub("", stem[match.end():]))] if match else [_squash(stem)]
    total = sum(len(part) for part in parts)
    if not total:
        return 0.0
    held = 0
    for part in parts:
        found = SequenceMatcher(None, part, folded, autojunk=False).find_longest_match(0, len(part), 0, len(folded))
        held += found.size
    return held / total


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


def _stated_at_blank(option: str, value: str) -> bool:
    """The option stands in the filling, whole or as its joined parts (改组或者解散 for the items 改组；解散)."""
    wanted = _squash(option)
    if not wanted:
        return False
    if wanted in value:
        return True
    parts = [_squash(part) for part in re.split(r"或者|或|和|及|、", option) if _squash(part)]
    return len(parts) >= 2 and all(part in value for part in parts)


def _list_after(sentence: _Sentence, stem: str, limit: int = 200) -> str:
    """The items a sentence ending in ： introduces (可以予以：（一）改组；（二）解散): what fills a blank at its end."""
    tree = sentence.candidate.tree
    if tree is None or not sentence.text.rstrip().endswith(("：", ":")):
        return ""
    match = BLANK.search(stem)
    if not match or _squash(stem[: match.start()])[-3:] not in sentence.folded[-8:]:
        return ""  # the sentence must end where the stem's words before the blank end (可以予以：)
    for unit in tree.overlapping(sentence.start, sentence.end):
        if unit.items and 0 <= unit.items[0][0] - sentence.end <= 4:
            return _squash(tree.text[sentence.end:min(unit.items[-1][1], sentence.end + limit)])
    return ""


def _at_blank(question: Question, pool: Sequence[_Sentence]) -> tuple[list[str], _Sentence | None]:
    """The options the text puts where the blank is (“担负直接教育、管理、监督党员” → 教育、管理、监督)."""
    if not BLANK.search(question.stem):
        return [], None
    sentence, value = _blank_sentence(question.stem, pool)
    if sentence is None:
        return [], None
    if not value:
        return [], sentence
    stated = [(letter, _squash(text)) for letter, text in question.options if _stated_at_blank(text, value)]
    # “三年” inside “三年至五年”: the longer option is the one the text states
    return [letter for letter, text in stated if not any(text != other and text in other for _, other in stated)], sentence


def _single(question: Question, pool: Sequence[_Sentence], candidates: Sequence[_Candidate]) -> Composition:
    at_blank, sentence = _at_blank(question, pool)
    labelled = bool(re.search(r"单选|单项", question.text[:12]))
    if len(at_blank) >= 2 and not question.negative and not labelled:
        return _multi(question, pool, candidates)  # the text fills the blank with several options: a 多选 without its label
    if len(at_blank) == 1 and sentence is not None and not question.negative:
        # the one option the text puts where the blank is answers, however alike the others read around it
        # (“全国性公募基金会的原始基金不低于800万元” against “地方性…不低于400万元”; 改组或者解散 after 可以予以：)
        letter = at_blank[0]
        text = dict(question.options)[letter]
        return _compose_line(f"答案：{letter}（{text}）", sentence)
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
    best_score = max(score for score, _, _, _ in scored)
    tied = [item for item in scored if item[0] >= best_score - 1e-6]
    # “三年” reads wherever “三年至五年” does: of tied options the one containing the others is the one stated
    _, letter, text, best = max(tied, key=lambda item: sum(1 for other in tied if _squash(other[2]) in _squash(item[2])))
    return _compose_line(f"答案：{letter}（{text}）", best)


def _unit_lead(tree: UnitTree, unit: Unit) -> str:
    """What a unit says before its options: its lead, or its opening when it has none."""
    return tree.text[unit.lead[0]:unit.lead[1]] if unit.lead else tree.text[unit.start:unit.end][:120]


def _unit_options(question: Question, tree: UnitTree, unit: Unit) -> tuple[list[str], float]:
    readings = _readings(tree.text[unit.start:unit.end])
    stated = [letter for letter, option in question.options if _states(option, readings)]
    lead = _unit_lead(tree, unit)
    return stated, _coverage(BLANK.sub("", question.stem), _squash(lead))


def _asked_item(question: Question, candidate: _Candidate | None, unit: Unit | None) -> set[str] | None:
    """The letters one item of the chosen list states, when the stem names that item alone (下列属于第一顺序继承人的有
    → （一）第一顺序：配偶、子女、父母, not 兄弟姐妹 of （二）第二顺序): it shares ITEM_WORDS more of the stem's word
    pairs that the list's lead does not hold than any other item. None when no item stands out."""
    if candidate is None or unit is None or candidate.tree is None or len(unit.items) < 2:
        return None
    tree = candidate.tree
    lead = ARTICLE_NUMBER.sub("", tree.text[unit.start:unit.items[0][0]])  # 第一千…条 says no 第一 of the stem
    asked = _bigrams(BLANK.sub("", question.stem)) - _bigrams(lead)
    shared = [len(asked & _bigrams(tree.text[a:b])) for a, b in unit.items]
    ranked = sorted(shared, reverse=True)
    if ranked[0] - ranked[1] < ITEM_WORDS:
        return None
    a, b = unit.items[shared.index(ranked[0])]
    readings = _readings(tree.text[a:b])
    letters = {letter for letter, option in question.options if _states(option, readings)}
    return letters if len(letters) >= 2 else None


def _multi(question: Question, pool: Sequence[_Sentence], candidates: Sequence[_Candidate]) -> Composition:
    """The unit that states most options and reads most like the stem (lists in the retrieved passages' sections
    count: the list of 职权 may be the article before the one retrieved); every option it states."""
    best: tuple[float, list[str], _Candidate | None, Unit | None] = (-1.0, [], None, None)
    read: list[tuple[float, float, list[str], _Candidate, Unit]] = []
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
            read.append((score, coverage, stated, candidate, unit))
    # the stem's own sentence (用益物权人…依法享有…) decides: a unit stating more options but reading less like the
    # stem (所有权人…占有、使用、收益和处分) says them of something else
    stem_like = max((coverage for _, coverage, stated, _, _ in read if stated), default=0.0)
    for score, coverage, stated, candidate, unit in read:
        if stem_like >= STEM_SENTENCE and coverage < stem_like - STEM_MARGIN:
            continue
        if score > best[0]:
            best = (score, stated, candidate, unit)
    _, stated, candidate, unit = best
    asked_item = _asked_item(question, candidate, unit) if len(stated) > 1 else None
    if asked_item is not None:
        stated = [letter for letter in stated if letter in asked_item]
    after_verb = _after_asking_verb(question, candidate, unit, stated) if len(stated) > 1 else None
    if after_verb is not None:
        stated = after_verb
    predicate = _predicate(question) if not question.negative else set()
    checked = _stated_with_predicate(question, pool, predicate) if predicate else {}
    if checked and (len(stated) <= 1 or not _says_predicate(candidate, unit, predicate)):
        return _cited_options(question, checked)  # no one unit lists them as the stem asks: each by its own sentence
    elsewhere = {letter: sentence for letter, sentence in checked.items() if letter not in stated}
    stated = stated + list(elsewhere)
    letters = stated if not question.negative else [letter for letter, _ in question.options if letter not in stated]
    if not letters:
        letters = [max(_option_scores(question, pool), key=lambda item: item[0])[1]]
    named = "、".join(text for letter, text in question.options if letter in letters)
    first = f"答案：{''.join(sorted(letters))}（{named}）"
    if candidate is None or unit is None or candidate.tree is None:
        return _compose_line(first, None)
    tree = candidate.tree
    span = _cut(tree, unit.start, unit.end)
    chosen = [t for letter, t in question.options if letter in letters]
    highlights = [(a, b) for a, b in (unit.items or ((unit.start, unit.end),)) if _states_any(chosen, tree.text[a:b])]
    citations = [_citation(1, candidate, span, highlights or [(unit.start, unit.end)])]
    lines = [f"{_quote(tree, span, unit.end)}[1]"]
    outside = [sentence for sentence in elsewhere.values()
               if not (sentence.candidate.tree is tree and span[0] <= sentence.start < span[1])]
    _cite_sentences(outside, citations, lines)  # each option stated in another article is cited where it stands
    return _marked(first, citations, lines)


_ASKED_SLOT = re.compile(r"(?:下列|以下)?(?:哪些|哪几项|哪几种|哪几个)|[（(][\s\u3000_]*[）)]")
VERB_CHARS = 4  # the stem's words right before what it asks (但是不得限制｜下列哪些)


def _after_asking_verb(question: Question, candidate: _Candidate | None, unit: Unit | None,
                       stated: list[str]) -> list[str] | None:
    """The stated options the text puts right after the stem's verb (“…可以约定实施专利或者使用技术秘密的范围，但是
    **不得限制**技术竞争和技术发展” for “但是不得限制下列哪些”): the others are said of something else in the same
    sentence. None when the verb is not in the unit or introduces a list of its own (履行下列义务：)."""
    if candidate is None or unit is None or candidate.tree is None:
        return None
    slots = list(_ASKED_SLOT.finditer(question.stem))
    if not slots:
        return None
    verb = _squash(question.stem[:slots[-1].start()])[-VERB_CHARS:]
    text = _squash(candidate.tree.text[unit.start:unit.end])
    at = text.find(verb) if len(verb) == VERB_CHARS else -1
    if at < 0:
        return None
    clause = re.split(r"[。；;：:]", text[at + len(verb):], maxsplit=1)[0]
    if re.match(r"下列|以下|如下", clause):
        return None
    options = dict(question.options)
    inside = [letter for letter in stated if _squash(options[letter]) in clause]
    return inside if inside and len(inside) < len(stated) else None


def _marked(first: str, citations: list[Citation], lines: list[str]) -> Composition:
    """The first line carrying every citation's marker, then the quoted lines."""
    direct = f"{first}{''.join(f'[{c.marker}]' for c in citations)}"
    return Composition(direct, "\n".join([direct, *lines]), citations)


def _cite_sentences(sentences: Sequence[_Sentence], citations: list[Citation], lines: list[str]) -> None:
    for sentence in sentences:
        marker = len(citations) + 1
        citations.append(_citation(marker, sentence.candidate, (sentence.start, sentence.end), [(sentence.start, sentence.end)]))
        lines.append(f"{_strip_label(sentence.text)}[{marker}]")


def _cited_options(question: Question, stating: dict[str, _Sentence]) -> Composition:
    """答案：ABD（…）[1][2][3], then each option's sentence, each cited where it stands."""
    letters = sorted(stating)
    named = "、".join(text for letter, text in question.options if letter in stating)
    citations: list[Citation] = []
    lines: list[str] = []
    sentences: list[_Sentence] = []
    for letter in letters:  # two options in one sentence are cited once
        if not any(stating[letter] is seen for seen in sentences):
            sentences.append(stating[letter])
    _cite_sentences(sentences, citations, lines)
    return _marked(f"答案：{''.join(letters)}（{named}）", citations, lines)


_STEM_FRAME = re.compile(r"下列|以下|哪些|哪几项|属于|包括|的有|的是|正确|说法|选项|其中|中|[^\u4e00-\u9fff]")


def _predicate(question: Question) -> set[str]:
    """What the stem says of the options, as the word pairs of its own that no option holds (“下列民事法律行为中，
    属于无效的有” → 无效)."""
    options = [_squash(text) for _, text in question.options]
    core = _STEM_FRAME.sub("", BLANK.sub("", question.stem))
    return {core[i:i + 2] for i in range(len(core) - 1)} - {g for option in options for g in _bigrams(option)}


def _says_predicate(candidate: _Candidate | None, unit: Unit | None, predicate: set[str]) -> bool:
    """The chosen unit's lead (or opening) says what the stem asks (下列…无效：), so its items are the answer."""
    if candidate is None or unit is None or candidate.tree is None:
        return False
    tree = candidate.tree
    lead = _unit_lead(tree, unit)
    return all(g in _squash(lead) for g in predicate)


def _stated_with_predicate(question: Question, pool: Sequence[_Sentence], predicate: set[str]) -> dict[str, _Sentence]:
    """Options a sentence states together with what the stem says of them: 无民事行为能力人实施的民事法律行为**无效**;
    违背公序良俗的民事法律行为**无效**; not 基于重大误解实施的民事法律行为，行为人有权请求…撤销."""
    found: dict[str, _Sentence] = {}
    for letter, text in question.options:
        option = _squash(text)
        if len(option) < MIN_OPTION_CHARS:
            continue
        stating = next((s for s in pool if option in s.folded and all(g in s.folded for g in predicate)), None)
        if stating is not None:
            found[letter] = stating
    return found


def _blank_value(stem: str, sentence: str, limit: int = 30) -> str:
    """The words of ``sentence`` standing where the stem's first blank is.

    The stem without its blank is aligned with the sentence (difflib, punctuation ignored), so a reworded
    context still places the blank (全国性的社会团体应当有（ ）以上活动资金 → 有10万元以上活动资金); each side counts
    only when most of the characters next to the blank are matched. The value keeps the sentence's own
    punctuation (a run 教育、管理、监督 stays readable) and stops at a clause end when nothing follows the blank.
    """
    match = BLANK.search(stem)
    if not match:
        return ""
    left = _squash(stem[: match.start()])
    right = _squash(BLANK.sub("", stem[match.end():]))
    plain = fold_for_search(re.sub(r"\s+", "", sentence))
    keep = [i for i, ch in enumerate(plain) if _squash(ch)]
    text = "".join(plain[i] for i in keep)
    blocks = SequenceMatcher(None, left + right, text, autojunk=False).get_matching_blocks()
    start, end = _edges(blocks, len(left), len(right))
    if start is None:
        return ""  # the sentence does not hold what stands before the blank
    found_right = end is not None
    end = end if end is not None else len(text)
    if start >= end:
        return ""
    first, last = keep[start], keep[end - 1] + 1
    value = plain[first:last]
    if not found_right:
        stop = re.search(r"[，,。；;：:！？!?]", value)
        value = value[: stop.start()] if stop else value
    value = value.strip("，,。；;、 ")
    return value if 0 < len(value) <= limit else ""


def _runs(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Matched (stem, sentence) character pairs grouped into runs that are contiguous in the sentence."""
    runs: list[list[tuple[int, int]]] = []
    for pair in pairs:
        if runs and pair[1] == runs[-1][-1][1] + 1:
            runs[-1].append(pair)
        else:
            runs.append([pair])
    return runs


def _edges(blocks: Sequence[Match], left: int, right: int) -> tuple[int | None, int | None]:
    """Where the blank starts and ends in the sentence, or None for a side that does not match.

    A side matches when a run of stem characters, contiguous in the sentence, stands next to the blank (within
    ``_NEAR``) and holds at least three of them: a reworded stem still places the blank (应当有（ ） → 有10万元;
    《…细则》由（）负责解释 → 本细则由中央组织部负责解释), while two characters found elsewhere (党员 right after 教育)
    or a name matched far from the blank do not. The blank stands at ``left``, the length of the stem before it."""
    at = left
    pairs = [(a + k, b + k) for a, b, n in blocks for k in range(n)]
    runs = _runs(pairs)
    start = end = None
    before = [run for run in runs if run[-1][0] < at and len(run) >= min(left, 3) and run[-1][0] >= at - 1 - _NEAR]
    if before or not left:
        start = before[-1][-1][1] + 1 if before else 0
    after = [run for run in runs if run[0][0] >= at and len(run) >= min(right, 3) and run[0][0] <= at + _NEAR]
    if right and after:
        end = after[0][0][1] - (after[0][0][0] - at)
    return start, end


def _blank(question: Question, pool: Sequence[_Sentence]) -> Composition:
    stem = _with_blank(question.stem)
    sentence, _ = _blank_sentence(stem, pool)
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
        digits = re.match(rf"[{NUMERALS}半\d]+", word)
        value = chinese_number(digits.group(0)) if digits else None
        unit = word[digits.end():] if digits else word
        found.add(f"{value if value is not None else digits.group(0) if digits else ''}{unit}")
    return found


def _joined_support(pool: Sequence[_Sentence], claim: str) -> tuple[float, _Sentence | None]:
    """A 判断 statement may join two sentences of one article (打印遗嘱应当有两个以上见证人在场见证，遗嘱人和见证人
    应当在遗嘱每一页签名; 份额一般应当均等…协商同意的，也可以不均等): its leading clauses read in one sentence and
    the rest in a later one of the same article, in that order.
    Scored by the weaker half, so a number from the second sentence cannot prop up the first."""
    clauses = [c for c in re.split(r"[，,；;。]", claim) if _squash(c)]
    best: tuple[float, _Sentence | None] = (0.0, None)
    if len(clauses) < 2:
        return best
    for index, first in enumerate(pool):
        for second in pool[index + 1:index + 1 + JOIN_SPAN]:
            tree = first.candidate.tree
            if tree is None or second.candidate.tree is not tree or not _same_article(tree.text, first.end, second.start):
                continue
            for cut in range(1, len(clauses)):
                score = min(_coverage("".join(clauses[:cut]), first.folded), _coverage("".join(clauses[cut:]), second.folded))
                if score > best[0]:
                    text = tree.text[first.start:second.end]
                    best = (score, _Sentence(first.candidate, first.start, second.end, text, _squash(text)))
    return best


_DECLARED = re.compile(r"(?:下列|以下|如下)[\u4e00-\u9fff]{0,8}[：:]?\s*$|[：:]\s*$")


def _lead_item_support(pool: Sequence[_Sentence], claim: str) -> tuple[float, _Sentence | None]:
    """A 判断 statement may say one item of a list through its lead (党员享有表决权: 党员享有下列权利：…（五）行使
    表决权、选举权，有被选举权): each item is read after its lead, the lead's 下列权利： left out."""
    best: tuple[float, _Sentence | None] = (0.0, None)
    for sentence in pool:
        tree = sentence.candidate.tree
        if tree is None:
            continue
        for unit in tree.overlapping(sentence.start, sentence.end):
            if unit.kind not in ("list", "article") or unit.lead is None:
                continue
            item = next(((a, b) for a, b in unit.items if a <= sentence.start < b), None)
            if item is None:
                continue
            lead = tree.text[unit.lead[0]:unit.lead[1]]
            declared = re.search(r"下列([\u4e00-\u9fff]{1,6})[：:]", lead)  # 下列权利： → …查阅分会文件的权利
            said = (_DECLARED.sub("", ARTICLE_NUMBER.sub("", lead)) + LIST_MARKER.sub("", tree.text[item[0]:item[1]])
                    + (f"的{declared.group(1)}" if declared else ""))
            score = _coverage(claim, _squash(said))
            if score > best[0]:
                quote = f"{_strip_label(lead).strip()}……{tree.text[item[0]:item[1]].strip()}"
                best = (score, _Sentence(sentence.candidate, item[0], item[1], quote, _squash(said)))
    return best


def _same_article(text: str, end: int, start: int) -> bool:
    """Two sentences in order within one article: what lies between them is short and starts no other article."""
    return 0 <= start - end <= JOIN_GAP_CHARS and _ARTICLE_START.search(text, end, start) is None


def _substituted(claim: str, sentence: str, title: str = "") -> bool:
    """A run of two or more claim characters that no bigram of the sentence covers: a word put in place of the
    text's (按份责任 for 连带责任). Words left out of the claim leave no such run, only a missing junction; nor do
    words of the document's title (“重庆市科协科普经费…” where the 重庆市 条例 says “科协科普经费…”)."""
    squashed = _squash(claim)
    covered = [False] * len(squashed)
    for i in range(len(squashed) - 1):
        if squashed[i:i + 2] in sentence:
            covered[i] = covered[i + 1] = True
    for run in re.finditer(r"0{2,}", "".join("1" if flag else "0" for flag in covered)):
        if not (title and squashed[run.start():run.end()] in title):
            return True
    return False


def _swapped_word(claim: str, sentence: str, title: str = "") -> bool:
    """Aligned with its sentence, the claim puts other characters where the text has some, between two stretches
    they share (有限责任 for 无限责任, 由委托人负担 for 由行纪人负担): the one-word change a 判断 item makes,
    which bigram coverage cannot see when the new word is spelled elsewhere in the sentence."""
    squashed = _squash(claim)
    matcher = SequenceMatcher(None, squashed, sentence, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and 0 < i1 and i2 < len(squashed) and i2 - i1 <= SWAP_CHARS and j2 - j1 <= SWAP_CHARS:
            if not (title and squashed[i1:i2] in title):
                return True
    return False


def _negation_flipped(claim: str, sentence: str) -> bool:
    """The claim adds a negation the text does not have, or states what the text negates without the negation."""
    squashed = _squash(claim)
    for word in (*_NEGATIONS, "不"):  # 不停止 / 停止: a bare 不 counts where one side has it before the same words
        for negated, other in ((sentence, squashed), (squashed, sentence)):
            for match in re.finditer(word, negated):
                after = negated[match.end():match.end() + 2]
                if len(after) == 2 and after in other and word + after not in other:
                    return True  # one side negates what the other states (不得擅自改为他用 / 可以擅自改为他用)
        if word != "不" and word in squashed and word not in sentence:
            return True  # a negation the text does not have
    return False


def _states_claim(claim: str, score: float, sentence: _Sentence) -> bool:
    """The sentence says the whole claim: enough of its word pairs, the same numbers, no word swapped or negated."""
    same_numbers = _numbers(claim) <= _numbers(sentence.text) or not _numbers(claim)
    title = _squash(sentence.candidate.hit.chunk.title)
    return (score >= JUDGE_COVERAGE and same_numbers and not _substituted(claim, sentence.folded, title)
            and not _swapped_word(claim, sentence.folded, title) and not _negation_flipped(claim, sentence.folded))


def _judge(question: Question, pool: Sequence[_Sentence]) -> Composition:
    """正确 when one reading of the text states the claim — its best sentence, two sentences of one article joined,
    or a list item read after its lead — else 错误 with the sentence that comes closest."""
    claim = JUDGE_TAIL.sub("", BLANK.sub("", question.stem)).strip()
    claim = _ATTRIBUTION.sub("", claim) or claim  # “党章规定，…” / “按照准则，…”: the claim is what follows
    readings = [_best(pool, claim)]
    if readings[0][0] < JUDGE_COVERAGE:
        readings.append(_joined_support(pool, claim))
    readings = [(score, sentence) for score, sentence in readings if sentence is not None]
    stating = [(score, sentence) for score, sentence in readings if _states_claim(claim, score, sentence)]
    if not stating:  # an item said through its lead states it, but is no closer sentence to show when nothing does
        score, item = _lead_item_support(pool, claim)
        stating = [(score, item)] if item is not None and _states_claim(claim, score, item) else []
    if not stating and not readings:
        return Composition("", "", [])
    score, sentence = max(stating or readings, key=lambda pair: pair[0])
    return _compose_line(f"{'正确' if stating else '错误'}：{_strip_label(sentence.text)}", sentence)


def option_readings(question: Question) -> list[str]:
    """The stem with each option in its blank: what a text that states that option would say."""
    if question.kind not in ("quiz_single", "quiz_multi") or not BLANK.search(question.stem):
        return []
    return [_fill(question.stem, text) for _, text in question.options[:MAX_READINGS]]


def answer_quiz(store: TreeSource, result: SearchResult, question: Question, readings: Sequence[SearchResult] = ()) -> Composition:
    """A pasted 单选/多选/填空/判断 item answered from the retrieved units; ``readings``: what each option read in
    the blank found (its passages rank after the stem's own)."""
    candidates = _candidates(store, result)
    for reading in readings:
        offset = len(candidates)
        candidates += [replace(c, rank=c.rank + offset) for c in _candidates(store, reading)]
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
