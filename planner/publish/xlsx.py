"""Excel workbook of a plan (openpyxl): calendar, series, sessions, day sheets, key figures,
figures by EPCI and what was left out, with French headers.

Dates are written as real dates (``JJ/MM/AAAA``) and times as real times (``HH:MM``), so that
a coordinator can sort and filter them; every text cell goes through
:func:`planner.inputs.tables.neutralise_formula` so that a venue named ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.publish.common import ExportContext, neutralise
from planner.publish.tables import (
    Rows,
    calendar_rows,
    day_sheet_rows,
    epci_rows,
    figure_rows,
    series_rows,
    session_rows,
    unserved_rows,
)

DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "HH:MM"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")

#: sheet title -> row builder, in workbook order
SHEETS = (
    ("Calendrier", calendar_rows),
    ("Parcours", series_rows),
    ("Séances", session_rows),
    ("Feuilles de route", day_sheet_rows),
    ("Chiffres clés", figure_rows),
    ("Par EPCI", epci_rows),
    ("Non servis", unserved_rows),
)


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "item") and not isinstance(value, (date, time)):  # numpy scalars
        return value.item()
    return value


def _write_sheet(wb: Workbook, title: str, rows: Rows, empty_note: str) -> None:
    ws = wb.create_sheet(title)
    if not rows:
        ws.append([empty_note])
        return
    headers = list(rows[0].keys())
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell_value(row.get(h)) for h in headers])
    widths = {h: len(h) for h in headers}
    for r_idx, row in enumerate(ws.iter_rows(min_row=2), start=2):
        for c_idx, cell in enumerate(row):
            v = cell.value
            if isinstance(v, (date, datetime)) and not isinstance(v, datetime):
                cell.number_format = DATE_FORMAT
            elif isinstance(v, time):
                cell.number_format = TIME_FORMAT
            h = headers[c_idx]
            widths[h] = max(widths[h], min(60, len(str(v)) if v is not None else 0))
        del r_idx
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, widths[h] + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def build_workbook(ctx: ExportContext) -> Workbook:
    """The workbook of a plan (not yet saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, builder in SHEETS:
        _write_sheet(wb, title, builder(ctx), "Aucune ligne pour ce plan.")
    return wb


def write_xlsx(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``plan_<kind>.xlsx`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan_{ctx.plan.kind}.xlsx"
    build_workbook(ctx).save(path)
    return [path]
