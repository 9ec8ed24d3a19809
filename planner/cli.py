"""Command line: ``python -m planner territory|plan|export|requests|access …``.

Each sub-command lives in its own module of :mod:`planner.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
Library errors become a one-line French message on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import planner.commands
from planner.errors import PlannerError


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command found in :mod:`planner.commands`."""
    parser = argparse.ArgumentParser(
        prog="python -m planner",
        description="Aller-vers : planification de la médiation numérique itinérante.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(planner.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"planner.commands.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PlannerError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - swallow the final flush at exit
        return 0
