"""The issue-11 battery's pieces that need no server: the report, the percentile, the crafted files."""

from __future__ import annotations

import io
import zipfile

from wuxue.evaluation.battery import Battery, Check, forged_zip_bomb_docx, percentile, render_report, zero_page_pdf


def test_report_is_a_markdown_table_with_a_summary():
    checks = [Check("5", "unauthenticated upload", "401", "401 after 0.1 MiB", True),
              Check("7", "healthz p99", "≤ 100 ms", "p99 | 2100 ms", False),
              Check("8", "cli ingest", "few seconds", "setup failed", None)]
    report = render_report(checks, {"embedder": "hashing"})
    lines = report.splitlines()
    assert lines[0] == "# Issue 11 battery"
    assert "**1 passed, 1 failed, 1 not run** of 3 checks." in report
    assert "- embedder: hashing" in lines
    header = lines.index("| item | check | expected | observed | result |")
    rows = lines[header + 2 :]
    assert len(rows) == 3
    assert rows[0] == "| 5 | unauthenticated upload | 401 | 401 after 0.1 MiB | pass |"
    assert rows[1].endswith("| **FAIL** |") and "p99 \\| 2100 ms" in rows[1]  # a pipe in a cell is escaped
    assert rows[2].endswith("| not run |")


def test_long_cells_are_cut():
    report = render_report([Check("1", "x", "y", "z" * 1000, True)], {})
    row = report.splitlines()[-1]
    assert "z" * 296 + "…" in row and "z" * 301 not in row


def test_battery_records_checks_in_order():
    battery = Battery()
    battery.add("3", "a", "b", 12, True)
    battery.add("4", "c", "d", "e", None)
    assert [(c.item, c.observed, c.passed) for c in battery.checks] == [("3", "12", True), ("4", "e", None)]


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([1.0, 1000.0], 0.5) == 1.0


def test_forged_zip_bomb_declares_a_small_size():
    bomb = forged_zip_bomb_docx(real_size=8 * 1024 * 1024, declared=1000)
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    entry = archive.getinfo("word/document.xml")
    assert entry.file_size == 1000 and entry.compress_size < 100_000
    assert "[Content_Types].xml" in archive.namelist()


def test_zero_page_pdf_has_no_pages():
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(zero_page_pdf())).pages) == 0


def test_library_level_check_records_one_row_with_evidence():
    from wuxue.evaluation.battery import check_excel_formulas

    battery = Battery()
    check_excel_formulas(battery)
    (check,) = battery.checks
    assert check.item == "14" and check.passed in (True, False) and "cells" in check.observed
