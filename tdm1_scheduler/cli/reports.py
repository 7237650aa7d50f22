"""``tdm1-scheduler day-sheet DATE --pdf FILE | --json``: the day sheet, headless.

``--json`` never loads Qt; ``--pdf`` reaches Qt only through ``reports.paint`` (offscreen,
no display needed) and never through ``gui``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..safe_files import check_output_path, is_pdf
from ..services.storage import Store, store_files

EXIT_OK = 0


def register(commands: Any, command: Callable[..., Any]) -> None:
    """``command(name, help, parent=commands)`` makes a subparser with the global options;
    set ``run=`` to a function ``(args, store) -> exit code``."""
    sheet = command(
        "day-sheet",
        "one day's chairs, timeline and figures as PDF (landscape, black and white) or JSON",
        commands,
    )
    sheet.add_argument("date", help="clinic day YYYY-MM-DD")
    output = sheet.add_mutually_exclusive_group(required=True)
    output.add_argument("--pdf", metavar="FILE", help="write the printable sheet to FILE")
    output.add_argument("--json", action="store_true", help="print the sheet as JSON")
    sheet.add_argument(
        "--paper", choices=["a4", "letter"], default="a4", help="paper size for --pdf"
    )
    sheet.add_argument(
        "--force",
        action="store_true",
        help="replace an existing FILE that is not a PDF (never the database)",
    )
    sheet.set_defaults(run=run_day_sheet)


def run_day_sheet(args: argparse.Namespace, store: Store) -> int:
    from ..reports.day_sheet import build_day_sheet
    from .common import make_clock, parse_day
    from .sheet_text import sheet_text

    day = parse_day("date", args.date)
    clock = make_clock(args, store)
    if args.json:
        with _collector_paused():
            text = sheet_text(build_day_sheet(store, day, clock))  # print_json's bytes
        print(text)  # of sheet_to_json (sheet_text.py)
        return EXIT_OK
    sheet = build_day_sheet(store, day, clock)
    path = check_output_path(
        Path(args.pdf),
        field="--pdf",
        protected=store_files(store),
        replace_if=is_pdf,  # a morning print may reuse one file name
        force=args.force,
    )
    pages = write_pdf_file(sheet, path, args.paper)
    print(f"day sheet {day} written to {path} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the sheet and its text are made (issue 19):
    the sheet's records and texts hold no cycles, and each of the ~15 collections a busy
    day's 10,000 new containers start walks the 60,000 objects of the loaded modules
    for nothing (10 M instructions of 450 M, cachegrind). Restored as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_pdf_file(sheet: Any, path: Path, paper: str) -> int:
    """The PDF, Qt's warnings kept off stderr (one line at most there)."""
    from ..reports.paint import write_pdf_quietly

    return write_pdf_quietly(sheet, path, paper)
