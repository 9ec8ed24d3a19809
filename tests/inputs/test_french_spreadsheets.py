"""Every import reads the spreadsheets French users have, and refuses broken ones naming line and column.

Files are made here in the shapes found in the field: Windows-1252 with ``;``, UTF-8 with BOM,
French headers with accents and capitals, a title row and notes above the header, decimal commas
and thousands separators, and real ``.xlsx`` workbooks (openpyxl) with date and time cells, a
title row and INSEE codes stored as numbers (leading zero eaten).
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.errors import InputError
from planner.hosting.request_form import read_request_table
from planner.inputs.communes import read_communes_file
from planner.inputs.sheet import Column, parse_date, parse_number, parse_time, read_sheet
from planner.inputs.tables import load_locked_sessions, load_requests, load_resources, read_requests_frame

TODAY = date(2026, 11, 1)


def xlsx(rows: list[list], title: str | None = None) -> bytes:
    """A real Excel workbook: optional title row and blank row, then ``rows`` (typed cells kept)."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "cp1252") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ----------------------------------------------------------------------------------- requests


REQUESTS_FR = (
    "Demandes d'accueil reçues – saison 2027\n"
    "Saisies par la coordination ; ne pas modifier l'en-tête\n"
    "\n"
    "Code INSEE;Commune;Lieu;Jours possibles;Dates impossibles;Électricité;Participants attendus\n"
    "18279;Vierzon;Médiathèque;mardi, vendredi;9/2/27 12/02/2027;oui;\n"
    "1053;Bourg-en-Bresse;Salle des fêtes;ven;;non;1 2\n"
)


def test_requests_in_cp1252_with_a_title_row_and_french_headers(tmp_path):
    path = csv_file(tmp_path, "demandes.csv", REQUESTS_FR.replace("1 2\n", "12\n"))
    first, second = load_requests(path)
    assert first.code_insee == "18279" and first.venue == "Médiathèque" and first.weekdays == (1, 4)
    assert first.blackout_dates == {date(2027, 2, 9), date(2027, 2, 12)}
    assert second.code_insee == "01053"  # the leading zero eaten by a spreadsheet, checked against the COG
    assert not second.has_power and second.expected_participants == 12
    frame = read_requests_frame(path)
    assert "commune" in frame.columns  # the name column is kept as an extra column


def test_a_four_digit_code_that_is_no_commune_is_refused_not_padded(tmp_path):
    path = csv_file(tmp_path, "demandes.csv", REQUESTS_FR.replace("1053;", "1810;").replace("1 2\n", "12\n"))
    with pytest.raises(InputError) as info:
        load_requests(path)
    err = info.value
    assert (err.file, err.row, err.column) == ("demandes.csv", 6, "Code INSEE")
    assert "« 1810 » n'est pas une commune" in err.message and "01810" in err.message
    assert str(err).startswith("fichier « demandes.csv », ligne 6, colonne « Code INSEE »")


def test_a_bad_cell_is_named_by_line_and_header_as_written(tmp_path):
    path = csv_file(tmp_path, "demandes.csv", REQUESTS_FR.replace("1 2\n", "douze\n"))
    with pytest.raises(InputError, match="nombre entier attendu, lu « douze »") as info:
        load_requests(path)
    assert (info.value.row, info.value.column) == (6, "Participants attendus")


def test_request_form_import_reads_an_excel_workbook_with_title_row_and_date_cells():
    data = xlsx(
        [
            ["Code INSEE", "Commune", "Lieu", "Adresse", "Jours possibles", "Disponible à partir du", "Jusqu'au",
             "Dates impossibles", "Électricité", "Participants attendus", "Téléphone du contact"],
            [18103, "Graçay", "Salle des fêtes", "1 place du Marché", "mar", datetime(2027, 1, 4),
             datetime(2027, 3, 26), datetime(2027, 2, 16), True, 8, "02 48 51 42 07"],
            [3185, "Montluçon", "Centre social", "", "jeudi", None, None, "16/02/2027; 23/02/2027", "non", None, ""],
        ],
        title="Demandes reçues par téléphone",
    )  # fmt: skip
    gracay, montlucon = read_request_table(data, "demandes.xlsx", today=TODAY)
    assert gracay.code_insee == "18103" and gracay.period_start == date(2027, 1, 4)
    assert gracay.period_end == date(2027, 3, 26) and gracay.blackout_dates == {date(2027, 2, 16)}
    assert gracay.has_power and gracay.expected_participants == 8 and gracay.contact_phone == "02 48 51 42 07"
    assert montlucon.code_insee == "03185" and montlucon.weekdays == (3,)
    assert montlucon.blackout_dates == {date(2027, 2, 16), date(2027, 2, 23)}


def test_request_form_import_in_cp1252_is_read_and_a_bad_row_named(tmp_path):
    path = csv_file(tmp_path, "demandes.csv", "Code INSEE;Lieu;E-mail\n18103;Salle des fêtes;pas-un-email\n")
    with pytest.raises(InputError) as info:
        read_request_table(path, path.name, today=TODAY)
    assert (info.value.file, info.value.row) == ("demandes.csv", 2)
    assert "adresse e-mail invalide" in str(info.value)


def test_excel_formula_in_the_data_is_refused_with_line_and_header():
    data = xlsx([["Code INSEE", "Lieu"], ["18103", '=A1&"x"']])
    with pytest.raises(InputError, match="formule") as info:
        read_request_table(data, "demandes.xlsx", today=TODAY)
    assert (info.value.row, info.value.column) == (2, "Lieu")


def test_an_old_xls_or_a_binary_file_is_refused_in_french(tmp_path):
    with pytest.raises(InputError, match="ancien format Excel"):
        load_requests(b"\xd0\xcf\x11\xe0rest", "vieux.xls")
    with pytest.raises(InputError, match="classeur Excel illisible"):
        load_requests(b"PK\x03\x04 corrupt", "abime.xlsx")
    with pytest.raises(InputError, match="encodage"):
        load_requests(b"\x89PNG\x00\x00", "image.csv")


def test_no_header_in_the_first_lines_names_what_is_missing(tmp_path):
    path = csv_file(tmp_path, "demandes.csv", "Liste des communes\nVierzon;Graçay\n")
    with pytest.raises(InputError, match="colonne obligatoire absente") as info:
        load_requests(path)
    assert info.value.column == "code_insee" and "code INSEE" in info.value.message


# ----------------------------------------------------------------------------------- resources


def test_resources_from_excel_with_time_cells_and_the_pages_headers():
    data = xlsx(
        [
            ["Identifiant", "Type", "Libellé", "Places", "Base", "Jours", "Début", "Fin", "Séances/jour", "Durée (min)", "Électricité"],
            ["bus-cher", "bus", "Bus numérique du Cher", 12, 18279, "mar,ven", time(8, 30), time(17, 0), 2, 180, "oui"],
            ["equipe-2", "équipe", "Médiateurs", 8.0, "18033", "lun; mer", datetime(1899, 12, 30, 9, 0), 0.75, 3, 120, "non"],
        ],
        title="Moyens itinérants 2027",
    )  # fmt: skip
    bus, team = load_resources(data, "moyens.xlsx")
    assert (bus.day_start, bus.day_end, bus.base) == (time(8, 30), time(17, 0), "18279")
    assert team.kind == "team" and team.weekdays == (0, 2)
    assert (team.day_start, team.day_end) == (time(9, 0), time(18, 0))  # 0.75 of a day = 18:00


# ----------------------------------------------------------------------------------- locked sessions


def test_locked_sessions_from_the_plans_own_sessions_table_in_excel():
    data = xlsx(
        [
            ["Parcours (id)", "Séance n°", "Moyen (id)", "Code INSEE", "Commune", "Date", "Début", "Fin", "Verrouillée", "Identifiant de séance"],
            ["S01-18279", 1, "bus-1", 18279, "Vierzon", datetime(2027, 1, 5), time(9, 30), time(12, 30), "oui", "abc"],
            ["S01-18279", 2, "bus-1", 18279, "Vierzon", datetime(2027, 1, 12), time(9, 30), time(12, 30), "non", "abd"],
        ]
    )  # fmt: skip
    (s,) = load_locked_sessions(data, "seances.xlsx")
    assert (s.series, s.index, s.host, s.date, s.start, s.uid) == (
        "S01-18279", 1, "18279", date(2027, 1, 5), time(9, 30), "abc"
    )  # fmt: skip
    assert s.locked


def test_a_date_cell_that_excel_shows_as_midnight_is_a_date_not_a_time():
    data = xlsx([["series", "index", "resource", "host", "date", "start", "end"],
                 ["S1", 1, "bus", "18279", datetime(2027, 1, 5, 0, 0), "9h30", "12 h 30"]])  # fmt: skip
    (s,) = load_locked_sessions(data, "l.xlsx")
    assert s.date == date(2027, 1, 5) and (s.start, s.end) == (time(9, 30), time(12, 30))


# ----------------------------------------------------------------------------------- communes


def test_communes_with_thousands_separators_decimal_commas_and_notes_above(tmp_path):
    text = (
        "Territoire d'étude (source : INSEE 2023)\n"
        "Code INSEE;Nom de la commune;Population;Latitude;Longitude;Part des 75 ans et plus\n"
        "18279;Vierzon;25 068;47,2214;2,0697;12,5\n"
        "18103;Graçay;1\u00a0234;47,1426;1,8456;9,8\n"
    )
    communes = read_communes_file(csv_file(tmp_path, "c.csv", text), "c.csv")
    gracay = communes[0]
    assert gracay.population == 1234 and gracay.indicators["part_des_75_ans_et_plus"] == 9.8
    assert communes[1].population == 25068


# ----------------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 234,5", 1234.5), ("1\u202f234", 1234), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("12,5", 12.5),
     ("-3,5", -3.5), ("1.234.567", 1234567), (12.0, 12.0)],
)  # fmt: skip
def test_numbers_in_french_and_english_shapes(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("09/02/2027", date(2027, 2, 9)), ("9/2/27", date(2027, 2, 9)), ("2027-02-09", date(2027, 2, 9)),
     ("09.02.2027", date(2027, 2, 9)), ("mardi 9 février 2027", date(2027, 2, 9)), ("1er mars 2027", date(2027, 3, 1)),
     ("09/02/2027 00:00:00", date(2027, 2, 9)), (datetime(2027, 2, 9), date(2027, 2, 9))],
)  # fmt: skip
def test_dates_in_the_shapes_spreadsheets_write(text, value):
    assert parse_date(text) == value


@pytest.mark.parametrize("text", ["31/02/2027", "2027-13-01", "bientôt", "9 brumaire 2027"])
def test_impossible_dates_are_refused_in_french(text):
    with pytest.raises(ValueError, match="date invalide"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("9:30", time(9, 30)), ("09:30:00", time(9, 30)), ("9h30", time(9, 30)), ("9 h", time(9, 0)),
     ("14H", time(14, 0)), (time(14, 0), time(14, 0)), (0.375, time(9, 0))],
)  # fmt: skip
def test_times_in_the_shapes_spreadsheets_write(text, value):
    assert parse_time(text) == value


def test_a_row_wider_than_its_header_is_named(tmp_path):
    path = csv_file(tmp_path, "t.csv", "a;b\n1;2\n3;4;5\n")
    with pytest.raises(InputError, match="nombre de cellules") as info:
        read_sheet(path, [Column("a", required=True)])
    assert info.value.row == 3


def test_quoted_cells_with_new_lines_keep_the_line_numbers_right(tmp_path):
    path = csv_file(tmp_path, "t.csv", 'a;b\n1;"deux\nlignes"\nx;4\n', "utf-8")
    with pytest.raises(InputError) as info:
        sheet = read_sheet(path, [Column("a", required=True)])
        for row in sheet.rows:
            row.integer("a")
    assert info.value.row == 4
