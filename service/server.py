"""Start uvicorn with the app (``wuxue serve``)."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from wuxue.app_database import database_location
from wuxue.service.app import create_app
from wuxue.settings import Settings, load_settings
from wuxue.users import UserExistsError, UserStore, ensure_admin


def first_admin(settings: Settings) -> str | None:
    """Create the first admin on a fresh install (the one-time password when generated). The machines of a
    deployment may start at the same moment on one fresh database: the one that loses the race finds the admin made."""
    store = UserStore(database_location(settings))
    try:
        return ensure_admin(store, settings.admin_password)
    except UserExistsError:
        if store.has_admin():
            return None
        raise
    finally:
        store.close()


def run_server(*, data_dir: Path | None = None, host: str | None = None, port: int | None = None, role: str | None = None) -> None:
    settings = load_settings(data_dir=data_dir, host=host, port=port, role=role)
    one_time = first_admin(settings)
    if one_time:
        print(f"已创建管理员账号 admin，一次性密码：{one_time}（仅显示这一次，请登录后用 `wuxue users passwd admin` 修改）", flush=True)
    shown = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    role = "" if settings.role == "all" else f"角色 {settings.role}，"
    print(f"五学联动学习知识库已启动：http://{shown}:{settings.port}/  （{role}API 文档：/docs，Ctrl+C 退出）", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
