"""Where the clinic database lives when nobody says (per-user data folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "tdm1-scheduler"
DB_ENV = "TDM1_SCHEDULER_DB"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


PRIVATE_DIR_MODE = 0o700


def make_private_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents as 0700 (whatever the umask); returns
    the folders made, outermost first. The app's own data folder is made 0700 even when
    it exists already: it holds patient data."""
    missing: list[Path] = []
    probe = Path(os.path.abspath(folder))
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    made: list[Path] = []
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_DIR_MODE)
        path.chmod(PRIVATE_DIR_MODE)
        made.append(path)
    app_dir = user_data_dir()
    if Path(os.path.abspath(folder)) == Path(os.path.abspath(app_dir)) and app_dir.is_dir():
        app_dir.chmod(PRIVATE_DIR_MODE)
    return made


def missing_folders(path: Path) -> list[Path]:
    """The folders above ``path`` that do not exist yet, innermost first."""
    missing: list[Path] = []
    probe = Path(os.path.abspath(path)).parent
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    return missing


def first_existing_ancestor(path: Path) -> Path:
    probe = Path(os.path.abspath(path)).parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def default_db_path() -> Path:
    """``$TDM1_SCHEDULER_DB`` if set, else ``clinic.db`` in the per-user data folder."""
    env = os.environ.get(DB_ENV)
    return Path(env) if env else user_data_dir() / "clinic.db"


def local_zone_name() -> str:
    """The machine's IANA zone name when it can be told, else UTC."""
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if "/" in tz_env:
        return tz_env
    try:
        text = Path("/etc/timezone").read_text().strip()
        if text:
            return text
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"
