"""The import files' cells: CSV and xlsx as French offices write them."""

import re
import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from planner.errors import InputError
from planner.realised.reading import (
    Sheet,
    Where,
    cell_date,
    cell_int,
    cell_lines,
    cell_time,
    find_header,
    header_key,
    read_sheets,
)

HERE = Where("f.csv", 7, "Date")


def test_cp1252_semicolon_csv_with_title_rows_and_a_multiline_cell(tmp_path):
    path = tmp_path / "présences.csv"
    text = 'Feuille de présence – printemps;;\n\nDate;Commune;Participants\n03/03/2026;"Thénioux\nsalle";7\n'
    path.write_bytes(text.encode("cp1252"))
    (sheet,) = read_sheets(path)
    assert sheet.rows[0][0] == "Feuille de présence – printemps"
    top = find_header(sheet, [("date",), ("commune",)], "présences.csv")
    assert top == 2 and sheet.rows[3][1] == "Thénioux\nsalle"


def test_xlsx_every_sheet_with_real_dates(tmp_path):
    wb = Workbook()
    wb.active.title = "Notes"
    other = wb.create_sheet("Activités")
    other.append(["Date"])
    other.append([datetime(2026, 3, 3)])
    wb.save(tmp_path / "a.xlsx")
    sheets = read_sheets(tmp_path / "a.xlsx")
    assert [s.name for s in sheets] == ["Notes", "Activités"]
    assert sheets[1].rows[1][0] == datetime(2026, 3, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"\xd0\xcf\x11\xe0rest", r"ancien format Excel \(.xls\)"),
        (b"PKnot a zip", "classeur Excel illisible"),
    ],
)
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_sheets(path)
    with pytest.raises(InputError, match="introuvable"):
        read_sheets(tmp_path / "absent.csv")


def test_header_not_found_names_the_columns():
    with pytest.raises(InputError, match=r"en-tête introuvable.*« date »"):
        find_header(Sheet("s", (("a", "b"),)), [("date", "jour")], "f.csv")


def test_header_keys_ignore_accents_case_and_typographic_apostrophes():
    assert header_key(" Tranche d’âge du  bénéficiaire ") == "tranche d'age du beneficiaire"


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 3, 3, 0, 0), date(2026, 3, 3), 46084, 46084.0, "03/03/2026", "3/3/26", "2026-03-03"],
)
def test_dates(value):
    assert cell_date(value, HERE) == date(2026, 3, 3)


def test_bad_date_is_located():
    with pytest.raises(
        InputError, match=r"fichier « f.csv », ligne 7, colonne « Date » : date invalide : « 31/02/2026 »"
    ):
        cell_date("31/02/2026", HERE)


def test_whole_numbers():
    assert cell_int("12", HERE) == 12 and cell_int(12.0, HERE) == 12 and cell_int("1 2", HERE) == 12
    for bad in ("douze", "2,5", "-1", "501"):
        with pytest.raises(InputError, match="nombre entier"):
            cell_int(bad, HERE)


def test_times():
    assert cell_time("9h30", HERE) == time(9, 30) and cell_time("14:00", HERE) == time(14, 0)
    assert cell_time(0.375, HERE) == time(9, 0) and cell_time("", HERE) is None
    with pytest.raises(InputError, match="heure invalide"):
        cell_time("25h", HERE)


def test_multiline_cells():
    assert cell_lines("Anne\r\nBruno\n\n Chloé ") == ["Anne", "Bruno", "Chloé"]
    assert cell_lines(None) == []


def test_xlsx_with_a_wrong_declared_size_is_read_whole(tmp_path):
    wb = Workbook()
    for i in range(5):
        wb.active.append(["ligne", i])
    wb.save(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as src, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            dst.writestr(item, data)
    (sheet,) = read_sheets(tmp_path / "bad.xlsx")
    assert [r[1] for r in sheet.rows] == [0, 1, 2, 3, 4]
