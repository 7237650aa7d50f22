"""Output files (``day-sheet --pdf PATH``, ``backup PATH``): what may be replaced, what is
never touched, and a failed write that leaves nothing behind."""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, db_hash, file_hash, subprocess_env
from .targets import is_server

SHEET = ("day-sheet", "2026-03-02")
# On a server ``backup`` is refused, naming pg_dump (tests/cli/test_server_url.py).
BACKUP_IS_A_FILE = "backup copies the clinic's SQLite file"
SIDE_FILES = "the clinic's own file and its -wal, -shm and -journal side files"
NOT_OURS = b"my tax return, not a PDF\n"


def one_refusal(result, name: str) -> None:
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("refused: ") and name in lines[0], lines[0]


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write may have left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- day-sheet --pdf -------------------------------------------------------------------------
def test_pdf_replaces_an_existing_pdf_without_force(cli, clinic, tmp_path):
    out = tmp_path / "morning.pdf"
    assert cli(*SHEET, "--pdf", str(out)).code == 0
    first = out.read_bytes()
    older = first + b"% an older print\n"
    out.write_bytes(older)
    result = cli(*SHEET, "--pdf", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF-") and out.read_bytes() != older


def test_pdf_refuses_another_file_unless_forced(cli, clinic, tmp_path):
    out = tmp_path / "notes.pdf"
    out.write_bytes(NOT_OURS)
    one_refusal(cli(*SHEET, "--pdf", str(out)), "--pdf")
    assert out.read_bytes() == NOT_OURS
    result = cli(*SHEET, "--pdf", str(out), "--force")
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.sqlite_only(SIDE_FILES)
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("force", [False, True])
def test_pdf_never_writes_the_database_or_its_side_files(cli, clinic, suffix, force):
    target = Path(f"{clinic}{suffix}")
    if suffix == "-journal":
        target.write_bytes(b"")
    holder = sqlite3.connect(clinic)  # keeps -wal and -shm in place
    holder.execute("SELECT COUNT(*) FROM chairs").fetchone()
    try:
        assert target.exists()
        before = db_hash(clinic), file_hash(target)
        result = cli(*SHEET, "--pdf", str(target), *(["--force"] if force else []))
        one_refusal(result, "--pdf")
        assert (db_hash(clinic), file_hash(target)) == before
    finally:
        holder.close()


@pytest.mark.sqlite_only("a hard link to the clinic's own file")
def test_pdf_refuses_the_database_by_another_name(cli, clinic, tmp_path):
    alias = tmp_path / "alias.pdf"
    os.link(clinic, alias)
    before = db_hash(clinic)
    one_refusal(cli(*SHEET, "--pdf", str(alias), "--force"), "--pdf")
    assert db_hash(clinic) == before


@pytest.mark.parametrize("force", [False, True])
def test_pdf_never_writes_through_a_symlink(cli, clinic, tmp_path, force):
    precious = tmp_path / "precious.pdf"
    precious.write_bytes(b"%PDF-1.4 someone else's\n")
    link = tmp_path / "link.pdf"
    link.symlink_to(precious)
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "nowhere.pdf")
    flag = ["--force"] if force else []
    one_refusal(cli(*SHEET, "--pdf", str(link), *flag), "--pdf")
    one_refusal(cli(*SHEET, "--pdf", str(dangling), *flag), "--pdf")
    assert precious.read_bytes() == b"%PDF-1.4 someone else's\n"
    assert link.is_symlink() and not (tmp_path / "nowhere.pdf").exists()


def test_pdf_refuses_a_folder_a_device_and_a_missing_folder(cli, clinic, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    for target in (folder, Path("/dev/null"), tmp_path / "no" / "such" / "day.pdf"):
        one_refusal(cli(*SHEET, "--pdf", str(target), "--force"), "--pdf")
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "no").exists()
    assert cli(*SHEET, "--pdf", str(folder / "day.pdf")).code == 0  # the folder itself works


# --- backup PATH -----------------------------------------------------------------------------
@pytest.mark.sqlite_only(BACKUP_IS_A_FILE)
def test_backup_replaces_nothing_without_force(cli, clinic, tmp_path):
    old = tmp_path / "monday.db"
    assert cli("backup", str(old)).code == 0
    before = file_hash(old)
    one_refusal(cli("backup", str(old)), "PATH")
    assert file_hash(old) == before
    other = tmp_path / "other.txt"
    other.write_bytes(NOT_OURS)
    one_refusal(cli("backup", str(other)), "PATH")
    assert other.read_bytes() == NOT_OURS
    result = cli("backup", str(other), "--force")
    assert result.code == 0, result.err
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


@pytest.mark.sqlite_only(BACKUP_IS_A_FILE)
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_backup_never_writes_the_database(cli, clinic, suffix):
    holder = sqlite3.connect(clinic)
    holder.execute("SELECT COUNT(*) FROM chairs").fetchone()
    try:
        target = Path(f"{clinic}{suffix}")
        before = db_hash(clinic), file_hash(target)
        one_refusal(cli("backup", str(target), "--force"), "PATH")
        assert (db_hash(clinic), file_hash(target)) == before
    finally:
        holder.close()


@pytest.mark.sqlite_only(BACKUP_IS_A_FILE)
def test_backup_refuses_a_symlink_a_folder_and_a_missing_folder(cli, clinic, tmp_path):
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    for target in (link, tmp_path, Path("/dev/null"), tmp_path / "missing" / "b.db"):
        one_refusal(cli("backup", str(target), "--force"), "PATH")
    assert not (tmp_path / "elsewhere.db").exists() and not (tmp_path / "missing").exists()


# --- a write that fails ----------------------------------------------------------------------
def limited(max_bytes: int) -> Callable[[], None]:
    def apply() -> None:  # in the child: writes past max_bytes fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


def run_limited(max_bytes: int, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tdm1_scheduler", *argv],
        capture_output=True,
        text=True,
        env=subprocess_env(QT_QPA_PLATFORM="offscreen"),
        cwd=ROOT,
        timeout=120,
        preexec_fn=limited(max_bytes),
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind", ["pdf", pytest.param("backup", marks=pytest.mark.sqlite_only(BACKUP_IS_A_FILE))]
)
def test_a_write_that_fails_is_exit_1_and_leaves_no_file(cli, clinic, tmp_path, kind):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"day.{kind}"
    argv = (*SHEET, "--pdf", str(target)) if kind == "pdf" else ("backup", str(target))
    # On a file the -shm exists already: only the output grows (a server has none).
    holder = None if is_server(clinic) else sqlite3.connect(clinic)
    if holder is not None:
        holder.execute("SELECT COUNT(*) FROM chairs").fetchone()
    try:
        before = db_hash(clinic)
        done = run_limited(12 * 1024, "--db", str(clinic), *argv)
        assert done.returncode == 1, done
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
        assert not target.exists() and list(out_dir.iterdir()) == []
        assert db_hash(clinic) == before
    finally:
        if holder is not None:
            holder.close()
    assert cli(*argv).code == 0  # nothing blocks the retry
    assert target.stat().st_size > 12 * 1024


def test_a_full_disk_is_named_and_leaves_no_file(cli, clinic, tmp_path, monkeypatch):
    from tdm1_scheduler import safe_files

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safe_files, "_write", full)
    target = tmp_path / "day.pdf"
    result = cli(*SHEET, "--pdf", str(target))
    assert result.code == 1
    assert len(result.err.splitlines()) == 1
    assert "disk full" in result.err.lower() and "no space left on device" in result.err.lower()
    assert not target.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("d.pdf", (*SHEET, "--pdf")),
        pytest.param("b.db", ("backup",), marks=pytest.mark.sqlite_only(BACKUP_IS_A_FILE)),
    ],
)
def test_outputs_are_private(cli, clinic, tmp_path, name, argv):
    old = os.umask(0o022)
    try:
        assert cli(*argv, str(tmp_path / name)).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
