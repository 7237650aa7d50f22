"""The day sheet makes readiness verdicts only where they can mark a row (issue 19): none
under ``off``, and under ``warn`` none for a patient with no lab or LVEF result at all.
The marks, and the whole JSON, are those of every verdict made."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json
from tdm1_scheduler.reports.sheet_marks import readiness_marks
from tdm1_scheduler.services import readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, build_day, local


def every_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """``build_day_sheet`` as before: every booked dose's verdict, whatever the gate."""
    made = readiness.readiness_for_appointments

    def all_of_them(store, ids, **_ignored):  # type: ignore[no-untyped-def]
        return made(store, ids)

    monkeypatch.setattr(readiness, "readiness_for_appointments", all_of_them)


@pytest.mark.parametrize("gate", ["warn", "enforce", "off"])
def test_the_sheet_is_the_same_with_every_verdict(
    tmp_path: Path, gate: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = build_day(tmp_path / "ready.db")
    store = SqliteStore(db)
    ctx = Context(store, FixedClock(local("2027-01-11T08:00")), "test")
    readiness.set_readiness_settings(ctx, {"readiness_gate": gate})
    at = local("2027-01-11T08:00")
    for test, value, uln in [("platelets", 40000, None), ("ast", 20, 40)]:
        readiness.add_lab(ctx, mrn="C3", test=test, value=value, uln=uln, at=at)
    readiness.add_lvef(ctx, mrn="D4", percent=45, modality="echo", at=at)  # an LVEF only
    clock = FixedClock(local("2027-01-12T08:00"))
    sheet = build_day_sheet(store, DAY, clock)
    booked = [a.appointment_id for a in sheet.doses if a.status == "booked" and a.appointment_id]
    all_verdicts = readiness.readiness_for_appointments(store, booked)
    some = readiness.readiness_for_appointments(store, booked, with_results_only=True)
    assert len(some) == 2 < len(all_verdicts)  # C3 and D4 of the day's booked doses
    assert {k: all_verdicts[k] for k in some} == some
    skipped = [all_verdicts[k] for k in all_verdicts.keys() - some.keys()]
    assert all(any(r.rule == "no-results" for r in v.reasons) for v in skipped)
    if gate == "warn":
        assert readiness_marks(some, gate) == readiness_marks(all_verdicts, gate)
    with monkeypatch.context() as patch:
        every_verdict(patch)
        before = sheet_to_json(build_day_sheet(store, DAY, clock))
    assert sheet_to_json(sheet) == before
    codes = {a["mrn"]: {m["code"] for m in a["marks"]} for c in before["chairs"]
             for a in c["appointments"]}  # fmt: skip
    assert ("verdict" in codes["C3"]) is (gate != "off")
    db.close()
