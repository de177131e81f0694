"""Checks over a whole set: near-duplicate stems, balanced answer letters and 判断 truth values,
coverage of the chosen documents, chunk reuse. Used while assembling a set and to report on one.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

from wuxue.quiz.corpus import squash

NEAR_DUPLICATE = 0.6  # Jaccard similarity of character bigrams
MAX_CHUNK_USES = 2
LETTERS = "ABCDE"


def _bigrams(text: str) -> set[str]:
    t = squash(text).replace("（　　）", "_").replace("（）", "_")
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def stem_similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, len(x | y))


def near_duplicate(stem: str, others: Iterable[str], threshold: float = NEAR_DUPLICATE) -> bool:
    return any(stem_similarity(stem, other) >= threshold for other in others)


def balanced_slots(count: int, width: int, rng: random.Random) -> list[int]:
    """Answer positions for ``count`` single-choice items: each letter used equally often, order shuffled."""
    slots = [i % width for i in range(count - count % width)] + rng.sample(range(width), count % width)
    rng.shuffle(slots)
    return slots


def truth_plan(count: int, rng: random.Random) -> list[bool]:
    """Half of the 判断 items true (the odd one decided by the seed), in shuffled order."""
    trues = count // 2 + (1 if count % 2 and rng.random() < 0.5 else 0)
    plan = [True] * trues + [False] * (count - trues)
    rng.shuffle(plan)
    return plan


def summarize(items: Sequence[dict], doc_ids: Sequence[str] = ()) -> dict:
    """Set-level numbers: letters, 判断 balance, duplicates, chunk reuse, coverage."""
    letters: Counter[str] = Counter()
    widths: Counter[int] = Counter()
    multi_letters: Counter[str] = Counter()
    judge = Counter()
    for item in items:
        if item["type"] == "single":
            letters.update(item["answer"]["keys"])
            widths[len(item["options"])] += 1
        elif item["type"] == "multi":
            multi_letters.update(item["answer"]["keys"])
        elif item["type"] == "judge":
            judge[item["answer"]["texts"][0]] += 1
    stems = [item["stem"] for item in items]
    duplicates = sum(1 for i, s in enumerate(stems) if near_duplicate(s, stems[:i]))
    chunk_uses = Counter(item["citation"]["chunk_id"] for item in items)
    covered = {item["citation"]["doc_id"] for item in items}
    singles = sum(letters.values())
    judges = sum(judge.values())
    width = max(widths, key=lambda w: (widths[w], w)) if widths else 4  # 3 options at easy, 4 otherwise
    letter_share = {k: round(letters[k] / singles, 3) for k in LETTERS[:width]} if singles else {}
    return {
        "items": len(items),
        "by_type": dict(Counter(item["type"] for item in items)),
        "single_letters": dict(sorted(letters.items())),
        "single_letter_share": letter_share,
        "letters_balanced": all(abs(v - 1 / width) <= 0.10 for v in letter_share.values()) if singles >= 2 * width else True,
        "multi_letters": dict(sorted(multi_letters.items())),
        "judge_true_share": round(judge["正确"] / judges, 3) if judges else None,
        "judge_balanced": (0.4 <= judge["正确"] / judges <= 0.6) if judges >= 2 else True,
        "near_duplicate_stems": duplicates,
        "max_chunk_uses": max(chunk_uses.values(), default=0),
        "documents_missing": sorted(set(doc_ids) - covered),
    }
