#!/usr/bin/env python3
"""Set up and run the project with nothing but Python and git.

    python3 dev.py run     create .venv, install the app, open it (demo clinic if no database)
    python3 dev.py test    create .venv, install app + test tools, run lint, types, layers and tests

Extra arguments after the command go to the app (run) or to pytest (test).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# import-linter's script: the contracts of pyproject.toml's [tool.importlinter] (the layers).
# (``python -m importlinter.cli`` would run nothing and exit 0: always the script.)
# The suite runs on every core, a test file per worker (a file's module fixtures, such as
# the bundle's two builds, run once); ``python3 dev.py test -n 0`` runs it in one process.
PARALLEL = ["-n", "auto", "--dist", "loadfile"]
LINT_IMPORTS = BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports")


def ensure_venv(extras: str) -> None:
    """Create .venv and (re)install when pyproject.toml or the extras changed."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def run(cmd: list[str]) -> int:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        ensure_venv("")
        return run([str(PYTHON), "-m", "tdm1_scheduler", *rest])
    ensure_venv("test")
    steps = [
        [str(PYTHON), "-m", "ruff", "check", "."],
        [str(PYTHON), "-m", "mypy", "tdm1_scheduler"],
        [str(LINT_IMPORTS)],
        [str(PYTHON), "-m", "pytest", *PARALLEL, *rest],
    ]
    for step in steps:
        code = run(step)
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
