"""Command line: ``python -m planner territory|plan|export|requests|access …``.

Each sub-command lives in its own module of :mod:`planner.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
Library errors become a one-line French message on stderr and a non-zero exit.

Exit codes: 0 done; 2 bad input (arguments, files, values: :class:`~planner.errors.PlannerError`);
3 infeasible settings — valid, but no plan can exist under them, e.g. no parcours can be held
(:class:`~planner.errors.InfeasibleError`, the message names the cause and the setting to change;
no file is written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Sequence

import planner.commands
from planner.errors import InfeasibleError, PlannerError

#: Exit code of settings under which no plan can exist (:class:`InfeasibleError`).
EXIT_INFEASIBLE = 3

# argparse speaks English; these are the messages a user meets, in French.
_ERRORS_FR = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments inconnus : \1"),
    (
        r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
        r"argument \1 : choix invalide \2 (possibles : \3)",
    ),
    (r"argument (\S+): expected one argument", r"argument \1 : une valeur est attendue"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"argument \1 : valeur invalide \3"),
    (r"argument (\S+): not allowed with argument (\S+)", r"argument \1 : incompatible avec \2"),
)
_HEADINGS_FR = (
    ("usage:", "utilisation :"),
    ("positional arguments:", "arguments :"),
    ("options:", "options :"),
    ("show this help message and exit", "afficher cette aide et quitter"),
)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An argument parser whose usage, headings and errors are in French."""

    def format_usage(self) -> str:
        return _headings_fr(super().format_usage())

    def format_help(self) -> str:
        return _headings_fr(super().format_help())

    def error(self, message: str):  # type: ignore[override]
        for pattern, french in _ERRORS_FR:
            message = re.sub(pattern, french, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"Erreur : {message}\n")


def _headings_fr(text: str) -> str:
    for english, french in _HEADINGS_FR:
        text = text.replace(english, french)
    return text


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command found in :mod:`planner.commands`."""
    parser = FrenchArgumentParser(
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
    except InfeasibleError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
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
