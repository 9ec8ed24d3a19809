"""Every kind of reason for leaving a commune out is true: forcing the commune in
(``PlanningProblem.must_host``) and solving again confirms what the reason said.

Tiny drawing of ``tests/tiny_season.py``: two series at most (one window, morning and
afternoon), person weights ``U/(U+24)``: A 0.625, B 0.333, C 0.333, D 0.556. By default the
plan holds A and D (12 people each).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from tiny_season import A, B, C, D, problem

from planner.errors import InfeasibleError
from planner.model import CommuneNeed, Rules
from planner.optimise.solve import solve
from planner.problem import SolveParams

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)


def _reason(plan, code):
    return {u.code_insee: u for u in plan.unserved if not u.request_id}[code]


def _forced(prob, code):
    return solve(replace(prob, must_host=(code,)), PARAMS)


def _hosts(plan):
    return sorted(s.host for s in plan.series)


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return float(found.group(1).replace(",", ".").replace("\u2212", "-"))


def test_displacing_a_better_covered_commune_is_what_it_costs():
    """D covered at 50 %: 0.556 · (1 + 2 · 0.5) / 3 = 0.370 a person, still above B's 0.333.

    The reason names D, its coverage, the value lost (12 × (0.370 − 0.333) = 0.44) and the
    priority from which B would win (0.556 (1 + P/2)/(1 + P) < 1/3 ⇔ P > 4: the step 5)."""
    prob = problem()
    prob = replace(prob, needs={**prob.needs, D: CommuneNeed(D, 60.0, 0.5, 30.0)})
    plan = solve(prob, PARAMS)
    assert _hosts(plan) == [A, D]
    b = _reason(plan, B)
    assert b.reason.startswith(
        "servir Commune B remplacerait le parcours de Commune D, déjà couverte à 50 % ("
    )
    assert "12 personnes y viendraient sur un besoin non couvert de 12, contre 12 sur 30" in b.reason
    loss = _number(r"perdrait (\S+) de valeur", b.reason)
    assert loss == pytest.approx(12 * (30 / 54 * 2 / 3 - 12 / 36), abs=0.01)
    assert b.what_would_help.startswith(
        "avec une priorité aux moins couverts d'au moins 5,0 (au lieu de 2,0)"
    )
    # forcing B in: the best plan with B drops D and loses what the reason says (not more)
    forced = _forced(prob, B)
    assert _hosts(forced) == [A, B]
    assert plan.metrics.objective - forced.metrics.objective == pytest.approx(loss, abs=0.01)
    # and from the stated priority on, B comes in by itself
    assert B in _hosts(solve(replace(prob, rules=replace(prob.rules, priority=5.0)), PARAMS))


def test_no_free_slot_only_when_every_slot_serves_a_commune_at_least_as_poorly_covered():
    """Every commune is uncovered: C could only take the slot of A or of D (coverage 0)."""
    prob = problem()
    plan = solve(prob, PARAMS)
    c = _reason(plan, C)
    assert c.reason.startswith("plus de créneau libre le mardi")
    forced = _forced(prob, C)
    dropped = set(_hosts(plan)) - set(_hosts(forced))
    assert dropped and all(prob.needs[x].coverage <= prob.needs[C].coverage for x in dropped)
    assert forced.metrics.objective < plan.metrics.objective


def test_km_budget_reason_is_true():
    """Budget 300 km: D costs 5 × 2 × 60 = 600 km, so the plan takes A and B (100 km)."""
    prob = problem(rules=Rules(km_budget=300.0))
    plan = solve(prob, PARAMS)
    assert _hosts(plan) == [A, B]
    d = _reason(plan, D)
    assert d.reason == (
        "budget kilométrique de la saison atteint : un parcours à Commune D ajouterait 500 km "
        "(aller-retour depuis la base à chaque séance) quand il reste 200 km sur 300"
    )
    with pytest.raises(InfeasibleError, match="budget de 300 km"):
        _forced(prob, D)
    assert D in _hosts(solve(problem(rules=Rules(km_budget=700.0)), PARAMS))


def test_km_weight_reason_is_true():
    """At 0.02 a km D's 600 km cost 12 > the 6.67 − 3.75 it would gain over A's second group."""
    prob = problem(rules=Rules(travel_weight=0.02))
    plan = solve(prob, PARAMS)
    assert _hosts(plan) == [A, A]
    d = _reason(plan, D)
    assert d.reason.startswith("le poids des kilomètres (0,02 personne par km) : un parcours à Commune D")
    assert "600 km de plus" in d.reason
    assert _forced(prob, D).metrics.objective < plan.metrics.objective
    assert D in _hosts(solve(problem(rules=Rules(travel_weight=0.0)), PARAMS))


def test_stopped_search_reason_is_true():
    """A plan holding A alone leaves a slot D would fill: adding it gains value."""
    from planner.optimise.candidates import build_candidates
    from planner.optimise.explain import explain, moves_for

    prob = problem()
    cands = build_candidates(prob)
    a = next(c for c in cands.free if c.host == A and c.slot == 0)
    chosen = [(a, {A: 12})]
    (d,) = [u for u in explain(prob, cands, chosen) if u.code_insee == D]
    assert "le calcul s'est arrêté avant de le trouver" in d.reason
    best = moves_for(prob, cands, chosen, D)[0]
    assert best.gain == pytest.approx(12 * 30 / 54) and not best.displaced
    assert D in _hosts(solve(prob, PARAMS))
