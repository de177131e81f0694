"""OpenAPI lists the error responses each route really returns, with the error schema (issue 11 item 13)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from tests.conftest import add_accounts, bearer


@pytest.fixture
def client(kb, settings):
    add_accounts(settings.data_dir, ("boss", "mem"))
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def test_every_error_response_uses_the_error_schema(client):
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, status)
        if path.startswith("/api/admin"):
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            assert "413" in operation["responses"], (method, path)
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "429", "422"} <= set(login)
    assert "429" in schema["paths"]["/api/admin/reindex"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/admin/documents/{doc_id}/history"]["delete"]["responses"]


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1) == "version" else "nope", path)


def test_statuses_actually_returned_are_documented(client):
    """Call every route as nobody, as a member and as an admin, with unknown ids and empty bodies:
    whatever error comes back must be one the schema lists for that route."""
    schema = client.get("/openapi.json").json()
    callers = {"nobody": {}, "member": bearer(client, "mem"), "admin": bearer(client, "boss")}
    undocumented = []
    seen = set()
    operations = sorted(_operations(schema), key=lambda op: op[0] == "/api/auth/logout")  # logging out last keeps the tokens valid
    for path, method, operation in operations:
        for who, headers in callers.items():
            kwargs = {"json": {}} if "requestBody" in operation and "multipart" not in str(operation["requestBody"]) else {}
            response = client.request(method, _concrete(path), headers=headers, **kwargs)
            seen.add(response.status_code)
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/json"), (method, path, who)
                assert set(response.json()) == {"error"}, (method, path, who)
                if str(response.status_code) not in operation["responses"]:
                    undocumented.append((method, path, who, response.status_code, response.json()["error"]["code"]))
    assert undocumented == []
    assert {401, 403, 404, 422} <= seen


def test_405_keeps_its_allow_header(client):
    response = client.put("/api/ask", json={})
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert response.headers["allow"] == "POST"

