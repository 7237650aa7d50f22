"""Tools > Preferences...: the clinic's settings, kept in its database.

The editors are built from the declarations in ``tdm1_scheduler/settings.py`` (label,
help text, bounds), so a new editable setting appears here without code. Save calls
``services.clinic.save_preferences`` once: the weekly opening hours (only when they
changed) and the changed site settings, in one transaction, all or nothing. Closing a
date (``add_closed_date``) and reopening one (``remove_closed_date``) are written at
once. A refusal is shown in the dialog and nothing is written. The clinic name and time
zone are read-only: a new zone would move the wall time of every booking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, QTime, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ... import settings as declared
from ...domain.errors import DomainError
from ...services.clinic import (
    WEEKDAY_NAMES,
    WeeklyHours,
    add_closed_date,
    remove_closed_date,
    save_preferences,
)
from ...services.context import ChangeSet, ClinicSettings, Context, load_settings
from .. import screen_fit
from ..shell import Shell
from .close_date_rebook import RebookPanel, booking_lines
from .holiday_picker import HolidayPicker

DECIMALS = 1
TIME_FORMAT = "HH:mm"
# Shown for a closed weekday until someone opens it (the usual hours of a new clinic).
CLOSED_DAY_HOURS = (time(8, 0), time(17, 0))
ZONE_NOTE = "Not editable: a new zone would move the wall time of every booking."

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


def current_hours(clinic: ClinicSettings) -> dict[int, tuple[time, time] | None]:
    """Every weekday's hours as ``set_opening_hours`` takes them (None = closed)."""
    hours = clinic.calendar.hours
    return {
        day: (hours[day].opens, hours[day].closes) if day in hours else None for day in range(7)
    }


def to_qtime(moment: time) -> QTime:
    return QTime(moment.hour, moment.minute)


def from_qtime(moment: QTime) -> time:
    return time(moment.hour(), moment.minute())


@dataclass
class WeekdayEditors:
    """One row of the weekly hours grid: is the weekday open, and from when to when."""

    open_box: QCheckBox
    opens: QTimeEdit
    closes: QTimeEdit

    def hours(self) -> tuple[time, time] | None:
        if not self.open_box.isChecked():
            return None
        return from_qtime(self.opens.time()), from_qtime(self.closes.time())

    def show_hours(self, hours: tuple[time, time] | None, fallback: tuple[time, time]) -> None:
        """Show ``hours``; a closed weekday keeps ``fallback`` ready for when it opens."""
        opens, closes = hours or fallback
        self.opens.setTime(to_qtime(opens))
        self.closes.setTime(to_qtime(closes))
        self.open_box.setChecked(hours is not None)
        self.enable_times(hours is not None)

    def enable_times(self, is_open: bool) -> None:
        self.opens.setEnabled(is_open)
        self.closes.setEnabled(is_open)


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
        self.weekday_editors: list[WeekdayEditors] = []
        outer = QVBoxLayout(self)
        # The settings scroll inside the dialog (a date's bookings listed can make them
        # taller than a laptop screen); the problem and Save/Cancel stay below, in view.
        self.content = QWidget(self)
        self.content.setObjectName("preferencesContent")
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_clinic_box())
        middle = QHBoxLayout()  # hours beside the policies keeps the dialog short
        middle.addWidget(self._build_hours_box())
        middle.addWidget(self._build_policy_box(), 1)
        layout.addLayout(middle)
        layout.addWidget(self._build_closed_box(), 1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("preferencesScroll")
        self.scroll_area.setAccessibleName("Clinic settings")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # A screen narrower than the settings scrolls them; nothing is cut off unreachably.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll_area.setWidget(self.content)
        outer.addWidget(self.scroll_area, 1)
        layout = outer
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
        self._fit_first_size()

    def _fit_first_size(self) -> None:
        """As wide as the settings, as tall as they are when the screen allows."""
        hint = self.content.sizeHint()
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        others = self.buttons.sizeHint().height() + 3 * 6 + 24
        wanted = QSize(hint.width() + bar + 24, hint.height() + others)
        area = screen_fit.available_geometry(self)
        if not area.isEmpty():
            wanted = wanted.boundedTo(area.size() - QSize(16, 48))  # the window frame
        self.resize(wanted)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The style sheet applies at show: the settings may now need more width than the
        # first size gave them (seen under Xvfb: Reopen and List holidays were cut off).
        needed = self.content.sizeHint().width() + self._chrome_width()
        if self.width() < needed:
            self.resize(needed, self.height())
        screen_fit.cap_to_screen(self)

    def _chrome_width(self) -> int:
        """Width around the settings: the scroll bar, the scroll area's and the dialog's
        margins."""
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        layout = self.layout()
        margins = None if layout is None else layout.contentsMargins()
        sides = 0 if margins is None else margins.left() + margins.right()
        return bar + sides + 2 * self.scroll_area.frameWidth() + 4

    def show_rebook_panel(self, day: date, reason: str) -> None:
        """Show who is booked on ``day`` and scroll the panel into view."""
        self.rebook_panel.show_for(day, reason)
        screen_fit.cap_to_screen(self)
        self.content.adjustSize()
        self.scroll_area.ensureWidgetVisible(self.rebook_panel)

    # --- building ---------------------------------------------------------------------
    def _build_clinic_box(self) -> QGroupBox:
        box = QGroupBox("Clinic", self)
        box.setObjectName("clinicBox")
        form = QFormLayout(box)
        self.name_label = self._read_only(box, "name")
        self.zone_label = self._read_only(box, "timezone")
        form.addRow(f"{declared.by_key('name').label}:", self.name_label)
        zone_row = QHBoxLayout()
        zone_row.setSpacing(12)
        zone_row.addWidget(self.zone_label)
        self.zone_note = QLabel(ZONE_NOTE, box)
        self.zone_note.setObjectName("timezoneNote")
        self.zone_note.setAccessibleName("Why the time zone cannot be changed")
        self.zone_note.setToolTip(
            "Set when the clinic is created (tdm1-scheduler init --timezone). Every booking "
            "keeps its instant, so a new zone would show it at another wall time."
        )
        zone_row.addWidget(self.zone_note, 1)
        form.addRow(f"{declared.by_key('timezone').label}:", zone_row)
        return box

    def _build_hours_box(self) -> QGroupBox:
        setting = declared.by_key("opening_hours")
        box = QGroupBox(setting.label, self)
        box.setObjectName("openingHoursBox")
        box.setToolTip(setting.help)
        grid = QGridLayout(box)
        for column, title in enumerate(("Open", "Opens", "Closes")):
            grid.addWidget(QLabel(title, box), 0, column)
        for weekday, name in enumerate(WEEKDAY_NAMES):
            open_box = QCheckBox(name, box)
            open_box.setObjectName(f"{name.lower()}OpenBox")
            open_box.setAccessibleName(f"{name} open")
            open_box.setToolTip(f"Is the clinic open on {name}s?")
            times = []
            for which in ("opens", "closes"):
                edit = QTimeEdit(box)
                edit.setObjectName(f"{name.lower()}{which.capitalize()}Edit")
                edit.setAccessibleName(f"{name} {which}")
                edit.setToolTip(f"{name}: the time the clinic {which} (clinic time zone)")
                edit.setDisplayFormat(TIME_FORMAT)
                times.append(edit)
            row = WeekdayEditors(open_box, times[0], times[1])
            open_box.toggled.connect(row.enable_times)
            self.weekday_editors.append(row)
            grid.addWidget(open_box, weekday + 1, 0)
            grid.addWidget(row.opens, weekday + 1, 1)
            grid.addWidget(row.closes, weekday + 1, 2)
        grid.setRowStretch(len(WEEKDAY_NAMES) + 1, 1)
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
        self.reopen_button = QPushButton("&Reopen", box)
        self.reopen_button.setObjectName("reopenDateButton")
        self.reopen_button.setAccessibleName("Reopen the selected closed date")
        self.reopen_button.setToolTip("Open the clinic again on the closed date selected above")
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self.reopen_date)
        self.closed_list.currentItemChanged.connect(self._closed_selection_changed)
        row.addWidget(self.closed_date_edit)
        row.addWidget(self.closed_reason_edit, 1)
        row.addWidget(self.close_date_button)
        row.addWidget(self.reopen_button)
        layout.addLayout(row)
        self.rebook_panel = RebookPanel(self.ctx, box)  # shown for a date with bookings
        self.rebook_panel.main_window = self.shell()
        self.rebook_panel.sig_done.connect(lambda _changes: self._closed_and_rebooked())
        layout.addWidget(self.rebook_panel)
        self.holiday_picker = HolidayPicker(self.ctx, box)  # a year's holidays to pick from
        self.holiday_picker.main_window = self.shell()
        self.holiday_picker.sig_closed.connect(self._written_elsewhere)
        layout.addWidget(self.holiday_picker)
        return box

    # --- values -----------------------------------------------------------------------
    def load(self) -> None:
        """Show the values stored in the clinic database now."""
        clinic = load_settings(self.ctx.store)
        self.loaded = current_values(clinic)
        self.loaded_hours = current_hours(clinic)
        self.name_label.setText(clinic.name)
        self.zone_label.setText(clinic.timezone)
        open_hours = [pair for pair in self.loaded_hours.values() if pair is not None]
        fallback = open_hours[0] if open_hours else CLOSED_DAY_HOURS
        for weekday, row in enumerate(self.weekday_editors):
            row.show_hours(self.loaded_hours[weekday], fallback)
        for key, editor in self.editors.items():
            set_editor_value(editor, self.loaded[key])
        self.show_closed_dates(clinic)
        today = clinic.calendar.local_date(self.ctx.clock.now())
        tomorrow = today + timedelta(days=1)
        self.closed_date_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.holiday_picker.set_year(today.year)

    def show_closed_dates(self, clinic: ClinicSettings) -> None:
        """List the closed dates; each item keeps its date (ISO text) for Reopen."""
        self.closed_list.clear()
        reasons = {closed.day: closed.reason or "" for closed in self.ctx.store.closed_dates()}
        for day in sorted(clinic.calendar.closed_dates):
            reason = reasons.get(day, "")
            text = f"{day:%a %Y-%m-%d} {reason}".rstrip()
            item = QListWidgetItem(text, self.closed_list)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
        self.reopen_button.setEnabled(False)

    def edited_hours(self) -> dict[int, tuple[time, time] | None]:
        """The weekly hours grid as ``set_opening_hours`` takes it (None = closed)."""
        return {weekday: row.hours() for weekday, row in enumerate(self.weekday_editors)}

    def changed_hours(self) -> WeeklyHours | None:
        """The edited weekly hours when they differ from the stored ones, else None."""
        edited = self.edited_hours()
        return None if edited == self.loaded_hours else edited

    def selected_closed_date(self) -> date | None:
        item = self.closed_list.currentItem()
        if item is None:
            return None
        return date.fromisoformat(str(item.data(Qt.ItemDataRole.UserRole)))

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
        elif error.field == "opening_hours":  # "Friday: closing ..." names its weekday
            for name, row in zip(WEEKDAY_NAMES, self.weekday_editors, strict=True):
                if error.rule.startswith(f"{name}:"):
                    row.closes.setFocus()
                    break

    # --- actions ----------------------------------------------------------------------
    @Slot()
    def save(self) -> bool:
        """Write the changed hours and settings in one service call (all or nothing);
        close when it is done."""
        changed = self.changed_values()
        hours = self.changed_hours()
        if not changed and hours is None:
            self.accept()
            return True
        try:
            changes = save_preferences(self.ctx, hours=hours, values=changed)
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
        already = day in load_settings(self.ctx.store).calendar.closed_dates
        booked = [] if already else booking_lines(self.ctx, day)
        if booked:  # the panel says who, where each would go, and offers to re-book
            self.error_label.setText(
                f"Not closed: {len(booked)} visit(s) are booked on {day:%a %d %b %Y}; "
                "re-book them below, or move them first"
            )
            self.error_label.show()
            self.show_rebook_panel(day, self.closed_reason_edit.text())
            return False
        self.rebook_panel.hide()
        try:
            changes = add_closed_date(self.ctx, day, self.closed_reason_edit.text())
        except DomainError as error:
            self.show_problem(error)
            return False
        self.error_label.hide()
        self.closed_reason_edit.clear()
        self._written(changes)
        return True

    def _written_elsewhere(self, changes: ChangeSet) -> None:
        """The holiday picker closed dates (the window was told): refresh the list."""
        self.error_label.hide()
        self.show_closed_dates(load_settings(self.ctx.store))
        self.sig_saved.emit(changes)

    def _closed_and_rebooked(self) -> None:
        """The panel closed the date (the window was told, with an undo step)."""
        self.closed_reason_edit.clear()
        self.error_label.hide()
        self.show_closed_dates(load_settings(self.ctx.store))

    @Slot()
    def reopen_date(self) -> bool:
        """Reopen the closed date selected in the list (written at once)."""
        day = self.selected_closed_date()
        if day is None:
            return False
        try:
            changes = remove_closed_date(self.ctx, day)
        except DomainError as error:
            self.show_problem(error)
            return False
        self.error_label.hide()
        self._written(changes)
        return True

    def shell(self) -> Shell | None:
        """The main window the dialog belongs to (its undo stack and status bar)."""
        parent = self.parent()
        return parent if isinstance(parent, Shell) else None

    def _written(self, changes: ChangeSet) -> None:
        """A closed date was added or removed: refresh the list only (unsaved edits of
        hours and policies stay as typed) and tell the window."""
        self.show_closed_dates(load_settings(self.ctx.store))
        self.apply_changes(changes)
        self.sig_saved.emit(changes)

    @Slot()
    def _closed_selection_changed(self) -> None:
        self.reopen_button.setEnabled(self.closed_list.currentItem() is not None)
