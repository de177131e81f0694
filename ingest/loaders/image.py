"""Photographed or scanned pages (PNG, JPEG, TIFF, BMP) read by offline OCR; a multi-page TIFF keeps its pages."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from wuxue.errors import CorruptFileError, FileTooLargeError, NoTextRecognizedError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.scan import ocr_pages_cached

MAX_PIXELS = 60_000_000  # a 600-dpi A3 scan; beyond this a hostile file could exhaust memory
MAX_FRAMES = 300


def _open(data: bytes, filename: str) -> tuple[Image.Image, int]:
    """The image and its frame count, checked before any pixel is decoded."""
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError("文件过大：图片像素超过限制", filename=filename) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptFileError("文件损坏：无法读取图片", filename=filename, detail=str(exc)) from exc
    if frames > MAX_FRAMES:
        raise FileTooLargeError(f"文件过大：图片超过 {MAX_FRAMES} 页", filename=filename)
    return image, frames


def _frame(image: Image.Image, number: int, filename: str) -> np.ndarray:
    """Decode one frame (1-based), upright per its EXIF orientation; only one frame is in memory at a time."""
    try:
        image.seek(number - 1)
        if image.width * image.height > MAX_PIXELS:
            raise FileTooLargeError("文件过大：图片像素超过限制", filename=filename)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the pixel count is checked above
            return np.asarray(ImageOps.exif_transpose(image.convert("RGB")))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptFileError("文件损坏：无法读取图片", filename=filename, detail=str(exc)) from exc


def load(data: bytes, filename: str) -> RawDocument:
    image, count = _open(data, filename)
    pages = [(number, (lambda number=number: _frame(image, number, filename))) for number in range(1, count + 1)]
    texts, confidences = ocr_pages_cached(data, lambda: pages, filename=filename)
    if not any(text.strip() for text in texts.values()):
        raise NoTextRecognizedError("未识别到文字：图片中没有可识别的文字", filename=filename)
    blocks = [RawBlock(texts[number], page=number) for number in sorted(texts)]
    return RawDocument(blocks=blocks, source_type="image", hard_wrapped=True, page_count=count, ocr_pages=confidences)
