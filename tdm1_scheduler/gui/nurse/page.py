"""The nurse board as a page of the main window (``gui/pages.py``): its tab and View >
Open nurse board in a window from the start; the board itself (its module, its tiles
and their data) when the tab is first shown or ``board`` is first asked for (issue 19:
a page hidden at start costs the start nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ..session import Session
from ..shell import Shell
from ..widgets import swap_in_tab

if TYPE_CHECKING:
    from .board import NurseBoard, NurseBoardWindow

TITLE, NAME = "Nurse board", "nurseBoardPage"


class NurseBoardFeature(QObject):
    """What ``attach`` adds to the main window: the page, the View action, the wiring."""

    def __init__(self, session: Session, window: Shell) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self._board: NurseBoard | None = None
        self.placeholder = QWidget()  # the tab until the board is built in its place
        window.add_page(self.placeholder, TITLE, NAME)
        self.detached: NurseBoardWindow | None = None
        self.open_action = QAction("Open nurse board in a &window", window)
        self.open_action.setObjectName("openNurseBoardWindowAction")
        self.open_action.setToolTip("Show the nurse board in its own window (a second monitor)")
        self.open_action.triggered.connect(self.open_window)
        window.menu("view").addAction(self.open_action)
        window.pages.currentChanged.connect(self._tab_shown)
        window.installEventFilter(self)

    @property
    def built(self) -> bool:
        return self._board is not None

    @property
    def board(self) -> NurseBoard:
        """The board page, built in the placeholder's tab (now, if it never was)."""
        if self._board is None:
            from .board import NurseBoard  # with the nurse services: only now

            pages = self.window.pages
            index = pages.indexOf(self.placeholder)
            was_current = pages.currentIndex() == index
            board = NurseBoard(self.session.ctx, self.window)
            self._board = board
            swap_in_tab(
                pages,
                self.placeholder,
                board,
                index=index,
                was_current=was_current,
                name=NAME,
                accessible=TITLE,
                title=TITLE,
            )
            self.connect_board(board)
        return self._board

    @Slot(int)
    def _tab_shown(self, index: int) -> None:
        if self._board is None and self.window.pages.widget(index) is self.placeholder:
            self.board  # noqa: B018 - builds it in the tab just shown

    def connect_board(self, board: NurseBoard) -> None:
        board.sig_changed.connect(self.session.apply_changes)
        self.session.sig_changed.connect(board.reload)

    @Slot()
    def open_window(self) -> NurseBoardWindow:
        if self.detached is None:
            from .board import NurseBoardWindow

            self.detached = NurseBoardWindow(self.session.ctx, self.window)
            self.connect_board(self.detached.board)
            self.detached.destroyed.connect(self._window_gone)
            self.detached.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.detached.show()
        self.detached.raise_()
        self.detached.activateWindow()
        return self.detached

    @Slot()
    def _window_gone(self) -> None:
        self.detached = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # During interpreter shutdown Qt may call in after Python dropped our attributes.
        window = getattr(self, "window", None)
        if window is not None and watched is window and event.type() == QEvent.Type.Close:
            board = getattr(self, "_board", None)
            if board is not None:
                board.stop()
            if self.detached is not None:
                self.detached.close()
        return False


def attach(session: Session, window: Shell) -> NurseBoardFeature:
    """Add the nurse board page and View > Open nurse board in a window."""
    return NurseBoardFeature(session, window)
