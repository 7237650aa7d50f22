"""The pages of the main window, one explicit and typed list.

Each page module offers ``attach(session, window) -> page`` (the ``Attach`` protocol):
it adds its tab with ``window.add_page``, its actions to ``window.menu(name)``, and
listens to ``session.sig_changed`` / ``session.sig_day_changed``. The pages are built in
the order of ``PAGES`` and kept by key in ``window.features`` (a ``Features``), so a
page's action can reach another page built after it.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, TypeVar, cast

from .nurse import page as nurse_page
from .patients import panel as patients_panel
from .pharmacy import page as pharmacy_page
from .planner import page as planner_page
from .preferences import page as preferences_page
from .session import Session
from .shell import Shell

__all__ = ["PAGES", "Attach", "Features", "attach_pages"]

Page_co = TypeVar("Page_co", covariant=True)


class Attach(Protocol[Page_co]):
    """What a page module offers the main window: build the page in it."""

    def __call__(self, session: Session, window: Shell) -> Page_co: ...


class Features(TypedDict, total=False):
    """The pages built, by key (the keys the tests use)."""

    planner: planner_page.Planner
    patients_panel: patients_panel.PatientsFeature
    nurse_board: nurse_page.NurseBoardFeature
    pharmacy_view: pharmacy_page.PharmacyPage
    preferences: preferences_page.PreferencesFeature


PAGES: tuple[tuple[str, Attach[object]], ...] = (
    ("planner", planner_page.attach),
    ("patients_panel", patients_panel.attach),
    ("nurse_board", nurse_page.attach),
    ("pharmacy_view", pharmacy_page.attach),
    ("preferences", preferences_page.attach),
)
"""Every page, in the order it is built (the planner is the first tab)."""


def attach_pages(session: Session, window: Shell) -> Features:
    """Build every page of ``PAGES`` in ``window``; ``window.features`` holds them."""
    built: dict[str, object] = {}
    window.features = built  # filled as they are built: later pages are found by key
    for key, attach in PAGES:
        built[key] = attach(session, window)
    return cast(Features, built)
