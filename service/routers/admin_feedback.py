"""Admin: the feedback loop — questions members marked 没帮助 and questions the service refused.

Members' questions are personal data: only admins read them, can export and delete them, and
they are purged after ``WUXUE_QUERY_LOG_DAYS``.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from wuxue.service.auth import Admin
from wuxue.service.deps import AppDB, Audit
from wuxue.service.schemas.feedback import DeletedOut, HandledIn, HandledOut, ReviewItemOut, ReviewOut

router = APIRouter(prefix="/api/admin/feedback", tags=["管理"])
QuestionKey = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="同一问题（规范化后）的键")]


@router.get("", response_model=ReviewOut, summary="待处理的反馈：被点踩和未找到的问题（同一问题合并，最新在前）")
def review(app_db: AppDB, _: Admin, state: Literal["open", "handled", "all"] = "open") -> ReviewOut:
    items = [ReviewItemOut(**item.to_dict()) for item in app_db.review(state)]
    return ReviewOut(retention_days=app_db.retention_days, items=items)


@router.post("/{key}/handled", response_model=HandledOut, summary="标记已处理（handled=false 重新打开）")
def mark_handled(key: QuestionKey, body: HandledIn, app_db: AppDB, audit: Audit, user: Admin) -> HandledOut:
    app_db.mark_handled(key, user.username, body.handled)
    count = sum(item.count for item in app_db.review("all") if item.key == key)
    audit.record(user.username, "review_handled" if body.handled else "review_reopened", key, count=count)
    return HandledOut(key=key, handled=body.handled)


@router.delete("/{key}", response_model=DeletedOut, summary="删除这个问题的全部提问记录与反馈")
def delete_question(key: QuestionKey, app_db: AppDB, audit: Audit, user: Admin) -> DeletedOut:
    deleted = app_db.delete_question(key)
    audit.record(user.username, "delete_queries", key, count=deleted)
    return DeletedOut(key=key, deleted=deleted)


EXPORT_COLUMNS = {"query_id": "提问编号", "asked_at": "提问时间（UTC）", "question": "问题", "found": "是否找到答案", "answer": "回答",
                  "helpful": "反馈", "reason": "原因", "comment": "备注", "feedback_at": "反馈时间（UTC）"}


def _csv(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS.values())
    for row in rows:
        helpful = {True: "有帮助", False: "没帮助", None: ""}[row["helpful"]]  # type: ignore[index]
        writer.writerow([helpful if name == "helpful" else ("是" if row[name] else "否") if name == "found" else row[name] or ""
                         for name in EXPORT_COLUMNS])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel/WPS read the Chinese


@router.get("/export", summary="导出全部提问记录与反馈（CSV 或 JSON）",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export(app_db: AppDB, audit: Audit, user: Admin,
           format: Annotated[Literal["csv", "json"], Query(description="csv 或 json")] = "csv") -> Response:
    rows = app_db.export_rows()
    audit.record(user.username, "export_queries", "", format=format, rows=len(rows))
    stamp = time.strftime("%Y%m%d", time.gmtime())
    if format == "json":
        body, media = json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"), "application/json"
    else:
        body, media = _csv(rows), "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="queries-{stamp}.{format}"'})
