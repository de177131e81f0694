"""Quiz sets for study-group leaders: generate, review (replace/delete items), export; practice for members.

Generation is CPU work: it runs in a worker thread under a small capacity limiter so a few leaders
generating at once cannot starve the question answering. A leader sees their own sets; an admin
sees every set. Practice needs only a member login and the set's id (a link the leader shares).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from wuxue.service.auth import Leader, Member
from wuxue.service.deps import Reader
from wuxue.service.schemas.quiz import (
    ItemEdit,
    PracticeBody,
    PracticeOut,
    PracticeResult,
    QuizBody,
    QuizCreated,
    QuizSetOut,
    QuizSetSummaryOut,
)

from wuxue.errors import NoReplacementError, UnknownQuizError, UnknownQuizItemError
from wuxue.quiz.export import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    check_export_args,
    export_quiz,
    skipped,
)
from wuxue.quiz.editing import edit_item
from wuxue.quiz.generator import (
    QuizSpec,
    generate_quiz,
    replacement_item,
    stale_documents,
    validate_spec,
)
from wuxue.quiz.practice import grade, practice_view
from wuxue.quiz.store import QuizSet, QuizStore
from wuxue.users import User

router = APIRouter(prefix="/api/quiz", tags=["题目集"])


def _store(request: Request) -> QuizStore:
    return request.app.state.quiz_store


async def _in_worker(request: Request, function, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
    """Run CPU work in a thread, at most ``quiz_limiter`` at a time."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), limiter=request.app.state.quiz_limiter)


def _own(request: Request, quiz_id: str, user: User) -> QuizSet:
    """The set if the caller made it (or is an admin); someone else's set looks like a missing one."""
    quiz = _store(request).get(quiz_id)
    if quiz.created_by != user.username and not user.can("admin"):
        raise UnknownQuizError(f"题目集不存在：{quiz_id}")
    return quiz


def _spec(saved: dict[str, Any]) -> QuizSpec:
    return QuizSpec(doc_ids=tuple(saved["doc_ids"]), counts=dict(saved["counts"]), sections=tuple(saved.get("sections") or ()),
                    difficulty=saved.get("difficulty", "medium"), seed=int(saved.get("seed", 0)))


def _default_title(kb, doc_ids: list[str]) -> str:  # type: ignore[no-untyped-def]
    first = kb.document(doc_ids[0]).title
    return f"《{first}》{'等' if len(doc_ids) > 1 else ''}学习测试题"[:100]


@router.post("", response_model=QuizCreated, response_model_exclude_unset=True, status_code=201, summary="生成题目集（单选、多选、填空、判断，每题附出处）")
async def create_quiz(request: Request, kb: Reader, user: Leader, body: QuizBody) -> QuizCreated:
    counts = {kind: n for kind, n in body.counts.model_dump().items() if n}
    spec_dict = {"doc_ids": body.doc_ids, "counts": counts, "sections": body.sections, "difficulty": body.difficulty, "seed": body.seed}
    validate_spec(kb, _spec(spec_dict))  # invalid_quiz_spec / unknown_document before waiting for a worker
    result = await _in_worker(request, generate_quiz, kb, _spec(spec_dict))
    quiz = _store(request).create(
        title=body.title.strip() or _default_title(kb, body.doc_ids), created_by=user.username, spec=spec_dict,
        doc_versions=dict(result.doc_versions), items=list(result.items), shortfall=result.shortfall, rejected=result.rejected,
    )
    return QuizCreated(id=quiz.id, title=quiz.title, items=quiz.items, shortfall=quiz.shortfall, rejected=quiz.rejected)  # type: ignore[arg-type]


@router.get("", response_model=list[QuizSetSummaryOut], summary="我的题目集（最新在前）")
def list_quizzes(request: Request, user: Leader, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[QuizSetSummaryOut]:
    return [QuizSetSummaryOut(**quiz.summary()) for quiz in _store(request).list(created_by=user.username, limit=limit)]


def _out(kb, quiz: QuizSet) -> QuizSetOut:  # type: ignore[no-untyped-def]
    """The set with a warning for every source document that changed since it was made."""
    return QuizSetOut(**quiz.to_dict(), stale_documents=stale_documents(kb, quiz.doc_versions))  # type: ignore[arg-type]


@router.get("/{quiz_id}", response_model=QuizSetOut, response_model_exclude_unset=True, summary="题目集与全部题目（含文档更新提醒）")
def get_quiz(quiz_id: str, request: Request, kb: Reader, user: Leader) -> QuizSetOut:
    return _out(kb, _own(request, quiz_id, user))


@router.delete("/{quiz_id}", status_code=204, summary="删除题目集")
def delete_quiz(quiz_id: str, request: Request, user: Leader) -> Response:
    _own(request, quiz_id, user)
    _store(request).delete(quiz_id)
    return Response(status_code=204)


@router.post("/{quiz_id}/items/{item_id}/replace", response_model=QuizSetOut, response_model_exclude_unset=True, summary="换一道题（同题型，位置不变）")
async def replace_item(quiz_id: str, item_id: str, request: Request, kb: Reader, user: Leader) -> QuizSetOut:
    quiz = _own(request, quiz_id, user)
    if not any(item.get("id") == item_id for item in quiz.items):
        raise UnknownQuizItemError(f"题目集 {quiz_id} 中没有这道题：{item_id}")
    new_item = await _in_worker(request, replacement_item, kb, _spec(quiz.spec), items=quiz.items, item_id=item_id,
                                versions=quiz.doc_versions)
    if new_item is None:
        raise NoReplacementError("所选范围内没有可替换的新题，可删除此题或扩大出题范围")
    return _out(kb, _store(request).replace_item(quiz_id, item_id, new_item))


@router.put("/{quiz_id}/items/{item_id}", response_model=QuizSetOut, response_model_exclude_unset=True,
            summary="修改一道题（题干、选项、答案；保存前重新检查，并标记为已修改）")
def update_item(quiz_id: str, item_id: str, body: ItemEdit, request: Request, kb: Reader, user: Leader) -> QuizSetOut:
    quiz = _own(request, quiz_id, user)
    item = next((i for i in quiz.items if i.get("id") == item_id), None)
    if item is None:
        raise UnknownQuizItemError(f"题目集 {quiz_id} 中没有这道题：{item_id}")
    edited = edit_item(item, stem=body.stem, options=body.options, keys=body.keys, texts=body.texts)
    return _out(kb, _store(request).replace_item(quiz_id, item_id, edited))


@router.delete("/{quiz_id}/items/{item_id}", response_model=QuizSetOut, response_model_exclude_unset=True, summary="删除一道题")
def delete_item(quiz_id: str, item_id: str, request: Request, kb: Reader, user: Leader) -> QuizSetOut:
    _own(request, quiz_id, user)
    return _out(kb, _store(request).delete_item(quiz_id, item_id))


def _disposition(title: str, quiz_id: str, fmt: str, answers: str) -> str:
    """``attachment`` with an ASCII fallback name and the Chinese title as the UTF-8 name (RFC 6266)."""
    suffix = {"none": "（试题）", "inline": "（题后答案）", "end": "（卷尾答案）"}[answers] if fmt in {"docx", "txt"} else ""
    name = "".join(c for c in title if c not in '\\/:*?"<>|\r\n\t') or "题目集"
    return (f"attachment; filename=\"quiz-{quiz_id[:8]}{EXTENSIONS[fmt]}\"; "
            f"filename*=UTF-8''{quote(name + suffix + EXTENSIONS[fmt], safe='')}")


@router.get("/{quiz_id}/export", summary="导出：Word、Excel、JSON、纯文本、GIFT、Aiken",
            responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS}, "description": "文件"}})
async def export(
    quiz_id: str,
    request: Request,
    user: Leader,
    format: Annotated[str, Query(description="、".join(FORMATS))] = "docx",
    answers: Annotated[str, Query(description="none 仅试题；inline 题后附答案；end 卷尾附答案（Word、纯文本）")] = "end",
) -> Response:
    quiz = _own(request, quiz_id, user)
    check_export_args(format, answers)
    data = await anyio.to_thread.run_sync(partial(export_quiz, quiz.items, format, answers=answers, title=quiz.title))
    headers = {"Content-Disposition": _disposition(quiz.title, quiz.id, format, answers),
               "X-Quiz-Skipped": str(skipped(quiz.items, format)), "Cache-Control": "no-store"}
    return Response(content=data, media_type=MEDIA_TYPES[format], headers=headers)


@router.get("/{quiz_id}/practice", response_model=PracticeOut, summary="练习：题目（不含答案）")
def practice(quiz_id: str, request: Request, _: Member) -> PracticeOut:
    quiz = _store(request).get(quiz_id)
    return PracticeOut(id=quiz.id, title=quiz.title, items=[practice_view(item) for item in quiz.items])  # type: ignore[misc]


@router.post("/{quiz_id}/practice", response_model=PracticeResult, response_model_exclude_unset=True, summary="练习：交卷，返回得分与每题出处")
def submit_practice(quiz_id: str, request: Request, _: Member, body: PracticeBody) -> PracticeResult:
    quiz = _store(request).get(quiz_id)
    answers = {a.item_id: {"keys": a.keys, "texts": a.texts} for a in body.answers}
    return PracticeResult(**grade(quiz.items, answers))
