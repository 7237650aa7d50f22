"""Writing an output file (a backup, a day-sheet PDF) without ever losing data.

One place decides which existing file may be replaced (``check_output_path``) and how a
file is written (``write_bytes_atomically``): into a private (0600) temporary file in the
same folder, fsynced, then renamed into place. A write that fails leaves nothing behind.

The CLI and the GUI's save-as-PDF both use it. No Qt, no SQL here.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .domain.errors import DomainError

PRIVATE_FILE_MODE = 0o600
PDF_MAGIC = b"%PDF-"
CHUNK_BYTES = 1 << 20
# What SQLite keeps beside a database file.
SIDE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class OutputRefused(DomainError):
    """The output path is refused before anything is written (CLI exit 2). ``field`` is
    the option or argument that named it, e.g. ``--pdf`` or ``PATH``."""


class OutputFailed(RuntimeError):
    """Writing the output failed (disk full, size limit...); nothing is left at the path."""


def database_files(db_file: Path | str) -> list[Path]:
    """The database file and the -wal, -shm and -journal SQLite keeps beside it."""
    return [Path(f"{db_file}{suffix}") for suffix in SIDE_SUFFIXES]


def is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _same_file(a: os.stat_result, b: Path) -> bool:
    try:
        other = os.stat(b)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (other.st_dev, other.st_ino)


def check_output_path(
    path: Path | str,
    *,
    field: str,
    protected: Iterable[Path | str] = (),
    replace_if: Callable[[Path], bool] | None = None,
    force: bool = False,
) -> Path:
    """Refuse (``OutputRefused``) any path the output must not be written to.

    Never a protected file (the open database and its side files) under any name,
    never through a symlink, never onto a folder or device, never into a missing
    folder. An existing regular file is replaced only when ``replace_if(path)`` says so,
    or with ``force``.
    """
    path = Path(path)
    if not path.name:
        raise OutputRefused(field, f"{path} names a folder, not a file")
    folder = path.parent
    try:
        folder_stat = os.stat(folder)
    except FileNotFoundError:
        raise OutputRefused(field, f"folder {folder} does not exist") from None
    except OSError as error:  # a file in the parent chain (ENOTDIR), no access...
        raise OutputRefused(field, f"folder {folder} cannot be used ({error.strerror})") from None
    if not stat.S_ISDIR(folder_stat.st_mode):
        raise OutputRefused(field, f"{folder} is not a folder")
    target = _real(folder) / path.name
    guarded = [Path(p) for p in protected]
    try:
        here: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        here = None
    except OSError as error:
        raise OutputRefused(field, f"{path} cannot be used ({error.strerror})") from None
    for other in guarded:
        if target == _real(other) or (here is not None and _same_file(here, other)):
            raise OutputRefused(field, f"{path} is the clinic database's own file; choose another")
    if here is None:
        return path
    if stat.S_ISLNK(here.st_mode):
        raise OutputRefused(field, f"{path} is a symbolic link; give the file's own path")
    if stat.S_ISDIR(here.st_mode):
        raise OutputRefused(field, f"{path} is a folder; give a file name")
    if not stat.S_ISREG(here.st_mode):
        raise OutputRefused(field, f"{path} is not a regular file (a device or pipe)")
    if force or (replace_if is not None and replace_if(path)):
        return path
    raise OutputRefused(field, f"{path} already exists; add --force to replace it")


def describe_os_error(path: Path | str, error: OSError) -> str:
    """One line saying why writing ``path`` failed, naming a full disk as such."""
    reasons = {
        errno.ENOSPC: "disk full (no space left on device)",
        errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "file too large (the file-size limit was reached)",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }
    reason = reasons.get(error.errno or 0) or (error.strerror or str(error))
    return f"could not write {path}: {reason}; nothing was written"


def _write(fd: int, data: bytes) -> int:  # one place to fail (tests make it fail)
    return os.write(fd, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[_write(fd, bytes(view[:CHUNK_BYTES])) :]


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is done
    finally:
        os.close(fd)


def private_temp_file(folder: Path, name: str) -> tuple[int, Path]:
    """A new empty 0600 file in ``folder`` (whatever the umask), open for writing."""
    import tempfile  # with shutil, ~10 ms: only when a file is written (issue 19)

    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.fchmod(fd, PRIVATE_FILE_MODE)
    return fd, Path(temp)


def write_bytes_atomically(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a 0600 temporary file in the same folder,
    fsynced, renamed into place. Raises ``OutputFailed`` (one line) and leaves no file."""
    path = Path(path)
    try:
        fd, temp = private_temp_file(path.parent, path.name)
    except OSError as error:
        raise OutputFailed(describe_os_error(path, error)) from error
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise OutputFailed(describe_os_error(path, error)) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


__all__ = [
    "OutputFailed",
    "OutputRefused",
    "check_output_path",
    "database_files",
    "describe_os_error",
    "fsync_folder",
    "is_pdf",
    "private_temp_file",
    "write_bytes_atomically",
]
