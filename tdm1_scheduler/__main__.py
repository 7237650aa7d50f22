"""Entry point: ``python -m tdm1_scheduler`` and the ``tdm1-scheduler`` script."""

from __future__ import annotations

import sys


def main() -> int:
    from .cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
