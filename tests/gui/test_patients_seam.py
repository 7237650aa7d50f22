"""The patients room's reads use only the store protocol (issue 15): the course view,
the search, a patient's name, each booked dose's readiness, the gate and a booked
cycle's booking read the same through ``ProtocolOnly`` (no ``db``) as through the
SQLite store itself, on the demo clinic."""

from __future__ import annotations

from typing import cast

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.gui.patients.course_readiness import booked_row
from tdm1_scheduler.gui.patients.models import find_course_view, find_patients
from tdm1_scheduler.gui.readiness.view import (
    appointments_readiness,
    booked_readiness,
    gate_check,
)
from tdm1_scheduler.services import course_records, queries
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.protocol import Store
from tests.services.test_store_seam import ProtocolOnly


def test_the_patients_reads_run_on_any_store(ctx: Context) -> None:
    plain = ctx.store
    wrapped = ProtocolOnly(plain)
    only = cast(Store, wrapped)  # a Store by its methods, not a SqliteStore
    patients = find_patients(plain, "")
    assert patients and find_patients(only, "") == patients
    shown = 0
    for patient in patients[:12]:
        view = find_course_view(plain, patient.mrn)
        assert find_course_view(only, patient.mrn) == view
        assert queries.patient_name(only, patient.mrn) == patient.name
        if view is None:
            continue
        shown += 1
        assert course_json(view)["mrn"] == patient.mrn
        assert booked_readiness(only, view) == booked_readiness(plain, view)
        record = course_records.load_course(only, patient.mrn)
        assert record == course_records.load_course(plain, patient.mrn)
        ids = [a.id for a in record.current.values()]
        assert appointments_readiness(only, ids) == appointments_readiness(plain, ids)
        for cycle in view.booked()[:1]:
            number = cycle.cycle
            assert booked_row(only, patient.mrn, number) == booked_row(plain, patient.mrn, number)
            check = gate_check(only, mrn=patient.mrn, cycle=number, action="start infusion")
            assert check == gate_check(
                plain, mrn=patient.mrn, cycle=number, action="start infusion"
            )
    assert shown > 5
    assert wrapped.calls["search_patients"] and wrapped.calls["latest_course"]
