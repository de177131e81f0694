"""Example questions for the member page, each checked against the service before it is shown.

A chip that gets 未找到, or an answer about something else, teaches a new member that the
service does not work. So every candidate is asked through :func:`wuxue.answering.ask` against
the loaded snapshot, and only those answered (found, citing the expected document, with the
expected words in the answer) are offered. The check runs again whenever a new snapshot is
published, because an upload or re-index can change what is answered.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from wuxue.errors import WuxueError
from wuxue.knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)
MAX_CHIPS = 6


@dataclass(frozen=True)
class ExampleQuestion:
    question: str
    doc_id: str
    piece: str  # words of the document a right answer contains


# In the order chips are offered; at most one chip per document. Later questions of a document
# stand in when an earlier one stops being answered.
CANDIDATES: tuple[ExampleQuestion, ...] = (
    ExampleQuestion("预备党员的预备期是多长时间？", "dangzhang_2022", "预备党员的预备期为一年"),
    ExampleQuestion("党员享有哪些权利？", "dangzhang_2022", "参加党的有关会议，阅读党的有关文件"),
    ExampleQuestion("党员必须履行哪些义务？", "dangzhang_2022", "努力提高为人民服务的本领"),
    ExampleQuestion("“三会一课”具体是指什么？", "dangnei_zhengzhi_shenghuo_zhunze_2016", "党员必须参加党员大会、党小组会和上党课"),
    ExampleQuestion("开展批评和自我批评要按照哪“四句话”的要求？", "dangnei_zhengzhi_shenghuo_zhunze_2016", "照镜子、正衣冠、洗洗澡、治治病"),
    ExampleQuestion("哪些情形可以从轻或者减轻党纪处分？", "jilv_chufen_tiaoli_2023", "主动交代本人应当受到党纪处分的问题"),
    ExampleQuestion("被开除党籍的人过多少年才可能重新入党？", "jilv_chufen_tiaoli_2023", "五年内不得重新入党"),
    ExampleQuestion("二十大报告提出的“三个务必”是什么？", "xi_report_20th_congress_2022", "务必不忘初心、牢记使命"),
    ExampleQuestion("新时代新征程上中国共产党的中心任务是什么？", "xi_report_20th_congress_2022", "全面建成社会主义现代化强国、实现第二个百年奋斗目标"),
    ExampleQuestion("廉洁自律准则要求党员怎样处理公与私的关系？", "lianjie_zilv_zhunze_2015", "坚持公私分明，先公后私，克己奉公"),
    ExampleQuestion("我国公民要到多少岁才享有选举权和被选举权？", "xianfa_2018", "年满十八周岁的公民"),
    ExampleQuestion("对领导干部的组织处理包括哪几种措施？", "zuzhi_chuli_guiding_shixing_2021", "停职检查、调整职务、责令辞职、免职、降职"),
    ExampleQuestion("党委书记作为第一责任人要做到哪“四个亲自”？", "dangwei_quanmian_congyan_zhidang_zhuti_zeren_2020", "重要工作亲自部署、重大问题亲自过问"),
    ExampleQuestion("纪委对问题线索有哪几种处置方式？", "jilv_jiancha_weiyuanhui_gongzuo_tiaoli_2021", "谈话函询、初步核实、暂存待查、予以了结"),
    ExampleQuestion("全国科普月定在每年的几月份？", "kexue_jishu_puji_fa_2024", "每年9月为全国科普月"),
    ExampleQuestion("中国通信学会推动形成了几层学会党建组织体系？", "cic_dangjian_2024", "三层学会党建组织体系"),
    ExampleQuestion("南京机械工程学会党支部多长时间开一次工作会议？", "njmes_dangjian_plan_2023", "每季召开一次工作会议"),
    ExampleQuestion("党纪处分决定从什么时候开始生效？", "chufen_weiji_dangyuan_pizhun_quanxian_chengxu_2022", "集体讨论决定之日起生效"),
    ExampleQuestion("基金会的法定代表人由谁来担任？", "jijinhui_guanli_tiaoli_2004", "理事长是基金会的法定代表人"),
    ExampleQuestion("成立一个社会团体，最少需要有多少会员？", "shehui_tuanti_dengji_guanli_tiaoli", "50个以上的个人会员"),
    ExampleQuestion("什么是民办非企业单位？", "minban_fei_qiye_danwei_dengji_tiaoli_1998", "从事非营利性社会服务活动的社会组织"),
    ExampleQuestion("河南省科协条例是从哪一天开始施行的？", "henan_kexie_tiaoli_2010", "1997年1月1日起施行"),
    ExampleQuestion("重庆市各级科协的领导机构是什么？", "chongqing_kexie_tiaoli_2010", "科协委员会是同级科协的领导机构"),
)


@dataclass(frozen=True)
class ExampleCheck:
    question: str
    doc_id: str
    answered: bool
    reason: str  # why not, in Chinese ("" when answered)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_example(kb: KnowledgeBase, example: ExampleQuestion, **ask_options: object) -> ExampleCheck:
    """Ask the question as a member would; answered = found, cites the document, says the expected words.

    ``ask_options`` are what the ask route passes too (e.g. the refusal model it was given)."""
    from wuxue.answering import ask  # the answering package imports the knowledge base; keep this module light

    def verdict(reason: str) -> ExampleCheck:
        return ExampleCheck(example.question, example.doc_id, not reason, reason)

    try:
        result = ask(kb, example.question, **ask_options)  # type: ignore[arg-type]
    except WuxueError as error:
        return verdict(f"提问出错：{error.message}")
    if not result.found:
        return verdict("未找到")
    if not any(c.doc_id == example.doc_id for c in result.citations):
        return verdict("出处不是预期文档")
    if _squash(example.piece) not in _squash(result.answer):
        return verdict("回答中没有预期内容")
    return verdict("")


def check_examples(kb: KnowledgeBase, candidates: tuple[ExampleQuestion, ...] = CANDIDATES, **ask_options: object) -> list[ExampleCheck]:
    """Every candidate whose document is indexed, checked; documents not in the index are left out."""
    indexed = {d.doc_id for d in kb.documents()}
    return [check_example(kb, example, **ask_options) for example in candidates if example.doc_id in indexed]


def pick_examples(checks: list[ExampleCheck], limit: int = MAX_CHIPS) -> list[str]:
    """The first answered question of each document, in candidate order, at most ``limit``."""
    picked: list[str] = []
    documents: set[str] = set()
    for check in checks:
        if check.answered and check.doc_id not in documents:
            documents.add(check.doc_id)
            picked.append(check.question)
    return picked[:limit]


class ExampleChips:
    """The checked chips of the current snapshot; checked again when a new snapshot is published.

    ``ask_options`` are what the ask route passes too (the refusal model it was given), fixed for the service's life.
    """

    def __init__(self, candidates: tuple[ExampleQuestion, ...] = CANDIDATES, limit: int = MAX_CHIPS, **ask_options: object) -> None:
        self.candidates, self.limit, self.ask_options = candidates, limit, ask_options
        self._checked_for: Path | None = None  # the snapshot the chips were checked against
        self._questions: list[str] = []
        self._lock = threading.Lock()

    def current(self, kb: KnowledgeBase) -> list[str]:
        try:
            snapshot = kb.snapshot.path
        except WuxueError:  # no index yet: no chips
            return []
        with self._lock:
            if snapshot != self._checked_for:
                checks = check_examples(kb, self.candidates, **self.ask_options)
                self._questions = pick_examples(checks, self.limit)
                self._checked_for = snapshot
                failed = [f"{c.question}（{c.reason}）" for c in checks if not c.answered]
                if failed:
                    log.info("example questions not offered: %s", "；".join(failed))
            return list(self._questions)

    def warm(self, kb: KnowledgeBase) -> threading.Thread:
        """Check in the background so start-up does not wait for it (a failure only means checking on first use)."""

        def check() -> None:
            try:
                self.current(kb)
            except Exception:  # noqa: BLE001 - e.g. the app shut down mid-check
                log.debug("example check in the background did not finish", exc_info=True)

        thread = threading.Thread(target=check, name="wuxue-examples", daemon=True)
        thread.start()
        return thread


def main() -> None:  # pragma: no cover - a report for maintainers: python -m wuxue.examples
    from wuxue.settings import load_settings

    kb = KnowledgeBase(load_settings())
    kb.load()
    checks = check_examples(kb)
    for check in checks:
        print(("✓ " if check.answered else "✗ ") + check.question + ("" if check.answered else f"  —— {check.reason}"))
    print(f"{sum(c.answered for c in checks)}/{len(checks)} 个候选示例通过；页面显示：{'、'.join(pick_examples(checks))}")


if __name__ == "__main__":  # pragma: no cover
    main()
