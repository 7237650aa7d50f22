"""The day sheet's instants, each converted once (issue 19).

A day's rows repeat the same few hundred UTC instants (the snap grid), and both their
conversion to the clinic's zone and the ``isoformat`` of a clinic-zone instant ask the
zone (dateutil's ``_find_ttinfo`` in Python, the sheet's costliest step before these;
zoneinfo's C since).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ..services.context import ClinicSettings


def local_once(settings: ClinicSettings) -> Callable[[datetime], datetime]:
    """``calendar.local``, each UTC instant converted once. Only UTC instants are kept (a
    clinic-zone one is converted as is)."""
    convert = settings.calendar.local
    done: dict[datetime, datetime] = {}

    def local(instant: datetime) -> datetime:
        if instant.tzinfo is not UTC:
            return convert(instant)
        found = done.get(instant)
        if found is None:
            found = done[instant] = convert(instant)
        return found

    return local


def iso_once() -> Callable[[datetime | None], str | None]:
    """``value.isoformat()`` (None: None), each datetime object's text made once: a day's
    rows share a few dozen instant objects (``local_once``; 47 for 4,400 instants on a
    busy day). Keyed by the object, which the memo holds, so no id is reused while it
    lives; one memo serves one sheet (``sheet_to_json``)."""
    done: dict[int, tuple[datetime, str]] = {}

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        found = done.get(id(value))
        if found is None:
            found = done[id(value)] = (value, value.isoformat())
        return found[1]

    return iso
