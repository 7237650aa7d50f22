"""The pages of the main window, one explicit and typed list.

Each page module offers ``attach(session, window) -> page`` (the ``Attach`` protocol):
it adds its tab with ``window.add_page``, its actions to ``window.menu(name)``, and
listens to ``session.sig_changed`` / ``session.sig_day_changed``. The pages are built in
the order of ``PAGES`` and kept by key in ``window.features`` (a ``Features``), so a
page's action can reach another page built after it.

A page hidden at start may attach as a ``BuiltOnAccess``: its tab and menus only, the
page itself when first shown or first asked for; ``window.features[key]`` is then that
page, built on access (issue 19: the start imports and builds only what it paints).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar, Protocol, TypedDict, TypeVar, cast

from .nurse import page as nurse_page
from .patients import panel as patients_panel
from .pharmacy import tab as pharmacy_tab
from .planner import page as planner_page
from .preferences import page as preferences_page
from .session import Session
from .shell import Shell

if TYPE_CHECKING:
    from .pharmacy.page import PharmacyPage

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
    pharmacy_view: PharmacyPage
    preferences: preferences_page.PreferencesFeature


PAGES: tuple[tuple[str, Attach[object]], ...] = (
    ("planner", planner_page.attach),
    ("patients_panel", patients_panel.attach),
    ("nurse_board", nurse_page.attach),
    ("pharmacy_view", pharmacy_tab.attach),
    ("preferences", preferences_page.attach),
)
"""Every page, in the order it is built (the planner is the first tab)."""


class BuiltOnAccess(Protocol):
    """A page attached without being built: ``page`` builds it (once) in its tab. Such
    a class says so with ``BUILT_ON_ACCESS = True`` (checked on the class, so looking
    never builds the page)."""

    BUILT_ON_ACCESS: ClassVar[bool]

    @property
    def built(self) -> bool: ...

    @property
    def page(self) -> object: ...


class PageMap(Mapping[str, object]):
    """``window.features``: the pages by key; a ``BuiltOnAccess`` is built when read."""

    def __init__(self) -> None:
        self.attached: dict[str, object] = {}

    def __getitem__(self, key: str) -> object:
        value = self.attached[key]
        if getattr(type(value), "BUILT_ON_ACCESS", False):
            return cast(BuiltOnAccess, value).page
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.attached)

    def __len__(self) -> int:
        return len(self.attached)


def attach_pages(session: Session, window: Shell) -> Features:
    """Attach every page of ``PAGES`` in ``window``; ``window.features`` holds them."""
    built = PageMap()
    window.features = built  # filled as they are attached: later pages are found by key
    for key, attach in PAGES:
        built.attached[key] = attach(session, window)
    return cast(Features, built)
