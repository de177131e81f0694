"""Start uvicorn with the app (``wuxue serve``)."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from wuxue.service.app import create_app
from wuxue.settings import load_settings


def run_server(*, data_dir: Path | None = None, host: str | None = None, port: int | None = None) -> None:
    settings = load_settings(data_dir=data_dir, host=host, port=port)
    shown = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    print(f"五学联动学习知识库已启动：http://{shown}:{settings.port}/  （API 文档：/docs，Ctrl+C 退出）", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
