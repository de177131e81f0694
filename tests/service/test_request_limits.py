"""Request limits come from the app's settings at request time, not from constants in the schemas (issue 16).

Before, ``MAX_QUESTION_CHARS = 500`` in the schema overrode ``WUXUE_MAX_QUESTION_CHARS`` and the quiz item
limit was 200 in the generator and 100 in the practice schema.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import add_accounts, bearer
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.settings import Settings


def _client(settings: Settings, **limits: int) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=limits), embedder=HashingEmbedder()))


def _error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return response.json()["error"]


@pytest.mark.parametrize("limit", [20, 800])
def test_the_question_limit_is_the_setting(kb, settings, limit):
    with _client(settings, max_question_chars=limit) as client:
        at_limit = client.post("/api/ask", json={"question": "党员" + "的" * (limit - 2)})
        over = client.post("/api/ask", json={"question": "党员" + "的" * (limit - 1)})
        search_over = client.get("/api/search", params={"q": "党" * (limit + 1)})
        history_over = client.post("/api/ask", json={"question": "那权利呢？", "history": ["党" * (limit + 1)]})
    assert at_limit.status_code == 200, at_limit.text  # 800 was refused by the old schema constant (500)
    assert over.status_code == 422 and _error(over) == {"code": "invalid_request", "message": "问题（question）过长"}
    assert search_over.status_code == 422 and _error(search_over) == {"code": "invalid_request", "message": "检索内容（q）过长"}
    assert history_over.status_code == 422 and _error(history_over)["message"] == "此前的问题（history.0）过长"


def test_the_hit_test_question_limit_is_the_setting(kb, settings):
    add_accounts(settings.data_dir, ("boss",))
    with _client(settings, max_question_chars=20) as client:
        admin = bearer(client, "boss")
        over = client.post("/api/admin/hit-test", json={"question": "党" * 21}, headers=admin)
        within = client.post("/api/admin/hit-test", json={"question": "党" * 20}, headers=admin)
    assert over.status_code == 422 and _error(over) == {"code": "invalid_request", "message": "问题（question）过长"}
    assert within.status_code == 200


def test_a_long_question_from_a_stranger_is_still_refused_as_unauthorized_first(kb, settings):
    with _client(settings.model_copy(update={"public_ask": False}), max_question_chars=20) as client:
        response = client.post("/api/ask", json={"question": "党" * 21})
    assert response.status_code == 401 and _error(response)["code"] == "unauthorized"


def test_the_quiz_limits_are_the_settings(kb, settings):
    add_accounts(settings.data_dir, ("lead",))
    spec = {"doc_ids": ["dangzhang_2022"], "counts": {"single": 3}}
    with _client(settings, quiz_max_per_type=2, quiz_max_items=3) as client:
        leader = bearer(client, "lead")
        per_type = client.post("/api/quiz", json=spec, headers=leader)
        total = client.post("/api/quiz", json={**spec, "counts": {"single": 2, "judge": 2}}, headers=leader)
        practice = client.post("/api/quiz/anything/practice", json={"answers": [{"item_id": str(i)} for i in range(4)]},
                               headers=leader)
    assert per_type.status_code == 422 and _error(per_type) == {"code": "invalid_request", "message": "各题型数量（counts.single）超出允许范围"}
    assert total.status_code == 422 and _error(total)["code"] == "invalid_quiz_spec" and "3 道题" in _error(total)["message"]
    assert practice.status_code == 422 and _error(practice)["code"] == "invalid_request" and "answers" in _error(practice)["message"]


def test_the_default_quiz_limits_keep_their_values(settings):
    assert (Settings().quiz_max_items, Settings().quiz_max_per_type, Settings().max_question_chars) == (200, 50, 500)
