"""A folder ingest (fake embedder): unchanged files cost nothing, a copy under another name is named, a file the
manifest does not list is reported — the answers a whole-folder scan gives from one read of the index."""

from __future__ import annotations

from tests.conftest import hashing_kb

MANIFEST = """[[documents]]
file = "zhangcheng.txt"
title = "学会章程"

[[documents]]
file = "guize.txt"
title = "学会规则"
"""


def _folder(root, a: str, b: str):  # type: ignore[no-untyped-def]
    folder = root / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (folder / "zhangcheng.txt").write_text(a, encoding="utf-8")
    (folder / "guize.txt").write_text(b, encoding="utf-8")
    (folder / "notes.txt").write_text("未列入清单的文件", encoding="utf-8")
    return folder


def test_a_second_ingest_skips_unchanged_files_names_copies_and_reports_unlisted_ones(tmp_path):
    first = "学会章程\n\n第一条 本会每年召开一次会员大会。\n"
    second = "学会规则\n\n第一条 理事会每届任期五年。\n"
    folder = _folder(tmp_path, first, second)
    kb = hashing_kb(tmp_path, folder)
    again = kb.ingest_paths([folder])
    reasons = {row["filename"].rsplit("/", 1)[-1]: row["reason"] for row in again.skipped}
    assert reasons["zhangcheng.txt"] == "未变化" and reasons["guize.txt"] == "未变化"
    assert reasons["notes.txt"] == "未列入清单 manifest.toml"
    assert not again.added and not again.updated and not again.failed

    (folder / "guize.txt").write_text(first, encoding="utf-8")  # guize.txt now holds the 章程 text
    copied = kb.ingest_paths([folder])
    row = next(r for r in copied.skipped if r["filename"].endswith("guize.txt"))
    assert row["reason"].startswith("已存在（与") and row["doc_id"] == "zhangcheng"
    (folder / "guize.txt").write_text(second + "第二条 新增条款。\n", encoding="utf-8")
    changed = kb.ingest_paths([folder])
    assert changed.updated == ["guize"] and not changed.failed
