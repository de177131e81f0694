"""Scanned pages to text: OCR each page image, drop running headers, keep every page's number and confidence."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from wuxue.ingest.loaders import ocr
from wuxue.ingest.loaders.ocr_layout import drop_running_headers

log = logging.getLogger(__name__)
RENDER_SCALE = 2.0  # 144 dpi: 小四/五号 characters come out about 28 px tall, the recogniser's sweet spot
PageImage = Callable[[], np.ndarray]  # rendered lazily, so only one page image is in memory at a time


def ocr_pages(images: Sequence[tuple[int, PageImage]], *, filename: str = "") -> tuple[dict[int, str], dict[int, float]]:
    """OCR ``(page number, render)`` pairs; return text and mean confidence per page.

    Reports progress per page. In probe mode (an upload check) it stops after the
    first page that yields text: that is enough to accept the file now and read it
    all in the background job.
    """
    texts: dict[int, list[str]] = {}
    confidences: dict[int, float] = {}
    ocr.report_progress(0, len(images))
    for done, (number, render) in enumerate(images, start=1):
        page = ocr.recognise_page(render(), filename=filename)
        texts[number] = page.lines
        confidences[number] = page.confidence
        ocr.report_progress(done, len(images))
        if ocr.probing() and page.lines:
            break
    numbers = list(texts)
    cleaned = drop_running_headers([texts[n] for n in numbers])
    return {n: "\n".join(lines) for n, lines in zip(numbers, cleaned)}, confidences


def low_confidence_pages(confidences: dict[int, float]) -> list[int]:
    """Pages the admin should proofread: some text, but a mean recognition score below the threshold."""
    return sorted(page for page, score in confidences.items() if 0 < score < ocr.LOW_CONFIDENCE)


def _meaningful(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch.isascii() and ch.isalnum()


def needs_ocr(text: str) -> bool:
    """A page whose text layer is empty or garbage (fonts without a Unicode map give private-use or control characters)."""
    letters = [ch for ch in text if not ch.isspace()]
    if len([ch for ch in letters if _meaningful(ch)]) < 10:
        return True
    junk = sum(1 for ch in letters if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or ord(ch) < 32)
    return junk > 0.3 * len(letters)


def render_pdf_pages(data: bytes, numbers: Sequence[int], *, scale: float) -> list[tuple[int, PageImage]]:
    """Lazy renderers for the given 1-based pages through PDFium (pypdfium2 wheel; no system library needed)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)

    def render(number: int) -> np.ndarray:
        bitmap = document[number - 1].render(scale=scale, grayscale=False)
        return np.asarray(bitmap.to_pil().convert("RGB"))

    return [(number, (lambda number=number: render(number))) for number in numbers]


def pages_with_images(data: bytes, numbers: Sequence[int]) -> list[int]:
    """Of the given pages, those that carry an image (a scan); a blank page is not worth recognising."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(data)
    return [n for n in numbers if next(document[n - 1].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2), None) is not None]


def ocr_scanned_pages(data: bytes, pages: list[str], filename: str) -> tuple[list[str], dict[int, float]]:
    """Replace the text of scanned pages (no usable text layer, an image on the page) with their OCR text."""
    candidates = [number for number, text in enumerate(pages, start=1) if needs_ocr(text)]
    if not candidates:
        return pages, {}
    try:
        scanned = pages_with_images(data, candidates)
    except Exception as exc:  # noqa: BLE001 - PDFium rejects what pypdf read: keep the text layer as it is
        log.warning("cannot inspect %s for scanned pages: %s", filename, exc)
        return pages, {}
    if not scanned:
        return pages, {}
    texts, confidences = ocr_pages(render_pdf_pages(data, scanned, scale=RENDER_SCALE), filename=filename)
    merged = list(pages)
    for number, text in texts.items():
        merged[number - 1] = text
    return merged, confidences
