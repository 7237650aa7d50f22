"""Cold starts in fresh processes (a bare window, the demo clinic, the history clinic),
interleaved so drift hits all three alike, and the database open inside them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import generate
from figures import Figure, median, timed

from tdm1_scheduler.store.database import open_database

HARNESS = Path(__file__).resolve().parent / "harness_start.py"


def start_once(mode: str, db: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(HARNESS), mode]
    if db is not None:
        command += ["--db", str(db), "--now", generate.NOW.isoformat()]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    marks = {key: (value - started) * 1000 for key, value in report["marks"].items()}
    return {"marks_ms": marks, "memory_mb": report["memory_mb"]}


def cold_starts(demo: Path, history: Path, repeat: int) -> dict[str, list[dict[str, Any]]]:
    """Bare, demo and history starts interleaved, so drift hits all three alike."""
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "demo": [], "history": []}
    start_once("bare")  # warms the file cache for Qt's libraries; not counted
    for _ in range(repeat):
        runs["bare"].append(start_once("bare"))
        runs["demo"].append(start_once("app", demo))
        runs["history"].append(start_once("app", history))
    return runs


def stage_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = runs[0]["marks_ms"].keys()
    return {key: round(median([run["marks_ms"][key] for run in runs]), 1) for key in keys}


def cold_start_figures(
    runs: dict[str, list[dict[str, Any]]], history_appointments: int
) -> list[Figure]:
    bare = [run["marks_ms"]["painted"] for run in runs["bare"]]
    floor = median(bare)
    figures = []
    for key, goal in (("demo", 2.0), ("history", 2.5)):  # issue 19
        samples = [run["marks_ms"]["painted"] for run in runs[key]]
        value = median(samples)
        what = (
            "cold start to the painted main window, demo clinic"
            if key == "demo"
            else f"cold start to the painted main window, {history_appointments:,} appointments"
        )
        figures.append(
            Figure(
                f"cold_start_{key}",
                what,
                "ms",
                value,
                samples,
                floor,
                "bare PySide6 window, same run",
                value / floor,
                f"<= {goal}x bare",
                value / floor <= goal,
                {
                    "stages_ms": stage_medians(runs[key]),
                    "bare_stages_ms": stage_medians(runs["bare"]),
                },
            )
        )
    bare_rss = median([run["memory_mb"]["VmRSS"] for run in runs["bare"]])
    rss = [run["memory_mb"]["VmRSS"] for run in runs["history"]]
    hwm = [run["memory_mb"]["VmHWM"] for run in runs["history"]]
    value = median(rss)
    figures.append(
        Figure(
            "memory_history",
            "resident memory at first paint, history clinic",
            "MB",
            value,
            rss,
            bare_rss,
            "bare PySide6 window's resident memory",
            None,
            "<= bare + 100 MB",
            value - bare_rss <= 100,
            {"excess_mb": round(value - bare_rss, 1), "peak_mb": median(hwm)},
        )
    )
    return figures


def open_database_figure(history: Path, runs: list[dict[str, Any]], repeat: int) -> Figure:
    """open_database on the history file, and the share its PRAGMA quick_check takes:
    the same open with ``_check_intact`` stubbed out, timed alternately."""
    from tdm1_scheduler.store import database

    def open_and_close() -> None:
        open_database(history).conn.close()

    real_check = database._check_intact
    opens, unchecked = [], []
    for _ in range(max(repeat, 3)):
        opens.append(timed(open_and_close)[0])
        database._check_intact = lambda db, path: None
        try:
            unchecked.append(timed(open_and_close)[0])
        finally:
            database._check_intact = real_check
    in_start = [run["marks_ms"]["database_open"] - run["marks_ms"]["app_imported"] for run in runs]
    painted = median([run["marks_ms"]["painted"] for run in runs])
    value = median(opens)
    check = value - median(unchecked)
    return Figure(
        "open_database_history",
        "open_database (in process, warm file cache), history clinic",
        "ms",
        value,
        opens,
        extra={
            "without_quick_check_ms": round(median(unchecked), 1),
            "quick_check_ms": round(check, 1),
            "quick_check_share_of_open": round(check / value, 3),
            "open_in_cold_start_ms": round(median(in_start), 1),
            "open_share_of_cold_start": round(median(in_start) / painted, 3),
        },
    )
