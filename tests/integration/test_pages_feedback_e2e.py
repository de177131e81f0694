"""Issue 15 in headless Chromium against a real server and index, at desktop and phone width (390×844):
chips fold and the answer comes into view, feedback is one changeable choice with a reason, the admin
document table reads as a table on a desktop and as cards on a phone, and the admins' feedback page
lists a 👎 question with a working 命中测试 link. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration.conftest import ADMIN_PASSWORD, ARTIFACTS, Server, admin_headers
from wuxue.app_db import question_key
from wuxue.examples import CANDIDATES
from wuxue.users import UserStore

pytestmark = pytest.mark.integration

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


@pytest.fixture(scope="module")
def server(real_index, model_cache, tmp_path_factory):
    import shutil

    data = tmp_path_factory.mktemp("pages15") / "data"
    shutil.copytree(real_index, data)
    users = UserStore(data / "app.sqlite")
    users.add("xiaoli", "member", "member-pass-15")
    if any(user.username == "admin" for user in users.list()):  # another test's server already created it
        users.set_password("admin", ADMIN_PASSWORD)
    else:
        users.add("admin", "admin", ADMIN_PASSWORD)
    users.close()
    running = Server(data, model_cache).start()
    yield running
    running.stop()


def open_page(browser, url: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(url)
    return page


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def log_in(page: Page, username: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    page.fill("#login-user", username)
    page.fill("#login-pass", password)
    page.click("#login-form button[type=submit]")


def answer_top(page: Page) -> float:
    return page.evaluate("document.getElementById('result').getBoundingClientRect().top")


# ---- every example chip is answered (real model, real index) ----------------------------------------
def test_every_example_chip_is_answered(server):
    expected = {c.question: c for c in CANDIDATES}
    chips = httpx.get(f"{server.url}/api/examples", timeout=60).json()
    assert len(chips) >= 3  # one per document of the small corpus that the service answers
    for question in chips:
        body = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=60).json()
        candidate = expected[question]
        assert body["found"], question
        assert candidate.doc_id in {c["doc_id"] for c in body["citations"]}, question
        assert re.sub(r"\s+", "", candidate.piece) in re.sub(r"\s+", "", body["answer"]), question


# ---- member page -----------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_chips_fold_and_the_answer_comes_into_view(browser, server, viewport):
    page = open_page(browser, server.url + "/", viewport)
    name = "phone" if viewport is PHONE else "desktop"
    first_chip = page.locator("#examples button").first
    expect(first_chip).to_be_visible()
    shot(page, f"member-{name}-start")
    question = first_chip.inner_text()
    first_chip.click()
    expect(page.locator("#result")).to_be_visible(timeout=30_000)
    expect(page.locator("#answer-title")).to_have_text("回答")
    expect(page.locator("#chip-rows")).to_be_hidden()  # folded into one line
    expect(page.locator("#chips-toggle")).to_have_text("示例与最近的问题 ▾")
    # the result starts near the top, or (a short one-line answer on a page too short to scroll that far)
    # the whole answer box is already on screen
    page.wait_for_function("() => { const t = document.getElementById('result').getBoundingClientRect().top;"
                           " const b = document.getElementById('answer-box').getBoundingClientRect().bottom;"
                           " return t >= 0 && (t <= window.innerHeight * 0.35 || b <= window.innerHeight); }",
                           timeout=5_000)
    answer = page.locator("#answer p").first
    expect(answer).to_be_in_viewport()
    expect(page.locator(".source .score").first).to_be_hidden()  # raw scores only in 命中测试
    shot(page, f"member-{name}-answer")

    page.click("#chips-toggle")  # unfold: the recent question is there with a 清空 button
    expect(page.locator("#recent button").first).to_have_text(question)
    page.click("#recent .chips-clear")
    expect(page.locator("#recent button")).to_have_count(0)

    page.fill("#question", "红烧肉怎么做才能肥而不腻？")
    page.click("#ask-button")
    expect(page.locator("#answer-title")).to_have_text("未找到", timeout=30_000)
    expect(page.locator("#status")).not_to_contain_text("未找到")  # said once, in the answer box
    page.locator(".view-source").first.click()
    expect(page.locator("#viewer")).to_be_visible()
    expect(page.locator("#viewer-close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#viewer")).to_be_hidden()
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_feedback_is_one_choice_that_changes_with_a_reason(browser, server, viewport):
    name = "phone" if viewport is PHONE else "desktop"
    question = f"党员违纪后组织上会怎么处理？（{name}）"
    page = open_page(browser, server.url + "/", viewport)
    page.fill("#question", question)
    page.click("#ask-button")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)
    up, down = page.locator("#thumb-up"), page.locator("#thumb-down")
    assert up.locator("svg path").count() == 1 and "👍" not in up.inner_text()  # no emoji font needed
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#feedback-reasons")).to_be_hidden()
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    reason = page.locator("#feedback-reasons .reason", has_text="答非所问")
    reason.click()
    expect(reason).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#feedback-status")).to_have_text("谢谢反馈")
    page.locator(".answer-actions").scroll_into_view_if_needed()
    shot(page, f"member-{name}-feedback")
    page.context.close()

    items = httpx.get(f"{server.url}/api/admin/feedback", headers=admin_headers(server.url)).json()["items"]
    mine = [i for i in items if i["question"] == question]
    assert len(mine) == 1 and mine[0]["unhelpful"] == 1 and mine[0]["reasons"] == {"答非所问": 1}  # one choice, changed


# ---- admin page: the document table -----------------------------------------------------------------
def test_admin_document_table_on_a_desktop(browser, server):
    page = open_page(browser, server.url + "/admin", DESKTOP)
    log_in(page)
    expect(page.locator("#who")).to_have_text("管理员：admin")
    rows = page.locator("#docs tbody tr[data-doc]")
    expect(rows).to_have_count(5)
    row = page.locator("#docs tr[data-doc='dangzhang_2022']")
    badge = row.locator(".badge")
    expect(badge).to_have_text("已完成")
    assert badge.bounding_box()["height"] < 30  # one line, not one character per line
    tops = [box["y"] for box in (b.bounding_box() for b in row.locator("td.actions button").all())]
    assert len(tops) == 5 and max(tops) - min(tops) < 2  # all actions in one row
    assert all(h.bounding_box()["height"] < 45 for h in page.locator("#docs thead th").all())  # headers do not wrap
    page.locator("#docs-title").scroll_into_view_if_needed()
    shot(page, "admin-desktop-documents")

    page.fill("#docs-search", "章程")
    expect(rows).to_have_count(1)
    expect(page.locator("#docs-status")).to_contain_text("符合条件 1 个")
    page.fill("#docs-search", "")
    page.evaluate("document.getElementById('docs').dataset.perPage = '2'")
    page.select_option("#docs-filter", "indexed")
    expect(rows).to_have_count(2)
    expect(page.locator("#docs-pager")).to_contain_text("第 1 / 3 页")
    page.click("#docs-pager button:has-text('下一页')")
    expect(page.locator("#docs-pager")).to_contain_text("第 2 / 3 页")

    page.fill("#hit-query", "预备党员的预备期多长")
    page.select_option("#hit-doc", "dangzhang_2022")
    page.select_option("#hit-k", "3")
    page.click("#hit-form button[type=submit]")
    expect(page.locator("#hit-decision .verdict")).to_have_text("问答页会回答")
    expect(page.locator("#hit-decision .scores")).to_contain_text("阈值")
    expect(page.locator("#hit-results li")).to_have_count(3)
    page.locator("#hit-title").scroll_into_view_if_needed()
    shot(page, "admin-desktop-hit-test")

    # one bar over the whole job: it only moves forward, through 解析切分, 向量化 and 写入, to the end
    page.evaluate("""() => { window.__bars = []; new MutationObserver(() => {
        const bar = document.querySelector('#upload-results progress'); if (bar) window.__bars.push(bar.value); })
      .observe(document.getElementById('upload-results'), { subtree: true, childList: true, attributes: true }); }""")
    text = "学习小组活动安排\n\n" + "".join(f"第{n}条 学习小组每月组织一次专题学习，第{n}次学习围绕党章第{n}条展开讨论。\n" for n in range(1, 40))
    page.set_input_files("#file-input", files=[{"name": "xuexi_xiaozu.txt", "mimeType": "text/plain", "buffer": text.encode("utf-8")}])
    item = page.locator("#upload-results li[data-filename='xuexi_xiaozu.txt']")
    expect(item.locator(".job-label")).to_have_text("完成", timeout=120_000)
    bars = page.evaluate("window.__bars")
    assert bars and bars == sorted(bars) and bars[-1] == 100, bars
    expect(page.locator("#audit")).to_contain_text("上传文档《学习小组活动安排》（文件 xuexi_xiaozu.txt）")
    expect(page.locator("#audit")).to_contain_text("索引文档完成：《学习小组活动安排》")
    page.locator("#audit-title").scroll_into_view_if_needed()
    shot(page, "admin-desktop-audit")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_admin_document_cards_on_a_phone(browser, server):
    page = open_page(browser, server.url + "/admin", PHONE)
    log_in(page)
    row = page.locator("#docs tr[data-doc='dangzhang_2022']")
    expect(row).to_be_visible()
    expect(page.locator("#docs thead")).to_be_hidden()
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"  # a card
    expect(row.locator(".doc-title")).to_contain_text("中国共产党章程")
    expect(row.locator(".badge")).to_be_visible()
    expect(row.get_by_role("button", name="预览")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row.scroll_into_view_if_needed()
    shot(page, "admin-phone-documents")
    page.context.close()


# ---- the admins' feedback page --------------------------------------------------------------------------
def test_feedback_page_lists_an_unhelpful_question_for_admins_only(browser, server):
    question = "学会党建工作计划里怎么安排学习？"
    body = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=60).json()
    voted = httpx.post(f"{server.url}/api/feedback", json={"query_id": body["query_id"], "helpful": False, "reason": "不完整"}, timeout=60)
    assert voted.status_code == 201, voted.text
    for asked in ("红烧肉怎么做？", "红烧肉 怎么做?"):  # refused, twice, written two ways
        assert not httpx.post(f"{server.url}/api/ask", json={"question": asked}, timeout=60).json()["found"]

    member = open_page(browser, server.url + "/admin/feedback", PHONE)
    log_in(member, "xiaoli", "member-pass-15")
    expect(member.locator("#login-error")).to_contain_text("成员")
    expect(member.locator("#login-error")).to_contain_text("没有管理权限")
    expect(member.locator("#review")).to_be_hidden()
    assert member.evaluate("async () => (await fetch('/api/admin/feedback')).status") == 403
    member.context.close()

    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):  # the desktop round marks it handled
        page = open_page(browser, server.url + "/admin/feedback", viewport)
        log_in(page)
        item = page.locator(".review-item", has_text=question)
        expect(item).to_be_visible()
        expect(item.locator(".tags")).to_contain_text("没帮助 ×1")
        expect(item.locator(".tags")).to_contain_text("不完整")
        refused = page.locator(f".review-item[data-key='{question_key('红烧肉怎么做？')}']")
        expect(refused).to_contain_text("未找到 ×2")
        expect(refused).to_contain_text("共 2 次")  # grouped
        item.locator("summary").click()
        expect(item.locator(".given-text")).to_have_text(body["answer"])
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, f"feedback-page-{name}", full_page=True)
        if viewport is PHONE:
            page.context.close()
            continue
        item.get_by_role("link", name="命中测试").click()
        expect(page).to_have_url(re.compile(r"/admin\?hit="))
        expect(page.locator("#hit-query")).to_have_value(question)
        expect(page.locator("#hit-decision .verdict")).to_be_visible()
        page.go_back()
        item = page.locator(".review-item", has_text=question)
        item.get_by_role("button", name="标记已处理").click()
        expect(item).to_have_count(0)
        page.select_option("#review-state", "handled")
        expect(page.locator(".review-item", has_text=question)).to_contain_text("已由 admin")
        page.context.close()
