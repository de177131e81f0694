"""Quiz sets over HTTP: role boundaries, generate → review (replace/delete) → export round trip, errors, practice."""

from __future__ import annotations

import io
import json
from urllib.parse import unquote

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from wuxue.index.embedders import HashingEmbedder
from wuxue.service.app import create_app
from wuxue.service.routers import quiz as quiz_router

from tests.conftest import ACCOUNTS, add_accounts, bearer

PASSWORDS = {name: password for name, (_, password) in ACCOUNTS.items()}
SPEC = {"doc_ids": ["dangzhang_2022"], "counts": {"single": 2, "multi": 1, "blank": 2, "judge": 1}, "difficulty": "medium",
        "seed": 7, "title": "党章学习测验"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app over the small corpus for the module: generation mines the corpus once (a few seconds)."""
    from tests.conftest import CORPUS, SMALL_CORPUS_FILES
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    tmp = tmp_path_factory.mktemp("quiz-api")
    folder = tmp / "corpus"
    folder.mkdir()
    for name in SMALL_CORPUS_FILES:
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    settings = load_settings(data_dir=tmp / "data", cache_dir=tmp / "cache", embed_backend="hashing")
    assert not KnowledgeBase(settings, embedder=HashingEmbedder()).ingest_paths([folder]).failed
    add_accounts(settings.data_dir)
    with TestClient(create_app(settings, embedder=HashingEmbedder())) as test_client:
        yield test_client


auth = bearer


@pytest.fixture(scope="module")
def created(client):
    response = client.post("/api/quiz", json=SPEC, headers=auth(client, "lead"))
    assert response.status_code == 201, response.text
    return response.json()


def error_code(response):
    return response.json()["error"]["code"]


def test_role_boundaries(client, created):
    assert client.post("/api/quiz", json=SPEC).status_code == 401
    assert error_code(client.get("/api/quiz")) == "unauthorized"
    member = auth(client, "mem")
    for response in (client.post("/api/quiz", json=SPEC, headers=member), client.get("/api/quiz", headers=member),
                     client.get(f"/api/quiz/{created['id']}", headers=member),
                     client.get(f"/api/quiz/{created['id']}/export", headers=member),
                     client.delete(f"/api/quiz/{created['id']}/items/x", headers=member)):
        assert response.status_code == 403 and error_code(response) == "forbidden"
    # another leader cannot see the set; an admin can
    other = client.get(f"/api/quiz/{created['id']}", headers=auth(client, "lead2"))
    assert other.status_code == 404 and error_code(other) == "unknown_quiz"
    assert client.get("/api/quiz", headers=auth(client, "lead2")).json() == []
    assert client.get(f"/api/quiz/{created['id']}", headers=auth(client, "boss")).status_code == 200


def test_generated_set_is_cited_saved_and_reproducible(client, created):
    leader = auth(client, "lead")
    items = created["items"]
    assert created["title"] == "党章学习测验"
    produced = {kind: sum(1 for i in items if i["type"] == kind) for kind in SPEC["counts"]}
    for kind, requested in SPEC["counts"].items():
        short = [s for s in created["shortfall"] if s["type"] == kind]
        assert produced[kind] == requested or (short and short[0]["produced"] == produced[kind] and short[0]["reason"])
    for item in items:
        citation = item["citation"]
        assert citation["doc_id"] == "dangzhang_2022" and citation["quote"] and citation["chunk_id"]
        assert citation["char_end"] - citation["char_start"] == len(citation["quote"])
    saved = client.get(f"/api/quiz/{created['id']}", headers=leader).json()
    assert saved["items"] == items and saved["created_by"] == "lead"
    assert saved["spec"]["seed"] == 7 and saved["spec"]["counts"] == SPEC["counts"]
    assert set(saved["doc_versions"]) == {"dangzhang_2022"} and saved["doc_versions"]["dangzhang_2022"]
    listed = client.get("/api/quiz", headers=leader).json()
    assert created["id"] in [s["id"] for s in listed]
    summary = next(s for s in listed if s["id"] == created["id"])
    assert summary["item_count"] == len(items) and "items" not in summary
    again = client.post("/api/quiz", json=SPEC, headers=leader).json()
    assert again["id"] != created["id"] and [i["id"] for i in again["items"]] == [i["id"] for i in items]


def test_replace_and_delete_items(client):
    leader = auth(client, "lead")
    quiz = client.post("/api/quiz", json={**SPEC, "seed": 8, "title": ""}, headers=leader).json()
    assert quiz["title"] == "《中国共产党章程（2022年修订）》学习测试题"
    before = quiz["items"]
    target = before[1]
    replaced = client.post(f"/api/quiz/{quiz['id']}/items/{target['id']}/replace", headers=leader)
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()["items"]
    assert len(after) == len(before) and after[1]["id"] != target["id"] and after[1]["type"] == target["type"]
    assert [i["id"] for i in after[:1] + after[2:]] == [i["id"] for i in before[:1] + before[2:]]
    assert after[1]["citation"]["quote"] and after[1]["stem"] not in {i["stem"] for i in before}
    assert client.get(f"/api/quiz/{quiz['id']}", headers=leader).json()["items"] == after

    deleted = client.delete(f"/api/quiz/{quiz['id']}/items/{after[0]['id']}", headers=leader)
    assert deleted.status_code == 200 and [i["id"] for i in deleted.json()["items"]] == [i["id"] for i in after[1:]]
    again = client.delete(f"/api/quiz/{quiz['id']}/items/{after[0]['id']}", headers=leader)
    assert again.status_code == 404 and error_code(again) == "unknown_quiz_item"
    missing = client.post(f"/api/quiz/{quiz['id']}/items/nope/replace", headers=leader)
    assert missing.status_code == 404 and error_code(missing) == "unknown_quiz_item"
    assert client.delete(f"/api/quiz/{quiz['id']}", headers=leader).status_code == 204
    assert error_code(client.get(f"/api/quiz/{quiz['id']}", headers=leader)) == "unknown_quiz"


def test_no_replacement_is_a_clear_conflict(client, created, monkeypatch):
    monkeypatch.setattr(quiz_router, "replacement_item", lambda *args, **kwargs: None)
    response = client.post(f"/api/quiz/{created['id']}/items/{created['items'][0]['id']}/replace", headers=auth(client, "lead"))
    assert response.status_code == 409 and error_code(response) == "no_replacement" and "删除" in response.json()["error"]["message"]


def test_exports_open_in_their_readers(client, created):
    leader = auth(client, "lead")
    items = created["items"]
    url = f"/api/quiz/{created['id']}/export"

    inline = client.get(url, params={"format": "docx", "answers": "inline"}, headers=leader)
    assert inline.status_code == 200
    assert inline.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = inline.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"quiz-") and ".docx" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "党章学习测验（题后答案）.docx"
    paragraphs = [p.text for p in Document(io.BytesIO(inline.content)).paragraphs]
    assert paragraphs[0] == "党章学习测验"
    assert sum(p.startswith("答案：") for p in paragraphs) == len(items)
    assert sum(p.startswith("出题依据：《中国共产党章程（2022年修订）》") for p in paragraphs) == len(items)
    questions_only = client.get(url, params={"format": "docx", "answers": "none"}, headers=leader)
    text = "\n".join(p.text for p in Document(io.BytesIO(questions_only.content)).paragraphs)
    assert "答案" not in text and "出题依据" not in text and "【" not in text

    workbook = load_workbook(io.BytesIO(client.get(url, params={"format": "xlsx"}, headers=leader).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("题型", "题干") and len(rows) == len(items) + 1
    exported = json.loads(client.get(url, params={"format": "json"}, headers=leader).content)
    assert exported == {"title": "党章学习测验", "items": items}
    aiken = client.get(url, params={"format": "aiken"}, headers=leader)
    assert aiken.headers["x-quiz-skipped"] == str(sum(i["type"] in {"multi", "blank"} for i in items))
    assert aiken.text.count("ANSWER: ") == sum(i["type"] in {"single", "judge"} for i in items)
    gift = client.get(url, params={"format": "gift"}, headers=leader)
    assert gift.headers["content-type"].startswith("text/plain") and all(f"::{i['id']}::" in gift.text for i in items)

    bad_format = client.get(url, params={"format": "pdf"}, headers=leader)
    assert bad_format.status_code == 422 and error_code(bad_format) == "unknown_export_format"
    bad_mode = client.get(url, params={"format": "docx", "answers": "middle"}, headers=leader)
    assert bad_mode.status_code == 422 and error_code(bad_mode) == "invalid_answers_mode"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**SPEC, "counts": {}}, 422, "invalid_quiz_spec"),
    ({**SPEC, "counts": {"single": 0, "judge": 0}}, 422, "invalid_quiz_spec"),
    ({**SPEC, "doc_ids": ["no_such_doc"]}, 404, "unknown_document"),
    ({**SPEC, "doc_ids": []}, 422, "invalid_request"),
    ({**SPEC, "counts": {"single": 51}}, 422, "invalid_request"),
    ({**SPEC, "difficulty": "extreme"}, 422, "invalid_request"),
    ({**SPEC, "seed": -1}, 422, "invalid_request"),
])
def test_bad_specs_are_refused_with_a_code(client, body, status, code):
    response = client.post("/api/quiz", json=body, headers=auth(client, "lead"))
    assert response.status_code == status and error_code(response) == code
    assert response.json()["error"]["message"]


def test_cookie_session_needs_the_csrf_header(client):
    login = client.post("/api/auth/login", json={"username": "lead", "password": PASSWORDS["lead"]})
    assert login.status_code == 200
    refused = client.post("/api/quiz", json={**SPEC, "counts": {"single": 1}})
    assert refused.status_code == 403 and error_code(refused) == "csrf_failed"
    accepted = client.post("/api/quiz", json={**SPEC, "counts": {"single": 1}}, headers={"X-CSRF-Token": client.cookies["wuxue_csrf"]})
    assert accepted.status_code == 201
    client.cookies.clear()


def test_members_practise_without_seeing_answers_and_get_scored(client, created):
    member = auth(client, "mem")
    practice = client.get(f"/api/quiz/{created['id']}/practice", headers=member).json()
    assert [i["id"] for i in practice["items"]] == [i["id"] for i in created["items"]]
    for shown in practice["items"]:
        assert set(shown) == {"id", "type", "stem", "options", "blanks"}
    full = {"answers": [{"item_id": i["id"], "keys": i["answer"]["keys"], "texts": i["answer"]["texts"]} for i in created["items"]]}
    result = client.post(f"/api/quiz/{created['id']}/practice", json=full, headers=member).json()
    assert result["score"] == result["total"] == len(created["items"])
    assert all(r["item"]["citation"]["quote"] for r in result["results"])
    first = created["items"][0]
    wrong_key = next(o["key"] for o in first["options"] if o["key"] not in first["answer"]["keys"])
    partial = client.post(f"/api/quiz/{created['id']}/practice", headers=member,
                          json={"answers": [{"item_id": first["id"], "keys": [wrong_key]}]}).json()
    assert partial["score"] == 0 and partial["results"][0]["correct"] is False
    assert client.get(f"/api/quiz/{created['id']}/practice").status_code == 401
    assert error_code(client.get("/api/quiz/nope/practice", headers=member)) == "unknown_quiz"


def test_a_leader_edits_an_item_in_place_and_the_edit_is_checked(client):
    leader = auth(client, "lead")
    quiz = client.post("/api/quiz", json={**SPEC, "seed": 11, "title": "编辑测试"}, headers=leader).json()
    single = next(i for i in quiz["items"] if i["type"] == "single")
    url = f"/api/quiz/{quiz['id']}/items/{single['id']}"
    body = {"stem": "党章规定，党的全国代表大会每（　　）举行一次。", "options": ["三年", "五年", "四年", "十年"], "keys": ["B"]}
    edited = client.put(url, json=body, headers=leader)
    assert edited.status_code == 200, edited.text
    saved = next(i for i in edited.json()["items"] if i["id"] == single["id"])
    assert saved["edited"] is True and saved["stem"] == body["stem"] and saved["answer"]["texts"] == ["五年"]
    assert [o["text"] for o in saved["options"]] == body["options"] and saved["citation"] == single["citation"]
    assert [i["id"] for i in edited.json()["items"]] == [i["id"] for i in quiz["items"]]  # same place in the paper
    for bad, words in (({**body, "keys": ["A", "B"]}, "只能有一个"), ({**body, "options": ["三年", "五年", "五年", "十年"]}, "重复"),
                       ({**body, "options": ["中国", "五年", "四年", "十年"]}, "不宜"), ({**body, "keys": ["E"]}, "选出"),
                       ({**body, "stem": "党的全国代表大会每五年举行一次。（　　）"}, "写出"),
                       ({**body, "options": ["五年", "每五年", "四年", "十年"]}, "包含")):
        refused = client.put(url, json=bad, headers=leader)
        assert refused.status_code == 422 and error_code(refused) == "invalid_quiz_edit" and words in refused.json()["error"]["message"], refused.text
    blank = next(i for i in quiz["items"] if i["type"] == "blank")
    mismatch = client.put(f"/api/quiz/{quiz['id']}/items/{blank['id']}", json={"stem": "党章规定，（　　）。", "texts": ["一", "二"]}, headers=leader)
    assert mismatch.status_code == 422 and "一致" in mismatch.json()["error"]["message"]
    judge = next(i for i in quiz["items"] if i["type"] == "judge")
    flipped = client.put(f"/api/quiz/{quiz['id']}/items/{judge['id']}", json={"stem": "党章规定，党的全国代表大会每十年举行一次。", "keys": ["B"]},
                         headers=leader)
    assert flipped.status_code == 200 and next(i for i in flipped.json()["items"] if i["id"] == judge["id"])["answer"]["texts"] == ["错误"]
    assert client.put(url, json=body, headers=auth(client, "mem")).status_code == 403


def test_a_set_warns_when_its_document_has_a_newer_version_and_replaces_only_from_its_own_version(client):
    leader = auth(client, "lead")
    quiz = client.post("/api/quiz", json={**SPEC, "seed": 12, "title": "版本测试"}, headers=leader).json()
    assert client.get(f"/api/quiz/{quiz['id']}", headers=leader).json()["stale_documents"] == []
    store = client.app.state.quiz_store
    with store.db.transaction() as tx:  # the set was made from an older version of 党章
        tx.execute("UPDATE quiz_sets SET doc_versions = ? WHERE id = ?", [json.dumps({"dangzhang_2022": "old-hash"}), quiz["id"]])
    stale = client.get(f"/api/quiz/{quiz['id']}", headers=leader).json()["stale_documents"]
    assert [s["doc_id"] for s in stale] == ["dangzhang_2022"] and stale[0]["status"] == "changed" and "新版本" in stale[0]["message"]
    refused = client.post(f"/api/quiz/{quiz['id']}/items/{quiz['items'][0]['id']}/replace", headers=leader)
    assert refused.status_code == 409 and error_code(refused) == "quiz_source_changed" and "新版本" in refused.json()["error"]["message"]
