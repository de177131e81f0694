"""When a named document takes effect, as the answer to “民法典从哪天开始施行？” / “条例什么时候起实施？”.

The date is the document's own closing rule (本法自2021年1月1日起施行), one sentence among a thousand articles
that share every asking word (开始, 日期, 自…之日起): retrieval need not rank it, the document states it once.
So when a date question names one document and asks nothing but when it takes effect, that sentence is the
answer, cited where it stands.
"""

from __future__ import annotations

import re

from wuxue.answering.compose import Composition, TreeSource, _Candidate, _citation
from wuxue.answering.outline import chunk_at, left_after_title
from wuxue.answering.question import Question
from wuxue.index.searcher import SearchHit, SearchResult

_ASKS_EFFECT = re.compile(r"施行|实施|生效")
_FILLER = re.compile(r"从|自|于|哪一天|哪天|哪日|哪年|什么时候|什么时间|何时|几时|哪个日期|日期|时间|是|的|开始|起|正式|"
                     r"施行|实施|生效|呢|吗|现行|修订|修改|新|版|[\d年]")
_EFFECT_RULE = re.compile(r"本(?:法|条例|规定|准则|细则|办法|章程|决定|意见|规则|实施细则)[^。；\n]{0,20}?自[^。；\n]{1,30}?起"
                          r"(?:施行|实施|生效)[^。；\n]{0,40}[。；]?")


def effective_date_answer(store: TreeSource, result: SearchResult, question: Question) -> Composition | None:
    """The named document's 本法自…起施行 sentence, cited, or None when the question asks something else."""
    if not _ASKS_EFFECT.search(question.text) or len(result.named_documents) != 1:
        return None
    doc_id = result.named_documents[0]
    tree = store.document_tree(doc_id)
    chunks = list(store.chunks_of(doc_id))
    if tree is None or not chunks or left_after_title(question, chunks[0].title, _FILLER):
        return None
    rules = list(_EFFECT_RULE.finditer(tree.text))
    if not rules:
        return None
    rule = rules[-1]  # a later 本条例自…起施行 supersedes an earlier quoted one
    span = (rule.start(), rule.end())
    chunk = chunk_at(chunks, rule.start())
    if chunk is None:
        return None
    holder = _Candidate(0, SearchHit(chunk, 0.0, 0.0, 0.0), tree, *span, 0.0, 0.0)
    direct = f"{tree.text[span[0]:span[1]].rstrip('。；')}。[1]"
    return Composition(direct, direct, [_citation(1, holder, span, [span])])
