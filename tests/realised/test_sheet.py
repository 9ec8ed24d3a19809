"""A simple attendance sheet (date, commune, participants, optional age bands), in French shapes."""

from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from planner.errors import InputError
from planner.realised.importing import read_activities

CP1252_SHEET = (
    "Feuilles de présence — bus numérique, printemps 2026;;;;;\n"
    ";;;;;\n"
    "Date;Commune;Heure;Participants;60-69 ans;70 ans et plus;Nom du référent\n"
    "03/03/2026;Massay;9h30;8;3;4;Mme Gérardine Fauchon\n"
    "03/03/2026;18100 Thénioux;14:00;0;;;\n"
    ";;;;;\n"
    "10/03/2026;18263;14h00;;;;\n"
)


def _csv(tmp_path, text, name="présences.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return read_activities(path)


def test_french_csv_with_title_rows_age_bands_and_no_show(tmp_path):
    file = _csv(tmp_path, CP1252_SHEET)
    massay, thenioux = file.activities
    assert file.source == "sheet"
    assert (massay.row, massay.date, massay.commune, massay.start, massay.participants) == (
        4,
        date(2026, 3, 3),
        "18140",
        time(9, 30),
        8,
    )
    assert dict(massay.age_bands) == {"60-69": 3, "70+": 4} and massay.attendees == ()
    assert thenioux.commune == "18263" and thenioux.cancel_reason == "no_show" and thenioux.participants == 0
    assert file.warnings == (
        "ligne 7 : ni participants ni motif d'annulation (séance pas encore renseignée), ignorée",
    )
    assert "Fauchon" not in repr(file)  # other columns are never read


def test_cancellation_reason_column(tmp_path):
    file = _csv(tmp_path, "date,commune,participants,motif d'annulation\n2026-03-03,Massay,,Panne du bus\n")
    assert file.activities[0].cancel_reason == "breakdown"


def test_cancelled_line_with_participants_is_refused(tmp_path):
    with pytest.raises(
        InputError, match="ligne 2, colonne « participants » : une séance annulée n'a pas de participants"
    ):
        _csv(tmp_path, "date,commune,participants,annulation\n2026-03-03,Massay,4,météo\n")


def test_unknown_reason_is_located(tmp_path):
    with pytest.raises(
        InputError, match="ligne 2, colonne « annulation » : motif d'annulation inconnu : « grève »"
    ):
        _csv(tmp_path, "date,commune,participants,annulation\n2026-03-03,Massay,,grève\n")


def test_age_bands_above_participants_are_refused(tmp_path):
    with pytest.raises(
        InputError, match="ligne 2 : plus de personnes par tranche d'âge \\(5\\) que de participants \\(4\\)"
    ):
        _csv(tmp_path, "date;commune;participants;70 ans et plus\n03/03/2026;Massay;4;5\n")


def test_unknown_commune_is_kept_with_its_reason(tmp_path):
    (a,) = _csv(tmp_path, "date;commune;participants\n03/03/2026;18100 Vierzonville;4\n").activities
    assert a.commune == "" and a.problem.startswith("commune non reconnue") and a.participants == 4


def test_missing_column_is_named(tmp_path):
    with pytest.raises(InputError, match=r"en-tête introuvable.*« participants »"):
        _csv(tmp_path, "date;commune;inscrits\n03/03/2026;Massay;4\n")


def test_xlsx_sheet_with_excel_dates_and_times(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Présences du bus"])
    ws.append(["Date", "Code INSEE", "Début", "Nombre de participants", "Moins de 60 ans"])
    ws.append([datetime(2026, 3, 10), "18140", time(9, 30), 6, 1])
    wb.save(tmp_path / "p.xlsx")
    (a,) = read_activities(tmp_path / "p.xlsx").activities
    assert (a.row, a.date, a.commune, a.start, a.participants, dict(a.age_bands)) == (
        3,
        date(2026, 3, 10),
        "18140",
        time(9, 30),
        6,
        {"0-59": 1},
    )
