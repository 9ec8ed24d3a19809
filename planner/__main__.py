"""``python -m planner …`` — the command line (see :mod:`planner.cli`)."""

import sys

from planner.cli import main

sys.exit(main())
