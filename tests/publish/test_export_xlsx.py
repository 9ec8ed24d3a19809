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


def test_formula_injection_is_neutralised_without_a_visible_apostrophe(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    header, rows = _rows(wb["Non servis"])
    cell = wb["Non servis"].cell(row=2, column=header.index("Raison") + 1)
    assert cell.value == "=1+1 trop peu de personnes"  # shown as typed…
    assert cell.data_type == "s" and cell.quotePrefix  # …as text, never run
    header, rows = _rows(wb["Calendrier"])
    places = [r[header.index("Lieu")] for r in rows]
    assert any(p.startswith("=HYPERLINK") for p in places)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"


def test_sheets_print_landscape_one_page_wide_with_the_header_repeated(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"


def test_numbers_have_formats_and_codes_and_sessions_stay_text(ctx, tmp_path):
    wb = _book(ctx, tmp_path)
    ws = wb["Calendrier"]
    header, rows = _rows(ws)
    assert rows[0][header.index("Séance")] == "1 sur 5"  # never a date
    code = ws.cell(row=2, column=header.index("Code INSEE") + 1)
    assert code.data_type == "s" and code.value == "18002"
    figures = wb["Chiffres clés"]
    header, rows = _rows(figures)
    units = {r[header.index("Indicateur")]: r[header.index("Unité")] for r in rows}
    for i, r in enumerate(rows, start=2):
        cell = figures.cell(row=i, column=header.index("Plan") + 1)
        if cell.value is None:
            continue
        if units[r[header.index("Indicateur")]] == "%":
            assert cell.number_format == "0.0%" and 0 <= cell.value <= 1
        else:
            assert cell.number_format in ("#,##0", "#,##0.0")
    assert "%" in units.values()
