"""Starting the GUI: the QApplication, the database and the main window."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from .clock import SystemClock
    from .gui.main_window import MainWindow, apply_application_style
    from .paths import default_db_path
    from .services.context import Context
    from .store.database import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("T-DM1 Chair Scheduler")
    app.setOrganizationName("tdm1-scheduler")
    apply_application_style(app)
    path = Path(args.db) if args.db else default_db_path()
    demo = bool(args.demo or not path.exists())
    if demo:
        from .demo import build_demo_clinic

        path = Path(tempfile.mkdtemp(prefix="tdm1-demo-")) / "demo.db"
        build_demo_clinic(path, SystemClock().now())
    db = open_database(path)
    window = MainWindow(Context(db, SystemClock(), args.user or "scheduler"), demo=demo)
    if args.self_check:
        return 0 if window.self_check() else 1
    window.show()
    return int(app.exec())
