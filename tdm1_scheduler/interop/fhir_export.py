"""A date range of bookings as a FHIR R4 Bundle (type ``collection``), built and
validated with ``fhir.resources`` (its R4B models: R4 with the 4.3 fixes).

The Bundle holds the clinic and each chair as a ``Location``, a ``Schedule`` per chair,
a ``Patient`` (MRN as identifier) and a body-weight ``Observation`` per patient with a
visit, a ``Slot`` per chair-holding booking, and an ``Appointment`` per visit. Every
reference is a ``urn:uuid:`` naming an entry's ``fullUrl`` in the same Bundle. Ids are
UUIDs derived from the database rows, and there is no ``Bundle.timestamp``, so the same
data always gives byte-identical JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle

from ..domain.regimen import DRUG_NAME
from ..services.exchange import BlockedTime, ClinicExtract, PatientInfo, Visit
from ..text import cycle_label

ID_NAMESPACE = uuid.UUID("0f6b7c1e-5d0a-5a3b-8f4e-2c9d1e7a4b60")
MRN_SYSTEM = "urn:tdm1-scheduler:mrn"
CYCLE_EXTENSION = "https://tdm1-scheduler.example.org/fhir/StructureDefinition/treatment-cycle"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
KADCYLA_RXCUI = "1371046"  # as in the HL7 mCODE and AE Research IG examples
LOINC = "http://loinc.org"
BODY_WEIGHT_LOINC = "29463-7"
UCUM = "http://unitsofmeasure.org"
SERVICE_TEXT = f"{DRUG_NAME} infusion"
APPOINTMENT_STATUS = {
    "booked": "booked",
    "given": "fulfilled",
    "missed": "noshow",
    "cancelled": "cancelled",
}


def entry_id(kind: str, key: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}/{key}"))


def ref(kind: str, key: object) -> dict[str, str]:
    return {"reference": f"urn:uuid:{entry_id(kind, key)}"}


def service_type() -> dict[str, Any]:
    return {
        "coding": [{"system": RXNORM, "code": KADCYLA_RXCUI}],
        "text": SERVICE_TEXT,
    }


def _iso(instant: datetime) -> str:
    return instant.replace(microsecond=0).isoformat()


def _entry(kind: str, key: object, resource: dict[str, Any]) -> dict[str, Any]:
    rid = entry_id(kind, key)
    return {"fullUrl": f"urn:uuid:{rid}", "resource": {**resource, "id": rid}}


def _locations(extract: ClinicExtract) -> list[dict[str, Any]]:
    entries = [
        _entry(
            "location",
            "clinic",
            {"resourceType": "Location", "status": "active", "name": extract.clinic_name,
             "mode": "instance"},
        )
    ]
    for chair in extract.chairs:
        entries.append(
            _entry(
                "chair",
                chair.id,
                {
                    "resourceType": "Location",
                    "status": "active",
                    "name": chair.name,
                    "mode": "instance",
                    "physicalType": {"text": "Infusion chair"},
                    "partOf": ref("location", "clinic"),
                },
            )
        )
    return entries


def _schedules(extract: ClinicExtract, horizon: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        _entry(
            "schedule",
            chair.id,
            {
                "resourceType": "Schedule",
                "active": True,
                "serviceType": [service_type()],
                "actor": [{**ref("chair", chair.id), "display": chair.name}],
                "planningHorizon": {"start": horizon[0], "end": horizon[1]},
            },
        )
        for chair in extract.chairs
    ]


def _patient(patient: PatientInfo) -> list[dict[str, Any]]:
    mr = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}
    return [
        _entry(
            "patient",
            patient.mrn.casefold(),
            {
                "resourceType": "Patient",
                "identifier": [{"use": "usual", "type": mr, "system": MRN_SYSTEM,
                                "value": patient.mrn}],
                "active": True,
                "name": [{"text": patient.name}],
            },
        ),
        _entry(
            "weight",
            patient.mrn.casefold(),
            {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/"
                                "observation-category",
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [{"system": LOINC, "code": BODY_WEIGHT_LOINC,
                                "display": "Body weight"}],
                    "text": "Body weight",
                },
                "subject": ref("patient", patient.mrn.casefold()),
                "effectiveDateTime": _iso(patient.weight_measured_at),
                "valueQuantity": {
                    "value": patient.weight_kg,
                    "unit": "kg",
                    "system": UCUM,
                    "code": "kg",
                },
            },
        ),
    ]


def _slot(key: int, chair_id: int, start: datetime, end: datetime, status: str,
          comment: str) -> dict[str, Any]:
    slot: dict[str, Any] = {
        "resourceType": "Slot",
        "schedule": ref("schedule", chair_id),
        "status": status,
        "start": _iso(start),
        "end": _iso(end),
    }
    if comment:
        slot["comment"] = comment
    return _entry("slot", key, slot)


def _cycle_text(visit: Visit) -> str:
    return cycle_label(visit.cycle, visit.cycles_total, of=" of ")


def _appointment(visit: Visit) -> dict[str, Any]:
    status = APPOINTMENT_STATUS[visit.status]
    appointment: dict[str, Any] = {
        "resourceType": "Appointment",
        "extension": [{"url": CYCLE_EXTENSION, "valueInteger": visit.cycle}],
        "identifier": [{"system": "urn:tdm1-scheduler:appointment",
                        "value": str(visit.appointment_id)}],
        "status": status,
        "serviceType": [service_type()],
        "description": f"{SERVICE_TEXT}, {_cycle_text(visit)} ({visit.setting})",
        "start": _iso(visit.start),
        "end": _iso(visit.end),
        "minutesDuration": visit.minutes,
        "participant": [
            {**_actor("patient", visit.mrn.casefold(), visit.patient_name),
             "required": "required", "status": "accepted"},
            {**_actor("chair", visit.chair_id, visit.chair),
             "required": "required", "status": "accepted"},
        ],
    }
    if visit.status in ("booked", "given"):
        appointment["slot"] = [ref("slot", visit.appointment_id)]
    return _entry("appointment", visit.appointment_id, appointment)


def _actor(kind: str, key: object, display: str) -> dict[str, Any]:
    return {"actor": {**ref(kind, key), "display": display}}


def build_bundle(extract: ClinicExtract) -> Bundle:
    """The validated Bundle (``fhir.resources`` raises on anything invalid)."""
    horizon = _horizon(extract)
    entries: list[dict[str, Any]] = [*_locations(extract), *_schedules(extract, horizon)]
    for patient in extract.patients:
        entries.extend(_patient(patient))
    entries.extend(_slots(extract.visits, extract.blocked))
    entries.extend(_appointment(v) for v in extract.visits)
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection",
                                  "entry": entries})


def _slots(visits: Sequence[Visit], blocked: Sequence[BlockedTime]) -> list[dict[str, Any]]:
    items = [
        (v.start, v.appointment_id, _slot(v.appointment_id, v.chair_id, v.start, v.end, "busy", ""))
        for v in visits
        if v.status in ("booked", "given")
    ]
    items += [
        (b.start, b.appointment_id,
         _slot(b.appointment_id, b.chair_id, b.start, b.end, "busy-unavailable", b.label))
        for b in blocked
    ]
    return [slot for _start, _id, slot in sorted(items, key=lambda item: item[:2])]


def _horizon(extract: ClinicExtract) -> tuple[str, str]:
    """Local midnight of ``first`` to local midnight after ``last``."""
    zone = ZoneInfo(extract.timezone)
    start = datetime.combine(extract.first, time(0), zone)
    end = datetime.combine(extract.last + timedelta(days=1), time(0), zone)
    return _iso(start), _iso(end)


def bundle_json(extract: ClinicExtract) -> str:
    """The export as text: the same data gives the same bytes."""
    return build_bundle(extract).model_dump_json(indent=2, exclude_none=True) + "\n"
