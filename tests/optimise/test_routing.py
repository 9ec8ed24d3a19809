"""Daily routes (tiny drawing of ``tests/tiny_season.py``: A–B 10, B–C 10, A–C 20, C–D 40, A–D 60)."""

from __future__ import annotations

import itertools
from datetime import time

import pytest
from tiny_season import TUESDAYS, A, B, C, D, bus, matrix, problem

from planner.model import Session
from planner.optimise.candidates import build_candidates, slot_start
from planner.optimise.routing import best_order, day_routes, local_days, order_days, route_of
from planner.optimise.solve import build_plan, solve
from planner.problem import SolveParams
from planner.rules.check import check_plan


def test_route_goes_from_the_base_and_back():
    r = route_of(bus(), TUESDAYS[0], [B, D], matrix())
    assert r.stops == (A, B, D, A)
    assert r.km == pytest.approx(10 + 50 + 60)
    assert r.drive_minutes == pytest.approx(120)


def test_repeated_consecutive_stop_is_merged():
    assert route_of(bus(), TUESDAYS[0], [B, B], matrix()).stops == (A, B, A)


def test_day_routes_follow_the_start_times():
    day = TUESDAYS[0]
    sessions = [
        Session("S2", 1, "bus", D, day, time(13, 30), time(16, 30)),
        Session("S1", 1, "bus", B, day, time(9, 10), time(12, 10)),
    ]
    (route,) = day_routes([bus()], sessions, matrix())
    assert route.stops == (A, B, D, A)


def test_best_order_for_two_stops_takes_the_shorter_way():
    # both orders are 120 km on this line; A→C→B→A is 20+10+10 = 40 = A→B→C→A: either is fine
    assert sorted(best_order(A, [C, B], matrix())) == [B, C]


def test_best_order_uses_the_routing_library_for_several_stops():
    # Points on a line A–B–C–D: visiting in order B, C, D (or reversed) is the shortest tour (120 km)
    order = best_order(A, [D, B, C], matrix(), time_limit_s=0.5, exact_up_to=0)
    assert order in ([B, C, D], [D, C, B])
    m = matrix()
    stops = [A, *order, A]
    assert sum(m.km(a, b) for a, b in itertools.pairwise(stops)) == pytest.approx(120)


def test_best_order_avoids_a_zigzag():
    m = matrix()
    zigzag = [D, B, C]
    tour = [A, *zigzag, A]
    assert sum(m.km(a, b) for a, b in itertools.pairwise(tour)) > 120  # 60+50+10+20 = 140
    assert best_order(A, zigzag, m) != zigzag  # every order tried
    assert best_order(A, zigzag, m, time_limit_s=0.5, exact_up_to=0) != zigzag  # routing library


# ----------------------------------------------------------------------------- order of a team's day


def _team():
    """A team of 60-min sessions, 4 a day, 09:00–18:00 (slots: first, 11:45, 14:15, last)."""
    return bus(
        id="team",
        kind="team",
        seats=8,
        session_minutes=60,
        max_sessions_per_day=4,
        day_end=time(18, 0),
        needs_power=False,
    )


def _zigzag():
    """D in the morning, B at 14:15, C last: base A → D → B → C → A = 60+50+10+20 = 140 km."""
    team = _team()
    prob = problem(resources=(team,))
    cands = build_candidates(prob)
    pick = {(c.host, c.slot): c for c in cands.free if c.block == 0}
    chosen = [(pick[(D, 0)], {D: 8}), (pick[(B, 2)], {B: 8}), (pick[(C, 3)], {C: 8})]
    return team, prob, cands, chosen


def test_team_day_of_three_stops_takes_the_shortest_tour():
    """The local search (the fallback of the exact layout) re-slots the day along the tour."""
    team, prob, cands, chosen = _zigzag()
    m = prob.matrix
    assert [c.slot for c, _ in chosen] == [0, 2, 3]
    out = local_days(prob, cands, chosen)
    got = sorted((c.slot, c.host, c.start_min) for c, _ in out)
    # the tour D → C → B (120 km) in the same slots, times recomputed at the new hosts
    assert got == [(k, h, slot_start(team, k, h, m)) for k, h in [(0, D), (2, C), (3, B)]]
    assert [c.start_min for c, _ in out if c.host == B] == [16 * 60 + 45]  # 18:00 − 10 − 60 → 16:45
    assert [take for _, take in out] == [take for _, take in chosen]  # people follow their series
    naive = build_plan(prob, cands, chosen, kind="greedy", status="HEURISTIC", bound=None, solve_seconds=0)
    for route in naive.routes:  # the plan's days are laid out exactly: the tour, either way
        assert route.stops in ((A, D, C, B, A), (A, B, C, D, A)) and route.km == pytest.approx(120)
    assert naive.metrics.km == pytest.approx(5 * 120)  # 5 Tuesdays; the zigzag would drive 5 × 140
    assert check_plan(naive, prob) == []


def test_local_search_keeps_a_day_already_in_the_best_order_and_two_stop_days():
    _, prob, cands, chosen = _zigzag()
    once = local_days(prob, cands, chosen)
    assert local_days(prob, cands, once) == once
    bus_prob = problem()
    bus_cands = build_candidates(bus_prob)
    pick = {(c.host, c.slot): c for c in bus_cands.free}
    two = [(pick[(D, 0)], {D: 12}), (pick[(A, 1)], {A: 12})]  # 2 stops: both orders drive 120 km
    assert local_days(bus_prob, bus_cands, two) == two


def test_exact_layout_of_a_laid_out_plan_is_itself():
    """Laid out twice, the same days: the layout depends on the series, not on their days."""
    _, prob, cands, chosen = _zigzag()
    once = order_days(prob, cands, chosen)

    def days(out):
        return sorted((c.block, c.slot, c.host, c.start_min, tuple(take.items())) for c, take in out)

    assert days(order_days(prob, cands, once)) == days(once)
    assert sorted(c.host for c, _ in once) == sorted(c.host for c, _ in chosen)


def test_optimised_team_plan_keeps_every_rule_with_routed_days():
    prob = problem(resources=(_team(),))
    plan = solve(prob, SolveParams(time_limit_s=10, gap=0.0, workers=1, seed=1))
    assert check_plan(plan, prob) == []
    m = prob.matrix
    busy = [route for route in plan.routes if len(set(route.stops[1:-1])) >= 3]
    assert busy  # the team does 4 stops a day here (A, D, C, B)
    for route in busy:  # here the shortest tour fits the day, so the day drives it
        hosts = list(route.stops[1:-1])
        shortest = sum(m.km(a, b) for a, b in itertools.pairwise([A, *best_order(A, hosts, m), A]))
        assert route.km == pytest.approx(shortest)
