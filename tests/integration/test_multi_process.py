"""One writer and two readers as real `wuxue serve` processes on loopback (issue 16).

Each process has its own data directory (as on separate machines); they share a PostgreSQL app database
(``WUXUE_DATABASE_URL``) and one snapshot directory (``WUXUE_SNAPSHOT_DIR``). Real model, FAISS, BM25,
PostgreSQL and uvicorn; nothing mocked. The processes share one model cache only because exporting the
model again per process would take minutes on this machine (the cache holds no state that they exchange).

The tests run in file order on one deployment: killing a reader and adding a second writer come last.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.integration.conftest import ADMIN_PASSWORD, Server, admin_headers

pytestmark = pytest.mark.integration

POLL_SECONDS = "0.5"
UPLOAD_VISIBLE_WITHIN = 20.0  # seconds from the writer's job ending to both readers answering from the new snapshot


@dataclass
class Deployment:
    root: Path
    shared: Path
    database_url: str
    env: dict[str, str]
    writer: Server
    readers: list[Server]
    model_cache: Path
    started: list[Server]

    def server(self, name: str, role: str) -> Server:
        data = self.root / name
        data.mkdir()
        server = Server(data, self.model_cache, WUXUE_ROLE=role, **self.env)
        self.started.append(server)  # stopped at the end of the module
        return server


def start_all(servers: list[Server]) -> None:
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda server: server.start(timeout=300), servers))


@pytest.fixture(scope="module")
def deployment(real_index: Path, model_cache: Path, pg_cluster, tmp_path_factory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    shared = root / "shared"  # what every machine mounts: snapshots, CURRENT, uploaded sources
    shared.mkdir()
    for folder in ("snapshots", "sources"):
        shutil.copytree(real_index / folder, shared / folder)
    shutil.copy(real_index / "CURRENT", shared / "CURRENT")
    url = pg_cluster.new_database("multi")
    env = {"WUXUE_DATABASE_URL": url, "WUXUE_SNAPSHOT_DIR": str(shared), "WUXUE_SNAPSHOT_POLL_SECONDS": POLL_SECONDS,
           "WUXUE_ADMIN_PASSWORD": ADMIN_PASSWORD}
    deployment = Deployment(root, shared, url, env, writer=None, readers=[], model_cache=model_cache, started=[])  # type: ignore[arg-type]
    deployment.writer = deployment.server("writer", "writer")
    deployment.readers = [deployment.server("reader1", "reader"), deployment.server("reader2", "reader")]
    start_all([deployment.writer, *deployment.readers])  # all at once on the fresh database, as machines booting together
    yield deployment
    for server in deployment.started:
        server.stop()


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def add_user(server: Server, name: str, role: str, password: str) -> None:
    """`wuxue users add` on that server's machine (its environment: data directory and database URL)."""
    done = subprocess.run([sys.executable, "-m", "wuxue.cli", "users", "add", name, "--role", role], input=password + "\n",
                          env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def login(url: str, name: str, password: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/auth/login", json={"username": name, "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def upload(url: str, headers: dict[str, str], filename: str, text: str) -> str:
    response = httpx.post(f"{url}/api/admin/documents", headers=headers, files=[("files", (filename, text.encode(), "text/plain"))],
                          timeout=120)
    assert response.status_code == 202 and response.json()["refused"] == [], response.text
    return str(response.json()["accepted"][0]["job_id"])


def finished_job(url: str, headers: dict[str, str], job_id: str, timeout: float = 300) -> dict:  # type: ignore[type-arg]
    def done() -> dict | None:  # type: ignore[type-arg]
        job = httpx.get(f"{url}/api/admin/jobs/{job_id}", headers=headers, timeout=30).json()
        return job if job["state"] in ("succeeded", "failed", "cancelled") else None

    return wait_for(done, timeout, f"job {job_id}")  # type: ignore[return-value]


def runner_of(server: Server) -> str:
    return f":{server.pid}"


def test_every_process_serves_the_published_snapshot(deployment: Deployment):
    published = (deployment.shared / "CURRENT").read_text(encoding="utf-8")
    for server, role in ((deployment.writer, "writer"), *((reader, "reader") for reader in deployment.readers)):
        ready = httpx.get(f"{server.url}/readyz", timeout=30).json()
        assert ready["role"] == role and ready["snapshot"] == ready["published"] == published and ready["documents"] == 5
        assert not (server.data_dir / "app.sqlite").exists()  # the app database is PostgreSQL, not a file per machine


def test_a_user_created_on_one_machine_is_valid_on_the_others(deployment: Deployment):
    reader1, reader2 = deployment.readers
    add_user(deployment.writer, "zhangsan", "member", "zhangsan-pass-1")
    for server in (deployment.writer, reader1, reader2):
        login(server.url, "zhangsan", "zhangsan-pass-1")
    token = login(reader1.url, "zhangsan", "zhangsan-pass-1")  # a token issued by one reader …
    assert httpx.get(f"{reader2.url}/api/auth/me", headers=token, timeout=30).json()["username"] == "zhangsan"  # … is valid on the other
    assert httpx.post(f"{reader2.url}/api/auth/logout", headers=token, timeout=30).status_code == 204
    assert httpx.get(f"{reader1.url}/api/auth/me", headers=token, timeout=30).status_code == 401  # and revoked everywhere


def test_an_upload_through_the_writer_is_answerable_on_both_readers_within_seconds(deployment: Deployment):
    admin = admin_headers(deployment.writer.url)
    text = "学会读书班安排\n\n第一条 本学会每月第二个星期三下午举办“青年理论读书班”，由学会秘书处组织，会员自愿参加。\n"
    job = finished_job(deployment.writer.url, admin, upload(deployment.writer.url, admin, "dushuban.txt", text))
    assert job["state"] == "succeeded" and job["result"]["runner"].endswith(runner_of(deployment.writer))
    doc_id = job["result"]["added"][0]
    ended = time.time()

    def cites_it(reader: Server) -> bool:
        answer = httpx.post(f"{reader.url}/api/ask", json={"question": "青年理论读书班什么时候举办？"}, timeout=60).json()
        return answer["found"] and answer["citations"][0]["doc_id"] == doc_id

    for reader in deployment.readers:
        wait_for(lambda: cites_it(reader), UPLOAD_VISIBLE_WITHIN - (time.time() - ended), f"{reader.url} answers from the upload")
        ready = httpx.get(f"{reader.url}/readyz", timeout=30).json()
        assert ready["snapshot"] == (deployment.shared / "CURRENT").read_text(encoding="utf-8") and ready["documents"] == 6


def test_a_quiz_set_made_through_one_reader_is_visible_through_the_other(deployment: Deployment):
    reader1, reader2 = deployment.readers
    add_user(deployment.writer, "lisi", "leader", "lisi-pass-123")
    made = httpx.post(f"{reader1.url}/api/quiz", headers=login(reader1.url, "lisi", "lisi-pass-123"), timeout=300,
                      json={"doc_ids": ["dangzhang_2022"], "counts": {"single": 2, "judge": 1}, "title": "党章小测"})
    assert made.status_code == 201, made.text
    quiz = made.json()
    elsewhere = login(reader2.url, "lisi", "lisi-pass-123")
    listed = httpx.get(f"{reader2.url}/api/quiz", headers=elsewhere, timeout=30).json()
    assert [q["id"] for q in listed] == [quiz["id"]]
    shown = httpx.get(f"{reader2.url}/api/quiz/{quiz['id']}", headers=elsewhere, timeout=30).json()
    assert shown["title"] == "党章小测" and [i["id"] for i in shown["items"]] == [i["id"] for i in quiz["items"]] and quiz["items"]


def test_killing_a_reader_mid_load_leaves_the_other_answering(deployment: Deployment):
    victim, survivor = deployment.readers
    questions = ["党员有哪些权利？", "三会一课是什么？", "党员应当履行哪些义务？", "廉洁自律准则对党员有什么要求？"]
    outcomes: dict[str, list[object]] = {victim.url: [], survivor.url: []}
    stop = threading.Event()

    def load(url: str, offset: int) -> None:
        with httpx.Client(timeout=60) as client:
            n = offset
            while not stop.is_set():
                try:
                    response = client.post(f"{url}/api/ask", json={"question": questions[n % len(questions)]})
                    outcomes[url].append(response.status_code if response.status_code != 200 else response.json()["found"])
                except httpx.HTTPError as error:
                    outcomes[url].append(type(error).__name__)
                n += 1

    threads = [threading.Thread(target=load, args=(url, i)) for i, url in enumerate([victim.url, victim.url, survivor.url, survivor.url])]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(outcomes[victim.url]) >= 3 and len(outcomes[survivor.url]) >= 3, 120, "load on both readers")
    before = len(outcomes[survivor.url])
    victim.kill()  # SIGKILL while requests are in flight
    wait_for(lambda: len(outcomes[survivor.url]) >= before + 6, 120, "the survivor keeps answering")
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes[survivor.url] and all(outcome is True for outcome in outcomes[survivor.url]), outcomes[survivor.url]
    assert any(isinstance(outcome, str) for outcome in outcomes[victim.url])  # the victim's clients saw it go
    assert httpx.get(f"{survivor.url}/readyz", timeout=30).status_code == 200


def test_two_writers_never_take_the_same_job(deployment: Deployment):
    """A second writer starts while the first works through a queue (its start re-queues only dead runners' jobs),
    then both take jobs from one queue: each job runs exactly once, and concurrent builds lose no document."""
    survivor = deployment.readers[1]
    admin = admin_headers(deployment.writer.url)
    documents = [(f"xuexi_{n}.txt", f"学习安排第{n}号\n\n第一条 本学会第{n}支部每季度开展一次“学习日{n}号”主题活动，时间另行通知。\n")
                 for n in range(1, 11)]
    via = [deployment.writer, survivor]  # queued through a writer and through a reader alike
    job_ids = [upload(via[n % 2].url, admin, name, text) for n, (name, text) in enumerate(documents[:4])]
    second = deployment.server("writer2", "writer").start(timeout=300)
    job_ids += [upload(via[n % 2].url, admin, name, text) for n, (name, text) in enumerate(documents[4:])]
    jobs = [finished_job(deployment.writer.url, admin, job_id) for job_id in job_ids]
    assert [job["state"] for job in jobs] == ["succeeded"] * len(jobs), [job["error"] for job in jobs]
    runners = {job["result"]["runner"] for job in jobs}
    assert {runner[runner.rindex(":"):] for runner in runners} == {runner_of(deployment.writer), runner_of(second)}  # both; no reader

    with psycopg.connect(deployment.database_url) as db:
        finished = [json.loads(row[0])["job_id"] for row in db.execute("SELECT detail FROM audit_log WHERE action = 'job_succeeded'")]
    assert sorted(job_id for job_id in finished if job_id in job_ids) == sorted(job_ids)  # each job ended exactly once

    added = {job["result"]["added"][0] for job in jobs}
    assert len(added) == len(documents)
    wait_for(lambda: added <= {d["doc_id"] for d in httpx.get(f"{survivor.url}/api/documents", timeout=30).json()}, UPLOAD_VISIBLE_WITHIN,
             "every document in the snapshot the reader serves")  # concurrent builds lost no document
