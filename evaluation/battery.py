"""The issue-11 battery: every defect the outside test found, re-run against a real server.

    python -m wuxue.evaluation.battery --out evaluation/results/battery.md

Loopback only and bounded in time (about five minutes). It indexes a small copy of the bundled
corpus into a temporary data directory, starts ``wuxue serve`` (uvicorn) on a free 127.0.0.1
port — as tests/integration/conftest.py does — and runs each defect as a check with an expected
and an observed value. Memory is the server's own resident set (``/proc/PID/status``; the peak is
``VmHWM``, reset through ``/proc/PID/clear_refs`` before each measured step). The report is a
markdown table: check, expected, observed, pass/fail.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import select
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from wuxue.evaluation.live_server import LiveServer

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SMALL_CORPUS_FILES = ("dangzhang_2022.txt", "lianjie_zilv_zhunze_2015.txt", "cic_dangjian_2024.txt", "njmes_dangjian_plan_2023.txt")
ADMIN_PASSWORD = "battery-admin-pass"
MIB = 1024 * 1024
JOB_DONE = {"succeeded", "failed", "cancelled"}


# ---------------------------------------------------------------------------- report
@dataclass
class Check:
    """One line of the report; ``passed`` is None when the check could not run (the reason is the observation)."""

    item: str
    name: str
    expected: str
    observed: str
    passed: bool | None


@dataclass
class Battery:
    checks: list[Check] = field(default_factory=list)

    def add(self, item: str, name: str, expected: str, observed: object, passed: bool | None) -> Check:
        check = Check(item, name, expected, str(observed), passed)
        self.checks.append(check)
        mark = {True: "PASS", False: "FAIL", None: "N/A"}[passed]
        print(f"[{mark}] {item} {name}: {observed}", flush=True)
        return check


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 300 else text[:297] + "…"


def render_report(checks: list[Check], meta: dict[str, str]) -> str:
    """The markdown report: a summary line, the run's context, then one table row per check."""
    passed = sum(1 for c in checks if c.passed)
    failed = sum(1 for c in checks if c.passed is False)
    skipped = sum(1 for c in checks if c.passed is None)
    lines = ["# Issue 11 battery", "", f"**{passed} passed, {failed} failed, {skipped} not run** of {len(checks)} checks.", ""]
    lines += [f"- {key}: {value}" for key, value in meta.items()]
    lines += ["", "| item | check | expected | observed | result |", "|---|---|---|---|---|"]
    for c in checks:
        result = {True: "pass", False: "**FAIL**", None: "not run"}[c.passed]
        lines.append(f"| {_cell(c.item)} | {_cell(c.name)} | {_cell(c.expected)} | {_cell(c.observed)} | {result} |")
    return "\n".join(lines) + "\n"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------- crafted files
def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_in_zip(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of a zip archive with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


def billion_laughs_docx() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    xml = ('<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + ']>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    return replace_in_zip(docx_bytes(["标题"]), "word/document.xml", xml.encode())


def malformed_docx() -> bytes:
    return replace_in_zip(docx_bytes(["标题"]), "word/document.xml", b"<w:document><w:body><w:p><w:r><w:t>\xe5\x85\x9a")


def _zip_entry(name: bytes, payload_chunks: Callable[[], Iterator[bytes]], declared: int | None) -> tuple[bytes, bytes, int]:
    """(local header + deflated data, central directory record, crc) with the uncompressed size forged to ``declared``."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts, crc, real = [], 0, 0
    for chunk in payload_chunks():
        crc = zlib.crc32(chunk, crc)
        real += len(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    data = b"".join(parts)
    size = real if declared is None else declared
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0) + name
    return local + data, central, crc


def forged_zip_bomb_docx(real_size: int = 1024 * MIB, declared: int = 1000) -> bytes:
    """A DOCX whose word/document.xml inflates to ``real_size`` bytes while both headers declare ``declared``."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>")
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    filler = b"A" * MIB

    def bomb() -> Iterator[bytes]:
        yield head
        for _ in range((real_size - len(head) - len(tail)) // MIB):
            yield filler
        yield tail

    template = zipfile.ZipFile(io.BytesIO(docx_bytes(["标题"])))
    members = [(info.filename.encode(), template.read(info.filename)) for info in template.infolist() if info.filename != "word/document.xml"]
    out, directory = io.BytesIO(), []
    for name, content in members:
        local, central, _ = _zip_entry(name, lambda content=content: iter([content]), None)
        directory.append(central[:42] + struct.pack("<I", out.tell()) + central[46:])
        out.write(local)
    local, central, _ = _zip_entry(b"word/document.xml", bomb, declared)
    directory.append(central[:42] + struct.pack("<I", out.tell()) + central[46:])
    out.write(local)
    start = out.tell()
    for record in directory:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), out.tell() - start, start, 0))
    return out.getvalue()


def zero_page_pdf() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def text_file(title: str, body: str, repeat: int = 1) -> bytes:
    return (title + "\n\n" + body * repeat + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- server
class Server(LiveServer):
    """The battery's server: the first admin gets the battery's password."""

    def __init__(self, data_dir: Path, cache_dir: Path | None, env: dict[str, str]) -> None:
        super().__init__(data_dir, {"WUXUE_ADMIN_PASSWORD": ADMIN_PASSWORD, **env}, cache_dir)


def _status_kib(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def rss_mb(pid: int) -> float:
    return _status_kib(pid, "VmRSS") / 1024


def reset_peak(pid: int) -> bool:
    """Reset the peak resident set (VmHWM) so the next reading is the peak of what follows."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb(pid: int) -> float:
    return _status_kib(pid, "VmHWM") / 1024


class PeakSampler:
    """Polls VmRSS every 20 ms as well, for kernels that refuse to reset VmHWM."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.02)

    def __enter__(self) -> "PeakSampler":
        self.reset_ok = reset_peak(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self.reset_ok:
            self.peak = max(self.peak, peak_mb(self.pid))


def raw_post(port: int, path: str, headers: dict[str, str], declared: int, *, chunk: int = MIB, timeout: float = 30.0) -> tuple[int | None, int, float, bytes]:
    """POST a body of ``declared`` bytes over a plain socket, stopping as soon as the server answers.

    Returns (status, body bytes actually sent, seconds to the answer, answer body). A client such as
    httpx would send the whole body first; this one shows whether the server read it.
    """
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {declared}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    started = time.monotonic()
    sent = 0
    answer = b""
    block = b"0" * chunk
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        while time.monotonic() - started < timeout:
            readable, writable, _ = select.select([sock], [sock] if sent < declared else [], [], 1.0)
            if readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                answer += data
                if b"\r\n\r\n" in answer:
                    header, _, body = answer.partition(b"\r\n\r\n")
                    length = next((int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
                    if len(body) >= length:
                        break
                continue
            if writable:
                try:
                    sent += sock.send(block[: min(chunk, declared - sent)])
                except OSError:
                    break
    elapsed = time.monotonic() - started
    if not answer:
        return None, sent, elapsed, b""
    status = int(answer.split(b" ", 2)[1])
    return status, sent, elapsed, answer.partition(b"\r\n\r\n")[2]


# ---------------------------------------------------------------------------- the run
class Run:
    def __init__(self, battery: Battery, server: Server, deadline: float) -> None:
        self.b, self.server, self.deadline = battery, server, deadline
        self.responses: list[tuple[str, int, bool]] = []  # (request, status, JSON error shape)
        self.client = self.new_client(server)
        self.admin: dict[str, str] = {}
        self.jobs: list[str] = []

    def new_client(self, server: Server) -> httpx.Client:
        """An API client: bearer tokens only (no cookie jar, so no CSRF), a new connection per request
        (a connection the server closed after an error is never reused)."""
        return httpx.Client(base_url=server.url, timeout=120, event_hooks={"response": [self._record]},
                            limits=httpx.Limits(max_keepalive_connections=0), cookies=None)

    def _record(self, response: httpx.Response) -> None:
        response.read()
        shaped = True
        if response.status_code >= 400:
            try:
                shaped = set(response.json()) == {"error"}
            except ValueError:
                shaped = False
        self.responses.append((f"{response.request.method} {response.request.url.path[:80]}", response.status_code, shaped))

    def login(self) -> None:
        token = self.client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]
        self.client.cookies.clear()  # an API client sends the bearer token, never the page's session cookie
        self.admin = {"Authorization": f"Bearer {token}"}

    def documents(self) -> dict[str, tuple[str, int]]:
        return {d["doc_id"]: (d["title"], d["chunk_count"]) for d in self.client.get("/api/documents").json()}

    def upload(self, files: list[tuple[str, bytes]], **form: str) -> httpx.Response:
        response = self.client.post("/api/admin/documents", headers=self.admin, data=form,
                                    files=[("files", (name, data, "application/octet-stream")) for name, data in files])
        if response.status_code == 202:
            self.jobs += [item["job_id"] for item in response.json()["accepted"]]
        return response

    def wait_job(self, job_id: str, timeout: float = 120) -> dict[str, object]:
        end = min(time.time() + timeout, self.deadline)
        job: dict[str, object] = {}
        while time.time() < end:
            job = self.client.get(f"/api/admin/jobs/{job_id}", headers=self.admin).json()
            if job.get("state") in JOB_DONE:
                return job
            time.sleep(0.2)
        return job

    def wait_all(self, timeout: float = 180) -> list[str]:
        """Wait for every job this run queued; return the ids still unfinished."""
        end = min(time.time() + timeout, self.deadline)
        pending = list(dict.fromkeys(self.jobs))
        while pending and time.time() < end:
            pending = [j for j in pending if self.client.get(f"/api/admin/jobs/{j}", headers=self.admin).json().get("state") not in JOB_DONE]
            time.sleep(0.3)
        return pending


def _rows(response: httpx.Response) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    if response.status_code != 202:
        return [], []
    body = response.json()
    return body["accepted"], body["refused"]


def _reason(response: httpx.Response) -> str:
    accepted, refused = _rows(response)
    if refused:
        return f"refused [{refused[0]['code']}] {refused[0]['reason'][:80]}"
    if accepted:
        return f"accepted as {accepted[0]['doc_id']}"
    try:
        error = response.json()["error"]
        return f"{response.status_code} [{error['code']}] {error['message'][:80]}"
    except (ValueError, KeyError):
        return f"{response.status_code} {response.headers.get('content-type', '')} {response.text[:60]!r}"


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def check_edge(run: Run) -> None:
    """Item 5: authenticate before reading bodies; cap bodies at the edge."""
    b, port = run.b, run.server.port
    idle = rss_mb(run.server.pid)
    status, sent, seconds, _ = raw_post(port, "/api/admin/documents", {"Content-Type": "multipart/form-data; boundary=x"}, 300 * MIB)
    b.add("5", "unauthenticated 300 MiB multipart to /api/admin/documents", "401 before the body is read (< 32 MiB sent)",
          f"{status} after {sent / MIB:.1f} MiB sent, {seconds * 1000:.0f} ms", status == 401 and sent < 32 * MIB)
    status, sent, seconds, body = raw_post(port, "/api/admin/documents", {**run.admin, "Content-Type": "multipart/form-data; boundary=x"}, 300 * MIB)
    code = json.loads(body or b"{}").get("error", {}).get("code") if body.startswith(b"{") else body[:40]
    b.add("5", "admin 300 MiB multipart (declared)", "413 request_too_large before the body is read",
          f"{status} {code} after {sent / MIB:.1f} MiB, {seconds * 1000:.0f} ms", status == 413 and code == "request_too_large" and sent < 32 * MIB)
    with PeakSampler(run.server.pid) as sampler:
        status, sent, seconds, body = raw_post(port, "/api/ask", {"Content-Type": "application/json"}, 200 * 1000 * 1000)
    code = json.loads(body).get("error", {}).get("code") if body.startswith(b"{") else body[:40]
    b.add("5", "200 MB JSON body to /api/ask", "413 request_too_large in < 1 s, memory within 50 MB of idle",
          f"{status} {code} in {seconds * 1000:.0f} ms after {sent / MIB:.1f} MiB; peak {sampler.peak:.0f} MB vs idle {idle:.0f} MB",
          status == 413 and code == "request_too_large" and seconds < 1 and sampler.peak - idle < 50)

    def stream() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(256):
            yield b"a" * 4096
        yield b'"}'

    response = run.client.post("/api/ask", content=stream(), headers={"Content-Type": "application/json"})
    b.add("5", "1 MiB JSON streamed without Content-Length", "413 request_too_large", _reason(response),
          response.status_code == 413 and response.json()["error"]["code"] == "request_too_large")


def check_bad_uploads(run: Run, before: dict[str, tuple[str, int]]) -> None:
    """Items 1, 2, 9, 10: uploads that replaced documents, hid duplicates, crashed parsers or gave wrong reasons."""
    b = run.b
    # 1: a file named like an indexed document, with other content
    response = run.upload([("dangzhang_2022.txt", text_file("某学会通知", "请各支部按时提交学习总结。"))])
    accepted, _ = _rows(response)
    new_id = accepted[0]["doc_id"] if accepted else None
    b.add("1", "upload dangzhang_2022.txt with other content", "accepted as a NEW document id (党章 untouched)",
          _reason(response), bool(accepted) and new_id != "dangzhang_2022" and new_id not in before)
    first = run.upload([("通知2023.txt", text_file("关于学习的通知", "各单位认真组织学习。"))])
    second = run.upload([("方案2023.txt", text_file("学习实施方案", "制定本方案，分三个阶段推进。"))])
    ids = [_rows(r)[0][0]["doc_id"] if _rows(r)[0] else None for r in (first, second)]
    b.add("1", "通知2023.txt then 方案2023.txt", "two different document ids", f"{ids[0]} / {ids[1]}",
          None not in ids and ids[0] != ids[1])
    pdf = (REPO / "tests" / "fixtures" / "xianfa_2018.pdf").read_bytes()
    as_pdf = run.upload([("good_zh.pdf", pdf)])
    as_docx = run.upload([("good_zh.docx", docx_bytes(["学会章程", "第一条 本会是科技工作者自愿组成的学术性团体。"]))])
    ids = [_rows(r)[0][0]["doc_id"] if _rows(r)[0] else None for r in (as_pdf, as_docx)]
    b.add("1", "good_zh.pdf then good_zh.docx", "two different document ids", f"{ids[0]} / {ids[1]}",
          None not in ids and ids[0] != ids[1])

    # 2: the same file twice in one request
    twice = text_file("重复文件测试", "同一请求中上传两次的文件。")
    response = run.upload([("twice_a.txt", twice), ("twice_b.txt", twice)])
    accepted, refused = _rows(response)
    b.add("2", "same file twice in one request", "1 accepted, the second refused as 已存在",
          f"{len(accepted)} accepted, {len(refused)} refused: {[r['reason'][:40] for r in refused]}",
          len(accepted) == 1 and len(refused) == 1 and "已存在" in refused[0]["reason"])

    # 9: parser failures become domain errors with a Chinese reason
    utf8_bom_bad = b"\xef\xbb\xbf" + "标题\n\n正文内容。".encode() + b"\xff\xfe\xfa"
    crafted = [("a.txt", b"\xff\xfe\x2c\x7b\x00"), ("laughs.docx", billion_laughs_docx()), ("broken.docx", malformed_docx()),
               ("bom_bad.txt", utf8_bom_bad)]
    for name, data in crafted:
        try:
            response = run.upload([(name, data)])
        except httpx.HTTPError as error:
            b.add("9", f"{name} ({len(data)} bytes)", "a refusal row with a code and a Chinese reason", f"{type(error).__name__}: {error}", False)
            continue
        accepted, refused = _rows(response)
        ok = response.status_code < 500 and (bool(accepted) or (bool(refused) and _is_chinese(refused[0]["reason"])))
        b.add("9", f"{name} ({len(data)} bytes)", "a refusal row with a code and a Chinese reason (or accepted), never 500",
              _reason(response), ok)
    good = text_file("多文件请求中的好文件", "这是一份正常的学习材料。")
    response = run.upload([("a.txt", b"\xff\xfe\x2c\x7b\x00"), ("mixed_good.txt", good)])
    accepted, refused = _rows(response)
    b.add("9", "bad and good file in one request", "each file its own row (1 accepted, 1 refused)",
          f"{response.status_code}: {len(accepted)} accepted, {len(refused)} refused", len(accepted) == 1 and len(refused) == 1)

    # 10: misleading reasons, unbounded echoes
    html = ("<html><head><title>学习</title></head><body><p>版本号 %PDF-1.4 只是一段文字。</p>"
            "<p>第一条 为了加强学习，制定本办法。</p></body></html>").encode()
    response = run.upload([("page.html", html)])
    b.add("10", "HTML with %PDF- in its first KB", "not refused as 无法解析PDF", _reason(response), "PDF" not in _reason(response))
    utf16 = "学习材料\n\n第一条 为了加强学习，制定本办法。第二条 本办法适用于全体党员。\n".encode("utf-16-le")
    response = run.upload([("utf16.txt", utf16)])
    b.add("10", "UTF-16 without BOM", "accepted, or a reason about the encoding (not 二进制文件)", _reason(response),
          "二进制" not in _reason(response))
    response = run.upload([("empty.pdf", zero_page_pdf())])
    b.add("10", "0-page PDF", "refused, not as 扫描件无文字层", _reason(response),
          bool(_rows(response)[1]) and "扫描" not in _reason(response))
    response = run.upload([("长" * 5000 + ".txt", text_file("长文件名", "内容。"))])
    text = response.text
    b.add("10", "5,000-character file name", "a specific answer (not 请求失败), response < 4 KB",
          f"{_reason(response)[:60]}; {len(text.encode())} bytes", "请求失败" not in text and len(text.encode()) < 4096 and response.status_code < 500)
    response = run.client.post("/api/ask", json={"question": "党员的义务", "doc_ids": ["x" * 60000]})
    message = response.json().get("error", {}).get("message", "") if response.headers.get("content-type", "").startswith("application/json") else response.text
    b.add("10", "60 KB document id in /api/ask", "error message never echoes unbounded input (< 500 chars)",
          f"{response.status_code}, message {len(message)} chars", len(message) < 500 and response.status_code < 500)


def check_bad_uploads_before(before: dict[str, tuple[str, int]]) -> Callable[[Run], None]:
    def check_bad_uploads_(run: Run) -> None:
        check_bad_uploads(run, before)

    check_bad_uploads_.__name__ = "check_bad_uploads"
    return check_bad_uploads_


def check_zip_bomb(run: Run) -> None:
    """Item 4: a DOCX whose 1 GiB entry declares 1,000 bytes."""
    bomb = forged_zip_bomb_docx()
    idle = rss_mb(run.server.pid)
    with PeakSampler(run.server.pid) as sampler:
        started = time.monotonic()
        response = run.upload([("bomb.docx", bomb)])
        seconds = time.monotonic() - started
    accepted, refused = _rows(response)
    job_state = run.wait_job(accepted[0]["job_id"], 120).get("state") if accepted else None
    b = run.b
    b.add("4", f"zip bomb DOCX ({len(bomb) / MIB:.2f} MB, 1 GiB entry declared as 1,000 bytes)", "refused with a code and Chinese reason",
          f"{_reason(response)}{f'; job {job_state}' if job_state else ''} in {seconds:.1f} s",
          bool(refused) and _is_chinese(refused[0]["reason"]) or job_state == "failed")
    b.add("4", "peak server memory during the zip bomb", "within 200 MB of idle",
          f"peak {sampler.peak:.0f} MB vs idle {idle:.0f} MB (+{sampler.peak - idle:.0f})", sampler.peak - idle <= 200)


class HealthProbe:
    """Polls /healthz every 20 ms on its own connection while a block runs; keeps the latencies (ms)."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self.failures = url, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    client.get("/healthz")
                except httpx.HTTPError:
                    self.failures += 1
                self.latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)

    def __enter__(self) -> "HealthProbe":
        self._thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *_: object) -> None:
        time.sleep(0.2)
        self._stop.set()
        self._thread.join(timeout=30)


def check_queue(run: Run) -> None:
    """Item 6: identical pending jobs coalesce; the queue is bounded per kind."""
    ids = []
    for _ in range(20):
        response = run.client.post("/api/admin/reindex", params={"full": "true"}, headers=run.admin)
        if response.status_code == 202:
            ids.append(response.json()["id"])
    run.jobs += ids
    distinct = len(set(ids))
    run.b.add("6", "20 identical full re-index requests", "≤ 2 distinct jobs (one may already run, the rest coalesce)",
              f"{len(ids)} accepted, {distinct} distinct jobs", len(ids) == 20 and distinct <= 2)
    # flood a pre-existing document with distinct metadata edits (each sets values it already has, so nothing
    # changes) while the re-index keeps the worker busy; the battery's server allows 3 queued jobs per kind
    catalog = {d["doc_id"]: d for d in run.client.get("/api/admin/documents", headers=run.admin).json()}
    target = catalog.get("lianjie_zilv_zhunze_2015")
    if target is None:
        run.b.add("6", "queue bound per kind", "429 queue_full beyond the bound", "test document missing", None)
        return
    fields = {"title": target["title"], "kind": target["kind"], "date": target["date"], "issuer": target["issuer"]}
    subsets = [dict(list(fields.items())[:n]) for n in range(1, 5)] + [{"kind": fields["kind"], "date": fields["date"]}]
    statuses: list[int] = []
    codes: set[str] = set()
    retry_after = set()
    for changes in subsets:
        response = run.client.patch(f"/api/admin/documents/{target['doc_id']}", json=changes, headers=run.admin)
        statuses.append(response.status_code)
        if response.status_code == 202:
            run.jobs.append(response.json()["id"])
        else:
            codes.add(response.json().get("error", {}).get("code", ""))
            retry_after.add(response.headers.get("retry-after"))
    refused = statuses.count(429)
    run.b.add("6", f"{len(subsets)} distinct metadata edits while the worker is busy (bound 3 per kind)",
              "those past the bound get 429 queue_full",
              f"{statuses.count(202)} queued, {refused} refused {sorted(codes)}, Retry-After {sorted(r for r in retry_after if r)}",
              refused >= 1 and codes <= {"queue_full"})


def check_long_line(run: Run) -> None:
    """Item 3: a 5 MiB text without punctuation: chunks bounded, /api/ask bounded, memory bounded."""
    unit = "学习贯彻党的二十大精神推进全面从严治党"
    text = ("无标点长文本\n\n" + unit * (5 * MIB // len(unit.encode()))).encode()
    idle = rss_mb(run.server.pid)
    with PeakSampler(run.server.pid) as sampler:
        with HealthProbe(run.server.url) as probe:  # item 7: the upload request must not stall the event loop
            response = run.upload([("line5mib.txt", text)])
        accepted, _ = _rows(response)
        job = run.wait_job(accepted[0]["job_id"], 240) if accepted else {}
    b = run.b
    latencies = probe.latencies
    p99 = percentile(latencies, 0.99) if latencies else float("nan")
    b.add("7", f"/healthz p99 while the {len(text) / MIB:.0f} MiB upload request is handled", "≤ 100 ms",
          f"p99 {p99:.0f} ms, max {max(latencies, default=0):.0f} ms over {len(latencies)} probes",
          bool(latencies) and p99 <= 100 and probe.failures == 0)
    if job.get("state") != "succeeded":
        b.add("3", "5 MiB text without punctuation", "indexed", f"{_reason(response)}; job {job.get('state')} {job.get('error')}", False)
        return
    doc_id = accepted[0]["doc_id"]
    passages = run.client.get(f"/api/documents/{doc_id}/text").json()["passages"]
    longest = max(len(p["text"]) for p in passages)
    b.add("3", "5 MiB text without punctuation: longest chunk", "≤ 600 characters (2 × chunk size)",
          f"{len(passages)} chunks, longest {longest} characters", longest <= 600)
    answer = run.client.post("/api/ask", json={"question": "学习贯彻党的二十大精神", "doc_ids": [doc_id]})
    size = len(answer.content)
    b.add("3", "/api/ask over that document: response size", "≤ 64 KB", f"{answer.status_code}, {size / 1024:.1f} KB",
          answer.status_code == 200 and size <= 64 * 1024)
    b.add("3", "peak server memory while uploading and indexing the 5 MiB line", "within 200 MB of idle",
          f"peak {sampler.peak:.0f} MB vs idle {idle:.0f} MB (+{sampler.peak - idle:.0f}); job {job.get('updated_at', 0) - job.get('created_at', 0):.0f} s",
          sampler.peak - idle <= 200)
    removal = run.client.delete(f"/api/admin/documents/{doc_id}", headers=run.admin)  # later re-indexes stay quick
    if removal.status_code == 202:
        run.wait_job(removal.json()["id"], 120)


def check_login(run: Run) -> None:
    """Item 12: no timing oracle for user names, a per-client limit across names, a truthful Retry-After."""
    def attempt(name: str) -> tuple[float, int]:
        started = time.perf_counter()
        status = run.client.post("/api/auth/login", json={"username": name, "password": "wrong-password"}).status_code
        return (time.perf_counter() - started) * 1000, status

    first_failure = time.monotonic()
    known = [attempt("admin")[0] for _ in range(4)]
    unknown = [attempt(f"nobody{n}")[0] for n in range(4)]
    k, u = statistics.median(known), statistics.median(unknown)
    run.b.add("12", "login time, wrong password: known vs unknown user (median of 4)", "within a factor of 2",
              f"known {k:.1f} ms, unknown {u:.1f} ms", 0.5 <= u / k <= 2)
    statuses = []
    blocked = None
    for n in range(40):
        _, status = attempt(f"spray{n}")
        statuses.append(status)
        if status == 429:
            blocked = run.client.post("/api/auth/login", json={"username": f"spray{n}", "password": "x"})
            break
    tried = len(statuses)
    run.b.add("12", "password spraying: distinct user names from one client", "429 after at most 20 failures in total",
              f"429 after {8 + tried - 1} failures" if blocked is not None else f"no 429 after {8 + tried} failures", blocked is not None and 8 + tried - 1 <= 20)
    if blocked is not None:
        retry_after = int(blocked.headers.get("retry-after", "0"))
        real = 600 - (time.monotonic() - first_failure)
        run.b.add("12", "Retry-After on the lockout", f"the real remaining lockout (≈ {real:.0f} s)", f"Retry-After: {retry_after}",
                  abs(retry_after - real) <= 3)


def check_contract(run: Run) -> None:
    """Item 13: OpenAPI lists the error responses; 405 keeps Allow."""
    schema = run.client.get("/openapi.json").json()
    upload = schema["paths"]["/api/admin/documents"]["post"]["responses"]
    missing = [s for s in ("401", "403", "413", "422", "429") if s not in upload]
    run.b.add("13", "OpenAPI: POST /api/admin/documents error responses", "401, 403, 413, 422, 429 with the error schema",
              f"documented {sorted(upload)}", not missing and "ErrorOut" in json.dumps(upload.get("401", {})))
    response = run.client.put("/api/ask", json={})
    run.b.add("13", "405 keeps its Allow header", "405 with Allow: POST, JSON error", f"{response.status_code}, Allow: {response.headers.get('allow')}",
              response.status_code == 405 and response.headers.get("allow") == "POST")


def check_resumed_note(run: Run, restart: Callable[[], Server]) -> Server:
    """Item 13: a job interrupted by a crash is queued again and keeps the note 服务重启后重新排队."""
    job = run.client.post("/api/admin/reindex", params={"full": "true"}, headers=run.admin).json()
    end = time.time() + 30
    while time.time() < end and run.client.get(f"/api/admin/jobs/{job['id']}", headers=run.admin).json()["state"] == "queued":
        time.sleep(0.05)
    run.server.kill()
    server = restart()
    run.server = server
    run.client = run.new_client(server)
    resumed = run.wait_job(job["id"], 120)
    run.b.add("13", "job interrupted by kill -9, after restart", "runs again and keeps the note 服务重启后重新排队",
              f"{resumed.get('state')}, note {resumed.get('note')!r}, error {resumed.get('error')!r}",
              resumed.get("state") == "succeeded" and "重新排队" in f"{resumed.get('note')}{resumed.get('error')}")
    return server


def check_read_only_data_dir(run: Run) -> None:
    """Items 9 and 11: an upload onto a read-only data directory is refused up front with a clear reason."""
    expected = "refused with 数据目录不可写, never 500"
    if os.geteuid() == 0:
        run.b.add("11", "upload onto a read-only data directory", expected, "not run: as root, file permissions do not apply", None)
        return
    folders = [run.server.data_dir, run.server.data_dir / "sources", run.server.data_dir / "snapshots"]
    modes = {folder: folder.stat().st_mode for folder in folders if folder.exists()}
    try:
        for folder in modes:
            folder.chmod(0o555)
        response = run.upload([("readonly.txt", text_file("只读目录测试", "数据目录只读时上传的文件。"))])
    finally:
        for folder, mode in modes.items():
            folder.chmod(mode)
    run.b.add("11", "upload onto a read-only data directory", expected, _reason(response),
              response.status_code < 500 and "不可写" in response.text)


def check_excel_formulas(b: Battery) -> None:
    """Item 14: cells beginning with = + - @ are prefixed, so a re-save as CSV cannot make them live."""
    from openpyxl import load_workbook

    from wuxue.quiz.export import excel

    item = {"type": "single", "stem": "=HYPERLINK(\"http://example.invalid\",\"点此\")", "difficulty": "easy",
            "options": [{"key": "A", "text": "+1"}, {"key": "B", "text": "-2"}, {"key": "C", "text": "@SUM(1)"}, {"key": "D", "text": "正常选项"}],
            "answer": {"keys": ["D"], "texts": ["正常选项"]}, "explanation": "=1+1", "knowledge_point": "-",
            "citation": {"title": "测试", "quote": "引文"}}
    sheet = load_workbook(io.BytesIO(excel.render([item]))).active
    cells = [str(cell.value) for cell in sheet[2] if cell.value not in (None, "")]
    live = [value for value in cells if value[:1] in "=+-@"]
    b.add("14", "Excel export of an item whose stem and options begin with = + - @", "no cell begins with = + - @",
          f"{len(live)} of {len(cells)} cells do: {live[:3]}", not live)


def check_cli_ingest(b: Battery, work: Path, cache_dir: Path | None, env: dict[str, str]) -> None:
    """Item 8: ``wuxue ingest`` of one file onto the bundled corpus takes seconds, not 30 s more."""
    data_dir = work / "cli-data"
    run_env = {**os.environ, "WUXUE_DATA_DIR": str(data_dir), **env}
    if cache_dir is not None:
        run_env["WUXUE_CACHE_DIR"] = str(cache_dir)
    command = [sys.executable, "-m", "wuxue.cli", "ingest"]
    setup = subprocess.run([*command, str(CORPUS)], env=run_env, capture_output=True, text=True, timeout=600)
    if setup.returncode != 0:
        b.add("8", "wuxue ingest of one file onto the bundled corpus", "a few seconds", f"setup failed: {setup.stderr[-200:]}", None)
        return
    extra = work / "one_more.txt"
    extra.write_bytes(text_file("学会学习安排", "第一条 本学会每月举办一次理论学习。第二条 学习内容由党委确定。"))
    started = time.monotonic()
    done = subprocess.run([*command, str(extra)], env=run_env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    b.add("8", "wuxue ingest of one file onto the bundled corpus: wall time", "≤ 15 s (was > 30 s)",
          f"{seconds:.1f} s, exit {done.returncode}: {done.stdout.strip().splitlines()[-1][:60] if done.stdout.strip() else done.stderr[-80:]}",
          done.returncode == 0 and seconds <= 15)


def prepare_data(work: Path, cache_dir: Path | None, env: dict[str, str]) -> Path:
    folder = work / "corpus"
    folder.mkdir()
    manifest = (CORPUS / "manifest.toml").read_text(encoding="utf-8")
    kept = [block for block in manifest.split("[[documents]]")[1:] if any(f'file = "{name}"' in block for name in SMALL_CORPUS_FILES)]
    (folder / "manifest.toml").write_text("".join("[[documents]]" + block for block in kept), encoding="utf-8")
    for name in SMALL_CORPUS_FILES:
        shutil.copy(CORPUS / name, folder / name)
    data_dir = work / "data"
    run_env = {**os.environ, "WUXUE_DATA_DIR": str(data_dir), **env}
    if cache_dir is not None:
        run_env["WUXUE_CACHE_DIR"] = str(cache_dir)
    subprocess.run([sys.executable, "-m", "wuxue.cli", "ingest", str(folder)], env=run_env, check=True, capture_output=True, timeout=600)
    return data_dir


def run_battery(*, embed_backend: str | None = None, cache_dir: Path | None = None, budget: float = 300.0) -> tuple[Battery, dict[str, str]]:
    started = time.monotonic()
    battery = Battery()
    env = {"WUXUE_MAX_QUEUED_JOBS": "3"}
    if embed_backend:
        env["WUXUE_EMBED_BACKEND"] = embed_backend
    work = Path(tempfile.mkdtemp(prefix="wuxue-battery-"))
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "embedder": embed_backend or "default (m3e-small onnx-int8)",
            "server": "wuxue serve (uvicorn) on 127.0.0.1, temp data dir over 4 bundled documents", "queue bound": "WUXUE_MAX_QUEUED_JOBS=3",
            "command": "python -m wuxue.evaluation.battery --out evaluation/results/battery.md"}
    server: Server | None = None
    timings: dict[str, float] = {}
    try:
        step_started = time.monotonic()
        data_dir = prepare_data(work, cache_dir, env)
        server = Server(data_dir, cache_dir, env).start()
        timings["setup"] = time.monotonic() - step_started
        run = Run(battery, server, deadline=time.time() + budget)
        run.login()
        before = run.documents()
        meta["idle server RSS"] = f"{rss_mb(server.pid):.0f} MB"
        # memory-measuring steps first, while the server's heap is still near idle
        steps: list[Callable[[Run], None]] = [check_edge, check_long_line, check_zip_bomb, check_bad_uploads_before(before), check_queue,
                                              check_read_only_data_dir]
        for step in steps:
            name = getattr(step, "__name__", "step")
            if time.time() > run.deadline:
                battery.add("-", name, "run within the time budget", "skipped: out of time", None)
                continue
            step_started = time.monotonic()
            try:
                step(run)
            except Exception as error:  # noqa: BLE001 - a broken check is reported, the others still run
                battery.add("-", f"{name} crashed", "no crash", f"{type(error).__name__}: {str(error)[:150]}", False)
            timings[name] = time.monotonic() - step_started
            print(f"    {name}: {timings[name]:.1f} s", flush=True)
        pending = run.wait_all(timeout=max(10.0, run.deadline - time.time()))
        after = run.documents()
        changed = sorted(d for d, value in before.items() if after.get(d) != value)
        battery.add("1", "pre-existing documents changed by refused or new uploads (id, title, chunk count)", "0",
                    f"{len(changed)} changed {changed} ({len(after) - len(before)} new documents; {len(pending)} jobs unfinished)", not changed)
        check_contract(run)
        check_login(run)
        server = check_resumed_note(run, lambda: Server(data_dir, cache_dir, env).start())
        bare = [(request, status) for request, status, shaped in run.responses if status >= 500 or (status >= 400 and not shaped)]
        battery.add("9", "bare 500s or non-JSON errors over the whole run", "0", f"{len(bare)} of {len(run.responses)} responses {bare[:3]}", not bare)
        logs = sorted(work.glob("server-*.log"))  # the first server's and the restarted one's
        tracebacks = sum(log.read_text(encoding="utf-8", errors="replace").count("Traceback") for log in logs)
        battery.add("9", "tracebacks in the server logs", "0", f"{tracebacks} in {len(logs)} logs", tracebacks == 0)
    finally:
        if server is not None:
            server.stop()
    check_excel_formulas(battery)
    step_started = time.monotonic()
    check_cli_ingest(battery, work, cache_dir, {k: v for k, v in env.items() if k == "WUXUE_EMBED_BACKEND"})
    timings["check_cli_ingest"] = time.monotonic() - step_started
    meta["wall time"] = f"{time.monotonic() - started:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ")"
    shutil.rmtree(work, ignore_errors=True)
    return battery, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "evaluation" / "results" / "battery.md")
    parser.add_argument("--embed-backend", default=None, help="e.g. hashing for a quick run without the model")
    parser.add_argument("--cache-dir", type=Path, default=None, help="model and embedding cache (default: WUXUE_CACHE_DIR or the user cache)")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for the server checks")
    args = parser.parse_args(argv)
    battery, meta = run_battery(embed_backend=args.embed_backend, cache_dir=args.cache_dir, budget=args.budget)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_report(battery.checks, meta), encoding="utf-8")
    print(f"report written to {args.out}")
    return 0 if all(c.passed is not False for c in battery.checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
