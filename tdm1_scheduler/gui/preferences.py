"""Tools > Preferences...: the clinic's settings, kept in its database.

The editors are built from the declarations in ``tdm1_scheduler/settings.py`` (label,
help text, bounds), so a new editable setting appears here without code. Saving calls
``services.clinic.update_settings`` once with the changed values only; closing a date
calls ``services.clinic.add_closed_date`` at once. A refusal is shown in the dialog and
nothing is written. The clinic name, time zone and opening hours are shown read-only:
no service changes them yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .. import settings as declared
from ..domain.errors import DomainError
from ..services.clinic import add_closed_date, update_settings
from ..services.context import ChangeSet, ClinicSettings, Context, load_settings

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DECIMALS = 1

Editor = QSpinBox | QDoubleSpinBox


def current_values(clinic: ClinicSettings) -> dict[str, Any]:
    """The editable settings' values as ``update_settings`` names them."""
    rules = clinic.rules
    return {
        "prep_min": rules.prep_min,
        "early_window_days": rules.early_window_days,
        "mbc_horizon_cycles": rules.mbc_horizon_cycles,
        "start_cap": clinic.start_cap,
        "snap_min": clinic.snap_min,
        "preferred_window_min": clinic.preferred_window_min,
        "weight_min_kg": clinic.weight_min_kg,
        "weight_max_kg": clinic.weight_max_kg,
        "weight_recalc_percent": clinic.weight_recalc_percent,
    }


def hours_text(clinic: ClinicSettings) -> str:
    lines = []
    for weekday, name in enumerate(WEEKDAY_NAMES):
        hours = clinic.calendar.hours.get(weekday)
        text = f"{hours.opens:%H:%M}-{hours.closes:%H:%M}" if hours else "closed"
        lines.append(f"{name}: {text}")
    return "\n".join(lines)


def set_editor_value(editor: Editor, value: float | None) -> None:
    """Show ``value`` in its editor; None is the optional editor's lowest ("empty") value."""
    if isinstance(editor, QDoubleSpinBox):
        editor.setValue(editor.minimum() if value is None else float(value))
    else:
        editor.setValue(editor.minimum() if value is None else int(value))


def _make_editor(setting: declared.Setting, parent: QWidget) -> Editor:
    assert setting.low is not None and setting.high is not None
    editor: Editor
    if setting.number_type is float:
        editor = QDoubleSpinBox(parent)
        editor.setDecimals(DECIMALS)
        editor.setRange(setting.low, setting.high)
        editor.setSingleStep(0.5)
    else:
        editor = QSpinBox(parent)
        # An optional number gets one extra step below its range that means "empty".
        low = int(setting.low) - 1 if setting.optional else int(setting.low)
        editor.setRange(low, int(setting.high))
        if setting.optional:
            editor.setSpecialValueText(setting.none_text.capitalize())
    if setting.unit:
        editor.setSuffix(f" {setting.unit}")
    editor.setObjectName(f"{setting.key}Edit")
    editor.setAccessibleName(setting.label)
    editor.setToolTip(f"{setting.help} ({setting.bounds_text()})")
    editor.setAccessibleDescription(setting.help)
    editor.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
    return editor


class PreferencesDialog(QDialog):
    sig_saved = Signal(object)
    """Something was written: the ``ChangeSet`` of that service call."""

    def __init__(
        self,
        ctx: Context,
        apply_changes: Callable[[ChangeSet], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.apply_changes = apply_changes
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setAccessibleName("Clinic preferences")
        self.editors: dict[str, Editor] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_clinic_box())
        layout.addWidget(self._build_policy_box())
        layout.addWidget(self._build_closed_box())
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setAccessibleName("Problem")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("preferencesButtons")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName("Save preferences")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.load()

    # --- building ---------------------------------------------------------------------
    def _build_clinic_box(self) -> QGroupBox:
        box = QGroupBox("Clinic", self)
        box.setObjectName("clinicBox")
        form = QFormLayout(box)
        self.name_label = self._read_only(box, "name")
        self.zone_label = self._read_only(box, "timezone")
        self.hours_label = self._read_only(box, "opening_hours")
        for key, label in (
            ("name", self.name_label),
            ("timezone", self.zone_label),
            ("opening_hours", self.hours_label),
        ):
            form.addRow(f"{declared.by_key(key).label}:", label)
        return box

    def _read_only(self, parent: QWidget, key: str) -> QLabel:
        setting = declared.by_key(key)
        label = QLabel(parent)
        label.setObjectName(f"{key}Label")
        label.setAccessibleName(setting.label)
        label.setToolTip(setting.help)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_policy_box(self) -> QGroupBox:
        box = QGroupBox("Site policies", self)
        box.setObjectName("policyBox")
        form = QFormLayout(box)
        for setting in declared.editable_settings():
            editor = _make_editor(setting, box)
            self.editors[setting.key] = editor
            label = QLabel(f"{setting.label}:", box)
            label.setBuddy(editor)
            label.setToolTip(setting.help)
            form.addRow(label, editor)
        return box

    def _build_closed_box(self) -> QGroupBox:
        setting = declared.by_key("closed_dates")
        box = QGroupBox(setting.label, self)
        box.setObjectName("closedDatesBox")
        box.setToolTip(setting.help)
        layout = QVBoxLayout(box)
        self.closed_list = QListWidget(box)
        self.closed_list.setObjectName("closedDatesList")
        self.closed_list.setAccessibleName("Closed dates")
        self.closed_list.setMaximumHeight(110)
        layout.addWidget(self.closed_list)
        row = QHBoxLayout()
        self.closed_date_edit = QDateEdit(box)
        self.closed_date_edit.setObjectName("closedDateEdit")
        self.closed_date_edit.setAccessibleName("Date to close")
        self.closed_date_edit.setCalendarPopup(True)
        self.closed_date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.closed_reason_edit = QLineEdit(box)
        self.closed_reason_edit.setObjectName("closedReasonEdit")
        self.closed_reason_edit.setAccessibleName("Reason for closing")
        self.closed_reason_edit.setPlaceholderText("Reason (e.g. public holiday)")
        self.close_date_button = QPushButton("&Close this date", box)
        self.close_date_button.setObjectName("closeDateButton")
        self.close_date_button.setAccessibleName("Close the clinic on this date")
        self.close_date_button.setToolTip(setting.help)
        self.close_date_button.clicked.connect(self.close_date)
        row.addWidget(self.closed_date_edit)
        row.addWidget(self.closed_reason_edit, 1)
        row.addWidget(self.close_date_button)
        layout.addLayout(row)
        return box

    # --- values -----------------------------------------------------------------------
    def load(self) -> None:
        """Show the values stored in the clinic database now."""
        clinic = load_settings(self.ctx.db)
        self.loaded = current_values(clinic)
        self.name_label.setText(clinic.name)
        self.zone_label.setText(clinic.timezone)
        self.hours_label.setText(hours_text(clinic))
        for key, editor in self.editors.items():
            set_editor_value(editor, self.loaded[key])
        self.closed_list.clear()
        today = clinic.calendar.local_date(self.ctx.clock.now())
        for day in sorted(clinic.calendar.closed_dates):
            self.closed_list.addItem(f"{day:%a %Y-%m-%d}")
        tomorrow = today + timedelta(days=1)
        self.closed_date_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))

    def edited_values(self) -> dict[str, Any]:
        """Every editor's value, as ``update_settings`` takes it (None = empty)."""
        values: dict[str, Any] = {}
        for setting in declared.editable_settings():
            editor = self.editors[setting.key]
            if setting.optional and editor.value() == editor.minimum():
                values[setting.key] = None
            elif isinstance(editor, QDoubleSpinBox):
                values[setting.key] = round(editor.value(), DECIMALS)
            else:
                values[setting.key] = int(editor.value())
        return values

    def changed_values(self) -> dict[str, Any]:
        def same(old: Any, new: Any) -> bool:
            if isinstance(old, float) and isinstance(new, float):
                return round(old, DECIMALS) == new
            return bool(old == new)

        edited = self.edited_values()
        return {key: new for key, new in edited.items() if not same(self.loaded[key], new)}

    def show_problem(self, error: DomainError) -> None:
        setting_label = (
            declared.by_key(error.field).label
            if error.field in {s.key for s in declared.SETTINGS}
            else error.field
        )
        self.error_label.setText(f"{setting_label}: {error.rule}")
        self.error_label.show()
        editor = self.editors.get(error.field)
        if editor is not None:
            editor.setFocus()

    # --- actions ----------------------------------------------------------------------
    @Slot()
    def save(self) -> bool:
        """Write the changed settings in one service call; close when it is done."""
        changed = self.changed_values()
        if not changed:
            self.accept()
            return True
        try:
            changes = update_settings(self.ctx, changed)
        except DomainError as error:
            self.show_problem(error)
            return False
        self.apply_changes(changes)
        self.sig_saved.emit(changes)
        self.accept()
        return True

    @Slot()
    def close_date(self) -> bool:
        """Close the clinic on the date picked (its own service call, written at once)."""
        picked = self.closed_date_edit.date()
        day = date(picked.year(), picked.month(), picked.day())
        try:
            changes = add_closed_date(self.ctx, day, self.closed_reason_edit.text())
        except DomainError as error:
            self.show_problem(error)
            return False
        self.error_label.hide()
        self.closed_reason_edit.clear()
        edited = self.edited_values()  # keep unsaved edits while the list refreshes
        self.load()
        for key, value in edited.items():
            set_editor_value(self.editors[key], value)
        self.apply_changes(changes)
        self.sig_saved.emit(changes)
        return True


class PreferencesFeature:
    """The Tools > Preferences... action and the dialog it opens."""

    def __init__(self, window: Any) -> None:
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
        dialog = PreferencesDialog(self.window.ctx, self.window.apply_changes, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _forget(self) -> None:
        self.dialog = None


def attach(window: Any) -> PreferencesFeature:
    return PreferencesFeature(window)
