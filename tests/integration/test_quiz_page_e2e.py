"""The quiz page in a real headless Chromium against a real server and model: a leader generates, reviews,
replaces and exports; a member practises the shared set."""

from __future__ import annotations

import httpx
import pytest
from docx import Document
from playwright.sync_api import Page, expect

from tests.integration.conftest import ARTIFACTS
from wuxue.errors import UserExistsError
from wuxue.users import UserStore

pytestmark = pytest.mark.integration

USERS = {"quiz_leader": ("leader", "quiz-leader-pass"), "quiz_member": ("member", "quiz-member-pass")}
COUNTS = {"single": 2, "multi": 1, "blank": 2, "judge": 1}


@pytest.fixture(scope="module")
def accounts(live_data, live_server) -> dict[str, tuple[str, str]]:
    """A leader and a member in the shared server's database (the server reads users per request)."""
    store = UserStore(live_data / "app.sqlite")
    for name, (role, password) in USERS.items():
        try:
            store.add(name, role, password)
        except UserExistsError:
            pass
    store.close()
    return USERS


@pytest.fixture
def page(browser, live_server, accounts):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.dialog_plan = []  # type: ignore[attr-defined]  # (accept?, messages seen) for dialogs a test expects
    page.dialog_seen = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        if not page.dialog_plan:  # type: ignore[attr-defined]
            errors.append(f"unexpected dialog: {dialog.message}")
            dialog.dismiss()
            return
        page.dialog_seen.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept() if page.dialog_plan.pop(0) else dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    yield page
    context.close()
    assert errors == []


def log_in(page: Page, username: str) -> None:
    expect(page.locator("#login-section")).to_be_visible()
    page.fill("#login-user", username)
    page.fill("#login-pass", USERS[username][1])
    page.click("#login-button")


def test_leader_generates_reviews_replaces_and_exports_word(page, live_server):
    page.goto(live_server + "/quiz")
    log_in(page, "quiz_leader")
    expect(page.locator("#workspace")).to_be_visible()
    expect(page.locator("#account-name")).to_contain_text("quiz_leader（组长）")
    page.locator(".doc-box[value='dangzhang_2022']").check()
    for kind, count in COUNTS.items():
        page.fill(f"#count-{kind}", str(count))
    page.fill("#seed", "3")
    page.fill("#quiz-title", "党章学习测验（端到端）")
    page.click("#generate")

    items = page.locator("#items .quiz-item")
    expect(items).to_have_count(sum(COUNTS.values()), timeout=120_000)
    expect(page.locator("#preview-title")).to_have_text("党章学习测验（端到端）")
    for index in range(items.count()):
        source = items.nth(index).locator(".item-source")
        expect(source.locator(".crumb")).to_contain_text("《中国共产党章程（2022年修订）》")
        expect(source.locator(".quote")).to_contain_text("原文：")
        expect(source.locator("mark").first).to_be_visible()  # the answer marked in the quote
    first = items.first
    expect(first.locator(".badge")).to_have_text("单选题")
    expect(first.locator(".options li.correct")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "quiz-preview.png"), full_page=True)

    old_id = first.get_attribute("data-id")
    first.locator(".replace-item").click()
    expect(page.locator("#status")).to_have_text("已换成新题", timeout=60_000)
    expect(items).to_have_count(sum(COUNTS.values()))
    new_first = page.locator("#items .quiz-item").first
    assert new_first.get_attribute("data-id") != old_id
    expect(new_first.locator(".badge")).to_have_text("单选题")
    new_stem = new_first.locator(".stem").text_content()

    # edit the replacement in place: the server re-checks it, the card says 已修改
    new_first.locator(".edit-item").click()
    form = new_first.locator(".edit-form")
    form.locator(".edit-option").nth(0).fill("中国")
    form.locator(".save-edit").click()
    expect(form.locator(".edit-error")).to_contain_text("不宜")  # the blocklist holds for hand-made options too
    form.locator(".edit-option").nth(0).fill("第一个改过的选项")
    form.locator(".edit-stem").fill(new_stem + "（已核对）")
    form.locator(".save-edit").click()
    expect(page.locator("#status")).to_have_text("已保存修改（已重新检查）")
    edited = page.locator("#items .quiz-item").first
    expect(edited.locator(".badge.edited")).to_have_text("已修改")
    expect(edited.locator(".options li").first).to_contain_text("第一个改过的选项")
    new_stem = edited.locator(".stem").text_content()

    with page.expect_download() as download_info:
        page.locator("a.export[data-format='docx'][data-answers='end']").click()
    download = download_info.value
    assert download.suggested_filename == "党章学习测验（端到端）（卷尾答案）.docx"
    path = download.path()
    document = Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "党章学习测验（端到端）"
    assert round(document.sections[0].page_width.mm) == 210 and any("姓名：" in p and "得分：" in p for p in paragraphs[:4])
    assert f"1. {new_stem}" in paragraphs  # the replacement is what was exported
    key = paragraphs.index("参考答案与出题依据")
    answers = [p for p in paragraphs[key:] if p.split(". ", 1)[-1].startswith("答案：")]
    assert len(answers) == sum(COUNTS.values())
    assert sum(p.startswith("出题依据：《中国共产党章程（2022年修订）》") for p in paragraphs) == sum(COUNTS.values())


def test_member_practises_a_shared_set_and_sees_score_and_sources(page, live_server):
    token = httpx.post(f"{live_server}/api/auth/login", json={"username": "quiz_leader", "password": USERS["quiz_leader"][1]}).json()["token"]
    created = httpx.post(f"{live_server}/api/quiz", headers={"Authorization": f"Bearer {token}"}, timeout=120,
                         json={"doc_ids": ["dangzhang_2022"], "counts": {"single": 2, "judge": 1}, "seed": 11})
    assert created.status_code == 201, created.text
    quiz = created.json()

    page.goto(f"{live_server}/quiz?practice={quiz['id']}")
    log_in(page, "quiz_member")
    cards = page.locator(".practice-item")
    expect(cards).to_have_count(len(quiz["items"]))
    assert page.locator("#practice mark").count() == 0 and "原文" not in page.locator("#practice").text_content()
    # answer the first item correctly, leave the rest empty
    expect(page.locator("#practice-title")).to_contain_text("学习练习")
    expect(page.locator("#practice-intro")).to_contain_text("交卷")
    right_key = quiz["items"][0]["answer"]["keys"][0]
    cards.first.locator(f"input[value='{right_key}']").check()
    page.dialog_plan.append(False)  # first: stay and keep answering
    page.click("#practice-submit")
    expect(page.locator("#practice-result")).to_be_hidden()
    assert page.dialog_seen and f"还有 {len(quiz['items']) - 1} 道题没有作答" in page.dialog_seen[0]
    page.dialog_plan.append(True)  # then: hand in anyway
    page.click("#practice-submit")
    total = len(quiz["items"])
    expect(page.locator("#practice-score")).to_contain_text(f"答对 1 题，共 {total} 题（{round(100 / total)} 分）")
    score_box, first_card = page.locator("#practice-result").bounding_box(), cards.first.bounding_box()
    assert score_box and first_card and score_box["y"] < first_card["y"]  # the score is at the top of the paper
    expect(cards.first).to_have_class("quiz-item practice-item right")
    expect(cards.nth(1).locator(".verdict-line")).to_contain_text("回答错误")
    expect(cards.nth(1).locator(".item-source .crumb")).to_contain_text("《中国共产党章程（2022年修订）》")
    page.screenshot(path=str(ARTIFACTS / "quiz-practice.png"), full_page=True)
    # members cannot open the leader workspace
    page.goto(live_server + "/quiz")
    expect(page.locator("#login-hint")).to_contain_text("没有出题权限")
    assert page.locator("#workspace").is_hidden()
