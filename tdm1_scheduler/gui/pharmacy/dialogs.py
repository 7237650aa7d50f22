"""Pharmacy dialogs: reconstitute, dilute and discard one dose's preparation.

Each dialog names the drug in full with its reminder, shows the dose plan, and on OK
(``accept()``) calls one service in services/pharmacy.py. Success hands the ChangeSet to
``on_changes`` (the main window's ``apply_changes``) and closes; a refusal (DomainError,
or a conflict with another writer) is shown in the dialog, which stays open, and nothing
is written. Times are typed in clinic wall time and default to the clock's now. The
widgets are attributes so tests drive them with real events after ``open()``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.calendar import ClinicCalendar
from ...domain.dosing import CONCENTRATION_MG_PER_ML, DILUENT, WATER_ML_PER_VIAL, vial_plan
from ...domain.errors import DomainError
from ...domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ...domain.stability import BAG_HOLD, VIAL_HOLD, bag_expires_at, vial_expires_at
from ...services import pharmacy
from ...services.context import ChangeSet, ClinicSettings, Context, load_settings
from ...services.errors import ConflictError
from ...text import dated_time, day_time, hours_text
from ..widgets import info_label

OnChanges = Callable[[ChangeSet], None]
Vials = tuple[tuple[int, int], ...]  # (vial mg, count), largest vial first: VialPlan.vials

DATETIME_FORMAT = "yyyy-MM-dd HH:mm"
# Reasons offered for a discard; any other text may be typed.
DISCARD_REASONS = (
    "patient did not come",
    "expired",
    "dose changed: recalculate",
    "damaged or contaminated",
)


# --- shared pieces --------------------------------------------------------------------
def drug_banner(parent: QWidget, name: str = "drugBannerLabel") -> QLabel:
    """The drug's full name with the reminder that it is neither look-alike [label]."""
    label = QLabel(f"{DRUG_NAME}\nReminder: {DRUG_NAME_REMINDER}", parent)
    label.setObjectName(name)
    label.setAccessibleName(f"Drug: {DRUG_NAME}; {DRUG_NAME_REMINDER}")
    label.setStyleSheet("font-weight: bold;")
    label.setWordWrap(True)
    return label


def vials_text(vials: Vials) -> str:
    """``1 x 160 mg + 1 x 100 mg``."""
    return " + ".join(f"{count} x {size} mg" for size, count in vials)


def water_text(vials: Vials) -> str:
    """Sterile Water for Injection per vial: ``1 x 8 mL + 1 x 5 mL``."""
    return " + ".join(f"{count} x {WATER_ML_PER_VIAL[size]:g} mL" for size, count in vials)


def wall_text(calendar: ClinicCalendar, instant: datetime | None, with_date: bool = True) -> str:
    """An instant as clinic wall time (``Tue 2026-12-01 08:00``, or ``Tue 08:00``), or ``-``."""
    if instant is None:
        return "-"
    return dated_time(calendar, instant) if with_date else day_time(calendar, instant)


def wall_now(ctx: Context, settings: ClinicSettings) -> QDateTime:
    """The clock's now as clinic wall time, to the minute, for a time editor."""
    local = settings.calendar.local(ctx.clock.now())
    # Kept as a plain wall time (tagged UTC) so the computer's own zone never shifts it.
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute),
        QTimeZone.utc(),
    )


def instant_of(settings: ClinicSettings, value: QDateTime) -> datetime:
    """A wall time typed in the editor as an aware instant in the clinic's zone."""
    day, wall = value.date(), value.time()
    return settings.calendar.at(
        date(day.year(), day.month(), day.day()), time(wall.hour(), wall.minute())
    )


def make_time_edit(parent: QWidget, name: str, accessible: str, value: QDateTime) -> QDateTimeEdit:
    edit = QDateTimeEdit(value, parent)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setToolTip(f"{accessible}, clinic wall time")
    edit.setTimeZone(QTimeZone.utc())  # a plain wall time; see wall_now
    edit.setDisplayFormat(DATETIME_FORMAT)
    edit.setCalendarPopup(True)
    return edit


class PrepDialog(QDialog):
    """The frame every pharmacy dialog shares: banner, dose summary, form, problem, OK."""

    sig_done = Signal(object)
    """The service call succeeded: its ``ChangeSet``."""

    title = "Pharmacy"
    ok_text = "OK"

    def __init__(
        self,
        ctx: Context,
        mrn: str,
        cycle: int,
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mrn = mrn
        self.cycle = cycle
        self.on_changes = on_changes
        self.settings = load_settings(ctx.store)
        self.view = pharmacy.preparation_view(ctx.store, mrn, cycle, ctx.clock.now())
        self.calendar = self.settings.calendar
        self.setWindowTitle(f"{self.title}: {DRUG_NAME}")
        self.setMinimumWidth(480)
        self.setAccessibleName(f"{self.title} {DRUG_NAME} for {mrn} cycle {cycle}")
        layout = QVBoxLayout(self)
        self.drug_label = drug_banner(self)
        layout.addWidget(self.drug_label)
        self.summary_label = info_label(self, "summaryLabel", "Dose")
        self.summary_label.setText(self._summary())
        layout.addWidget(self.summary_label)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error_label = info_label(self, "errorLabel", "Problem", error=True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("buttonBox")
        self.buttons.setAccessibleName("Confirm or cancel")
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setText(self.ok_text)
        self.ok_button.setAccessibleName(self.ok_text.replace("&", ""))
        self.cancel_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _summary(self) -> str:
        view, plan = self.view, self.view.plan
        return (
            f"{view.name} ({view.mrn}), cycle {view.cycle};"
            f" infusion {wall_text(self.calendar, view.infusion_start)}\n"
            f"{plan.dose_level_mg_per_kg:g} mg/kg x {plan.weight_kg:g} kg ="
            f" {plan.dose_mg:g} mg; vials {vials_text(plan.vials.vials)};"
            f" withdraw {plan.withdraw_ml:g} mL ({CONCENTRATION_MG_PER_ML:g} mg/mL)"
        )

    def add_row(self, label_text: str, widget: QWidget) -> None:
        label = QLabel(label_text, self)
        label.setBuddy(widget)
        self.form.addRow(label, widget)

    # --- the service call -----------------------------------------------------------------
    def run_service(self) -> ChangeSet:
        """The one service call this dialog makes (each dialog defines it)."""
        raise NotImplementedError

    def show_problem(self, text: str) -> None:
        self.error_label.setText(f"Refused: {text}")
        self.error_label.show()

    @Slot()
    def accept(self) -> None:
        """Call the service; close on success, else show why and stay open."""
        try:
            changes = self.run_service()
        except (DomainError, ConflictError) as error:
            self.show_problem(str(error))
            return
        self.error_label.hide()
        self.on_changes(changes)
        self.sig_done.emit(changes)
        super().accept()


# --- reconstitute -------------------------------------------------------------------------
class ReconstituteDialog(PrepDialog):
    """When the vials were reconstituted and their lot numbers, one field per vial."""

    title = "Reconstitute"
    ok_text = "&Reconstitute"

    def __init__(
        self,
        ctx: Context,
        mrn: str,
        cycle: int,
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, mrn, cycle, on_changes, parent)
        self.setObjectName("reconstituteDialog")
        self.time_edit = make_time_edit(
            self, "reconstitutedAtEdit", "Reconstituted at", wall_now(ctx, self.settings)
        )
        self.add_row("Reconstituted &at:", self.time_edit)
        vials = self.view.plan.vials
        water_label = info_label(self, "waterLabel", "Sterile Water for Injection")
        water_label.setText(f"{water_text(vials.vials)} ({vials.water_ml_total:g} mL in all)")
        self.add_row("Sterile Water:", water_label)
        # One lot field per vial opened, largest vial first, as the plan lists them.
        self.lot_edits: list[QLineEdit] = []
        number = 0
        total = sum(count for _, count in vials.vials)
        for size, count in vials.vials:
            for _ in range(count):
                number += 1
                edit = QLineEdit(self)
                edit.setObjectName(f"lotEdit{number}")
                edit.setAccessibleName(f"Lot number, vial {number} of {total} ({size} mg)")
                edit.setPlaceholderText("lot / batch number")
                edit.setMaxLength(pharmacy.MAX_LOT_LENGTH)
                self.lot_edits.append(edit)
                self.add_row(f"Lot, vial {number} ({size} mg):", edit)
        self.expiry_label = info_label(self, "vialExpiryLabel", "Vial good until")
        self.add_row("Vial good until:", self.expiry_label)
        self.time_edit.dateTimeChanged.connect(self._show_expiry)
        self._show_expiry()

    @Slot()
    def _show_expiry(self) -> None:
        expiry = vial_expires_at(instant_of(self.settings, self.time_edit.dateTime()))
        self.expiry_label.setText(
            f"{dated_time(self.calendar, expiry)} ({hours_text(VIAL_HOLD)} at {pharmacy.STORAGE})"
        )

    def lots(self) -> list[str]:
        return [edit.text() for edit in self.lot_edits if edit.text().strip()]

    def run_service(self) -> ChangeSet:
        return pharmacy.record_reconstitution(
            self.ctx,
            mrn=self.mrn,
            cycle=self.cycle,
            at=instant_of(self.settings, self.time_edit.dateTime()),
            lots=self.lots(),
        )


# --- dilute ---------------------------------------------------------------------------------
class DiluteDialog(PrepDialog):
    """When the dose went into its bag, and in what (0.9% Sodium Chloride, never dextrose)."""

    title = "Dilute"
    ok_text = "&Dilute"

    def __init__(
        self,
        ctx: Context,
        mrn: str,
        cycle: int,
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, mrn, cycle, on_changes, parent)
        self.setObjectName("diluteDialog")
        self.reconstituted_label = info_label(self, "reconstitutedLabel", "Reconstituted at")
        self.reconstituted_label.setText(
            f"{wall_text(self.calendar, self.view.prep.reconstituted_at)};"
            f" vial good until {wall_text(self.calendar, self.view.prep.vial_expires_at)}"
        )
        self.add_row("Reconstituted:", self.reconstituted_label)
        self.time_edit = make_time_edit(
            self, "dilutedAtEdit", "Diluted at", wall_now(ctx, self.settings)
        )
        self.add_row("Diluted &at:", self.time_edit)
        # Editable so a person can record what was really used; the service judges it.
        self.diluent_edit = QComboBox(self)
        self.diluent_edit.setObjectName("diluentEdit")
        self.diluent_edit.setAccessibleName("Diluent")
        self.diluent_edit.setToolTip(f"{DILUENT}; 5% Dextrose must not be used [label]")
        self.diluent_edit.setEditable(True)
        self.diluent_edit.addItem(DILUENT)
        self.diluent_edit.setCurrentText(DILUENT)
        self.diluent_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.add_row("Di&luent:", self.diluent_edit)
        self.expiry_label = info_label(self, "bagExpiryLabel", "Bag good until")
        self.add_row("Bag good until:", self.expiry_label)
        self.time_edit.dateTimeChanged.connect(self._show_expiry)
        self._show_expiry()

    @Slot()
    def _show_expiry(self) -> None:
        expiry = bag_expires_at(instant_of(self.settings, self.time_edit.dateTime()))
        self.expiry_label.setText(
            f"{dated_time(self.calendar, expiry)} ({hours_text(BAG_HOLD)} at"
            f" {pharmacy.STORAGE}; the infusion must start by then)"
        )

    def run_service(self) -> ChangeSet:
        return pharmacy.record_dilution(
            self.ctx,
            mrn=self.mrn,
            cycle=self.cycle,
            at=instant_of(self.settings, self.time_edit.dateTime()),
            diluent=self.diluent_edit.currentText(),
        )


# --- discard ---------------------------------------------------------------------------------
class DiscardDialog(PrepDialog):
    """Discard the dose's preparation now, with a reason; the vials' mg are recorded as waste."""

    title = "Discard"
    ok_text = "D&iscard"

    def __init__(
        self,
        ctx: Context,
        mrn: str,
        cycle: int,
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, mrn, cycle, on_changes, parent)
        self.setObjectName("discardDialog")
        self.status_label = info_label(self, "statusLabel", "Preparation")
        self.status_label.setText(
            f"{self.view.status.value.replace('_', ' ')}; reconstituted"
            f" {wall_text(self.calendar, self.view.prep.reconstituted_at)}, diluted"
            f" {wall_text(self.calendar, self.view.prep.diluted_at)}"
        )
        self.add_row("Preparation:", self.status_label)
        self.waste_label = info_label(self, "wasteLabel", "Drug wasted")
        prepared = self.view.prepared_dose_mg
        if prepared:
            plan = vial_plan(float(prepared))
            self.waste_label.setText(
                f"{plan.total_mg:g} mg of {DRUG_NAME} ({prepared:g} mg dose in"
                f" {vials_text(plan.vials)})"
            )
        else:
            self.waste_label.setText("nothing prepared")
        self.add_row("Wasted:", self.waste_label)
        self.reason_edit = QComboBox(self)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleName("Reason for the discard")
        self.reason_edit.setEditable(True)
        self.reason_edit.addItems(list(DISCARD_REASONS))
        self.reason_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        default = "expired" if self.view.status in pharmacy.EXPIRED else ""
        self.reason_edit.setCurrentText(default)
        self.add_row("&Reason:", self.reason_edit)

    def run_service(self) -> ChangeSet:
        return pharmacy.discard_preparation(
            self.ctx, mrn=self.mrn, cycle=self.cycle, reason=self.reason_edit.currentText()
        )
