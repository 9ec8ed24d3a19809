"""Domain objects refuse impossible values with French messages."""

from datetime import date, time

import pytest

from planner.errors import InputError
from planner.model import (
    Commune,
    HostRequest,
    Resource,
    Rules,
    Season,
    Session,
    Territory,
    format_weekdays,
    parse_weekdays,
)


def test_weekdays_round_trip_and_french_names():
    assert parse_weekdays("mar,ven") == (1, 4)
    assert parse_weekdays("Vendredi; mardi") == (1, 4)
    assert parse_weekdays("") == ()
    assert format_weekdays((1, 4)) == "mar,ven"


def test_unknown_weekday_is_named_in_french():
    with pytest.raises(InputError, match="jour de semaine inconnu : « tue »"):
        parse_weekdays("tue")


@pytest.mark.parametrize("code", ["18279", "2A004", "2B033"])
def test_valid_insee_codes(code):
    assert Commune(code, "X", 10, 46.0, 2.0).code_insee == code


@pytest.mark.parametrize("code", ["1827", "18279 ", "2C004", "ABCDE", ""])
def test_malformed_insee_codes_are_refused(code):
    with pytest.raises(InputError, match="code INSEE invalide"):
        Commune(code, "X", 10, 46.0, 2.0)


def test_commune_indicators_are_read_only():
    c = Commune("18279", "Vierzon", 25_000, 47.22, 2.07, indicators={"pop_65p": 7000.0})
    with pytest.raises(TypeError):
        c.indicators["pop_65p"] = 0.0  # type: ignore[index]


def test_territory_refuses_duplicates_and_emptiness():
    c = Commune("18279", "Vierzon", 25_000, 47.22, 2.07)
    with pytest.raises(InputError, match="en double"):
        Territory("t", "T", (c, c))
    with pytest.raises(InputError, match="aucune commune"):
        Territory("t", "T", ())
    assert Territory("t", "T", (c,)).population == 25_000


def test_resource_validation():
    ok = Resource("bus-1", "bus", 12, "18279")
    assert ok.weekdays == (1, 4)
    with pytest.raises(InputError, match="type de moyen inconnu"):
        Resource("x", "car", 12, "18279")
    with pytest.raises(InputError, match="au moins une place"):
        Resource("x", "bus", 0, "18279")
    with pytest.raises(InputError, match="finit sa journée avant"):
        Resource("x", "bus", 12, "18279", day_start=time(18), day_end=time(9))
    with pytest.raises(InputError, match="ne tient pas"):
        Resource("x", "team", 8, "18279", day_start=time(9), day_end=time(10), session_minutes=120)


def test_season_and_rules_validation():
    s = Season(date(2027, 1, 4), date(2027, 6, 25), frozenset({date(2027, 5, 1)}))
    assert s.is_open(date(2027, 1, 5)) and not s.is_open(date(2027, 5, 1)) and not s.is_open(date(2027, 7, 1))
    with pytest.raises(InputError, match="précède"):
        Season(date(2027, 2, 1), date(2027, 1, 1))
    with pytest.raises(InputError, match="rayon"):
        Rules(catchment_minutes=0)
    with pytest.raises(InputError, match="séances par parcours"):
        Rules(sessions_per_series=0)


def test_request_and_session_validation():
    with pytest.raises(InputError, match="participants attendus"):
        HostRequest("18279", expected_participants=-1)
    with pytest.raises(InputError, match="finit avant de commencer"):
        Session("S1", 1, "bus-1", "18279", date(2027, 1, 5), time(12), time(9))
