"""Corpus terms with parts of speech (jieba.posseg): word boundaries and same-kind distractor terms.

Besides single words, runs of nouns (科教兴国 战略 → 科教兴国战略) and verb + noun runs
(坚持 民主集中制) are kept as phrases, because enumeration items are phrases of that shape.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba
import jieba.posseg

from wuxue.index.tokenizer import user_dictionary_terms

_NOUNISH = ("n", "vn", "an", "nz", "ns", "nt", "nr", "ng", "b", "j", "l", "i")
_PHRASE_MAX = 12


def pos_class(flag: str) -> str:
    """Coarse class: n (noun-like), v (verb), a (adjective), m (number) or x."""
    if flag.startswith(_NOUNISH) or flag in {"n", "nz"}:
        return "n"
    if flag.startswith("v"):
        return "v"
    if flag.startswith("a"):
        return "a"
    if flag.startswith("m"):
        return "m"
    return "x"


class Segmenter:
    """A private jieba instance with the political-terms user dictionary (no global state touched)."""

    def __init__(self, extra_terms: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._pos: jieba.posseg.POSTokenizer | None = None
        self._extra = list(extra_terms)
        self._memo: dict[str, list[tuple[str, str]]] = {}  # short texts (items, options) are tagged again and again

    def _engine(self) -> jieba.posseg.POSTokenizer:
        with self._lock:
            if self._pos is None:
                tokenizer = jieba.Tokenizer()
                for term in user_dictionary_terms() + self._extra:
                    tokenizer.add_word(term, 100_000, "nz")
                self._pos = jieba.posseg.POSTokenizer(tokenizer)
            return self._pos

    def tag(self, text: str) -> list[tuple[str, str]]:
        found = self._memo.get(text)
        if found is None:
            found = [(p.word, p.flag) for p in self._engine().cut(text)]
            if len(text) <= 24:
                self._memo[text] = found
        return list(found)

    def words(self, text: str) -> list[str]:
        return [w for w, _ in self.tag(text)]

    def signature(self, phrase: str) -> tuple[str, str]:
        """(class of the first word, class of the last word) of a phrase, e.g. ('v', 'n') for 坚持民主集中制."""
        tags = [f for w, f in self.tag(phrase) if w.strip()]
        if not tags:
            return ("x", "x")
        return (pos_class(tags[0]), pos_class(tags[-1]))


@dataclass
class Lexicon:
    """Term → (signature, count); looked up by (signature, suffix) and length for distractors."""

    counts: Counter[str] = field(default_factory=Counter)
    signatures: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add_sentence(self, tagged: list[tuple[str, str]]) -> None:
        run: list[tuple[str, str]] = []
        for word, flag in tagged + [("", "x")]:
            cls = pos_class(flag)
            if cls in {"n", "v", "a"} and word.strip():
                run.append((word, cls))
                continue
            self._add_run(run)
            run = []

    def _add_run(self, run: list[tuple[str, str]]) -> None:
        for word, cls in run:
            if 2 <= len(word) <= _PHRASE_MAX:
                self._add(word, (cls, cls))
        # maximal phrases ending in a noun, starting with a noun or a verb
        for i in range(len(run)):
            for j in range(i + 1, len(run)):
                words = run[i : j + 1]
                text = "".join(w for w, _ in words)
                if len(text) > _PHRASE_MAX:
                    break
                if words[-1][1] == "n" and words[0][1] in {"n", "v", "a"} and all(c != "v" for _, c in words[1:]):
                    self._add(text, (words[0][1], "n"))

    def _add(self, term: str, signature: tuple[str, str]) -> None:
        self.counts[term] += 1
        self.signatures.setdefault(term, signature)

    def candidates(self, answer: str, signature: tuple[str, str], *, suffix_len: int = 1, length_slack: int = 1) -> list[str]:
        """Terms of the same signature and suffix and similar length, most frequent first."""
        suffix = answer[-suffix_len:] if suffix_len else ""
        found = [
            term for term, sig in self.signatures.items()
            if sig == signature and term != answer and abs(len(term) - len(answer)) <= length_slack
            and (not suffix or term.endswith(suffix))
        ]
        return sorted(found, key=lambda t: (-self.counts[t], t))

def build_lexicon(segmenter: Segmenter, sentences: Iterable[str]) -> Lexicon:
    lexicon = Lexicon()
    for text in sentences:
        lexicon.add_sentence(segmenter.tag(text))
    return lexicon
