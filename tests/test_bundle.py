"""packaging/: the desktop entry, AppStream metadata and icons are well formed, and the
one-folder PyInstaller bundle builds reproducibly and passes its self-check offscreen."""

from __future__ import annotations

import configparser
import os
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tdm1_scheduler import __version__

from .test_wheel import build_wheel, clean_env, install_wheel, make_venv, run

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "org.tdm1scheduler.ChairScheduler"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
SVG = ROOT / "tdm1_scheduler" / "resources" / "icons" / "tdm1-scheduler.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def script_name() -> str:
    scripts = pyproject()["project"]["scripts"]  # type: ignore[index]
    (name,) = scripts.keys()  # type: ignore[union-attr]
    return str(name)


# --- desktop entry ----------------------------------------------------------------------
def read_desktop() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"), source=str(DESKTOP))
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def test_desktop_entry_is_valid() -> None:
    entry = read_desktop()
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment"):
        assert entry.get(key), f"{key} missing"
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == script_name()
    assert entry["TryExec"] == script_name()
    assert entry["Icon"] == SVG.stem  # found through the hicolor theme below
    assert entry["Terminal"] in {"true", "false"} and entry["StartupNotify"] in {"true", "false"}
    for list_key in ("Categories", "Keywords"):
        assert entry[list_key].endswith(";"), f"{list_key} must end with ';'"
    main_categories = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game"}
    main_categories |= {"Graphics", "Network", "Office", "Science", "Settings", "System"}
    main_categories |= {"Utility"}
    assert main_categories & set(entry["Categories"].split(";"))
    for key in entry:
        assert key.replace("-", "").isalnum(), f"bad key {key!r}"


# --- AppStream --------------------------------------------------------------------------
def test_appstream_metadata_is_valid() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == read_desktop()["Name"]
    summary = root.findtext("summary") or ""
    assert 0 < len(summary) <= 80 and not summary.endswith(".")
    assert root.findtext("metadata_license") == "CC0-1.0"
    license_text = pyproject()["project"]["license"]["text"]  # type: ignore[index]
    assert root.findtext("project_license") == license_text
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.find("description/p") is not None
    assert root.findtext("provides/binary") == script_name()
    assert root.findtext("icon") == SVG.stem
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == __version__
    assert root.find("content_rating") is not None


# --- icons ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", ICON_SIZES)
def test_committed_png_icon_matches_the_svg(size: int, tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    from PySide6.QtGui import QImage

    spec = importlib.util.spec_from_file_location("make_icons", PACKAGING / "make_icons.py")
    assert spec is not None and spec.loader is not None
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)

    committed = QImage(str(make_icons.png_path(size)))
    assert not committed.isNull(), f"packaging/icons missing {size}x{size}"
    assert (committed.width(), committed.height()) == (size, size)
    assert committed.hasAlphaChannel()
    (fresh_path,) = [p for p in make_icons.render(SVG, tmp_path, (size,)) if p.suffix == ".png"]
    fresh = QImage(str(fresh_path)).convertToFormat(QImage.Format.Format_ARGB32)
    committed = committed.convertToFormat(QImage.Format.Format_ARGB32)
    # Out of date when more than 2% of the pixels differ visibly from a fresh render.
    differing = sum(
        1
        for x in range(size)
        for y in range(size)
        if max(
            abs(a - b)
            for a, b in zip(
                committed.pixelColor(x, y).getRgb(), fresh.pixelColor(x, y).getRgb(), strict=True
            )
        )
        > 24
    )
    assert differing <= size * size * 0.02, "run packaging/make_icons.py"


def test_recipe_is_one_folder_and_pinned() -> None:
    spec = (PACKAGING / "tdm1-scheduler.spec").read_text(encoding="utf-8")
    assert "COLLECT(" in spec and "exclude_binaries=True" in spec  # one folder, not one file
    build = (PACKAGING / "build_bundle.py").read_text(encoding="utf-8")
    assert 'env["PYTHONHASHSEED"] = "0"' in build and "SOURCE_DATE_EPOCH" in build
    extras = pyproject()["project"]["optional-dependencies"]  # type: ignore[index]
    assert any(req.lower().startswith("pyinstaller") for req in extras["bundle"])  # type: ignore[index]


# --- the bundle itself ------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the executable, the folder of a second build, a clean env)."""
    tmp = tmp_path_factory.mktemp("bundle")
    env = clean_env(tmp)
    python = make_venv(tmp / "venv", env)
    # PyInstaller comes from the package index while the wheel builds (both mostly wait
    # on the index); then the wheel goes in, its requirements seeded (tests/venv_seed.py).
    pyinstaller = subprocess.Popen(
        [str(python), "-m", "pip", "install", "-q", "pyinstaller>=6.10"],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wheel = build_wheel(tmp, env)
    finally:
        _, errors = pyinstaller.communicate(timeout=600)
    if pyinstaller.returncode != 0:
        pytest.skip(f"pyinstaller cannot be installed from PyPI here: {errors[-500:]}")
    install_wheel(python, wheel, tmp, env)
    builder = str(PACKAGING / "build_bundle.py")
    # The two builds of the reproducibility check run side by side (PyInstaller keeps one
    # core busy; each has its own dist and work folders), which halves their wall time.
    builds = {
        name: subprocess.Popen(
            [str(python), builder, "--dist", str(tmp / name), "--work", str(tmp / f"work-{name}")],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("one", "two")
    }
    for name, build in builds.items():
        output, _ = build.communicate(timeout=900)
        assert build.returncode == 0, f"bundle build {name} failed: {output[-3000:]}"
    program = (
        tmp
        / "one"
        / "tdm1-scheduler"
        / ("tdm1-scheduler.exe" if os.name == "nt" else "tdm1-scheduler")
    )
    return program, tmp / "two", env


@pytest.mark.slow
def test_bundle_is_one_folder_and_reproducible(bundle: tuple[Path, Path, dict[str, str]]) -> None:
    program, second, _ = bundle
    assert program.is_file() and os.access(program, os.X_OK)
    folder = program.parent
    assert any(folder.rglob("*.ui")) and any(folder.rglob("style.qss"))  # resources inside
    first_sums = (folder.parent / "tdm1-scheduler.sha256").read_text()
    second_sums = (second / "tdm1-scheduler.sha256").read_text()
    assert first_sums.count("\n") > 50
    assert first_sums == second_sums, "two builds of the same tree differ"


@pytest.mark.slow
def test_bundle_runs_outside_the_tree(
    bundle: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    program, _, env = bundle
    assert (
        run([str(program), "--version"], tmp_path, env).strip() == f"tdm1-scheduler {__version__}"
    )
    checked = subprocess.run(
        [str(program), "--demo", "--self-check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "self-check:" not in checked.stdout
    # The headless face too: zones, SQLite and the schema travel with the bundle.
    db = tmp_path / "clinic.db"
    run([str(program), "--db", str(db), "init", "--timezone", "America/New_York"], tmp_path, env)
    assert "integrity: ok" in run([str(program), "--db", str(db), "check"], tmp_path, env)
    pdf = tmp_path / "day.pdf"  # Qt's PDF writer through the report's paint module
    run(
        [str(program), "--db", str(db), "day-sheet", "2027-01-12", "--pdf", str(pdf)], tmp_path, env
    )
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_bundle_carries_the_interop_packages(
    bundle: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    """holidays, fhir.resources and icalendar import their modules on demand; the bundle
    must carry them: close a year's holidays, import a Patient, export FHIR and a calendar."""
    import json

    from fhir.resources.R4B.bundle import Bundle
    from icalendar import Calendar

    program, _, env = bundle
    db = tmp_path / "clinic.db"

    def app(*argv: str) -> str:
        return run([str(program), "--db", str(db), "--now", "2027-01-04T08:00", *argv],
                   tmp_path, env)  # fmt: skip

    app("init", "--timezone", "America/New_York", "--chairs", "1")
    closed = app("closed", "add", "--holidays", "US", "--year", "2027")
    assert closed.startswith("closed ") and "public holiday(s)" in closed
    closed_dates = json.loads(app("settings", "show", "--json"))["closed_dates"]
    assert {"2027-07-05", "2027-09-06"} <= set(closed_dates)
    incoming = tmp_path / "in.json"
    incoming.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p",
                      "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "Z9"}],
                      "name": [{"family": "Dunn", "given": ["Cy"]}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                      "subject": {"reference": "Patient/p"},
                      "valueQuantity": {"value": 80, "code": "kg"}}},
    ]}))  # fmt: skip
    assert "1 patient(s) added" in app("import", "fhir", str(incoming))
    app("course", "start", "--mrn", "Z9", "--setting", "EBC", "--first-dose", "2027-01-05T09:00")
    out = tmp_path / "bundle.json"
    app("export", "fhir", "--from", "2027-01-01", "--to", "2027-12-31", "--out", str(out))
    exported = Bundle.model_validate_json(out.read_bytes())
    kinds = {entry.resource.get_resource_type() for entry in exported.entry or []}
    assert {"Patient", "Appointment", "Schedule"} <= kinds
    ics = tmp_path / "z9.ics"
    app("course", "ical", "--mrn", "Z9", "--out", str(ics))
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert events and all("KADCYLA" in str(event["SUMMARY"]) for event in events)
