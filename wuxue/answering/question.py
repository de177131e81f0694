"""What a question asks: its kind, its focus term, an asked count, a named article — and pasted quiz forms.

Members ask lists (有哪些/包括哪些/哪几种/“X个Y”), definitions (是什么/指什么), quantities and dates,
actors (由谁), requirements (条件/要求), procedures (程序/步骤/怎样) and yes/no questions (是否/能否);
they also paste items from question banks: a stem with options A–E (单选 or 多选), a blank （ ）/____ to
fill, a 判断 statement. The kind decides how the answer's first line is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wuxue.numerals import NUMERALS
from wuxue.answering.answer_type import expected_type
from wuxue.numerals import chinese_number

KINDS = ("list", "definition", "quantity", "date", "actor", "requirement", "procedure", "yesno",
         "quiz_single", "quiz_multi", "quiz_blank", "quiz_judge", "parts", "other")  # parts: several questions in one
SINGLE_FACT = {"definition", "quantity", "date", "actor", "yesno"}

_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
BLANK = re.compile(r"[（(][\s\u3000_]*[）)]|_{2,}|＿{2,}")
# A. / A、 / A) after a space, punctuation or a character; （A） anywhere, its brackets say enough (（A）200（B）400)
_OPTION = re.compile(r"(?:(?:(?<=^)|(?<=[\s\u3000。？?：:）)；;，,])|(?<=[\u4e00-\u9fff]))([A-E])\s*[.．、:：)）]|[（(]([A-E])[）)])\s*")
_JUDGE_LABEL = r"判断(?:正误|对错|是非)?(?:题)?|是非题"  # 判断题：/判断正误：/是非题： before a statement
_JUDGE_PREFIX = re.compile(rf"^\s*(?:[（(【\[]?\s*(?:{_JUDGE_LABEL})\s*[）)】\]]?\s*[：:.．、]?)")
JUDGE_MARK = r"对/错|对或错|√/×|正确/错误|判断对错|判断正误|对错"  # what a 判断 bank puts in its brackets
_JUDGE_SUFFIX = re.compile(rf"[（(]\s*(?:{JUDGE_MARK})?\s*[）)]\s*$|[（(]\s*(?:{JUDGE_MARK})\s*[）)]")
JUDGE_TAIL = re.compile(rf"[（(]\s*(?:{JUDGE_MARK})?\s*[）)]\s*$")
_MULTI_MARK = re.compile(r"多选|多项选择|不定项")
_SINGLE_MARK = re.compile(r"单选|单项选择")
_QUIZ_PREFIX = re.compile(rf"^\s*[（(【\[]?\s*(?:(?:单选|多选|单项选择|多项选择|不定项选择|填空)(?:题)?|{_JUDGE_LABEL})\s*[）)】\]]?\s*[：:.．、]?\s*")
NEGATIVE = re.compile(r"不属于|不是|不包括|不正确|错误的是|不符合|不应|不得作为|不能作为|除外")
# A statute's own exception copied into a stem (…优先受偿，但是留置权人除外; …的除外) asks for nothing left out.
_STATUTE_EXCEPTION = re.compile(r"但是?[^，。；,;]*除外|[的者]除外")
_NUM = NUMERALS
_COUNT = re.compile(rf"([{_NUM}]{{1,3}}|\d{{1,2}})\s*(?:项|个|种|类|条|方面|大|点|件|部分|化|自信|意识|维护|确立|纪律|制度)")
_ASKED_COUNT = re.compile(rf"哪([{_NUM}]{{1,3}})(?:项|个|种|类|条|方面|点|步)")
_ARTICLE = re.compile(rf"第[{_NUM}百]+条")
_ASIDE = re.compile(r"[（(][^（()）]{3,40}[）)]")  # a bracketed condition; a blank （ ） is shorter
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,20})[”\"」]")

_LIST = re.compile(r"有哪些|包括哪些|包含哪些|哪些方面|哪些内容|哪些情形|哪些情况|哪些要求|哪些原则|哪些任务|哪些义务|哪些权利|"
                   r"哪几|哪[二三四五六七八九十两]{1,2}[项个种类条点化大步]|分为|分成|几个方面|哪些|主要有|都有什么")
_ACTOR = re.compile(r"由谁|谁来|是谁|哪个机关|哪一级|哪级|什么机关|哪个组织|哪个部门|哪个党组织|什么组织|哪一机关|谁")
_YESNO = re.compile(r"是否|能否|可否|能不能|可不可以|会不会|是不是|有没有|吗[？?]?$")
_PROCEDURE = re.compile(r"程序|步骤|流程|怎样|如何|怎么|手续|环节")
_REQUIREMENT = re.compile(r"条件|要求|资格|标准|应当具备|必须具备|具备什么|"
                          r"什么情况|什么情形|哪种情况|哪种情形|(?:^|[，,])什么样的")  # the cases in which a rule applies
_DEFINITION = re.compile(r"是什么|指什么|什么是|指的是|含义|内涵|何谓|是指|什么叫|意思|定义")
GENERIC = re.compile(r"内容|方面|情形|情况|问题|要求|特点|措施|规定|东西|形式|方式|种类|类型|事项|环节|步骤|程序|流程|部分|条件")
# the words that ask (哪一天, 多少, 什么): never in the text that answers, so never evidence either way
ASKING_WORD = re.compile(r"哪?一天|哪天|哪一年|哪年|什么|什么样|什么时候|多少|多长|多久|哪些|哪个|哪里|怎么|怎样|怎么办|如何|是否|能否|为什么|谁")
_QUESTION_WORDS = re.compile(r"(?:请问|^请|一下|呢|吗|？|\?|。|！)")  # “申请” keeps its 请


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    stem: str  # the question without quiz labels and options (blanks kept)
    focus: str = ""  # the term asked about (义务, 四个意识, 党的基层组织的基本任务)
    count: int | None = None  # an asked or named count (哪六项 → 6, “四个意识” → 4)
    article: str = ""  # a named article (第四十条)
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text) of a pasted choice item
    negative: bool = False  # 下列不属于… : the option that is not in the text
    blanks: int = 0

    @property
    def is_quiz(self) -> bool:
        return self.kind.startswith("quiz_")

    @property
    def single_fact(self) -> bool:
        return self.kind in SINGLE_FACT

    @property
    def focus_chars(self) -> str:
        """The focus term's Chinese characters only (“四个意识” → 四个意识): what texts are matched against."""
        return _NOT_CJK.sub("", self.focus)

    @property
    def focus_head(self) -> str:
        """The focus term's head word, its last two characters (党的基层组织的基本任务 → 任务)."""
        return self.focus_chars[-2:]

    @property
    def search_text(self) -> str:
        """What retrieval should search: the stem without blanks and quiz labels, plus the options of a 多选 item."""
        stem = BLANK.sub("", self.stem)
        stem = _JUDGE_SUFFIX.sub("", stem).strip()
        if self.kind == "quiz_multi" or (self.kind == "quiz_single" and not BLANK.search(self.stem)):
            stem = stem + " " + " ".join(text for _, text in self.options)
        return stem.strip() or self.text


def split_options(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The stem and the (letter, text) options A, B, C… in order (at least A and B), or (text, [])."""
    marks = [m for m in _OPTION.finditer(text)]
    chosen: list[re.Match[str]] = []
    expected = "A"
    for mark in marks:
        if (mark.group(1) or mark.group(2)) == expected:
            chosen.append(mark)
            expected = chr(ord(expected) + 1)
    if len(chosen) < 2:
        return text, []
    options = []
    for index, mark in enumerate(chosen):
        end = chosen[index + 1].start() if index + 1 < len(chosen) else len(text)
        options.append((mark.group(1) or mark.group(2), text[mark.end():end].strip(" \u3000\n；;，,。")))
    return text[: chosen[0].start()].strip(), options


def _focus(stem: str) -> str:
    quoted = _QUOTED.search(stem)
    if quoted:
        return quoted.group(1)
    body = _QUESTION_WORDS.sub("", BLANK.sub("", stem))
    body = re.sub(r"^(?:什么是|什么叫|何谓|何为)", "", body)
    after = re.search(r"(?:有哪些|包括哪些|哪几[项个种类条点]|哪些)(.{1,12})$", body)
    if after and after.group(1).strip() and not GENERIC.fullmatch(after.group(1).strip()):
        return after.group(1).strip()
    before = re.match(r"(.{2,30}?)(?:是什么|指什么|指的是|包括|有哪些|有什么|是指|分为|的含义|的内涵|主要有|是哪|由谁|是否|能否|哪些|有哪几|哪几|指哪|有哪|哪[一二三四五六七八九十两])", body)
    if before:
        return before.group(1)
    return body[:20]


def _count(stem: str) -> int | None:
    for pattern in (_ASKED_COUNT, _COUNT):
        for match in pattern.finditer(stem):
            value = chinese_number(match.group(1))
            if match.group(0).endswith("大") and value and value > 10:
                continue  # 十九大, 二十大: a congress, not twenty great things
            if value and value >= 2:
                return value
    return None


def _plain_kind(stem: str) -> str:
    quoted = _QUOTED.search(stem)
    if _LIST.search(stem) or (quoted and _count(quoted.group(1)) and _DEFINITION.search(stem)):
        return "list"
    answer_type = expected_type(stem)
    if answer_type is not None:
        return "date" if answer_type.name in ("date", "when") else "quantity"
    if _ACTOR.search(stem):
        return "actor"
    if _YESNO.search(stem):
        return "yesno"
    if _PROCEDURE.search(stem) and not re.search(r"定义|含义|内涵", stem):
        return "procedure"
    if re.search(r"指(?:的是)?什么(?:情况|情形|意思)", stem):
        return "definition"  # “不当得利…到底是指什么情况”: what the term means, not the cases a rule applies in
    if _REQUIREMENT.search(stem):
        return "requirement"
    if _DEFINITION.search(stem):
        return "definition"
    return "other"


_ASKING_FRAME = re.compile(r"下列|以下|哪|的是|的有|说法|选项|表述|" + BLANK.pattern)
CLAUSE_END = re.compile(r"[，,。；;：:！？!?]")  # where a clause of a question or a passage ends


def _asks_negatively(stem: str) -> bool:
    """A 下列不属于…的是 stem: the negation sits in the clause that asks (or closes the stem), not in statute words the
    stem copies (“履行债务不符合约定的，应当（ ）返还定金” asks for the stated option). “（死者生前不是集体所有制组织成员）”
    asks nothing negative, nor does “但是法律另有规定的除外”; an excepted option (“警告除外”) is asked against."""
    plain = _STATUTE_EXCEPTION.sub("", _ASIDE.sub("", stem))
    if "除外" in plain:
        return True
    clauses = [clause for clause in CLAUSE_END.split(plain) if clause.strip()]
    return any(NEGATIVE.search(clause) and (_ASKING_FRAME.search(clause) or index == len(clauses) - 1)
               for index, clause in enumerate(clauses))


def analyze(question: str) -> Question:
    """Classify a question or a pasted quiz item; keep its focus term, count and named article."""
    text = question.strip()
    marked_multi = bool(_MULTI_MARK.search(text[:12]))
    marked_single = bool(_SINGLE_MARK.search(text[:12]))
    judge_prefix = bool(_JUDGE_PREFIX.match(text))
    body = _QUIZ_PREFIX.sub("", text)
    stem, options = split_options(body)
    asked_verdict = _JUDGE_ASK.search(stem) if not options else None
    if asked_verdict and _is_statement(stem[:asked_verdict.start()]):  # “……，对吗？” / “……判断对错”: the claim alone
        stem, judge_prefix = stem[:asked_verdict.start()].rstrip("，, ") + "。", True
    article = (_ARTICLE.search(stem).group(0) if _ARTICLE.search(stem) else "")  # type: ignore[union-attr]
    negative = _asks_negatively(stem)
    blanks = len(BLANK.findall(stem))
    if options:
        multi = marked_multi or (not marked_single and _looks_multi(stem))
        kind = "quiz_multi" if multi else "quiz_single"
        if not multi and not blanks:
            stem = _slot_as_blank(stem)
    elif judge_prefix or _is_judge(stem) or _is_claim(stem):
        kind = "quiz_judge"
    elif blanks:
        kind = "quiz_blank"
    else:
        kind = _plain_kind(stem)
    return Question(text=question, kind=kind, stem=stem, focus=_focus(stem), count=_count(stem), article=article,
                    options=options, negative=negative, blanks=blanks)


# The asked slot of a choice stem written as a question (未经谁同意，出租人不得变更…？ 由什么机关批准？): the option
# stands where the question word does, as in a stem with a blank.
_SLOT = re.compile(r"谁|什么(?:机关|部门|组织|单位|机构|人员)|(?<!下列)(?<!以下)哪一?(?:种|类|个)(?:共有|机关|部门|组织|单位|机构|人员|责任|原则|方式)?"
                   r"(?![是选说正错])|(?<!下列)(?<!以下)哪一?(?:日|天)")  # not 哪个是正确的 / 哪个选项: those ask about the options


def _slot_as_blank(stem: str) -> str:
    """The stem with its one question word made a blank (“未经（ ）同意”), else unchanged."""
    if len(_SLOT.findall(stem)) != 1:
        return stem
    return _SLOT.sub("（ ）", stem).rstrip("？? ")


def _looks_multi(stem: str) -> bool:
    """Without a 多选 label: “包括/有哪些/属于…的有” stems ask for every matching option."""
    return bool(re.search(r"包括|哪些|的有[（(：:]|主要有|分为|有[（(][\s\u3000]*[）)][。.]?\s*$", stem))  # …的文件有（ ）, …的有：


# question words anywhere; asking verbs (介绍, 说明, 解释…) only where they open the message, since statements use
# them too (入党介绍人, 向党组织说明, 由中央组织部负责解释, 请求返还, 任何)
QUESTION_WORD = r"什么|哪|吗|呢|多少|多长|多久|几(?!乎)|怎|如何|为何|为什么|是否|能否|可否|谁|(?<!任)何"
ASKS = re.compile(QUESTION_WORD)  # a clause or message that asks something (the one regex for it)
_ASKING = re.compile(QUESTION_WORD + r"|^\s*(?:请|介绍|说明|解释|列举|简述|概括|谈谈|讲讲)")


def _is_claim(stem: str) -> bool:
    """A statement pasted from a 判断 bank without its （ ）: a whole sentence closed by 。 with no question word
    (“党员受到警告处分一年内，不得在党内提拔职务。”) — what a member wants to hear is whether it is right."""
    stripped = stem.strip()
    return (stripped.endswith(("。", "．")) and not re.search(r"[？?]", stripped) and not _ASKING.search(stripped)
            and not BLANK.search(stripped)
            and len(re.findall(r"[\u4e00-\u9fff]", stripped)) >= 10)


# a verdict asked for in words after the statement, without brackets
_JUDGE_ASK = re.compile(r"[，,。.\s]*(?:请)?(?:判断对错|判断正误|判断是否正确|对吗|对不对|是否正确|正确吗|对还是错)[？?。.！!]?\s*$")
MIN_CLAIM_CHARS = 6


def _is_statement(text: str) -> bool:
    """What stands before “对吗” states something: long enough, and asks nothing itself."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= MIN_CLAIM_CHARS and not ASKS.search(text)


def _is_judge(stem: str) -> bool:
    """A statement closed by （ ）/（对/错） after its sentence end, with no question word."""
    stripped = stem.strip()
    if re.search(rf"[（(]\s*(?:{JUDGE_MARK})\s*[）)]", stripped):
        return True
    match = re.search(r"([。！.!])\s*[（(][\s\u3000]*[）)]\s*$", stripped)
    return bool(match) and len(BLANK.findall(stripped)) == 1
