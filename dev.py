#!/usr/bin/env python3
"""Set up and run the project with nothing but Python and git.

    python3 dev.py run     create .venv, install the app, open it (demo clinic if no database)
    python3 dev.py test    create .venv, install app + test tools, run lint, types, layers and tests
                           (the server-mode tests start a throwaway PostgreSQL: where its
                           pg_ctl is missing, the Debian package is installed with apt-get;
                           the tests start beside the checks, their output follows them)

Extra arguments after the command go to the app (run) or to pytest (test).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# import-linter's script: the contracts of pyproject.toml's [tool.importlinter] (the layers).
# (``python -m importlinter.cli`` would run nothing and exit 0: always the script.)
# The suite runs on every core, a test file per worker (a file's module fixtures, such as
# the bundle's two builds, run once); ``python3 dev.py test -n 0`` runs it in one process.
# The files go out in the suite's order, longest first (tests/conftest.py), not xdist's
# (most tests first, which leaves the long one-test files for the end).
PARALLEL = ["-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder"]
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
    checks = [
        [str(PYTHON), "-m", "ruff", "check", "."],
        [str(PYTHON), "-m", "mypy", "tdm1_scheduler"],
        [str(LINT_IMPORTS)],
    ]
    return run_beside(checks, [str(PYTHON), "-m", "pytest", *PARALLEL, *rest])


def run_beside(checks: list[list[str]], tests: list[str]) -> int:
    """Run ``checks`` one after another and, meanwhile, ``tests``: the checks (a fresh
    clone's mypy has no cache: a minute) use the cores the tests leave idle.

    What is printed and returned is as if each ran after the other: each check's output
    as it runs; the first failing check's exit code, the tests stopped (SIGINT, as
    Ctrl-C would: their servers are stopped) and their output dropped; else the tests'
    output (kept in a file until the checks passed, then followed) and exit code."""
    with tempfile.TemporaryDirectory(prefix="dev-py-tests-") as folder:
        log = Path(folder) / "pytest.log"
        env = dict(os.environ)
        if sys.stdout.isatty():  # the tests print to a file: keep the terminal's look
            env.setdefault("COLUMNS", str(shutil.get_terminal_size().columns))
            tests = [*tests[:3], "--color=yes", *tests[3:]]
        with log.open("ab") as out:  # appends: the reader below has its own offset
            pytest = subprocess.Popen(
                tests, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
            )
        try:
            for check in checks:
                code = run(check)
                if code != 0:
                    stop(pytest, interrupt=True)
                    return code
            print("$", " ".join(tests), flush=True)
            with log.open("rb") as written:
                return follow(pytest, written)
        except KeyboardInterrupt:  # Ctrl-C reached the tests too: let them clean up
            stop(pytest, interrupt=False)
            raise
        except BaseException:
            stop(pytest, interrupt=True)
            raise


def follow(process: subprocess.Popen[bytes], log: IO[bytes]) -> int:
    """Copy ``log`` to stdout as ``process`` writes it, until it has exited: its code."""
    while True:
        done = process.poll() is not None
        chunk = log.read()
        if chunk:
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        elif done:
            return process.returncode
        else:
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], interrupt: bool) -> None:
    """Interrupt ``process`` as Ctrl-C would (unless it already was) and wait for it to
    clean up (its servers; killed after a minute)."""
    if process.poll() is not None:
        return
    if interrupt:
        process.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
