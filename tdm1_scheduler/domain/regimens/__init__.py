"""The regimens the app knows, by code. T-DM1 is the one shipped.

A course records its regimen's code (``courses.regimen_code``); ``regimen_for`` turns
the code back into the facts. The domain's module constants (``regimen.CYCLE_LENGTH_DAYS``
and the like) are reads of ``TDM1``, kept for their callers.
"""

from __future__ import annotations

from types import MappingProxyType

from ..errors import DomainError
from .base import CourseLength as CourseLength, Regimen as Regimen, Vial as Vial
from .tdm1 import TDM1 as TDM1

DEFAULT_REGIMEN = TDM1
REGIMENS = MappingProxyType({regimen.code: regimen for regimen in (TDM1,)})


def regimen_for(code: str) -> Regimen:
    """The regimen a course's ``regimen_code`` names; refuses a code this app lacks."""
    found = REGIMENS.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        known = ", ".join(sorted(REGIMENS))
        raise DomainError("regimen_code", f"unknown regimen {code!r}; known: {known}")
    return found
