"""Assemble a quiz set: atoms → drafts → gates → set checks → item records.

Reproducible: every random choice comes from ``random.Random`` seeded with the spec's seed and
every collection is sorted first, so the same documents, spec and seed give the same items.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wuxue.errors import InvalidQuizSpecError, QuizSourceChangedError, UnknownDocumentError, UnknownQuizItemError
from wuxue.quiz.atoms import Atom
from wuxue.quiz.builders import (
    Draft,
    blank_item,
    display,
    judge_item,
    multi_item,
    single_item,
)
from wuxue.quiz.gates import first_failure, retrievable_chunks
from wuxue.quiz.materials import QuizMaterials, materials_for
from wuxue.quiz.set_checks import (
    MAX_CHUNK_USES,
    balanced_slots,
    near_duplicate,
    truth_plan,
)
from wuxue.quiz.weak import weak_reason

if TYPE_CHECKING:
    from wuxue.knowledge_reader import KnowledgeReader

TYPES = ("multi", "judge", "single", "blank")  # assembly order: the most constrained first (false 判断 need numbers and sibling lists)
TYPE_NAMES = {"single": "单选题", "multi": "多选题", "blank": "填空题", "judge": "判断题"}
DIFFICULTIES = ("easy", "medium", "hard")
GENERATOR_VERSION = "1"
JUDGE_OPTIONS = [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]

# how much a fact weighs for a 知识竞赛 setter: numbers (term lengths, head counts, how often), who
# elects/approves/reports to whom, status words, punishments, definitions and named formulations
# come first; list members are asked as whole lists (多选); article numbers are never asked
WEIGHTS = {"number": 10, "category": 9, "contrast": 8, "definition": 7, "formulation": 7, "date": 5, "title": 4,
           "quoted": 2, "enum_item": 3}
JITTER = 3.0  # seeded randomness inside a weight band, so sets differ by seed but heavy facts come first
NEWS_KINDS = {"学会材料", "报告"}
HEADED_KINDS = {"category", "quoted", "term"}  # answers a section heading may give away
ONE_OFF_UNITS = {"册", "万册", "家", "所", "公里", "万人", "元", "万元", "%", "％", "倍", "票", "章", "节"}

@dataclass(frozen=True)
class QuizSpec:
    doc_ids: tuple[str, ...]
    counts: Mapping[str, int]  # keys among "single", "multi", "blank", "judge"
    sections: tuple[str, ...] = ()  # restrict to chunks whose section breadcrumb contains one of these
    difficulty: str = "medium"  # easy | medium | hard
    seed: int = 0


@dataclass
class QuizResult:
    items: list[dict]
    shortfall: list[dict]  # [{"type", "requested", "produced", "reason"}]
    rejected: dict[str, int]  # gate name -> candidate items dropped
    doc_versions: dict[str, str]  # doc_id -> content_hash of the version used

    def to_dict(self) -> dict:
        return {"items": self.items, "shortfall": self.shortfall, "rejected": self.rejected, "doc_versions": self.doc_versions}


def validate_spec(kb: KnowledgeReader, spec: QuizSpec) -> None:
    if not spec.doc_ids:
        raise InvalidQuizSpecError("请至少选择一个文档")
    unknown = sorted({d for d in spec.doc_ids if kb.find_document(d) is None})
    if unknown:
        raise UnknownDocumentError(f"文档不存在：{'、'.join(unknown)}")
    bad_types = sorted(set(spec.counts) - set(TYPES))
    if bad_types:
        raise InvalidQuizSpecError(f"不支持的题型：{'、'.join(bad_types)}（可选 single、multi、blank、judge）")
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in spec.counts.values()):
        raise InvalidQuizSpecError("题目数量必须是非负整数")
    total = sum(spec.counts.values())
    if total == 0:
        raise InvalidQuizSpecError("请至少要求一道题")
    limit = kb.settings.quiz_max_items
    if total > limit:
        raise InvalidQuizSpecError(f"一次最多生成 {limit} 道题（请求了 {total} 道）")
    if spec.difficulty not in DIFFICULTIES:
        raise InvalidQuizSpecError(f"难度必须是 {'、'.join(DIFFICULTIES)} 之一")


def item_id(kind: str, stem: str, answers: Sequence[str]) -> str:
    return hashlib.sha256(f"{kind}\n{stem}\n{'|'.join(answers)}".encode()).hexdigest()[:16]


@dataclass
class _Chosen:
    draft: Draft
    chunk_id: str
    rank: int


@dataclass
class _Assembler:
    kb: KnowledgeReader
    materials: QuizMaterials
    spec: QuizSpec
    salt: str = ""
    rejected: Counter[str] = field(default_factory=Counter)
    stems: list[str] = field(default_factory=list)
    chunk_uses: Counter[str] = field(default_factory=Counter)
    used_quotes: set[tuple[str, int, int]] = field(default_factory=set)
    tried: Counter[str] = field(default_factory=Counter)
    doc_counts: Counter[str] = field(default_factory=Counter)  # items taken per document, for coverage
    trace: list[tuple[str, Draft]] | None = None  # (gate, draft) of every drop, for debugging and reports
    chunk_limit: int = MAX_CHUNK_USES  # one more while topping up a short document
    headings: dict[tuple[str, int, int], tuple[str, ...]] = field(default_factory=dict)  # quote → its section

    def rng(self, *parts: object) -> random.Random:
        key = (self.spec.seed, ",".join(self.spec.doc_ids), self.spec.difficulty, self.salt, *parts)
        return random.Random(":".join(str(p) for p in key))

    # atoms ---------------------------------------------------------------------
    def doc_atoms(self, doc_id: str) -> list[Atom]:
        atoms = self.materials.atoms.get(doc_id, [])
        if not self.spec.sections:
            return atoms
        view = self.materials.view
        keep = []
        for atom in atoms:
            chunk_ids = view.quote_chunks(doc_id, atom.quote_start, atom.quote_end)
            sections = [view.chunks[c].section for c in chunk_ids]
            if any(wanted in section for wanted in self.spec.sections for section in sections):
                keep.append(atom)
        return keep

    def weight(self, atom: Atom, doc_id: str) -> float:
        """0 = never ask: article numbers, and one-off counts in a news story or report (6,084 册)."""
        if atom.kind == "article":
            return 0
        if weak_reason(atom, self.materials.view.texts[doc_id], self.heading(atom) if atom.kind in HEADED_KINDS else ()):
            return 0  # 学会（党支部）将…, （讨论）和决定, an answer the heading repeats, 五年来
        if atom.kind == "number" and (atom.unit in ONE_OFF_UNITS or (atom.value or 0) >= 100) \
                and self.materials.view.kinds.get(doc_id, "") in NEWS_KINDS:
            return 0
        if atom.kind == "number" and atom.value == 1 and atom.unit in {"次", "届"}:
            return 2  # 每五年举行（一次）: the weight is on 五年
        if atom.kind in {"title", "quoted"} and self.materials.view.kinds.get(doc_id, "") == "学会材料":
            return 1  # a society's journal or activity name is no point of Party study
        if atom.family in {"category:act_meet", "category:person"}:
            return 3  # 提前或延期（举行）, 预备党员转为（正式党员）: the grammar gives them away
        if atom.kind == "enum_item" and self.spec.difficulty == "hard":
            return 11  # 不包括 items (the few closed lists that have them) are what makes a hard paper hard
        return WEIGHTS.get(atom.kind, 1)

    def heading(self, atom: Atom) -> tuple[str, ...]:
        """The section of the atom's quote (its first chunk), looked up once per quote."""
        cache = self.headings
        key = (atom.doc_id, atom.quote_start, atom.quote_end)
        if key not in cache:
            view = self.materials.view
            cache[key] = tuple(view.chunks[c].section or "" for c in view.quote_chunks(*key))[:1]
        return cache[key]

    def ordered_atoms(self, kind: str, doc_id: str) -> list[Atom]:
        """Heaviest facts first (a seeded jitter within a band); 多选 takes one atom per list."""
        rng = self.rng(kind, doc_id)
        atoms = self.doc_atoms(doc_id)
        if kind == "multi":
            firsts: dict[tuple[int, int], Atom] = {}
            for atom in atoms:
                if atom.enumeration is not None:
                    firsts.setdefault(atom.enumeration.spans[0], atom)
            pool = sorted(firsts.values(), key=lambda a: a.start)
            rng.shuffle(pool)
            return pool
        scored = []
        for atom in atoms:
            if kind == "single" and atom.kind == "enum_item":
                if self.spec.difficulty != "hard" or atom.enumeration is None or atom.start != atom.enumeration.spans[0][0]:
                    continue  # 不包括 items: one per list, at hard only
            weight = self.weight(atom, doc_id)
            if weight > 0:
                scored.append((-weight - rng.random() * JITTER, atom.start, atom))
        return [a for _, _, a in sorted(scored, key=lambda p: (p[0], p[1]))]

    # drafts ----------------------------------------------------------------------
    def draft(self, kind: str, atom: Atom, rng: random.Random, truth: bool | None = None) -> Draft | None:
        text = self.materials.view.texts[atom.doc_id]
        title = self.materials.view.leads.get(atom.doc_id) or self.materials.view.titles[atom.doc_id]
        pool, difficulty = self.materials.pool, self.spec.difficulty
        if kind == "blank":
            return blank_item(atom, text, title, difficulty=difficulty, rng=rng)
        if kind == "single":
            return single_item(atom, text, title, pool, difficulty=difficulty, rng=rng)
        if kind == "multi":
            return multi_item(atom, text, title, pool, difficulty=difficulty, rng=rng)
        return judge_item(atom, text, title, pool, truth=bool(truth), rng=rng)

    def accept(self, draft: Draft, extra_stems: Sequence[str] = ()) -> _Chosen | None:
        """Gates, set constraints and retrieval; counts every drop by its reason."""
        atom = draft.atom
        quote_key = (atom.doc_id, atom.quote_start, atom.quote_end)
        if quote_key in self.used_quotes:
            return None  # one item per quote: not a rejection, just not a new fact
        failed = first_failure(draft, self.materials.gates)
        if failed:
            self._drop(failed, draft)
            return None
        if near_duplicate(draft.stem, [*self.stems, *extra_stems]):
            self._drop("near_duplicate", draft)
            return None
        rank, chunk_id = self.retrieval(draft)
        if chunk_id is None:
            self._drop("retrievable" if rank is None else "chunk_reuse", draft)
            return None
        return _Chosen(draft, chunk_id, rank or 0)

    def _drop(self, gate: str, draft: Draft) -> None:
        self.rejected[gate] += 1
        if self.trace is not None:
            self.trace.append((gate, draft))

    def retrieval(self, draft: Draft) -> tuple[int | None, str | None]:
        """Rank of the first top-3 hit that holds the quote and is not used twice already."""
        found = retrievable_chunks(self.kb, draft)
        for rank, chunk_id in found:
            if self.chunk_uses[chunk_id] < self.chunk_limit:
                return rank, chunk_id
        return (found[0][0] if found else None), None

    def take(self, chosen: _Chosen) -> None:
        atom = chosen.draft.atom
        self.stems.append(chosen.draft.stem)
        self.chunk_uses[chosen.chunk_id] += 1
        self.used_quotes.add((atom.doc_id, atom.quote_start, atom.quote_end))
        self.doc_counts[atom.doc_id] += 1

    # selection -------------------------------------------------------------------
    def streams(self, kind: str) -> dict[str, Iterator[Atom]]:
        return {doc_id: iter(self.ordered_atoms(kind, doc_id)) for doc_id in self.spec.doc_ids}

    def next_from(self, kind: str, stream: Iterator[Atom], rng: random.Random, truth: bool | None = None) -> _Chosen | None:
        for atom in stream:
            draft = self.draft(kind, atom, rng, truth)
            if draft is None:
                continue
            self.tried[kind] += 1
            chosen = self.accept(draft)
            if chosen is not None:
                return chosen
        return None

    def select(self, kind: str, count: int) -> list[_Chosen]:
        """The least-used document next (so every chosen document is covered), until ``count`` items or no candidates.

        判断 follows a balanced true/false plan; when no document can supply the planned value any
        more, the other value is used rather than falling short.
        """
        rng = self.rng("select", kind)
        order = list(self.spec.doc_ids)
        rng.shuffle(order)
        plan: list[bool | None] = list(truth_plan(count, self.rng("truth"))) if kind == "judge" else [None] * count
        values: list[bool | None] = [True, False] if kind == "judge" else [None]
        streams = {(doc_id, v): iter(self.ordered_atoms(kind, doc_id)) for doc_id in order for v in values}
        live = {v: list(order) for v in values}
        chosen: list[_Chosen] = []
        while len(chosen) < count:
            wanted = plan[len(chosen)]
            pick = None
            for value in [wanted] + [v for v in values if v != wanted]:
                docs = live[value]
                while docs and pick is None:
                    doc_id = min(docs, key=lambda d: (self.doc_counts[d], order.index(d)))
                    pick = self.next_from(kind, streams[(doc_id, value)], rng, value)
                    if pick is None:
                        docs.remove(doc_id)
                if pick is not None:
                    break
            if pick is None:
                break
            self.take(pick)
            chosen.append(pick)
        return chosen

    # records ---------------------------------------------------------------------
    def record(self, chosen: _Chosen, slot: int | None, rng: random.Random) -> dict:
        draft = chosen.draft
        view = self.materials.view
        atom = draft.atom
        text = view.texts[atom.doc_id]
        a, b = draft.quote_span
        options: list[dict] = []
        answer: dict = {}
        if draft.type == "single":
            wrong = list(draft.distractors)
            rng.shuffle(wrong)
            position = slot if slot is not None else rng.randrange(len(wrong) + 1)
            texts = wrong[:position] + draft.correct + wrong[position:]
            options = [{"key": "ABCDE"[i], "text": t} for i, t in enumerate(texts)]
            answer = {"keys": ["ABCDE"[position]], "texts": list(draft.correct)}
        elif draft.type == "multi":
            texts = draft.correct + draft.distractors
            rng.shuffle(texts)
            options = [{"key": "ABCDE"[i], "text": t} for i, t in enumerate(texts)]
            keys = [o["key"] for o in options if o["text"] in draft.correct]
            answer = {"keys": keys, "texts": [o["text"] for o in options if o["text"] in draft.correct], "any_order": True}
        elif draft.type == "blank":
            answer = {"keys": [], "texts": list(draft.correct)}
            if draft.any_order:
                answer["any_order"] = True
        else:
            options = [dict(o) for o in JUDGE_OPTIONS]
            answer = {"keys": ["A" if draft.edit is None else "B"], "texts": list(draft.correct)}
        marked = self._marked(draft, text)
        explanation = f"原文：{marked}"
        if draft.method == "choice_exclude":
            explanation += f"（“{draft.correct[0]}”不在其中）"
        if draft.edit is not None:
            explanation += f"（题干将“{draft.edit[0]}”改成了“{draft.edit[1]}”）"
        chunk = view.chunks[chosen.chunk_id]
        return {
            "id": item_id(draft.type, draft.stem, answer["texts"]),
            "type": draft.type,
            "stem": draft.stem,
            "options": options,
            "answer": answer,
            "explanation": explanation,
            "citation": {"doc_id": atom.doc_id, "title": view.titles[atom.doc_id], "section": chunk.section, "page": chunk.page,
                         "chunk_id": chunk.chunk_id, "char_start": a, "char_end": b, "quote": text[a:b]},
            "difficulty": self.spec.difficulty,
            "knowledge_point": draft.knowledge_point,
            "generator": {"method": draft.method, "version": GENERATOR_VERSION, "llm": False},
            "checks": {"grounded": True, "leak": False, "unique_context": True, "retrieval_rank": chosen.rank},
        }

    def _marked(self, draft: Draft, text: str) -> str:
        """The quote with the answer marked 【…】, as 学习强国's hint shows it in red."""
        atom = draft.atom
        if (draft.type == "multi" or draft.method == "choice_exclude") and atom.enumeration is not None:
            enum = atom.enumeration
            holes = [span for item, span in zip(enum.items, enum.spans) if item in draft.correct or draft.method == "choice_exclude"]
        elif draft.type == "blank":
            holes = list(draft.blanks)
        else:
            holes = [(atom.start, atom.end)]
        fill = [f"【{text[x:y]}】" for x, y in sorted(holes)]
        return display(text, atom.quote_start, atom.quote_end, sorted(holes), fill=fill)

    def build(self) -> QuizResult:
        chosen_by_type: dict[str, list[_Chosen]] = {}
        missing: dict[str, tuple[int, int]] = {}
        for kind in TYPES:
            count = int(self.spec.counts.get(kind, 0))
            if count <= 0:
                continue
            chosen_by_type[kind] = self.select(kind, count)
            if len(chosen_by_type[kind]) < count:
                missing[kind] = (count, len(chosen_by_type[kind]))
        deficit = sum(count - produced for count, produced in missing.values())
        topped: Counter[str] = Counter()
        for extra in ("judge", "blank", "single", "judge", "blank", "single"):  # small documents: make up the count on their strongest facts
            if deficit <= 0:
                break
            if extra == "judge" and topped:
                self.chunk_limit = MAX_CHUNK_USES + 1  # second round: a short passage may carry one more item
            more = self.select(extra, deficit)
            chosen_by_type.setdefault(extra, []).extend(more)
            topped[extra] += len(more)
            deficit -= len(more)
        shortfall = [{"type": kind, "requested": count, "produced": produced, "reason": shortfall_reason(kind, count, produced, self.spec, topped)}
                     for kind, (count, produced) in missing.items()]
        items: list[dict] = []
        for kind in ("single", "multi", "blank", "judge"):
            chosen = chosen_by_type.get(kind, [])
            rng = self.rng("options", kind)
            slots: list[int | None] = [None] * len(chosen)
            if kind == "single" and chosen:
                width = len(chosen[0].draft.distractors) + 1
                slots = list(balanced_slots(len(chosen), width, rng))
            items += [self.record(c, s, rng) for c, s in zip(chosen, slots)]
        for doc_id in self.spec.doc_ids:
            if not self.doc_counts[doc_id] and len(items) >= len(set(self.spec.doc_ids)):
                title = self.materials.view.titles[doc_id]
                shortfall.append({"type": "document", "requested": 1, "produced": 0,
                                  "reason": f"《{title}》中没有通过质量检查的可考知识点（文档过短或缺少可考查的表述），本套题未覆盖该文档"})
        versions = {d: self.kb.find_document(d).content_hash for d in self.spec.doc_ids}  # type: ignore[union-attr]
        return QuizResult(items, shortfall, dict(sorted(self.rejected.items())), versions)


_SHORT_WHY = {
    "multi": "列举性内容少（多选题要求完整列出一组并列内容）",
    "single": "可作单选题的关键事实（数字、机构、职责、地位、处分等）较少",
    "blank": "可填空的关键词句较少",
    "judge": "可改写成判断题的事实（数字、机构、职责等）较少",
}


def shortfall_reason(kind: str, requested: int, produced: int, spec: QuizSpec, topped: Mapping[str, int]) -> str:
    """Why a type fell short, in words a branch secretary can act on."""
    scope = "所选章节" if spec.sections else ("该文档" if len(spec.doc_ids) == 1 else "所选文档")
    advice = "建议增加文档或改出判断题" if kind != "judge" else "建议增加文档或改出填空题"
    text = f"{scope}{_SHORT_WHY[kind]}，可出的{TYPE_NAMES[kind]}不足 {requested} 道（已出 {produced} 道），{advice}"
    extra = "、".join(f"{TYPE_NAMES[k]} {n} 道" for k, n in topped.items() if n)
    return text + (f"。本套已另出{extra}补足题量" if extra else "")


def generate_quiz(kb: KnowledgeReader, spec: QuizSpec) -> QuizResult:
    """A set of cited items for ``spec`` (an explained shortfall when the documents cannot supply it)."""
    validate_spec(kb, spec)
    return _Assembler(kb, materials_for(kb), spec).build()


def stale_documents(kb: KnowledgeReader, versions: Mapping[str, str]) -> list[dict]:
    """Documents of a saved set whose indexed version is no longer the one the set was made from."""
    out = []
    for doc_id, saved in sorted(versions.items()):
        current = kb.find_document(doc_id)
        if current is None:
            out.append({"doc_id": doc_id, "title": doc_id, "status": "deleted",
                        "message": f"出题文档 {doc_id} 已从知识库删除，本题目集仍保留出题时的内容"})
        elif current.content_hash != saved:
            out.append({"doc_id": doc_id, "title": current.title, "status": "changed",
                        "message": f"《{current.title}》在出题后已有新版本，本题目集仍按出题时的版本；换一题只从未更新的文档出题，建议核对或重新生成"})
    return out


def replacement_item(kb: KnowledgeReader, spec: QuizSpec, *, items: Sequence[dict], item_id: str,
                     versions: Mapping[str, str] | None = None) -> dict | None:
    """A new item of the same type as ``items[item_id]`` that passes every gate and repeats nothing in ``items``.

    Keeps what balances the set: the same answer letter for 单选 and the same truth value for 判断.
    With ``versions`` (the set's document versions) only documents still at that version are used,
    so a set never mixes two versions of one document.
    """
    target = next((i for i in items if i.get("id") == item_id), None)
    if target is None:
        raise UnknownQuizItemError(f"题目不存在：{item_id}")
    if versions:
        changed = {s["doc_id"] for s in stale_documents(kb, versions)}
        kept = tuple(d for d in spec.doc_ids if d not in changed)
        if not kept:
            raise QuizSourceChangedError("出题文档在出题后已更新，换一题会混入新版本的内容；请编辑或删除此题，或重新生成题目集")
        spec = QuizSpec(kept, spec.counts, spec.sections, spec.difficulty, spec.seed)
    validate_spec(kb, spec)
    kind = target["type"]
    others = [i for i in items if i.get("id") != item_id]
    assembler = _Assembler(kb, materials_for(kb), spec, salt=f"replace:{item_id}")
    taken_ids = {i.get("id") for i in items}
    for other in items:  # the replaced item counts too: the replacement must differ from it
        citation = other.get("citation", {})
        assembler.used_quotes.add((citation.get("doc_id"), citation.get("char_start"), citation.get("char_end")))
        assembler.stems.append(other.get("stem", ""))
    for other in others:
        assembler.chunk_uses[other.get("citation", {}).get("chunk_id", "")] += 1
    truth = target["answer"]["keys"] == ["A"] if kind == "judge" else None
    rng = assembler.rng("replace", kind)
    home = target.get("citation", {}).get("doc_id")
    order = sorted(spec.doc_ids, key=lambda d: (d != home, d))
    for doc_id in order:
        stream = iter(assembler.ordered_atoms(kind, doc_id))
        while True:
            chosen = assembler.next_from(kind, stream, rng, truth)
            if chosen is None:
                break
            slot = next("ABCDE".index(k) for k in target["answer"]["keys"]) if kind == "single" and target["answer"]["keys"] else None
            if slot is not None and slot > len(chosen.draft.distractors):
                slot = None
            record = assembler.record(chosen, slot, rng)
            if record["id"] not in taken_ids:
                return record
    return None
