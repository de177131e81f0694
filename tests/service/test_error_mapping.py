"""Domain errors live in one module and the HTTP edge maps each class to a status (issue 16).

A new error class without a status would otherwise answer with whatever default the handler had;
these tests make that a failure instead.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wuxue import errors
from wuxue.errors import WuxueError
from wuxue.service.errors import STATUS, install_error_handlers, status_of


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _import_everything() -> None:
    """Import every module of the package (core, ingest, index, service) so each error class is loaded."""
    names = []
    for top in ("wuxue", "wuxue.ingest", "wuxue.index", "wuxue.service"):  # separate folders, one namespace
        package = importlib.import_module(top)
        names += [module.name for module in pkgutil.walk_packages(package.__path__, f"{top}.")]
    assert {"wuxue.service.routers.quiz", "wuxue.ingest.loaders.pdf", "wuxue.index.dense"} <= set(names)
    for name in names:
        importlib.import_module(name)


def _domain_classes() -> list[type[WuxueError]]:
    return [cls for cls in [WuxueError, *_subclasses(WuxueError)] if cls.__module__.startswith("wuxue")]


def test_every_error_class_is_defined_in_wuxue_errors():
    _import_everything()
    outside = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in _domain_classes() if cls.__module__ != "wuxue.errors")
    assert outside == []


def test_every_error_class_has_its_own_status():
    _import_everything()
    defined = [cls for cls in _domain_classes() if cls.__module__ == "wuxue.errors"]
    assert len(defined) > 40  # the walk found the module's classes, not an empty list
    assert [cls.__name__ for cls in defined if cls not in STATUS] == []
    assert all(400 <= status <= 599 for status in STATUS.values())


def test_every_error_class_has_its_own_stable_code():
    classes = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, WuxueError)]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidQuestionError("问题不能为空"), 422),
        (errors.UnknownDocumentError("x"), 404),
        (errors.IndexNotReadyError("x"), 503),
        (errors.AuthError("x"), 401),
        (errors.QueueFullError("x"), 429),
        (errors.DuplicateDocumentError("x", filename="a.txt"), 409),
        (errors.CorruptFileError("x"), 400),
        (errors.DataDirNotWritableError("x"), 507),
        (errors.NoReplacementError("x"), 409),
    ],
)
def test_status_is_chosen_by_class(error, status):
    assert status_of(error) == status


def test_an_unmapped_subclass_takes_its_base_class_status():
    class LateIngestError(errors.IngestError):
        code = "late_ingest"

    assert status_of(LateIngestError("x")) == STATUS[errors.IngestError] == 400


def test_handler_answers_with_the_class_status_code_and_message():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/quiz")
    def _quiz() -> None:
        raise errors.UnknownQuizError("题目集不存在：q1")

    @app.get("/locked")
    def _locked() -> None:
        raise errors.TooManyAttemptsError("尝试过多", retry_after=42)

    with TestClient(app) as client:
        quiz = client.get("/quiz")
        locked = client.get("/locked")
    assert quiz.status_code == 404
    assert quiz.json() == {"error": {"code": "unknown_quiz", "message": "题目集不存在：q1"}}
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "42"
    assert locked.json()["error"]["code"] == "too_many_attempts"


def test_a_field_error_names_the_field_in_chinese_with_its_api_path():
    from wuxue.service.errors import _field_message

    assert _field_message({"loc": ("body", "question"), "type": "string_too_short"}) == "问题（question）不能为空"
    assert _field_message({"loc": ("body", "history", 2), "type": "string_too_long"}) == "此前的问题（history.2）过长"
    assert _field_message({"loc": ("body",), "type": "json_invalid"}) == "请求格式不正确"
    assert _field_message({"loc": ("body", "unknown_field"), "type": "missing"}) == "缺少字段unknown_field"
