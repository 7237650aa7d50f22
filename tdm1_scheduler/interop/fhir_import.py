"""Patients from a FHIR R4 Bundle file: MRN, name, and body weight from an Observation
with LOINC 29463-7 where present. Every entry is validated with ``fhir.resources`` (R4B
models) first; a refusal names the entry, the resource and the field. Resources other
than Patient and Observation are validated and otherwise ignored, so a file this app
exported imports as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from ..domain.errors import DomainError
from ..services.exchange import IncomingPatient
from .fhir_export import BODY_WEIGHT_LOINC, LOINC, MRN_SYSTEM

MAX_FILE_BYTES = 64 * 1024 * 1024
MR_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
TO_KG = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237, "lbs": 0.45359237}
LIVE_OBSERVATION = {"final", "amended", "corrected", "preliminary", "registered"}

Resource = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    index: int
    full_url: str | None
    resource: Resource

    @property
    def name(self) -> str:
        """``Patient/p1`` (or ``entry[3] Patient`` without an id): for refusals."""
        kind = self.resource.get("resourceType", "?")
        rid = self.resource.get("id")
        return f"{kind}/{rid}" if rid else f"entry[{self.index}] {kind}"


BUNDLE_TYPES = frozenset(
    {"document", "message", "transaction", "transaction-response", "batch",
     "batch-response", "history", "searchset", "collection", "subscription-notification"}
)  # fmt: skip


def read_bundle(path: Path) -> list[Entry]:
    """The Bundle's entries, each resource validated; refusals name the field."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DomainError("file", f"{path} is larger than {MAX_FILE_BYTES >> 20} MB")
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise DomainError("file", f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DomainError("file", f"{path} is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise DomainError("Bundle.resourceType", f"{path} does not hold a FHIR Bundle")
    if data.get("type") not in BUNDLE_TYPES:
        raise DomainError("Bundle.type", f"{data.get('type')!r} is not a FHIR Bundle type")
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise DomainError("Bundle.entry", "must be a list")
    entries: list[Entry] = []
    for index, raw in enumerate(raw_entries):
        if not isinstance(raw, dict) or not isinstance(raw.get("resource"), dict):
            raise DomainError(f"Bundle.entry[{index}].resource", "missing or not an object")
        entry = Entry(index, raw.get("fullUrl"), raw["resource"])
        _validate(entry)
        entries.append(entry)
    return entries


def _validate(entry: Entry) -> None:
    kind = entry.resource.get("resourceType")
    if not isinstance(kind, str) or not kind:
        raise DomainError(f"Bundle.entry[{entry.index}].resource.resourceType", "missing")
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        raise DomainError(f"{entry.name}.resourceType", f"{kind!r} is not an R4 resource") from None
    try:
        model.model_validate(entry.resource)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "resource"
        raise DomainError(f"{entry.name}.{where}", str(first["msg"])) from None


def _mrn(entry: Entry) -> str:
    identifiers = [i for i in entry.resource.get("identifier", []) if i.get("value")]
    ours = [i for i in identifiers if i.get("system") == MRN_SYSTEM]
    marked = [
        i
        for i in identifiers
        if any(
            c.get("code") == "MR" and c.get("system") in (MR_SYSTEM, None)
            for c in i.get("type", {}).get("coding", [])
        )
    ]
    for candidates in (ours, marked):
        if candidates:
            return str(candidates[0]["value"])
    if len(identifiers) == 1:
        return str(identifiers[0]["value"])
    raise DomainError(
        f"{entry.name}.identifier",
        "no MRN (an identifier of type MR, or the only identifier)",
    )


def _name(entry: Entry) -> str:
    names = entry.resource.get("name", [])
    ranked = sorted(
        names, key=lambda n: {"official": 0, "usual": 1}.get(n.get("use", ""), 2)
    )
    for name in ranked:
        text = name.get("text") or " ".join(
            [*name.get("given", []), name.get("family", "")]
        )
        if text.strip():
            return " ".join(text.split())
    raise DomainError(f"{entry.name}.name", "the patient has no name")


def _is_weight(resource: Resource) -> bool:
    codings = resource.get("code", {}).get("coding", [])
    return any(c.get("system") == LOINC and c.get("code") == BODY_WEIGHT_LOINC for c in codings)


def _weight_kg(entry: Entry) -> float:
    quantity = entry.resource.get("valueQuantity")
    if not quantity or quantity.get("value") is None:
        raise DomainError(f"{entry.name}.valueQuantity", "a body weight needs a value")
    unit = quantity.get("code") or quantity.get("unit") or ""
    if unit not in TO_KG:
        raise DomainError(f"{entry.name}.valueQuantity.code", f"unknown weight unit {unit!r}")
    return float(quantity["value"]) * TO_KG[unit]


def _effective(resource: Resource) -> datetime | None:
    text = resource.get("effectiveDateTime") or resource.get("effectiveInstant")
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None  # a partial date: the import time stands in
    return value if value.tzinfo is not None else None


def patients_from_entries(entries: list[Entry]) -> list[IncomingPatient]:
    """One per Patient resource, in file order, with its latest body weight."""
    patients = [e for e in entries if e.resource["resourceType"] == "Patient"]
    keys: dict[str, int] = {}
    for position, entry in enumerate(patients):
        rid = entry.resource.get("id")
        if entry.full_url:
            keys[entry.full_url] = position
        if rid:
            keys[f"Patient/{rid}"] = position
    weights: dict[int, tuple[datetime | None, float, int]] = {}
    for entry in entries:
        resource = entry.resource
        if resource["resourceType"] != "Observation" or not _is_weight(resource):
            continue
        if resource.get("status") not in LIVE_OBSERVATION:
            continue
        reference = (resource.get("subject") or {}).get("reference")
        subject = keys.get(reference or "")
        if subject is None:
            continue  # a weight of someone not in the file
        candidate = (_effective(resource), _weight_kg(entry), entry.index)
        best = weights.get(subject)
        if best is None or _later(candidate, best):
            weights[subject] = candidate
    result = []
    for position, entry in enumerate(patients):
        weight = weights.get(position)
        result.append(
            IncomingPatient(
                source=entry.name,
                mrn=_mrn(entry),
                name=_name(entry),
                weight_kg=None if weight is None else round(weight[1], 3),
                weight_measured_at=None if weight is None else weight[0],
                weight_source=None if weight is None else entries[weight[2]].name,
            )
        )
    return result


def _later(
    candidate: tuple[datetime | None, float, int], best: tuple[datetime | None, float, int]
) -> bool:
    """A dated weight beats an undated one; a later date beats an earlier one."""
    if candidate[0] is None:
        return best[0] is None
    return best[0] is None or candidate[0] >= best[0]


def read_patients(path: Path) -> list[IncomingPatient]:
    return patients_from_entries(read_bundle(path))
