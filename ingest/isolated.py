"""Parse an uploaded file in a separate process, with a time limit.

Parsing is CPU-bound pure Python (pypdf, python-docx, BeautifulSoup): in the server process it
would hold the interpreter lock and stall every other request, and a crafted file could keep it
busy for minutes. A child forked from a small pre-loaded server process parses the file and sends
back the parsed text and chunks; it is killed when the time limit passes, and whatever memory a
hostile file makes it allocate is returned when it exits.
"""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.connection import Connection

from wuxue.errors import CorruptFileError, IngestError, ParseTimeoutError
from wuxue.ingest.chunker import ChunkerConfig, chunk_document
from wuxue.ingest.document import Chunk
from wuxue.ingest.pipeline import ParsedFile, parse_file

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["wuxue.ingest.pipeline", "wuxue.ingest.chunker"])

Parsed = tuple[ParsedFile, list[Chunk]]


def parse_and_chunk(data: bytes, filename: str, chunker: ChunkerConfig) -> Parsed:
    """Everything about a file that does not depend on its metadata: the same in a child or in-process."""
    parsed = parse_file(data, filename)
    return parsed, chunk_document(parsed.document, chunker)


def _child(connection: Connection, data: bytes, filename: str, chunker: ChunkerConfig) -> None:
    try:
        connection.send(("ok", parse_and_chunk(data, filename, chunker)))
    except IngestError as error:  # sent as parts: exceptions with keyword arguments do not survive pickling
        connection.send(("refused", (type(error), error.message, error.detail)))
    except BaseException as error:  # noqa: BLE001 - the parent turns it into a refusal with a reason
        connection.send(("crashed", f"{type(error).__name__}: {error}"[:300]))
    finally:
        connection.close()


def parse_isolated(data: bytes, filename: str, chunker: ChunkerConfig, *, timeout: float) -> Parsed:
    """Parse and chunk in a child process; raises the loader's ``IngestError``, or ``ParseTimeoutError`` after ``timeout`` s."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(sender, data, filename, chunker), name="wuxue-parse", daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise ParseTimeoutError(f"解析超时：文件在 {timeout:g} 秒内未能解析完成（文件过大或结构异常）", filename=filename)
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError) as exc:
            raise CorruptFileError("文件无法解析：解析进程意外退出（文件过大或结构异常）", filename=filename) from exc
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "refused":
        kind, message, detail = payload
        raise kind(message, filename=filename, detail=detail)
    if status == "crashed":
        log.error("parsing %s failed unexpectedly: %s", filename[:200], payload)
        raise CorruptFileError("文件损坏：无法解析该文件", filename=filename, detail=payload)
    return payload
