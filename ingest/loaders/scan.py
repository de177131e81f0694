"""Scanned pages to text: OCR each page image, drop running headers, keep every page's number and confidence."""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import numpy as np

from wuxue.ingest.loaders import ocr
from wuxue.ingest.loaders.ocr_layout import drop_running_headers

log = logging.getLogger(__name__)
RENDER_SCALE = 2.0  # 144 dpi: 小四/五号 characters come out about 28 px tall, the recogniser's sweet spot
PageImage = Callable[[], np.ndarray]  # rendered lazily, so only one page image is in memory at a time


_CACHE_SIZE = 32
_cache: OrderedDict[str, tuple[dict[int, str], dict[int, float]]] = OrderedDict()
_cache_lock = threading.Lock()


def ocr_pages_cached(data: bytes, images: Callable[[], Sequence[tuple[int, PageImage]]], *,
                     filename: str = "") -> tuple[dict[int, str], dict[int, float]]:
    """:func:`ocr_pages`, remembered by file content for the last few files.

    The upload check, the indexing job, a metadata edit and a re-index all parse the
    same bytes; OCR is the one step slow enough (seconds a page) to be worth keeping.
    """
    key = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            texts, confidences = _cache[key]
            ocr.report_progress(len(texts), len(texts))
            return dict(texts), dict(confidences)
    pages = images()
    texts, confidences = ocr_pages(pages, filename=filename)
    if len(texts) == len(pages):  # complete (a probe of a one-page scan reads it all): the job need not read it again
        with _cache_lock:
            _cache[key] = (texts, confidences)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return dict(texts), dict(confidences)


def ocr_pages(images: Sequence[tuple[int, PageImage]], *, filename: str = "") -> tuple[dict[int, str], dict[int, float]]:
    """OCR ``(page number, render)`` pairs; return text and mean confidence per page.

    Reports progress per page. In probe mode (an upload check) it stops after the
    first page that yields text: that is enough to accept the file now and read it
    all in the background job.
    """
    texts: dict[int, list[str]] = {}
    confidences: dict[int, float] = {}
    ocr.report_progress(0, len(images))
    if ocr.probing() or len(images) == 1 or ocr.WORKERS == 1:
        for done, (number, render) in enumerate(images, start=1):
            page = ocr.recognise_page(render(), filename=filename)
            texts[number], confidences[number] = page.lines, page.confidence
            ocr.report_progress(done, len(images))
            if ocr.probing() and page.lines:
                if done < len(images):
                    ocr.probe_cut_short()
                break
    else:
        # PDFium is not thread-safe: pages are rendered here, one or two ahead, and only recognised in the pool.
        remaining = iter(images)
        with ThreadPoolExecutor(max_workers=ocr.WORKERS, thread_name_prefix="ocr") as pool:
            pending: dict[Future[ocr.OcrPage], int] = {}

            def submit_next() -> None:
                item = next(remaining, None)
                if item is not None:
                    pending[pool.submit(ocr.recognise_page, item[1](), filename=filename)] = item[0]

            for _ in range(ocr.WORKERS + 1):
                submit_next()
            done = 0
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        number = pending.pop(future)
                        page = future.result()
                        texts[number], confidences[number] = page.lines, page.confidence
                        done += 1
                        ocr.report_progress(done, len(images))
                        submit_next()
            finally:
                for future in pending:
                    future.cancel()  # a cancelled job or a failed page stops the rest
    texts = dict(sorted(texts.items()))
    numbers = list(texts)
    cleaned = drop_running_headers([texts[n] for n in numbers])
    return {n: "\n".join(lines) for n, lines in zip(numbers, cleaned)}, confidences


def low_confidence_pages(confidences: dict[int, float]) -> list[int]:
    """Pages the admin should proofread: some text, but a mean recognition score below the threshold."""
    return sorted(page for page, score in confidences.items() if 0 < score < ocr.LOW_CONFIDENCE)


def _meaningful(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch.isascii() and ch.isalnum()


def is_garbage(text: str) -> bool:
    """A text layer that is there but unreadable: fonts without a Unicode map give private-use or control
    characters, or Latin-1 mojibake instead of Chinese."""
    letters = [ch for ch in text if not ch.isspace()]
    if len(letters) < 5:
        return False
    junk = sum(1 for ch in letters if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or ord(ch) < 32)
    meaningful = sum(1 for ch in letters if _meaningful(ch) or unicodedata.category(ch).startswith("P"))
    return junk > 0.3 * len(letters) or meaningful < 0.3 * len(letters)


def needs_ocr(text: str) -> bool:
    """A page with (next to) no usable text: under ten Chinese characters or ASCII letters and digits, or garbage."""
    return sum(1 for ch in text if _meaningful(ch)) < 10 or is_garbage(text)


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
    """Replace the text of scanned pages with their OCR text: pages without usable text that carry an image
    (a blank page is not worth recognising), and pages whose text layer is garbage."""
    candidates = [number for number, text in enumerate(pages, start=1) if needs_ocr(text)]
    if not candidates:
        return pages, {}
    garbage = {number for number in candidates if is_garbage(pages[number - 1])}  # rendered glyphs are readable
    try:
        scanned = sorted(garbage | set(pages_with_images(data, [n for n in candidates if n not in garbage])))
    except Exception as exc:  # noqa: BLE001 - PDFium rejects what pypdf read: keep the text layer as it is
        log.warning("cannot inspect %s for scanned pages: %s", filename, exc)
        return pages, {}
    if not scanned:
        return pages, {}
    texts, confidences = ocr_pages_cached(data, lambda: render_pdf_pages(data, scanned, scale=RENDER_SCALE), filename=filename)
    merged = list(pages)
    for number, text in texts.items():
        merged[number - 1] = text
    return merged, confidences
