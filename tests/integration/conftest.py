"""Session fixtures for integration tests: one model export, one real index of a small corpus."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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


@pytest.fixture(scope="session")
def live_server(real_index, model_cache) -> Iterator[str]:
    """`wuxue serve` as a real uvicorn process on a free loopback port."""
    port = free_port()
    env = {**os.environ, "WUXUE_DATA_DIR": str(real_index), "WUXUE_CACHE_DIR": str(model_cache)}
    process = subprocess.Popen([sys.executable, "-m", "wuxue.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read() if process.stdout else ''}")
        time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("server did not become ready")
    yield url
    process.terminate()
    process.wait(timeout=20)
