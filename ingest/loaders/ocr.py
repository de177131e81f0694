"""Offline OCR with RapidOCR (PP-OCRv4 Chinese models shipped inside the wheel; onnxruntime, no download).

Engines are loaded on first use and kept for the process: one per CPU core (at most
two), each single-threaded with line batches of one. Measured on this 2-core machine,
that costs 2.5 CPU-seconds a page against 4–6 for one engine with two threads or
batches of six (padding short lines to the longest in a batch wastes most of the
recogniser's work), so pages are recognised two at a time (:mod:`scan`).
Loaders call :func:`recognise_page`; the caller of the ingest pipeline may install a
per-page progress callback and a "probe" mode with :func:`ocr_context` (an upload
check only needs to know that a scan has text, not read all of it).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from wuxue.errors import OcrUnavailableError
from wuxue.ingest.loaders.ocr_layout import OcrLine, reading_order

OCR_STAGE = "OCR识别"  # the job stage shown while pages are recognised
LOW_CONFIDENCE = 0.85  # a page whose mean line score is below this is listed for the admin to check
_MAX_SIDE = 2400  # larger scans are scaled down first: detection cost grows with pixels, accuracy does not
_MIN_SIDE = 900  # small photos are scaled up so 5-号 characters reach the recogniser's 48-px line height

Progress = Callable[[str, int, int], None]
_progress: ContextVar[Progress | None] = ContextVar("ocr_progress", default=None)
_probe: ContextVar[bool] = ContextVar("ocr_probe", default=False)
_run: ContextVar["OcrRun | None"] = ContextVar("ocr_run", default=None)

WORKERS = max(1, min(2, os.cpu_count() or 1))
_engines: queue.Queue[Any] = queue.Queue()
_created = 0
_create_lock = threading.Lock()


@dataclass(frozen=True)
class OcrPage:
    """One recognised page: its lines in reading order (header/footer dropped) and their mean score."""

    lines: list[str]
    confidence: float  # mean recognition score of the kept lines, 0 when nothing was recognised
    boxes: list[OcrLine]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class OcrRun:
    """What OCR did inside one :func:`ocr_context` block."""

    cut_short: bool = False  # a probe stopped before the last scanned page: the text read is not the whole file


@contextmanager
def ocr_context(*, on_progress: Progress | None = None, probe: bool = False) -> Iterator[OcrRun]:
    """Within the block, OCR reports each page to ``on_progress``; ``probe`` stops at the first page with text
    (the yielded :class:`OcrRun` then says whether pages were left unread)."""
    run = OcrRun()
    progress_token = _progress.set(on_progress)
    probe_token = _probe.set(probe)
    run_token = _run.set(run)
    try:
        yield run
    finally:
        _progress.reset(progress_token)
        _probe.reset(probe_token)
        _run.reset(run_token)


def probing() -> bool:
    return _probe.get()


def probe_cut_short() -> None:
    """Called when a probe leaves pages unread, so whoever probed knows the text is partial."""
    run = _run.get()
    if run is not None:
        run.cut_short = True


def report_progress(done: int, total: int) -> None:
    callback = _progress.get()
    if callback is not None:
        callback(OCR_STAGE, done, total)


def _new_engine(filename: str) -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailableError("无法识别扫描件：未安装 OCR 组件（rapidocr-onnxruntime）", filename=filename) from exc
    # The direction classifier is off: scans are upright or nearly so, and it costs time on every line.
    return RapidOCR(use_cls=False, intra_op_num_threads=1, inter_op_num_threads=1, rec_batch_num=1)


@contextmanager
def engine(filename: str = "") -> Iterator[Any]:
    """Borrow an engine (created on demand, up to WORKERS); refuses with a Chinese reason when OCR is not installed."""
    global _created
    try:
        borrowed = _engines.get_nowait()
    except queue.Empty:
        with _create_lock:
            create = _created < WORKERS
            if create:
                borrowed = _new_engine(filename)
                _created += 1
        if not create:
            borrowed = _engines.get()
    try:
        yield borrowed
    finally:
        _engines.put(borrowed)


def _fit(image: np.ndarray) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    longest, shortest = max(height, width), min(height, width)
    scale = 1.0
    if longest > _MAX_SIDE:
        scale = _MAX_SIDE / longest
    elif shortest < _MIN_SIDE:
        scale = min(_MIN_SIDE / shortest, _MAX_SIDE / longest)
    if abs(scale - 1.0) < 0.05:
        return image
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=interpolation)


def recognise_page(image: np.ndarray, *, filename: str = "") -> OcrPage:
    """OCR an RGB (or grey) image: lines in reading order, page numbers in the margins removed
    (running headers need the other pages: :func:`wuxue.ingest.loaders.scan.ocr_pages` drops them)."""
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = _fit(np.ascontiguousarray(image[:, :, :3]))
    with engine(filename) as ocr:
        result, _ = ocr(image, use_cls=False)
    boxes = [
        OcrLine.from_quad(quad, str(text), float(score))
        for quad, text, score in (result or [])
        if str(text).strip()
    ]
    height, width = image.shape[:2]
    kept = reading_order(boxes, width=width, height=height)
    lines = [line.text for line in kept]
    scores = [line.score for line in kept for _ in range(max(len(line.text), 1))]  # weighted by characters
    confidence = float(np.mean(scores)) if scores else 0.0
    return OcrPage(lines=lines, confidence=confidence, boxes=[box for group in kept for box in group.parts])
