"""Everything generation needs from one index snapshot, built once and reused while it is current:
the sentence view, the segmenter and lexicon, every document's atoms and the distractor pool.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wuxue.quiz.atoms import Atom, enumerations, mine_atoms
from wuxue.quiz.categories import build_categories
from wuxue.quiz.corpus import CorpusView, build_corpus_view
from wuxue.quiz.distractors import DistractorPool, build_pool
from wuxue.quiz.gates import GateContext, quiz_stopwords
from wuxue.quiz.lexicon import Segmenter, build_lexicon

if TYPE_CHECKING:
    from wuxue.knowledge_reader import KnowledgeReader


@dataclass
class QuizMaterials:
    view: CorpusView
    segmenter: Segmenter
    atoms: dict[str, list[Atom]]
    pool: DistractorPool
    gates: GateContext


def build_materials(kb: KnowledgeReader) -> QuizMaterials:
    snapshot = kb.snapshot
    view = build_corpus_view(snapshot.store)
    segmenter = Segmenter()
    lexicon = build_lexicon(segmenter, (s.text for s in view.all_sentences()))
    def is_term(term: str) -> bool:  # 所在单位基层党委, 纪委报机关党委, 权市场交易制度: phrases, not terms
        tags = segmenter.tag(term)
        return (lexicon.counts[term] >= 2 and len(tags[0][0]) >= 2 and len(term) <= 10
                and all(f.startswith(("n", "b", "j")) and len(w) >= 2 and w not in {"所在", "所属"} for w, f in tags))

    nounish = (t for t, sig in lexicon.signatures.items() if sig[0] == "n" and is_term(t))
    categories = build_categories(nounish)  # 完善…制度, 指派下级党组织, 经中央委员会 are no organ or rule
    atoms = {doc_id: mine_atoms(sentences, segmenter, categories) for doc_id, sentences in view.sentences.items()}
    all_atoms = [a for doc in sorted(atoms) for a in atoms[doc]]

    def embed(texts: object) -> np.ndarray:
        vectors = kb.embedder.embed(list(texts))  # type: ignore[call-overload]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    semantic = not kb.embedder.model_id.startswith("hashing")  # the fake embedder has no similarity worth ranking by
    pool = build_pool(all_atoms, enumerations(all_atoms), lexicon, segmenter, embed if semantic else None, categories)
    return QuizMaterials(view, segmenter, atoms, pool, GateContext(view, pool, quiz_stopwords()))


_CACHE: weakref.WeakKeyDictionary[object, QuizMaterials] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def materials_for(kb: KnowledgeReader) -> QuizMaterials:
    """Materials of the knowledge base's current snapshot (rebuilt after every index change)."""
    snapshot = kb.snapshot
    with _LOCK:
        found = _CACHE.get(snapshot)
        if found is None:
            found = build_materials(kb)
            _CACHE[snapshot] = found
        return found
