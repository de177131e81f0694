"""Accounts, roles, login, tokens and the public-ask setting."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wuxue.cli import app as cli
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.errors import AuthError, UserExistsError, WeakPasswordError
from wuxue.users import UserStore, ensure_admin, hash_password, verify_password


@pytest.fixture
def store(app_db_location):
    users = UserStore(app_db_location)
    yield users
    users.close()


def test_passwords_are_salted_slow_hashes():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("correct horse", first) and not verify_password("wrong horse", first)


def test_store_roles_tokens_and_password_change(store):
    store.add("leader1", "leader", "password1")
    with pytest.raises(UserExistsError):
        store.add("leader1", "member", "password2")
    with pytest.raises(WeakPasswordError):
        store.add("short", "member", "123")
    user = store.authenticate("leader1", "password1")
    assert user.can("member") and user.can("leader") and not user.can("admin")
    with pytest.raises(AuthError):
        store.authenticate("leader1", "nope-nope")
    token = store.issue_token(user)
    assert store.user_for_token(token).username == "leader1"
    store.set_password("leader1", "password3")
    with pytest.raises(AuthError):
        store.user_for_token(token)  # a password change logs every session out


def test_first_admin_is_created_once(store):
    generated = ensure_admin(store)
    assert generated and store.authenticate("admin", generated).role == "admin"
    assert ensure_admin(store) is None


@pytest.fixture
def client(kb, settings):
    users = UserStore(settings.data_dir / "app.sqlite")
    users.add("member1", "member", "memberpass")
    users.add("boss", "admin", "adminpass1")
    users.close()
    private = settings.model_copy(update={"public_ask": False})
    with TestClient(create_app(private, embedder=HashingEmbedder())) as test_client:
        yield test_client


def test_login_token_cookie_and_role_checks(client):
    response = client.post("/api/auth/login", json={"username": "member1", "password": "memberpass"})
    assert response.status_code == 200 and response.json()["role"] == "member"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = response.json()["token"]
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json() == {"username": "member1", "role": "member"}


def test_private_asking_needs_a_login(client):
    client.cookies.clear()
    refused = client.post("/api/ask", json={"question": "预备期多长"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    token = client.post("/api/auth/login", json={"username": "member1", "password": "memberpass"}).json()["token"]
    client.cookies.clear()
    assert client.post("/api/ask", json={"question": "预备期多长"}, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_wrong_password_and_rate_limit(client):
    for _ in range(5):
        wrong = client.post("/api/auth/login", json={"username": "boss", "password": "guess-guess"})
        assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "用户名或密码错误"
    blocked = client.post("/api/auth/login", json={"username": "boss", "password": "adminpass1"})
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
    assert blocked.headers["retry-after"]


def test_bad_token_is_401(client):
    response = client.get("/api/auth/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_users_cli_reads_passwords_from_stdin(tmp_path, monkeypatch):
    monkeypatch.setenv("WUXUE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    added = runner.invoke(cli, ["users", "add", "zhang", "--role", "leader"], input="secret-pass\n")
    assert added.exit_code == 0, added.output
    listing = json.loads(runner.invoke(cli, ["users", "list", "--json"]).output)
    assert listing[0]["username"] == "zhang" and listing[0]["role"] == "leader"
    assert runner.invoke(cli, ["users", "passwd", "zhang"], input="another-pass\n").exit_code == 0
    assert UserStore(tmp_path / "data" / "app.sqlite").authenticate("zhang", "another-pass").role == "leader"
    duplicate = runner.invoke(cli, ["users", "add", "zhang"], input="secret-pass\n")
    assert duplicate.exit_code == 2 and "user_exists" in duplicate.output


def test_cookie_sessions_need_the_csrf_token_on_state_changes(client):
    login = client.post("/api/auth/login", json={"username": "member1", "password": "memberpass"})
    csrf = client.cookies.get("wuxue_csrf")
    assert csrf and "HttpOnly" not in [c for c in login.headers.get_list("set-cookie") if c.startswith("wuxue_csrf")][0]
    assert client.get("/api/auth/me").status_code == 200  # reading needs no token
    forged = client.post("/api/ask", json={"question": "预备期多长"})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    wrong = client.post("/api/ask", json={"question": "预备期多长"}, headers={"X-CSRF-Token": "0" * 32})
    assert wrong.status_code == 403
    assert client.post("/api/ask", json={"question": "预备期多长"}, headers={"X-CSRF-Token": csrf}).status_code == 200
    token = login.json()["token"]  # bearer calls carry no ambient credential and need no token
    assert client.post("/api/ask", json={"question": "预备期多长"}, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert not client.cookies.get("wuxue_session")
