"""A scanned notice uploaded to a real server is OCR'd by its job, and the member page marks its source card."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.integration.conftest import ADMIN_PASSWORD, ARTIFACTS, Server, admin_headers, private_copy
from tests.ingest.test_ocr import LINES, two_page_tiff

pytestmark = pytest.mark.integration
OCR_NOTE = "本段由扫描件识别，可能有误"


@pytest.fixture
def server(real_index, model_cache, tmp_path):
    running = Server(private_copy(real_index, tmp_path), model_cache, WUXUE_ADMIN_PASSWORD=ADMIN_PASSWORD).start()
    yield running
    running.stop()


def finished_job(url: str, headers: dict[str, str], job_id: str, timeout: float = 300) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = httpx.get(f"{url}/api/admin/jobs/{job_id}", headers=headers).json()
        if job["state"] in {"succeeded", "failed", "cancelled"}:
            return job
        time.sleep(0.3)
    raise AssertionError("job did not finish")


def test_a_scanned_source_card_says_it_was_recognised(browser, server):
    headers = admin_headers(server.url)
    response = httpx.post(f"{server.url}/api/admin/documents", headers=headers, timeout=180,
                          files=[("files", ("主题党日通知扫描件.tiff", two_page_tiff(LINES[:3], LINES[3:], seed=31), "image/tiff"))])
    assert response.status_code == 202, response.text
    accepted = response.json()["accepted"][0]
    assert finished_job(server.url, headers, accepted["job_id"])["state"] == "succeeded"

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#question", "主题党日由谁主持？")
    page.click("#ask-button")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)
    scanned = page.locator(".source", has_text="主题党日由支部书记主持").first
    expect(scanned).to_be_visible()
    expect(scanned.locator(".ocr-note")).to_have_text(OCR_NOTE)
    page.screenshot(path=str(ARTIFACTS / "ocr-source.png"), full_page=True)

    page.fill("#question", "入党以后预备期一般多长时间？")  # answered from text-layer documents: no mark
    page.click("#ask-button")
    expect(page.locator(".source").first.locator("mark")).to_contain_text("预备期为一年")
    assert page.locator(".source").count() > 0 and page.locator(".source .ocr-note").count() == 0
    context.close()
