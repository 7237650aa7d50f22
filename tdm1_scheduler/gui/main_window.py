"""The main window: the day shown as a table of chair appointments, with day navigation.

Time comes from ``ctx.clock`` only. The window holds the ``Session`` (``gui/session.py``):
the day shown, the settings, the undo stack and the one announcement per change, made
here (``apply_changes``) or by another connection (the session's poll of the change
feed). The table is a thin model over the day query, read again on each announcement.
The pages are built from the session by ``gui/pages.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QObject,
    QSize,
    Qt,
    QTimer,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..services.context import ChangeSet, ClinicSettings, Context
from ..services.storage import store_files
from . import start_gc, window_state
from .first_paint import after_first_paint
from .pages import Features, attach_pages
from .planner.day_model import DayAppointmentsModel
from .resources import (
    APP_ICON,
    ICON_NAMES,
    icon_is_valid,
    load_icon,
    load_stylesheet,
)
from .session import Session
from .shell import Shell
from .widgets import read_only_table

if TYPE_CHECKING:
    from ..reports.day_sheet import DaySheet

APP_TITLE = "T-DM1 Chair Scheduler"


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


DEMO_NOTICE = (
    "Demo clinic: made-up patients in a temporary folder. Nothing done here is kept "
    "after you quit. To start your own clinic: tdm1-scheduler init --db PATH, then "
    "open it with --db PATH."
)


FRAME_ALLOWANCE = QSize(16, 48)  # a window manager's borders and title bar, before show


def first_size(available: QSize) -> QSize:
    """1280x800 where the screen has room, else what fits in the screen's free area with
    the window's frame (1366x768)."""
    return QSize(
        min(1280, available.width() - FRAME_ALLOWANCE.width()),
        min(800, available.height() - FRAME_ALLOWANCE.height()),
    )


class SizeWhenShown(QObject):
    """A table's columns fit their contents while it is shown, and stay as they are
    while it is hidden (issue 19: the Day list, a hidden tab at start, read 50 rows of
    11 columns in 8 roles, and the day's readiness, to size columns nobody saw)."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.header = table.horizontalHeader()
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show:
            self.header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        elif kind == QEvent.Type.Hide:
            self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return False


class MainWindow(Shell):
    model: DayAppointmentsModel
    features: Features

    def __init__(self, ctx: Context, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.demo = demo
        self.session = Session(ctx, self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self._title())
        self.setWindowIcon(load_icon(APP_ICON))
        self.setAccessibleName(APP_TITLE)
        self.resize(first_size(self.screen().availableGeometry().size()))

        self.model = DayAppointmentsModel(self.settings, load_icon("first-infusion"))
        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.statusBar().setObjectName("statusBar")

        self._load_day(self.shown_day)
        # Before any page: the Day list is read again first, then the pages are told.
        self.session.sig_day_changed.connect(self._load_day)
        self.session.sig_changed.connect(self._data_changed)
        self.features = attach_pages(self.session, self)
        window_state.restore_state(self)
        if start_gc.paused():  # after the first paint and the work it queued (issue 19)
            after_first_paint(self, lambda: QTimer.singleShot(0, start_gc.resume))

    # --- the session, for callers of the window --------------------------------------
    @property
    def settings(self) -> ClinicSettings:
        return self.session.settings

    @property
    def undo_stack(self) -> QUndoStack:
        return self.session.undo_stack

    @property
    def sig_day_changed(self) -> SignalInstance:
        """The day shown changed (``Session.sig_day_changed``)."""
        return self.session.sig_day_changed

    @property
    def sig_data_changed(self) -> SignalInstance:
        """The data changed, once per change (``Session.sig_changed``)."""
        return self.session.sig_changed

    @property
    def poll_timer(self) -> QTimer:
        return self.session.poll_timer

    # --- building -------------------------------------------------------------------
    def _title(self) -> str:
        title = f"{APP_TITLE} - {self.settings.name}"
        return f"{title} (demo)" if self.demo and "(demo)" not in title else title

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 4)
        self.day_title = QLabel(central)
        self.day_title.setObjectName("dayTitleLabel")
        self.day_title.setAccessibleName("Day shown")
        self.drug_banner = QLabel(f"{DRUG_NAME}: {DRUG_NAME_REMINDER}", central)
        self.drug_banner.setObjectName("drugBannerLabel")
        self.drug_banner.setAccessibleName("Drug reminder")
        self.table = read_only_table(central, "dayTable", "Appointments of the day shown")
        layout.addWidget(self.day_title)
        layout.addWidget(self.drug_banner)
        if self.demo:  # practice data in a temporary folder: say so, always in view
            self.demo_banner = QLabel(DEMO_NOTICE, central)
            self.demo_banner.setObjectName("demoBannerLabel")
            self.demo_banner.setAccessibleName("Demo clinic notice")
            self.demo_banner.setWordWrap(True)
            self.demo_banner.setStyleSheet(
                "background: #fff4d6; color: #5a3d00; border: 1px solid #d9a400; padding: 4px;"
            )
            layout.addWidget(self.demo_banner)
        if self.session.live is not None:  # a server store: say when it is unreachable
            layout.addWidget(self.session.live.banner(central))
        # Feature views (planner grid, nurse board, pharmacy) are pages; the list is one.
        self.pages = QTabWidget(central)
        self.pages.setObjectName("pages")
        self.pages.setAccessibleName("Views")
        self.pages.setDocumentMode(True)
        layout.addWidget(self.pages, 1)
        # In its tab before its model and headers are set: moving the table once they
        # are styles it and its parts again under the stylesheet (issue 19: 11 M).
        self.add_page(self.table, "Day list", "dayListPage")
        # Before its model: the hidden table's headers are not measured at start (issue 19).
        self.table_sizer = SizeWhenShown(self.table)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(50)  # size columns from 50 rows, not a full day
        header.setMinimumSectionSize(48)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.setCentralWidget(central)

    def _action(
        self,
        text: str,
        name: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.quit_action = self._action(
            "&Quit", "quitAction", self.close, QKeySequence(QKeySequence.StandardKey.Quit)
        )
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.previous_action = self._action(
            "&Previous day", "previousDayAction", self.show_previous_day, QKeySequence("Alt+Left")
        )
        self.previous_action.setIcon(load_icon("go-previous"))
        self.previous_action.setToolTip("Show the previous day (Alt+Left)")
        self.next_action = self._action(
            "&Next day", "nextDayAction", self.show_next_day, QKeySequence("Alt+Right")
        )
        self.next_action.setIcon(load_icon("go-next"))
        self.next_action.setToolTip("Show the next day (Alt+Right)")
        self.today_action = self._action(
            "&Today", "todayAction", self.show_today, QKeySequence("Alt+Home")
        )
        self.today_action.setIcon(load_icon("go-today"))
        self.today_action.setToolTip("Show today, or the next open day when closed today")
        self.refresh_action = self._action(
            "&Refresh", "refreshAction", self.reload, QKeySequence(QKeySequence.StandardKey.Refresh)
        )
        self.about_action = self._action("&About", "aboutAction", self.show_about)
        self.print_action = self._action(
            "&Print day sheet...",
            "printDaySheetAction",
            self.print_day_sheet,
            QKeySequence(QKeySequence.StandardKey.Print),
        )
        # Not save_day_sheet_pdf itself: triggered(bool) would pass False as the path.
        self.pdf_action = self._action(
            "Save day sheet as P&DF...", "saveDaySheetPdfAction", self.ask_save_day_sheet_pdf
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {}
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.pdf_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("editMenu")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.setObjectName("viewMenu")
        for action in (self.previous_action, self.next_action, self.today_action):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.refresh_action)
        tools_menu = bar.addMenu("&Tools")
        tools_menu.setObjectName("toolsMenu")
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        self.menus.update(
            file=file_menu, edit=edit_menu, view=self.view_menu, tools=tools_menu, help=help_menu
        )
        help_menu.addAction(self.about_action)

    def _tool_button(self, action: QAction, name: str, accessible: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Day navigation", self)
        toolbar.setObjectName("dayToolbar")
        toolbar.setAccessibleName("Day navigation")
        toolbar.setMovable(False)
        self.previous_button = self._tool_button(
            self.previous_action, "previousDayButton", "Previous day"
        )
        self.today_button = self._tool_button(self.today_action, "todayButton", "Today")
        self.next_button = self._tool_button(self.next_action, "nextDayButton", "Next day")
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("dayDateEdit")
        self.date_edit.setAccessibleName("Pick the day shown")
        self.date_edit.setToolTip("Pick the day shown")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.date_edit.dateChanged.connect(self._date_picked)
        for widget in (self.previous_button, self.today_button, self.next_button):
            toolbar.addWidget(widget)
        toolbar.addSeparator()
        toolbar.addWidget(self.date_edit)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self.view_menu.addSeparator()
        toggle = toolbar.toggleViewAction()
        toggle.setText("Show day &navigation toolbar")
        toggle.setObjectName("toggleToolbarAction")
        self.view_menu.addAction(toggle)

    # --- days ---------------------------------------------------------------------
    def clinic_today(self) -> date:
        """The clinic's today from ``ctx.clock``; the next open day when closed today."""
        return self.session.clinic_today()

    @property
    def shown_day(self) -> date:
        return self.session.shown_day

    def show_day(self, day: date) -> None:
        """Show ``day`` (the session tells every page); the Day list catches up alone."""
        if not self.session.show_day(day) and self.model.day != day:
            self._load_day(day)

    @Slot()
    def show_previous_day(self) -> None:
        self.show_day(self.shown_day - timedelta(days=1))

    @Slot()
    def show_next_day(self) -> None:
        self.show_day(self.shown_day + timedelta(days=1))

    @Slot()
    def show_today(self) -> None:
        self.show_day(self.clinic_today())

    @Slot(QDate)
    def _date_picked(self, value: QDate) -> None:
        self.show_day(from_qdate(value))

    @Slot(object)
    def _load_day(self, day: date) -> None:
        """Read the Day list of ``day`` (the session says which day is shown)."""
        session = self.session  # the lean read the planner shares (issue 19)
        self.model.reload(self.ctx.store, day, session.day_blocks(day), session.booking)
        if from_qdate(self.date_edit.date()) != day:
            blocked = self.date_edit.blockSignals(True)
            self.date_edit.setDate(to_qdate(day))
            self.date_edit.blockSignals(blocked)
        self._update_labels()

    def _update_labels(self) -> None:
        day = self.shown_day
        calendar = self.settings.calendar
        today = calendar.local_date(self.ctx.clock.now())
        note = " (today)" if day == today else ""
        closed = calendar.why_closed(day)
        self.day_title.setText(f"{day:%A %d %B %Y}{note}")
        count = self.model.rowCount()
        first = self.model.first_infusions()
        text = f"{count} appointment(s), {first} first infusion(s)"
        if closed:
            text = f"{text}; {closed}"
        self.statusBar().showMessage(f"{text} | {self.settings.name} | {self.settings.timezone}")

    # --- reloading ------------------------------------------------------------------
    @Slot()
    def reload(self) -> None:
        """Read the clinic settings and the day again, and tell every view once."""
        self.session.reload()

    @Slot(object)
    def _data_changed(self, _changes: object) -> None:
        """Any change: the Day list of the day shown, with the settings just read."""
        self.model.set_settings(self.settings)
        self._load_day(self.shown_day)

    @Slot()
    def poll_data_version(self) -> bool:
        """Show another connection's commits since the last look (the session's poll)."""
        return self.session.poll()

    def stop_polling(self) -> None:
        self.session.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_polling()
        window_state.save_state(self)
        super().closeEvent(event)

    def apply_changes(self, changes: ChangeSet) -> None:
        """A service call made in this window changed data: show it (one announcement)."""
        self.session.apply_changes(changes)

    # --- dialogs ----------------------------------------------------------------------
    def day_sheet(self) -> DaySheet:
        from ..reports.day_sheet import build_day_sheet  # only when printing

        return build_day_sheet(self.ctx.store, self.shown_day, self.ctx.clock)

    def print_day_sheet(self) -> None:
        """Print preview of the day shown; the same render path as the PDF."""
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from ..reports.paint import prepare_printer, render_pages  # only when printing

        sheet = self.day_sheet()
        # The dialog does not own its printer: keep it alive as long as the preview.
        self.preview_printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(self.preview_printer)
        self.preview = QPrintPreviewDialog(self.preview_printer, self)
        self.preview.setObjectName("daySheetPreview")
        self.preview.setWindowTitle(f"Day sheet {sheet.day:%a %Y-%m-%d}")
        self.preview.paintRequested.connect(
            lambda device: render_pages(sheet, device, set_layout=False)
        )
        self.preview.open()

    def suggested_pdf_name(self) -> str:
        return f"day-sheet-{self.shown_day:%Y-%m-%d}.pdf"

    @Slot()
    def ask_save_day_sheet_pdf(self) -> str | None:
        """File > Save day sheet as PDF: a save dialog with a suggested name."""
        from PySide6.QtWidgets import QFileDialog  # built when asked (issue 19)

        path, _ = QFileDialog.getSaveFileName(
            self, "Save day sheet", self.suggested_pdf_name(), "PDF (*.pdf)"
        )
        return self.save_day_sheet_pdf(path) if path else None

    def save_day_sheet_pdf(self, path: str | None = None) -> str | None:
        """Save the day shown as a PDF; asks for a file name unless one is given. Like
        the CLI, it never writes to the database's files, through a symlink, or over a
        file that is not a PDF, and writes all or nothing (``safe_files``)."""
        if not isinstance(path, str) or not path:
            return self.ask_save_day_sheet_pdf()
        from PySide6.QtWidgets import QMessageBox  # built when asked (issue 19)

        from ..reports.paint import write_pdf  # only when saving
        from ..safe_files import (
            OutputFailed,
            OutputRefused,
            check_output_path,
            is_pdf,
        )

        try:
            target = check_output_path(
                path,
                field="file",
                protected=store_files(self.ctx.store),
                replace_if=is_pdf,
            )
            pages = write_pdf(self.day_sheet(), target)
        except (OutputRefused, OutputFailed) as error:
            reason = getattr(error, "rule", None) or str(error)
            self.statusBar().showMessage(f"Day sheet not saved: {reason}")
            box = QMessageBox(QMessageBox.Icon.Warning, "Day sheet not saved", reason, parent=self)
            box.setObjectName("pdfNotSavedMessage")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.pdf_refusal = box
            box.open()
            return None
        self.statusBar().showMessage(f"Day sheet saved to {path} ({pages} page(s))", 5000)
        return path

    @Slot()
    def show_about(self) -> None:
        from . import forms  # QtUiTools and the form: only when asked (issue 19)

        dialog = forms.build_about_dialog(self)
        dialog.setWindowIcon(load_icon(APP_ICON))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dialog
        dialog.open()

    def self_check(self) -> bool:
        """Build every form and dialog, load every icon and the stylesheet."""
        from . import forms

        problems: list[str] = []
        for name in forms.FORM_NAMES:
            try:
                widget = forms.load_form(name, self)
                widget.deleteLater()
            except (forms.FormError, OSError) as error:
                problems.append(str(error))
        try:
            forms.build_about_dialog(self).deleteLater()
        except (forms.FormError, OSError) as error:
            problems.append(str(error))
        problems.extend(f"icon {name}" for name in ICON_NAMES if not icon_is_valid(name))
        try:
            if not load_stylesheet().strip():
                problems.append("stylesheet is empty")
        except OSError as error:
            problems.append(f"stylesheet: {error}")
        for problem in problems:
            print(f"self-check: {problem}")
        return not problems


def apply_application_style(app: QCoreApplication) -> None:
    """The app icon and stylesheet for the whole application.

    Kept on the application, not scoped to the widgets its rules style (issue 19,
    perf-style8): the sheet costs the demo's start about 30 M instructions, nearly all in
    widgets that a rule styles or that sit under one (toolbar, Patients dock, tables,
    headers); per-widget sheets on those alone counted the same as the app-wide one, and
    every QToolButton, QTableView and QHeaderView in dialogs and popups needs it too.
    """
    app.setApplicationVersion(__version__)
    if isinstance(app, QApplication):
        app.setWindowIcon(load_icon(APP_ICON))
        app.setStyleSheet(load_stylesheet())
