"""The Lagrangian bound and the day-pattern bound (:mod:`planner.optimise.lagrange`,
:func:`planner.optimise.patterns.pattern_bound`) against brute force and proven optima.

- :func:`envelope_slopes` against the upper concave envelope computed from its definition (the
  best chord over every pair of points around ``k``);
- :func:`site_earnings` against an enumeration of every integer way to fill ``n`` series (the
  tiny drawing's site B counts communes A, B and C), including a threshold that forces people
  who lose, locked series without threshold, unpriced communes and the ``n`` that cannot be held;
- :func:`planner.optimise.patterns.most_series` agrees with the ``n`` :func:`site_earnings` stops at;
- on problems whose optimum CP-SAT proves (two tiny drawings, Vierzon, two Cher problems with a
  team), the pattern bound and the Lagrangian bound — at the bounds' prices and at arbitrary
  prices — are never below the optimum, the pattern bound is never above the LP bound of
  :func:`full_bound`, and strictly below it when a team's days matter.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from builders import cher_problem, vierzon_problem
from tiny_season import A, B, C, D, bus
from tiny_season import problem as tiny

from planner.model import HostRequest, Rules, Session
from planner.optimise.bound import SAFETY, full_bound
from planner.optimise.candidates import build_candidates, clock, host_cap
from planner.optimise.cpsat import solve_model
from planner.optimise.lagrange import commune_part, envelope_slopes, lagrangian_bound, site_earnings
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights
from planner.optimise.patterns import day_frames, pattern_bound
from planner.optimise.solve import build_plan
from planner.problem import SolveParams

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=0)

# --------------------------------------------------------------------------------------------
# envelope_slopes
# --------------------------------------------------------------------------------------------


def _envelope(values: list[float]) -> list[float]:
    """Upper concave envelope at each integer: the best chord between points on either side."""
    n = len(values)
    out = []
    for k in range(n):
        best = values[k]
        for a in range(k + 1):
            for b in range(k, n):
                if a < b:
                    best = max(best, (values[a] * (b - k) + values[b] * (k - a)) / (b - a))
        out.append(best)
    return out


def test_envelope_slopes_of_concave_values_are_their_differences():
    for values in ([0.0, 5.0, 9.0, 12.0, 14.0, 15.0, 15.0, 14.0], [3.0, 3.0, 3.0], [0.0, 1.0, 2.0, 3.0]):
        assert envelope_slopes(values) == pytest.approx(list(np.diff(values)), abs=1e-12)
    assert envelope_slopes([7.0]) == []


def test_envelope_slopes_bridge_a_dip_and_a_slow_start():
    # 0, 1, 8 (slow start: the envelope goes 0 → 8 in two steps of 4), then a dip at 3
    values = [0.0, 1.0, 8.0, 6.0, 10.0, 11.0]
    slopes = envelope_slopes(values)
    assert slopes == pytest.approx([4.0, 4.0, 1.0, 1.0, 1.0])
    assert slopes[0] > values[1] - values[0]  # not the differences: the test bites


@pytest.mark.parametrize("seed", range(20))
def test_envelope_slopes_are_the_upper_concave_envelope(seed):
    rng = np.random.default_rng(seed)
    values = list(np.cumsum(rng.normal(0.0, 1.0, int(rng.integers(2, 14)))))
    slopes = envelope_slopes(values)
    assert len(slopes) == len(values) - 1
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(slopes))  # non-increasing
    lifted = [values[0], *(values[0] + np.cumsum(slopes))]
    envelope = _envelope(values)
    assert lifted == pytest.approx(envelope, abs=1e-9)
    assert all(v >= x - 1e-9 for v, x in zip(lifted, values, strict=True))
    touching = [k for k in range(len(values)) if abs(lifted[k] - values[k]) < 1e-9]
    assert touching[0] == 0 and touching[-1] == len(values) - 1  # hull vertices: equal there


# --------------------------------------------------------------------------------------------
# site_earnings
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_site():
    prob = tiny()
    return prob, build_candidates(prob, with_free=False), prob.resources[0]


def _brute_earnings(prob, cands, r, host, prices, fixed, most):
    """Enumerate every integer number of people per commune for n = fixed … most."""
    caps, pools = cands.caps(prob, r.id, host), cands.pools(prob, r.id, host)
    weights = person_weights(prob, cands.group)
    seats = host_cap(prob, host, r.seats)
    lo = prob.rules.min_participants
    codes = [i for i in caps if caps[i] > 0 and cands.people.get(i, 0) > 0 and i in prices]
    earn = np.array([prices[i] - weights[i] * attendance_penalty(prob, i, host, r) for i in codes])
    out = []
    for n in range(fixed, most + 1):
        ub = [pools[i] if i == host else min(pools[i], caps[i] * n) for i in codes]
        grid = np.array(list(itertools.product(*[range(u + 1) for u in ub])), dtype=float)
        total = grid.sum(axis=1)
        ok = (total <= seats * n) & (total >= lo * (n - fixed))
        if not ok.any():
            break
        out.append(float((grid[ok] @ earn).max()))
    return out


@pytest.mark.parametrize(
    ("prices", "fixed", "held"),
    [
        # A earns, B and C lose: the threshold takes the least-losing ones; n = 5 needs 30 people
        # and the site reaches 10 + 12 + 3 = 25: f stops after n = 4
        ({A: 1.0, B: -0.5, C: -0.2}, 0, 5),
        ({A: 1.0, B: 0.8, C: 0.9}, 0, 5),  # everyone earns: the seats decide
        ({A: 0.0, B: 0.0, C: 0.0}, 0, 5),  # nobody earns: only the threshold's losses
        ({A: 1.0, B: -0.5, C: -0.2}, 2, 5),  # 2 locked series: no threshold for them, n = 2 … 6
        ({A: 1.0, C: -0.2}, 0, 2),  # B unpriced: A and C give 3 each a series, 9 < 12 for n = 2
    ],
)
def test_site_earnings_are_the_best_integer_filling(tiny_site, prices, fixed, held):
    prob, cands, r = tiny_site
    got = site_earnings(prob, cands, r, B, prices, fixed, 8)
    brute = _brute_earnings(prob, cands, r, B, prices, fixed, 8)
    assert got == pytest.approx(brute, abs=1e-9)
    assert len(got) == held  # the first n it cannot hold ends the list
    assert len(got) < 8 - fixed + 1


def test_site_earnings_take_losing_people_only_to_reach_the_threshold(tiny_site):
    prob, cands, r = tiny_site
    w = person_weights(prob, cands.group)
    earn_a = 1.0 - w[A] * attendance_penalty(prob, A, B, r)
    earn_c = -0.2 - w[C] * attendance_penalty(prob, C, B, r)
    f = site_earnings(prob, cands, r, B, {A: 1.0, B: -0.5, C: -0.2}, 0, 8)
    # one series: A's cap of 3 people, then 3 of C (losing less than B's) for the threshold of 6
    assert f[0] == 0.0
    assert f[1] == pytest.approx(3 * earn_a + 3 * earn_c)
    assert f[1] < 3 * earn_a


def test_most_series_is_where_site_earnings_stop():
    prob = cher_problem(20, weeks=16)  # 3 windows a weekday: up to 18 series of the team
    cands = build_candidates(prob, with_free=False)
    frames = day_frames(prob, cands)
    zero = {i: 0.0 for i in cands.people}
    checked = 0
    for f in frames:
        for h, most in f.most.items():
            upto = f.blocks * len(f.hosts) * len(f.resource.weekdays)
            n = len(site_earnings(prob, cands, f.resource, h, zero, 0, upto + 1)) - 1
            assert most == min(n, upto), (f.key, h)
            checked += most < upto
    assert checked > 0  # some host's people, not the windows, limit its series


# --------------------------------------------------------------------------------------------
# Bounds against proven optima
# --------------------------------------------------------------------------------------------

PROBLEMS = {
    "tiny": lambda: tiny(rules=Rules(travel_weight=0.01)),
    "tiny-two-buses": lambda: tiny(resources=(bus(), bus(id="bus-2", base=D))),
    "vierzon": lambda: vierzon_problem(end=date(2027, 3, 26)),
    "cher16-team": lambda: cher_problem(16, weeks=6),
    "cher20-team": lambda: cher_problem(20, weeks=6),
    "cher20-team-11-weeks-km": lambda: _with_travel(cher_problem(20, weeks=11)),
    "vierzon-locked": lambda: _with_lock(vierzon_problem(end=date(2027, 3, 26))),
}


def _with_travel(prob):
    """Kilometres cost something: the patterns' columns carry their km."""
    return replace(prob, rules=replace(prob.rules, travel_weight=0.01))


def _with_lock(prob):
    """One announced session (Tuesday 5 January, first slot, at the largest need): its series is
    locked, its days are no longer free for other series."""
    cands = build_candidates(prob)
    host = max(prob.territory.codes, key=lambda h: (cands.people.get(h, 0), h))
    c = next(x for x in cands.free if (x.host, x.weekday, x.slot, x.block) == (host, 1, 0, 0))
    lock = Session("L1", 1, c.resource, host, c.dates[0], clock(c.start_min), clock(c.end_min), locked=True)
    return replace(prob, locked=(lock,))


def _optimum(prob) -> tuple[float, list]:
    """CP-SAT's proven optimum over every candidate series: its exact value and its series."""
    cands = build_candidates(prob)
    choice = solve_model(prob, cands, PARAMS, time_limit_s=20)
    assert choice.status == "OPTIMAL"
    plan = build_plan(prob, cands, choice.chosen, kind="optimised", status="", bound=0.0, solve_seconds=0)
    return plan.metrics.objective, choice.chosen


def _price_sets(prob, cands, pb, fb):
    weights = person_weights(prob, cands.group)
    rng = np.random.default_rng(0)
    codes = sorted(cands.people)
    return {
        "pattern duals": pb.prices,
        "LP duals": fb.prices,
        "zero": {i: 0.0 for i in codes},
        "first group": {i: weights[i] for i in codes},
        "random": {i: weights[i] * float(rng.uniform(-0.5, 1.5)) for i in codes},
        "LP duals halved": {i: 0.5 * v for i, v in fb.prices.items()},
    }


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_pattern_and_lagrangian_bounds_are_above_the_proven_optimum(name):
    prob = PROBLEMS[name]()
    optimum, best = _optimum(prob)
    cands = build_candidates(prob, with_free=False)
    frames = day_frames(prob, cands)
    pb = pattern_bound(prob, cands, time_limit_s=20)
    fb = full_bound(prob, cands)
    # the optimal plan is a point of the master: its days are patterns of the frames
    held = Counter((c.host, c.resource) for c, _ in best if not c.locked)
    for (host, rid), n in held.items():
        assert n <= max(f.most.get(host, 0) for f in frames if f.resource.id == rid), (host, rid)
    for c, _ in best:
        if not c.locked:
            assert c.host in next(f for f in frames if f.key == (c.resource, c.weekday)).hosts[c.slot]
    # every round of column generation bounds the problem, not only the last one
    assert len(pb.history) == pb.rounds >= 1
    assert all(bound >= optimum - 1e-6 for _, _, bound in pb.history)
    assert pb.lp_value <= pb.value
    assert pb.status == "OPTIMAL" and fb.status == "OPTIMAL"
    assert bool(cands.fixed) == bool(prob.locked) == any(f.limit for f in frames)  # limit rows
    assert pb.value >= optimum - 1e-6
    # the days are a tighter relaxation than slots filled one by one
    assert pb.value <= fb.value + 1e-6
    for label, prices in _price_sets(prob, cands, pb, fb).items():
        value, parts = lagrangian_bound(prob, cands, frames, prices, time_limit_s=20)
        assert all(p.finished for p in parts.values()), label
        assert value >= optimum - 1e-9, f"{label}: L = {value} < optimum {optimum}"
        parts_sum = commune_part(prob, cands, prices) + sum(p.value for p in parts.values())
        assert value == pytest.approx(
            parts_sum * (1 + SAFETY) if parts_sum > 1 else parts_sum + SAFETY, rel=1e-9
        )
    # at the duals of a linear bound, whole series (the envelope) can only lower that bound
    at_pb, _ = lagrangian_bound(prob, cands, frames, pb.prices, time_limit_s=20)
    at_fb, _ = lagrangian_bound(prob, cands, frames, fb.prices, time_limit_s=20)
    assert at_pb <= pb.value + 1e-6
    assert at_fb <= fb.value + 1e-6


@pytest.mark.parametrize("name", ["cher16-team", "cher20-team"])
def test_pattern_bound_is_strictly_tighter_when_a_team_holds_three_sessions(name):
    prob = PROBLEMS[name]()
    cands = build_candidates(prob, with_free=False)
    pb = pattern_bound(prob, cands, time_limit_s=20)
    fb = full_bound(prob, cands)
    # the LP fills the team's three slots independently; its days are far from drivable
    assert pb.value < fb.value - 0.5
    # its days are drivable days of the frames it was built on
    frames = {f.key: f for f in pb.frames}
    for key, days in pb.patterns.items():
        f = frames[key]
        for windows, hosts in days:
            assert 0 < windows <= f.blocks + 1e-9
            idx = [f.index[s][h] if h is not None else -1 for s, h in enumerate(hosts)]
            for s, t in itertools.combinations(range(len(idx)), 2):
                if idx[s] >= 0 and idx[t] >= 0:
                    assert f.compat[(s, t)][idx[s], idx[t]], (key, hosts)


def test_a_commune_no_site_counts_changes_nothing():
    """A price for commune E (counted by no host: its 4 people are below the threshold) only adds
    its own groups' value above the price; E absent, the bound is the same minus that."""
    prob = tiny()
    cands = build_candidates(prob, with_free=False)
    frames = day_frames(prob, cands)
    fb = full_bound(prob, cands)
    assert "18005" not in fb.prices
    base, _ = lagrangian_bound(prob, cands, frames, fb.prices)
    weights = person_weights(prob, cands.group)
    with_e, _ = lagrangian_bound(prob, cands, frames, {**fb.prices, "18005": 0.0})
    groups = min(MAX_GROUPS, -(-cands.people["18005"] // cands.group))
    assert groups == 1
    assert with_e == pytest.approx(base + cands.people["18005"] * weights["18005"])


COUPLED = {
    # rows the Lagrangian bound leaves to the linear ones: the pattern master keeps them
    "tiny-km-budget": lambda: tiny(rules=Rules(travel_weight=0.0, km_budget=300.0)),
    "tiny-must-host": lambda: replace(tiny(resources=(bus(), bus(id="bus-2", base=D))), must_host=(C,)),
    "cher20-team-km-budget": lambda: _with_budget(cher_problem(20, weeks=6), 600.0),
    "vierzon-request": lambda: replace(
        vierzon_problem(end=date(2027, 3, 26)),
        requests=(
            HostRequest(
                "18279",
                weekdays=(4,),
                blackout_dates=frozenset({date(2027, 2, 19)}),
                expected_participants=7,
            ),
        ),
    ),
}


def _with_budget(prob, km: float):
    return replace(prob, rules=replace(prob.rules, km_budget=km))


@pytest.mark.parametrize("name", list(COUPLED))
def test_pattern_bound_with_a_km_budget_an_imposed_host_or_a_request(name):
    prob = COUPLED[name]()
    optimum, _ = _optimum(prob)
    pb = pattern_bound(prob, time_limit_s=20)
    fb = full_bound(prob)
    assert pb.status == "OPTIMAL"
    assert optimum - 1e-6 <= pb.value <= fb.value + 1e-6
