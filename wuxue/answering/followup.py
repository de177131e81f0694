"""Elliptical follow-ups (那权利呢？/还有呢？/它的任期多长？/第二条呢？) read against the member's previous question.

No LLM: the previous question is split into a document reference, an article reference (第一条), a subject
(党员, 党的中央委员会) and the element asked about (义务, 任期); the follow-up names the part it swaps, or a
pronoun that stands for the subject. A question that names its own subject is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wuxue.numerals import chinese_number as _number
from wuxue.numerals import to_chinese as _numeral

MORE = re.compile(r"^(?:那|那么)?(?:还有|还有别的|还有其他的?|其他的?|其余的?|别的|然后|接着|再|继续|具体|详细|展开)"
                  r"(?:呢|吗|么|的呢|的吗|说说|讲讲|说|讲|点|一点|一些|内容呢|有吗|是什么|哪些|什么)*$")
LEADING = re.compile(r"^(?:那么|那|如果是|要是|换成|换作|改成|至于|关于)")
TRAILING = re.compile(r"(?:呢|吗|么|怎么样|如何|怎样)+$")
PUNCTUATION = re.compile(r"[\s？?！!。，,、；;：:…]+")
PRONOUN = re.compile(r"^(?:那么|那)?(它们|他们|她们|它|他|其|该|此|这些|那些|这个|那个|这一|这项|这条|这部|本|这(?=是|指|怎|有|要|由))")
# Words that make a question complete: it asks something itself (是/有/什么/哪/几…).
ASKING = re.compile(r"是|有|什么|哪|几|多少|多长|多久|怎|如何|谁|吗|能否|可否|是否|应当|应该|必须|需要|可以|由|指|为何|为什么|何时|何")
MAX_FOLLOWUP_CHARS = 40  # an elliptical follow-up is short; a long question carries its own context
QUIZ_ITEM = re.compile(r"[（(]\s*[)）]|_{2,}|＿{2,}|(?:^|\s)[A-EＡ-Ｅ][\.．、]|^\s*(?:判断|单选|多选|填空)")  # a pasted quiz item stands alone
NUMERAL = "零一二三四五六七八九十百"
COUNTED = NUMERAL + "两几项个条种类点大"
UNIT_REF = re.compile(rf"第([{NUMERAL}\d]+)(编|章|节|条|款|项)")
NEXT_REF = re.compile(r"^(下|上|前|后)一?(编|章|节|条|款|项)$")
_NAME_CHAR = r"(?:(?![是有么哪几怎谁吗何第对了在])[\u4e00-\u9fff])"  # a character a document name may hold
DOCUMENT = re.compile(rf"《[^》]{{1,40}}》|中国共产党章程|党章|宪法|{_NAME_CHAR}{{2,14}}?(?:条例|准则|规定|办法|细则|规则|纲要|章程)"
                      rf"|{_NAME_CHAR}{{1,10}}?法(?=第|规定|中|里|的|有|是|对|$)")

# The element asked about: a follow-up naming one of these swaps the element, not the subject.
ASPECTS = (
    "基本任务", "主要任务", "主要职责", "基本条件", "基本原则", "基本要求", "主要内容", "预备期", "任期", "职权", "职责", "义务",
    "权利", "任务", "条件", "程序", "步骤", "要求", "标准", "原则", "作用", "地位", "内容", "意义", "含义", "定义", "范围",
    "期限", "时间", "方式", "形式", "种类", "纪律", "处分", "待遇", "责任", "特点", "目标", "宗旨", "组成", "名称", "誓词",
    "党龄", "党费", "职能", "权限", "规定", "产生办法", "选举", "结构", "构成", "领导体制", "工作机构", "组织原则",
)
# Who or what a question is about: a follow-up naming one of these (or ending like one) swaps the subject.
ENTITIES = (
    "中央纪律检查委员会", "地方各级纪律检查委员会", "纪律检查委员会", "中央政治局常务委员会", "中央政治局", "中央委员会",
    "中央书记处", "中央军事委员会", "地方各级委员会", "地方委员会", "全国代表大会", "代表大会", "基层委员会", "总支部委员会",
    "支部委员会", "党支部", "党总支", "党小组", "党组", "党委", "纪委", "基层组织", "入党积极分子", "预备党员", "正式党员",
    "党员领导干部", "领导干部", "党员", "干部", "公民", "国务院", "全国人民代表大会", "人民代表大会", "科协", "基金会", "社会团体",
)
ENTITY_ENDINGS = ("委员会", "代表大会", "组织", "机关", "支部", "小组", "党组", "党委", "干部", "党员", "分子", "公民", "单位", "团体",
                  "部门", "政府", "法院", "检察院", "基金会", "科协", "员", "者", "人")
# Where the element asked about starts: the subject is everything before the first of these.
PREDICATES = (
    "有哪些", "有什么", "有几", "有多少", "是什么", "是哪", "是谁", "是多少", "是否", "是指", "是怎样", "是如何", "指的是", "指什么",
    "包括", "分为", "由谁", "由哪", "多长", "多久", "多少", "几年", "几个", "几项", "几种", "怎样", "怎么", "如何", "应当", "应该",
    "必须", "需要", "享有", "履行", "每届", "能否", "可以", "可否", "能不能", "在哪", "何时", "什么时候", "为什么", "要", "有",
    "什么", "哪些", "提出", "作出", "规定了", "讲了", "讲的", "说了",
)
# How a question without a subject may start (那由谁选举产生呢？); 如何/怎么 are left out: 那么如何理解两个确立？ is whole.
SUBJECTLESS = ("有哪些", "有什么", "有几", "有多少", "是什么", "是多少", "是谁", "是哪", "由谁", "由哪", "多长", "多久", "几年",
               "需要", "应当", "应该", "必须", "享有", "履行", "每届", "能否", "可以", "是否", "包括", "分为")
DEFINITION_LEADS = ("什么是", "何为", "何谓", "什么叫做", "什么叫", "怎样理解", "如何理解", "怎么理解", "怎样", "如何", "怎么")


@dataclass(frozen=True)
class Resolution:
    question: str  # the question to answer: the follow-up made whole, or the question as asked
    resolved: bool  # True when the question was a follow-up and was rewritten
    note: str = ""  # what the page shows, e.g. “按‘党员有哪些权利’理解”


@dataclass(frozen=True)
class _Parts:
    """The previous question, read as: [document][article] subject [的] element … question mark."""

    text: str
    document: str
    unit: tuple[int, int, str] | None  # (start, end, e.g. "第一条") in text
    subject: tuple[int, int] | None
    aspect: tuple[int, int] | None
    head: int = 0  # where the question's own words start (after 什么是/怎样…), the document included


def resolve_followup(question: str, history: Sequence[str] = ()) -> Resolution:
    """The question to answer: ``question`` itself, or — when it is elliptical — made whole from ``history``.

    ``history`` holds the previous questions, newest last; earlier follow-ups in it are resolved first, so
    that 那预备党员呢？ after 党员有哪些义务？ → 那权利呢？ asks about 预备党员's rights.
    """
    previous = ""
    documents: list[str] = []
    for asked in history:
        asked = asked.strip()
        if not asked:
            continue
        whole = _resolve(asked, previous, documents) or asked
        previous = whole
        documents.extend(_documents(whole))
    if not previous:
        return Resolution(question, False)
    resolved = _resolve(question.strip(), previous, documents)
    if not resolved or _core(resolved) == _core(question):
        return Resolution(question, False)
    return Resolution(resolved, True, f"按‘{_core(resolved)}’理解")


def _core(text: str) -> str:
    return PUNCTUATION.sub("", text).strip()


def _resolve(question: str, previous: str, documents: Sequence[str]) -> str | None:
    """The whole question ``question`` stands for after ``previous``, or None when it is complete as asked."""
    core = _core(question)
    if not core or not previous or len(core) > MAX_FOLLOWUP_CHARS or QUIZ_ITEM.search(question):
        return None
    if MORE.match(core):
        return previous
    pronoun = PRONOUN.match(core)
    if pronoun:
        return _pronoun(pronoun, core, _parts(previous))
    if not TRAILING.search(core) and not LEADING.match(core):
        return None
    named = TRAILING.sub("", LEADING.sub("", core))
    if not named or len(named) > 16:
        return None
    if ASKING.search(named):
        return _subjectless(named, _parts(previous), bool(LEADING.match(core)))
    return _swap(named, _parts(previous), documents)


def _subjectless(rest: str, parts: _Parts, leading: bool) -> str | None:
    """那任期多长呢？/由谁选举产生呢？ — a question without a subject takes the previous one's."""
    if not parts.subject or _documents(rest) or any(name in rest for name in ENTITIES):
        return None
    head = parts.text[parts.head:parts.subject[1]]  # the subject with the document it was asked of (准则对党员…)
    if rest.startswith(ASPECTS) and leading:
        return f"{head}的{rest}？"
    if rest.startswith(SUBJECTLESS):
        return f"{head}{rest}？"
    return None


def _documents(text: str) -> list[str]:
    return [m.group(0) for m in DOCUMENT.finditer(text)]


def _parts(text: str) -> _Parts:
    core = _core(text)
    document = next(iter(_documents(core)), "")
    unit_match = UNIT_REF.search(core)
    unit = (unit_match.start(), unit_match.end(), unit_match.group(0)) if unit_match else None
    start = 0
    for lead in DEFINITION_LEADS:
        if core.startswith(lead):
            start = len(lead)
            break
    head = start
    if document and core.find(document) == start:
        start += len(document)
    if unit and unit[0] == start:
        start = unit[1]
    after_reference = start > 0
    for filler in ("规定", "中", "里", "的", "，", "对"):
        if after_reference and core.startswith(filler, start):
            start += len(filler)
    if unit and start == unit[1]:  # 党章第一条讲的是什么: the article is what the question is about
        return _Parts(core, document, unit, None, _aspect(core, start), head)
    end = _subject_end(core, start)
    subject = (start, end) if end > start else None
    aspect = _aspect(core, end if subject else start)
    return _Parts(core, document, unit, subject, aspect, head)


def _masked(text: str) -> str:
    """``text`` with known entity names blanked out, so a predicate inside one (纪律检查委员会) is not read as one."""
    for name in ENTITIES:
        text = text.replace(name, "＿" * len(name))
    return text


def _subject_end(text: str, start: int) -> int:
    masked = _masked(text)
    cut = len(text)
    for marker in (*PREDICATES, *(f"的{a}" for a in ASPECTS), *ASPECTS):
        at = masked.find(marker, start)
        counted = at > 0 and marker in ASPECTS and text[at - 1] in COUNTED  # 六项纪律: the aspect word heads the subject
        if (at > start and not counted) or (at == start and marker.startswith("的")):
            cut = min(cut, at)
    return cut


def _aspect(text: str, start: int) -> tuple[int, int] | None:
    masked = _masked(text)
    found: tuple[int, int] | None = None
    for word in ASPECTS:
        at = masked.find(word, start)
        if at >= 0 and (found is None or at < found[0] or (at == found[0] and at + len(word) > found[1])):
            found = (at, at + len(word))
    return found


def _is_aspect(name: str) -> bool:
    return name in ASPECTS or (name.endswith(ASPECTS) and not _is_entity(name))


def _is_entity(name: str) -> bool:
    return name in ENTITIES or name.endswith(ENTITY_ENDINGS)


def _replace(text: str, span: tuple[int, int], by: str) -> str:
    return text[: span[0]] + by + text[span[1]:] + "？"


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _swap(named: str, parts: _Parts, documents: Sequence[str]) -> str | None:
    """Put ``named`` in the place of the part of the previous question it stands beside."""
    text = parts.text
    unit_ref = UNIT_REF.fullmatch(named) or NEXT_REF.match(named)
    if unit_ref:
        return _swap_unit(named, parts, documents)
    if DOCUMENT.fullmatch(named) and parts.document:
        at = text.find(parts.document)
        return _replace(text, (at, at + len(parts.document)), named)
    if "的" in named:  # 那预备党员的权利呢？ — both swapped
        who, _, what = named.partition("的")
        first = _swap(who, parts, documents)
        return _swap(what, _parts(first), documents) if first and what else first
    if _is_aspect(named) and not _is_entity(named):
        if parts.aspect:
            return _replace(text, parts.aspect, named)
        if parts.subject:
            return f"{text[parts.subject[0]:parts.subject[1]]}的{named}是什么？"
        return None
    # An entity (or an unknown name): it takes the place of the subject, or of the span it shares an ending with.
    if parts.subject:
        subject = text[parts.subject[0]:parts.subject[1]]
        span = parts.subject
        for name in ENTITIES:
            at = subject.find(name)
            if at >= 0 and _common_suffix(name, named) >= 2 and not subject.endswith(named):
                span = (parts.subject[0] + at, parts.subject[0] + at + len(name))
                break
        return _replace(text, span, named)
    return None


def _swap_unit(named: str, parts: _Parts, documents: Sequence[str]) -> str | None:
    """第二条呢？ / 下一条呢？: the same document's other article."""
    text = parts.text
    step = NEXT_REF.match(named)
    if step:
        if not parts.unit or step.group(2) != parts.unit[2][-1]:
            return None
        current = _number(parts.unit[2][1:-1])
        if current is None:
            return None
        wanted = current + (1 if step.group(1) in "下后" else -1)
        if wanted < 1:
            return None
        named = f"第{_numeral(wanted)}{step.group(2)}"
    if parts.unit:
        return _replace(text, parts.unit[:2], named)
    document = parts.document or (documents[-1] if documents else "")
    if not document:
        return None
    return f"{document}{named}是怎么规定的？"


def _pronoun(match: re.Match[str], core: str, parts: _Parts) -> str | None:
    """它的任期多长？ → the previous subject in the pronoun's place."""
    pronoun, rest = match.group(1), core[match.end():]
    text = parts.text
    subject = text[parts.subject[0]:parts.subject[1]] if parts.subject else ""
    if not rest:
        return None
    named_document = re.match(r"^(?:部|个)?(条例|规定|准则|办法|章程|党章|宪法|文件|法律|法规|法)", rest)
    if named_document and parts.document:
        return f"{parts.document}{rest[named_document.end():]}？"
    noun = re.match(r"^(?:部|个|项|条|些)?([\u4e00-\u9fff]{1,4}?)(?=的|有|是|由|在|应|要|怎|如|多|几|哪|能|可|必|需|什么|包括|分为|每|$)", rest)
    if pronoun in ("该", "此", "本", "这个", "那个", "这一", "这项", "这条", "这些", "那些", "这部") and noun:
        head = noun.group(1)
        tail = rest[noun.end():]
        if subject and head and (subject.endswith(head) or head in ("组织", "机构", "机关", "委员会")):
            return f"{subject}{tail}？"
        if parts.aspect and text[parts.aspect[0]:parts.aspect[1]].endswith(head) and subject:
            return f"{subject}的{text[parts.aspect[0]:parts.aspect[1]]}{tail}？"
        if subject:
            return f"{subject}{head}{tail}？"
        return None
    if not subject:
        return None
    if pronoun == "其":
        return f"{subject}的{rest}？"
    return f"{subject}{rest}？"
