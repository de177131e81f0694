"""Documents a question names: members say “党章规定…”, “根据科普法…”, “《基金会管理条例》…”."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from wuxue.ingest.clean import fold_for_search

MIN_NAME_CHARS = 2
# A document name in a question: anything in 《》, or a phrase ending like a regulation's title.
_DOCUMENT_NAME = re.compile(r"《([^》]{2,40})》|([\u4e00-\u9fff（）()]{2,30}?(?:条例|章程|规定|准则|细则|纲要))")
_LEADING_WORDS = re.compile(r"^(?:按照|根据|依据|依照|对照|关于|现行的|现行|新修订的|新|在|的|按|据|照)+")
_DEMONSTRATIVE = re.compile(r"^(?:这|该|此|本|哪|那|各|有关|相关|什么)")
# Not a name but a question or an action about rules: “有什么规定”, “哪些规定”, “修改章程”, “违反规定”.
_GENERIC = re.compile(r"(?:什么|哪些|哪|有关|相关|具体|这些|那些|其|的|修改|制定|违反|遵守|执行|落实|按照|根据|依照|"
                      r"法律|法规|国家|党内|上级|政策|合同|有|特别|另行|另外|明确|怎么|怎样|如何|符合|作出|做出|专门|相应|上述|前款|本款|本条|以上|下列|上|里|中|"
                      r"其他|其它)"
                      r"(?:条例|章程|规定|准则|细则|纲要)$")  # “按法律规定…”, “除法律另有规定”, “没有法律另外规定”, “有特别规定” name no document


_ISSUER_PREFIX = re.compile(r"^(?:中华人民共和国|中国共产党)")
_VERSION_SUFFIX = re.compile(r"[（(](?:试行|暂行|\d{4}年(?:修订|修正|版)?)[）)]$")
MIN_SPOKEN_CHARS = 3  # “民法典”, “组织处理规定”; never a bare “章程”


def spoken_names(name: str) -> list[str]:
    """The name as members say it: without the state's or the Party's prefix and a version tag
    (中华人民共和国民法典 → 民法典; 中国共产党组织处理规定（试行） → 组织处理规定). An admin types the full
    title on upload; a member asks “民法典规定…”."""
    short = _VERSION_SUFFIX.sub("", _ISSUER_PREFIX.sub("", name.strip()))
    return [short] if short != name and len(short) >= MIN_SPOKEN_CHARS else []


class DocumentRouter:
    """Finds document titles and aliases inside a question; the longest matching name wins overlaps."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        pairs = {(fold_for_search(spoken), doc_id) for doc_id, doc_names in names.items() for name in doc_names
                 for spoken in (name, *spoken_names(name))}
        self._names = sorted(((n, d) for n, d in pairs if len(n) >= MIN_NAME_CHARS), key=lambda item: (-len(item[0]), item))
        # Names by their text, and the set of name lengths: a question is scanned once, with one dict
        # lookup per (position, length), not once per name (a million-chunk corpus has 10⁵ titles).
        self._doc_ids: dict[str, list[str]] = defaultdict(list)
        for name, doc_id in self._names:
            self._doc_ids[name].append(doc_id)
        self._lengths = sorted({len(name) for name, _ in self._names}, reverse=True)
        self._joined = "\n".join(name for name, _ in self._names)  # one C-level substring search for “is part of a name”

    def _occurrences(self, folded: str) -> list[tuple[str, str, int]]:
        """(name, doc_id, first start) of every name occurring in ``folded``, longest names first."""
        first: dict[tuple[str, str], int] = {}
        for start in range(len(folded)):
            for length in self._lengths:
                piece = folded[start : start + length]
                if len(piece) == length and piece in self._doc_ids:
                    for doc_id in self._doc_ids[piece]:
                        first.setdefault((piece, doc_id), start)
        return sorted(((n, d, s) for (n, d), s in first.items()), key=lambda item: (-len(item[0]), item[2], item[1]))

    def _shortened(self, candidate: str) -> bool:
        """The candidate is a name with words left out: its first and last two characters stand in one name,
        with every character between them in order (处分违纪党员批准权限规定 for 关于处分违纪党员批准权限和程序的规定)."""
        if len(candidate) < 5:
            return False
        middle = "".join(re.escape(ch) + "[^\n]*?" for ch in candidate[2:-2])
        pattern = re.escape(candidate[:2]) + "[^\n]*?" + middle + re.escape(candidate[-2:])
        return re.search(pattern, self._joined) is not None

    def spans(self, question: str) -> list[tuple[int, int, str]]:
        """(start, end, doc_id) of every document name in the search-folded question."""
        found: list[tuple[int, int, str]] = []
        for name, doc_id, start in self._occurrences(fold_for_search(question)):
            end = start + len(name)
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found):
                continue  # inside a longer name already matched (e.g. 条例 within 基金会管理条例)
            found.append((start, end, doc_id))
        return found

    def named(self, question: str) -> set[str]:
        return {doc_id for _, _, doc_id in self.spans(question)}

    def without_names(self, question: str) -> str:
        """The folded question with the document names blanked out.

        Once a question names its document, the name says nothing about *which* passage of it
        answers; left in, its words match every chunk of that document (titles are indexed
        with each chunk) and drown the words that do discriminate.
        """
        folded = fold_for_search(question)
        for start, end, _ in self.spans(question):
            folded = folded[:start] + " " * (end - start) + folded[end:]
        return folded

    def unknown_names(self, question: str) -> list[str]:
        """Document names in the question that match no indexed document (e.g. 《问责条例》 when it is not in the corpus).

        A question about a document we do not have should be refused, however on-topic it sounds.
        """
        unknown = []
        for match in _DOCUMENT_NAME.finditer(fold_for_search(question)):
            candidate = _LEADING_WORDS.sub("", match.group(1) or match.group(2))
            if len(candidate) < 4 or (match.group(2) and (_DEMONSTRATIVE.match(candidate) or _GENERIC.search(candidate))):
                continue
            if self._occurrences(candidate) or candidate[-6:] in self._joined or candidate in self._joined:
                continue  # a name inside the candidate, or the candidate (or its tail) inside a name
            if self._shortened(candidate):
                continue  # 河南省条例 for 河南省科学技术协会条例
            unknown.append(candidate)
        return unknown
