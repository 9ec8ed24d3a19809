"""The search over whole days (:mod:`planner.optimise.pattern_search`) and the restricted path
of :func:`planner.optimise.solve.solve` that uses it.

- the days CP-SAT chooses, put on dates by :func:`to_windows`, make a plan that keeps every
  rule (the rules checker and the direct assertions of ``tiny_season``), whose objective is
  :func:`chosen_value`, at least as good as the greedy plan given as a hint and never above the
  proven optimum; the days are those CP-SAT counted (:func:`as_patterns` round trip);
- on a problem of 120 communes (restricted hosts), the days' search in the time
  :func:`solve` gives it returns a plan from the greedy hint;
- end to end on that problem, :func:`solve` reports a bound between its objective and the LP
  bound of the whole problem, and its plan keeps every rule.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from builders import cher_problem, vierzon_problem
from tiny_season import assert_plan_rules

from planner.model import Session
from planner.optimise import solve as solve_mod
from planner.optimise.bound import full_bound
from planner.optimise.candidates import build_candidates, clock
from planner.optimise.cpsat import solve_model
from planner.optimise.greedy import greedy_choice
from planner.optimise.objective import group_size
from planner.optimise.pattern_search import (
    DAY_HOSTS,
    as_patterns,
    chosen_value,
    drivable_days,
    programme_days,
    search_days,
    solve_patterns,
    to_windows,
    widest_hosts,
)
from planner.optimise.patterns import pattern_bound
from planner.optimise.solve import build_plan, post_check, solve
from planner.problem import SolveParams
from planner.rules.check import check_plan

PARAMS = SolveParams(time_limit_s=10, gap=0.0, workers=1, seed=0)


def _with_travel(prob):
    return replace(prob, rules=replace(prob.rules, travel_weight=0.01))


def _with_lock(prob):
    """An announced first session at the largest need (Tuesday, first slot, first window)."""
    cands = build_candidates(prob)
    host = max(prob.territory.codes, key=lambda h: (cands.people.get(h, 0), h))
    c = next(x for x in cands.free if (x.host, x.weekday, x.slot, x.block) == (host, 1, 0, 0))
    lock = Session("L1", 1, c.resource, host, c.dates[0], clock(c.start_min), clock(c.end_min), locked=True)
    return replace(prob, locked=(lock,))


PROBLEMS = {
    "cher20-team": lambda: cher_problem(20, weeks=6),
    "cher20-team-11-weeks-km": lambda: _with_travel(cher_problem(20, weeks=11)),
    "vierzon-locked": lambda: _with_lock(vierzon_problem(end=date(2027, 3, 26))),
}


def _plan(prob, cands, chosen):
    return build_plan(prob, cands, chosen, kind="optimised", status="FEASIBLE", bound=None, solve_seconds=0.0)


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_the_days_search_makes_a_valid_plan_no_worse_than_its_hint(name):
    prob = PROBLEMS[name]()
    cands = build_candidates(prob)
    days = pattern_bound(prob, time_limit_s=10)
    assert days.status == "OPTIMAL"
    hint = greedy_choice(prob, cands)
    chosen = search_days(prob, cands, days, PARAMS, time_limit_s=5, hint=hint)
    assert chosen is not None
    plan = _plan(prob, cands, chosen)
    post_check(plan, prob)  # raises on any violation
    assert check_plan(plan, prob) == []
    assert_plan_rules(plan, prob)
    value = chosen_value(prob, chosen)
    assert value == pytest.approx(plan.metrics.objective, abs=1e-6)
    assert value >= chosen_value(prob, hint) - 1e-9
    assert value <= days.value + 1e-6
    if prob.locked:  # the announced series is kept, with its first session as announced
        assert prob.locked[0] in plan.sessions
        assert sum(1 for c, _ in chosen if c.locked) == 1
    # never above what CP-SAT proves on every single series of the problem
    best = solve_model(prob, cands, PARAMS, time_limit_s=10)
    assert best.status == "OPTIMAL"
    assert value <= _plan(prob, cands, best.chosen).metrics.objective + 1e-6


def test_to_windows_puts_every_chosen_day_on_dates_and_as_patterns_reads_them_back():
    prob = _with_travel(cher_problem(20, weeks=11))  # 2 windows a weekday: copies of a day
    cands = build_candidates(prob)
    days = pattern_bound(prob, time_limit_s=10)
    columns = {f.key: drivable_days(f, days.ranked_hosts(f.resource.id, DAY_HOSTS)) for f in days.frames}
    status, counts, people = solve_patterns(prob, cands, days.frames, columns, PARAMS, time_limit_s=5)
    assert status in ("OPTIMAL", "FEASIBLE") and counts
    chosen = to_windows(prob, cands, days.frames, counts, people)
    # no blackout date, no lock: every day finds its window, every series its people
    assert as_patterns(days.frames, chosen) == counts
    sessions = sum(c for (_, pat), c in counts.items() for j in pat if j >= 0)
    assert len(chosen) == sessions
    assert any(sum(j >= 0 for j in pat) == 3 for (_, pat) in counts)  # whole team days
    taken: dict[tuple[str, str, str], int] = {}
    for c, take in chosen:
        for code, n in take.items():
            taken[(c.host, c.resource, code)] = taken.get((c.host, c.resource, code), 0) + n
    assert taken == people  # the people CP-SAT counted, split among the site's series
    # two series of a window never share a slot, and every pair of a day is drivable
    seen = set()
    for c, _ in chosen:
        key = (c.resource, c.weekday, c.block, c.slot)
        assert key not in seen
        seen.add(key)
    post_check(_plan(prob, cands, chosen), prob)


def test_the_programmes_own_days_start_the_search_and_stand_when_the_wider_one_fails(monkeypatch):
    """The days the programme holds, in whole windows, are searched first: when the wider search
    over the drivable days finds nothing (a busy machine), their plan stands — without that first
    stage the same failure leaves no plan."""
    from planner.optimise import pattern_search

    prob = cher_problem(20, weeks=11)
    cands = build_candidates(prob)
    days = pattern_bound(prob, time_limit_s=10)
    first = programme_days(days)
    by_key = {f.key: f for f in days.frames}
    for key, pats in first.items():  # the programme's days, host for host
        hosts = [tuple(by_key[key].hosts[s][j] if j >= 0 else None for s, j in enumerate(p)) for p in pats]
        assert hosts == [h for _, h in days.patterns.get(key, [])]
    assert any(first.values())
    hint = greedy_choice(prob, cands)
    real = pattern_search.solve_patterns
    calls: list[bool] = []

    def wider_fails(problem, cands, frames, columns, *args, **kwargs):
        """Only a search over the programme's own days finds anything."""
        calls.append(columns == first)
        return real(problem, cands, frames, columns, *args, **kwargs) if calls[-1] else ("UNKNOWN", {}, {})

    monkeypatch.setattr(pattern_search, "solve_patterns", wider_fails)
    found = search_days(prob, cands, days, PARAMS, time_limit_s=5, hint=hint)
    assert calls == [True, False]  # the programme's days, then the wider search
    assert found is not None
    assert chosen_value(prob, found) >= chosen_value(prob, hint) - 1e-9
    post_check(_plan(prob, cands, found), prob)
    calls.clear()
    monkeypatch.setattr(pattern_search, "FIRST_SHARE", 0.0)  # no first stage: the same failure, no plan
    assert search_days(prob, cands, days, PARAMS, time_limit_s=5, hint=hint) is None
    assert calls == [False]


def test_a_days_plan_proven_for_its_hosts_widens_them_while_time_allows(monkeypatch):
    """Two hosts per resource first: CP-SAT proves their best days at once, so the list grows
    (``WIDEN``) and the search goes on from that plan; no time left for it (``WIDEN_MIN_S``), the
    first list is all there is — and the plan no better."""
    from planner.optimise import pattern_search

    team = cher_problem(40, weeks=11)
    prob = replace(team, resources=team.resources[1:])  # the team: three sessions a day
    cands = build_candidates(prob)
    days = pattern_bound(prob, time_limit_s=10)
    hint = greedy_choice(prob, cands)
    offered: list[int] = []
    real = pattern_search.drivable_days

    def counting(frame, hosts, *args, **kwargs):
        offered.append(len(hosts))
        return real(frame, hosts, *args, **kwargs)

    monkeypatch.setattr(pattern_search, "drivable_days", counting)
    wide = search_days(prob, cands, days, PARAMS, time_limit_s=10, hint=hint, hosts_per_resource=2)
    first = len(days.ranked_hosts(prob.resources[0].id, 2))  # the hosts the programme holds, at least
    grown = math.ceil(first * pattern_search.WIDEN)
    assert sorted(set(offered))[:3] == [first, grown, math.ceil(grown * pattern_search.WIDEN)]
    assert set(widest_hosts(days, prob.resources[0].id, 2)) == set(
        days.ranked_hosts(prob.resources[0].id, math.ceil(grown * pattern_search.WIDEN))
    )
    offered.clear()
    monkeypatch.setattr(pattern_search, "WIDEN_MIN_S", 1e9)
    narrow = search_days(prob, cands, days, PARAMS, time_limit_s=10, hint=hint, hosts_per_resource=2)
    assert sorted(set(offered)) == [first]
    assert chosen_value(prob, wide) >= chosen_value(prob, narrow) - 1e-9
    post_check(_plan(prob, cands, wide), prob)


@pytest.fixture(scope="module")
def cher120():
    """120 communes (> MAX_HOSTS = 90): solve() takes the restricted path with day patterns."""
    prob = cher_problem(120, weeks=8)
    assert len(prob.territory.communes) > solve_mod.MAX_HOSTS
    return prob


def test_the_days_search_on_a_restricted_problem_starts_from_its_hint(cher120):
    """What :func:`solve` does for a group (``DAY_SHARE`` of ~9 s ≈ 5 s for the days): the
    greedy plan is a complete, feasible hint of the days' model, so CP-SAT has a solution at
    once and the days' plan is at least the greedy one — not ``None``."""
    prob = cher120
    g = group_size(prob)
    whole = build_candidates(prob, with_free=False, group=g)
    fb = full_bound(prob, whole)
    cands = build_candidates(prob, group=g, hosts=solve_mod.priced_hosts(prob, fb))
    days = pattern_bound(prob, time_limit_s=5, group=g)
    assert days.rounds > 0
    hosts = {r.id: set(days.ranked_hosts(r.id, DAY_HOSTS)) for r in prob.resources}
    known = {r.id: {c.host for c in cands.free if c.resource == r.id} for r in prob.resources}
    cands = build_candidates(prob, group=g, hosts={k: hosts[k] | known[k] for k in hosts})
    hint = greedy_choice(prob, cands)
    assert hint
    found = search_days(prob, cands, days, PARAMS, time_limit_s=5, hint=hint)
    assert found is not None, "no plan from the days' search although the greedy hint is feasible"
    assert chosen_value(prob, found) >= chosen_value(prob, hint) - 1e-9
    post_check(_plan(prob, cands, found), prob)


def test_solve_on_a_restricted_problem_reports_an_honest_bound(cher120):
    prob = cher120
    plan = solve(prob, SolveParams(time_limit_s=10, workers=1, seed=0))
    m = plan.metrics
    assert m.restricted_bound is not None  # the restricted path was taken
    assert check_plan(plan, prob) == []
    assert_plan_rules(plan, prob)
    assert m.bound >= m.objective - 1e-9
    fb = full_bound(prob)
    assert m.bound <= fb.value + 1e-6
    # the day patterns and the Lagrangian bound tighten it below the LP on this team problem
    assert m.bound < fb.value - 1e-3
    assert m.gap == pytest.approx((m.bound - m.objective) / m.bound, abs=1e-9)


def test_the_whole_problems_day_master_tightens_the_bound_when_it_fits(cher120, monkeypatch):
    """Split in two groups (bus, team), the groups' programmes do not bound the whole problem.
    Its LP takes a fraction of a second: the whole problem's day-pattern master runs and the
    bound is its value (tighter than the Lagrangian's). Too long to wait for, it runs beside the
    groups' search when a second worker is allowed; made to look too slow, it is skipped."""
    from planner.optimise.lagrange import lagrangian_bound
    from planner.optimise.patterns import day_frames
    from planner.optimise.whole_bound import whole_day_bound

    prob = cher120
    params = SolveParams(time_limit_s=10, workers=1, seed=0)
    g = group_size(prob)
    whole = build_candidates(prob, with_free=False, group=g)
    fb = full_bound(prob, whole)
    frames = day_frames(prob, whole)
    priced, parts = lagrangian_bound(prob, whole, frames, fb.prices)
    master = whole_day_bound(prob, whole, frames, fb, parts, time_limit_s=30)
    assert master.status == "OPTIMAL" and master.value < priced - 1e-3
    monkeypatch.setattr(solve_mod, "DECOMPOSE_ABOVE", 100)
    assert len(solve_mod.decompose(prob)) == 2
    with_master = solve(prob, params).metrics
    assert with_master.objective - 1e-9 <= with_master.bound <= master.value + 1e-6
    # too long to wait for: with a second core it runs while the groups search; with one, not
    monkeypatch.setattr(solve_mod, "MASTER_SHARE", 0.0)
    beside = solve(prob, replace(params, workers=2)).metrics
    assert beside.objective - 1e-9 <= beside.bound <= master.value + 1e-6
    one_core = solve(prob, params).metrics
    assert one_core.bound > master.value + 1e-3
    monkeypatch.setattr(solve_mod, "MASTER_PER_LP_S", 1e9)
    without = solve(prob, params).metrics
    assert without.bound > master.value + 1e-3  # the Lagrangian's (or a group's programme)
    assert without.bound >= without.objective - 1e-9


def test_optimal_is_said_when_the_days_reach_their_programme_and_only_then(cher120):
    """A restricted problem whose days' plan reaches the day-pattern programme of the whole
    (undivided) territory is proven optimal by it: the bus alone. With the team, whose days stay
    below their programme, the same solve says how far it may be, never « optimal »."""
    from planner.french import plan_status_fr
    from planner.optimise.solve import OPTIMAL_GAP

    bus_only = replace(cher120, resources=cher120.resources[:1])
    plan = solve(bus_only, SolveParams(time_limit_s=10, workers=1, seed=0, gap=0.001))
    m = plan.metrics
    assert m.restricted_bound is not None  # hosts were limited: the proof is the programme's
    assert m.status == "OPTIMAL" and m.gap <= OPTIMAL_GAP
    assert m.bound >= m.objective
    assert pattern_bound(bus_only, time_limit_s=10).value >= m.objective - 1e-9
    assert "optimal prouvé" in plan_status_fr(m)

    both = solve(cher120, SolveParams(time_limit_s=10, workers=1, seed=0, gap=0.001))
    assert both.metrics.gap > OPTIMAL_GAP and both.metrics.status != "OPTIMAL"
    assert "optimal prouvé" not in plan_status_fr(both.metrics)


def test_ranked_hosts_put_the_lp_hosts_first_then_the_best_priced():
    prob = cher_problem(20, weeks=11)
    days = pattern_bound(prob, time_limit_s=10)
    for r in prob.resources:
        held = {h for (h, rid), v in days.site_series.items() if rid == r.id and v > 1e-6}
        assert held
        for most in (1, len(held) + 3):
            ranked = days.ranked_hosts(r.id, most)
            assert len(ranked) == len(set(ranked)) == max(most, len(held))
            assert set(ranked[: len(held)]) == held  # every held host, even beyond ``most``
            series = [days.site_series[(h, r.id)] for h in ranked[: len(held)]]
            assert series == sorted(series, reverse=True)
            gains = [days.site_gain[(h, r.id)] for h in ranked[len(held) :]]
            assert gains == sorted(gains, reverse=True)
            others = {h for (h, rid) in days.site_gain if rid == r.id} - held - set(ranked)
            assert all(days.site_gain[(h, r.id)] <= min(gains) + 1e-12 for h in others) if gains else True
