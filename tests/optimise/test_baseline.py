"""The saupoudrage baseline and the greedy plan on the tiny drawing of ``tests/tiny_season.py``."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tiny_season import TUESDAYS, A, B, C, D, E, assert_plan_rules, bus, problem

from planner.model import HostRequest, Rules
from planner.optimise.objective import objective_value
from planner.optimise.solve import solve, solve_baseline, solve_greedy
from planner.problem import SolveParams
from planner.rules.check import check_plan


def test_baseline_is_one_session_per_commune_in_turn_on_the_same_days():
    prob = problem()
    plan = solve_baseline(prob)
    assert plan.kind == "baseline" and plan.rules.sessions_per_series == 1
    assert all(len([s for s in plan.sessions if s.series == se.id]) == 1 for se in plan.series)
    assert {s.date for s in plan.sessions} <= set(TUESDAYS)
    # queue by unmet need: A (40), D (30), B, C (12); E (4) never reaches the threshold
    first_round = [s.host for s in sorted(plan.sessions, key=lambda s: (s.date, s.start))][:4]
    assert sorted(first_round) == sorted([A, D, B, C])
    assert E not in {s.host for s in plan.sessions}
    assert_plan_rules(plan, replace(prob, rules=plan.rules))
    assert check_plan(plan, replace(prob, rules=plan.rules)) == []


def test_baseline_respects_power_and_people_caps():
    prob = problem(requests=(HostRequest(D, has_power=False),))
    plan = solve_baseline(prob)
    assert D not in {s.host for s in plan.sessions}
    taken: dict[str, int] = {}
    for se in plan.series:
        for code, n in se.from_communes.items():
            taken[code] = taken.get(code, 0) + n
    assert all(n <= prob.needs[c].unmet_need for c, n in taken.items())


def test_baseline_is_worth_less_than_series_on_the_same_objective():
    prob = problem(rules=Rules(travel_weight=0.01))
    base = solve_baseline(prob)
    best = solve(prob, SolveParams(time_limit_s=20, workers=1, seed=1, gap=0.0))
    assert base.metrics.participants_full_series == 0
    assert base.metrics.objective == pytest.approx(objective_value(base, prob))
    assert best.metrics.objective > base.metrics.objective


def test_baseline_with_a_team_orders_several_stops():
    team = bus(id="team", kind="team", seats=8, needs_power=False, session_minutes=90, max_sessions_per_day=4)
    prob = problem(resources=(team,))
    plan = solve_baseline(prob)
    first_day = next(r for r in plan.routes if r.date == TUESDAYS[0])
    assert first_day.stops[0] == A and first_day.stops[-1] == A
    assert len(first_day.stops) >= 4  # several stops in one day
    assert check_plan(plan, replace(prob, rules=plan.rules)) == []


def test_greedy_plan_keeps_every_rule():
    prob = problem(rules=Rules(travel_weight=0.01))
    plan = solve_greedy(prob)
    assert plan.kind == "greedy" and len(plan.series) == 2
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_baseline_keeps_locked_series_whole_and_checks_them_against_the_problem():
    """A locked series stays a K-session series in the saupoudrage plan.

    It used to crash (AssertionError from the post-check, a traceback in ``plan --baseline
    --locked``): the baseline was checked with series of one session, its locked series too.
    """
    from datetime import date, time

    from planner.model import Season, Session

    lk = Session("L-B", 1, "bus", B, TUESDAYS[0], time(9, 15), time(12, 15), locked=True)
    prob = problem(locked=(lk,), season=Season(date(2027, 1, 5), date(2027, 3, 2)))  # 9 Tuesdays
    plan = solve_baseline(prob)
    assert lk in plan.sessions
    assert sorted(s.date for s in plan.sessions if s.series == "L-B") == list(TUESDAYS)
    others = [se for se in plan.series if se.id != "L-B"]
    assert others and all(len([s for s in plan.sessions if s.series == se.id]) == 1 for se in others)
    # every rule but the shape holds with one-session series; the locked series has its K sessions
    one = replace(prob, rules=plan.rules)
    shape = check_plan(plan, one)
    assert [(v.rule, v.series) for v in shape] == [("series_shape", "L-B")]
    assert [v for v in check_plan(plan, prob) if v.series == "L-B"] == []
