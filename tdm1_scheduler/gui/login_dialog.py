"""The login dialog for a server that asks for a password (issue 16, "who may do what").

Passwords live in libpq's usual places (``.pgpass``, the service file, ``PGPASSWORD``);
when none is there, or the one there is wrong, opening the clinic fails with
``LoginNeeded`` and ``ask_login`` shows this dialog: the server and the database, the
user name (from the URL, editable) and a password field. OK hands a ``Login`` to
``attempt`` (the opener, ``services.clinic_store.open_clinic_store``); a wrong password
is said in the dialog ("password authentication failed for user X") and the person tries
again. The dialog only gathers the password and passes it on: it is never written
anywhere (no settings, no log), and the field is cleared once it has been used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..services.clinic_store import Login, LoginNeeded
from ..services.errors import StoreError

__all__ = ["LoginDialog", "ask_login"]

T = TypeVar("T")

TITLE = "Log in to the clinic server"
INTRO = "The clinic's server asks for your password."


class LoginDialog(QDialog):
    """The dialog itself (module doc); ``attempt`` opens the clinic with a ``Login``."""

    def __init__(
        self,
        needed: LoginNeeded,
        attempt: Callable[[Login], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self.setMinimumWidth(420)
        self._attempt = attempt
        self.failure: StoreError | None = None  # the server unreachable meanwhile

        layout = QVBoxLayout(self)
        intro = QLabel(INTRO, self)
        intro.setObjectName("loginIntroLabel")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.server_label = QLabel(_server_text(needed), self)
        self.server_label.setObjectName("loginServerLabel")
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.database_label = QLabel(needed.dbname, self)
        self.database_label.setObjectName("loginDatabaseLabel")
        self.user_edit = QLineEdit(needed.user, self)
        self.user_edit.setObjectName("loginUserEdit")
        self.user_edit.setAccessibleName("User name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("loginPasswordEdit")
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Server:", self.server_label)
        form.addRow("Database:", self.database_label)
        form.addRow("&User name:", self.user_edit)
        form.addRow("&Password:", self.password_edit)
        layout.addLayout(form)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("loginErrorLabel")
        self.error_label.setAccessibleName("Why the login failed")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("loginButtons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("loginOkButton")
        ok.setText("Log in")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName(
            "loginCancelButton"
        )
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.show_reason(needed)

    def show_reason(self, needed: LoginNeeded) -> None:
        """Say why a password is asked for: none found (the intro says it), or refused."""
        refused = needed.reason if needed.reason.startswith("password authentication") else ""
        self.error_label.setText(refused)
        self.error_label.setVisible(bool(refused))
        self.password_edit.clear()
        self.password_edit.setFocus()

    def try_login(self) -> None:
        """OK: open with what was typed; a refusal stays here and says why."""
        login = Login(self.user_edit.text().strip(), self.password_edit.text())
        self.password_edit.clear()  # the field does not keep it
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._attempt(login)
        except LoginNeeded as needed:
            self.show_reason(needed)
            return
        except StoreError as error:  # not a password problem: the caller reports it
            self.failure = error
            self.reject()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
            del login
        self.accept()


def _server_text(needed: LoginNeeded) -> str:
    return f"{needed.host}:{needed.port}" if needed.port else needed.host


def ask_login(needed: LoginNeeded, attempt: Callable[[Login], T]) -> T | None:
    """Ask for a password until ``attempt`` succeeds (its result) or the person cancels
    (None). A failure that is not about the password is raised (``StoreError``)."""
    opened: list[T] = []
    dialog = LoginDialog(needed, lambda login: opened.append(attempt(login)))
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted and opened:
            return opened[0]
        if dialog.failure is not None:
            raise dialog.failure
        return None
    finally:
        dialog.deleteLater()
