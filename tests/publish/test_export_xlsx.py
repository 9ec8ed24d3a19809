"""Excel export read back with openpyxl: sheets, rows, real dates, neutralised formulas."""

from __future__ import annotations

from datetime import date, datetime, time

import openpyxl
from tiny_plan import DATES

from planner.publish import write


def _book(ctx, tmp_path):
    (path,) = write(ctx, "xlsx", tmp_path)
    assert path.name == "plan_optimised.xlsx"
    return openpyxl.load_workbook(path)


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_sheets_in_order(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    assert wb.sheetnames == [
        "Calendrier",
        "Parcours",
        "Séances",
        "Feuilles de route",
        "Chiffres clés",
        "Par EPCI",
        "Non servis",
    ]


def test_calendar_has_one_row_per_session_with_real_dates(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    header, rows = _rows(wb["Calendrier"])
    assert header[:4] == ("Date", "Jour", "Début", "Fin")
    assert len(rows) == 10
    first = rows[0]
    assert isinstance(first[0], datetime) and first[0].date() == DATES[0]
    assert first[2] == time(9, 0)
    assert first[1] == "mardi"
    assert wb["Calendrier"]["A2"].number_format == "DD/MM/YYYY"
    assert {r[0].date() for r in rows} == set(DATES)


def test_series_and_day_sheets(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    header, rows = _rows(wb["Parcours"])
    assert "Participants attendus" in header
    assert len(rows) == 2
    assert rows[0][header.index("Séances")] == 5
    assert rows[0][header.index("Première séance")].date() == date(2026, 3, 17)
    header, rows = _rows(wb["Feuilles de route"])
    assert len(rows) == 10  # 5 days × 2 stops
    assert rows[0][header.index("Km de la journée")] == 60


def test_key_figures_and_unserved_with_reasons(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    header, rows = _rows(wb["Chiffres clés"])
    assert header[:4] == ("Indicateur", "Plan", "Saupoudrage", "Avant le plan")
    labels = [r[0] for r in rows]
    assert "Personnes suivant un parcours complet" in labels
    assert "Indice de Gini (équité)" in labels
    assert all(r[header.index("Définition")] for r in rows)
    header, rows = _rows(wb["Non servis"])
    assert rows[0][header.index("Commune")] == "Épineuil-Test"
    assert rows[0][header.index("Ce qui changerait la décision")] == "Abaisser le seuil à 5."


def test_formula_injection_is_neutralised(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    header, rows = _rows(wb["Non servis"])
    reason = rows[0][header.index("Raison")]
    assert reason.startswith("'=")
    header, rows = _rows(wb["Calendrier"])
    places = [r[header.index("Lieu")] for r in rows]
    assert any(p.startswith("'=HYPERLINK") for p in places)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"
