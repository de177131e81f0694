"""OCR quality on the 宪法 PDF turned into a scan: character accuracy, speed, and retrieval on the OCR'd copy.

    python -m wuxue.evaluation.ocr_eval                # default: pages 2-31 clean, 2-9 noisy, retrieval on all pages
    python -m wuxue.evaluation.ocr_eval --noisy-pages 4 --no-retrieval   # quicker

The pages of tests/fixtures/xianfa_2018.pdf are rendered to images (as a scanner
would at 144 dpi), optionally degraded like a cheap office scanner (a small
rotation, blur, sensor noise, JPEG artefacts), packed into an image-only PDF and
read back through the normal ingest path (:mod:`wuxue.ingest.loaders.pdf`, which
OCRs pages without a text layer). Character accuracy is ``1 - edit distance /
reference length`` against the gold text (corpus/xianfa_2018.txt, the same file as
the shared gold text), after NFKC and with whitespace removed; page 1 is left out
because it carries a table of contents the gold text does not have. Retrieval asks
every gold question about the 宪法 against a one-document index of the text-layer
copy and of the OCR'd copy (same embedder, same settings) and compares hit@5.
Results go to evaluation/results/ocr.md.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import unicodedata
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from wuxue.ingest.loaders import ocr as ocr_module
from wuxue.ingest.loaders.scan import RENDER_SCALE

REPO = Path(__file__).resolve().parent.parent
PDF = REPO / "tests" / "fixtures" / "xianfa_2018.pdf"
GOLD = REPO / "corpus" / "xianfa_2018.txt"
RESULTS = REPO / "evaluation" / "results" / "ocr.md"


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions through a running minimum)."""
    if not a or not b:
        return max(len(a), len(b))
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(b) + 1)
    previous = columns.copy()
    for i, ch in enumerate(a, start=1):
        cost = (codes_b != ord(ch)).astype(np.int64)
        row = np.empty_like(previous)
        row[0] = i
        row[1:] = np.minimum(previous[1:] + 1, previous[:-1] + cost)
        row = np.minimum.accumulate(row - columns) + columns
        previous = row
    return int(previous[-1])


def locate(gold: str, reference: str, window: int = 12) -> tuple[int, int]:
    """The span of ``gold`` that the pages cover, found from the first and last windows of their text layer."""
    start = next((gold.find(reference[i : i + window]) for i in range(0, len(reference) - window)
                  if gold.find(reference[i : i + window]) >= 0), 0)
    end = next((gold.rfind(reference[j - window : j]) + window for j in range(len(reference), window, -1)
                if gold.rfind(reference[j - window : j], start) >= 0), len(gold))
    return start, end


def render_pages(pages: list[int], scale: float) -> list[Image.Image]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(PDF.read_bytes())
    return [document[n - 1].render(scale=scale).to_pil().convert("RGB") for n in pages]


def scanner_noise(image: Image.Image, seed: int) -> Image.Image:
    """What a cheap office scanner adds: a skew of up to 1.5°, blur, grey sensor noise, JPEG at quality 40."""
    rng = np.random.default_rng(seed)
    image = image.rotate(float(rng.uniform(-1.5, 1.5)), resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(radius=0.8))
    pixels = np.asarray(image).astype(np.float32)
    pixels = pixels * 0.92 + 12 + rng.normal(0, 10, pixels.shape[:2])[:, :, None]  # duller contrast, noise
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def image_pdf(images: list[Image.Image]) -> bytes:
    """An image-only PDF (no text layer), as a scanner produces."""
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=72 * RENDER_SCALE)
    return buffer.getvalue()


def text_layer(pages: list[int]) -> str:
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    return "".join(reader.pages[n - 1].extract_text() or "" for n in pages)


def ocr_copy(pdf: bytes, filename: str, pages: list[int]) -> tuple[str, dict[int, float], float, float]:
    """OCR an image-only PDF through the ingest loader; (text of ``pages``, their confidences, wall and CPU seconds)."""
    from wuxue.ingest.loaders import load_bytes

    with ExitStack() as stack:  # load every engine before timing (borrowed at once, so none is reused)
        for _ in range(ocr_module.WORKERS):
            stack.enter_context(ocr_module.engine())
    started, cpu = time.perf_counter(), time.process_time()
    raw = load_bytes(pdf, filename)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    text = "\n".join(block.text for block in raw.blocks if block.page in pages)
    return text, {p: c for p, c in raw.ocr_pages.items() if p in pages}, seconds, cpu_seconds


def accuracy(pages: list[int], ocr_text: str, gold: str) -> dict[str, float]:
    start, end = locate(gold, normalise(text_layer(pages)))
    reference = gold[start:end]
    distance = edit_distance(normalise(ocr_text), reference)
    return {"accuracy": 1 - distance / max(len(reference), 1), "errors": distance, "reference_chars": len(reference)}


def retrieval(ocr_pdf: bytes) -> dict[str, dict[str, float]]:
    """hit@5 for the 宪法 gold questions on a one-document index of each copy."""
    from wuxue.evaluation.datasets import gold_questions
    from wuxue.evaluation.metrics import retrieval_metrics
    from wuxue.ingest.manifest import ManifestEntry
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    questions = [q for q in gold_questions() if q.doc_id == "xianfa_2018"]
    entry = ManifestEntry(file="xianfa_2018.pdf", doc_id="xianfa_2018", title="中华人民共和国宪法", issuer="全国人民代表大会",
                          date="2018-03-11", kind="法律", aliases=["宪法"])
    results: dict[str, dict[str, float]] = {}
    embedder = None
    with tempfile.TemporaryDirectory() as scratch:
        for name, data in (("text layer", PDF.read_bytes()), ("OCR", ocr_pdf)):
            settings = load_settings(data_dir=Path(scratch) / name.replace(" ", "_"))
            kb = KnowledgeBase(settings, embedder=embedder) if embedder is not None else KnowledgeBase(settings)
            report = kb.ingest_bytes(data, "xianfa_2018.pdf", entry)
            assert not report.failed, report.failed
            embedder = kb.embedder
            rankings = [[hit.chunk.text for hit in kb.search(q.question, k=10).hits] for q in questions]
            results[name] = retrieval_metrics(rankings, [[q.span] for q in questions])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clean-pages", type=int, default=30, help="pages 2..N+1 rendered clean")
    parser.add_argument("--noisy-pages", type=int, default=8, help="pages 2..N+1 with scanner noise")
    parser.add_argument("--no-retrieval", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    gold = normalise(GOLD.read_text(encoding="utf-8"))
    rows = []
    rendered = list(range(1, 2 + args.clean_pages))  # page 1 is OCR'd (it belongs to the copy) but not scored
    clean_pages = rendered[1:]
    clean_pdf = image_pdf(render_pages(rendered, RENDER_SCALE))
    text, conf, seconds, cpu = ocr_copy(clean_pdf, "xianfa_clean.pdf", clean_pages)
    rows.append(("clean", clean_pages, accuracy(clean_pages, text, gold), seconds, cpu, len(rendered), conf))
    rendered = list(range(1, 2 + args.noisy_pages))
    noisy_pages = rendered[1:]
    noisy_images = [scanner_noise(image, seed) for seed, image in enumerate(render_pages(rendered, RENDER_SCALE))]
    text, conf, seconds, cpu = ocr_copy(image_pdf(noisy_images), "xianfa_noisy.pdf", noisy_pages)
    rows.append(("scanner noise", noisy_pages, accuracy(noisy_pages, text, gold), seconds, cpu, len(rendered), conf))
    retrieval_rows = None
    if not args.no_retrieval:
        whole = clean_pdf if args.clean_pages >= 30 else image_pdf(render_pages(list(range(1, 32)), RENDER_SCALE))
        retrieval_rows = retrieval(whole)  # the clean copy's OCR is remembered by content, so this reads no page twice
    report = format_report(rows, retrieval_rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    return 0


def format_report(rows: list[tuple[str, list[int], dict[str, float], float, float, int, dict[int, float]]],
                  retrieval_rows: dict[str, dict[str, float]] | None) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# OCR on the 宪法 PDF as a scan",
        "",
        "Command: `python -m wuxue.evaluation.ocr_eval` (RapidOCR PP-OCRv4 from the rapidocr-onnxruntime wheel,"
        f" pages rendered with PDFium at {72 * RENDER_SCALE:.0f} dpi, {os.cpu_count()} CPU cores, load average {load:.1f} at the end of the run).",
        "Character accuracy = 1 − edit distance / reference length against the gold text (NFKC, whitespace removed); page 1"
        " (table of contents) is left out. Speed includes rendering, OCR, reading order and header removal.",
        "",
        "Pages/s is wall-clock on this machine while it runs; CPU s/page is the work per page (all threads), and"
        f" {ocr_module.WORKERS} ÷ CPU s/page is the rate on {ocr_module.WORKERS} otherwise idle cores (pages are recognised"
        f" {ocr_module.WORKERS} at a time, one single-threaded engine each).",
        "",
        "| scan | scored pages | characters | errors | accuracy | pages/s (wall) | CPU s/page | pages/s on idle cores | mean confidence | pages below 0.85 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, pages, acc, seconds, cpu, count, conf in rows:
        low = sum(1 for score in conf.values() if score < ocr_module.LOW_CONFIDENCE)
        lines.append(f"| {name} | {pages[0]}–{pages[-1]} | {acc['reference_chars']:.0f} | {acc['errors']:.0f} | {acc['accuracy']:.4f} |"
                     f" {count / seconds:.2f} | {cpu / count:.2f} | {ocr_module.WORKERS * count / cpu:.2f} |"
                     f" {np.mean(list(conf.values())):.3f} | {low} |")
    if retrieval_rows:
        lines += ["", "Retrieval, one-document index of each copy of the whole PDF (31 pages), the "
                  f"{retrieval_rows['OCR']['queries']:.0f} gold questions about the 宪法, hybrid search, real embedder:", "",
                  "| copy | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|"]
        for name, metrics in retrieval_rows.items():
            lines.append(f"| {name} | {metrics['hit@1']:.3f} | {metrics['hit@5']:.3f} | {metrics['mrr@10']:.3f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
