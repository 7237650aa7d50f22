"""The command line's ``main``, imported with the cyclic collector paused (issue 19).

Importing the CLI makes some 15,000 objects that live as long as the process (the
modules' classes, functions, enums and records) and almost no garbage: the 17
collections the imports started freed about 300 objects of cyclic garbage, while each
one and the interpreter's collections at exit walked the modules' objects for nothing
(about 27 million instructions of ``course show --json``'s 289 million, cachegrind).
So the first import runs with the collector off; then ``gc.freeze()``, so the start's
survivors are never scanned again (at exit either), and the collector as it was.
Objects the command makes are collected as always. The ~300 objects of the imports'
cyclic garbage (classes replaced as they were made: slots classes remade, ``datetime``'s
Python classes replaced by ``_datetime``'s; no files, no connections) are frozen with
the rest: a collection to free them walks all 12,500 new objects (4.5 million
instructions) for a few kilobytes. The GUI's start does the like (``gui.start_gc``).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

__all__ = ["imported_main"]

_MAIN = "tdm1_scheduler.cli.main"


def imported_main() -> Callable[..., int]:
    """``cli.main.main``; its first import in the process with the collector paused."""
    if _MAIN in sys.modules or not gc.isenabled():
        from .main import main

        return main
    gc.disable()
    try:
        from .main import main
    finally:
        gc.freeze()
        gc.enable()
    return main
