"""FHIR R4 export and patient import."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.interop.fhir_export import bundle_json
from tdm1_scheduler.interop.fhir_import import read_patients
from tdm1_scheduler.services import clinic, courses
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.exchange import clinic_extract, import_patients
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

from .conftest import ZONE_NAME, local

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def export(ctx: Context, first: date = MARCH[0], last: date = MARCH[1]) -> str:
    return bundle_json(clinic_extract(ctx.store, first, last))


def resources(text: str, kind: str | None = None) -> list[dict[str, Any]]:
    entries = json.loads(text)["entry"]
    return [e["resource"] for e in entries if kind is None or e["resource"]["resourceType"] == kind]


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def dump(ctx: Context) -> str:
    return "\n".join(sqlite_of(ctx.store).conn.iterdump())


def test_the_bundle_validates_with_the_model_package(ctx):
    data = json.loads(export(ctx))
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection" and bundle.timestamp is None
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert kinds == {"Location", "Schedule", "Patient", "Observation", "Slot", "Appointment"}
    for entry in data["entry"]:  # each resource on its own too
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert len(resources(export(ctx), "Schedule")) == 2  # one per chair


def test_appointments_carry_times_cycle_drug_and_participants(ctx):
    text = export(ctx)
    appointments = resources(text, "Appointment")
    by_cycle = {
        (a["participant"][0]["actor"]["display"], a["extension"][0]["valueInteger"]): a
        for a in appointments
    }
    first = by_cycle[("Ann Lee", 1)]
    assert first["start"] == "2026-03-02T09:00:00-05:00"
    assert first["end"] == "2026-03-02T12:15:00-05:00"
    assert first["minutesDuration"] == 195
    service = first["serviceType"][0]
    assert service["text"] == "ado-trastuzumab emtansine (KADCYLA) infusion"
    assert service["coding"] == [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1371046"}
    ]
    second = by_cycle[("Ann Lee", 2)]
    assert second["start"] == "2026-03-23T09:00:00-04:00"  # after DST: still 09:00
    patient = resources(text, "Patient")[0]
    assert patient["identifier"][0]["value"] == "A1"
    chair_refs = {r["actor"]["reference"] for r in first["participant"]}
    locations = {e["fullUrl"]: e["resource"] for e in json.loads(text)["entry"]}
    assert {locations[r]["resourceType"] for r in chair_refs} == {"Patient", "Location"}


def test_statuses_are_mapped(ctx):
    ctx.clock.current = local("2026-03-03T12:00")
    courses.mark_dose_missed(ctx, mrn="B2", cycle=1)  # 03-03 09:00 missed, re-booked
    courses.stop_course(ctx, mrn="B2", reason="patient choice")  # the re-booking cancelled
    statuses = {
        (a["participant"][0]["actor"]["display"], a["start"][:10], a["status"])
        for a in resources(export(ctx), "Appointment")
    }
    assert ("Ann Lee", "2026-03-02", "fulfilled") in statuses
    assert ("Ann Lee", "2026-03-23", "booked") in statuses
    assert ("Bea Cruz", "2026-03-03", "noshow") in statuses
    assert any(s[0] == "Bea Cruz" and s[2] == "cancelled" for s in statuses)
    # only chair-holding appointments have a busy Slot
    for appointment in resources(export(ctx), "Appointment"):
        assert ("slot" in appointment) == (appointment["status"] in ("booked", "fulfilled"))


def test_every_reference_resolves_inside_the_bundle(ctx):
    courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2026-03-04T14:00"), minutes=60, label="pump service"
    )
    data = json.loads(export(ctx))
    slots = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Slot"]
    assert [s["comment"] for s in slots if s["status"] == "busy-unavailable"] == ["pump service"]
    full_urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    refs = references(data)
    assert refs and set(refs) <= set(full_urls)
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"


def test_exporting_twice_gives_byte_identical_output(ctx):
    first = export(ctx)
    ctx.clock.current = local("2026-03-05T10:00")  # the clock plays no part
    assert export(ctx) == first


def test_only_visits_starting_in_the_range_and_their_patients(ctx):
    text = export(ctx, date(2026, 3, 2), date(2026, 3, 2))
    assert [a["start"][:10] for a in resources(text, "Appointment")] == ["2026-03-02"]
    assert [p["name"][0]["text"] for p in resources(text, "Patient")] == ["Ann Lee"]
    with pytest.raises(DomainError, match="to"):
        clinic_extract(ctx.store, date(2026, 3, 2), date(2026, 3, 1))


def fresh_clinic() -> Context:
    db = open_database(":memory:")
    other = Context(SqliteStore(db), FixedClock(local("2026-03-01T08:00")), "importer")
    clinic.init_clinic(other, timezone=ZONE_NAME, chairs=2, name="Riverside Infusion")
    return other


def test_import_then_export_round_trips_the_patients(ctx, tmp_path: Path):
    original = export(ctx)
    path = tmp_path / "bundle.json"
    path.write_text(original)
    other = fresh_clinic()
    result = import_patients(other, read_patients(path))
    assert (result.added, result.unchanged) == (("A1", "B2"), ())
    # book them there too, so the second export has visits naming them
    courses.book_course(other, mrn="A1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    courses.book_course(other, mrn="B2", setting="MBC", first_dose=local("2026-03-03T09:00"))
    again = export(other)
    for kind in ("Patient", "Observation"):
        assert resources(again, kind) == resources(original, kind)
    # importing the same file again adds nothing
    result = import_patients(other, read_patients(path))
    assert (result.added, result.unchanged) == ((), ("A1", "B2"))


def test_a_duplicate_mrn_with_another_name_is_refused_and_nothing_is_written(ctx, tmp_path):
    data = json.loads(export(ctx))
    for entry in data["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient" and resource["identifier"][0]["value"] == "B2":
            resource["name"] = [{"text": "Somebody Else"}]
    data["entry"].append(
        {"fullUrl": "urn:uuid:new", "resource": {
            "resourceType": "Patient", "id": "new",
            "identifier": [{"system": "urn:tdm1-scheduler:mrn", "value": "C3"}],
            "name": [{"family": "Dunn", "given": ["Cy"]}]}}
    )  # fmt: skip
    data["entry"].append(
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                      "subject": {"reference": "urn:uuid:new"},
                      "valueQuantity": {"value": 176, "code": "[lb_av]"}}}
    )  # fmt: skip
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data))
    before = dump(ctx)
    with pytest.raises(DomainError, match="B2") as refused:
        import_patients(ctx, read_patients(path))
    assert "Somebody Else" in str(refused.value)
    assert dump(ctx) == before  # C3, new and valid, was not added either


def test_a_new_patient_comes_with_the_weight_of_the_observation(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {
            "resourceType": "Patient", "id": "p",
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "Z9"}],
            "name": [{"use": "official", "family": "Dunn", "given": ["Cy"]}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                      "subject": {"reference": "Patient/p"},
                      "effectiveDateTime": "2026-02-20T10:00:00-05:00",
                      "valueQuantity": {"value": 176.37, "code": "[lb_av]"}}},
    ]}  # fmt: skip
    path = tmp_path / "one.json"
    path.write_text(json.dumps(bundle))
    [patient] = read_patients(path)
    assert (patient.mrn, patient.name) == ("Z9", "Cy Dunn")
    assert patient.weight_kg == pytest.approx(80.0, abs=0.01)
    assert patient.weight_measured_at == local("2026-02-20T10:00")


@pytest.mark.parametrize(
    ("resource", "named"),
    [
        ({"resourceType": "Patient", "id": "p1", "birthDate": "yesterday"}, "Patient/p1.birthDate"),
        ({"resourceType": "Patient", "id": "p2", "name": [{"text": "No Mrn"}]},
         "Patient/p2.identifier"),
        ({"resourceType": "Patient", "id": "p3",
          "identifier": [{"value": "X1"}]}, "Patient/p3.name"),
        ({"resourceType": "Nonsense"}, "entry[0] Nonsense.resourceType"),
        ({"resourceType": "Observation", "id": "o1", "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
          "subject": {"reference": "Patient/p"}, "valueQuantity": {"value": 3, "code": "st"}},
         "Observation/o1.valueQuantity.code"),
    ],
)  # fmt: skip
def test_a_bad_resource_is_refused_naming_resource_and_field(tmp_path, resource, named):
    entries = [{"resource": resource}]
    if resource["resourceType"] == "Observation":
        entries.insert(0, {"resource": {"resourceType": "Patient", "id": "p",
                                        "identifier": [{"value": "Q1"}],
                                        "name": [{"text": "Q"}]}})  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    with pytest.raises(DomainError) as refused:
        read_patients(path)
    assert refused.value.field == named, str(refused.value)


def test_a_new_patient_without_a_weight_is_refused(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient", "id": "p", "identifier": [{"value": "W1"}],
        "name": [{"text": "No Weight"}]}}]}  # fmt: skip
    path = tmp_path / "w.json"
    path.write_text(json.dumps(bundle))
    other = fresh_clinic()
    before = "\n".join(sqlite_of(other.store).conn.iterdump())
    with pytest.raises(DomainError, match="29463-7"):
        import_patients(other, read_patients(path))
    assert "\n".join(sqlite_of(other.store).conn.iterdump()) == before


def test_an_implausible_weight_is_refused_naming_its_observation(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "identifier": [{"value": "H1"}],
                      "name": [{"text": "Heavy Value"}]}},
        {"resource": {"resourceType": "Observation", "id": "w1", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                      "subject": {"reference": "Patient/p"},
                      "valueQuantity": {"value": 5000, "code": "kg"}}},
    ]}  # fmt: skip
    path = tmp_path / "heavy.json"
    path.write_text(json.dumps(bundle))
    other = fresh_clinic()
    before = "\n".join(sqlite_of(other.store).conn.iterdump())
    with pytest.raises(DomainError) as refused:
        import_patients(other, read_patients(path))
    assert refused.value.field == "Observation/w1.valueQuantity", str(refused.value)
    assert "\n".join(sqlite_of(other.store).conn.iterdump()) == before
    bundle["entry"][1]["resource"]["valueQuantity"]["value"] = 70  # type: ignore[index]
    path.write_text(json.dumps(bundle))
    assert import_patients(other, read_patients(path)).added == ("H1",)


@pytest.mark.parametrize("kind", ["bogus", None])
def test_a_bundle_of_no_fhir_type_is_refused(tmp_path, kind):
    bundle: dict[str, Any] = {"resourceType": "Bundle", "entry": []}
    if kind is not None:
        bundle["type"] = kind
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(DomainError) as refused:
        read_patients(path)
    assert refused.value.field == "Bundle.type"
    bundle["type"] = "collection"
    path.write_text(json.dumps(bundle))
    assert read_patients(path) == []
