"""Answer-set evaluation (issue 12): complete answers, piece recall, first line, quiz forms, lengths, retrieval.

Run on the current index (``wuxue ingest corpus/`` first):

    python -m wuxue.evaluation.answer_eval [-o evaluation/results/answers.json] [--no-heldout]

The held-out run builds a scratch index of ``corpus/`` without the kept-out document, then adds it the way an
admin upload does (``check_upload`` + ``ingest_bytes``) and reports its figures apart. ``wuxue eval`` runs the
same and prints the same tables.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import typer

from wuxue.answering import AskResult, ask
from wuxue.answering.ask import supporting_sentence
from wuxue.answering.compose import RETRIEVAL_SHARE, Citation, chunk_citation
from wuxue.answering.question import analyze
from wuxue.answering.refusal import RefusalModel, kind_margin, load_refusal_model
from wuxue.evaluation.answer_metrics import answer_metrics, hit_at, quiz_correct
from wuxue.evaluation.answer_sets import (AnswerQuestion, QuizItem, after_dirs, answer_questions, heldout_dirs, heldout_documents,
                                          quiz_items)
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.ingest.manifest import ManifestEntry, read_manifest
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings

FORMS = ("single", "multi", "blank", "judge")


def _retrieval(kb: KnowledgeBase, questions: Sequence[AnswerQuestion]) -> dict[str, float]:
    rankings = [[(h.chunk.doc_id, h.chunk.text) for h in kb.search(q.question, k=10).hits] for q in questions]
    docs = [q.doc_ids for q in questions]
    pieces = [q.pieces for q in questions]
    return {"hit@1": hit_at(rankings, docs, pieces, 1), "hit@5": hit_at(rankings, docs, pieces, 5)}


def _answers_block(questions: Sequence[AnswerQuestion], answers: Sequence[AskResult]) -> dict[str, float]:
    return answer_metrics([a.answer for a in answers], [q.pieces for q in questions], [q.single_fact for q in questions],
                          [a.found for a in answers])


def _quiz_block(items: Sequence[QuizItem], answers: Sequence[AskResult]) -> dict[str, float]:
    right = [quiz_correct(i.form, i.key, a.answer) for i, a in zip(items, answers)]
    block: dict[str, float] = {"items": len(items), "accuracy": sum(right) / len(items) if items else 0.0}
    for form in FORMS:
        picked = [r for r, i in zip(right, items) if i.form == form]
        if picked:
            block[form] = sum(picked) / len(picked)
            block[f"{form}_items"] = len(picked)
    return block


def _split(questions: Sequence[object], added: Sequence[bool]) -> tuple[list[int], list[int]]:
    return [i for i, a in enumerate(added) if not a], [i for i, a in enumerate(added) if a]


def _overlaps(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return shorter in longer


LEGACY_MAX_CITED = 3  # passages the answer before issue 12 cited (pinned: the current builder's limit may change)


def build_answer(result: SearchResult) -> tuple[str, list[Citation]]:
    """The answer before issue 12 (kept to measure the baseline: ``answer_eval --baseline``).

    Best supporting sentence of each strong passage, deduplicated, in rank order, with markers.

    A passage counts as strong when its sentence scores at least 0.6 of the best sentence and
    retrieval scores it at least ``RETRIEVAL_SHARE`` of the best passage.
    """
    picked: list[tuple[SearchHit, int, int, float]] = []
    for hit in result.hits:
        start, end, score = supporting_sentence(result, hit)
        picked.append((hit, start, end, score))
    if not picked:
        return "", []
    best = max(score for _, _, _, score in picked)
    top = result.hits[0].score
    parts: list[str] = []
    citations: list[Citation] = []
    for rank, (hit, start, end, score) in enumerate(picked):
        sentence = hit.chunk.text[start:end]
        if rank > 0 and (score < 0.6 * best or score == 0 or hit.score < RETRIEVAL_SHARE * top):
            continue
        if any(_overlaps(sentence, existing) for existing in parts):
            continue
        citations.append(chunk_citation(len(citations) + 1, hit, [[start, end]]))
        parts.append(sentence)
        if len(citations) == LEGACY_MAX_CITED:
            break
    answer = "\n".join(f"{sentence}[{c.marker}]" for sentence, c in zip(parts, citations))
    return answer, citations


def legacy_ask(kb: KnowledgeBase, question: str, *, refusal: RefusalModel) -> AskResult:
    """The answer as built before issue 12 (best sentences of the retrieved chunks): the baseline."""
    result = kb.search(question, k=kb.settings.top_k)
    found = refusal.decide(result, margin=kind_margin(analyze(question).kind))  # refused as ask() refuses it
    if not found:
        return AskResult(question, False, "", [])
    answer, citations = build_answer(result)
    return AskResult(question, True, answer, citations)


def evaluate_sets(kb: KnowledgeBase, questions: Sequence[AnswerQuestion], items: Sequence[QuizItem], *,
                  refusal: RefusalModel | None = None, baseline: bool = False) -> dict[str, object]:
    """Every answer-set figure, on all questions and on the original and the added ones apart."""
    model = refusal or load_refusal_model()
    answer = (lambda text: legacy_ask(kb, text, refusal=model)) if baseline else (lambda text: ask(kb, text, refusal=model))
    answers = [answer(q.question) for q in questions]
    quiz = [answer(i.question) for i in items]
    results: dict[str, object] = {}
    for name, keep in (("all", lambda added: True), ("original", lambda added: not added), ("added", lambda added: added)):
        qs = [i for i, q in enumerate(questions) if keep(q.added)]
        zs = [i for i, z in enumerate(items) if keep(z.added)]
        block: dict[str, object] = {}
        if qs:
            block["answers"] = _answers_block([questions[i] for i in qs], [answers[i] for i in qs])
            block["retrieval"] = _retrieval(kb, [questions[i] for i in qs])
        if zs:
            block["quiz"] = _quiz_block([items[i] for i in zs], [quiz[i] for i in zs])
        if block:
            results[name] = block
    results["incomplete"] = [
        {"id": q.id, "question": q.question, "missing": [p for p in q.pieces if p.replace(" ", "") not in a.answer.replace(" ", "")],
         "first_line": a.answer.splitlines()[0] if a.answer else "", "found": a.found}
        for q, a in zip(questions, answers) if not a.found or any(p.replace(" ", "") not in a.answer.replace(" ", "") for p in q.pieces)
    ][:60]
    results["quiz_wrong"] = [
        {"id": i.id, "form": i.form, "key": i.key, "first_line": a.answer.splitlines()[0] if a.answer else ""}
        for i, a in zip(items, quiz) if not quiz_correct(i.form, i.key, a.answer)
    ][:60]
    return results


def _corpus_sources(corpus: Path, leave_out: set[str]) -> list[Path]:
    manifest = read_manifest(corpus)
    return [corpus / name for name, entry in manifest.items() if (entry.doc_id or Path(name).stem) not in leave_out]


def _entry(path: Path) -> ManifestEntry:
    """What the admin types on the upload form: the set's manifest entry, else a text's first line as its title."""
    listed = read_manifest(path.parent).get(path.name)
    if listed is not None:
        return listed.model_copy(update={"doc_id": None})
    title = path.read_text(encoding="utf-8").strip().splitlines()[0].strip() if path.suffix.lower() == ".txt" else path.stem
    return ManifestEntry(file=path.name, title=title, kind="条例")


def _upload_as_admin(kb: KnowledgeBase, data_dir: Path, documents: Sequence[Path], timeout: float = 900.0) -> None:
    """The admin path: the upload desk checks and parses each file, a job runner indexes it."""
    from wuxue.audit import AuditLog
    from wuxue.jobs import JobRunner, JobStore, knowledge_base_handlers
    from wuxue.uploads import Upload, UploadDesk

    jobs = JobRunner(JobStore(data_dir / "app.sqlite"), knowledge_base_handlers(kb))
    desk = UploadDesk(kb, jobs, AuditLog(data_dir / "app.sqlite"))
    jobs.start()
    try:
        for path in documents:
            accepted = desk.accept(Upload(path.name, path.read_bytes()), _entry(path), actor="admin")
            if accepted.doc_id != path.stem:  # the questions name the document by its file stem
                raise RuntimeError(f"held-out upload became {accepted.doc_id}, not {path.stem}")
            deadline = time.monotonic() + timeout
            while (job := jobs.store.get(accepted.job_id)).state in ("queued", "running"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"held-out upload still {job.state} after {timeout:.0f} s")
                time.sleep(0.2)
            if job.state != "succeeded":
                raise RuntimeError(f"held-out upload {job.state}: {job.error}")
    finally:
        jobs.stop()


def heldout_index_dir(settings: Settings, model_id: str) -> Path:
    """The scratch index the kept-out documents are uploaded to (rebuilt by every evaluation run)."""
    return settings.cache_dir / "eval" / f"heldout-{model_id}-{settings.chunk_size}-{settings.chunk_overlap}"


def evaluate_heldout(kb: KnowledgeBase, corpus: Path = Path("corpus"), *, baseline: bool = False) -> dict[str, object]:
    """Index the corpus without every kept-out document, upload them as an admin would, then evaluate each set's
    questions apart (``{set name: {"documents": [...], "all": …}}``)."""
    folders = heldout_dirs()
    documents = [p for f in folders for p in heldout_documents(f)]
    if not documents or not (corpus / "manifest.toml").is_file():
        return {}
    stems = {p.stem for p in documents}
    settings = kb.settings
    scratch = heldout_index_dir(settings, kb.embedder.model_id)
    if scratch.exists():
        import shutil

        shutil.rmtree(scratch)
    held = KnowledgeBase(settings.model_copy(update={"data_dir": scratch}), embedder=kb.embedder.inner)
    results: dict[str, object] = {}
    try:
        held.ingest_paths(_corpus_sources(corpus, stems))
        held.load()
        _upload_as_admin(held, scratch, documents)
        held.load()
        for folder in folders:
            block = evaluate_sets(held, answer_questions(folder), quiz_items(folder), baseline=baseline)
            asked = sorted({d for q in answer_questions(folder) for d in q.doc_ids})
            results[folder.name] = {"documents": sorted(p.stem for p in heldout_documents(folder)) or asked, **block}
    finally:
        held.close()
    return results


def _row(label: str, block: dict[str, object]) -> str:
    a = block.get("answers", {})
    r = block.get("retrieval", {})
    z = block.get("quiz", {})
    assert isinstance(a, dict) and isinstance(r, dict) and isinstance(z, dict)

    def f(d: dict[str, object], key: str, form: str = "{:.3f}") -> str:
        return form.format(d[key]) if key in d else "–"

    return (f"| {label} | {f(a, 'questions', '{}')} | {f(r, 'hit@1')} | {f(r, 'hit@5')} | {f(a, 'complete')} | {f(a, 'piece_recall')} | "
            f"{f(a, 'first_line')} | {f(a, 'median_length', '{:.0f}')} | {f(a, 'median_length_single_fact', '{:.0f}')} | "
            f"{f(a, 'refused')} | {f(z, 'items', '{}')} | {f(z, 'accuracy')} | "
            + " / ".join(f(z, form, "{:.2f}") for form in FORMS) + " |")


def format_answer_tables(results: dict[str, object]) -> str:
    lines = ["### Answer sets: complete answers and quiz forms", "",
             "| set | questions | hit@1 | hit@5 | complete | piece recall | first line | median length | median length, single fact "
             "| refused | quiz items | quiz accuracy | single / multi / blank / judge |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    corpus = results.get("corpus", {})
    assert isinstance(corpus, dict)
    for name, label in (("original", "bundled corpus, original"), ("added", "bundled corpus, added"), ("all", "bundled corpus, all")):
        block = corpus.get(name)
        if isinstance(block, dict):
            lines.append(_row(label, block))
    after = results.get("after", {})
    for name, block in (after.items() if isinstance(after, dict) else []):
        if isinstance(block, dict) and isinstance(block.get("all"), dict):
            lines.append(_row(f"bundled corpus, written after the change ({name})", block["all"]))
    heldout = results.get("heldout", {})
    for name, block in (heldout.items() if isinstance(heldout, dict) else []):
        if isinstance(block, dict) and isinstance(block.get("all"), dict):
            lines.append(_row(f"held-out upload ({name}: " + ", ".join(block.get("documents", [])) + ")", block["all"]))
    return "\n".join(lines)


def run_answer_evaluation(kb: KnowledgeBase, *, heldout: bool = True, corpus: Path = Path("corpus"),
                          baseline: bool = False) -> dict[str, object]:
    started = time.time()
    results: dict[str, object] = {"corpus": evaluate_sets(kb, answer_questions(), quiz_items(), baseline=baseline)}
    results["after"] = {f.name: evaluate_sets(kb, answer_questions(f), quiz_items(f), baseline=baseline) for f in after_dirs()}
    if heldout:
        results["heldout"] = evaluate_heldout(kb, corpus, baseline=baseline)
    results["seconds"] = round(time.time() - started, 1)
    return results


def main(
    output: Path = typer.Option(Path("evaluation/results/answers.json"), "-o", help="JSON output"),
    heldout: bool = typer.Option(True, "--heldout/--no-heldout", help="also run the kept-out document as an upload"),
    corpus: Path = typer.Option(Path("corpus"), help="the bundled corpus folder (for the held-out scratch index)"),
    baseline: bool = typer.Option(False, "--baseline", help="answer as before issue 12 (best chunk sentences), for before/after"),
) -> None:
    from wuxue.settings import load_settings

    kb = KnowledgeBase(load_settings())
    kb.load()
    results = run_answer_evaluation(kb, heldout=heldout, corpus=corpus, baseline=baseline)
    typer.echo(format_answer_tables(results))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    typer.run(main)
