"""Parse an uploaded file in a separate process, with a time limit.

Parsing is CPU-bound pure Python (pypdf, python-docx, BeautifulSoup): in the server process it
would hold the interpreter lock and stall every other request, and a crafted file could keep it
busy for minutes. A child forked from a small pre-loaded server process parses the file and sends
back the parsed text and chunks; it is killed when the time limit passes, and whatever memory a
hostile file makes it allocate is returned when it exits. The result comes back in batches, so
no single unpickling holds the interpreter lock for long either.

As with any ``multiprocessing`` start method but fork, the child imports the main module again:
a program that calls this at import time must keep its work under ``if __name__ == "__main__"``
(``wuxue serve``, uvicorn and pytest do).
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import time
from multiprocessing.connection import Connection

from wuxue.errors import CorruptFileError, IngestError, ParseTimeoutError
from wuxue.ingest.chunker import ChunkerConfig
from wuxue.ingest.document import Chunk
from wuxue.ingest.loaders.ocr import ocr_context
from wuxue.ingest.ocr_marks import chunk_document
from wuxue.ingest.pipeline import ParsedFile, parse_file

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
# Children re-run the main module (multiprocessing does): wuxue.cli is light, and preloading it makes that a no-op.
_CONTEXT.set_forkserver_preload(["wuxue.cli", "wuxue.ingest.pipeline", "wuxue.ingest.ocr_marks"])

Parsed = tuple[ParsedFile, list[Chunk]]
BATCH = 500  # paragraphs or chunks per message: unpickling one batch takes a few milliseconds


def parse_and_chunk(data: bytes, filename: str, chunker: ChunkerConfig, *, probe: bool = False) -> Parsed:
    """Everything about a file that does not depend on its metadata: the same in a child or in-process.

    With ``probe`` a scan is only read until one page yields text (OCR costs seconds a page, too slow
    for an upload check's time limit); such a parse is marked incomplete and the job reads the whole file.
    """
    with ocr_context(probe=probe) as run:
        parsed = parse_file(data, filename)
    if run.cut_short:
        parsed = dataclasses.replace(parsed, complete=False)
    return parsed, chunk_document(parsed.document, chunker)


def _child(connection: Connection, data: bytes, filename: str, chunker: ChunkerConfig, probe: bool) -> None:
    try:
        parsed, chunks = parse_and_chunk(data, filename, chunker, probe=probe)
        paragraphs = parsed.document.paragraphs
        shell = dataclasses.replace(parsed, document=dataclasses.replace(parsed.document, paragraphs=[]))
        connection.send(("parsed", shell))
        for start in range(0, len(paragraphs), BATCH):
            connection.send(("paragraphs", paragraphs[start : start + BATCH]))
        for start in range(0, len(chunks), BATCH):
            connection.send(("chunks", chunks[start : start + BATCH]))
        connection.send(("done", None))
    except IngestError as error:  # sent as parts: exceptions with keyword arguments do not survive pickling
        connection.send(("refused", (type(error), error.message, error.detail)))
    except BaseException as error:  # noqa: BLE001 - the parent turns it into a refusal with a reason
        connection.send(("crashed", f"{type(error).__name__}: {error}"[:300]))
    finally:
        connection.close()


def _receive(receiver: Connection, filename: str, deadline: float) -> Parsed:
    """Messages until ``done``: the parse arrives in batches so no single unpickling holds the GIL for long."""
    parsed: ParsedFile | None = None
    chunks: list[Chunk] = []
    while True:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise ParseTimeoutError("解析超时：文件在规定时间内未能解析完成（文件过大或结构异常）", filename=filename)
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError) as exc:
            raise CorruptFileError("文件无法解析：解析进程意外退出（文件过大或结构异常）", filename=filename) from exc
        if status == "parsed":
            parsed = payload
        elif status == "paragraphs" and parsed is not None:
            parsed.document.paragraphs.extend(payload)
        elif status == "chunks":
            chunks.extend(payload)
        elif status == "done" and parsed is not None:
            return parsed, chunks
        elif status == "refused":
            kind, message, detail = payload
            raise kind(message, filename=filename, detail=detail)
        else:
            log.error("parsing %s failed unexpectedly: %s", filename[:200], payload)
            raise CorruptFileError("文件损坏：无法解析该文件", filename=filename, detail=str(payload)[:300])


def parse_isolated(data: bytes, filename: str, chunker: ChunkerConfig, *, timeout: float, probe: bool = False) -> Parsed:
    """Parse and chunk in a child process; raises the loader's ``IngestError``, or ``ParseTimeoutError`` after ``timeout`` s.

    ``probe``: see :func:`parse_and_chunk` (an upload check; the result says whether it is ``complete``)."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(sender, data, filename, chunker, probe), name="wuxue-parse", daemon=True)
    process.start()
    sender.close()
    try:
        return _receive(receiver, filename, time.monotonic() + timeout)
    except ParseTimeoutError as error:
        raise ParseTimeoutError(f"解析超时：文件在 {timeout:g} 秒内未能解析完成（文件过大或结构异常）", filename=filename) from error
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
