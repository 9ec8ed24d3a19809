"""Activity → planned session: each tolerance broken once and kept once (plan drawn in plans.py)."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from planner.realised.activity import Activity
from planner.realised.matching import DATE_TOLERANCE_DAYS, TIME_TOLERANCE_MINUTES, match_activities
from planner.realised.places import region_places
from tests.realised.plans import MARCH_3, MARCH_10, matching_plan, uid

NAME = region_places().name


@pytest.fixture(scope="module")
def plan():
    return matching_plan()


def act(day: date, commune: str = "18140", start: time | None = None, n: int = 5, row: int = 2) -> Activity:
    return Activity(row=row, date=day, place=f"lieu {commune}", commune=commune, participants=n, start=start)


def test_same_commune_and_day_matches(plan):
    m = match_activities([act(MARCH_10)], plan.sessions, NAME)
    assert list(m.matched) == [uid(plan, "M", 2)] and not m.unmatched and not m.ambiguous


def test_other_commune_does_not_match(plan):
    (u,) = match_activities([act(MARCH_10, commune="18279")], plan.sessions, NAME).unmatched
    assert u.reason == "Vierzon n'accueille aucune séance de ce plan"


def test_a_day_off_matches_two_days_off_does_not(plan):
    assert DATE_TOLERANCE_DAYS == 1
    m = match_activities([act(MARCH_10 + timedelta(days=1))], plan.sessions, NAME)
    assert list(m.matched) == [uid(plan, "M", 2)]
    (u,) = match_activities([act(MARCH_10 + timedelta(days=2))], plan.sessions, NAME).unmatched
    assert u.reason == "aucune séance prévue à Massay le jeudi 12 mars 2026"


def test_exact_day_wins_over_a_neighbouring_day(plan):
    m1 = next(s for s in plan.sessions if s.uid == uid(plan, "M", 1))
    next_day = replace(m1, series="N", date=MARCH_3 + timedelta(days=1), uid="next-day")
    m = match_activities([act(MARCH_3)], (*plan.sessions, next_day), NAME)
    assert list(m.matched) == [m1.uid] and not m.ambiguous
    (a,) = match_activities(
        [act(MARCH_3 + timedelta(days=2))], (*plan.sessions, next_day), NAME
    ).matched.values()
    assert len(a) == 1  # only the next day is within a day of the 5th


def test_two_sessions_of_one_day_without_a_time_are_ambiguous(plan):
    (a,) = match_activities([act(MARCH_3, commune="18263")], plan.sessions, NAME).ambiguous
    assert set(a.candidates) == {uid(plan, "T", 1), uid(plan, "U", 1)}
    assert (
        a.reason
        == "2 séances possibles à Thénioux autour du mardi 3 mars 2026 (9 h 00, 14 h 00) : précisez l'heure"
    )


def test_a_time_tells_them_apart(plan):
    m = match_activities(
        [act(MARCH_3, commune="18263", start=time(14, 10)), act(MARCH_3, commune="18263", start=time(9, 0))],
        plan.sessions,
        NAME,
    )
    assert set(m.matched) == {uid(plan, "T", 1), uid(plan, "U", 1)}


def test_time_tolerance_before_start_and_until_the_end(plan):
    assert TIME_TOLERANCE_MINUTES == 60
    early = act(MARCH_10, start=time(8, 30))  # 60 min before 9:30: kept
    late = act(MARCH_10, start=time(12, 30))  # the end: kept
    m = match_activities([early, late], plan.sessions, NAME)
    assert m.matched[uid(plan, "M", 2)] == (early, late)
    too_early = act(MARCH_10, start=time(8, 29))
    (u,) = match_activities([too_early], plan.sessions, NAME).unmatched
    assert u.reason == "aucune séance à Massay vers 8 h 29 le mardi 10 mars 2026 (séances prévues : 9 h 30)"
    assert match_activities([act(MARCH_10, start=time(12, 31))], plan.sessions, NAME).unmatched


def test_several_activities_of_one_session_add_up_and_nothing_is_dropped(plan):
    items = [
        act(MARCH_3, row=2),
        act(MARCH_3, row=3),
        act(MARCH_3, commune="18279", row=4),
        act(MARCH_3, "18263", row=5),
    ]
    m = match_activities(items, plan.sessions, NAME)
    assert [a.row for a in m.matched[uid(plan, "M", 1)]] == [2, 3]
    assert [u.activity.row for u in m.unmatched] == [4] and [a.activity.row for a in m.ambiguous] == [5]
    assert m.activities_matched + len(m.unmatched) + len(m.ambiguous) == len(items)


def test_an_activity_with_a_problem_is_unmatched_with_it(plan):
    bad = replace(act(MARCH_3), commune="", problem="lieu non reconnu : « 18100 Vierzonville »")
    (u,) = match_activities([bad], plan.sessions, NAME).unmatched
    assert u.reason == bad.problem
