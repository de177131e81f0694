"""Crafted knowledge bases shared by the answering tests (fake embedder), built once per test module."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, hashing_kb
from wuxue.knowledge_base import KnowledgeBase


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> KnowledgeBase:
    """示范组织章程 and 示范处分规则: every answer kind and quiz form, the same list in two documents."""
    return hashing_kb(tmp_path_factory.mktemp("crafted"), FIXTURES / "answers")


@pytest.fixture(scope="module")
def choices(tmp_path_factory) -> KnowledgeBase:
    """示范教育规则: which list or sentence answers (counted terms, duty sentences, the asking clause)."""
    return hashing_kb(tmp_path_factory.mktemp("choices"), FIXTURES / "answers_more")


@pytest.fixture(scope="module")
def hezuo(tmp_path_factory) -> KnowledgeBase:
    """示范合作办法: pasted-item wording, a requirement over three paragraphs, a 分为 sentence beside a list."""
    return hashing_kb(tmp_path_factory.mktemp("hezuo"), FIXTURES / "hezuo")
