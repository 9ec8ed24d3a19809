"""Every plan's days laid out exactly (:func:`planner.optimise.routing.order_days` with
:mod:`planner.optimise.day_layout`), the local search as the fallback.

The balanced default Vierzon plan drove 2,544 km from where CP-SAT put its series and 2,308.7 km
laid out exactly (bench/results/aller_vers.md); the tiny drawings are ``tiny_season.py``'s.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time

import pytest
from tiny_season import TUESDAYS, A, B, C, D, E, problem

from planner.model import Season, Session
from planner.optimise import day_layout, routing
from planner.optimise.candidates import build_candidates
from planner.optimise.objective import group_size
from planner.optimise.route_km import chosen_of
from planner.optimise.routing import local_days, order_days
from planner.optimise.solve import build_plan, solve
from planner.problem import SolveParams
from planner.rules.check import check_plan

#: test_route_km's drawing of three windows, where the layout matters: E 30 km from A, 20 from D.
UNMET = {A: 0.0, B: 12.0, C: 30.0, D: 30.0, E: 30.0}
OVERRIDES = {(A, E): 30, (D, E): 20, (C, E): 40, (B, E): 35}


def _plan(prob, cands, chosen):
    return build_plan(prob, cands, chosen, kind="optimised", status="FEASIBLE", bound=None, solve_seconds=0)


def _km(prob, chosen):
    """Route km of ``chosen`` as it stands (build_plan would lay it out again)."""
    return sum(routing._km(prob, r, [x for x in chosen if x[0].resource == r.id]) for r in prob.resources)


def _shuffled(prob, cands, chosen, seed):
    """``chosen``'s (free) series placed at random on the windows and slots of their weekday,
    each as an existing candidate on a day it can be driven in: a start the search could give."""
    rng = random.Random(seed)
    res = {r.id: r for r in prob.resources}
    index = {(c.resource, c.host, c.weekday, c.slot, c.block): c for c in cands.free}
    lanes = sorted({(c.resource, c.weekday, c.block, c.slot) for c in cands.free})
    for _ in range(200):
        order = list(chosen)
        rng.shuffle(order)
        days, out = {}, []
        for c, take in order:
            options = [x for x in lanes if x[:2] == (c.resource, c.weekday)]
            rng.shuffle(options)
            for rid, wd, b, s in options:
                moved = index.get((rid, c.host, wd, s, b))
                day = days.setdefault((rid, wd, b), [])
                if moved is not None and all(
                    o.slot != s and cands.compatible(prob, res[rid], s, c.host, o.slot, o.host) for o in day
                ):
                    day.append(moved)
                    out.append((moved, take))
                    break
            else:
                break
        if len(out) == len(chosen):
            return out
    raise AssertionError("no valid start found")


@pytest.fixture(scope="module")
def vierzon():
    from tests.builders import vierzon_problem

    prob = vierzon_problem()
    balanced = solve(prob, SolveParams(time_limit_s=30, gap=0.005, workers=1, seed=0))
    cands = build_candidates(prob, group=group_size(prob))
    chosen = chosen_of(balanced, cands)
    assert chosen is not None
    return prob, cands, chosen, balanced


def test_vierzon_km_do_not_depend_on_where_the_series_start(vierzon):
    prob, cands, chosen, balanced = vierzon
    kms, local = set(), []
    for seed in range(3):
        start = _shuffled(prob, cands, chosen, seed)
        plan = _plan(prob, cands, start)
        kms.add(round(plan.metrics.km, 6))
        assert plan.metrics.objective == pytest.approx(balanced.metrics.objective)  # same value
        assert check_plan(plan, prob) == []
        assert sorted(s.host for s in plan.series) == sorted(s.host for s in balanced.series)
        local.append(_km(prob, local_days(prob, cands, start)))
    assert len(kms) == 1, kms
    assert len(set(round(k, 6) for k in local)) > 1  # the local search alone depended on the start
    assert max(kms) <= min(local) + routing.KM_TOLERANCE
    assert balanced.metrics.km == pytest.approx(max(kms))  # the solved plan is laid out the same


def test_the_exact_layout_never_drives_more_than_the_local_search():
    """Fifteen Tuesdays (three windows), E moved away (test_route_km's drawing): from starts
    the search may give, never more km than the local search."""
    season = Season(date(2027, 1, 5), date(2027, 4, 13))
    prob = problem(unmet=UNMET, season=season, overrides=OVERRIDES)
    plan = solve(prob, SolveParams(time_limit_s=10, gap=0.0, workers=1, seed=0))
    cands = build_candidates(prob, group=group_size(prob))
    chosen = chosen_of(plan, cands)
    exact, local = set(), []
    for seed in range(5):
        start = _shuffled(prob, cands, chosen, seed)
        assert check_plan(_plan(prob, cands, start), prob) == []  # laid out, every rule kept
        km = _km(prob, order_days(prob, cands, start))
        assert km == pytest.approx(_plan(prob, cands, start).metrics.km)
        local.append(_km(prob, local_days(prob, cands, start)))
        assert km <= local[-1] + routing.KM_TOLERANCE
        exact.add(km)
    assert len(exact) == 1 and max(local) > min(exact)  # the local search stays stuck from some starts


def test_a_locked_session_stays_put():
    season = Season(date(2027, 1, 5), date(2027, 4, 13))
    lk = Session("L-B", 1, "bus", B, date(2027, 2, 16), time(9, 15), time(12, 15), locked=True)
    prob = problem(season=season, locked=(lk,))
    plan = solve(prob, SolveParams(time_limit_s=10, gap=0.0, workers=1, seed=0))
    assert lk in plan.sessions
    assert check_plan(plan, prob) == []
    cands = build_candidates(prob, group=group_size(prob))
    chosen = [(c, {}) for c in cands.fixed] + chosen_of(plan, cands)
    out = order_days(prob, cands, chosen)
    assert [c for c, _ in out if c.locked] == list(cands.fixed)  # the same candidate, untouched


def _start(vierzon):
    prob, cands, chosen, _ = vierzon
    return prob, cands, _shuffled(prob, cands, chosen, 0)


def test_no_proof_in_the_limit_keeps_the_local_search(vierzon):
    prob, cands, start = _start(vierzon)
    r = prob.resources[0]
    free = [x for x in start if not x[0].locked]
    found = day_layout.lay_out_resource(prob, cands, r, free, time_limit_s=1e-6)
    assert found is None or not found[1]  # the limit is too small to prove it here
    assert order_days(prob, cands, start, layout_limit_s=1e-6) == local_days(prob, cands, start)
    # with its limit the layout is proven and shorter than the local search's
    assert order_days(prob, cands, start) != local_days(prob, cands, start)


def test_too_many_kinds_of_day_keep_the_local_search(vierzon, monkeypatch):
    prob, cands, start = _start(vierzon)
    monkeypatch.setattr(day_layout, "MAX_DAYS", 10)
    free = [x for x in start if not x[0].locked]
    assert day_layout.lay_out_resource(prob, cands, prob.resources[0], free, time_limit_s=1.0) is None
    assert order_days(prob, cands, start) == local_days(prob, cands, start)


def test_series_that_are_not_candidates_are_not_laid_out(vierzon):
    """A series no candidate holds (a saupoudrage session, a day re-slotted by hand) would be
    swapped for another candidate: no exact layout then."""
    prob, cands, start = _start(vierzon)
    r = prob.resources[0]
    free = [x for x in start if not x[0].locked]
    assert day_layout.lay_out_resource(prob, cands, r, free, time_limit_s=1.0) is not None
    (c, take), *rest = free
    moved = [(replace(c, start_min=c.start_min + 15), take), *rest]
    assert day_layout.lay_out_resource(prob, cands, r, moved, time_limit_s=1.0) is None


def test_a_longer_exact_layout_is_not_taken(vierzon, monkeypatch):
    """Should the proof's layout drive more (locked stops it does not chain), the local search's stays."""
    prob, cands, start = _start(vierzon)
    local = local_days(prob, cands, start)

    def worst(problem_, cands_, chosen_, **kw):
        return {r.id: (list(start), True) for r in problem_.resources}  # the unsorted start: longer

    monkeypatch.setattr(routing, "lay_out_each", worst)
    assert order_days(prob, cands, start) == local
    assert _km(prob, start) > _km(prob, local)


def test_a_replan_keeps_its_days(vierzon):
    prob, cands, start = _start(vierzon)
    previous = replace(prob, previous=(Session("S", 1, "bus-1", B, TUESDAYS[0], time(9), time(12)),))
    assert order_days(previous, cands, start) == start
