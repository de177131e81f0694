"""Photographed or scanned pages (PNG, JPEG, TIFF, BMP) read by offline OCR; a multi-page TIFF keeps its pages."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from wuxue.errors import CorruptFileError, FileTooLargeError, NoTextRecognizedError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.scan import ocr_pages_cached

MAX_PIXELS = 60_000_000  # a 600-dpi A3 scan; beyond this a hostile file could exhaust memory
MAX_FRAMES = 300


def _frames(data: bytes, filename: str) -> list[Image.Image]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise FileTooLargeError("文件过大：图片像素超过限制", filename=filename)
            frames = []
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_FRAMES:
                    raise FileTooLargeError(f"文件过大：图片超过 {MAX_FRAMES} 页", filename=filename)
                frames.append(ImageOps.exif_transpose(frame.convert("RGB")))
            return frames
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileTooLargeError("文件过大：图片像素超过限制", filename=filename) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptFileError("文件损坏：无法读取图片", filename=filename, detail=str(exc)) from exc


def load(data: bytes, filename: str) -> RawDocument:
    frames = _frames(data, filename)
    pages = [(number, (lambda frame=frame: np.asarray(frame))) for number, frame in enumerate(frames, start=1)]
    texts, confidences = ocr_pages_cached(data, lambda: pages, filename=filename)
    if not any(text.strip() for text in texts.values()):
        raise NoTextRecognizedError("未识别到文字：图片中没有可识别的文字", filename=filename)
    blocks = [RawBlock(texts[number], page=number) for number in sorted(texts)]
    return RawDocument(blocks=blocks, source_type="image", hard_wrapped=True, page_count=len(frames), ocr_pages=confidences)
