"""A member asks, then follows up with 那权利呢？ — in a real headless Chromium against a real uvicorn server,
at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.integration.conftest import ARTIFACTS

pytestmark = pytest.mark.integration

VIEWPORTS = {"desktop": {"width": 1100, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser, live_server) -> Page:
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
    page.goto(live_server + "/")
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        page.click("#ask-button")
    assert response.value.ok
    expect(page.locator("#result")).to_be_visible(timeout=30_000)


def test_a_follow_up_is_read_against_the_previous_question(page):
    name = page.viewport_name  # type: ignore[attr-defined]
    ask(page, "党员有哪些义务？")
    expect(page.locator("#resolved")).to_be_hidden()
    expect(page.locator("#context")).to_contain_text("党员有哪些义务")
    duties = page.locator("#answer-box").inner_text()

    with page.expect_request(lambda r: r.url.endswith("/api/ask")) as sent:
        page.fill("#question", "那权利呢？")
        page.click("#ask-button")
    assert sent.value.post_data_json["history"] == ["党员有哪些义务？"]
    expect(page.locator("#resolved")).to_have_text("按‘党员有哪些权利’理解", timeout=30_000)
    expect(page.locator("#answer-title")).to_have_text("回答")
    answer = page.locator("#answer-box").inner_text()
    assert answer != duties and "权利" in answer
    assert "共八项" in answer and "参加党的有关会议" in answer  # 党章第四条's eight rights, not a sentence naming four
    first = page.locator(".source").first
    expect(first.locator("mark").first).to_contain_text("权")
    expect(page.locator("#recent button").first).to_have_text("党员有哪些权利？")  # the chip re-asks the whole question
    # the resolved note sits above the answer, fully on screen
    # (measured in one evaluate once the smooth scroll to the result has stopped, so both boxes share one scroll)
    page.wait_for_function("() => new Promise((done) => { const y = window.scrollY;"
                           " setTimeout(() => done(window.scrollY === y), 150); })", timeout=5_000)
    note, box = page.evaluate("['resolved', 'answer-box'].map((id) => {"
                              " const r = document.getElementById(id).getBoundingClientRect();"
                              " return {top: r.top, bottom: r.bottom}; })")
    assert note["top"] >= 0 and note["bottom"] <= box["top"] + 1
    page.screenshot(path=str(ARTIFACTS / f"followup-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[name]["width"]

    first.locator(".view-source").click()
    viewer = page.locator("#viewer-body")
    expect(page.locator(".viewer-passage.focus").first).to_be_visible()
    expect(page.locator(".viewer-passage.focus mark").first).to_be_visible()
    text = viewer.inner_text()
    repeated = [text[i:i + 40] for i in range(0, max(len(text) - 40, 0), 20) if text.count(text[i:i + 40]) > 1]
    assert not repeated, f"查看原文 repeats text: {repeated[:2]}"
    page.screenshot(path=str(ARTIFACTS / f"followup-viewer-{name}.png"))
    page.click("#viewer-close")

    page.click("#context .link-button")  # 换个话题: the next question stands alone
    expect(page.locator("#context")).to_be_hidden()
    with page.expect_request(lambda r: r.url.endswith("/api/ask")) as sent:
        page.fill("#question", "那权利呢？")
        page.click("#ask-button")
    assert sent.value.post_data_json["history"] == []
    expect(page.locator("#resolved")).to_be_hidden()
