"""tests/demo_files.py: a copied demo clinic holds what a build would, row for row."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tdm1_scheduler.demo import build_demo_clinic
from tests.demo_files import demo_copy

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # as most of the suite's demo clinics


def rows(path: Path) -> list[str]:
    """The whole clinic as SQL, the migrations' wall times left out (any two builds'
    differ), with the file's mode."""
    conn = sqlite3.connect(path)
    try:
        lines = list(conn.iterdump())
        log = "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"
        applied = conn.execute(log).fetchall()
    finally:
        conn.close()
    kept = [line for line in lines if not line.startswith('INSERT INTO "_sqlite_migrations"')]
    kept = [line for line in kept if not line.startswith("INSERT INTO _sqlite_migrations")]
    return [*kept, repr(applied), oct(path.stat().st_mode)]


def test_a_copy_is_what_a_build_makes(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    built, copied = tmp_path / "built.db", tmp_path / "copied.db"
    build_demo_clinic(built, NOW)
    assert demo_copy(copied, NOW, tmp_path_factory) == copied
    assert len(rows(built)) > 1000
    assert rows(copied) == rows(built)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built.db", "copied.db"]
    with pytest.raises(FileExistsError):
        demo_copy(copied, NOW, tmp_path_factory)  # never over a file, as the build


def test_the_bags_choice_is_kept_apart(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("bags")
    with_bags = demo_copy(folder / "bags.db", NOW, tmp_path_factory)
    without = demo_copy(folder / "none.db", NOW, tmp_path_factory, prepare_bags=False)

    def bags(path: Path) -> int:  # made and waiting for their infusion
        conn = sqlite3.connect(path)
        try:
            waiting = "SELECT COUNT(*) FROM preparations WHERE used_at IS NULL"
            return int(conn.execute(waiting).fetchone()[0])
        finally:
            conn.close()

    assert bags(with_bags) > 0 and bags(without) == 0
