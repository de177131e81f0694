"""The unit tree: articles with their items, lists, 一是… runs, 、-series and headings over articles, with exact offsets."""

from __future__ import annotations

from pathlib import Path

from wuxue.index.store import ChunkStore
from wuxue.ingest.pipeline import prepare_document
from wuxue.ingest.units import tree_from_text, tree_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "answers"

TEXT = """示范文件
第一章 总则
第一条 成员必须履行下列义务：
（一）认真学习，提高本领。
（二）遵守纪律，执行决定。
（三）联系群众，维护利益。
第二条 组织的纪律主要包括政治纪律、组织纪律、廉洁纪律、群众纪律。
第三条 工作要求有三：一是坚持学习；二是注重实效；三是严守纪律。
第四条 处分的方式包括：（一）警告；（二）严重警告；（三）开除。
规范要求
第五条 坚持公私分明。
第六条 坚持崇廉拒腐。
"""


def _tree():
    meta, document = prepare_document(TEXT.encode("utf-8"), "shifan.txt")
    return document, tree_of(document)


def test_every_unit_and_item_is_an_exact_span_of_the_text():
    document, tree = _tree()
    assert tree.units
    for unit in tree.units:
        assert 0 <= unit.start < unit.end <= len(document.text)
        for start, end in unit.items:
            assert unit.start <= start < end <= unit.end
        if unit.parent >= 0:
            parent = tree.units[unit.parent]
            assert parent.contains(unit.start, unit.end)


def test_article_list_keeps_every_item():
    document, tree = _tree()
    lists = [u for u in tree.units if u.kind == "list" and u.label == "第一条"]
    assert len(lists) == 1
    items = [document.text[a:b] for a, b in lists[0].items]
    assert items == ["（一）认真学习，提高本领。", "（二）遵守纪律，执行决定。", "（三）联系群众，维护利益。"]
    article = next(u for u in tree.units if u.kind == "article" and u.label == "第一条")
    assert article.items == lists[0].items and document.text[article.start:article.end].endswith("维护利益。")


def test_series_run_inline_list_and_heading_over_articles():
    document, tree = _tree()
    text = document.text
    series = [[text[a:b] for a, b in u.items] for u in tree.units if u.kind == "series"]
    assert ["政治纪律", "组织纪律", "廉洁纪律", "群众纪律"] in series
    runs = [[text[a:b] for a, b in u.items] for u in tree.units if u.kind == "run"]
    assert ["一是坚持学习", "二是注重实效", "三是严守纪律。"] in runs
    inline = [[text[a:b] for a, b in u.items] for u in tree.units if u.kind == "list" and u.label == ""]
    assert ["（一）警告", "（二）严重警告", "（三）开除。"] in inline
    heading = next(u for u in tree.units if u.kind == "section" and u.label == "规范要求")
    assert [text[a:b] for a, b in heading.items] == ["第五条 坚持公私分明。", "第六条 坚持崇廉拒腐。"]


def test_tree_rebuilt_from_stored_text_equals_the_ingested_one():
    document, tree = _tree()
    rebuilt = tree_from_text(document.text)
    assert [u.to_json() for u in rebuilt.units] == [u.to_json() for u in tree.units]


def test_store_keeps_the_tree_and_an_older_snapshot_rebuilds_it(tmp_path):
    meta, document = prepare_document((FIXTURES / "shifan_zhangcheng.txt").read_bytes(), "shifan_zhangcheng.txt")
    store = ChunkStore(tmp_path / "chunks.sqlite")
    store.put_document(meta, document, 0)
    store.commit()
    kept = store.document_tree(meta.doc_id)
    assert kept is not None and [u.to_json() for u in kept.units] == [u.to_json() for u in tree_of(document).units]
    store._db.execute("UPDATE documents SET units = '[]'")  # as written before trees were kept
    store.commit()
    store.close()
    reopened = ChunkStore(tmp_path / "chunks.sqlite", readonly=True)
    rebuilt = reopened.document_tree(meta.doc_id)
    assert rebuilt is not None and [u.to_json() for u in rebuilt.units] == [u.to_json() for u in kept.units]
    reopened.close()


def test_a_snapshot_without_the_columns_still_loads(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    store = ChunkStore(path)
    meta, document = prepare_document((FIXTURES / "shifan_guize.txt").read_bytes(), "shifan_guize.txt")
    store.put_document(meta, document, 0)
    store.commit()
    store.close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE documents DROP COLUMN units")
    db.execute("ALTER TABLE documents DROP COLUMN page_starts")
    db.commit()
    db.close()
    old = ChunkStore(path, readonly=True)
    tree = old.document_tree(meta.doc_id)
    assert tree is not None and any(u.kind == "list" and len(u.items) == 3 for u in tree.units)
    old.close()
