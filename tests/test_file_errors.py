"""A file that cannot be read: one French sentence naming the file (planner.file_errors)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from planner.errors import InputError, UnknownTerritoryError
from planner.file_errors import MAX_COLUMNS, check_file, read_path, reading


def test_a_foreign_exception_becomes_french_naming_the_file():
    with pytest.raises(InputError) as info, reading("demandes.csv"):
        raise csv.Error("field larger than field limit (131072) on line 12")
    assert info.value.file == "demandes.csv" and info.value.row == 12
    assert "field" not in str(info.value) and "tableau illisible" in str(info.value)


def test_python_text_quoted_in_a_refusal_is_reworded_keeping_the_place():
    with pytest.raises(InputError) as info, reading("communes.csv"):
        try:
            b"\xff".decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"fichier illisible ({exc})", file="communes.csv", row=3, column="nom") from exc
    assert str(info.value) == (
        "fichier « communes.csv », ligne 3, colonne « nom » : encodage illisible : enregistrez le fichier "
        "en UTF-8 ou en Windows-1252"
    )


def test_a_french_refusal_is_kept_as_it_is_and_gets_the_file_name():
    with pytest.raises(InputError) as info, reading("moyens.csv"):
        try:
            int("douze")
        except ValueError:
            raise InputError("nombre entier attendu, lu « douze »", row=2, column="seats") from None
    assert (
        str(info.value)
        == "fichier « moyens.csv », ligne 2, colonne « seats » : nombre entier attendu, lu « douze »"
    )


def test_other_planner_errors_pass_through():
    with pytest.raises(UnknownTerritoryError, match=r"^territoire inconnu$"), reading("x.csv"):
        raise UnknownTerritoryError("territoire inconnu")


def _zip(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xlsx", _zip({"xl/worksheets/sheet1.xml": b" " * 5_000_000}), "anormalement volumineux"),
        ("a.xlsx", _zip({"readme.txt": b"x"}), "archive zip qui n'est pas un classeur"),
        ("a.xlsx", b"code_insee;nom\n18103;Gracay\n", "renommé en .xlsx"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "protégé par un mot de passe"),
        ("a.xlsx", b"\x00\x01\x02garbage", "ce n'est pas un classeur Excel"),
        ("a.csv", b"x" * 20_000, "première ligne démesurée"),
        ("a.csv", b";" * MAX_COLUMNS + b"\n", f"plus de {MAX_COLUMNS} colonnes"),
        ("a.csv", b"x" * (21 * 1024 * 1024), "fichier trop volumineux"),
    ],
)
def test_files_no_reader_should_open(name, data, message):
    with pytest.raises(InputError, match=message) as info:
        check_file(data, name)
    assert info.value.file == name


def test_ordinary_files_pass_the_checks():
    check_file(
        _zip({"xl/workbook.xml": b"<workbook/>" * 100, "[Content_Types].xml": b"<Types/>"}, 6), "a.xlsx"
    )
    check_file("code_insee;nom;population\n18103;Graçay;1234\n".encode(), "a.csv")


def test_read_path_names_the_file_given_on_the_command_line(tmp_path):
    path = tmp_path / "demandes.xlsx"
    path.write_bytes(b"code_insee;venue\n")
    with pytest.raises(InputError, match=r"« demandes\.xlsx » : ce fichier est un texte"):
        read_path(lambda p: pytest.fail("the reader ran"), path)
    assert read_path(lambda spec: spec.upper(), "vierzon") == "VIERZON"  # a spec is not a file
