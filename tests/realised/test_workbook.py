"""The Excel export of planned vs done."""

import io
from datetime import date

from openpyxl import load_workbook

from planner.publish.report import ReportContext
from planner.realised.outcome import SessionOutcome
from planner.realised.season import RealisedSeason
from planner.realised.workbook import realised_xlsx
from tests.publish.tiny_plan import tiny_matrix, tiny_needs, tiny_territory
from tests.realised.plans import tiny_plan_with_uids, uid


def test_workbook_sheets_and_values():
    plan = tiny_plan_with_uids()
    realised = RealisedSeason.of(
        [
            SessionOutcome(uid(plan, "S1", 1), True, 9, residence={"18002": 9}, age_bands={"60-69": 2}),
            SessionOutcome(uid(plan, "S2", 1), False, cancel_reason="venue_unavailable"),
        ]
    )
    ctx = ReportContext(tiny_territory(), tiny_needs(), tiny_matrix())
    wb = load_workbook(io.BytesIO(realised_xlsx(plan, realised, ctx, name={"18002": "Bréviande"}.get)))
    assert wb.sheetnames == ["Synthèse", "Parcours", "Séances", "Origine des participants", "Tranches d'âge"]
    sessions = list(wb["Séances"].values)
    header, first = sessions[0], dict(zip(sessions[0], sessions[1], strict=True))
    assert "uid" not in header
    assert (
        first["Date"].date() == date(2026, 3, 17)
        and first["Statut"] == "Tenue"
        and first["Participants"] == 9
    )
    cancelled = dict(zip(header, sessions[2], strict=True))
    assert cancelled["Statut"] == "Annulée" and cancelled["Motif d'annulation"] == "lieu indisponible"
    summary = {row[0]: row for row in wb["Synthèse"].values}
    assert summary["Séances"][1:3] == (10, 1)
    ages = list(wb["Tranches d'âge"].values)
    assert ages[1] == ("60 à 69 ans", 2, 22.2)


def test_empty_season_still_exports():
    plan = tiny_plan_with_uids()
    wb = load_workbook(io.BytesIO(realised_xlsx(plan, RealisedSeason())))
    assert list(wb["Tranches d'âge"].values) == [("Rien de réalisé n'est encore enregistré pour ce plan.",)]
