"""The saupoudrage baseline keeps the threshold and visits the communes in turn.

Two bugs of :func:`planner.optimise.baseline.baseline_choice`, found on the Cher benchmark
(« baseline failed its check »):

- a return visit of a resource to a host was admitted on the people left in the neighbours
  (``Candidates.reachable``) although it may only count what the earlier visits there left of
  each neighbour's attendance pool, so it opened under the threshold (down to 0 participants);
- a commune the day could not take lost its turn (the queue was rotated past it), so a few big
  towns cycled all year while villages waited for ever.

Drawings: ``tests/optimise/tiny_season.py`` (A base, A–B–C 10 min apart, D 40 min beyond C,
E 50 min from everyone; catchment 15 min).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tiny_season import TUESDAYS, A, B, C, D, E, problem

from planner.model import HostRequest, Season
from planner.optimise.candidates import weekday_dates
from planner.optimise.solve import solve_baseline
from planner.rules.check import check_plan
from planner.territory.attendance import neighbour_cap, pool_cap
from planner.territory.catchment import resource_curve

NINE_TUESDAYS = Season(date(2027, 1, 5), date(2027, 3, 2))


def _in_turn(plan):
    return sorted(plan.sessions, key=lambda s: (s.date, s.start))


def _assert_threshold(plan, prob) -> None:
    rules = plan.rules
    assert plan.series
    assert all(se.participants >= rules.min_participants for se in plan.series)
    assert check_plan(plan, replace(prob, rules=rules)) == []


def test_return_visits_stop_when_the_attendance_pools_are_spent():
    """Only B can host (A and C have no power, D and E nobody): its people come from A and C.

    Each visit counts at most ``⌊w·min(40, 12)⌋`` of A and of C, all the visits of the bus at B
    at most ``⌊w·40⌋`` of each: B is visited while two neighbours' leftovers reach the
    threshold, then the Tuesdays stay free — A and C still have people, but not for B.
    """
    prob = problem(
        unmet={A: 40.0, B: 0.0, C: 40.0, D: 0.0, E: 0.0},
        requests=(HostRequest(A, has_power=False), HostRequest(C, has_power=False)),
        season=NINE_TUESDAYS,
    )
    curve = resource_curve(prob, prob.resources[0])
    per_visit = neighbour_cap(curve, 10, 40, 12)
    pool = pool_cap(curve, 10, 40)
    threshold = prob.rules.min_participants
    assert 2 * per_visit >= threshold > 2 * (pool % per_visit)  # the drawing shows the bug
    plan = solve_baseline(prob)  # raised AssertionError (post-check) before the fix
    _assert_threshold(plan, prob)
    assert {s.host for s in plan.sessions} == {B}
    assert len(plan.sessions) == pool // per_visit < len(weekday_dates(NINE_TUESDAYS, 1))
    assert sorted(se.from_communes.get(A, 0) for se in plan.series) == [per_visit] * (pool // per_visit)


def test_a_commune_the_day_cannot_take_keeps_its_turn():
    """Queue by need: D 30, E 20, A 15, B 12, C 12. Day 1: D, then E cannot pair with D
    (50 + 50 min of driving), A can. E keeps its turn and opens day 2, so every commune has had
    its first visit before D gets a second one (E used to wait until D's people were spent)."""
    prob = problem(unmet={A: 15.0, B: 12.0, C: 12.0, D: 30.0, E: 20.0}, season=NINE_TUESDAYS)
    plan = solve_baseline(prob)
    _assert_threshold(plan, prob)
    sessions = _in_turn(plan)
    assert [s.host for s in sessions if s.date == TUESDAYS[0]] == [D, A]
    assert sessions[2].date == TUESDAYS[1] and sessions[2].host == E
    second_d = [s for s in sessions if s.host == D][1]
    assert {s.host for s in sessions if (s.date, s.start) < (second_d.date, second_d.start)} == {
        A,
        B,
        C,
        D,
        E,
    }


def test_cher_baseline_keeps_the_threshold_everywhere():
    """The benchmark's failure on a quarter of its season: 180 communes, a bus and a team."""
    from tests.builders import cher_problem

    prob = cher_problem(180, weeks=13)
    plan = solve_baseline(prob)  # raised AssertionError (Vereaux at 4, 2, 1, 0 participants) before the fix
    _assert_threshold(plan, prob)
    hosts = [s.host for s in plan.sessions]
    assert len(set(hosts)) > len(hosts) // 2  # spread thinly: most sessions are a first visit
