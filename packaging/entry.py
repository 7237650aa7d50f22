"""The bundle's entry point: the same ``main`` as the ``tdm1-scheduler`` script."""

import sys

from tdm1_scheduler.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
