"""Tools > Pharmacy: its four actions, made once for the Pharmacy tab and the page's
buttons (``tab.py`` makes them at start, before the page exists)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ...domain.regimen import DRUG_NAME
from ...domain.regimens import TDM1
from ..shell import Shell

# ``domain.dosing.DILUENT``, read where dosing reads it: importing dosing (with decimal
# and fractions) is left to the Pharmacy page and its dialogs (issue 19).
DILUENT = TDM1.diluent

TITLE, NAME = "Pharmacy", "pharmacyPage"
ACCESSIBLE_NAME = f"Pharmacy: {DRUG_NAME}"


class PharmacyActions:
    """Tools > Pharmacy and its four actions (the page's buttons hold the same ones)."""

    def __init__(self, window: Shell, parent: QObject) -> None:
        self.reconstitute = _action(
            parent,
            "&Reconstitute...",
            "reconstituteAction",
            "Record the vials reconstituted, with their lot numbers",
        )
        self.dilute = _action(
            parent, "&Dilute...", "diluteAction", f"Record the dose diluted in {DILUENT}"
        )
        self.discard = _action(
            parent,
            "D&iscard...",
            "discardAction",
            "Discard the selected preparation with a reason; the waste is recorded",
        )
        self.discard_expired = _action(
            parent,
            "Discard all &expired",
            "discardExpiredAction",
            "Discard every expired vial and bag now, recording the waste",
        )
        menu = window.menu("tools").addMenu("P&harmacy")
        menu.setObjectName("pharmacyMenu")
        for action in self.all():
            menu.addAction(action)
        self.menu: QMenu = menu

    def all(self) -> tuple[QAction, QAction, QAction, QAction]:
        return self.reconstitute, self.dilute, self.discard, self.discard_expired


def _action(parent: QObject, text: str, name: str, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setToolTip(tip)
    return action
