"""Season calendar: public holidays, school holidays, closed dates and open days."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from itertools import pairwise

import pytest

from planner.errors import InputError
from planner.rules.calendar import (
    SCHOOL_CALENDAR_END,
    SCHOOL_CALENDAR_START,
    SCHOOL_HOLIDAYS_FILE,
    build_season,
    french_public_holidays,
    open_days,
    school_holidays,
)


def test_public_holidays_2027_are_the_eleven_french_ones_with_french_names():
    found = french_public_holidays(date(2027, 1, 1), date(2027, 12, 31))
    assert len(found) == 11
    assert found[date(2027, 3, 29)] == "Lundi de Pâques"  # Easter 2027 is 28 March
    assert found[date(2027, 5, 6)] == "Ascension"
    assert found[date(2027, 5, 17)] == "Lundi de Pentecôte"
    assert found[date(2027, 7, 14)] == "Fête nationale"
    assert found[date(2027, 11, 11)] == "Armistice"


def test_public_holidays_are_limited_to_the_period_and_span_years():
    found = french_public_holidays(date(2026, 12, 20), date(2027, 1, 10))
    assert list(found) == [date(2026, 12, 25), date(2027, 1, 1)]
    assert french_public_holidays(date(2027, 1, 2), date(2027, 3, 28)) == {}


def test_school_holidays_zone_b_winter_2027():
    found = school_holidays(date(2027, 2, 1), date(2027, 3, 31), "B")
    assert min(found) == date(2027, 2, 20) and max(found) == date(2027, 3, 7)
    assert len(found) == 16
    assert found[date(2027, 3, 1)] == "Vacances d'hiver (zone B)"


def test_school_holidays_differ_by_zone_and_accept_lower_case():
    a = school_holidays(date(2027, 2, 1), date(2027, 3, 31), "a")
    c = school_holidays(date(2027, 2, 1), date(2027, 3, 31), "C")
    assert min(a) == date(2027, 2, 13) and min(c) == date(2027, 2, 6)
    assert a[date(2027, 2, 15)] == "Vacances d'hiver (zone A)"


def test_school_holidays_clip_periods_to_the_asked_range():
    found = school_holidays(date(2026, 12, 28), date(2027, 1, 10), "B")
    assert list(found) == [date(2026, 12, 28) + timedelta(days=i) for i in range(7)]
    assert found[date(2027, 1, 3)] == "Vacances de Noël (zone B)"


def test_school_holidays_unknown_zone_is_refused_in_french():
    with pytest.raises(InputError, match="zone de vacances scolaires inconnue"):
        school_holidays(date(2027, 1, 1), date(2027, 2, 1), "D")


def test_school_holidays_outside_the_embedded_calendar_are_refused():
    with pytest.raises(InputError, match="n'est connu que du"):
        school_holidays(date(2028, 6, 1), date(2028, 9, 30), "B")


def test_school_table_is_well_formed_and_matches_the_declared_coverage():
    with SCHOOL_HOLIDAYS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["zone"] for r in rows} == {"A", "B", "C"}
    for zone in "ABC":
        periods = sorted(
            (date.fromisoformat(r["debut"]), date.fromisoformat(r["fin"])) for r in rows if r["zone"] == zone
        )
        assert all(first <= last for first, last in periods)
        assert all(a[1] < b[0] for a, b in pairwise(periods))  # no overlap
        assert periods[-1][1] == SCHOOL_CALENDAR_END
        assert periods[0][0] > SCHOOL_CALENDAR_START


def test_build_season_closes_public_holidays_with_their_reason():
    season = build_season(date(2027, 1, 4), date(2027, 6, 25))
    assert date(2027, 3, 29) in season.closed_dates
    assert season.closed_reasons[date(2027, 3, 29)] == "Lundi de Pâques"
    assert date(2027, 1, 1) not in season.closed_dates  # outside the season
    assert set(season.closed_reasons) == set(season.closed_dates)
    assert not season.is_open(date(2027, 5, 6))
    assert season.is_open(date(2027, 5, 7))


def test_build_season_adds_extra_closed_dates_inside_the_season_only():
    season = build_season(
        date(2027, 1, 4), date(2027, 6, 25), extra_closed=[date(2027, 2, 9), date(2027, 9, 1)]
    )
    assert season.closed_reasons[date(2027, 2, 9)] == "Fermeture"
    assert date(2027, 9, 1) not in season.closed_dates


def test_build_season_extra_closed_mapping_keeps_given_reason_but_holiday_wins():
    season = build_season(
        date(2027, 1, 4),
        date(2027, 6, 25),
        extra_closed={date(2027, 2, 9): "Contrôle technique du bus", date(2027, 5, 6): "Pont"},
    )
    assert season.closed_reasons[date(2027, 2, 9)] == "Contrôle technique du bus"
    assert season.closed_reasons[date(2027, 5, 6)] == "Ascension"


def test_build_season_with_school_zone_closes_school_holidays():
    without = build_season(date(2027, 1, 4), date(2027, 6, 25))
    season = build_season(date(2027, 1, 4), date(2027, 6, 25), school_zone="B")
    assert season.closed_reasons[date(2027, 2, 23)] == "Vacances d'hiver (zone B)"
    assert date(2027, 2, 23) not in without.closed_dates
    # Easter Monday (29/03) is before zone B's spring holidays (17/04–02/05)
    assert season.closed_reasons[date(2027, 3, 29)] == "Lundi de Pâques"
    # a public holiday inside school holidays keeps the public holiday's name
    assert season.closed_reasons[date(2027, 5, 1)] == "Fête du Travail"


def test_build_season_refuses_an_inverted_season():
    with pytest.raises(InputError, match="fin de saison"):
        build_season(date(2027, 6, 1), date(2027, 1, 1))


def test_open_days_skip_closed_dates_and_other_weekdays():
    season = build_season(date(2027, 3, 22), date(2027, 4, 4), extra_closed=[date(2027, 3, 26)])
    # Tuesdays 23/03 and 30/03 open; Fridays 26/03 (closure) closed, 02/04 open; Monday 29/03 not asked
    assert open_days(season, (1, 4)) == [date(2027, 3, 23), date(2027, 3, 30), date(2027, 4, 2)]
    # Mondays: 22/03 open, 29/03 Easter Monday closed
    assert open_days(season, (0,)) == [date(2027, 3, 22)]
    assert open_days(season, ()) == []


def test_vierzon_season_tuesdays_and_fridays_count():
    season = build_season(date(2027, 1, 4), date(2027, 6, 25))
    days = open_days(season, (1, 4))
    # 25 Tuesdays + 25 Fridays between 4 Jan and 25 June 2027; no holiday falls on them in 2027
    assert len(days) == 50
    assert all(d.weekday() in (1, 4) for d in days)


def test_rhythm_days_skip_closed_days_with_their_reason():
    from planner.rhythm import parse_rhythm
    from planner.rules.calendar import rhythm_days

    season = build_season(date(2027, 1, 1), date(2027, 6, 30))
    held, skipped = rhythm_days(season, parse_rhythm("1er samedi du mois"))
    assert date(2027, 5, 1) in skipped and "Travail" in skipped[date(2027, 5, 1)]  # Fête du Travail
    assert date(2027, 5, 1) not in held and len(held) + len(skipped) == 6
