"""Shared fixtures: settings pointing at temporary folders and a knowledge base on the fake embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wuxue.index.embedders import HashingEmbedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings, load_settings
from wuxue.users import UserStore

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


def hashing_kb(root: Path, *folders: Path) -> KnowledgeBase:
    """A knowledge base on the fake embedder with ``folders`` ingested (data and cache under ``root``)."""
    kb = KnowledgeBase(load_settings(data_dir=root / "data", cache_dir=root / "cache", embed_backend="hashing"),
                       embedder=HashingEmbedder())
    assert not kb.ingest_paths(list(folders)).failed
    return kb


def assert_exact_citations(kb: KnowledgeBase, result) -> None:  # type: ignore[no-untyped-def]
    """Every citation is the document's text at its offsets; every highlight lies inside it, with a page each."""
    for citation in result.citations:
        text = kb.snapshot.store.document_text(citation.doc_id)
        assert text is not None and text[citation.char_start:citation.char_end] == citation.text
        assert len(citation.highlight_pages) == len(citation.highlight)
        for start, end in citation.highlight:
            assert 0 <= start < end <= len(citation.text)
            assert text[citation.char_start + start:citation.char_start + end] == citation.text[start:end]


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
