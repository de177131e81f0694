"""The admin page in headless Chromium: log in, upload a PDF, watch it index, then find it on the member page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.integration.conftest import ADMIN_PASSWORD, ARTIFACTS, Server, private_copy
from wuxue.users import UserStore

pytestmark = pytest.mark.integration

FACT = "中国科协青年学会第七届理论研习营于二〇二六年十一月在杭州举办，共有八十六名青年科技工作者参加。"
STUDY_PDF_HTML = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>body {{ font-family: "WenQuanYi Micro Hei", sans-serif; font-size: 14pt; }} .page {{ page-break-after: always; }}</style></head>
<body><div class="page"><h1>青年学会理论研习营简报</h1><p>一、研习营的目的是组织青年科技工作者系统学习党的创新理论。</p></div>
<div><p>二、{FACT}</p><p>三、研习营结束后，各分会将把学习成果转化为服务科技创新的实际行动。</p></div></body></html>"""


@pytest.fixture
def server(real_index, model_cache, tmp_path):
    running = Server(private_copy(real_index, tmp_path), model_cache, WUXUE_ADMIN_PASSWORD=ADMIN_PASSWORD).start()
    yield running
    running.stop()


def make_pdf(browser, path) -> None:
    """A two-page PDF printed by Chromium itself, with the unique fact on page 2."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(STUDY_PDF_HTML)
    path.write_bytes(page.pdf(format="A4"))
    context.close()


def test_admin_uploads_a_pdf_and_members_find_it_with_its_page(browser, server, tmp_path):
    pdf = tmp_path / "yanxiying.pdf"
    make_pdf(browser, pdf)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/admin")
    expect(page.locator("#login-panel")).to_be_visible()
    page.fill("#login-user", "admin")
    page.fill("#login-pass", "wrong-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
    page.fill("#login-user", "admin")
    page.fill("#login-pass", ADMIN_PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#admin")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("admin")

    page.set_input_files("#file-input", str(pdf))
    item = page.locator("#upload-results li[data-filename='yanxiying.pdf']")
    expect(item).to_be_visible()
    expect(item.locator(".job-label")).to_have_text("完成", timeout=300_000)
    assert item.locator("progress").evaluate("bar => bar.value === bar.max")
    row = page.locator("#docs tr[data-doc='yanxiying']")
    expect(row).to_contain_text("已完成")
    expect(page.locator("#audit")).to_contain_text("上传文档")
    page.screenshot(path=str(ARTIFACTS / "admin-uploaded.png"), full_page=True)

    row.get_by_role("button", name="预览").click()
    expect(page.locator("#detail-body .chunk").first).to_be_visible()
    expect(page.locator("#detail-body")).to_contain_text("八十六名青年科技工作者")

    page.fill("#hit-query", "理论研习营有多少人参加")
    page.click("#hit-form button")
    expect(page.locator("#hit-results li").first).to_contain_text("八十六名")

    page.goto(server.url + "/")
    page.fill("#question", "青年学会理论研习营在哪里举办，有多少人参加？")
    page.click("#ask-button")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)
    first = page.locator(".source").first
    expect(first).to_contain_text("青年学会理论研习营简报")
    expect(first.locator("mark")).to_contain_text("八十六名")
    expect(first).to_contain_text("第2页")
    page.screenshot(path=str(ARTIFACTS / "admin-fact-answered.png"), full_page=True)
    context.close()


def test_a_member_cannot_use_the_admin_page(browser, server):
    users = UserStore(server.data_dir / "app.sqlite")
    users.add("xiaowang", "member", "member-pass-1")
    users.close()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/admin")
    page.fill("#login-user", "xiaowang")
    page.fill("#login-pass", "member-pass-1")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("没有管理权限")
    expect(page.locator("#admin")).to_be_hidden()
    status = page.evaluate("""async () => (await fetch('/api/admin/documents')).status""")
    assert status == 403  # the session cookie is a member's: the API refuses too
    context.close()


def test_replacing_a_document_shows_both_versions_and_warns_when_the_new_one_is_older(browser, server):
    """替换 the 2022 党章 by the 2017 text: the page compares them, warns, needs an acknowledgement, then replaces."""
    from tests.conftest import FIXTURES

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/admin")
    page.fill("#login-user", "admin")
    page.fill("#login-pass", ADMIN_PASSWORD)
    page.click("#login-form button[type=submit]")
    row = page.locator("#docs tr[data-doc='dangzhang_2022']")
    expect(row).to_contain_text("已完成")

    row.locator("input[type=file]").set_input_files(str(FIXTURES / "dangzhang_2017.txt"))
    detail = page.locator("#detail-body")
    expect(detail.locator(".warnings")).to_contain_text("新文件看起来比当前版本更旧", timeout=60_000)
    expect(detail.locator("table.compare")).to_contain_text("2017年10月24日")
    expect(detail.locator("table.compare")).to_contain_text("2022年")
    expect(detail.locator(".diff .removed").first).to_be_visible()
    confirm = detail.get_by_role("button", name="确认替换")
    expect(confirm).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "admin-replace-preview.png"), full_page=True)
    detail.locator("input[name=acknowledge]").check()
    detail.locator("input[name=title]").fill("中国共产党章程（2017年版）")
    confirm.click()

    item = page.locator("#upload-results li[data-filename='dangzhang_2017.txt']")
    expect(item).to_contain_text("替换《")
    expect(item.locator(".job-label")).to_have_text("完成", timeout=300_000)
    expect(row).to_contain_text("中国共产党章程（2017年版）")
    expect(row).to_contain_text("第 2 版")
    # The audit is a list of readable lines (pages15); the job's completion line may come first.
    expect(page.locator("#audit li", has_text="的新版本").first).to_contain_text("上传《中国共产党章程（2017年版）》的新版本")
    context.close()
