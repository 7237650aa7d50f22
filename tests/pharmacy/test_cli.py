"""``tdm1-scheduler prep ...`` through cli.main: JSON contract, text, exit codes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.cli.main import main
from tdm1_scheduler.domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from tdm1_scheduler.services.clinic_store import open_clinic_store
from tdm1_scheduler.store.database import open_database
from tests.cli.targets import ServerDatabases, Target, on_backend, rows

from .support import NY, make_clinic

CONTRACT_KEYS = {
    "dose_mg",
    "dose_level_mg_per_kg",
    "weight_kg",
    "vials",
    "withdraw_ml",
    "reconstituted_at",
    "vial_expires_at",
    "diluted_at",
    "bag_expires_at",
    "infuse_by",
    "status",
    "recalculate",
}


@pytest.fixture
def db_path(tmp_path: Path, backend: str, server_dbs: ServerDatabases) -> Target:
    """A clinic file with patient 100234 (64.5 kg), cycle 1 on Mon 2026-06-15 09:00 (on
    the server, a copy of it: ``migrate --to``)."""
    path = tmp_path / "clinic.db"
    db = open_database(path, create=True)
    try:
        place = make_clinic(db)
        place.patient("100234", 64.5, datetime(2026, 6, 15, 9, 0, tzinfo=NY))
    finally:
        db.close()
    return on_backend(path, backend, server_dbs)


def run(db_path: Target, *args: str, now: str = "2026-06-15T07:00") -> int:
    return main(["--db", str(db_path), "--now", now, *args])


def show(db_path: Target, capsys: pytest.CaptureFixture[str], now: str) -> dict[str, Any]:
    capsys.readouterr()
    assert run(db_path, "prep", "show", "--mrn", "100234", "--cycle", "1", "--json", now=now) == 0
    view: dict[str, Any] = json.loads(capsys.readouterr().out)
    return view


def test_prep_show_json_before_preparation(
    db_path: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    view = show(db_path, capsys, "2026-06-15T07:00")
    assert set(view) >= CONTRACT_KEYS
    # 3.6 x 64.5 = 232.2 mg: 1 x 160 + 1 x 100 mg; 232.2 / 20 = 11.61 -> 11.6 mL.
    assert view["dose_mg"] == 232.2
    assert view["dose_level_mg_per_kg"] == 3.6
    assert view["weight_kg"] == 64.5
    assert view["vials"] == [{"mg": 160, "count": 1}, {"mg": 100, "count": 1}]
    assert view["withdraw_ml"] == 11.6
    for key in ("reconstituted_at", "vial_expires_at", "diluted_at", "bag_expires_at"):
        assert view[key] is None
    assert view["infuse_by"] is None
    assert view["status"] == "not_prepared"
    assert view["recalculate"] is False
    assert view["drug"] == DRUG_NAME


def test_prep_reconstitute_dilute_show_every_contract_key(
    db_path: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(
        db_path, "prep", "reconstitute", "--mrn", "100234", "--cycle", "1",
        "--at", "2026-06-15T07:30", "--lot", "KAD123", "--lot", "KAD124",
    ) == 0  # fmt: skip
    assert (
        run(
            db_path, "prep", "dilute", "--mrn", "100234", "--cycle", "1", "--at", "2026-06-15T08:10"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert DRUG_NAME in out
    view = show(db_path, capsys, "2026-06-15T08:30")
    assert view["reconstituted_at"] == "2026-06-15T07:30:00-04:00"
    assert view["vial_expires_at"] == "2026-06-16T07:30:00-04:00"
    assert view["diluted_at"] == "2026-06-15T08:10:00-04:00"
    assert view["bag_expires_at"] == "2026-06-16T08:10:00-04:00"
    assert view["infuse_by"] == "2026-06-16T08:10:00-04:00"
    assert view["status"] == "diluted"
    assert view["vial_lots"] == ["KAD123", "KAD124"]
    assert view["diluent_used"] == "250 mL 0.9% Sodium Chloride"
    # The status is read at --now: the next day after 08:10 the bag has expired.
    assert show(db_path, capsys, "2026-06-16T08:11")["status"] == "bag_expired"


def test_prep_show_text_starts_with_the_drug_name(
    db_path: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_path, "prep", "show", "--mrn", "100234", "--cycle", "1") == 0
    out = capsys.readouterr().out
    assert out.startswith(DRUG_NAME)
    assert DRUG_NAME_REMINDER in out.splitlines()[0]
    assert "232.2 mg" in out


def test_recalculate_flag_in_json(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.services import patients
    from tdm1_scheduler.services.context import Context

    store = open_clinic_store(db_path)
    try:
        now = datetime(2026, 6, 15, 7, 0, tzinfo=NY)
        patients.record_weight(
            Context(store, FixedClock(now), "test"), mrn="100234", weight_kg=71.0
        )
    finally:
        store.close()
    view = show(db_path, capsys, "2026-06-15T07:00")
    assert view["recalculate"] is True  # 64.5 -> 71 kg: +10.1%
    assert view["recalculate_reason"]
    assert view["dose_mg"] == 232.2  # the dose row's weight until recalculated


def _refused(capsys: pytest.CaptureFixture[str], field: str) -> None:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert field in err


def test_refusals_exit_2_with_one_line(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    dilute = ["prep", "dilute", "--mrn", "100234", "--cycle", "1", "--at", "2026-06-15T08:00"]
    assert run(db_path, *dilute) == 2  # not reconstituted
    _refused(capsys, "cycle")
    recon = ["prep", "reconstitute", "--mrn", "100234", "--cycle", "1", "--at", "2026-06-14T07:00"]
    assert run(db_path, *recon, "--lot", "A,B") == 0
    assert "readiness: cycle 1 is missing" in capsys.readouterr().err  # warn (issue 17)
    assert run(db_path, *recon) == 2  # twice
    _refused(capsys, "cycle")
    assert run(db_path, *dilute, "--diluent", "5% Dextrose") == 2
    _refused(capsys, "diluent")
    late = ["prep", "dilute", "--mrn", "100234", "--cycle", "1", "--at", "2026-06-15T07:01"]
    assert run(db_path, *late) == 2  # the vial's 24 h ended 07:00
    _refused(capsys, "diluted_at")
    assert run(db_path, "prep", "show", "--mrn", "NOPE", "--cycle", "1") == 2
    _refused(capsys, "mrn")


def test_queue_and_discard(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    recon = ["prep", "reconstitute", "--mrn", "100234", "--cycle", "1", "--at", "2026-06-14T06:00"]
    assert run(db_path, *recon) == 0
    capsys.readouterr()
    assert run(db_path, "prep", "queue", "--json") == 0
    queue = json.loads(capsys.readouterr().out)
    assert [(q["mrn"], q["status"], q["action"]) for q in queue] == [
        ("100234", "vial_expired", "discard")
    ]
    assert run(db_path, "prep", "queue") == 0
    assert capsys.readouterr().out.startswith(DRUG_NAME)
    discard = ["prep", "discard", "--mrn", "100234", "--cycle", "1", "--reason", "expired"]
    assert run(db_path, *discard) == 0
    assert "260 mg" in capsys.readouterr().out
    assert run(db_path, *discard) == 2  # nothing left to discard
    _refused(capsys, "cycle")
    (row,) = rows(db_path, "SELECT wasted_mg, discard_reason FROM preparations")
    assert row == (260.0, "expired")
