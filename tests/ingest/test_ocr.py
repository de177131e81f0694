"""Offline OCR: images drawn in the test with a CJK font (rotated, noised, JPEG'd), the 宪法 PDF rendered to an
image, a PDF mixing text pages and scanned pages, reading order, and refusals."""

from __future__ import annotations

import difflib
import io
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter

from tests.conftest import FIXTURES
from tests.conftest import bearer as auth
from tests.app.test_upload_safety import client, finish, upload  # noqa: F401 - client is a fixture
from wuxue import uploads
from wuxue.answering import ask
from wuxue.answering.refusal import RefusalModel
from wuxue.errors import NoTextLayerError, NoTextRecognizedError
from wuxue.index.embedders import HashingEmbedder
from wuxue.jobs import JobCancelled
from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.isolated import parse_isolated
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.loaders.ocr import OCR_STAGE, ocr_context
from wuxue.ingest.loaders.ocr_layout import OcrLine, drop_running_headers, reading_order
from wuxue.knowledge_base import KnowledgeBase
from wuxue.service.schemas.ask import CitationOut

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LINES = [
    "关于开展主题党日活动的通知",
    "各党支部：",
    "第一条 党支部应当每月相对固定一天开展主题党日。",
    "第二条 主题党日由支部书记主持，全体党员参加。",
    "第三条 活动结束后应当及时记录并归档。",
]


def draw_page(lines: list[str], *, size: int = 34, width: int = 1240, height: int = 1754, footer: str | None = None) -> Image.Image:
    """A white A4-ish page at 150 dpi with the lines typeset in the CJK font."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    y = 160
    for line in lines:
        draw.text((120, y), line, fill="black", font=font)
        y += int(size * 2)
    if footer:
        draw.text((width // 2 - 40, height - 90), footer, fill="black", font=ImageFont.truetype(str(FONT), 26))
    return image


def scanned(image: Image.Image, *, angle: float = 1.2, seed: int = 0) -> Image.Image:
    """Skew, blur, sensor noise and JPEG artefacts, as a cheap office scanner adds them."""
    rng = np.random.default_rng(seed)
    image = image.rotate(angle, resample=Image.BICUBIC, fillcolor="white").filter(ImageFilter.GaussianBlur(0.7))
    pixels = np.asarray(image).astype(np.float32) + rng.normal(0, 12, (image.height, image.width, 1))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=45)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, "".join(a.split()), "".join(b.split()), autojunk=False).ratio()


def test_noisy_rotated_photo_is_read_in_order_with_its_structure():
    data = encoded(scanned(draw_page(LINES, footer="— 2 —")), "JPEG")
    meta, document = prepare_document(data, "notice.jpg")
    assert meta.source_type == "image" and meta.page_count == 1
    assert similarity(document.text, "".join(LINES)) >= 0.95, document.text
    assert "— 2 —" not in document.text and "2" not in document.text.replace("第二条", "")  # the page number is dropped
    assert document.text.index("第一条") < document.text.index("第二条") < document.text.index("第三条")
    labels = [p.label for p in document.paragraphs if p.kind == "article"]
    assert labels == ["第一条", "第二条", "第三条"]
    assert set(document.ocr_pages) == {1} and document.ocr_pages[1] > 0.8
    assert any("OCR" in note for note in meta.notes)
    chunks = chunk_document(document, ChunkerConfig(300, 60))
    for chunk in chunks:  # offsets hold on OCR'd text as on any other
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.source == "ocr" and chunk.ocr_confidence is not None and chunk.page == 1


def test_image_without_text_is_refused():
    blank = Image.fromarray(np.clip(np.random.default_rng(1).normal(235, 8, (600, 800, 3)), 0, 255).astype(np.uint8))
    with pytest.raises(NoTextRecognizedError) as error:
        load_bytes(encoded(blank, "PNG"), "blank.png")
    assert error.value.code == "no_text_recognized" and "未识别到文字" in error.value.message


def test_rendered_constitution_page_matches_its_text_layer():
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(FIXTURES / "xianfa_2018.pdf"))[3].render(scale=2).to_pil()
    raw = load_bytes(encoded(page, "PNG"), "xianfa_p4.png")
    expected = PdfReader(FIXTURES / "xianfa_2018.pdf").pages[3].extract_text()
    assert similarity(raw.blocks[0].text, expected) >= 0.98


def image_pdf(images: list[Image.Image]) -> PdfReader:
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_pdf_mixing_text_pages_and_scanned_pages():
    writer = PdfWriter()
    text_pdf = PdfReader(FIXTURES / "ccdi_jubao_cailiao_muban.pdf")
    writer.add_page(text_pdf.pages[0])
    for page in image_pdf([scanned(draw_page(LINES), seed=2)]).pages:
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    progress: list[tuple[str, int, int]] = []
    with ocr_context(on_progress=lambda stage, done, total: progress.append((stage, done, total))):
        meta, document = prepare_document(buffer.getvalue(), "mixed.pdf")
    assert meta.source_type == "pdf" and meta.page_count == 2
    assert set(document.ocr_pages) == {2}  # only the scanned page was recognised
    assert progress[-1] == (OCR_STAGE, 1, 1)
    first_page_text = text_pdf.pages[0].extract_text()
    assert "".join(first_page_text.split())[:20] in "".join(document.text.split())
    assert "主题党日由支部书记主持" in document.text
    chunks = chunk_document(document, ChunkerConfig(300, 60))
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        assert (chunk.source == "ocr") == (2 in range(chunk.page or 0, (chunk.page_end or 0) + 1))
    assert document.page_at(document.text.index("主题党日由支部书记主持")) == 2


def test_blank_scan_is_still_refused_with_a_reason():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(NoTextLayerError) as error:
        load_bytes(buffer.getvalue(), "scan.pdf")
    assert "扫描件无文字层" in error.value.message and "未识别到文字" in error.value.message


def test_cancelling_during_ocr_cancels_the_job_rather_than_failing_the_file(settings):
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    buffer = io.BytesIO()
    scanned(draw_page(LINES[:3]), seed=5).save(buffer, "PNG")

    def cancelled(stage: str, done: int, total: int) -> None:
        if stage == OCR_STAGE:
            raise JobCancelled

    with pytest.raises(JobCancelled):  # not a 文件损坏 refusal: the runner marks the job cancelled
        kb.ingest_bytes(buffer.getvalue(), "scan.png", on_progress=cancelled)


def test_upload_of_a_scan_marks_chunks_and_reports_pages(settings):
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    pages = [scanned(draw_page(LINES[:3]), seed=3), scanned(draw_page(LINES[3:]), seed=4)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])  # a two-page TIFF from a scanner
    # The upload check (a time-limited child process) only probes: page 1 has text, page 2 is left for the job.
    probed, probe_chunks = parse_isolated(buffer.getvalue(), "scan.tiff", kb.chunker, timeout=120, probe=True)
    assert not probed.complete and probed.page_count == 2 and set(probed.document.ocr_pages) == {1}
    assert probe_chunks and all(c.source == "ocr" for c in probe_chunks)
    kb.hand_over(probed, probe_chunks)  # as UploadDesk does: the job must not index the partial text
    progress: list[tuple[str, int, int]] = []
    report = kb.ingest_bytes(buffer.getvalue(), "scan.tiff", on_progress=lambda *args: progress.append(args))
    assert report.added == ["scan"] and any("OCR" in note for note in report.notes["scan"])
    assert (OCR_STAGE, 2, 2) in progress
    assert kb.document("scan").notes == report.notes["scan"]  # kept with the document for the admin
    chunks = kb.snapshot.store.chunks_of("scan")
    assert chunks and all(c.source == "ocr" and 0 < (c.ocr_confidence or 0) <= 1 for c in chunks)
    hit = kb.search("主题党日由谁主持", k=3).hits[0]
    assert hit.to_dict()["source"] == "ocr" and hit.to_dict()["ocr_confidence"] == hit.chunk.ocr_confidence
    assert {c.page for c in chunks} <= {1, 2} and chunks[-1].page_end == 2
    answer = ask(kb, "主题党日由谁主持？", refusal=RefusalModel.always_answer())  # the member sees the mark on the source card
    assert answer.citations and answer.citations[0].source == "ocr"
    cited = next(c for c in chunks if c.chunk_id == answer.citations[0].chunk_id)
    out = CitationOut.model_validate(asdict(answer.citations[0]))
    assert out.source == "ocr" and out.ocr_confidence == cited.ocr_confidence


# Reading order on boxes placed by hand (no OCR needed) -------------------------------------------------------------

def box(x0: float, y0: float, x1: float, text: str, h: float = 30) -> OcrLine:
    return OcrLine(x0, y0, x1, y0 + h, text, 0.99)


def test_two_columns_are_read_column_by_column_under_a_full_width_title():
    boxes = [box(300, 100, 900, "学习简报")]
    boxes += [box(80, 200 + 50 * i, 560, f"左栏第{i}行内容") for i in range(4)]
    boxes += [box(640, 200 + 50 * i, 1120, f"右栏第{i}行内容") for i in range(4)]
    lines = [line.text for line in reading_order(boxes, width=1200, height=1700)]
    assert lines == ["学习简报"] + [f"左栏第{i}行内容" for i in range(4)] + [f"右栏第{i}行内容" for i in range(4)]


def test_red_header_fields_stay_apart_and_page_numbers_go():
    boxes = [
        box(300, 120, 900, "中共某某学会委员会文件", h=60),
        box(80, 260, 400, "某学党发〔2024〕3号"),
        box(820, 260, 1120, "签发人：周明远"),
        box(80, 400, 1120, "各党支部：现将有关事项通知如下。"),
        box(560, 1600, 640, "— 3 —"),
    ]
    lines = [line.text for line in reading_order(boxes, width=1200, height=1700)]
    assert lines == ["中共某某学会委员会文件", "某学党发〔2024〕3号", "签发人：周明远", "各党支部：现将有关事项通知如下。"]


def test_running_headers_repeated_across_pages_are_dropped():
    pages = [["某某学会党建工作简报 第1期", "正文一。"], ["某某学会党建工作简报 第2期", "正文二。"], ["某某学会党建工作简报 第3期", "正文三。"]]
    assert drop_running_headers(pages) == [["正文一。"], ["正文二。"], ["正文三。"]]
    unrelated = [["标题", "正文一。"], ["第二页", "正文二。"], ["第三页", "特此通知。"]]
    assert drop_running_headers(unrelated) == unrelated


def test_garbage_text_layers_are_told_from_real_ones():
    from wuxue.ingest.loaders.scan import is_garbage, needs_ocr

    assert is_garbage("ÖÐ»ªÈËÃñ¹²ºÍ¹úÏÜ·¨ ÐòÑÔ ÖÐ¹úÊÇÊÀ½çÉÏÀúÊ·×îÓÆ¾Ã")  # GBK read as Latin-1
    assert is_garbage("\ue001\ue002\ue003\ue004\ue005\ue006")  # glyph ids without a Unicode map
    assert not is_garbage("第一条 党员必须履行下列义务：认真学习马克思列宁主义。")
    assert needs_ocr("") and needs_ocr("— 3 —") and not needs_ocr("中国是世界上历史最悠久的国家之一。")


# Over HTTP: the upload check probes a scan in its time-limited child, the job reads it whole ------------------------

def two_page_tiff(first: list[str], second: list[str], seed: int) -> bytes:
    pages = [scanned(draw_page(first), seed=seed), scanned(draw_page(second), seed=seed + 1)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def test_an_uploaded_scan_is_probed_at_acceptance_and_read_whole_by_the_job(client, monkeypatch):
    probes: list[tuple[bool, bool]] = []
    real = uploads.parse_isolated

    def spy(*args, **kwargs):
        parsed, chunks = real(*args, **kwargs)
        probes.append((kwargs.get("probe", False), parsed.complete))
        return parsed, chunks

    monkeypatch.setattr(uploads, "parse_isolated", spy)
    body = upload(client, ("支部通知扫描件.tiff", two_page_tiff(LINES[:3], LINES[3:], seed=11)))
    assert probes == [(True, False)]  # accepted on page 1's text; page 2 was left for the job
    finish(client, body)
    doc_id = body["accepted"][0]["doc_id"]
    passages = client.get(f"/api/documents/{doc_id}/text").json()["passages"]
    assert passages and all(p["source"] == "ocr" and p["ocr_confidence"] for p in passages)
    assert "主题党日由支部书记主持" in "".join(p["text"] for p in passages)  # page 2, read by the job
    assert "扫描件：2 页由 OCR 识别，可能有误" in client.get(f"/api/documents/{doc_id}").json()["notes"]

    preview = client.post(f"/api/admin/documents/{doc_id}/versions/preview", headers=auth(client, "boss"),
                          files={"file": ("新版.tiff", two_page_tiff(LINES[:2], LINES[2:], seed=21), "image/tiff")})
    assert preview.status_code == 200, preview.text
    warnings = preview.json()["warnings"]
    assert any("预览只识别" in w for w in warnings) and not any("不到当前版本的一半" in w for w in warnings)
