"""The PDF file itself names every patient of the demo's busy day and carries the summary,
all on one page; read back with pypdf."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tdm1_scheduler.cli.main import main
from tdm1_scheduler.demo import build_demo_clinic

NOW = datetime(2026, 11, 18, 7, 0, tzinfo=ZoneInfo("America/New_York"))


def test_pdf_text_holds_patients_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    build_demo_clinic(db, NOW)
    common = ["--db", str(db), "--now", "2026-11-18T07:00", "day-sheet", "2026-11-18"]
    assert main([*common, "--json"]) == 0
    sheet = json.loads(capsys.readouterr().out)
    mrns = {a["mrn"] for chair in sheet["chairs"] for a in chair["appointments"] if a["mrn"]}
    assert len(mrns) >= 10  # the demo's busy day
    pdf = tmp_path / "sheet.pdf"
    assert main([*common, "--pdf", str(pdf)]) == 0
    assert "(1 page)" in capsys.readouterr().out
    pages = PdfReader(str(pdf)).pages
    assert len(pages) == 1  # the demo day fits one page
    words = " ".join(pages[0].extract_text().split())
    assert "Page 1 of 1" in words
    missing = sorted(mrn for mrn in mrns if mrn not in words)
    assert missing == []
    assert "Utilization" in words and "Peak" in words
    assert f"Chairs in use {sheet['chairs_in_use']} of {sheet['active_chairs']}" in words
    assert f"First infusions {len(sheet['first_infusions'])}" in words
    assert "Bags to prepare" in words
    assert "ado-trastuzumab emtansine (KADCYLA)" in words
    assert f"{sheet['utilization'] * 100:.1f}%" in words
