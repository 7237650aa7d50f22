"""Tools > Preferences... in the main window (``gui/pages.py``): the action from the
start, the dialog (and its module: the settings form, the holiday picker) when it opens
(issue 19: nothing of it is imported at start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence

from ..session import Session
from ..shell import Shell

if TYPE_CHECKING:
    from .dialog import PreferencesDialog


class PreferencesFeature:
    """The Tools > Preferences... action and the dialog it opens."""

    def __init__(self, session: Session, window: Shell) -> None:
        self.session = session
        self.window = window
        self.dialog: PreferencesDialog | None = None
        action = QAction("&Preferences...", window)
        action.setObjectName("preferencesAction")
        action.setMenuRole(QAction.MenuRole.PreferencesRole)
        action.setShortcuts([QKeySequence("Ctrl+,")])
        action.setToolTip("Clinic settings: chair preparation, early window, start capacity...")
        action.triggered.connect(self.open_dialog)
        window.menu("tools").addAction(action)
        self.action = action

    @Slot()
    def open_dialog(self) -> PreferencesDialog:
        from .dialog import PreferencesDialog

        dialog = PreferencesDialog(self.session.ctx, self.session.apply_changes, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _forget(self) -> None:
        self.dialog = None


def attach(session: Session, window: Shell) -> PreferencesFeature:
    return PreferencesFeature(session, window)
