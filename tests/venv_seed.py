"""A fresh virtual environment's dependencies, taken from the running one.

``pip install WHEEL`` into a new venv asks the package index for every requirement the
wheel reaches (PySide6, pydantic, fhir.resources, ...): about twenty index look-ups and
downloads, most of the wheel test's time (pip's cache keeps no download here). Those
distributions are installed already, at the same versions, in the environment the tests
run in (``.venv``, made by pip from the same pyproject.toml). ``seed`` hard-links into the
new venv exactly the distributions the wheel's requirements reach, resolved as pip would
(markers, extras, version specifiers), and nothing else: no test tool, not the app. pip
then installs the wheel itself, finds its requirements met, and fetches from the index
only what was not found here (a requirement missing, or at a version that does not
satisfy it). A requirement the wheel forgot to declare is not seeded, so the installed
app fails as it would have.

Hard links, not copies: nothing in the new venv writes into those files (Python writes
bytecode to a new file and renames it into place; pip uninstall unlinks), and 230 MB of
Qt links in a moment. Where links are refused (another file system), the files are
copied. Console scripts of the dependencies (``bin/``) are not seeded: nothing runs them.

The venv's own pip and setuptools, which ``ensurepip`` would unpack (seconds), are seeded
the same way (``make_venv`` in tests/test_wheel.py); ensurepip runs where they are not here.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """The wheel's ``Requires-Dist`` that apply here (no extra asked for)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(line) for line in meta.get_all("Requires-Dist") or []]


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras)


def closure(requirements: list[Requirement]) -> list[metadata.Distribution]:
    """The installed distributions (of this environment) that ``requirements`` reach,
    each once; a requirement not installed here, or not satisfied, is left to pip."""
    found: dict[str, metadata.Distribution] = {}
    done: set[tuple[str, str]] = set()  # (distribution, extra) whose requirements are in
    todo: list[tuple[Requirement, set[str]]] = [(r, {""}) for r in requirements]
    while todo:
        requirement, extras = todo.pop()
        if not applies(requirement, extras):
            continue
        key = canonicalize_name(requirement.name)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        if not requirement.specifier.contains(dist.version, prereleases=True):
            continue
        found[key] = dist
        wanted = {""} | set(requirement.extras)
        for extra in wanted - {e for k, e in done if k == key}:
            done.add((key, extra))
            todo += [(Requirement(line), {extra}) for line in dist.requires or []]
    return list(found.values())


def link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def seed(requirements: list[Requirement], site_packages: Path) -> list[str]:
    """Hard-link the installed distributions ``requirements`` reach (``closure``) into
    ``site_packages`` (a fresh venv's); the names seeded. One the venv has is kept."""
    present = {
        canonicalize_name(d.metadata["Name"])
        for d in metadata.distributions(path=[str(site_packages)])
    }
    seeded = []
    for dist in closure(requirements):
        name = canonicalize_name(dist.metadata["Name"])
        if name in present:
            continue
        root = Path(str(dist.locate_file("")))
        for entry in dist.files or []:
            if entry.parts[0] == "..":  # a script in bin/, a file outside site-packages
                continue
            source, target = root / entry, site_packages / entry
            if source.is_file() and not target.exists():  # a RECORD may list a file twice
                link(source, target)
        seeded.append(name)
    return sorted(seeded)
