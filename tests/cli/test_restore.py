"""``restore BACKUP``: only a sound clinic backup, never under a running app, no stale -wal."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import file_hash, subprocess_env

NEW_PATIENT = ("patient", "add", "--mrn", "Z9", "--name", "Zed Late", "--weight-kg", "70")


def mrns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT mrn FROM patients ORDER BY mrn")]
    finally:
        conn.close()


def dump(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_restore_swaps_the_backup_in_and_keeps_the_replaced_file(cli, clinic, tmp_path):
    backup = tmp_path / "backup.db"
    assert cli("backup", str(backup)).code == 0
    backup_hash = file_hash(backup)
    assert cli(*NEW_PATIENT).code == 0
    result = cli("restore", str(backup))
    assert result.code == 0, result.err
    assert mrns(clinic) == ["A1", "B2", "C3"]  # Z9 came after the backup
    kept = [tmp_path / name for name in siblings(clinic) if name.startswith("clinic.db.")]
    assert len(kept) == 1 and kept[0].name in result.out  # named in the output
    assert "Z9" in mrns(kept[0])  # the replaced file is whole, without its -wal
    assert file_hash(backup) == backup_hash  # the backup itself is untouched
    assert stat.S_IMODE(clinic.stat().st_mode) == 0o600
    assert cli("chair", "list").code == 0 and cli(*NEW_PATIENT).code == 0  # usable again


def test_restore_ignores_a_stale_wal(cli, clinic, tmp_path):
    backup = tmp_path / "backup.db"
    assert cli("backup", str(backup)).code == 0
    # Committed changes that sit only in the -wal, saved aside as a crash would leave them.
    writer = sqlite3.connect(clinic, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE patients SET name = 'From the stale wal'")
    stale = tmp_path / "stale-wal"
    shutil.copyfile(f"{clinic}-wal", stale)
    writer.close()
    shutil.copyfile(stale, f"{clinic}-wal")
    result = cli("restore", str(backup))
    assert result.code == 0, result.err
    assert not Path(f"{clinic}-wal").exists() or Path(f"{clinic}-wal").stat().st_size == 0
    assert dump(clinic) == dump(backup)
    names = sqlite3.connect(clinic).execute("SELECT DISTINCT name FROM patients").fetchall()
    assert ("From the stale wal",) not in names


def other_program(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def damaged_backup(path: Path, source: Path) -> None:
    shutil.copyfile(source, path)
    with path.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(bytes(range(256)) * 48)


@pytest.mark.parametrize("kind", ["missing", "random", "other program", "damaged", "folder"])
def test_a_backup_that_is_not_a_sound_clinic_database_changes_nothing(cli, clinic, tmp_path, kind):
    backup = tmp_path / "b.db"
    if kind == "random":
        backup.write_bytes(os.urandom(8192))
    elif kind == "other program":
        other_program(backup)
    elif kind == "damaged":
        damaged_backup(backup, clinic)
    elif kind == "folder":
        backup.mkdir()
    before, files = file_hash(clinic), siblings(clinic)
    backup_before = file_hash(backup) if backup.is_file() else None
    result = cli("restore", str(backup))
    assert result.code == 1, result
    assert len(result.err.splitlines()) == 1 and result.err.startswith("error: "), result.err
    assert file_hash(clinic) == before and siblings(clinic) == files
    if backup_before:
        assert file_hash(backup) == backup_before


@pytest.mark.slow
def test_restore_refuses_while_another_process_has_the_database_open(cli, clinic, tmp_path):
    backup = tmp_path / "backup.db"
    assert cli("backup", str(backup)).code == 0
    assert cli(*NEW_PATIENT).code == 0
    code = (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(clinic)!r}); c.execute('SELECT 1 FROM chairs').fetchall()\n"
        "print('open', flush=True); sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        before = file_hash(clinic)
        result = cli("restore", str(backup))
        assert result.code == 1, result
        assert len(result.err.splitlines()) == 1 and "open" in result.err, result.err
        assert file_hash(clinic) == before and "Z9" in mrns(clinic)
    finally:
        holder.communicate("")
    assert cli("restore", str(backup)).code == 0  # free again
    assert "Z9" not in mrns(clinic)


def test_restore_refuses_while_this_process_has_it_open_too(cli, clinic, tmp_path):
    backup = tmp_path / "backup.db"
    assert cli("backup", str(backup)).code == 0
    holder = sqlite3.connect(clinic)
    holder.execute("SELECT 1 FROM chairs").fetchall()
    try:
        before = file_hash(clinic)
        assert cli("restore", str(backup)).code == 1
        assert file_hash(clinic) == before
    finally:
        holder.close()


def test_restore_in_a_real_process_prints_what_it_kept(clinic, tmp_path):
    backup = tmp_path / "backup.db"
    env = subprocess_env()
    run = [sys.executable, "-m", "tdm1_scheduler", "--db", str(clinic)]
    subprocess.run([*run, "backup", str(backup)], check=True, env=env, capture_output=True)
    done = subprocess.run(
        [*run, "restore", str(backup)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    match = re.search(r"kept as (\S+)", done.stdout)
    assert match and Path(match.group(1)).is_file(), done.stdout
    listed = subprocess.run(
        [*run, "chair", "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    assert [c["name"] for c in json.loads(listed.stdout)] == ["Chair 1", "Chair 2"]
