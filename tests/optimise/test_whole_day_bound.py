"""The day-pattern bound of the whole problem (:func:`planner.optimise.whole_bound.whole_day_bound`).

- on the problems whose optimum CP-SAT proves (those of ``test_lagrange_bound``), the bound is
  never below the optimum — at every round, not only the last — and never above the LP bound nor
  the Lagrangian bound at the LP's prices;
- the stabilisation changes nothing in the final value: boxed or smoothed around the Lagrangian
  centre, or not at all, it is the value of the unstabilised master
  (:func:`planner.optimise.patterns.pattern_bound`);
- the arrays of :class:`WholeMaster` are the programme of :class:`PatternMaster` (same optimum
  over the same columns), and its two bounds are valid at *any* duals, not only the master's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_lagrange_bound import COUPLED, PROBLEMS, _optimum

from planner.optimise.bound import full_bound
from planner.optimise.candidates import build_candidates
from planner.optimise.lagrange import lagrangian_bound
from planner.optimise.patterns import PatternMaster, best_patterns, day_frames, pattern_bound, single_sessions
from planner.optimise.whole_bound import WholeMaster, whole_day_bound

_CACHE: dict[str, tuple] = {}


def _setup(name: str, table=PROBLEMS):
    """Problem, candidates, frames, LP bound, Lagrangian bound and parts, proven optimum."""
    if name not in _CACHE:
        prob = table[name]()
        optimum, _ = _optimum(prob)
        cands = build_candidates(prob, with_free=False)
        frames = day_frames(prob, cands)
        fb = full_bound(prob, cands)
        lag, parts = (math.inf, None)
        if prob.rules.km_budget <= 0 and not prob.must_host:
            lag, parts = lagrangian_bound(prob, cands, frames, fb.prices, time_limit_s=20)
        _CACHE[name] = (prob, cands, frames, fb, lag, parts, optimum)
    return _CACHE[name]


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_whole_day_bound_lies_between_the_optimum_and_the_other_bounds(name):
    prob, cands, frames, fb, lag, parts, optimum = _setup(name)
    wb = whole_day_bound(prob, cands, frames, fb, parts, time_limit_s=60)
    assert wb.status == "OPTIMAL"
    assert all(p.site_duals for p in parts.values())  # the centre was there to stabilise
    assert len(wb.history) == wb.rounds >= 1
    assert all(bound >= optimum - 1e-6 for _, _, bound in wb.history)  # every round bounds it
    assert wb.value >= optimum - 1e-6
    assert wb.value <= fb.value + 1e-6
    assert wb.value <= lag + 1e-6
    assert wb.lp_value <= wb.value


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_stabilisation_changes_nothing_in_the_final_value(name):
    prob, cands, frames, _fb, _lag, parts, _optimum = _setup(name)
    assert math.isfinite(_lag)
    runs = {
        "plain": whole_day_bound(prob, cands, frames, None, None, 60, disjoint=0, extra=8),
        "plain with parts": whole_day_bound(prob, cands, frames, None, parts, 60, box=0.0),
        "box": whole_day_bound(prob, cands, frames, None, parts, 60),
        "narrow box": whole_day_bound(prob, cands, frames, None, parts, 60, box=0.01, disjoint=0),
        "wide box": whole_day_bound(prob, cands, frames, None, parts, 60, box=2.0),
        "box from the Lagrangian's value": whole_day_bound(
            prob, cands, frames, None, parts, 60, centre_bound=_lag
        ),
    }
    reference = pattern_bound(prob, cands, time_limit_s=60, frames=frames)
    assert reference.status == "OPTIMAL"
    for label, b in runs.items():
        assert b.status == "OPTIMAL", label
        assert b.value == pytest.approx(reference.value, rel=1e-5, abs=1e-5), label
        assert b.lp_value == pytest.approx(reference.lp_value, rel=1e-5, abs=1e-5), label


@pytest.mark.parametrize("name", list(COUPLED))
def test_whole_day_bound_with_a_km_budget_an_imposed_host_or_a_request(name):
    prob, cands, frames, fb, _lag, parts, optimum = _setup(name, COUPLED)
    wb = whole_day_bound(prob, cands, frames, fb, parts, time_limit_s=60)
    reference = pattern_bound(prob, cands, time_limit_s=60, frames=frames)
    assert wb.status == "OPTIMAL"
    assert optimum - 1e-6 <= wb.value <= fb.value + 1e-6
    assert wb.value == pytest.approx(reference.value, rel=1e-5, abs=1e-5)


def _singles(master, frames):
    for f in frames:
        for pat in single_sessions(f):
            master.add(f, pat)


@pytest.mark.parametrize("name", ["cher20-team-11-weeks-km", "vierzon-locked"])
def test_the_arrays_are_the_pattern_master(name):
    prob, cands, frames, *_ = _setup(name)
    whole = WholeMaster(prob, cands, frames)
    reference = PatternMaster(prob, cands, frames)
    _singles(whole, frames)
    _singles(reference, frames)
    assert whole.solve(20)
    assert reference.solve(20) == 0
    assert whole.lp == pytest.approx(reference.objective.Value() + reference.const, rel=1e-7)
    assert len(whole.lo) == reference.solver.NumConstraints()
    assert len(whole.lb) == reference.solver.NumVariables()


@pytest.mark.parametrize("name", ["tiny-two-buses", "cher16-team", "vierzon-locked"])
def test_both_bounds_hold_at_any_duals(name):
    prob, cands, frames, _fb, _lag, _parts, optimum = _setup(name)
    master = WholeMaster(prob, cands, frames)
    _singles(master, frames)
    assert master.solve(20)

    def best(duals):
        return [best_patterns(f, master.gains(i, duals))[0][0] for i, f in enumerate(frames)]

    y = master.duals
    # at the master's own duals both are the usual lp + Σ windows · best reduced gain
    lift = sum(
        f.blocks * max(0.0, b - y[master.day_row[f.key]]) for f, b in zip(frames, best(y), strict=True)
    )
    assert master.lagrangian(y, best(y)) == pytest.approx(master.lp + lift, rel=1e-6, abs=1e-4)
    assert master.people_bound(y, best(y)) == pytest.approx(master.lp + lift, rel=1e-5, abs=1e-4)
    rng = np.random.default_rng(7)
    seen = []
    for scale in (0.0, 0.5, 1.0, 3.0):
        z = y * rng.uniform(0.0, 2.0, len(y)) * scale + rng.normal(0.0, scale, len(y))
        for value in (master.lagrangian(z, best(z)), master.people_bound(z, best(z))):
            assert value >= optimum - 1e-6, (scale, value, optimum)
            seen.append(value)
        # the master's point is one of P(σ)'s: its value never exceeds what people_bound solves
        assert master.people_floor(z, best(z)) <= master.people_bound(z, best(z)) + 1e-6
    assert min(seen) < 10 * max(1.0, optimum)  # not only infinite values: the test bites
    assert master.people_floor(y, best(y)) == pytest.approx(master.people_bound(y, best(y)), rel=1e-6)


@pytest.mark.parametrize("name", ["cher16-team", "cher20-team", "vierzon-locked"])
def test_people_bound_in_the_masters_solver_is_the_programme_alone(name):
    """P(σ) solved in the master's own GLOP (columns fixed, rows freed, then put back) is the
    value of P(σ) built alone, and the master's next solve is unchanged by it."""
    prob, cands, frames, *_ = _setup(name)
    rng = np.random.default_rng(3)
    alone, shared = WholeMaster(prob, cands, frames), WholeMaster(prob, cands, frames)
    for m in (alone, shared):
        _singles(m, frames)
    assert shared.solve(20)
    lp = shared.lp
    for _ in range(3):
        z = shared.duals * rng.uniform(0.0, 2.0, len(shared.duals))
        best = [best_patterns(f, shared.gains(i, z))[0][0] for i, f in enumerate(frames)]
        alone._solver = None  # built alone each time (the path before the master's first solve)
        assert shared.people_bound(z, best) == pytest.approx(alone.people_bound(z, best), rel=1e-7)
        assert shared._solver is not None  # the master's solver, kept
        assert shared.solve(20)
        assert shared.lp == pytest.approx(lp, rel=1e-9)  # back to the master: same optimum


def test_a_failed_people_solve_gives_no_bound_and_the_master_goes_on():
    """GLOP giving up on P(σ) in the master's solver: no bound (inf), and the master's next
    solve, from a rebuilt solver, has its optimum."""
    from pybind11_abseil.status import Status, StatusCode, StatusNotOk

    prob, cands, frames, *_ = _setup("cher20-team")
    master = WholeMaster(prob, cands, frames)
    _singles(master, frames)
    assert master.solve(20)
    lp = master.lp
    real = master._solver

    class Failing:
        def update(self, u):
            return real.update(u)

        def solve(self, *args):
            raise StatusNotOk(Status(StatusCode.INTERNAL, "ABNORMAL"))

    master._solver = Failing()
    best = [best_patterns(f, master.gains(i, master.duals))[0][0] for i, f in enumerate(frames)]
    assert master.people_bound(master.duals, best) == math.inf
    assert master._solver is None
    assert master.solve(20)
    assert master.lp == pytest.approx(lp, rel=1e-9)
    assert math.isfinite(master.people_bound(master.duals, best))


@pytest.mark.parametrize("name", ["cher16-team", "cher20-team", "vierzon-locked"])
def test_skipping_people_bound_changes_nothing(name, monkeypatch):
    """Rounds where the master's point already reaches the least bound skip people_bound:
    the bounds of every round are those of a run that solves it every round."""
    prob, cands, frames, _fb, _lag, parts, _optimum = _setup(name)
    lines: list[str] = []
    skipping = whole_day_bound(prob, cands, frames, None, parts, 60, log=lines.append)
    monkeypatch.setattr(WholeMaster, "people_floor", lambda self, duals, best: -math.inf)
    solving = whole_day_bound(prob, cands, frames, None, parts, 60)
    assert skipping.status == solving.status == "OPTIMAL"
    assert skipping.rounds == solving.rounds
    assert [b for _, _, b in skipping.history] == pytest.approx([b for _, _, b in solving.history], rel=1e-9)
    assert skipping.value == pytest.approx(solving.value, rel=1e-9)
    assert " skipped 0 " not in lines[-1]  # some round did skip: the comparison bites


def test_a_stopped_run_still_bounds_the_problem():
    prob, cands, frames, _fb, _lag, parts, optimum = _setup("cher20-team")
    assert math.isfinite(_lag)
    wb = whole_day_bound(prob, cands, frames, None, parts, time_limit_s=1e-3)
    assert wb.status == "STOPPED"
    assert wb.value >= optimum - 1e-6  # the centre's bound, proven before any round
    assert math.isfinite(wb.value)
    # given the Lagrangian bound the centre comes from, the centre is not valued again (a pricing
    # pass and a people programme saved): stopped at once, the bound is that one
    told = whole_day_bound(prob, cands, frames, None, parts, time_limit_s=1e-3, centre_bound=_lag)
    assert told.value == _lag != wb.value
