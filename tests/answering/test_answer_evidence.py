"""What an answer quotes and the signals the refusal reads: answer kinds, definitions, restatements, lists."""

from __future__ import annotations

import shutil

import pytest

from wuxue.answering import ask
from wuxue.answering.answer_type import expected_type, holds_answer
from wuxue.answering.evidence import answer_scores, asked_role, new_content, supporting_span
from wuxue.answering.refusal import FEATURES, RefusalModel, features
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.index.store import StoredChunk
from wuxue.index.embedders import HashingEmbedder
from wuxue.ingest.sentences import sentence_spans
from wuxue.knowledge_base import KnowledgeBase

from tests.conftest import CORPUS

ALWAYS = RefusalModel.always_answer()


@pytest.mark.parametrize(("question", "kind"), [
    ("全国学会的理事长任职年龄一般不超过多少岁？", "age"),
    ("差额比例不得少于百分之多少？", "percent"),
    ("全国人大全体会议多久开一次？", "frequency"),
    ("党支部书记每年至少要讲几次党课？", "frequency"),
    ("党员的党龄从哪一天开始计算？", "date"),
    ("这台电脑的所有权从什么时候起归我？", "when"),
    ("领导干部个人有关事项每年集中报告的截止时间是什么时候？", "date"),  # a calendar deadline
    ("预备党员的预备期是多长时间？", "duration"),
    ("中央纪委全体会议要有多少委员到会才能召开？", "number"),
    ("设立基金会，原始基金最低要多少钱？", "money"),
    ("全国代表会议增选中央委员的数额不能超过多少？", "number"),  # a count, not a sum of money
    ("党的纪律主要有哪几类？", None),  # a list, not a number
    ("什么是民主集中制？", None),
])
def test_expected_answer_kind(question, kind):
    found = expected_type(question)
    assert (found.name if found else None) == kind


def test_sentences_hold_an_answer_of_the_asked_kind():
    assert holds_answer(expected_type("多少岁？"), "年满四十五周岁的")
    assert not holds_answer(expected_type("多少岁？"), "由全国人民代表大会选举")
    assert holds_answer(expected_type("哪一天施行？"), "本条例自2024年1月1日起施行")
    assert holds_answer(expected_type("从哪一天算起？"), "从预备期满转为正式党员之日算起")
    assert not holds_answer(expected_type("哪一天？"), "每年举行一次")  # a frequency is not a date
    assert holds_answer(expected_type("多久开一次？"), "每年举行一次")
    assert not holds_answer(None, "2024年")
    # “什么时候” is answered by the event a right dates from as well as by a date
    assert holds_answer(expected_type("所有权从什么时候起归我？"), "动产物权的设立和转让，自交付时发生效力")
    assert holds_answer(expected_type("何时不得转让？"), "研究开发人不得在向委托人交付研究开发成果之前转让")
    assert holds_answer(expected_type("什么时候施行？"), "本法自2021年1月1日起施行")
    assert not holds_answer(expected_type("什么时候生效？"), "合同应当采用书面形式")
    assert not holds_answer(expected_type("哪一天生效？"), "自交付时发生效力")  # a calendar question wants a date
    assert holds_answer(expected_type("多少元？"), "全国性的分会有10万元以上活动资金")
    assert not holds_answer(expected_type("多少元？"), "实行劳动性所得统一征税")  # 一 of 统一 is no sum


def _spans(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text)


def test_answer_scores_reward_the_asked_kind_and_definitions():
    text = "全国人民代表大会代表选举主席。有选举权和被选举权的年满四十五周岁的中国公民可以被选为主席。"
    spans = _spans(text)
    scores = answer_scores("当选国家主席在年龄上有什么要求？", ["当选", "主席", "年龄", "要求"], [], text, spans)
    assert scores[1] > scores[0]
    text = "国家鼓励设立民办非企业单位。本条例所称民办非企业单位，是指从事非营利性社会服务活动的社会组织。"
    scores = answer_scores("什么是民办非企业单位？", ["民办非企业单位"], [], text, _spans(text))
    assert scores[1] > scores[0]


def test_a_restatement_of_the_question_is_quoted_with_the_sentence_that_answers():
    text = "坚持“三会一课”制度。党员必须参加党员大会、党小组会和上党课。其他内容。"
    spans = _spans(text)
    assert new_content(text[spans[0][0]:spans[0][1]], ["三会一课"], ["三会", "会一", "一课"]) < 8
    start, end, _ = supporting_span(text, spans, [2.0, 0.5, 0.0], tokens=["三会一课"], bigrams=["三会", "会一", "一课"])
    assert text[start:end] == "坚持“三会一课”制度。党员必须参加党员大会、党小组会和上党课。"


def test_a_short_sentence_holding_the_asked_kind_is_not_grown():
    text = "第七条 预备党员的预备期为一年。党组织对预备党员应当认真教育和考察。"
    spans = _spans(text)
    start, end, _ = supporting_span(text, spans, [2.0, 0.5], tokens=["预备党员", "预备期"], bigrams=["预备", "备期"],
                                    kind=expected_type("预备期是多长时间？"))
    assert text[start:end] == "第七条 预备党员的预备期为一年。"


def test_a_list_is_quoted_whole_up_to_the_limit():
    text = "第八条 对党员的纪律处分种类：\n（一）警告；\n（二）严重警告；\n（三）撤销党内职务。\n第九条 其他。"
    spans = _spans(text)
    start, end, _ = supporting_span(text, spans, [2.0] + [0.0] * (len(spans) - 1))
    assert text[start:end] == "第八条 对党员的纪律处分种类：\n（一）警告；\n（二）严重警告；\n（三）撤销党内职务。"
    start, end, _ = supporting_span(text, spans, [2.0] + [0.0] * (len(spans) - 1), max_chars=20)
    assert end - start <= 20 and text[start:end].startswith("第八条")


def _result(question: str, texts: list[str], *, tokens: list[str], term_df: dict[str, int], agreement: float = 0.5) -> SearchResult:
    shared = round(agreement * 10)  # the dense and bigram candidate lists share this many of their top 10
    candidates = {"dense": list(range(10)), "bigrams": [*range(shared), *range(100, 110 - shared)]}
    hits = []
    for i, text in enumerate(texts):
        chunk = StoredChunk(i, f"d#{i}", "d", i, text, 0, len(text), "", None, None, tuple(sentence_spans(text)), "t")
        hits.append(SearchHit(chunk, 1.0, 0.8, 3.0, 4.0))
    return SearchResult(question, tokens, hits, 6.0, bigrams=["预备", "备期"], question_tokens=tokens,
                        question_bigrams=["预备", "备期"], term_df=term_df, passages=100, candidates=candidates)


def test_refusal_features_see_a_missing_answer_kind_and_unseen_words():
    covered = _result("预备期是多长时间？", ["预备党员的预备期为一年。"], tokens=["预备期"], term_df={"预备期": 3})
    values = features(covered)
    assert set(values) == set(FEATURES)
    assert values["answer_kind_missing"] == 0.0 and values["answer_coverage"] == 1.0
    assert values["vocabulary"] == 1.0 and values["agreement"] == 0.5
    missing = _result("领誓人的预备期是多长时间？", ["预备党员要面向党旗宣誓。"], tokens=["领誓", "预备期"],
                      term_df={"领誓": 0, "预备期": 3}, agreement=0.0)
    values = features(missing)
    assert values["answer_kind_missing"] == 1.0 and values["answer_coverage"] == 0.0
    assert values["vocabulary"] == 0.5 and values["agreement"] == 0.0
    assert features(SearchResult("空", [], [], 0.0)) == dict.fromkeys(FEATURES, 0.0)


@pytest.fixture
def guidelines_kb(settings, tmp_path):
    """The 准则 (which defines 三会一课) and a plan that only mentions it, on the fake embedder."""
    folder = tmp_path / "guidelines"
    folder.mkdir()
    names = ("dangnei_zhengzhi_shenghuo_zhunze_2016.txt", "njmes_dangjian_plan_2023.txt")
    blocks = (CORPUS / "manifest.toml").read_text(encoding="utf-8").split("[[documents]]")[1:]
    kept = [b for b in blocks if any(f'file = "{name}"' in b for name in names)]
    (folder / "manifest.toml").write_text("".join("[[documents]]" + b for b in kept), encoding="utf-8")
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    knowledge_base = KnowledgeBase(settings, embedder=HashingEmbedder())
    assert not knowledge_base.ingest_paths([folder]).failed
    return knowledge_base


def test_three_meetings_one_lesson_is_answered_by_what_it_is(guidelines_kb):
    result = ask(guidelines_kb, "三会一课是什么？", refusal=ALWAYS)
    assert result.found
    first = result.answer.splitlines()[0]
    assert first.startswith("坚持“三会一课”制度。党员必须参加党员大会、党小组会和上党课"), first


def test_who_is_a_role_prefers_the_sentence_naming_its_holder():
    assert asked_role("法人解散时谁是清算义务人？") == "清算义务人"
    assert asked_role("监护人是谁？") == "监护人"
    assert asked_role("预备党员由谁审批？") == ""  # who does something: the doer, not a role
    text = "法人解散的，清算义务人应当及时组成清算组进行清算。法人的董事、理事等成员为清算义务人。"
    sentences = [(0, 26), (26, len(text))]
    scores = answer_scores("法人解散时谁是清算义务人？", ["法人", "解散", "清算", "义务人"], [], text, sentences)
    assert scores[1] > scores[0]


def test_a_term_only_inside_its_opposite_is_no_match():
    text = "非住宅建设用地使用权期限届满后的续期，依照法律规定办理。住宅建设用地使用权期限届满的，自动续期。"
    sentences = [(0, 28), (28, len(text))]
    scores = answer_scores("住宅建设用地使用权到期了怎么办？", ["住宅", "建设", "用地", "使用权"], [], text, sentences)
    assert scores[1] > scores[0]
    asked_opposite = answer_scores("非住宅建设用地使用权到期了怎么办？", ["住宅", "建设", "用地", "使用权"], [], text, sentences)
    assert asked_opposite[0] >= scores[0]  # asked about 非住宅, the 非住宅 sentence keeps its match


def test_a_question_asking_when_something_is_denied_prefers_the_sentence_that_denies_it():
    text = "承运人对货物的毁损承担赔偿责任。但是，因不可抗力造成的，不承担赔偿责任。"
    sentences = [(0, 16), (16, len(text))]
    scores = answer_scores("承运人在哪些情况下可以不赔？", ["承运人", "情况", "承担", "赔偿", "责任"], [], text, sentences)
    assert scores[1] > scores[0]  # 不赔 is the texts' 不承担赔偿责任
