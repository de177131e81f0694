"""Each export format opened back by its reader (python-docx, openpyxl, and GIFT/Aiken parsers written here)."""

from __future__ import annotations

import io
import itertools
import json
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from wuxue.errors import AnswerModeError, ExportFormatError
from wuxue.quiz.export import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    export_quiz,
    skipped,
)

NASTY_STEM = '根据《关于"三会一课"的规定{试行}》，党费:按月~交纳=100#元\\每季度\n（　）召开一次。'


def citation(quote: str, *, section: str = "第一章 党员 › 第七条", page: int | None = 3) -> dict:
    return {"doc_id": "dangzhang", "title": "中国共产党章程", "section": section, "page": page,
            "chunk_id": "c1", "char_start": 10, "char_end": 10 + len(quote), "quote": quote}


def option_list(*texts: str) -> list[dict]:
    return [{"key": "ABCDE"[index], "text": text} for index, text in enumerate(texts)]


ITEMS = [
    {"id": "s1", "type": "single", "stem": NASTY_STEM,
     "options": option_list("每月", "=SUM(A1:A9)", "每年{一次}", "每季度~一次"),
     "answer": {"keys": ["B"], "texts": ["=SUM(A1:A9)"]},
     "explanation": "原文：支部党员大会一般\n【每季度】召开一次。", "citation": citation("支部党员大会一般每季度召开一次\x07。"),
     "difficulty": "medium", "knowledge_point": "三会一课", "generator": {"method": "cloze_enum"}, "checks": {"grounded": True}},
    {"id": "m1", "type": "multi", "stem": "根据《中国共产党章程》，下列属于“四个意识”的有（　）。",
     "options": option_list("政治意识", "创新意识", "大局意识", "服务意识", "看齐意识"),
     "answer": {"keys": ["A", "C", "E"], "texts": ["政治意识", "大局意识", "看齐意识"]},
     "explanation": "原文：增强【政治意识】、【大局意识】、核心意识、【看齐意识】。",
     "citation": citation("增强政治意识、大局意识、核心意识、看齐意识", page=None),
     "difficulty": "hard", "knowledge_point": "四个意识", "generator": {}, "checks": {}},
    {"id": "b1", "type": "blank", "stem": "根据《中国共产党章程》，党员要坚定（　　）和（　　）。",
     "options": [], "answer": {"keys": [], "texts": ["理想信念", "宗旨意识"], "any_order": True},
     "explanation": "原文：坚定【理想信念】和【宗旨意识】。", "citation": citation("坚定理想信念和宗旨意识。"),
     "difficulty": "easy", "knowledge_point": "理想信念", "generator": {}, "checks": {}},
    {"id": "b2", "type": "blank", "stem": "根据《中国共产党章程》，预备党员的预备期为____________。",
     "options": [], "answer": {"keys": [], "texts": ["一年"]},
     "explanation": "", "citation": citation("预备党员的预备期为一年。"),
     "difficulty": "medium", "knowledge_point": "预备期", "generator": {}, "checks": {}},
    {"id": "j1", "type": "judge", "stem": "党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
     "options": option_list("正确", "错误"), "answer": {"keys": ["A"], "texts": ["正确"]},
     "explanation": "原文：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
     "citation": citation("党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。"),
     "difficulty": "medium", "knowledge_point": "最高领导机关", "generator": {}, "checks": {}},
    {"id": "j2", "type": "judge", "stem": "党的全国代表大会每十年举行一次。",
     "options": option_list("正确", "错误"), "answer": {"keys": ["B"], "texts": ["错误"]},
     "explanation": "原文：党的全国代表大会每【五】年举行一次。（题干将“五”改成了“十”）", "citation": citation("党的全国代表大会每五年举行一次。"),
     "difficulty": "medium", "knowledge_point": "全国代表大会", "generator": {}, "checks": {}},
]
# Texts that only an answer part may show (blank fillers and quotes not repeated in any stem or option).
ANSWER_ONLY = ["理想信念", "宗旨意识", "一年", "改成了", "【", "出题依据", "答案："]


def export(fmt: str, answers: str = "end", items=ITEMS, title: str = "测试卷：第{1}期") -> bytes:
    return export_quiz(items, fmt, answers=answers, title=title)


# ---------------------------------------------------------------- JSON

def test_json_round_trips_the_records_as_readable_utf8():
    data = export("json")
    assert "根据《中国共产党章程》".encode() in data  # not \u-escaped
    document = json.loads(data)
    assert document["title"] == "测试卷：第{1}期"
    assert document["items"] == ITEMS
    assert "title" not in json.loads(export("json", title=""))


# ---------------------------------------------------------------- Word

def docx_paragraphs(data: bytes) -> list[str]:
    return [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]


def numbered(paragraphs: list[str]) -> list[int]:
    return [int(match.group(1)) for text in paragraphs if (match := re.match(r"^(\d+)\. (?!答案)", text))]


def test_word_questions_only_has_no_answers():
    paragraphs = docx_paragraphs(export("docx", "none"))
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "测试卷：第{1}期"
    assert [p for p in paragraphs if re.match("^[一二三四]、", p)] == ["一、单选题（共1题）", "二、多选题（共1题）", "三、填空题（共2题）", "四、判断题（共2题）"]
    assert numbered(paragraphs) == [1, 2, 3, 4, 5, 6]
    for secret in ANSWER_ONLY:
        assert secret not in text
    assert "E. 看齐意识" in paragraphs


def test_word_blanks_have_one_fixed_length():
    paragraphs = docx_paragraphs(export("docx", "none"))
    two_blanks = next(p for p in paragraphs if p.startswith("3. "))
    one_blank = next(p for p in paragraphs if p.startswith("4. "))
    assert two_blanks == "3. 根据《中国共产党章程》，党员要坚定＿＿＿＿＿＿和＿＿＿＿＿＿。"
    assert one_blank == "4. 根据《中国共产党章程》，预备党员的预备期为＿＿＿＿＿＿。"
    judge = next(p for p in paragraphs if p.startswith("5. "))
    assert judge.endswith("中央委员会。（　）")


def test_word_inline_puts_answer_and_basis_after_each_question():
    paragraphs = docx_paragraphs(export("docx", "inline"))
    answers = [i for i, p in enumerate(paragraphs) if p.startswith("答案：")]
    questions = [i for i, p in enumerate(paragraphs) if re.match(r"^\d+\. ", p)]
    assert len(answers) == len(questions) == 6
    for question, answer, following in zip(questions, answers, questions[1:] + [len(paragraphs)]):
        assert question < answer < following
    recovered = [paragraphs[i] for i in answers]
    assert recovered == ["答案：B（=SUM(A1:A9)）", "答案：ACE（政治意识、大局意识、看齐意识）", "答案：理想信念；宗旨意识（顺序不限）",
                         "答案：一年", "答案：正确", "答案：错误"]
    bases = [p for p in paragraphs if p.startswith("出题依据：")]
    assert bases[0] == "出题依据：《中国共产党章程》 › 第一章 党员 › 第七条，第3页。原文：支部党员大会一般\n【每季度】召开一次。"
    assert bases[1] == "出题依据：《中国共产党章程》 › 第一章 党员 › 第七条。原文：增强【政治意识】、【大局意识】、核心意识、【看齐意识】。"  # no page
    assert bases[3] == "出题依据：《中国共产党章程》 › 第一章 党员 › 第七条，第3页。原文：“预备党员的预备期为一年。”"  # no explanation: the quote
    assert bases[5].endswith("每【五】年举行一次。（题干将“五”改成了“十”）")
    assert "参考答案与出题依据" not in paragraphs


def test_word_end_puts_all_answers_after_the_questions_with_the_answer_marked():
    data = export("docx", "end")
    paragraphs = docx_paragraphs(data)
    key = paragraphs.index("参考答案与出题依据")
    assert max(i for i, p in enumerate(paragraphs) if re.match(r"^\d+\. (?!答案)", p)) < key
    assert [p for p in paragraphs[key:] if re.match(r"^\d+\. 答案：", p)] == [
        "1. 答案：B（=SUM(A1:A9)）", "2. 答案：ACE（政治意识、大局意识、看齐意识）", "3. 答案：理想信念；宗旨意识（顺序不限）",
        "4. 答案：一年", "5. 答案：正确", "6. 答案：错误"]
    document = Document(io.BytesIO(data))

    def red(fragment):
        basis = next(p for p in document.paragraphs if p.text.startswith("出题依据：") and fragment in p.text)
        return [run.text for run in basis.runs if run.bold and run.font.color.rgb is not None and str(run.font.color.rgb) == "C00000"]

    assert red("理想信念") == ["【理想信念】", "【宗旨意识】"]  # the explanation's marks
    assert red("预备期") == ["一年"]  # no explanation: the answer marked in the quote


def test_word_modes_differ():
    none, inline, end = (docx_paragraphs(export("docx", mode)) for mode in ("none", "inline", "end"))
    assert len(none) < len(inline) < len(end)
    assert set(none) < set(inline)


# ---------------------------------------------------------------- Excel

def xlsx_rows(data: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def test_excel_header_and_answers():
    rows = xlsx_rows(export("xlsx"))
    assert rows[0] == ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "解析", "难度", "知识点", "出处"]
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [row["题型"] for row in body] == ["单选题", "多选题", "填空题", "填空题", "判断题", "判断题"]
    assert [row["答案"] for row in body] == ["B", "ACE", "理想信念；宗旨意识", "一年", "正确", "错误"]
    assert body[0]["题干"] == NASTY_STEM and body[0]["选项B"] == "'=SUM(A1:A9)"  # text with an apostrophe, never a formula
    assert body[1]["选项E"] == "看齐意识" and body[0]["选项E"] is None
    assert body[2]["题干"] == "根据《中国共产党章程》，党员要坚定____和____。"
    assert body[4]["选项A"] is None  # 判断 carries no options
    assert [row["难度"] for row in body] == ["中等", "困难", "简单", "中等", "中等", "中等"]
    assert body[0]["出处"].startswith("《中国共产党章程》 › 第一章 党员 › 第七条，第3页：“支部党员大会一般每季度召开一次。”")
    assert body[0]["解析"] == "原文：支部党员大会一般\n【每季度】召开一次。"
    assert load_workbook(io.BytesIO(export("xlsx"))).active.title == "测试卷：第{1}期"
    assert load_workbook(io.BytesIO(export("xlsx", title="2024/1:[党章]*?"))).active.title == "20241党章"  # Excel refuses /:[]*?


def test_excel_without_answers_leaves_answer_columns_empty():
    rows = xlsx_rows(export("xlsx", "none"))
    assert all(row[7] is None and row[8] is None for row in rows[1:])
    assert [row[10] for row in rows[1:]] == ["三会一课", "四个意识", "理想信念", "预备期", "最高领导机关", "全国代表大会"]


# ---------------------------------------------------------------- plain text

def parse_txt(text: str) -> dict[int, dict]:
    """The import convention: ``N. 题干``, ``A. 选项``, ``答案：``, ``解析：``; answers may follow in a 参考答案 part."""
    questions: dict[int, dict] = {}
    current: dict | None = None
    for line in text.splitlines():
        if match := re.match(r"^(\d+)\. (答案：.*)$", line):
            current = questions[int(match.group(1))]
            line = match.group(2)
        elif match := re.match(r"^(\d+)\. (.*)$", line):
            current = questions.setdefault(int(match.group(1)), {"stem": match.group(2), "options": {}})
            continue
        if current is None:
            continue
        if match := re.match(r"^([A-E])\. (.*)$", line):
            current["options"][match.group(1)] = match.group(2)
        elif line.startswith("答案："):
            current["answer"] = line[3:]
        elif line.startswith("解析："):
            current["explanation"] = line[3:]
    return questions


def test_plain_text_inline_is_the_import_format():
    text = export("txt", "inline").decode("utf-8")
    questions = parse_txt(text)
    assert [questions[n]["answer"] for n in range(1, 7)] == ["B", "ACE", "理想信念；宗旨意识", "一年", "正确", "错误"]
    assert questions[1]["stem"] == NASTY_STEM.replace("\n", " ")
    assert questions[1]["options"] == {"A": "每月", "B": "=SUM(A1:A9)", "C": "每年{一次}", "D": "每季度~一次"}
    assert questions[3]["stem"] == "根据《中国共产党章程》，党员要坚定____和____。"
    assert questions[4]["stem"].endswith("预备期为____。")
    assert questions[5]["options"] == {}
    assert questions[2]["explanation"] == "原文：增强【政治意识】、【大局意识】、核心意识、【看齐意识】。（出处：《中国共产党章程》 › 第一章 党员 › 第七条）"
    assert questions[4]["explanation"] == "出处：《中国共产党章程》 › 第一章 党员 › 第七条，第3页：“预备党员的预备期为一年。”"
    assert "参考答案" not in text


def test_plain_text_modes():
    none = export("txt", "none").decode("utf-8")
    assert "答案：" not in none and "解析：" not in none and len(parse_txt(none)) == 6
    end = export("txt", "end").decode("utf-8")
    head, _ = end.split("\n参考答案\n")
    assert "答案：" not in head and len(parse_txt(head)) == 6
    assert [parse_txt(end)[n]["answer"] for n in range(1, 7)] == ["B", "ACE", "理想信念；宗旨意识", "一年", "正确", "错误"]


# ---------------------------------------------------------------- GIFT

def gift_unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append("\n" if nxt == "n" else nxt)
        else:
            out.append(char)
    return "".join(out)


def unescaped_positions(text: str, chars: str) -> list[int]:
    positions, index = [], 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in chars:
            positions.append(index)
        index += 1
    return positions


def parse_gift(text: str) -> list[dict]:
    questions = []
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.startswith("//")]
        block = "\n".join(lines).strip()
        if not block:
            continue
        match = re.match(r"^::(.*?)(?<!\\)::\s*", block)
        assert match, block
        title, body = gift_unescape(match.group(1)), block[match.end():]
        braces = unescaped_positions(body, "{}")
        assert len(braces) == 2, body
        before, inside, after = body[:braces[0]], body[braces[0] + 1:braces[1]], body[braces[1] + 1:]
        feedback = ""
        for p in unescaped_positions(inside, "#"):
            if inside[p:p + 4] == "####":
                inside, feedback = inside[:p], gift_unescape(inside[p + 4:])
                break
        question = {"title": title, "before": gift_unescape(before.strip()), "after": gift_unescape(after.strip()), "feedback": feedback}
        if inside.strip() in {"TRUE", "FALSE", "T", "F"}:
            question.update(kind="truefalse", truth=inside.strip() in {"TRUE", "T"})
        else:
            starts = unescaped_positions(inside, "=~")
            answers = []
            for start, end in zip(starts, starts[1:] + [len(inside)]):
                raw = inside[start + 1:end].strip()
                weight = 100.0 if inside[start] == "=" else 0.0
                if weight_match := re.match(r"^%(-?[\d.]+)%", raw):
                    weight, raw = float(weight_match.group(1)), raw[weight_match.end():]
                answers.append((gift_unescape(raw), weight, inside[start]))
            only_right = all(sign == "=" for _, _, sign in answers)
            question.update(kind="shortanswer" if only_right else "choice", answers=answers)
        questions.append(question)
    return questions


def test_gift_round_trips_every_type_and_escapes_special_characters():
    text = export("gift").decode("utf-8")
    assert text.startswith("// 测试卷：第{1}期\n")
    assert "\\~交纳\\=100\\#元\\\\每季度" in text and "\\{试行\\}" in text and "党费\\:按月" in text
    questions = {q["title"]: q for q in parse_gift(text)}
    assert list(questions) == ["s1", "m1", "b1", "b2", "j1", "j2"]

    single = questions["s1"]
    assert single["before"] == NASTY_STEM  # newline, quotes and every special character survive
    assert [(t, w) for t, w, _ in single["answers"]] == [("每月", 0), ("=SUM(A1:A9)", 100), ("每年{一次}", 0), ("每季度~一次", 0)]
    assert single["feedback"] == "原文：支部党员大会一般\n【每季度】召开一次。"

    multi = questions["m1"]
    weights = {t: w for t, w, _ in multi["answers"]}
    assert sum(w for w in weights.values() if w > 0) == pytest.approx(100, abs=0.01)
    assert {t for t, w in weights.items() if w > 0} == {"政治意识", "大局意识", "看齐意识"}
    assert {w for t, w in weights.items() if w <= 0} == {-100}

    two_blanks = questions["b1"]
    assert two_blanks["kind"] == "shortanswer"
    accepted = {t for t, _, _ in two_blanks["answers"]}
    assert accepted == {"理想信念、宗旨意识", "宗旨意识、理想信念"}  # any order
    assert two_blanks["before"] == "根据《中国共产党章程》，党员要坚定＿＿＿＿和＿＿＿＿。"
    one_blank = questions["b2"]
    assert one_blank["before"] == "根据《中国共产党章程》，预备党员的预备期为" and one_blank["after"] == "。"
    assert [t for t, _, _ in one_blank["answers"]] == ["一年"]

    assert questions["j1"]["truth"] is True and questions["j2"]["truth"] is False
    assert questions["j2"]["feedback"] == "原文：党的全国代表大会每【五】年举行一次。（题干将“五”改成了“十”）"
    assert questions["b2"]["feedback"] == ""


def test_gift_orders_long_any_order_lists_without_permuting():
    item = {**ITEMS[2], "id": "b5", "answer": {"keys": [], "texts": list("甲乙丙丁戊"), "any_order": True}}
    question = parse_gift(export("gift", items=[item]).decode("utf-8"))[0]
    assert [t for t, _, _ in question["answers"]] == ["甲、乙、丙、丁、戊"]
    small = {**item, "answer": {"keys": [], "texts": list("甲乙丙"), "any_order": True}}
    accepted = {t for t, _, _ in parse_gift(export("gift", items=[small]).decode("utf-8"))[0]["answers"]}
    assert accepted == {"、".join(order) for order in itertools.permutations("甲乙丙")}


# ---------------------------------------------------------------- Aiken

def parse_aiken(text: str) -> list[dict]:
    questions = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        options = {}
        for line in lines[1:-1]:
            match = re.match(r"^([A-Z])[.)] (.+)$", line)
            assert match, line
            options[match.group(1)] = match.group(2)
        answer = re.match(r"^ANSWER: ([A-Z])$", lines[-1])
        assert answer and answer.group(1) in options, block
        questions.append({"stem": lines[0], "options": options, "answer": answer.group(1)})
    return questions


def test_aiken_writes_single_and_judge_and_skips_the_rest():
    questions = parse_aiken(export("aiken").decode("utf-8"))
    assert len(questions) == 3 and skipped(ITEMS, "aiken") == 3 and skipped(ITEMS, "gift") == 0
    single, true, false = questions
    assert single["stem"] == NASTY_STEM.replace("\n", " ")
    assert single["options"]["B"] == "=SUM(A1:A9)" and single["answer"] == "B"
    assert true["options"] == {"A": "正确", "B": "错误"} and true["answer"] == "A"
    assert false["answer"] == "B"
    assert export("aiken", items=[ITEMS[1], ITEMS[2]]) == b""


# ---------------------------------------------------------------- contract

def test_every_format_has_a_media_type_and_extension_and_bad_arguments_are_refused():
    assert set(MEDIA_TYPES) == set(EXTENSIONS) == set(FORMATS)
    for fmt in FORMATS:
        assert isinstance(export_quiz([], fmt, answers="none"), bytes)
    with pytest.raises(ExportFormatError) as error:
        export_quiz(ITEMS, "pdf")
    assert error.value.code == "unknown_export_format" and "pdf" in error.value.message
    with pytest.raises(AnswerModeError) as error:
        export_quiz(ITEMS, "docx", answers="after")
    assert error.value.code == "invalid_answers_mode"


# ---------------------------------------------------------------- issue 13 / issue 11 item 14

def test_word_is_a4_with_name_unit_and_score_lines():
    for mode in ("none", "inline", "end"):
        document = Document(io.BytesIO(export("docx", mode)))
        for section in document.sections:
            assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        head = [p.text for p in document.paragraphs[:4]]
        line = next(t for t in head if "姓名" in t)
        assert re.search(r"姓名：＿+\s+单位：＿+\s+得分：＿+", line), line


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"])
def test_excel_cells_that_start_like_a_formula_stay_text_after_a_csv_round_trip(dangerous):
    item = {**ITEMS[0], "stem": dangerous + "（　）。", "options": option_list("每月", dangerous, "每年", "每季度"),
            "answer": {"keys": ["B"], "texts": [dangerous]}, "knowledge_point": dangerous}
    rows = xlsx_rows(export("xlsx", items=[item]))
    cells = [c for c in rows[1] if isinstance(c, str)]
    starts = [c for c in cells if c.lstrip("'").startswith(dangerous[:1])]
    assert starts and all(c.startswith("'") for c in starts)
    # what a re-save as CSV writes is the cell text: it starts with ', never with = + - @
    import csv
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    for row in csv.reader(io.StringIO(buffer.getvalue())):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in row)
    assert [c for c in rows[1] if c == "每月"]  # ordinary cells are left alone
