"""The installed app works outside the source tree.

Build the wheel, install it with pip into a fresh virtual environment, then from an
unrelated folder run ``tdm1-scheduler --version`` and the offscreen self-check, which
loads every form, icon and the stylesheet from the installed package. The venv holds the
wheel's own requirements and nothing else: those this environment has installed are
hard-linked in first (tests/venv_seed.py; pip's cache keeps no download here), anything
else pip takes from the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tdm1_scheduler import __version__
from tests import venv_seed

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "tdm1_scheduler" / "resources"

pytestmark = pytest.mark.slow


def clean_env(tmp: Path) -> dict[str, str]:
    """The environment without anything that points back at the source tree."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TDM1_SCHEDULER_DB=str(tmp / "no-clinic.db"),
        TDM1_SCHEDULER_WINDOW_STATE=str(tmp / "window.ini"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def bin_dir(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts" if os.name == "nt" else "bin")


def build_wheel(tmp: Path, env: dict[str, str]) -> Path:
    """Build the wheel from a clean copy of the source tree.

    A copy, because setuptools builds in place: a stale ``build/lib`` in the work tree
    could slip deleted modules into the wheel, and two builds at once would collide.
    """
    source = tmp / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "*.db",
            "bench",
        ),
    )
    dist = tmp / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        tmp,
        env,
    )
    wheels = list(dist.glob("tdm1_scheduler-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def make_venv(venv_dir: Path, env: dict[str, str]) -> Path:
    """A fresh virtual environment with pip and setuptools (what ``ensurepip`` gives),
    seeded from this environment (tests/venv_seed.py); returns its python."""
    venv.EnvBuilder(with_pip=False, clear=True).create(venv_dir)
    python = bin_dir(venv_dir) / ("python.exe" if os.name == "nt" else "python")
    venv_seed.seed([Requirement("pip"), Requirement("setuptools")], site_packages(python, env))
    if subprocess.run([str(python), "-m", "pip", "--version"], env=env, capture_output=True,
                      check=False).returncode != 0:  # fmt: skip
        run([str(python), "-m", "ensurepip", "--default-pip"], venv_dir, env)
    return python


def site_packages(python: Path, env: dict[str, str]) -> Path:
    where = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                python.parent, env)  # fmt: skip
    return Path(where.strip())


def install_wheel(python: Path, wheel: Path, cwd: Path, env: dict[str, str]) -> None:
    """``pip install WHEEL`` into the fresh venv of ``python``, its requirements seeded
    from this environment (tests/venv_seed.py), then ``pip check``: every requirement of
    every distribution in the venv is met."""
    venv_seed.seed(venv_seed.wheel_requirements(wheel), site_packages(python, env))
    run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd, env)
    run([str(python), "-m", "pip", "check"], cwd, env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the wheel, the venv's bin folder, a clean env); built once for this module."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = clean_env(tmp)
    wheel = build_wheel(tmp, env)
    python = make_venv(tmp / "venv", env)
    install_wheel(python, wheel, tmp, env)
    return wheel, python.parent, env


def test_wheel_carries_every_resource_file(installed: tuple[Path, Path, dict[str, str]]) -> None:
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected, "no resources found in the source tree"
    assert expected <= names, sorted(expected - names)
    assert "tdm1_scheduler/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)


def test_version_from_another_folder(
    installed: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    _, bindir, env = installed
    out = run([str(bindir / "tdm1-scheduler"), "--version"], tmp_path, env)
    assert out.strip() == f"tdm1-scheduler {__version__}"
    where = run(
        [str(bindir / "python"), "-c", "import tdm1_scheduler; print(tdm1_scheduler.__file__)"],
        tmp_path,
        env,
    )
    installed_at = Path(where.strip()).resolve()
    assert ROOT not in installed_at.parents, f"imported from the source tree: {installed_at}"
    assert "site-packages" in installed_at.parts


def test_self_check_offscreen_from_another_folder(
    installed: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    _, bindir, env = installed
    done = subprocess.run(
        [str(bindir / "tdm1-scheduler"), "--demo", "--self-check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-check:" not in done.stdout  # no problem was reported
