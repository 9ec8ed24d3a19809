"""Reading a current tour: CSV (cp1252, ``;``), Excel, plan JSON, rhythms, French errors."""

from __future__ import annotations

import io
from datetime import date, time

import openpyxl
import pytest

from planner import DATA_DIR
from planner.errors import InputError
from planner.plan_json import load_plan
from planner.rules.calendar import build_season
from planner.territory.specs import load_territory
from planner.tours.load import PERMANENCE, load_tour
from planner.tours.recurrence import FORTNIGHTLY, LAST, MONTHLY, WEEKLY, parse_rule

SEASON = build_season(date(2027, 1, 4), date(2027, 6, 30))


@pytest.fixture(scope="module")
def vierzon():
    return load_territory("vierzon")


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


# ----------------------------------------------------------------------------- rhythms


@pytest.mark.parametrize(
    ("text", "kind", "weekday", "ranks"),
    [
        ("2e mardi du mois", MONTHLY, 1, (2,)),
        ("le deuxième mardi", MONTHLY, 1, (2,)),
        ("1er et 3e jeudis du mois", MONTHLY, 3, (1, 3)),
        ("dernier vendredi du mois", MONTHLY, 4, (LAST,)),
        ("tous les mercredis", WEEKLY, 2, ()),
        ("un vendredi sur deux", FORTNIGHTLY, 4, ()),
        ("tous les 15 jours le lundi", FORTNIGHTLY, 0, ()),
    ],
)
def test_rhythms_read(text, kind, weekday, ranks):
    r = parse_rule(text)
    assert (r.kind, r.weekday, r.ranks) == (kind, weekday, ranks)


@pytest.mark.parametrize("text", ["2e du mois", "mardi et jeudi", "bientôt", "5e mardi", "mardi 12"])
def test_not_rhythms(text):
    assert parse_rule(text) is None


def test_second_tuesday_expands_and_skips_holidays():
    # 2nd Tuesdays of Jan–Jun 2027: 12/1, 9/2, 9/3, 13/4, 11/5, 8/6 — none a holiday
    dates, skipped = parse_rule("2e mardi du mois").dates(SEASON)
    assert dates == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
        date(2027, 5, 11),
        date(2027, 6, 8),
    ]
    assert skipped == []
    # 1st Thursday of May 2027 is Ascension (6/5): skipped, and said so
    dates, skipped = parse_rule("1er jeudi du mois").dates(SEASON)
    assert date(2027, 5, 6) not in dates and skipped == [date(2027, 5, 6)]
    assert len(dates) == 5


# ----------------------------------------------------------------------------- files that read


def test_sample_tour_reads(vierzon):
    tour = load_tour(DATA_DIR / "tournee_exemple.csv", vierzon, SEASON)
    assert len(tour.lines) == 16
    first = tour.lines[0]
    assert first.host == "18100" and first.rule == "1er mardi du mois"  # Genouilly
    assert (first.start, first.end) == (time(9), time(12))
    assert first.locked and first.service == PERMANENCE and first.place == "Place de l'église"
    assert first.line == 4  # title row and a blank row above the header
    assert any("Ascension" in n for n in tour.notes)


def test_cp1252_semicolon_file_with_names_codes_and_hours(vierzon):
    text = (
        "Tournée du bus;;;\n"
        "Date;Commune;Horaires;Véhicule\n"
        "09/02/2027;Saint-Georges-sur-la-Prée;9 h–12 h;Bus\n"
        "mardi 16 février 2027;St Georges sur la Pree;9h-12h;Bus\n"
        "23/02/2027;18100;14:00 - 17:00;Bus\n"
    )
    tour = load_tour(_csv(text.replace("–", "-"), "cp1252"), vierzon, filename="tour.csv")
    assert [x.host for x in tour.lines] == ["18210", "18210", "18100"]
    assert tour.lines[1].dates == (date(2027, 2, 16),)
    assert (tour.lines[2].start, tour.lines[2].end) == (time(14), time(17))
    # without a season, the file's dates make it
    assert (tour.season.start, tour.season.end) == (date(2027, 2, 9), date(2027, 2, 23))


def test_excel_with_real_dates_and_times(vierzon, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Planning 2027"])
    ws.append(["Date", "Code INSEE", "Début", "Fin", "Véhicule"])
    ws.append([date(2027, 3, 2), 18100, time(9, 0), time(12, 0), "Bus numérique"])
    ws.append(["3e mardi du mois", "41249", time(14, 0), time(17, 0), "Bus numérique"])
    path = tmp_path / "tournee.xlsx"
    wb.save(path)
    tour = load_tour(path, vierzon, SEASON)
    assert tour.lines[0].dates == (date(2027, 3, 2),) and tour.lines[0].host == "18100"
    assert tour.lines[1].host == "41249" and len(tour.lines[1].dates) == 6
    assert tour.lines[1].line == 4


def test_plan_json_is_a_tour(vierzon):
    path = "tests/data/plan_vierzon_petit.json"
    tour = load_tour(path, vierzon)
    plan = load_plan(path)
    assert tour.plan == plan
    assert tour.sessions == len(plan.sessions)


# ----------------------------------------------------------------------------- French errors


def _error(vierzon, text: str, season=SEASON) -> InputError:
    with pytest.raises(InputError) as info:
        load_tour(_csv(text), vierzon, season, filename="ma_tournee.csv")
    return info.value


def test_unknown_commune_named_with_line_column_and_suggestion(vierzon):
    e = _error(
        vierzon,
        "Règle;Commune;Début;Fin\n2e mardi du mois;Massay;9:00;12:00\n2e jeudi du mois;Genouily;9:00;12:00\n",
    )
    assert (e.file, e.row, e.column) == ("ma_tournee.csv", 3, "Commune")
    assert "« Genouily »" in e.message and "vouliez-vous dire « Genouilly »" in e.message
    assert str(e).startswith("fichier « ma_tournee.csv », ligne 3, colonne « Commune »")


def test_commune_outside_the_territory(vierzon):
    e = _error(vierzon, "Date;Code INSEE;Début;Fin\n09/02/2027;18033;9:00;12:00\n")  # Bourges
    assert e.row == 2 and "Bourges" in e.message and "pas dans le territoire" in e.message


def test_impossible_times(vierzon):
    e = _error(vierzon, "Date;Commune;Début;Fin\n09/02/2027;Massay;12:00;9:00\n")
    assert (e.row, e.column) == (2, "Fin") and "horaires impossibles" in e.message
    e = _error(vierzon, "Date;Commune;Début;Fin\n09/02/2027;Massay;25:00;26:00\n")
    assert (e.row, e.column) == (2, "Début") and "heure invalide" in e.message
    e = _error(vierzon, "Date;Commune;Horaires\n09/02/2027;Massay;le matin\n")
    assert (e.row, e.column) == (2, "Horaires") and "horaires illisibles" in e.message


def test_same_vehicle_in_two_places(vierzon):
    text = (
        "Règle;Commune;Début;Fin;Véhicule\n"
        "2e mardi du mois;Massay;9:00;12:00;Bus\n"
        "09/02/2027;Graçay;11:00;13:00;Bus\n"
    )
    e = _error(vierzon, text)
    assert e.row == 3 and "ligne 2" in e.message and "mardi 9 février 2027" in e.message
    # another vehicle at the same time is fine
    ok = text.replace("11:00;13:00;Bus", "11:00;13:00;Équipe")
    assert len(load_tour(_csv(ok), vierzon, SEASON, filename="t.csv").lines) == 2


def test_unreadable_rhythm_and_rhythm_without_season(vierzon):
    e = _error(vierzon, "Règle;Commune;Début;Fin\nde temps en temps;Massay;9:00;12:00\n")
    assert (e.row, e.column) == (2, "Règle") and "rythme illisible" in e.message
    e = _error(vierzon, "Règle;Commune;Début;Fin\n2e mardi du mois;Massay;9:00;12:00\n", season=None)
    assert e.row == 2 and "saison" in e.message


def test_no_header(vierzon):
    e = _error(vierzon, "Quand;Où\n2e mardi;Massay\n")
    assert "en-tête introuvable" in e.message and e.file == "ma_tournee.csv"


def test_unknown_service(vierzon):
    e = _error(vierzon, "Date;Commune;Début;Fin;Type\n09/02/2027;Massay;9:00;12:00;concert\n")
    assert (e.row, e.column) == (2, "Type") and "concert" in e.message


def test_upload_object(vierzon):
    upload = io.BytesIO(_csv("Date;Commune;Début;Fin\n09/02/2027;Massay;9:00;12:00\n"))
    upload.name = "envoi.csv"
    assert load_tour(upload, vierzon).source == "envoi.csv"
