"""Build the one-folder desktop bundle with PyInstaller, reproducibly.

    python -m pip install ".[bundle]"          # the app and PyInstaller in one environment
    python packaging/build_bundle.py [--dist DIR] [--work DIR]

The result is ``DIST/tdm1-scheduler/`` with the executable ``tdm1-scheduler`` inside
(``tdm1-scheduler.exe`` on Windows), and ``DIST/tdm1-scheduler.sha256``, a checksum
list of every file, to compare two builds. Reproducible: ``SOURCE_DATE_EPOCH`` is the
last commit's time (or a fixed date outside a git checkout) and ``PYTHONHASHSEED`` is 0,
so the same commit, Python and dependency versions give the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "tdm1-scheduler.spec"
NAME = "tdm1-scheduler"
FALLBACK_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def source_date_epoch() -> str:
    """``$SOURCE_DATE_EPOCH``, else the last commit's time, else a fixed date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip() or FALLBACK_EPOCH
    except (OSError, subprocess.CalledProcessError):
        return FALLBACK_EPOCH


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = source_date_epoch()
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")  # analysis imports Qt; no display needed
    return env


def checksums(folder: Path) -> str:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder.parent).as_posix()}")
    return "\n".join(lines) + "\n"


def executable(dist: Path) -> Path:
    return dist / NAME / (f"{NAME}.exe" if os.name == "nt" else NAME)


def build(dist: Path, work: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    subprocess.run(cmd, cwd=HERE, env=build_env(), check=True)
    program = executable(dist)
    if not program.exists():
        raise SystemExit(f"PyInstaller made no {program}")
    (dist / f"{NAME}.sha256").write_text(checksums(dist / NAME), encoding="utf-8")
    return program


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder")
    parser.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"), help="scratch")
    args = parser.parse_args(argv)
    program = build(Path(args.dist).resolve(), Path(args.work).resolve())
    print(f"built {program}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
