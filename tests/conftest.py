"""Shared fixtures: settings pointing at temporary folders and a knowledge base on the fake embedder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from wuxue.index.embedders import HashingEmbedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings, load_settings
from wuxue.users import UserStore
from tests.pg import PgCluster, start_or_fail

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_CORPUS_FILES = ("dangzhang_2022.txt", "lianjie_zilv_zhunze_2015.txt", "cic_dangjian_2024.txt", "njmes_dangjian_plan_2023.txt")


ACCOUNTS = {"boss": ("admin", "adminpass1"), "lead": ("leader", "leaderpass"), "lead2": ("leader", "leaderpass2"),
            "mem": ("member", "memberpass")}


def add_accounts(data_dir: Path, names: tuple[str, ...] = tuple(ACCOUNTS)) -> None:
    """Create test accounts (role and password from ACCOUNTS) in the app database of ``data_dir``."""
    users = UserStore(data_dir / "app.sqlite")
    for name in names:
        role, password = ACCOUNTS[name]
        users.add(name, role, password)
    users.close()


def bearer(client, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Log in through the API and return the bearer header (cookies cleared, as an API client has none)."""
    token = client.post("/api/auth/login", json={"username": username, "password": ACCOUNTS[username][1]}).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", embed_backend="hashing")


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A copy of four bundled documents with the matching manifest entries."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    manifest = (CORPUS / "manifest.toml").read_text(encoding="utf-8")
    blocks = manifest.split("[[documents]]")
    kept = [block for block in blocks[1:] if any(f'file = "{name}"' in block for name in SMALL_CORPUS_FILES)]
    (folder / "manifest.toml").write_text("".join("[[documents]]" + block for block in kept), encoding="utf-8")
    for name in SMALL_CORPUS_FILES:
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def kb(settings: Settings, small_corpus: Path) -> KnowledgeBase:
    knowledge_base = KnowledgeBase(settings, embedder=HashingEmbedder())
    report = knowledge_base.ingest_paths([small_corpus])
    assert not report.failed
    return knowledge_base


# PostgreSQL (tests/pg.py): one throwaway cluster per session, started only when a test asks for it.
@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = start_or_fail()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: PgCluster) -> str:
    """A ``postgresql://`` URL of a fresh database, shared by the whole session (e.g. by several servers)."""
    return pg_cluster.new_database("session")


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db_location(request, tmp_path: Path) -> Iterator[str | Path]:
    """Where the app database of one test lives: ``tmp_path/app.sqlite``, then a fresh PostgreSQL database
    (dropped afterwards, closing what the test left open).

    Stores accept either (``UserStore(app_db_location)``), so a test taking this fixture runs on both backends.
    """
    if request.param == "sqlite":
        yield tmp_path / "app.sqlite"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield url
    cluster.drop_database(url)
