"""What a service call may refuse with, and the words a person is shown for it.

Every page and dialog that calls a service catches ``SERVICE_ERRORS`` and shows
``refusal_text(error)``; it lives below the rooms so that each can use it without
importing another room.
"""

from __future__ import annotations

from ..domain.errors import DomainError
from ..services.errors import ConflictError, StoreError

SERVICE_ERRORS = (DomainError, ConflictError, StoreError)


def refusal_text(error: Exception) -> str:
    """The rule a refusal names (``DomainError.rule``, ``ConflictError.rule``), else the
    error's own words."""
    return str(getattr(error, "rule", None) or error)
