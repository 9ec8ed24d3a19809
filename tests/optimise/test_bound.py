"""The LP bound of the whole problem (issue 11): above every plan, close to the optimum, honest
when the solver restricts itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tiny_season import A, B, C, D, bus, problem

from planner.model import Rules
from planner.optimise import solve as solve_mod
from planner.optimise.bound import full_bound
from planner.optimise.candidates import build_candidates
from planner.optimise.cpsat import solve_model
from planner.optimise.solve import build_plan, gap_of, solve
from planner.problem import SolveParams
from planner.rules.check import check_plan

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)


def _optimum(prob) -> float:
    """Exact value (:func:`objective_value`) of CP-SAT's proven optimum with every host, no split."""
    cands = build_candidates(prob)
    choice = solve_model(prob, cands, PARAMS, time_limit_s=20)
    assert choice.status == "OPTIMAL"
    plan = build_plan(prob, cands, choice.chosen, kind="optimised", status="", bound=0.0, solve_seconds=0)
    return plan.metrics.objective


@pytest.mark.parametrize(
    ("rules", "within"),
    [
        (Rules(travel_weight=0.0), 0.01),
        (Rules(travel_weight=0.01), 0.01),
        (Rules(travel_weight=0.0, priority=0.0, repeat_value=0.5), 0.01),
        # a km budget is a knapsack: the LP spends what is left on a fraction of a series
        (Rules(travel_weight=0.0, km_budget=300.0), 0.15),
    ],
)
def test_lp_bound_is_above_the_proven_optimum_and_close_on_the_tiny_drawing(rules, within):
    prob = problem(rules=rules)
    optimum = _optimum(prob)
    lp = full_bound(prob)
    assert lp.status == "OPTIMAL"
    assert lp.value >= optimum - 1e-9
    assert lp.value <= optimum * (1 + within) + 1e-6


def test_lp_bound_with_two_resources_and_an_imposed_host():
    prob = problem(resources=(bus(), bus(id="bus-2")), rules=Rules(travel_weight=0.0))
    prob_must = replace(prob, must_host=(C,))
    for p in (prob, prob_must):
        assert full_bound(p).value >= _optimum(p) - 1e-9
    # imposing a host can only lower the best value, and the LP follows
    assert full_bound(prob_must).value <= full_bound(prob).value + 1e-9


def test_lp_bound_of_vierzon_is_above_the_optimum_within_one_percent():
    from builders import vierzon_problem

    prob = vierzon_problem(end=date(2027, 3, 26))
    optimum = _optimum(prob)
    lp = full_bound(prob)
    assert optimum - 1e-9 <= lp.value <= optimum * 1.01


def test_a_restricted_solve_reports_the_bound_of_the_whole_problem(monkeypatch):
    """One host per resource: the restriction misses the best plan; the bound must not.

    The restricted solve proves its own optimum (``restricted_bound``), which lies *below* the
    value of a plan of the whole problem — reporting it as the bound would call a worse plan
    optimal. ``metrics.bound`` is the LP bound of the whole problem: above that plan.
    """
    prob = problem(resources=(bus(), bus(id="bus-2", base=D)), rules=Rules(travel_weight=0.0))
    whole = solve(prob, PARAMS)  # 5 communes: every host, no split
    assert whole.metrics.status == "OPTIMAL" and whole.metrics.restricted_bound is None
    monkeypatch.setattr(solve_mod, "MAX_HOSTS", 1)
    monkeypatch.setattr(solve_mod, "DECOMPOSE_ABOVE", 3)
    monkeypatch.setattr(
        solve_mod, "priced_hosts", lambda sub, full, least=1: {r.id: {B} for r in sub.resources}
    )
    plan = solve(prob, PARAMS)
    m = plan.metrics
    assert check_plan(plan, prob) == []
    assert m.restricted_bound is not None
    assert m.restricted_bound < whole.metrics.objective - 0.1  # the restriction misses it
    assert m.bound >= whole.metrics.objective - 1e-9  # the reported bound does not
    assert m.gap == pytest.approx(gap_of(m.objective, m.bound))
    assert m.status == "FEASIBLE"  # never « optimal prouvé » for a restriction's optimum


def test_a_restricted_solve_priced_by_the_lp_keeps_the_valuable_hosts(monkeypatch):
    """With hosts chosen from the LP, a host limit (here 1) still finds the whole problem's optimum."""
    prob = problem(resources=(bus(), bus(id="bus-2", base=D)), rules=Rules(travel_weight=0.0))
    whole = solve(prob, PARAMS)
    monkeypatch.setattr(solve_mod, "MAX_HOSTS", 1)
    plan = solve(prob, PARAMS)
    assert plan.metrics.restricted_bound is not None  # the search was restricted
    assert plan.metrics.objective == pytest.approx(whole.metrics.objective, abs=1e-6)
    assert plan.metrics.bound >= whole.metrics.objective - 1e-9
    assert {s.host for s in plan.series} >= {A, D}


def test_a_group_without_a_solution_in_time_is_searched_again_then_reported(monkeypatch):
    """A group whose first search finds nothing gets a second search from its greedy plan; when
    that fails too, the plan says so (``greedy_parts``, status words) instead of hiding it."""
    from planner.french import plan_status_fr
    from planner.optimise import cpsat

    prob = problem(resources=(bus(), bus(id="bus-2", base=D)), rules=Rules(travel_weight=0.0))
    monkeypatch.setattr(solve_mod, "DECOMPOSE_ABOVE", 3)
    split = solve(prob, PARAMS)
    assert split.metrics.greedy_parts == 0
    # with the days' search, a group CP-SAT leaves without a solution keeps the days' plan: a search
    # result, not the greedy plan
    monkeypatch.setattr(solve_mod, "solve_model", lambda *a, **k: cpsat.Choice([], "UNKNOWN", -1.0, 1e9))
    days_only = solve(prob, PARAMS)
    assert days_only.metrics.greedy_parts == 0
    assert days_only.metrics.objective == pytest.approx(split.metrics.objective)
    # the rest is about the greedy fallback: no days' search
    monkeypatch.setattr(solve_mod, "search_days", lambda *a, **k: None)

    calls: list[str] = []
    real = cpsat.solve_model

    def first_fails(sub, cands, params, **kw):
        calls.append(sub.resources[0].id)
        if calls.count(sub.resources[0].id) == 1 and sub.resources[0].id == "bus":
            return cpsat.Choice([], "UNKNOWN", float("-inf"), float("inf"))
        return real(sub, cands, params, **kw)

    monkeypatch.setattr(solve_mod, "solve_model", first_fails)
    again = solve(prob, PARAMS)
    assert calls == ["bus", "bus-2", "bus"]  # the failed group searched again, after the others
    assert again.metrics.objective == pytest.approx(split.metrics.objective)
    assert again.metrics.greedy_parts == 0

    monkeypatch.setattr(solve_mod, "solve_model", lambda *a, **k: cpsat.Choice([], "UNKNOWN", -1.0, 1e9))
    greedy = solve(prob, PARAMS)
    assert greedy.metrics.greedy_parts == 2 and greedy.metrics.status == "FEASIBLE"
    assert greedy.metrics.bound >= split.metrics.objective
    assert "2 zone(s) sans solution trouvée à temps" in plan_status_fr(greedy.metrics)
    assert check_plan(greedy, prob) == []


def test_cp_sat_stopping_below_its_starting_plan_keeps_the_start(monkeypatch):
    """CP-SAT sometimes stops *below* its hint (seen on team days): the better of the two is kept.
    Forced here: a « solution » worth nothing, against the greedy plan each group starts from."""
    from planner.optimise import cpsat

    prob = problem(resources=(bus(), bus(id="bus-2", base=D)), rules=Rules(travel_weight=0.0))
    monkeypatch.setattr(solve_mod, "DECOMPOSE_ABOVE", 3)
    monkeypatch.setattr(solve_mod, "search_days", lambda *a, **k: None)  # the start is the greedy plan
    monkeypatch.setattr(solve_mod, "solve_model", lambda *a, **k: cpsat.Choice([], "UNKNOWN", -1.0, 1e9))
    greedy = solve(prob, PARAMS)  # no CP-SAT solution: the greedy plans stand in
    assert greedy.metrics.objective > 0
    monkeypatch.setattr(solve_mod, "solve_model", lambda *a, **k: cpsat.Choice([], "FEASIBLE", 0.0, 1e9))
    kept = solve(prob, PARAMS)
    assert kept.metrics.objective == pytest.approx(greedy.metrics.objective)  # not 0: the start
    assert kept.metrics.greedy_parts == 0  # CP-SAT did answer: not reported as a greedy zone
    assert check_plan(kept, prob) == []


def test_150_communes_two_resources_priced_hosts_reach_the_uncapped_objective(monkeypatch):
    """Cher, 150 communes spread over the department, a bus at Bourges and a team at
    Saint-Amand-Montrond (6 weeks): more communes than ``MAX_HOSTS``, so the search only sees the
    hosts the LP prices in — and reaches the objective of the model with every host."""
    from builders import cher_problem

    prob = cher_problem(150, weeks=6)
    assert len(prob.territory.communes) > solve_mod.MAX_HOSTS
    params = SolveParams(time_limit_s=120, gap=0.0, workers=1, seed=1)  # stops once proven
    priced = solve(prob, params)
    assert priced.metrics.restricted_bound is not None  # hosts were limited
    monkeypatch.setattr(solve_mod, "MAX_HOSTS", 10**6)
    uncapped = solve(prob, params)
    assert uncapped.metrics.status == "OPTIMAL" and uncapped.metrics.restricted_bound is None
    assert priced.metrics.objective == pytest.approx(uncapped.metrics.objective, abs=1e-6)
    assert priced.metrics.bound >= uncapped.metrics.objective
