"""Roles of a process and following the published snapshot (issue 16): a writer publishes into a shared
index directory, readers in other data directories switch to each new snapshot and never run jobs."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from tests.conftest import add_accounts, bearer
from wuxue import cli
from wuxue.app_database import database_location
from wuxue.service.server import first_admin
from wuxue.users import UserStore
from wuxue.index.embedders import HashingEmbedder
from wuxue.index.snapshot import DENSE, DataDir
from wuxue.knowledge_base import KnowledgeBase
from wuxue.service.app import create_app
from wuxue.settings import load_settings
from wuxue.snapshot_follower import SnapshotFollower

EXTRA = "学会读书班材料\n\n第一条 本学会每月第二个星期三举办“青年理论读书班”。\n"


def machine(tmp_path: Path, name: str, shared: Path, **extra: object) -> KnowledgeBase:
    """A knowledge base with its own data directory, on the index directory all machines share."""
    settings = load_settings(data_dir=tmp_path / name, cache_dir=tmp_path / f"cache-{name}", embed_backend="hashing",
                             snapshot_dir=shared, **extra)
    return KnowledgeBase(settings, embedder=HashingEmbedder())


def add_document(kb: KnowledgeBase, tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = kb.ingest_paths([path])
    assert report.added and not report.failed
    return kb.data_dir.require_current()


def test_role_and_snapshot_settings_are_validated(tmp_path, monkeypatch):
    plain = load_settings(data_dir=tmp_path / "d")
    assert plain.role == "all" and plain.index_dir == tmp_path / "d" and plain.snapshot_dir is None
    assert plain.snapshot_keep_seconds == 0  # one machine: replaced snapshots go at once, as before
    monkeypatch.setenv("WUXUE_ROLE", "reader")
    monkeypatch.setenv("WUXUE_SNAPSHOT_DIR", "~/shared-index")
    monkeypatch.setenv("WUXUE_SNAPSHOT_POLL_SECONDS", "0.5")
    shared = load_settings(data_dir=tmp_path / "d")
    assert shared.role == "reader" and shared.index_dir == Path("~/shared-index").expanduser() and shared.snapshot_poll_seconds == 0.5
    assert shared.snapshot_keep_seconds == 300  # shared: other machines may still be switching away from them
    for wrong in ({"role": "primary"}, {"snapshot_poll_seconds": 0}, {"snapshot_keep_seconds": -1},
                  {"snapshot_poll_seconds": 10, "snapshot_keep_seconds": 5}):
        with pytest.raises(ValidationError):
            load_settings(**wrong)


def test_snapshots_pointer_and_sources_live_in_the_shared_directory(tmp_path, small_corpus):
    shared = tmp_path / "shared"
    writer = machine(tmp_path, "writer", shared)
    assert not writer.ingest_paths([small_corpus]).failed
    current = writer.data_dir.require_current()
    assert current.parent == shared / "snapshots" and (shared / "CURRENT").read_text(encoding="utf-8") == current.name
    assert len(list((shared / "sources").iterdir())) == 4
    assert not (tmp_path / "writer" / "snapshots").exists() and not (tmp_path / "writer" / "CURRENT").exists()
    assert (tmp_path / "writer" / "app.sqlite").is_file()  # the app database stays per data directory (SQLite)


def test_a_reader_follows_each_published_snapshot(tmp_path, small_corpus):
    shared = tmp_path / "shared"
    writer = machine(tmp_path, "writer", shared)
    writer.ingest_paths([small_corpus])
    reader = machine(tmp_path, "reader", shared)
    swapped: list[Path] = []
    follower = SnapshotFollower(reader, interval=3600, on_swap=swapped.append)
    assert follower.check() and swapped == [writer.data_dir.require_current()]  # the first load counts as a switch
    first = reader.snapshot
    assert not follower.check()  # nothing new published

    second = add_document(writer, tmp_path, "dushuban.txt", EXTRA)
    assert reader.snapshot is first  # nothing changes before the reader looks
    assert follower.check() and reader.snapshot.path == second and swapped[-1] == second
    assert reader.search("青年理论读书班", k=1).hits[0].chunk.doc_id == "dushuban"
    status = follower.status()
    assert status.serving == status.published == second.name and status.error is None and status.swaps == 2
    assert reader._retired.pending == 1  # `first` still holds the replaced snapshot: it stays open …
    assert first.store.document("dangzhang_2022") is not None
    del first
    assert reader._retired.pending == 0  # … and is released the moment nothing uses it
    reader.close()
    writer.close()


def test_an_unloadable_snapshot_leaves_the_served_one_in_place(tmp_path, small_corpus):
    shared = tmp_path / "shared"
    writer = machine(tmp_path, "writer", shared)
    writer.ingest_paths([small_corpus])
    reader = machine(tmp_path, "reader", shared)
    follower = SnapshotFollower(reader, interval=3600)
    follower.check()
    served = reader.snapshot.path

    broken = add_document(writer, tmp_path, "one.txt", EXTRA)
    vectors = (broken / DENSE).read_bytes()
    _remove(broken / DENSE)  # as if pruned while the reader loads it (lexical segments would be rebuilt; vectors cannot)
    assert not follower.check()
    status = follower.status()
    assert status.serving == served.name and status.published == broken.name and status.error
    assert reader.search("党员的权利", k=1).hits  # still answering from the previous snapshot
    (broken / DENSE).write_bytes(vectors)  # the writer's next build starts from it

    fixed = add_document(writer, tmp_path, "two.txt", "学习材料二\n\n第一条 学会每季度开展一次主题党日活动。\n")
    assert follower.check() and follower.status().serving == fixed.name and follower.status().error is None
    reader.close()
    writer.close()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def test_the_follower_thread_picks_up_a_publication_within_its_interval(tmp_path, small_corpus):
    shared = tmp_path / "shared"
    writer = machine(tmp_path, "writer", shared)
    writer.ingest_paths([small_corpus])
    reader = machine(tmp_path, "reader", shared)
    reader.load()
    follower = SnapshotFollower(reader, interval=0.05)
    follower.start()
    try:
        published = add_document(writer, tmp_path, "dushuban.txt", EXTRA)
        deadline = time.time() + 10
        while reader.snapshot.path != published and time.time() < deadline:
            time.sleep(0.02)
        assert reader.snapshot.path == published
    finally:
        follower.stop()
    assert not follower._thread.is_alive()
    reader.close()
    writer.close()


def _publish(data_dir: DataDir, marker: str) -> Path:
    with data_dir.build_lock():
        build = data_dir.new_build_dir()
        (build / "marker").write_text(marker, encoding="utf-8")
        return data_dir.publish(build)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_pruning_keeps_snapshots_replaced_less_than_keep_seconds_ago(tmp_path):
    data_dir = DataDir(tmp_path / "index", keep_seconds=60)
    first, second, third, fourth = (_publish(data_dir, str(n)) for n in range(4))
    assert data_dir.published() == [first, second, third, fourth]  # published within the minute: all kept
    for replacement in (second, third):
        _age(replacement, 120)  # first was replaced by second, second by third, two minutes ago
    fifth = _publish(data_dir, "5")
    # first and second go; third stays although it is not among the newest two: fourth replaced it just now
    assert data_dir.published() == [third, fourth, fifth]
    assert data_dir.current() is None  # no manifest in these stand-ins; the pointer still names the newest
    assert (tmp_path / "index" / "CURRENT").read_text(encoding="utf-8") == fifth.name


def test_without_keep_seconds_only_the_newest_two_stay(tmp_path):
    data_dir = DataDir(tmp_path / "index")
    published = [_publish(data_dir, str(n)) for n in range(5)]
    assert data_dir.published() == published[-2:]
    assert [p.name for p in published] == sorted(p.name for p in published)  # names sort in publication order


@pytest.fixture
def shared_setup(tmp_path, small_corpus):
    """One machine's data directory (its app database holds accounts and jobs) over a shared index directory."""
    shared = tmp_path / "shared"
    machine(tmp_path, "data", shared).ingest_paths([small_corpus])
    add_accounts(tmp_path / "data", ("boss",))
    return tmp_path / "data", shared


def _app(data: Path, shared: Path, role: str) -> TestClient:
    settings = load_settings(data_dir=data, cache_dir=data.parent / "cache", embed_backend="hashing", snapshot_dir=shared,
                             role=role, snapshot_poll_seconds=0.1)
    return TestClient(create_app(settings, embedder=HashingEmbedder()))


def _wait_for(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_reader_queues_uploads_for_the_writer_and_then_answers_from_its_snapshot(shared_setup):
    data, shared = shared_setup
    with _app(data, shared, "reader") as reader:
        admin = bearer(reader, "boss")
        ready = reader.get("/readyz").json()
        assert ready["role"] == "reader" and ready["snapshot"] == ready["published"] and ready["snapshot_error"] is None
        response = reader.post("/api/admin/documents", headers=admin, files=[("files", ("dushuban.txt", EXTRA.encode(), "text/plain"))])
        assert response.status_code == 202
        job_id = response.json()["accepted"][0]["job_id"]
        time.sleep(1.0)
        assert reader.get(f"/api/admin/jobs/{job_id}", headers=admin).json()["state"] == "queued"  # a reader never runs it
        with _app(data, shared, "writer") as writer:
            assert writer.get("/readyz").json()["role"] == "writer"
            job = _wait_for(lambda: (j := reader.get(f"/api/admin/jobs/{job_id}", headers=admin).json())["state"] == "succeeded" and j)
            assert job["result"]["added"] == ["dushuban"] and job["result"]["runner"] == f"{socket.gethostname()}:{os.getpid()}"
            published = writer.get("/readyz").json()["snapshot"]
            _wait_for(lambda: reader.get("/readyz").json()["snapshot"] == published)
            hits = reader.get("/api/search", params={"q": "青年理论读书班", "k": 1}).json()["results"]
            assert hits[0]["doc_id"] == "dushuban"
            assert reader.get("/api/documents/dushuban").status_code == 200


def test_the_default_role_runs_jobs_and_reports_itself(shared_setup):
    data, shared = shared_setup
    with _app(data, shared, "all") as single:
        admin = bearer(single, "boss")
        response = single.post("/api/admin/documents", headers=admin, files=[("files", ("dushuban.txt", EXTRA.encode(), "text/plain"))])
        job_id = response.json()["accepted"][0]["job_id"]
        _wait_for(lambda: single.get(f"/api/admin/jobs/{job_id}", headers=admin).json()["state"] == "succeeded")
        ready = single.get("/readyz").json()
        assert ready["role"] == "all" and ready["snapshot"] == ready["published"] == (shared / "CURRENT").read_text(encoding="utf-8")


def test_the_first_admin_may_be_created_by_another_process_starting_at_the_same_moment(tmp_path, monkeypatch):
    settings = load_settings(data_dir=tmp_path / "data", admin_password="first-admin-pass")
    other = UserStore(database_location(settings))  # another machine's process, on the same fresh database
    other.add("admin", "admin", "other-admin-pass")
    other.close()
    real_check = UserStore.has_admin
    checks: list[bool] = []

    def checked_before_the_other_insert(store: UserStore) -> bool:
        checks.append(True)
        return len(checks) > 1 and real_check(store)

    monkeypatch.setattr(UserStore, "has_admin", checked_before_the_other_insert)
    assert first_admin(settings) is None and len(checks) == 2  # no crash at start-up, no second admin


def test_serve_passes_the_role_on(monkeypatch):
    started: list[dict[str, object]] = []
    monkeypatch.setattr("wuxue.service.server.run_server", lambda **options: started.append(options))
    runner = CliRunner()
    assert runner.invoke(cli.app, ["serve", "--role", "reader", "--port", "8123"]).exit_code == 0
    assert started[-1]["role"] == "reader" and started[-1]["port"] == 8123
    assert runner.invoke(cli.app, ["serve"]).exit_code == 0 and started[-1]["role"] is None  # WUXUE_ROLE or all
    refused = runner.invoke(cli.app, ["serve", "--role", "primary"])
    assert refused.exit_code != 0 and len(started) == 2
