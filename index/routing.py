"""Documents a question names: members say “党章规定…”, “根据科普法…”, “《基金会管理条例》…”."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wuxue.ingest.clean import fold_for_search

MIN_NAME_CHARS = 2


class DocumentRouter:
    """Finds document titles and aliases inside a question; the longest matching name wins overlaps."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        pairs = [(fold_for_search(name), doc_id) for doc_id, doc_names in names.items() for name in doc_names]
        self._names = sorted({(n, d) for n, d in pairs if len(n) >= MIN_NAME_CHARS}, key=lambda item: -len(item[0]))

    def named(self, question: str) -> set[str]:
        folded = fold_for_search(question)
        found: set[str] = set()
        taken: list[tuple[int, int]] = []
        for name, doc_id in self._names:
            start = folded.find(name)
            if start < 0:
                continue
            end = start + len(name)
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e in taken):
                continue  # inside a longer name already matched (e.g. 条例 within 基金会管理条例)
            taken.append((start, end))
            found.add(doc_id)
        return found
