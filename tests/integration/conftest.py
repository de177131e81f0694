"""Session fixtures for integration tests: one model export, one real index of a small corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ADMIN_PASSWORD = "admin-e2e-pass"


class Server:
    """`wuxue serve` as a real uvicorn process on a free loopback port (stop() or kill() it)."""

    def __init__(self, data_dir: Path, cache_dir: Path, **env: str) -> None:
        self.data_dir, self.cache_dir, self.port = data_dir, cache_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "WUXUE_DATA_DIR": str(data_dir), "WUXUE_CACHE_DIR": str(cache_dir), **env}
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 120) -> "Server":
        self.log = self.data_dir.parent / f"server-{self.port}.log"
        with self.log.open("a", encoding="utf-8") as log:  # a file, not a pipe nobody drains
            self.process = subprocess.Popen([sys.executable, "-m", "wuxue.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log.read_text(encoding='utf-8')[-2000:]}")
            time.sleep(0.3)
        self.process.kill()
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a power cut or an OOM kill."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


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
