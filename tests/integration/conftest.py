"""Session fixtures for integration tests: one model export, one real index of a small corpus."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from wuxue.evaluation.live_server import LiveServer
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
XSS_DOCUMENT = (
    "网页安全测试材料\n\n"
    "这是一段用于检验页面安全的特殊测试段落：<script>window.__xss = 1</script>"
    "<img src=x onerror=\"window.__xss = 2\">以上标签必须原样显示为文字。\n"
)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, model_cache) -> Path:
    """A data dir with four bundled documents plus a document full of HTML tags, indexed with the real model."""
    from tests.conftest import CORPUS, SMALL_CORPUS_FILES

    folder = tmp_path_factory.mktemp("corpus")
    for name in SMALL_CORPUS_FILES:
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    (folder / "xss_test.txt").write_text(XSS_DOCUMENT, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("data")
    kb = KnowledgeBase(load_settings(data_dir=data_dir, cache_dir=model_cache))
    report = kb.ingest_paths([folder])
    assert not report.failed and len(report.added) == 5
    return data_dir


ADMIN_PASSWORD = "admin-e2e-pass"


class Server(LiveServer):
    """`wuxue serve` on the test's data and model cache (stop() or kill() it)."""

    def __init__(self, data_dir: Path, cache_dir: Path, **env: str) -> None:
        super().__init__(data_dir, env, cache_dir)


def private_copy(real_index: Path, tmp_path: Path) -> Path:
    """A copy of the shared real index, for tests that change or crash it."""
    target = tmp_path / "data"
    shutil.copytree(real_index, target)
    return target


def admin_headers(url: str) -> dict[str, str]:
    token = httpx.post(f"{url}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def live_data(real_index, tmp_path_factory) -> Path:
    """The shared server's own copy of the real index. A server creates users (a first admin with a one-time
    password) in its data dir, and tests add accounts there; every private_copy must start without them."""
    return private_copy(real_index, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def live_server(live_data, model_cache) -> Iterator[str]:
    """The shared read-mostly server (over live_data)."""
    server = Server(live_data, model_cache).start()
    yield server.url
    server.stop()


CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield instance
        instance.close()
