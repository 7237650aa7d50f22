#!/usr/bin/env python3
"""Set up and run the project with nothing but Python and git.

    python3 dev.py run     create .venv, install the app, open it (demo clinic if no database)
    python3 dev.py test    create .venv, install app + test tools, run lint, types, layers and tests
                           (the server-mode tests start a throwaway PostgreSQL: where its
                           pg_ctl is missing, the Debian package is installed with apt-get)

Extra arguments after the command go to the app (run) or to pytest (test).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
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


# The PostgreSQL the server-mode tests start (tests/pg/server.py finds it the same way).
POSTGRES_PACKAGES = ["postgresql", "postgresql-contrib"]


def find_pg_ctl() -> str | None:
    found = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")  # Debian's, one per major version
    if found:
        return max(found, key=lambda path: [int(p) for p in path.split("/") if p.isdigit()])
    return shutil.which("pg_ctl")


def ensure_postgres() -> int:
    """0 when ``pg_ctl`` is there or was installed (Debian's package, via apt-get)."""
    if find_pg_ctl():
        return 0
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        print("dev.py: PostgreSQL's pg_ctl is missing and there is no apt-get: install "
              "PostgreSQL (15 or later) for the server-mode tests", flush=True)  # fmt: skip
        return 1
    as_root = [] if os.name != "posix" or os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*as_root, apt_get, "install", "-y", "--no-install-recommends", *POSTGRES_PACKAGES]
    print("pg_ctl not found: installing PostgreSQL for the server-mode tests", flush=True)
    # A fresh machine may have no package lists yet: a failed install updates them, retries.
    for attempt in (install, [*as_root, apt_get, "update"], install):
        print("$", " ".join(attempt), flush=True)
        try:
            subprocess.run(attempt, env=env, check=False)
        except OSError:  # no sudo, say
            break
        if find_pg_ctl():
            return 0
    print("dev.py: could not install PostgreSQL with apt-get (" + " ".join(POSTGRES_PACKAGES)
          + "); install it by hand for the server-mode tests", flush=True)  # fmt: skip
    return 1


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
    if ensure_postgres() != 0:
        return 1
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
