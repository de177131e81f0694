"""Crafted knowledge bases shared by the answering tests (fake embedder)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, hashing_kb
from wuxue.knowledge_base import KnowledgeBase


@pytest.fixture(scope="module")
def hezuo(tmp_path_factory) -> KnowledgeBase:
    """示范合作办法: pasted-item wording, a requirement over three paragraphs, a 分为 sentence beside a list."""
    return hashing_kb(tmp_path_factory.mktemp("hezuo"), FIXTURES / "hezuo")
