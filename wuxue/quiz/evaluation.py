"""``wuxue quiz-eval``: one standard set per indexed document, audited item by item.

The audit re-checks the *records* (not the drafts the gates saw): quote equals the document slice,
answer in the quote, answer not in the stem, option lengths, options containing each other, a
wrong option substituted into the stem's context found in the corpus, another corpus sentence
with the same context and a different filler, and a fresh search with the stem.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from wuxue.quiz.builders import BLANK, CUT, LEAD, display
from wuxue.quiz.categories import blocklist
from wuxue.quiz.corpus import CorpusView, squash
from wuxue.quiz.gates import MAX_OPTION_RATIO, other_fillers, stem_contexts
from wuxue.quiz.generator import QuizSpec, generate_quiz
from wuxue.quiz.materials import materials_for
from wuxue.quiz.set_checks import near_duplicate, summarize

if TYPE_CHECKING:
    from wuxue.knowledge_reader import KnowledgeReader

STANDARD_REQUEST: Mapping[str, int] = {"single": 5, "multi": 3, "blank": 5, "judge": 4}
MIN_DOC_CHARS = 3000
SAMPLE_SIZE = 20


_EDIT = re.compile(r"（题干将“(.+?)”改成了“(.+?)”）$")


LEAD_WINDOW = 800  # a numbered item's introducing line (入党介绍人的主要任务是：) stands at most this far before it


def _stated(piece: str, quote: str, before: str) -> bool:
    """The piece is in the quote, or is an item of the quote under its introducing line found just before it."""
    if piece in quote:
        return True
    lead, colon, rest = piece.partition("：")
    return bool(colon) and rest in quote and f"{lead}{colon}" in before


def _statement_pieces(stem: str) -> list[str]:
    body = LEAD.sub("", stem)
    return [squash(p).rstrip("。") for p in body.split(CUT) if squash(p)]


_SEPARATORS = re.compile(r"[、，,；;和及与或\s]|以及")


def whole_list(item: dict) -> bool:
    """A 多选 asks the whole list: between its first and last right answer the quote holds only right
    answers and separators, and no member sits just outside (…、X、【A】、【B】 would drop X).
    """
    quote = item["citation"]["quote"]
    spans = [(quote.find(a), quote.find(a) + len(a)) for a in item["answer"]["texts"]]
    if any(a < 0 for a, _ in spans):
        return False
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    inside = quote[lo:hi]
    for a in sorted(item["answer"]["texts"], key=len, reverse=True):
        inside = inside.replace(a, "")
    outside = quote[max(0, lo - 1) : lo] + quote[hi : hi + 1]
    return not _SEPARATORS.sub("", inside) and "、" not in outside


def item_figures(items: list[dict]) -> dict:
    """Issue 13's figures over any list of item records: blocklist hits, whole lists, …… stems, fact kinds."""
    block = blocklist()
    options = [(o["text"], o["text"] in i["answer"]["texts"]) for i in items for o in i["options"] if i["type"] != "judge"]
    edits = [e.group(2) for i in items if (e := _EDIT.search(i["explanation"]))]
    blocked = [t for t, right in options if (block.hit(t) if right else block.hit_as_wrong(t))] + [t for t in edits if block.hit_as_wrong(t)]
    multis = [i for i in items if i["type"] == "multi"]
    kinds = Counter(fact_kind(i) for i in items)
    n = max(1, len(items))
    return {
        "blocklist_hits": blocked, "blocklist_share": round(len(blocked) / max(1, len(options) + len(edits)), 4),
        "multi_whole_list_share": round(sum(whole_list(i) for i in multis) / max(1, len(multis)), 4),
        "stems_with_ellipsis": sum(CUT in i["stem"] for i in items),
        "stems_with_ellipsis_share": round(sum(CUT in i["stem"] for i in items) / n, 4),
        "fact_kind_share": {k: round(v / n, 3) for k, v in sorted(kinds.items(), key=lambda p: -p[1])},
    }


def fact_kind(item: dict) -> str:
    method = item["generator"]["method"]
    return {"multi_enum": "list", "choice_exclude": "list", "cloze_enum_all": "list", "judge_true": "statement",
            "judge_contrast": "contrast"}.get(method, method.split("_", 1)[-1])


def audit_item(item: dict, view: CorpusView) -> dict[str, bool]:
    """Independent checks of one exported item record."""
    c = item["citation"]
    text = view.texts.get(c["doc_id"], "")
    quote = squash(display(text, c["char_start"], c["char_end"], [])) if text else ""
    quote_ok = text[c["char_start"] : c["char_end"]] == c["quote"]
    answers = item["answer"]["texts"]
    stem = item["stem"]
    ambiguous = False
    leak = False
    if item["generator"]["method"] == "choice_exclude":
        members = [o["text"] for o in item["options"] if o["text"] not in answers]
        grounded = all(m in c["quote"] for m in members) and not any(a in c["quote"] for a in answers)
        return {"grounded": quote_ok and grounded, "leak": False, "ambiguous": False}
    if item["type"] == "judge":
        pieces = _statement_pieces(stem)
        edit = _EDIT.search(item["explanation"])
        before = squash(text[max(0, c["char_start"] - LEAD_WINDOW) : c["char_start"]]) if text else ""
        if edit is None:  # true: the statement is the quote (cut at clause ends)
            grounded = all(_stated(p, quote, before) for p in pieces)
        else:
            original, replaced = edit.groups()
            grounded = original in c["quote"] and all(_stated(p.replace(replaced, original, 1), quote, before) or p in quote for p in pieces)
            ambiguous = any(view.contains(p) for p in pieces if replaced in p)  # the false statement exists somewhere
        return {"grounded": quote_ok and grounded, "leak": False, "ambiguous": ambiguous}
    grounded = all(a in c["quote"] for a in answers)
    body = stem.replace(BLANK, "")
    leak = any(a in body for a in answers)
    options = [o["text"] for o in item["options"]] if item["type"] in {"single", "multi"} else []
    if options:
        median = statistics.median(len(o) for o in options)
        leak = leak or max(len(o) for o in options) > MAX_OPTION_RATIO * median
    ambiguous = any("以上" in o for o in options) or any(i != j and x in y for i, x in enumerate(options) for j, y in enumerate(options))
    if item["type"] in {"single", "blank"} and stem.count(BLANK) == 1:
        left, right = stem_contexts(stem)
        wrong = [o for o in options if o not in answers]
        ambiguous = ambiguous or any(view.contains(left + w + right) for w in wrong)
        ambiguous = ambiguous or bool(other_fillers(view.haystack, left, right, answers[0]))
    return {"grounded": quote_ok and grounded, "leak": leak, "ambiguous": ambiguous}


def retrieves(kb: KnowledgeReader, item: dict, k: int = 3) -> bool:
    query = item["stem"].replace(BLANK, " ")
    if item["generator"]["method"] == "choice_exclude":
        query += " " + " ".join(o["text"] for o in item["options"] if o["text"] not in item["answer"]["texts"])
    hits = kb.search(query, k=k).hits
    c = item["citation"]
    return any(h.chunk.doc_id == c["doc_id"] and h.chunk.char_start <= c["char_start"] and c["char_end"] <= h.chunk.char_end for h in hits)


def evaluate(kb: KnowledgeReader, *, seed: int = 0, request: Mapping[str, int] = STANDARD_REQUEST) -> dict:
    started = time.perf_counter()
    materials = materials_for(kb)
    view = materials.view
    docs = []
    all_items: list[dict] = []
    rejected: Counter[str] = Counter()
    for document in sorted(kb.documents(), key=lambda d: d.doc_id):
        t0 = time.perf_counter()
        result = generate_quiz(kb, QuizSpec((document.doc_id,), dict(request), seed=seed))
        produced = Counter(item["type"] for item in result.items)
        chars = len(view.texts[document.doc_id])
        audits = [audit_item(item, view) for item in result.items]
        summary = summarize(result.items, [document.doc_id])
        docs.append({
            "doc_id": document.doc_id, "title": document.title, "chars": chars,
            "requested": dict(request), "produced": {k: produced.get(k, 0) for k in request},
            "met": sum(produced.values()) >= sum(request.values()),  # a small document's shortfall is topped up with 判断/填空
            "met_by_type": all(produced.get(k, 0) >= n for k, n in request.items()),
            "rejected": result.rejected, "shortfall": result.shortfall,
            "not_grounded": sum(not a["grounded"] for a in audits), "leaks": sum(a["leak"] for a in audits),
            "ambiguous": sum(a["ambiguous"] for a in audits), "near_duplicate_stems": summary["near_duplicate_stems"],
            "max_chunk_uses": summary["max_chunk_uses"], "seconds": round(time.perf_counter() - t0, 2),
            "judge_true_share": summary["judge_true_share"], "judge_balanced": summary["judge_balanced"],
            "letters_balanced": summary["letters_balanced"],
        })
        rejected.update(result.rejected)
        all_items += result.items
    audits = [audit_item(item, view) for item in all_items]
    retrieved = [retrieves(kb, item) for item in all_items]
    summary = summarize(all_items)
    stems = [i["stem"] for i in all_items]
    duplicates = sum(1 for n, s in enumerate(stems) if near_duplicate(s, stems[:n]))
    big = [d for d in docs if d["chars"] >= MIN_DOC_CHARS]
    rng = random.Random(f"sample:{seed}")
    sample = rng.sample(all_items, min(SAMPLE_SIZE, len(all_items)))
    n = max(1, len(all_items))
    return {
        **item_figures(all_items),
        "request": dict(request), "seed": seed, "documents": docs, "items": len(all_items),
        "requested_total": sum(request.values()) * len(docs),
        "grounded_share": round(sum(a["grounded"] for a in audits) / n, 4),
        "leaks": sum(a["leak"] for a in audits),
        "ambiguous_in_output": sum(a["ambiguous"] for a in audits),
        "duplicate_stems": duplicates, "duplicate_rate": round(duplicates / n, 4),
        "duplicate_stems_within_sets": sum(d["near_duplicate_stems"] for d in docs),
        "sets_with_unbalanced_letters": [d["doc_id"] for d in docs if not d["letters_balanced"]],
        "sets_with_unbalanced_judges": [d["doc_id"] for d in docs if not d["judge_balanced"]],
        "retrieval_top3_share": round(sum(retrieved) / n, 4),
        "single_letter_share": summary["single_letter_share"], "single_letters": summary["single_letters"],
        "multi_letters": summary["multi_letters"], "judge_true_share": summary["judge_true_share"],
        "max_chunk_uses": max((d["max_chunk_uses"] for d in docs), default=0),
        "rejected": dict(sorted(rejected.items())),
        "docs_at_least_3000_chars": len(big), "docs_at_least_3000_chars_met": sum(d["met"] for d in big),
        "by_method": dict(sorted(Counter(i["generator"]["method"] for i in all_items).items())),
        "seconds": round(time.perf_counter() - started, 1),
        "sample": sample,
    }


def _fmt_item(n: int, item: dict) -> list[str]:
    lines = [f"{n}. **[{item['type']}]** {item['stem']}"]
    for option in item["options"]:
        lines.append(f"   - {option['key']}. {option['text']}")
    answer = "、".join(item["answer"]["keys"]) or "；".join(item["answer"]["texts"])
    c = item["citation"]
    lines.append(f"   - 答案：{answer}（{'；'.join(item['answer']['texts'])}） · 方法 `{item['generator']['method']}` · 检索排名 {item['checks']['retrieval_rank']}")
    lines.append(f"   - 出处：《{c['title']}》 {c['section'] or '正文'} · `{c['chunk_id']}` [{c['char_start']}:{c['char_end']}]")
    lines.append(f"   - {item['explanation']}")
    return lines


def to_markdown(report: dict) -> str:
    req = report["request"]
    out = ["# Quiz generation evaluation (`wuxue quiz-eval`)", "",
           (f"One set per indexed document with the standard request {req['single']} 单选 + {req['multi']} 多选 + "
           f"{req['blank']} 填空 + {req['judge']} 判断 (difficulty medium, seed {report['seed']}), real embedding model."), "",
           "## Summary", "", "| measure | value | goal |", "|---|---|---|",
           f"| items produced / requested | {report['items']} / {report['requested_total']} | |",
           f"| documents ≥ 3,000 chars with the request met | {report['docs_at_least_3000_chars_met']} / {report['docs_at_least_3000_chars']} | all |",
           f"| grounded (quote = document slice, answer in quote) | {report['grounded_share']:.1%} | 100% |",
           f"| items failing the ambiguity audit in the output | {report['ambiguous_in_output']} | 0 |",
           f"| items leaking the answer | {report['leaks']} | 0 |",
           f"| near-duplicate stems within a set | {report['duplicate_stems_within_sets']} | 0 |",
           f"| near-duplicate stems across all sets (different documents) | {report['duplicate_stems']} (rate {report['duplicate_rate']:.1%}) | |",
           f"| stem retrieves the cited chunk in the top 3 | {report['retrieval_top3_share']:.1%} | ≥ 90% |",
           f"| 单选 answer letters | {report['single_letter_share']} | each 25 ± 10% |",
           f"| 判断 true share | {report['judge_true_share']} | 40–60% |",
           f"| sets whose 判断 true share is outside 40–60% | {len(report['sets_with_unbalanced_judges'])} {report['sets_with_unbalanced_judges'] or ''} | |",
           f"| 多选 answer letters | {report['multi_letters']} | |",
           f"| max uses of one chunk in a set | {report['max_chunk_uses']} | ≤ 2 |",
           f"| options on the blocklist (share) | {report['blocklist_share']:.1%} {report['blocklist_hits'] or ''} | 0 |",
           f"| 多选 asking the whole list | {report['multi_whole_list_share']:.1%} | 100% |",
           f"| stems with “……” | {report['stems_with_ellipsis']} ({report['stems_with_ellipsis_share']:.1%}) | 0 |",
           f"| items per fact kind | {report['fact_kind_share']} | |",
           f"| time | {report['seconds']} s | |", "",
           "Candidates dropped, by gate (all documents): " + ("，".join(f"{k} {v}" for k, v in report["rejected"].items()) or "none") + ".", "",
           "Items by method: " + ", ".join(f"{k} {v}" for k, v in report["by_method"].items()) + ".", "",
           "## Per document", "",
           "| document | chars | single | multi | blank | judge | met | 判断 true | dropped by gates | not grounded | ambiguous | dup | s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in report["documents"]:
        p = d["produced"]
        out.append(f"| {d['doc_id']} | {d['chars']} | {p['single']}/{req['single']} | {p['multi']}/{req['multi']} | {p['blank']}/{req['blank']} | "
                   f"{p['judge']}/{req['judge']} | {'yes' if d['met'] else 'no'} | {d['judge_true_share']} | {sum(d['rejected'].values())} | {d['not_grounded']} | "
                   f"{d['ambiguous']} | {d['near_duplicate_stems']} | {d['seconds']} |")
    shortfalls = [(d["doc_id"], s) for d in report["documents"] for s in d["shortfall"]]
    if shortfalls:
        out += ["", "Shortfalls:", ""]
        out += [f"- {doc} {s['type']} {s['produced']}/{s['requested']}: {s['reason']}" for doc, s in shortfalls]
    out += ["", f"## {len(report['sample'])} random items with their sources", ""]
    for n, item in enumerate(report["sample"], start=1):
        out += _fmt_item(n, item) + [""]
    return "\n".join(out)


def run_quiz_eval(kb: KnowledgeReader, *, output: Path, seed: int = 0) -> dict:
    report = evaluate(kb, seed=seed)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(to_markdown(report), encoding="utf-8")
    output.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(to_markdown(report).split("## Per document")[0])
    return report
