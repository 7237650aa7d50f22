"""The benchmark runner at its tiny size, in a subprocess: every figure lands in the JSON.

The benchmarks themselves are not part of the test run; this only proves the runner,
its generator and its start-up harness still work against the current code.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "bench" / "run.py"
EXPECTED = (
    "cold_start_demo",
    "cold_start_history",
    "memory_history",
    "open_database_history",
    "day_switch",
    "move_commit",
    "book_course",
    "day_sheet_pdf",
    "day_query",
    "cli_course_show",
    "cli_day_sheet",
)
FLOORED = (
    "cold_start_demo",
    "cold_start_history",
    "memory_history",
    "book_course",
    "day_query",
    "cli_course_show",
    "cli_day_sheet",
)


def test_tiny_run_writes_every_figure(tmp_path: Path) -> None:
    target = tmp_path / "tiny.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, str(RUNNER), "--size", "tiny", "--repeat", "1", "--quiet"]
    done = subprocess.run(
        [*command, "--json", str(target)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(target.read_text())
    figures = result["figures"]
    assert sorted(figures) == sorted(EXPECTED)
    for name, figure in figures.items():
        assert figure["samples"], name
        assert all(math.isfinite(s) and s >= 0 for s in figure["samples"]), name
        assert math.isfinite(figure["value"]) and figure["value"] > 0, name
    for name in FLOORED:
        assert figures[name]["floor"] > 0, name
    for name in (
        "cold_start_demo",
        "cold_start_history",
        "book_course",
        "day_query",
        "cli_course_show",
        "cli_day_sheet",
    ):
        ratio = figures[name]["ratio"]
        assert math.isclose(ratio, figures[name]["value"] / figures[name]["floor"]), name
    assert figures["day_query"]["extra"]["raw_sqlite_floor_ms"] > 0
    assert figures["day_query"]["extra"]["rows_history"] > 0
    assert "quick_check_ms" in figures["open_database_history"]["extra"]
    assert result["databases"]["history"]["appointments"] > 0
    sheet = figures["cli_day_sheet"]["extra"]
    assert sheet["statements_busy_day"] > 0 and sheet["bookings_busy_day"] > 0
    assert {"nproc", "cpu", "memory_gb", "python", "qt"} <= set(result["machine"])
    # The table names every figure too.
    for name in EXPECTED:
        assert name in done.stdout
