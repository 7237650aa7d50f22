"""Who may write, as the store asks it (issue 16, "who may do what").

A server store knows its session: the login role (``current_user``), the group roles it
is a member of, and whether it is the owner. Before a transaction writes anything it
calls ``check_write(session)``, which asks the policy the services installed
(``services.permissions``: which group may run which service). The store cannot import
the services (they sit above it), hence this small hook. With no policy installed every
write is allowed; SQLite (one file, one PC) never asks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.errors import DomainError
from ..domain.lean import dataclass


@dataclass(frozen=True)
class Session:
    """Who a server connection is: ``login`` (``current_user``), its ``groups`` (the
    group roles it is a member of) and ``owner`` (the schema's owner or a superuser)."""

    login: str
    groups: frozenset[str]
    owner: bool = False


class PermissionRefused(DomainError):
    """A write the session's roles may not run: a refusal like any other (exit 2), one
    line naming the person, their groups and the action: ``str()`` is that line alone
    ("nurse.kim (nurse) may not run appointment move"), which the CLI prints after its
    "refused: " and the GUI shows as it is."""

    def __init__(self, session: Session, action: str) -> None:
        groups = ", ".join(sorted(session.groups)) or "no group"
        super().__init__("role", f"{session.login} ({groups}) may not run {action}")
        self.session = session
        self.action = action

    def __str__(self) -> str:
        return self.rule


Policy = Callable[[Session], None]  # raises PermissionRefused, or returns
_policy: list[Policy] = []


def install(policy: Policy) -> None:
    """Make ``policy`` the one every server transaction asks (the last installed wins)."""
    _policy[:] = [policy]


def check_write(session: Session) -> None:
    """Refuse (PermissionRefused) a write ``session`` may not run; owners may run all."""
    if session.owner or not _policy:
        return
    _policy[0](session)
