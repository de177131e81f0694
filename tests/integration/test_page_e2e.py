"""The member page in a real headless Chromium (Debian), driven by Playwright, against a real uvicorn server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.integration.conftest import ARTIFACTS

pytestmark = pytest.mark.integration

@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
    page.goto(live_server + "/")
    yield page
    context.close()


def ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask-button")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)


def test_answer_cites_and_highlights_then_opens_the_source(page):
    expect(page.locator("#doc-list label")).to_have_count(5)
    ask(page, "入党以后预备期一般多长时间？")
    expect(page.locator("#answer-title")).to_have_text("回答")
    first = page.locator(".source").first
    expect(first.locator("mark")).to_contain_text("预备期为一年")
    expect(first.locator(".crumb")).to_contain_text("第七条")
    expect(page.locator("#answer .marker").first).to_have_text("[1]")
    page.screenshot(path=str(ARTIFACTS / "answer.png"), full_page=True)

    first.locator(".view-source").click()
    focused = page.locator(".viewer-passage.focus")
    expect(focused).to_be_visible()
    expect(focused.locator("mark")).to_contain_text("预备期为一年")
    page.screenshot(path=str(ARTIFACTS / "source-viewer.png"))
    page.click("#viewer-close")
    expect(page.locator("#viewer")).to_be_hidden()

    page.click("#thumb-up")
    expect(page.locator("#feedback-status")).to_have_text("谢谢反馈")
    expect(page.locator("#recent button").first).to_have_text("入党以后预备期一般多长时间？")


def test_out_of_scope_question_shows_not_found(page):
    ask(page, "红烧肉怎么做才能肥而不腻？")
    expect(page.locator("#answer-title")).to_have_text("未找到")
    expect(page.locator("#answer")).to_contain_text("知识库中未找到")
    expect(page.locator("#sources-title")).to_have_text("可能相关")
    page.screenshot(path=str(ARTIFACTS / "not-found.png"), full_page=True)


def test_document_html_is_shown_as_text_and_never_runs(page):
    ask(page, "页面安全的特殊测试段落")
    card = page.locator(".source", has_text="特殊测试段落").first
    expect(card).to_contain_text("<script>window.__xss = 1</script>")
    expect(card).to_contain_text("onerror")
    assert page.locator(".source img").count() == 0
    card.locator(".view-source").click()
    expect(page.locator(".viewer-passage.focus")).to_contain_text("<img src=x")
    assert page.evaluate("window.__xss") is None


def test_empty_question_shows_an_error_and_phone_layout(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/")
    page.evaluate("document.getElementById('question').removeAttribute('required')")
    page.click("#ask-button")
    expect(page.locator("#status")).to_have_text("请输入问题")
    ask(page, "三会一课是什么？")
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_two_questions_in_one_message_get_two_direct_lines_shown_once(page):
    ask(page, "预备党员的预备期多长？从哪天算起？")
    lines = page.locator("#direct p")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("一年")
    expect(lines.nth(1)).to_contain_text("算起")
    direct_texts = [lines.nth(i).inner_text() for i in range(2)]
    quoted = [t for t in page.locator("#answer p.quote-line").all_inner_texts()]
    assert not any(t in direct_texts for t in quoted)  # the direct lines are not repeated below
    page.screenshot(path=str(ARTIFACTS / "two-questions.png"), full_page=True)
