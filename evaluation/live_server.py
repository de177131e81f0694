"""``wuxue serve`` as a real uvicorn process on a free loopback port, for the issue-11 battery and the integration tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Start with ``start()``; end with ``stop()`` (SIGTERM) or ``kill()`` (SIGKILL, as in a power cut or an OOM kill)."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], cache_dir: Path | None = None) -> None:
        self.data_dir, self.cache_dir, self.port = data_dir, cache_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cache = {"WUXUE_CACHE_DIR": str(cache_dir)} if cache_dir is not None else {}
        self.env = {**os.environ, "WUXUE_DATA_DIR": str(data_dir), **cache, **env}
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 180) -> "LiveServer":
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

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
