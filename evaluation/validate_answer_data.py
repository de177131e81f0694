"""Check the issue-12 answer data (answers.jsonl, quiz_forms.jsonl, heldout/) against the documents.

Why: every required piece is graded by substring match against the answer text, so a piece that is not
verbatim in its document would make a question impossible to pass. Run:
    python evaluation/validate_answer_data.py
It prints counts per kind/form and exits non-zero on the first class of problems found.
"""

from __future__ import annotations

import json
from functools import cache
import re
import sys
from collections import Counter
from pathlib import Path

from wuxue.answering.question import split_options
from wuxue.evaluation.answer_sets import CIVIL_SETS as ASKED_OF_CIVIL

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "evaluation" / "data"
CORPUS = ROOT / "corpus"
HELDOUT = DATA / "heldout"
AFTER2 = DATA / "after2"
CIVIL = DATA / "heldout_civil"
# the sets asked of the 民法典 upload without a document of their own, as the evaluation runs them
CIVIL_SETS = tuple(name for name in ASKED_OF_CIVIL if name != CIVIL.name)
MAX_PIECE = 30  # a piece is a phrase to find verbatim, not a passage

KINDS = {"list", "definition", "quantity", "date", "actor", "requirement", "procedure", "yesno", "other"}
FORMS = {"single", "multi", "blank", "judge"}
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Remove all whitespace, as the grader does on both sides."""
    return _WS.sub("", text)


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name}:{n}: invalid JSON: {exc}") from exc
    return rows


@cache
def _pdf_text(path: Path) -> str:
    """A kept-out PDF's text layer as pypdf gives it (pages joined by newlines), read once."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def document_text(doc_id: str, docs_dirs: list[Path]) -> str | None:
    for folder in docs_dirs:
        path = folder / f"{doc_id}.txt"
        if path.exists():
            return squash(path.read_text(encoding="utf-8"))
        if (folder / f"{doc_id}.pdf").exists():
            return squash(_pdf_text(folder / f"{doc_id}.pdf"))
    return None


def check_answers(rows: list[dict], docs_dirs: list[Path]) -> list[str]:
    """Every piece must be verbatim (after whitespace removal) in one of the question's documents."""
    errors: list[str] = []
    seen: set[str] = set()
    for row in rows:
        rid = row.get("id", "?")
        for key in ("id", "question", "kind", "doc_ids", "article", "pieces", "single_fact", "added"):
            if key not in row:
                errors.append(f"{rid}: missing {key}")
        if rid in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(rid)
        if row.get("kind") not in KINDS:
            errors.append(f"{rid}: bad kind {row.get('kind')!r}")
        texts = [document_text(d, docs_dirs) for d in row.get("doc_ids", [])]
        if not texts or any(t is None for t in texts):
            errors.append(f"{rid}: unknown doc_ids {row.get('doc_ids')}")
            continue
        pieces = row.get("pieces") or []
        if not pieces:
            errors.append(f"{rid}: no pieces")
        for piece in pieces:
            p = squash(piece)
            if not 2 <= len(p) <= MAX_PIECE:
                errors.append(f"{rid}: piece length {len(p)} out of 2–{MAX_PIECE}: {piece}")
            if not any(p in t for t in texts):
                errors.append(f"{rid}: piece not in document: {piece}")
        if not isinstance(row.get("single_fact"), bool) or not isinstance(row.get("added"), bool):
            errors.append(f"{rid}: single_fact/added must be booleans")
    return errors


def check_quiz(rows: list[dict], docs_dirs: list[Path]) -> list[str]:
    """Keys must have the right shape; a blank's key must be verbatim in the document."""
    errors: list[str] = []
    seen: set[str] = set()
    for row in rows:
        rid = row.get("id", "?")
        for key in ("id", "form", "question", "key", "doc_ids", "added"):
            if key not in row:
                errors.append(f"{rid}: missing {key}")
        if rid in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(rid)
        form, key, question = row.get("form"), row.get("key", ""), row.get("question", "")
        if form not in FORMS:
            errors.append(f"{rid}: bad form {form!r}")
        texts = [document_text(d, docs_dirs) for d in row.get("doc_ids", [])]
        if not texts or any(t is None for t in texts):
            errors.append(f"{rid}: unknown doc_ids {row.get('doc_ids')}")
            continue
        if form == "single" and not re.fullmatch(r"[A-E]", key):
            errors.append(f"{rid}: single key must be one letter: {key}")
        if form == "multi" and (not re.fullmatch(r"[A-E]{2,5}", key) or "".join(sorted(set(key))) != key):
            errors.append(f"{rid}: multi key must be sorted distinct letters: {key}")
        if form in {"single", "multi"}:
            letters = {letter for letter, _ in split_options(question)[1]}
            for letter in key:
                if letter not in letters:
                    errors.append(f"{rid}: key letter {letter} is not an option")
        if form == "blank":
            if not re.search(r"（\s*）|\(\s*\)|_{2,}", question):
                errors.append(f"{rid}: blank item without a blank")
            if not any(squash(key) in t for t in texts):
                errors.append(f"{rid}: blank key not in document: {key}")
        if form == "judge" and key not in {"正确", "错误"}:
            errors.append(f"{rid}: judge key must be 正确/错误")
    return errors


def main() -> int:
    sets = [
        ("answers.jsonl", DATA / "answers.jsonl", [CORPUS], check_answers, "kind"),
        ("quiz_forms.jsonl", DATA / "quiz_forms.jsonl", [CORPUS], check_quiz, "form"),
        ("heldout/answers.jsonl", HELDOUT / "answers.jsonl", [HELDOUT], check_answers, "kind"),
        ("heldout/quiz_forms.jsonl", HELDOUT / "quiz_forms.jsonl", [HELDOUT], check_quiz, "form"),
        ("after2/answers.jsonl", AFTER2 / "answers.jsonl", [CORPUS], check_answers, "kind"),
        ("after2/quiz_forms.jsonl", AFTER2 / "quiz_forms.jsonl", [CORPUS], check_quiz, "form"),
        *((f"{name}/{file}", DATA / name / file, [CIVIL], check, field) for name in CIVIL_SETS
          for file, check, field in (("answers.jsonl", check_answers, "kind"), ("quiz_forms.jsonl", check_quiz, "form"))),
    ]
    failed = False
    for name, path, dirs, check, field in sets:
        if not path.exists():
            print(f"{name}: missing")
            failed = True
            continue
        rows = load_jsonl(path)
        errors = check(rows, dirs)
        counts = Counter(r.get(field) for r in rows)
        docs = Counter(r["doc_ids"][0] for r in rows if r.get("doc_ids"))
        added = sum(1 for r in rows if r.get("added"))
        print(f"{name}: {len(rows)} rows, {added} added, {dict(sorted(counts.items()))}, {len(docs)} documents")
        for err in errors:
            print("  " + err)
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
