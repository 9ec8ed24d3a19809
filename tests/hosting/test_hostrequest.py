"""The request form: validation with French messages, plain-text handling, safe exports."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from planner.errors import InputError
from planner.hosting.request_form import (
    MAX_LENGTHS,
    RequestForm,
    RequestRecord,
    availability_blackouts,
    escape_markdown,
    normalise_phone,
    parse_request_form,
    read_request_table,
    requests_csv,
    requests_xlsx,
    to_host_request,
)

TODAY = date(2026, 11, 25)
TEXT_FIELDS = ("venue", "address", "themes", "promoter", "notes", "contact_name", "contact_role")
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def raw(**changes):
    values = {
        "code_insee": "18103",
        "venue": "Salle des fêtes",
        "address": "1 place de la Mairie, 18310 Graçay",
        "has_power": "oui",
        "weekdays": "mar,ven",
        "period_start": "2027-01-04",
        "period_end": "2027-03-26",
        "blackout_dates": "12/01/2027; 2027-02-16",
        "expected_participants": "8",
        "publics": "seniors, jeunes",
        "contact_name": "Claire Martin",
        "contact_role": "secrétaire de mairie",
        "contact_phone": "02.48.51.42.07",
        "contact_email": "Mairie@Gracay.FR",
    }
    values.update(changes)
    return values


def test_valid_form_is_parsed_and_normalised():
    form = parse_request_form(raw(), today=TODAY)
    assert form.weekdays == (1, 4)
    assert form.blackout_dates == {date(2027, 1, 12), date(2027, 2, 16)}
    assert form.has_power is True and form.toilets is False
    assert form.expected_participants == 8
    assert form.publics == ("seniors", "jeunes")
    assert form.contact_phone == "02 48 51 42 07"
    assert form.contact_email == "Mairie@gracay.fr"


def test_past_period_start_is_refused_in_french():
    with pytest.raises(InputError, match="commence dans le passé"):
        parse_request_form(raw(period_start="2026-11-24"), today=TODAY)


def test_past_blackout_date_is_refused():
    with pytest.raises(InputError, match="déjà passée : 01/11/2026"):
        parse_request_form(raw(blackout_dates="2026-11-01"), today=TODAY)


def test_today_is_not_in_the_past():
    form = parse_request_form(raw(period_start=TODAY.isoformat(), blackout_dates=""), today=TODAY)
    assert form.period_start == TODAY


def test_period_end_before_start_is_refused():
    with pytest.raises(
        InputError, match=r"la fin de la période \(01/02/2027\) précède son début \(04/03/2027\)"
    ):
        parse_request_form(raw(period_start="2027-03-04", period_end="2027-02-01"), today=TODAY)


def test_half_period_is_refused():
    with pytest.raises(InputError, match="début et la fin"):
        parse_request_form(raw(period_end=""), today=TODAY)


@pytest.mark.parametrize("email", ["pas-un-email", "a@b", "a b@mairie.fr", "x@<script>.fr", "@mairie.fr"])
def test_invalid_email_is_refused(email):
    with pytest.raises(InputError, match="adresse e-mail invalide") as info:
        parse_request_form(raw(contact_email=email), today=TODAY)
    assert info.value.column == "e-mail du contact"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0248514207", "02 48 51 42 07"),
        ("02 48 51 42 07", "02 48 51 42 07"),
        ("02-48-51-42-07", "02 48 51 42 07"),
        ("+33 2 48 51 42 07", "02 48 51 42 07"),
        ("+33 (0)2 48 51 42 07", "02 48 51 42 07"),
        ("0033 6 12 34 56 78", "06 12 34 56 78"),
    ],
)
def test_french_phone_formats_are_accepted(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "phone", ["12345", "02 48 51 42", "00 48 51 42 07", "+44 20 7946 0958", "06 12 34 56 78 9", "tel"]
)
def test_invalid_phone_is_refused(phone):
    with pytest.raises(InputError, match="numéro de téléphone invalide"):
        parse_request_form(raw(contact_phone=phone), today=TODAY)


@pytest.mark.parametrize("field", list(MAX_LENGTHS))
def test_text_over_its_limit_is_refused_and_at_its_limit_kept(field):
    limit = MAX_LENGTHS[field]
    if field in ("contact_phone", "contact_email", "publics"):
        with pytest.raises(InputError):
            parse_request_form(raw(**{field: "x" * (limit + 1)}), today=TODAY)
        return
    with pytest.raises(InputError, match=f"texte trop long : {limit + 1} caractères pour {limit} au plus"):
        parse_request_form(raw(**{field: "x" * (limit + 1)}), today=TODAY)
    assert len(getattr(parse_request_form(raw(**{field: "x" * limit}), today=TODAY), field)) == limit


def test_html_and_script_are_kept_verbatim_as_text():
    form = parse_request_form(raw(**dict.fromkeys(TEXT_FIELDS, SCRIPT)), today=TODAY)
    for name in TEXT_FIELDS:
        assert getattr(form, name) == SCRIPT


def test_escape_markdown_neutralises_markup_and_links():
    escaped = escape_markdown(SCRIPT + " [clic](http://x) **gras**")
    assert "<script>" not in escaped and "](http" not in escaped and "**" not in escaped
    assert escaped.replace("\\", "") == SCRIPT + " [clic](http://x) **gras**"


def test_control_characters_are_removed():
    form = parse_request_form(raw(venue="Salle\x00 des\x07 fêtes"), today=TODAY)
    assert form.venue == "Salle des fêtes"


def test_missing_venue_and_bad_insee_are_refused():
    with pytest.raises(InputError, match="lieu d'accueil"):
        parse_request_form(raw(venue="   "), today=TODAY)
    with pytest.raises(InputError, match="code INSEE invalide"):
        parse_request_form(raw(code_insee="ABCDE"), today=TODAY)


def test_participants_out_of_range_or_not_a_number():
    with pytest.raises(InputError, match="participants attendus invalide"):
        parse_request_form(raw(expected_participants="501"), today=TODAY)
    with pytest.raises(InputError, match="nombre entier attendu"):
        parse_request_form(raw(expected_participants="douze"), today=TODAY)
    assert parse_request_form(raw(expected_participants=""), today=TODAY).expected_participants is None


def test_period_becomes_blackout_dates_for_the_optimiser():
    form = parse_request_form(raw(), today=TODAY)
    days = availability_blackouts(form, margin_days=10)
    assert date(2027, 1, 3) in days and date(2027, 3, 27) in days
    assert date(2027, 1, 4) not in days and date(2027, 3, 26) not in days
    assert date(2027, 1, 12) in days  # explicit blackout kept
    host = to_host_request(form, "D7")
    assert host.id == "D7" and host.code_insee == "18103" and host.weekdays == (1, 4)
    assert host.has_power is True and host.expected_participants == 8
    assert date(2027, 1, 3) in host.blackout_dates and date(2027, 2, 1) not in host.blackout_dates


FORMULAS = ('=HYPERLINK("http://evil")', "+SUM(A1)", "-2+3", "@cmd", "\tx")


def _records():
    form = RequestForm(
        code_insee="18103",
        venue=FORMULAS[0],
        address=FORMULAS[1],
        themes=FORMULAS[2],
        promoter=FORMULAS[3],
        notes="=1+1",
        contact_name="=CMD()",
        contact_role="@SUM(1)",
    )
    return [RequestRecord(id=1, form=form, status="declined", decision_reason="=A1")]


def test_csv_export_neutralises_formulas():
    text = requests_csv(_records(), include_contact=True).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    for column in (
        "venue",
        "address",
        "themes",
        "promoter",
        "notes",
        "contact_name",
        "contact_role",
        "decision_reason",
    ):
        assert row[column].startswith("'"), column
    assert row["venue"] == "'" + FORMULAS[0]


def test_xlsx_export_has_no_formula_cells_and_reimports(tmp_path):
    data = requests_xlsx(_records(), include_contact=True)
    book = load_workbook(io.BytesIO(data))
    sheet = book["demandes"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["venue"] == FORMULAS[0]  # shown as typed, no apostrophe…
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f"  # …and never a formula
    assert sheet.page_setup.orientation == "landscape"
    (back,) = read_request_table(data, "demandes.xlsx")
    assert back.venue == FORMULAS[0] and back.code_insee == "18103"


def test_export_without_contact_has_no_contact_column():
    text = requests_csv(_records(), include_contact=False).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert "contact_name" not in header and "contact_email" not in header
    assert "venue" in header


def test_the_requests_csv_uses_the_separator_of_every_export_and_reimports(tmp_path):
    from planner.publish.csv import SEPARATOR

    rec = RequestRecord(
        id=3, form=RequestForm(code_insee="01053", venue="Salle; des fêtes", weekdays=(1,)), status="accepted"
    )
    data = requests_csv([rec], include_contact=False)
    assert (
        data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").splitlines()[0].count(SEPARATOR) > 5
    )
    path = tmp_path / "demandes.csv"
    path.write_bytes(
        data.decode("utf-8-sig").replace("01053", "1053").encode("cp1252")
    )  # as a spreadsheet saves it
    (back,) = read_request_table(path, path.name, today=TODAY)
    assert (back.code_insee, back.venue, back.weekdays) == ("01053", "Salle; des fêtes", (1,))


def test_import_table_reads_csv_and_locates_errors(tmp_path):
    good = tmp_path / "demandes.csv"
    good.write_text(
        "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants;contact_phone\n"
        "18103;Salle des fêtes;mar;;oui;8;+33 2 48 51 42 07\n"
        "\n"
        "18279;Médiathèque;ven;2027-01-15;non;;\n",
        encoding="utf-8",
    )
    forms = read_request_table(good, good.name, today=TODAY)
    assert [f.code_insee for f in forms] == ["18103", "18279"]
    assert forms[0].contact_phone == "02 48 51 42 07"
    bad = tmp_path / "mauvais.csv"
    bad.write_text(
        "code_insee,venue,weekdays,blackout_dates,has_power,expected_participants,contact_email\n"
        "18103,Salle,mar,,oui,8,ok@mairie.fr\n"
        "18279,Salle,ven,,non,,pas-un-email\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_request_table(bad, bad.name, today=TODAY)
    assert info.value.row == 3 and info.value.file == "mauvais.csv"
    assert "adresse e-mail invalide" in str(info.value)


def test_import_table_needs_commune_and_venue_only(tmp_path):
    path = tmp_path / "court.csv"
    path.write_text("code_insee,venue\n18103,Salle\n", encoding="utf-8")
    (form,) = read_request_table(path, path.name, today=TODAY)
    assert (form.code_insee, form.venue, form.weekdays, form.has_power) == ("18103", "Salle", (), False)
    path.write_text("code_insee\n18103\n", encoding="utf-8")
    with pytest.raises(InputError, match="colonne obligatoire absente") as info:
        read_request_table(path, path.name, today=TODAY)
    assert info.value.column == "venue"
