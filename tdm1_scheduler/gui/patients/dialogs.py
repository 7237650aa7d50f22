"""Patient dialogs: new patient, book a course, mark a dose missed.

Each dialog shows what the service would do before anything is saved, calls one service
on OK, and hands the ChangeSet to ``on_changes`` (the main window's ``apply_changes``).
A refusal (DomainError) is shown in the dialog, which stays open. The widgets are
attributes so tests drive them with real key and mouse events, opened with ``open()``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from PySide6.QtCore import QDate, QTime, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain import booking
from ...domain.calendar import ClinicCalendar
from ...domain.errors import DomainError
from ...domain.regimen import CYCLE_LENGTH_DAYS, DRUG_NAME, EBC_TOTAL_CYCLES, Setting
from ...services import courses
from ...services.context import (
    ChangeSet,
    ClinicSettings,
    Context,
    load_settings,
)
from ...services.day_loads import day_load_lookup
from ...services.errors import ConflictError
from ...services.patients import add_patient, check_mrn, check_name, check_weight
from ...services.preview import Preview, preview
from ...services.queries import chairs, patient_name
from ...text import clock_time, cycle_label, dated_time, day_name, wall_message
from .. import forms
from ..date_field import DateField
from ..planner.past_booking import (
    PAST_TITLE,
    Confirm,
    ask as ask_past,
    is_past,
    past_booking_question,
)
from ..time_field import TimeField
from ..widgets import ERROR_STYLE, info_label, read_only_table
from .models import MovesModel, ProposalModel, ProposedCycle, find_course_view

OnChanges = Callable[[ChangeSet], None]
W = TypeVar("W", bound=QWidget)

# Invalid inputs get a red frame; the rule broken is in the error label and the tooltip.
INVALID_STYLE = 'QLineEdit[invalid="true"] { border: 2px solid #b00020; background: #fdecea; }'


class DialogFormError(forms.FormError):
    """The new-patient Designer form lacks a widget this dialog needs."""


def load_new_patient_form(parent: QWidget | None = None) -> QWidget:
    """The Designer form ``resources/ui/new_patient.ui``, loaded at run time."""
    return forms.load_form("new_patient", parent)


def _child(form: QWidget, kind: type[W], name: str) -> W:
    widget = form.findChild(kind, name)
    if widget is None:
        raise DialogFormError(f"new_patient.ui lacks {kind.__name__} {name!r}")
    return widget


def _mark(edit: QLineEdit, problem: str | None) -> None:
    """Frame an invalid field and say why, for eyes and for screen readers."""
    edit.setProperty("invalid", problem is not None)
    edit.setAccessibleDescription(problem or "")
    edit.setToolTip(problem or edit.accessibleName())
    edit.style().unpolish(edit)
    edit.style().polish(edit)


def _buttons(dialog: QDialog, ok_text: str, ok_accessible: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.setObjectName("buttonBox")
    box.setAccessibleName("Confirm or cancel")
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_accessible)
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def patient_title(ctx: Context, mrn: str) -> str:
    """``Ada Lovelace (MRN 100234)``: the patient as a person names them."""
    name = patient_name(ctx.store, mrn)
    label = mrn if mrn.upper().startswith("MRN") else f"MRN {mrn}"
    return f"{name} ({label})" if name is not None else label


# The fields of the Book course dialog as a person names them in a refusal.
FIELD_NAMES = {"first_dose": "First dose", "chair": "Chair", "preferred_time": "Preferred time"}


def _refusal(error: DomainError | ConflictError, calendar: ClinicCalendar | None = None) -> str:
    """``Refused: First dose: the clinic is closed on Saturdays`` (times in wall time)."""
    field = getattr(error, "field", None)
    text = str(error) if field is None else f"{FIELD_NAMES.get(field, field)}: {error.rule}"
    return f"Refused: {text if calendar is None else wall_message(text, calendar)}"


# --- new patient ---------------------------------------------------------------------
class NewPatientDialog(QDialog):
    """MRN, name and weight; OK stays disabled until every field is valid."""

    sig_patient_added = Signal(str)
    """A patient was added (their MRN)."""

    def __init__(self, ctx: Context, on_changes: OnChanges, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.on_changes = on_changes
        self.changes: ChangeSet | None = None
        self.settings = load_settings(ctx.store)
        self.setObjectName("newPatientDialog")
        self.setWindowTitle("New patient")
        self.setAccessibleName("New patient")
        self.setStyleSheet(INVALID_STYLE)
        self.form = load_new_patient_form(self)
        # The form, loaded as a child, has no margins of its own: the dialog's layout
        # keeps the style's standard ones around it.
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.resize(max(460, self.form.width()), max(260, self.form.height()))
        self.mrn_edit = _child(self.form, QLineEdit, "mrnEdit")
        self.name_edit = _child(self.form, QLineEdit, "nameEdit")
        self.weight_edit = _child(self.form, QLineEdit, "weightEdit")
        self.error_label = _child(self.form, QLabel, "errorLabel")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.button_box = _child(self.form, QDialogButtonBox, "buttonBox")
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add patient")
        self.ok_button.setAccessibleName("Add the patient")
        self.cancel_button = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        low, high = self.settings.weight_min_kg, self.settings.weight_max_kg
        self.weight_edit.setPlaceholderText(f"{low:g}-{high:g}")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        # A field is judged once it was typed in, so a fresh form is not all red.
        self._touched: set[QLineEdit] = set()
        for edit in self.edits:
            edit.textEdited.connect(lambda _text, e=edit: self._touched.add(e))
            edit.textChanged.connect(self.validate)
        self.validate()

    @property
    def edits(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        return (self.mrn_edit, self.name_edit, self.weight_edit)

    def problems(self) -> dict[QLineEdit, str]:
        """The rule each field breaks (the same checks the service makes)."""
        found: dict[QLineEdit, str] = {}
        low, high = self.settings.weight_min_kg, self.settings.weight_max_kg
        checks: tuple[tuple[QLineEdit, Callable[[str], object]], ...] = (
            (self.mrn_edit, check_mrn),
            (self.name_edit, check_name),
            (self.weight_edit, lambda text: check_weight(text.strip() or None, low, high)),
        )
        for edit, check in checks:
            try:
                check(edit.text())
            except DomainError as error:
                found[edit] = f"{edit.accessibleName()}: {error.rule}"
        return found

    @Slot()
    def validate(self) -> bool:
        problems = self.problems()
        shown = [problems[e] for e in self.edits if e in problems and e in self._touched]
        for edit in self.edits:
            _mark(edit, problems.get(edit) if edit in self._touched else None)
        self.error_label.setText("\n".join(shown))
        self.ok_button.setEnabled(not problems)
        return not problems

    def accept(self) -> None:
        self._touched.update(self.edits)
        if not self.validate():
            return
        mrn = self.mrn_edit.text().strip()
        try:
            changes = add_patient(
                self.ctx,
                mrn=mrn,
                name=self.name_edit.text(),
                weight_kg=self.weight_edit.text().strip(),
            )
        except DomainError as error:
            self.error_label.setText(_refusal(error))
            fields = {"mrn": self.mrn_edit, "name": self.name_edit, "weight_kg": self.weight_edit}
            if error.field in fields:
                _mark(fields[error.field], str(error))
            return
        self.changes = changes
        self.on_changes(changes)
        self.sig_patient_added.emit(mrn)
        super().accept()


# --- book a course -------------------------------------------------------------------
def _to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _from_qtime(value: QTime) -> time:
    return time(value.hour(), value.minute())


class BookCourseDialog(QDialog):
    """Setting, first dose, preferred time and chair; the whole plan shows before OK.

    Cycle 1 is levelled around the first dose time (the nurses' start cap); the plan is
    then what ``book_course`` will write: cycle 1 exactly there, later cycles around the
    preferred time.
    """

    def __init__(
        self,
        ctx: Context,
        mrn: str,
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mrn = mrn
        self.on_changes = on_changes
        self.changes: ChangeSet | None = None
        self.settings: ClinicSettings = load_settings(ctx.store)
        self.confirm_past: Confirm = lambda title, text: ask_past(self, title, text)
        self.setObjectName("bookCourseDialog")
        self.setWindowTitle(f"Book {DRUG_NAME} for {patient_title(ctx, mrn)}")
        self.setAccessibleName("Book a course")
        self.resize(760, 560)
        self._build()
        self._blocked = self._why_not_bookable()
        # the preferred time follows the first dose time until the person edits it
        self.preferred_is_own = False
        self.preferred_time_edit.textEdited.connect(self._preferred_edited)
        self.first_time_edit.timeChanged.connect(self._follow_first_time)
        for signal in (
            self.setting_combo.currentIndexChanged,
            self.first_date_edit.dateChanged,
            self.first_time_edit.timeChanged,
            self.preferred_time_edit.timeChanged,
            self.first_time_edit.textEdited,  # text that does not read as a time: say so
            self.first_date_edit.edit.textEdited,
            self.preferred_time_edit.textEdited,
            self.chair_combo.currentIndexChanged,
        ):
            signal.connect(self.refresh_proposal)
        self.refresh_proposal()

    def _build(self) -> None:
        calendar = self.settings.calendar
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.setting_combo = QComboBox(self)
        self.setting_combo.setObjectName("settingCombo")
        self.setting_combo.setAccessibleName("Treatment setting")
        self.setting_combo.addItem(
            f"EBC: early breast cancer, {EBC_TOTAL_CYCLES} cycles", Setting.EBC.value
        )
        horizon = self.settings.rules.mbc_horizon_cycles
        self.setting_combo.addItem(
            f"MBC: metastatic, the next {horizon} cycles (rolling)", Setting.MBC.value
        )
        form.addRow("&Setting:", self.setting_combo)
        tomorrow = calendar.local_date(self.ctx.clock.now()) + timedelta(days=1)
        # typed (2027-01-12, 12 Jan 2027) or picked from its calendar
        self.first_date_edit = DateField(_to_qdate(calendar.next_open_day(tomorrow)), self)
        self.first_date_edit.setObjectName("firstDoseDateEdit")
        self.first_date_edit.setAccessibleName("First dose date")
        form.addRow("First dose &date:", self.first_date_edit)
        self.first_time_edit = TimeField(QTime(9, 0), self)  # typed: 13:00 or 1300
        self.first_time_edit.setObjectName("firstDoseTimeEdit")
        self.first_time_edit.setAccessibleName("First dose time")
        form.addRow("First dose &time:", self.first_time_edit)
        self.preferred_time_edit = TimeField(QTime(9, 0), self)
        self.preferred_time_edit.setObjectName("preferredTimeEdit")
        self.preferred_time_edit.setAccessibleName("Preferred time of day for later cycles")
        form.addRow("&Preferred time:", self.preferred_time_edit)
        self.chair_combo = QComboBox(self)
        self.chair_combo.setObjectName("chairCombo")
        self.chair_combo.setAccessibleName("Preferred chair")
        self.chair_combo.addItem("Any free chair", None)
        for chair in chairs(self.ctx.store):
            self.chair_combo.addItem(chair.name, chair.id)
        form.addRow("&Chair:", self.chair_combo)
        self.summary_label = info_label(self, "proposalSummaryLabel", "Proposed plan summary")
        layout.addWidget(self.summary_label)
        self.model = ProposalModel(self.settings.calendar)
        self.proposal_view = read_only_table(self, "proposalTable", "Proposed cycles")
        self.proposal_view.setModel(self.model)
        layout.addWidget(self.proposal_view, 1)
        self.error_label = info_label(
            self, "bookErrorLabel", "Why the course cannot be booked", error=True
        )
        layout.addWidget(self.error_label)
        self.button_box = _buttons(self, "Book course", "Book the proposed course")
        self.ok_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(self.button_box)

    @Slot(str)
    def _preferred_edited(self, _text: str) -> None:
        self.preferred_is_own = True

    @Slot(QTime)
    def _follow_first_time(self, value: QTime) -> None:
        if not self.preferred_is_own:
            self.preferred_time_edit.setTime(value)

    def _why_not_bookable(self) -> str | None:
        view = find_course_view(self.ctx.store, self.mrn)
        if view is not None and view.is_active:
            who = patient_title(self.ctx, self.mrn)
            return f"{who} already has an active {view.setting.value} course"
        return None

    # --- inputs ---------------------------------------------------------------------
    @property
    def setting(self) -> Setting:
        return Setting(self.setting_combo.currentData())

    @property
    def first_dose(self) -> datetime:
        day = _from_qdate(self.first_date_edit.date())
        return self.settings.calendar.at(day, _from_qtime(self.first_time_edit.time()))

    @property
    def preferred_time(self) -> time:
        return _from_qtime(self.preferred_time_edit.time())

    @property
    def chair_id(self) -> int | None:
        value = self.chair_combo.currentData()
        return None if value is None else int(value)

    # --- the proposal ------------------------------------------------------------------
    def propose(self) -> list[ProposedCycle]:
        """The plan ``book_course`` would write for these inputs; writes nothing."""
        store, settings = self.ctx.store, self.settings
        levelled = courses.propose_course(
            store,
            settings,
            setting=self.setting,
            first_dose=self.first_dose,
            chair_id=self.chair_id,
            preferred_time=_from_qtime(self.first_time_edit.time()),
            exact=False,
        )[0]
        slots = courses.propose_course(
            store,
            settings,
            setting=self.setting,
            first_dose=levelled.start,
            chair_id=levelled.chair,
            preferred_time=self.preferred_time,
            exact=True,
        )
        names = {chair.id: chair.name for chair in chairs(store)}
        return [
            ProposedCycle(number, slot, names.get(slot.chair, f"#{slot.chair}"))
            for number, slot in enumerate(slots, start=1)
        ]

    @Slot()
    def refresh_proposal(self) -> None:
        try:
            plan = self.propose()
        except DomainError as error:
            self.model.show_plan(self.setting.value, [])
            self.summary_label.setText("No plan for these choices.")
            self.error_label.setText(_refusal(error, self.settings.calendar))
            self.ok_button.setEnabled(False)
            return
        typed = [
            f"{name}: {problem}"
            for name, edit in (("First dose date", self.first_date_edit),
                               ("First dose time", self.first_time_edit),
                               ("Preferred time", self.preferred_time_edit))
            if (problem := edit.problem())
        ]  # fmt: skip
        self.model.show_plan(self.setting.value, plan)
        local, calendar = self.settings.calendar.local, self.settings.calendar
        first, last = plan[0].slot, plan[-1].slot
        moved = ""
        if first.start != self.first_dose:
            was = clock_time(calendar, self.first_dose)
            moved = f" (moved from {was} to level the nurses' starts)"
        self.summary_label.setText(
            f"{len(plan)} cycles, {dated_time(calendar, first.start)} on "
            f"{plan[0].chair_name}{moved} to {local(last.start):%a %Y-%m-%d}. "
            f"{self._chair_note(plan[0])}Nothing is saved until you book."
        )
        blocked = (
            self._blocked
            or (f"Refused: {typed[0]}" if typed else None)
            or self._refused_by_service(plan[0].slot.start, plan[0].chair_name)
        )
        self.error_label.setText(blocked or "")
        self.ok_button.setEnabled(blocked is None)

    def _chair_note(self, first: ProposedCycle) -> str:
        """Why the chair chosen is not the one offered, e.g. ``Chair 1 is taken
        09:00-10:30 on Tue 12 Jan; Chair 3 offered. `` ("" when it is kept)."""
        wanted = self.chair_id
        if wanted is None or first.slot.chair == wanted:
            return ""
        calendar = self.settings.calendar
        chosen = self.chair_combo.currentText()
        asked = booking.Slot(wanted, self.first_dose, first.slot.chair_time)
        day = calendar.local_date(asked.start)
        busy = day_load_lookup(self.ctx.store, calendar)(day).busy.get(wanted, ())
        taken = booking.conflict(busy, asked.interval)
        when = f"on {day_name(day)}"
        if taken is not None:
            span = f"{clock_time(calendar, taken.start)}-{clock_time(calendar, taken.end)}"
            return f"{chosen} is taken {span} {when}; {first.chair_name} offered. "
        at = clock_time(calendar, first.slot.start)
        offered = f"{first.chair_name} offered. "
        return f"{chosen} has no room for the levelled start {at} {when}; {offered}"

    def _refused_by_service(self, first: datetime, chair: str) -> str | None:
        """The booking itself, run and rolled back: any rule the proposal cannot see
        (the patient's earlier courses) is named before anything is saved."""
        answer = preview(
            self.ctx,
            courses.book_course,
            mrn=self.mrn,
            setting=self.setting,
            first_dose=first,
            chair=chair,
            preferred_time=self.preferred_time,
            exact=True,
        )
        if answer.allowed:
            return None
        reason = wall_message(answer.reason or "refused", self.settings.calendar)
        return f"Not bookable for {patient_title(self.ctx, self.mrn)}: {reason}"

    def _past_confirmed(self, plan: list[ProposedCycle]) -> bool:
        """Cycles starting before the clock's now are named and must be confirmed."""
        now = self.ctx.clock.now()
        past = [(c.cycle, c.slot.start) for c in plan if is_past(c.slot.start, now)]
        if not past:
            return True
        name = patient_name(self.ctx.store, self.mrn)
        who = name if name is not None else self.mrn
        question = past_booking_question(who, past, self.settings.calendar)
        return self.confirm_past(PAST_TITLE, question)

    def accept(self) -> None:
        plan = self.model.plan
        if not plan or self._blocked:
            return
        if not self._past_confirmed(plan):
            self.error_label.setText("Not booked: the booking is in the past.")
            return
        try:
            changes = courses.book_course(
                self.ctx,
                mrn=self.mrn,
                setting=self.setting,
                first_dose=plan[0].slot.start,
                chair=plan[0].chair_name,
                preferred_time=self.preferred_time,
                exact=True,
            )
        except (DomainError, ConflictError) as error:
            self.refresh_proposal()
            who = patient_title(self.ctx, self.mrn)
            why = _refusal(error, self.settings.calendar).removeprefix("Refused: ")
            self.error_label.setText(f"Not booked for {who}: {why}")
            return
        self.changes = changes
        self.on_changes(changes)
        super().accept()


# --- mark a dose missed ------------------------------------------------------------
class MarkMissedDialog(QDialog):
    """Shows where a missed dose would be re-booked and what moves with it; OK commits."""

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
        self.changes: ChangeSet | None = None
        self.settings = load_settings(ctx.store)
        self.setObjectName("markMissedDialog")
        self.setWindowTitle(f"Mark {cycle_label(cycle, None)} of {mrn} missed")
        self.setAccessibleName("Mark a dose missed")
        self.resize(640, 460)
        layout = QVBoxLayout(self)
        self.intro_label = info_label(self, "missedIntroLabel", "Which dose is marked missed")
        self.new_slot_label = info_label(self, "newSlotLabel", "Where the dose is re-booked")
        self.later_label = info_label(self, "laterMovesLabel", "How the later cycles move")
        self.moves_model = MovesModel(self.settings.calendar)
        self.moves_view = read_only_table(self, "laterMovesTable", "Later cycles that move")
        self.moves_view.setModel(self.moves_model)
        self.notes_label = info_label(self, "bagNotesLabel", "Notes on a prepared bag")
        self.error_label = info_label(self, "missedErrorLabel", "Why it is refused", error=True)
        for widget in (self.intro_label, self.new_slot_label, self.later_label):
            layout.addWidget(widget)
        layout.addWidget(self.moves_view, 1)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.error_label)
        self.button_box = _buttons(self, "Mark missed", "Mark missed and re-book")
        self.ok_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(self.button_box)
        self.answer = self.refresh_preview()

    def refresh_preview(self) -> Preview:
        """Ask the service what it would do now (rolled back), and show it."""
        view = find_course_view(self.ctx.store, self.mrn)
        name = view.name if view else self.mrn
        current = None if view is None else view.cycle(self.cycle)
        booked = ""
        if view is not None and current is not None and current.start is not None:
            start = view.local(current.start)
            booked = f", booked {start:%a %Y-%m-%d %H:%M} on {current.chair}"
        self.intro_label.setText(
            f"{name} ({self.mrn}) did not come for {cycle_label(self.cycle, None)}{booked}. "
            "The dose is re-booked as soon as possible and later cycles keep"
            f" {CYCLE_LENGTH_DAYS} days apart."
        )
        answer = preview(self.ctx, courses.mark_dose_missed, mrn=self.mrn, cycle=self.cycle)
        self.answer = answer
        if not answer.allowed or answer.changes is None or not answer.changes.moves:
            self.new_slot_label.setText("")
            self.later_label.setText("")
            self.moves_model.set_rows([])
            self.notes_label.setText("")
            self.error_label.setText(f"Refused: {answer.reason}")
            self.ok_button.setEnabled(False)
            return answer
        changes = answer.changes
        move = changes.moves[0]
        self.new_slot_label.setText(
            f"New booking: {dated_time(self.settings.calendar, move.new_start)} on {move.new_chair}"
        )
        self.later_label.setText(courses.later_shift_summary(changes) or "No later cycle moves.")
        self.moves_model.set_rows(changes.later_moves)
        self.notes_label.setText("\n".join(answer.notes))
        self.error_label.setText("")
        self.ok_button.setEnabled(True)
        return answer

    def accept(self) -> None:
        try:
            changes = courses.mark_dose_missed(self.ctx, mrn=self.mrn, cycle=self.cycle)
        except (DomainError, ConflictError) as error:
            self.error_label.setText(_refusal(error))
            return
        self.changes = changes
        self.on_changes(changes)
        super().accept()
