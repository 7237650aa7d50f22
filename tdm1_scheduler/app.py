"""Starting the GUI: the QApplication, the database and the main window."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import tzinfo
from pathlib import Path

from .clock import Clock, FixedClock, SystemClock


def gui_clock(now: str | None, zone: tzinfo) -> Clock:
    """``--now`` as a fixed clock, as the CLI reads it (no offset = clinic wall time in
    ``zone``); the system clock without it. A bad value is a ``DomainError``."""
    if not now:
        return SystemClock()
    from .cli.common import parse_instant

    return FixedClock(parse_instant("now", now, zone))


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from .domain.calendar import zone_from_name
    from .domain.errors import DomainError
    from .gui.main_window import MainWindow, apply_application_style
    from .services.clinic_store import clinic_target, open_clinic_store
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
            store = open_clinic_store(target)
            clock = gui_clock(args.now, load_settings(store).calendar.zone)
            if path is None and not args.now:  # on a server, its clock: the PCs agree
                from .services.live_server import clock_for

                clock = clock_for(store, clock)
    except DomainError as error:  # a bad --now: one line, exit 2, as the CLI does
        print(f"refused: {error}", file=sys.stderr)
        return 2
    except StoreError as error:
        if path is not None:
            raise  # a file: as before
        print(f"error: {error}", file=sys.stderr)  # the server: one line, no password
        return 1
    window = MainWindow(Context(store, clock, args.user or "scheduler"), demo=demo)
    if args.self_check:
        return 0 if window.self_check() else 1
    window.show()
    code = int(app.exec())
    if demo and path is not None:  # the demo's temporary folder goes with it (as the banner says)
        store.close()
        shutil.rmtree(path.parent, ignore_errors=True)
    return code
