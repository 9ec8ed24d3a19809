"""User files: resources, host requests, locked sessions — good files and hostile ones."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest

from planner.errors import InputError
from planner.inputs.tables import (
    RESOURCE_DEFAULTS,
    default_resources,
    load_locked_sessions,
    load_requests,
    load_resources,
    neutralise_formula,
    read_requests_frame,
)
from planner.model import (
    Commune,
    Plan,
    PlanMetrics,
    Rules,
    Season,
    Session,
    Territory,
)
from planner.plan_json import save_plan

DATA = Path(__file__).resolve().parents[1] / "data"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# ----------------------------------------------------------------------------- neutralise_formula


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_formula_prefixes_dangerous_starts(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Salle des fêtes", "18279", "a=b", "'=déjà neutralisé"])
def test_neutralise_formula_keeps_harmless_text(text):
    assert neutralise_formula(text) == text


# ----------------------------------------------------------------------------- default resources


def territory(*populations: int) -> Territory:
    communes = tuple(
        Commune(f"1800{i}", f"Commune {i}", p, 47.0 + i / 100, 2.0) for i, p in enumerate(populations, 1)
    )
    return Territory("test", "Test", communes)


def test_default_resources_is_one_bus_at_the_most_populated_commune():
    (bus,) = default_resources(territory(300, 5000, 1200))
    assert bus.id == "bus-1" and bus.kind == "bus"
    assert bus.base == "18002"
    assert bus.seats == 12 and bus.weekdays == (1, 4)
    assert (bus.day_start, bus.day_end) == (time(9, 0), time(17, 30))
    assert bus.max_sessions_per_day == 2 and bus.session_minutes == 180 and bus.needs_power


def test_default_resources_tie_goes_to_first_commune():
    assert default_resources(territory(800, 800))[0].base == "18001"


# ----------------------------------------------------------------------------- resources: good files


def test_resources_cp1252_semicolon_with_french_booleans_and_times():
    bus, team = load_resources(DATA / "resources_cp1252_semicolon.csv")
    assert bus.label == "Bus numérique du Cher" and bus.needs_power is True
    assert team.id == "équipe-2" and team.kind == "team"
    assert team.weekdays == (0, 2, 3)
    assert (team.day_start, team.day_end) == (time(8, 30), time(17, 0))
    # blank cells take the team defaults
    assert team.seats == 8 and team.max_sessions_per_day == 3 and team.session_minutes == 120
    assert team.needs_power is False


def test_resources_minimal_columns_with_bom_and_capitalised_headers_take_kind_defaults():
    bus, team = load_resources(DATA / "resources_minimal_bom.csv")
    assert (bus.seats, bus.max_sessions_per_day, bus.session_minutes, bus.needs_power) == (12, 2, 180, True)
    assert (team.seats, team.max_sessions_per_day, team.session_minutes, team.needs_power) == (
        8,
        3,
        120,
        False,
    )
    assert bus.weekdays == team.weekdays == (1, 4)
    assert RESOURCE_DEFAULTS["team"]["seats"] == "8"


def test_resources_json_object_with_list_weekdays(tmp_path):
    bus, team = load_resources(DATA / "resources_ok.json")
    assert bus.weekdays == (1, 4) and bus.seats == 12
    assert team.weekdays == (0, 3) and not team.needs_power
    # a bare list works too
    bare = write(tmp_path, "r.json", '[{"id": "b", "kind": "bus", "base": "18279"}]')
    assert load_resources(bare)[0].base == "18279"


def test_resources_four_digit_code_gets_its_leading_zero_back(tmp_path):
    path = write(tmp_path, "r.csv", "id,kind,base\nb,bus,1053\n")
    assert load_resources(path)[0].base == "01053"


# ----------------------------------------------------------------------------- resources: hostile files


def test_resources_missing_column(tmp_path):
    path = write(tmp_path, "r.csv", "id;seats\nbus-1;12\n")
    with pytest.raises(InputError, match="colonne obligatoire absente") as err:
        load_resources(path)
    assert err.value.column == "kind" and err.value.file == "r.csv"


def test_resources_unknown_kind_is_located(tmp_path):
    with pytest.raises(InputError, match="sous-marin") as err:
        load_resources(DATA / "resources_bad_kind.csv")
    assert (err.value.file, err.value.row, err.value.column) == ("resources_bad_kind.csv", 3, "kind")
    assert "ligne 3" in str(err.value)


def test_resources_bad_weekday(tmp_path):
    path = write(tmp_path, "r.csv", "id;kind;base;weekdays\nbus-1;bus;18279;mar,vendredi,dimanche,fun\n")
    with pytest.raises(InputError, match="jour de semaine inconnu") as err:
        load_resources(path)
    assert (err.value.row, err.value.column) == (2, "weekdays")


@pytest.mark.parametrize("seats", ["0", "-3"])
def test_resources_seats_must_be_positive(tmp_path, seats):
    path = write(tmp_path, "r.csv", f"id;kind;base;seats\nbus-1;bus;18279;{seats}\n")
    with pytest.raises(InputError, match="trop petite") as err:
        load_resources(path)
    assert err.value.column == "seats"


def test_resources_seats_not_a_number(tmp_path):
    path = write(tmp_path, "r.csv", "id;kind;base;seats\nbus-1;bus;18279;douze\n")
    with pytest.raises(InputError, match="entier attendu"):
        load_resources(path)


@pytest.mark.parametrize("code", ["182", "182790", "ABCDE", "Vierzon"])
def test_resources_bad_insee_code(tmp_path, code):
    path = write(tmp_path, "r.csv", f"id;kind;base\nbus-1;bus;{code}\n")
    with pytest.raises(InputError, match="code INSEE invalide") as err:
        load_resources(path)
    assert err.value.column == "base"


def test_resources_duplicate_id(tmp_path):
    path = write(tmp_path, "r.csv", "id,kind,base\nbus-1,bus,18279\nbus-1,team,18033\n")
    with pytest.raises(InputError, match="en double") as err:
        load_resources(path)
    assert err.value.row == 3


def test_resources_bad_time_and_inverted_day(tmp_path):
    path = write(tmp_path, "r.csv", "id;kind;base;day_start\nbus-1;bus;18279;9h75\n")
    with pytest.raises(InputError, match="heure invalide"):
        load_resources(path)
    path = write(tmp_path, "r2.csv", "id;kind;base;day_start;day_end\nbus-1;bus;18279;17:00;09:00\n")
    with pytest.raises(InputError, match="finit sa journée") as err:
        load_resources(path)
    assert err.value.row == 2


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_resources_empty_file(tmp_path, text):
    with pytest.raises(InputError, match="vide"):
        load_resources(write(tmp_path, "r.csv", text))


def test_resources_header_only_has_no_resource(tmp_path):
    with pytest.raises(InputError, match="aucun moyen"):
        load_resources(write(tmp_path, "r.csv", "id;kind;base\n"))


def test_resources_formula_in_id_is_refused_and_in_label_neutralised(tmp_path):
    path = write(tmp_path, "r.csv", 'id;kind;base\n=cmd|"/c calc"!A1;bus;18279\n')
    with pytest.raises(InputError, match="identifiant invalide"):
        load_resources(path)
    path = write(tmp_path, "r2.csv", "id;kind;base;label\nbus-1;bus;18279;@SUM(1+1)\n")
    assert load_resources(path)[0].label == "'@SUM(1+1)"


def test_resources_missing_file_and_bad_json(tmp_path):
    with pytest.raises(InputError, match="introuvable"):
        load_resources(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="JSON invalide"):
        load_resources(write(tmp_path, "r.json", '{"resources": [ {"id": '))
    with pytest.raises(InputError, match="liste d'objets"):
        load_resources(write(tmp_path, "r2.json", '{"resources": 3}'))


def test_resources_json_error_is_located_on_the_element(tmp_path):
    path = write(
        tmp_path, "r.json", '[{"id": "a", "kind": "bus", "base": "18279"}, {"id": "b", "kind": "bus"}]'
    )
    with pytest.raises(InputError, match="code INSEE manquant") as err:
        load_resources(path)
    assert (err.value.row, err.value.column) == (2, "base")


# ----------------------------------------------------------------------------- requests


def test_requests_frame_is_clean_and_keeps_extra_columns():
    frame = read_requests_frame(DATA / "requests_ok.csv")
    assert list(frame.columns)[:7] == [
        "id",
        "code_insee",
        "venue",
        "weekdays",
        "blackout_dates",
        "has_power",
        "expected_participants",
    ]
    assert len(frame) == 3  # the blank line is skipped
    assert frame["code_insee"].tolist() == ["18279", "18033", "18197"]
    assert frame.loc[0, "blackout_dates"] == "2027-02-09;2027-02-12"
    assert frame.loc[2, "blackout_dates"] == "2027-03-09"
    assert frame["has_power"].tolist() == [True, False, True]
    assert pd.isna(frame.loc[0, "expected_participants"]) and frame.loc[1, "expected_participants"] == 8
    assert frame.loc[0, "contact"] == "Mme Martin"
    assert frame.loc[1, "contact"].startswith("'=HYPERLINK")  # formula neutralised


def test_load_requests_builds_host_requests():
    first, second, third = load_requests(DATA / "requests_ok.csv")
    assert first.code_insee == "18279" and first.venue == "Médiathèque"
    assert first.weekdays == (1, 4)
    assert first.blackout_dates == {date(2027, 2, 9), date(2027, 2, 12)}
    assert first.expected_participants is None and first.has_power
    assert second.weekdays == (4,) and not second.has_power and second.expected_participants == 8
    assert third.weekdays == () and third.blackout_dates == {date(2027, 3, 9)}


def test_requests_minimal_file_defaults_to_power_and_estimate(tmp_path):
    (request,) = load_requests(write(tmp_path, "q.csv", "code_insee\n18279\n"))
    assert request.has_power and request.expected_participants is None and request.venue == ""


def test_requests_bad_date_is_located():
    with pytest.raises(InputError, match="date invalide") as err:
        load_requests(DATA / "requests_bad_date.csv")
    assert (err.value.row, err.value.column) == (2, "blackout_dates")


def test_requests_missing_code_column(tmp_path):
    with pytest.raises(InputError, match="colonne obligatoire") as err:
        load_requests(write(tmp_path, "q.csv", "commune;venue\nVierzon;Mairie\n"))
    assert err.value.column == "code_insee"


def test_requests_bad_insee_bad_weekday_bad_count(tmp_path):
    with pytest.raises(InputError, match="code INSEE invalide"):
        load_requests(write(tmp_path, "a.csv", "code_insee;venue\n18A79;Mairie\n"))
    with pytest.raises(InputError, match="jour de semaine inconnu"):
        load_requests(write(tmp_path, "b.csv", "code_insee;weekdays\n18279;mardi gras\n"))
    with pytest.raises(InputError, match="trop grande"):
        load_requests(write(tmp_path, "c.csv", "code_insee;expected_participants\n18279;900\n"))
    with pytest.raises(InputError, match="oui ou non"):
        load_requests(write(tmp_path, "d.csv", "code_insee;has_power\n18279;peut-être\n"))


def test_requests_duplicate_id_but_same_commune_twice_is_fine(tmp_path):
    ok = write(tmp_path, "a.csv", "id;code_insee\nr1;18279\nr2;18279\n")
    assert [r.id for r in load_requests(ok)] == ["r1", "r2"]
    with pytest.raises(InputError, match="en double") as err:
        load_requests(write(tmp_path, "b.csv", "id;code_insee\nr1;18279\nr1;18033\n"))
    assert err.value.row == 3


def test_requests_unquoted_separator_in_cell_is_reported(tmp_path):
    text = "code_insee;blackout_dates\n18279;2027-02-09\n18033;2027-02-09;2027-02-12\n"
    with pytest.raises(InputError, match="nombre de cellules") as err:
        load_requests(write(tmp_path, "q.csv", text))
    assert err.value.row == 3


def test_requests_empty_file_and_header_only(tmp_path):
    with pytest.raises(InputError, match="vide"):
        load_requests(write(tmp_path, "q.csv", ""))
    assert load_requests(write(tmp_path, "h.csv", "code_insee;venue\n")) == ()


def test_requests_cp1252_and_formula_in_venue(tmp_path):
    path = write(tmp_path, "q.csv", "code_insee;venue\n18279;=Salle des fêtes\n", encoding="cp1252")
    assert load_requests(path)[0].venue == "'=Salle des fêtes"


# ----------------------------------------------------------------------------- locked sessions


def test_locked_sessions_from_csv_all_locked_french_formats():
    first, second = load_locked_sessions(DATA / "locked_sessions.csv")
    assert first == Session(
        "S-18279-1", 1, "bus-1", "18279", date(2027, 1, 5), time(9, 30), time(12, 30), True
    )
    assert second.date == date(2027, 1, 12) and second.start == time(9, 30) and second.locked


def test_locked_sessions_csv_locked_column_filters():
    sessions = load_locked_sessions(DATA / "locked_with_flag.csv")
    assert [s.index for s in sessions] == [1, 3]
    assert all(s.locked for s in sessions)


def test_locked_sessions_from_plan_json(tmp_path):
    def session(i: int, locked: bool) -> Session:
        return Session("S1", i, "bus-1", "18279", date(2027, 1, 5 + 7 * i), time(9, 30), time(12, 30), locked)

    plan = Plan(
        territory_spec="test",
        season=Season(date(2027, 1, 4), date(2027, 6, 25)),
        rules=Rules(),
        resources=(),
        series=(),
        sessions=(session(1, True), session(2, False), session(3, True)),
        routes=(),
        unserved=(),
        metrics=PlanMetrics("OPTIMAL", 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0),
    )
    save_plan(plan, tmp_path / "plan.json")
    sessions = load_locked_sessions(tmp_path / "plan.json")
    assert sessions == (session(1, True), session(3, True))


def test_locked_sessions_bad_time_is_located():
    with pytest.raises(InputError, match="heure invalide") as err:
        load_locked_sessions(DATA / "locked_bad_time.csv")
    assert (err.value.row, err.value.column) == (2, "start")


def test_locked_sessions_hostile_rows(tmp_path):
    header = "series;index;resource;host;date;start;end\n"
    with pytest.raises(InputError, match="colonne obligatoire") as err:
        load_locked_sessions(write(tmp_path, "a.csv", "series;index;resource;host;date;start\n"))
    assert err.value.column == "end"
    with pytest.raises(InputError, match="finit avant"):
        load_locked_sessions(write(tmp_path, "b.csv", header + "S1;1;bus-1;18279;2027-01-05;12:30;09:30\n"))
    with pytest.raises(InputError, match="date invalide"):
        load_locked_sessions(write(tmp_path, "c.csv", header + "S1;1;bus-1;18279;31/02/2027;09:30;12:30\n"))
    with pytest.raises(InputError, match="en double") as err:
        load_locked_sessions(
            write(
                tmp_path,
                "d.csv",
                header + "S1;1;bus-1;18279;2027-01-05;09:30;12:30\nS1;1;bus-1;18279;2027-01-12;09:30;12:30\n",
            )
        )
    assert err.value.row == 3
    with pytest.raises(InputError, match="trop petite"):
        load_locked_sessions(write(tmp_path, "e.csv", header + "S1;0;bus-1;18279;2027-01-05;09:30;12:30\n"))
    with pytest.raises(InputError, match="vide"):
        load_locked_sessions(write(tmp_path, "f.csv", "\n"))


def test_requests_windows_line_endings_and_trailing_separator(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes("code_insee;venue;\r\n18279;Médiathèque;\r\n".encode())
    frame = read_requests_frame(path)
    assert len(frame.columns) == 8  # no "unnamed" extra column from the trailing ";"
    assert frame.loc[0, "venue"] == "Médiathèque"


def test_requests_blank_power_cell_means_power_but_non_means_none(tmp_path):
    path = write(tmp_path, "q.csv", "code_insee;has_power\n18279;\n18033;non\n18197;OUI\n")
    assert [r.has_power for r in load_requests(path)] == [True, False, True]


def test_locked_sessions_accept_spreadsheet_times_with_seconds(tmp_path):
    text = "series;index;resource;host;date;start;end\nS1;1;bus-1;18279;2027-01-05;09:30:00;12:30:00\n"
    (s,) = load_locked_sessions(write(tmp_path, "l.csv", text))
    assert (s.start, s.end) == (time(9, 30), time(12, 30))
    with pytest.raises(InputError, match="heure invalide"):
        load_locked_sessions(write(tmp_path, "m.csv", text.replace("09:30:00", "09:30:15")))


def test_resources_public_column_in_french_or_english(tmp_path):
    path = write(tmp_path, "r.csv", "id;kind;base;public\nbus-1;bus;18279;Jeunes\nequipe;team;18279;\n")
    assert [r.public for r in load_resources(path)] == ["young", "general"]
    bad = write(tmp_path, "b.csv", "id;kind;base;public\nbus-1;bus;18279;enfants\n")
    with pytest.raises(InputError, match="public inconnu « enfants »") as err:
        load_resources(bad)
    assert (err.value.row, err.value.column) == (2, "public")
