"""Login: no user-name oracle in the timing, a per-client limit against spraying, a truthful Retry-After (issue 11 item 12)."""

from __future__ import annotations

import statistics
import time

import pytest
from fastapi.testclient import TestClient

from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.errors import AuthError, TooManyAttemptsError
from wuxue.service.auth import LoginRateLimiter
from wuxue.users import UserStore
from tests.conftest import add_accounts


def _median_seconds(action, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_unknown_user_costs_the_same_hash_as_a_known_one(tmp_path):
    store = UserStore(tmp_path / "app.sqlite")
    store.add("known", "member", "password1")

    def attempt(name: str):
        def run() -> None:
            with pytest.raises(AuthError):
                store.authenticate(name, "wrong-password")
        return run

    known, unknown = _median_seconds(attempt("known")), _median_seconds(attempt("nobody"))
    # before: ~40 ms vs ~0.1 ms; now both pay one scrypt
    assert unknown > 0.5 * known, (known, unknown)
    store.close()


def test_retry_after_is_the_real_remaining_lockout(app_db_location):
    clock = [1000.0]
    limiter = LoginRateLimiter(UserStore(app_db_location), 3, 60.0, client_limit=100, client_window=600.0, clock=lambda: clock[0])
    key = ("10.0.0.1", "boss")
    for step in range(3):
        limiter.check(key)
        limiter.failed(key)
        clock[0] += 10
    with pytest.raises(TooManyAttemptsError) as error:
        limiter.check(key)
    assert error.value.retry_after == 30  # first failure at 1000 s, now 1030 s, window 60 s
    clock[0] += 30
    limiter.check(key)  # exactly when Retry-After said
    limiter.users.close()


def test_spraying_many_names_from_one_client_is_limited(app_db_location):
    clock = [10_000.0]
    limiter = LoginRateLimiter(UserStore(app_db_location), 5, 60.0, client_limit=4, client_window=600.0, clock=lambda: clock[0])
    for n in range(4):
        limiter.check(("10.0.0.2", f"user{n}"))
        limiter.failed(("10.0.0.2", f"user{n}"))
    with pytest.raises(TooManyAttemptsError) as error:
        limiter.check(("10.0.0.2", "user99"))
    assert error.value.retry_after == 600
    limiter.check(("10.0.0.3", "user99"))  # another client is not affected
    limiter.succeeded(("10.0.0.2", "user0"))  # one good login does not reset the client's budget
    with pytest.raises(TooManyAttemptsError):
        limiter.check(("10.0.0.2", "user0"))
    limiter.users.close()


def test_http_429_carries_the_real_retry_after(kb, settings):
    add_accounts(settings.data_dir, ("boss",))
    strict = settings.model_copy(update={"login_failures_per_name": 100, "login_failures_per_client": 3, "login_client_window_seconds": 120})
    with TestClient(create_app(strict, embedder=HashingEmbedder())) as client:
        for name in ("a", "b", "c"):
            assert client.post("/api/auth/login", json={"username": name, "password": "x" * 8}).status_code == 401
        blocked = client.post("/api/auth/login", json={"username": "boss", "password": "adminpass1"})
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
        retry_after = int(blocked.headers["retry-after"])
        assert 115 <= retry_after <= 120 and f"{retry_after} 秒" in blocked.json()["error"]["message"]
