"""Excel export of planned vs done: overall figures, parcours, sessions, origins, age bands.

The sheets are written by the plan workbook's own writer (:mod:`planner.publish.xlsx`): real
dates and times, neutralised text cells, French headers.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from openpyxl import Workbook

from planner.model import Plan
from planner.publish.report import CostRates, ReportContext
from planner.publish.xlsx import add_sheet
from planner.realised.figures import (
    ages_frame,
    figures_frame,
    origins_frame,
    realised_figures,
    series_frame,
    sessions_frame,
)
from planner.realised.places import region_places
from planner.realised.season import RealisedSeason

EMPTY_NOTE = "Rien de réalisé n'est encore enregistré pour ce plan."


def _rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def realised_workbook(
    plan: Plan,
    realised: RealisedSeason,
    ctx: ReportContext | None = None,
    rates: CostRates | None = None,
    *,
    name: Callable[[str], str] | None = None,
) -> Workbook:
    """The workbook « Réalisé » (not yet saved): one sheet per table of :mod:`planner.realised.figures`."""
    name = name or region_places().name
    sheets = (
        ("Synthèse", figures_frame(realised_figures(plan, realised, ctx, rates))),
        ("Parcours", series_frame(plan, realised, name)),
        ("Séances", sessions_frame(plan, realised, name).drop(columns=["uid"])),
        ("Origine des participants", origins_frame(plan, realised, name)),
        ("Tranches d'âge", ages_frame(plan, realised)),
    )
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets:
        add_sheet(wb, title, _rows(frame), EMPTY_NOTE)
    return wb


def realised_xlsx(
    plan: Plan,
    realised: RealisedSeason,
    ctx: ReportContext | None = None,
    rates: CostRates | None = None,
    *,
    name: Callable[[str], str] | None = None,
) -> bytes:
    """:func:`realised_workbook` as the bytes of an ``.xlsx`` file (for a download button)."""
    buffer = io.BytesIO()
    realised_workbook(plan, realised, ctx, rates, name=name).save(buffer)
    return buffer.getvalue()
