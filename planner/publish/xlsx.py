"""Excel workbook of a plan (openpyxl): calendar, series, sessions, day sheets, key figures,
figures by EPCI and what was left out, with French headers.

Dates are written as real dates (``JJ/MM/AAAA``) and times as real times (``HH:MM``), numbers
with a thousands separator, shares as percentages, so that a coordinator can sort, filter and
print them; names and codes are text cells (« 01053 » stays « 01053 »), and a venue named
``=HYPERLINK(…)`` is a text cell marked as such (Excel's quote prefix: no formula, no visible
apostrophe). Every sheet prints in landscape, one page wide, its header row repeated.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.inputs.tables import FORMULA_STARTS
from planner.publish.common import ExportContext
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
INTEGER_FORMAT = "#,##0"  # Excel and LibreOffice show the locale's thousands separator (1 234)
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
#: Columns of the key figures holding values in the figure's unit.
FIGURE_VALUES = ("Plan", "Saupoudrage", "Avant le plan")

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


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "item") and not isinstance(value, (date, time)):  # numpy scalars
        return value.item()
    return value


def _set(cell, value: Any, *, percent: bool = False) -> None:
    """Write one typed cell: text stays text (never a formula, no visible apostrophe)."""
    value = _plain(value)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # shown as typed, kept as text even when edited
        return
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, time):
        cell.number_format = TIME_FORMAT
    elif isinstance(value, int):
        cell.number_format = INTEGER_FORMAT
    elif isinstance(value, float):
        if percent:
            cell.value = value / 100
            cell.number_format = PERCENT_FORMAT
        else:
            cell.number_format = (
                INTEGER_FORMAT if value.is_integer() and abs(value) >= 1000 else DECIMAL_FORMAT
            )


def _print_setup(ws) -> None:
    """Landscape A4, one page wide, header row repeated on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = f"Aller-vers – {ws.title} – page &P sur &N"


def add_sheet(wb: Workbook, title: str, rows: Rows, empty_note: str = "Aucune ligne.") -> None:
    """A sheet of ``rows`` (dicts with the same keys): bold header, typed cells, filters, print setup."""
    ws = wb.create_sheet(title)
    _print_setup(ws)
    if not rows:
        ws.append([empty_note])
        return
    headers = list(rows[0].keys())
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {h: len(h) for h in headers}
    for r_index, row in enumerate(rows, start=2):
        percent = row.get("Unité") == "%"
        for c_index, h in enumerate(headers, start=1):
            value = row.get(h)
            _set(ws.cell(row=r_index, column=c_index), value, percent=percent and h in FIGURE_VALUES)
            widths[h] = max(widths[h], min(60, len(str(value)) if value is not None else 0))
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, widths[h] + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def build_workbook(ctx: ExportContext) -> Workbook:
    """The workbook of a plan (not yet saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, builder in SHEETS:
        add_sheet(wb, title, builder(ctx), "Aucune ligne pour ce plan.")
    return wb


def write_xlsx(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``plan_<kind>.xlsx`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan_{ctx.plan.kind}.xlsx"
    build_workbook(ctx).save(path)
    return [path]
