"""Errors the library raises, each with a French message meant for the user.

Code catches these at the edges (CLI, pages) and shows ``str(error)``; a traceback
never reaches a coordinator.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class: ``str(error)`` is a complete French sentence for the user."""


class InputError(PlannerError):
    """Bad user input, located as precisely as possible.

    Parameters
    ----------
    message
        What is wrong, in French.
    file
        Name of the file concerned, if any.
    row
        1-based row number as a spreadsheet shows it (header is row 1), if known.
    column
        Column name, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.located())

    def located(self) -> str:
        """Return the message prefixed with its place (file, row, column)."""
        where = []
        if self.file:
            where.append(f"fichier « {self.file} »")
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.message}" if where else self.message


class UnknownTerritoryError(PlannerError):
    """A territory spec that names nothing we know."""


class InfeasibleError(PlannerError):
    """Settings under which no plan can exist; the message says why and what to change."""


class AccessDenied(PlannerError):
    """A missing, expired, revoked or foreign access token or role."""
