"""Public holidays of a country (or one of its subdivisions) for a year, from the
``holidays`` package: the list ``closed add --holidays`` closes and Preferences offers.

Observed days are included (in the US, Independence Day 2027 falls on a Sunday and is
observed on Monday 2027-07-05). Two holidays on one date become one entry, names joined.
"""

from __future__ import annotations

from datetime import date

import holidays as holiday_data

from ..domain.errors import DomainError

FIELD = "--holidays"


def parse_region(text: str) -> tuple[str, str | None]:
    """``US`` -> ("US", None); ``us-ca`` -> ("US", "CA"); ``DE-BY`` -> ("DE", "BY")."""
    cleaned = text.strip()
    country, _, subdivision = cleaned.partition("-")
    if not country.isalpha() or len(country) not in (2, 3):
        raise DomainError(FIELD, f"expected COUNTRY or COUNTRY-SUBDIVISION like US or DE-BY, "
                                 f"got {text!r}")  # fmt: skip
    return country.upper(), (subdivision.upper() or None)


def public_holidays(country_sub: str, year: int) -> list[tuple[date, str]]:
    """Every public holiday of ``year`` in ``country_sub``, by date."""
    if not 1900 <= year <= 2200:
        raise DomainError("--year", f"must be 1900-2200, got {year}")
    country, subdivision = parse_region(country_sub)
    try:
        found = holiday_data.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as error:
        raise DomainError(FIELD, f"unknown country or subdivision {country_sub!r} ({error})"
                          ) from None  # fmt: skip
    days: dict[date, list[str]] = {}
    for day, name in sorted(found.items()):
        if day.year != year:
            continue
        for part in str(name).split("; "):
            if part not in days.setdefault(day, []):
                days[day].append(part)
    return [(day, "; ".join(names)) for day, names in sorted(days.items())]
