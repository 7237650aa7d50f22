"""The Pharmacy page as the main window has it at start (``gui/pages.py``): its tab and
its Tools > Pharmacy menu; the page itself (its module, the services it calls, its
tables) when the tab is first shown or ``page`` is first asked for (issue 19: a page
hidden at start costs the start nothing).

The menu's actions (``actions.py``) are made here, the same ones the page's buttons then
hold: before the page is built, triggering one builds it and runs its handler, as if it
had been there. A pharmacy change announced before then leaves its note for the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from ...services.context import ChangeSet
from ...services.live import read_all
from ..session import Session
from ..shell import Shell
from ..widgets import swap_in_tab
from .actions import ACCESSIBLE_NAME, NAME, TITLE, PharmacyActions

if TYPE_CHECKING:
    from .page import PharmacyPage


class PharmacyFeature(QObject):
    """The Pharmacy tab (a placeholder until the page is built in its place) and menu."""

    BUILT_ON_ACCESS = True  # ``window.features["pharmacy_view"]`` is ``page`` (pages.py)

    def __init__(self, session: Session, window: Shell) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self._page: PharmacyPage | None = None
        self._note: str | None = None  # the last pharmacy change's note, before the page
        self.placeholder = QWidget()
        window.add_page(self.placeholder, TITLE, NAME)
        self.placeholder.setAccessibleName(ACCESSIBLE_NAME)
        self.actions = PharmacyActions(window, self)
        self.actions.reconstitute.triggered.connect(lambda: self.page.open_reconstitute())
        self.actions.dilute.triggered.connect(lambda: self.page.open_dilute())
        self.actions.discard.triggered.connect(lambda: self.page.open_discard())
        self.actions.discard_expired.triggered.connect(lambda: self.page.discard_all_expired())
        session.sig_changed.connect(self._changed_before_built)
        window.pages.currentChanged.connect(self._tab_shown)

    @property
    def built(self) -> bool:
        return self._page is not None

    @property
    def page(self) -> PharmacyPage:
        """The page, built in the placeholder's tab (now, if it never was)."""
        if self._page is None:
            from .page import PharmacyPage  # with the pharmacy services: only now

            self.session.sig_changed.disconnect(self._changed_before_built)
            pages = self.window.pages
            index = pages.indexOf(self.placeholder)
            was_current = pages.currentIndex() == index
            page = PharmacyPage(self.session, self.window, actions=self.actions)
            self._page = page
            if self._note is not None:
                page.notes_label.setText(self._note)
            swap_in_tab(
                pages,
                self.placeholder,
                page,
                index=index,
                was_current=was_current,
                name=NAME,
                accessible=ACCESSIBLE_NAME,
                title=TITLE,
            )
        return self._page

    @Slot(int)
    def _tab_shown(self, index: int) -> None:
        if self._page is None and self.window.pages.widget(index) is self.placeholder:
            self.page  # noqa: B018 - builds it in the tab just shown

    @Slot(object)
    def _changed_before_built(self, changes: object) -> None:
        """What the page's notes line would have said had it been built (the page reads
        everything else when built)."""
        if isinstance(changes, ChangeSet) and changes.preparations and not read_all(changes):
            self._note = "\n".join([changes.action, *changes.notes])


def attach(session: Session, window: Shell) -> PharmacyFeature:
    """Add the Pharmacy tab and its Tools > Pharmacy menu to the main window."""
    return PharmacyFeature(session, window)
