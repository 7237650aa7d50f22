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
