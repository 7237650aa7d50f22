"""Starting the GUI: the QApplication, the database and the main window.

On a server that asks for a password libpq's usual places do not hold (or hold a wrong
one), the login dialog (``gui/login_dialog.py``) asks for it and the clinic is opened
again with it; Cancel is exit 1 with one line naming the URL (never a password).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from .clock import Clock, FixedClock, SystemClock

if TYPE_CHECKING:
    from .gui.main_window import MainWindow
    from .services.storage import Store


def gui_clock(now: str | None, zone: tzinfo) -> Clock:
    """``--now`` as a fixed clock, as the CLI reads it (no offset = clinic wall time in
    ``zone``); the system clock without it. A bad value is a ``DomainError``."""
    if not now:
        return SystemClock()
    from .cli.common import parse_instant

    return FixedClock(parse_instant("now", now, zone))


class LoginCancelled(Exception):
    """The person cancelled the login dialog (``str()``: the URL, no password)."""


def open_clinic(target: Path | str) -> Store:
    """``open_clinic_store(target)``; on a server that wants a password it was not given
    (or refused the one given), the login dialog asks until it opens or is cancelled."""
    from .services.clinic_store import LoginNeeded, open_clinic_store

    try:
        return open_clinic_store(target)
    except LoginNeeded as needed:
        from .gui.login_dialog import ask_login

        store = ask_login(needed, lambda login: open_clinic_store(target, login=login))
        if store is None:
            raise LoginCancelled(needed.where) from None
        return store


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    opened = open_window(args)
    if isinstance(opened, int):
        return opened
    window, store, demo, path = opened
    if args.self_check:
        return 0 if window.self_check() else 1
    window.show()
    code = int(QApplication.exec())
    if demo and path is not None:  # the demo's temporary folder goes with it (as the banner says)
        store.close()
        shutil.rmtree(path.parent, ignore_errors=True)
    return code


def open_window(args: argparse.Namespace) -> tuple[MainWindow, Store, bool, Path | None] | int:
    """The QApplication, the clinic ``args`` name (the login dialog if the server asks)
    and its main window, not shown yet; or the exit code when it cannot be opened."""
    from PySide6.QtWidgets import QApplication

    from .domain.calendar import zone_from_name
    from .domain.errors import DomainError
    from .gui.main_window import MainWindow, apply_application_style
    from .services.clinic_store import clinic_target
    from .services.context import Context, load_settings
    from .services.errors import StoreError
    from .services.storage import open_store

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("T-DM1 Chair Scheduler")
    app.setOrganizationName("tdm1-scheduler")
    apply_application_style(app)
    target = clinic_target(args.db)  # a file, or a server's URL (issue 16)
    path = target if isinstance(target, Path) else None
    demo = bool(args.demo or (path is not None and not path.exists()))
    try:
        if demo:
            from .demo import DEMO_TIMEZONE, build_demo_clinic

            clock = gui_clock(args.now, zone_from_name(DEMO_TIMEZONE))
            path = Path(tempfile.mkdtemp(prefix="tdm1-demo-")) / "demo.db"
            build_demo_clinic(path, clock.now())
            store = open_store(path)
        else:
            store = open_clinic(target)
            clock = gui_clock(args.now, load_settings(store).calendar.zone)
            if path is None and not args.now:  # on a server, its clock: the PCs agree
                from .services.live_server import clock_for

                clock = clock_for(store, clock)
    except LoginCancelled as cancelled:
        print(f"error: login cancelled for {cancelled}", file=sys.stderr)
        return 1
    except DomainError as error:  # a bad --now: one line, exit 2, as the CLI does
        print(f"refused: {error}", file=sys.stderr)
        return 2
    except StoreError as error:
        if path is not None:
            raise  # a file: as before
        print(f"error: {error}", file=sys.stderr)  # the server: one line, no password
        return 1
    window = MainWindow(Context(store, clock, args.user or "scheduler"), demo=demo)
    return window, store, demo, path
