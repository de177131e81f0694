"""The ``wuxue`` command: the same functions the web API calls, for people (readable) and machines (--json).

Imports of heavy modules happen inside commands so ``wuxue --help`` is instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from wuxue.errors import WuxueError

if TYPE_CHECKING:
    from wuxue.answering import AskResult, Citation
    from wuxue.index.searcher import SearchResult
    from wuxue.knowledge_base import KnowledgeBase

app = typer.Typer(help="五学联动学习知识库：带出处的离线问答。", no_args_is_help=True, add_completion=False)
docs_app = typer.Typer(help="管理已索引的文档。", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
users_app = typer.Typer(help="管理账号与角色（member / leader / admin）。", no_args_is_help=True)
app.add_typer(users_app, name="users")
db_app = typer.Typer(help="应用数据库（账号、任务、日志、题目集、反馈）。", no_args_is_help=True)
app.add_typer(db_app, name="db")

JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON（机器可读）")]


class Role(str, Enum):
    """``wuxue serve --role`` (see WUXUE_ROLE in settings)."""

    all = "all"
    reader = "reader"
    writer = "writer"


class _State:
    data_dir: Path | None = None


@app.callback()
def _main(data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="数据目录（默认 $WUXUE_DATA_DIR 或 ./data）")] = None) -> None:
    _State.data_dir = data_dir


def open_kb() -> "KnowledgeBase":
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    return KnowledgeBase(load_settings(data_dir=_State.data_dir))


def _fail(error: WuxueError) -> None:
    typer.secho(f"错误 [{error.code}]：{error.message}", fg=typer.colors.RED, err=True)
    if error.detail:
        typer.echo(f"  详情：{error.detail}", err=True)
    raise typer.Exit(code=2)


def _questions(question: str) -> Iterator[str]:
    if question == "-":
        for line in sys.stdin:
            if line.strip():
                yield line.strip()
    else:
        yield question


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="文件或文件夹（文件夹中的 manifest.toml 提供元数据）")]) -> None:
    """导入文档并更新索引（未变化的文件不做任何工作）。"""
    kb = open_kb()
    try:
        report = kb.ingest_paths(paths, show_progress=True)
    except WuxueError as error:
        _fail(error)
        return
    finally:
        kb.close()  # replaced snapshots are released now
    typer.echo(f"新增 {len(report.added)}，更新 {len(report.updated)}，跳过 {len(report.skipped)}，失败 {len(report.failed)}；"
               f"新嵌入 {report.embedded} 段，共写入 {report.chunks} 段")
    for item in report.skipped:
        typer.echo(f"  跳过 {item['filename']}：{item['reason']}")
    for doc_id, notes in report.notes.items():
        for note in notes:
            typer.echo(f"  说明 {doc_id}：{note}")
    for item in report.failed:
        typer.secho(f"  失败 {item['filename']}：[{item['code']}] {item['reason']}", fg=typer.colors.RED)
    if report.failed:
        raise typer.Exit(code=1)


@app.command()
def reindex(full: Annotated[bool, typer.Option("--full", help="从零重建（更换模型或切分参数后使用）")] = False) -> None:
    """用当前代码和设置重新解析、切分并索引全部文档；只嵌入变化的段落。"""
    try:
        result = open_kb().reindex(full=full, show_progress=True)
    except WuxueError as error:
        _fail(error)
        return
    typer.echo(f"重建完成：{result.chunks_added} 段，新嵌入 {result.embedded} 段 → {result.snapshot.name}")


@docs_app.command("list")
def docs_list(as_json: JsonOption = False) -> None:
    """列出已索引的文档。"""
    try:
        documents = open_kb().documents()
    except WuxueError as error:
        _fail(error)
        return
    if as_json:
        _print_json([{"doc_id": d.doc_id, "title": d.title, "kind": d.kind, "date": d.date, "chunks": d.chunk_count} for d in documents])
        return
    for d in documents:
        typer.echo(f"{d.doc_id:<52} {d.kind:<6} {d.chunk_count:>5} 段  {d.title}")


@docs_app.command("remove")
def docs_remove(doc_id: str) -> None:
    """从两个索引中删除一个文档。"""
    try:
        result = open_kb().remove(doc_id)
    except WuxueError as error:
        _fail(error)
        return
    typer.echo(f"已删除 {doc_id}（{result.chunks_removed} 段）")


def _show_search(result: "SearchResult") -> None:
    typer.secho(f"问：{result.query}", bold=True)
    for rank, hit in enumerate(result.hits, start=1):
        chunk = hit.chunk
        page = f"，第{chunk.page}页" if chunk.page else ""
        typer.secho(f"[{rank}] {chunk.title} › {chunk.section or '正文'}{page}  (score {hit.score:.4f}, dense {hit.dense_score:.3f}, bm25 {hit.sparse_score:.2f})", fg=typer.colors.CYAN)
        typer.echo(f"    {chunk.text[:160].replace(chr(10), ' ')}{'…' if len(chunk.text) > 160 else ''}")


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="问题；用 - 从标准输入逐行读取")],
    k: Annotated[int, typer.Option("-k", help="返回段落数")] = 5,
    as_json: JsonOption = False,
) -> None:
    """检索相关段落（稠密 + BM25 融合）。"""
    try:
        kb = open_kb()
        for query in _questions(question):
            result = kb.search(query, k=k)
            if as_json:
                _print_json({"query": result.query, "results": [hit.to_dict() for hit in result.hits]})
            else:
                _show_search(result)
    except WuxueError as error:
        _fail(error)


def _quote(c: "Citation") -> None:
    """The quoted passage, every highlighted span in bold green (with its page when the passage spans pages)."""
    spans = sorted((int(s), int(e)) for s, e in c.highlight) if c.highlight else []
    text, cursor, pieces = c.text, 0, []
    for start, end in spans:
        if start < cursor:
            continue
        pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    pieces.append((text[cursor:], False))
    typer.echo("    ", nl=False)
    for piece, strong in pieces:
        piece = piece.replace("\n", "\n    ")
        if strong:
            typer.secho(piece, fg=typer.colors.GREEN, bold=True, nl=False)
        else:
            typer.echo(piece, nl=False)
    typer.echo("")


def _source(c: "Citation") -> str:
    pages = sorted({p for p in (c.highlight_pages or [c.highlight_page]) if p})
    if not pages and c.page:
        pages = [c.page]
    where = f"，第{'、'.join(str(p) for p in pages)}页" if pages else ""
    return f"[{c.marker}] {c.title} › {c.section or '正文'}{where}"


def _show_answer(result: "AskResult") -> None:
    """Direct line first, then each quote with its [n], section and page."""
    typer.secho(f"问：{result.question}", bold=True)
    if result.resolved_question:
        typer.secho(f"（按“{result.resolved_question.rstrip('？?')}”理解）", fg=typer.colors.BLUE)
    if result.scope_notice:
        typer.secho(result.scope_notice, fg=typer.colors.YELLOW)
    if result.notice:
        typer.secho(result.notice, fg=typer.colors.YELLOW)
    if not result.found:
        typer.secho(result.answer, fg=typer.colors.YELLOW)
        typer.secho("可能相关：", bold=True)
    elif result.direct:
        typer.secho(f"答：{result.direct}", bold=True)
    else:
        typer.echo(f"答：{result.answer}")
    if result.found:
        typer.secho("出处：", bold=True)
    for c in result.citations:
        typer.secho(_source(c), fg=typer.colors.CYAN)
        _quote(c)
        for other in c.also_in:
            page = f"，第{other['page']}页" if other.get("page") else ""
            typer.echo(f"    亦见：{other.get('title', '')} › {other.get('section') or '正文'}{page}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题；用 - 从标准输入逐行读取")],
    k: Annotated[int, typer.Option("-k", help="检索段落数")] = 5,
    after: Annotated[Optional[list[str]], typer.Option(
        "--after", help="此前的提问（可重复，按先后顺序），用于理解“那权利呢？”这类追问")] = None,
    as_json: JsonOption = False,
) -> None:
    """回答问题：先给出一句话答案，再引用原文并标注出处；知识库未覆盖时如实说明。"""
    from wuxue.answering import ask as ask_question
    from wuxue.answering.refusal import configured_refusal_model

    try:
        kb = open_kb()
        refusal = configured_refusal_model(kb.settings.data_dir, kb.settings.refusal_model_path)  # once per process
        history = list(after or [])
        for query in _questions(question):
            try:
                result = ask_question(kb, query, top_k=k, refusal=refusal, history=history)
            except WuxueError as error:
                if question != "-":
                    raise
                _print_json({"question": query, "error": error.to_dict()})
                continue
            if as_json:
                _print_json(result.to_dict())
            else:
                _show_answer(result)
    except WuxueError as error:
        _fail(error)


@app.command("eval")
def evaluate(
    calibrate: Annotated[bool, typer.Option("--calibrate", help="在金标准集上重新校准拒答模型")] = False,
    calibrate_out: Annotated[Optional[Path], typer.Option(
        "--calibrate-out", help="校准结果写入的文件（默认 <数据目录>/refusal.json；服务启动时优先读取它）")] = None,
    cmrc: Annotated[bool, typer.Option("--cmrc/--no-cmrc", help="同时运行 CMRC 2018 外部基准")] = True,
    output: Annotated[Optional[Path], typer.Option("-o", help="把结果写入 JSON 文件")] = None,
) -> None:
    """运行检索评测，打印结果表。"""
    from wuxue.evaluation.runner import run_evaluation

    try:
        run_evaluation(open_kb(), calibrate=calibrate, calibrate_out=calibrate_out, with_cmrc=cmrc, output=output)
    except WuxueError as error:
        _fail(error)


def _user_store():  # type: ignore[no-untyped-def]
    from wuxue.app_database import database_location
    from wuxue.settings import load_settings
    from wuxue.users import UserStore

    return UserStore(database_location(load_settings(data_dir=_State.data_dir)))


def _read_password(confirm: bool = True) -> str:
    """Prompt on a terminal; read one line from stdin otherwise (scripts, CI)."""
    if sys.stdin.isatty():
        return typer.prompt("密码", hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\n")


@users_app.command("add")
def users_add(name: str, role: Annotated[str, typer.Option("--role", help="admin | leader | member")] = "member") -> None:
    """添加用户（在终端提示输入密码；非终端时从标准输入读取一行）。"""
    try:
        user = _user_store().add(name, role, _read_password())
    except WuxueError as error:
        _fail(error)
        return
    typer.echo(f"已添加用户 {user.username}（{user.role}）")


@users_app.command("passwd")
def users_passwd(name: str) -> None:
    """修改用户密码（同时注销该用户的所有登录）。"""
    try:
        _user_store().set_password(name, _read_password())
    except WuxueError as error:
        _fail(error)
        return
    typer.echo(f"已修改 {name} 的密码")


@users_app.command("list")
def users_list(as_json: JsonOption = False) -> None:
    """列出用户。"""
    users = _user_store().list()
    if as_json:
        _print_json([{"username": u.username, "role": u.role, "created_at": u.created_at} for u in users])
        return
    for user in users:
        typer.echo(f"{user.username:<24} {user.role:<8} {user.created_at}")


@db_app.command("copy")
def db_copy(to: Annotated[str, typer.Option("--to", help="目标 PostgreSQL：postgresql://用户:密码@主机:端口/库名（须为空库）")]) -> None:
    """把数据目录中的 app.sqlite 全部复制到 PostgreSQL（之后设置 WUXUE_DATABASE_URL 使用它）；请先停止服务。"""
    from wuxue.app_database import Database
    from wuxue.app_db_copy import copy_app_database
    from wuxue.settings import load_settings

    settings = load_settings(data_dir=_State.data_dir, database_url=to)
    source_path = settings.data_dir / "app.sqlite"
    if not source_path.is_file():
        _fail(WuxueError(f"数据目录中没有 app.sqlite：{source_path}"))
        return
    try:
        source, target = Database.open(source_path), Database.open(str(settings.database_url))
        try:
            copied = copy_app_database(source, target)
        finally:
            source.close()
            target.close()
    except WuxueError as error:
        _fail(error)
        return
    typer.echo("已复制：" + "，".join(f"{table} {rows} 行" for table, rows in copied.items()))
    typer.echo("请在每台服务器上设置 WUXUE_DATABASE_URL 后重启服务。")


@app.command()
def quiz(
    doc: Annotated[list[str], typer.Option("--doc", help="文档 doc_id（可重复）")],
    section: Annotated[Optional[list[str]], typer.Option("--section", help="只从章节路径包含该文字的段落出题（可重复）")] = None,
    single: Annotated[int, typer.Option("--single", help="单选题数量")] = 0,
    multi: Annotated[int, typer.Option("--multi", help="多选题数量")] = 0,
    blank: Annotated[int, typer.Option("--blank", help="填空题数量")] = 0,
    judge: Annotated[int, typer.Option("--judge", help="判断题数量")] = 0,
    difficulty: Annotated[str, typer.Option("--difficulty", help="easy | medium | hard")] = "medium",
    seed: Annotated[int, typer.Option("--seed", help="随机种子：相同输入与种子得到相同题目")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="json | docx | xlsx | txt | gift | aiken")] = "json",
    answers: Annotated[str, typer.Option("--answers", help="答案位置：end（卷尾）| inline（题后）| none")] = "end",
    output: Annotated[Optional[Path], typer.Option("-o", help="输出文件（json 可省略，打印到标准输出）")] = None,
) -> None:
    """从所选文档生成带出处的试题（单选、多选、填空、判断），并导出。"""
    from wuxue.quiz.cli import run_quiz

    try:
        run_quiz(open_kb(), doc_ids=doc, sections=section or [], counts={"single": single, "multi": multi, "blank": blank, "judge": judge},
                 difficulty=difficulty, seed=seed, fmt=fmt, answers=answers, output=output)
    except WuxueError as error:
        _fail(error)


@app.command("quiz-eval")
def quiz_eval(
    output: Annotated[Path, typer.Option("-o", help="结果 Markdown 文件（同名 .json 一并写出）")] = Path("evaluation/results/quiz_eval.md"),
    seed: Annotated[int, typer.Option("--seed", help="随机种子")] = 0,
) -> None:
    """对每个已索引文档出一套标准题，报告数量、质量关卡、重复率、答案均衡与检索命中。"""
    from wuxue.quiz.evaluation import run_quiz_eval

    try:
        run_quiz_eval(open_kb(), output=output, seed=seed)
    except WuxueError as error:
        _fail(error)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="监听地址（默认 $WUXUE_HOST 或 127.0.0.1）")] = None,
    port: Annotated[Optional[int], typer.Option(help="端口（默认 $WUXUE_PORT 或 8000）")] = None,
    role: Annotated[Optional[Role], typer.Option(
        help="进程角色（默认 $WUXUE_ROLE 或 all）：reader 只回答、不运行索引任务；writer 与 all 还运行索引任务并发布快照")] = None,
) -> None:
    """启动 Web 服务：学习问答页面与 JSON API。"""
    from wuxue.service.server import run_server

    run_server(data_dir=_State.data_dir, host=host, port=port, role=role.value if role else None)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
