"""Entry point: ``python -m tdm1_scheduler`` and the ``tdm1-scheduler`` script."""

from __future__ import annotations

import argparse
import sys


def open_gui(args: argparse.Namespace) -> int:
    from .app import run_gui  # Qt is imported only when the window opens

    return run_gui(args)


def main() -> int:
    from .cli.start import imported_main  # the start's imports with gc paused (issue 19)

    return imported_main()(sys.argv[1:], open_gui=open_gui)


if __name__ == "__main__":
    sys.exit(main())
