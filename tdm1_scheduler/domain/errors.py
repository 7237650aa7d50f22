"""The one error type the domain raises: it names the field and the rule broken."""

from __future__ import annotations


class DomainError(ValueError):
    """An input the rules refuse. ``str(err)`` is one line: ``field: rule``."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def require_aware(field: str, value: object) -> None:
    """Refuse naive datetimes: every instant the domain sees carries its offset."""
    from datetime import datetime

    if not isinstance(value, datetime):
        raise DomainError(field, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(field, "a time zone-aware datetime is required (got a naive one)")
