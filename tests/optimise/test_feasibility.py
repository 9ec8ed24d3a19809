"""Why no parcours can be held (:mod:`planner.optimise.feasibility`) on the tiny drawing of
``tiny_season.py``: each cause breaks the plan, and the nearest setting that keeps it plans.

One bus based at A, Tuesdays only; the season holds exactly one window of 5 Tuesdays.
A (40 people) is the base; D (30 people) is 60 km away.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from tiny_season import TUESDAYS, A, D, bus, problem

from planner.errors import InfeasibleError
from planner.model import HostRequest, Rules
from planner.optimise.feasibility import CAUSES, Infeasibility, diagnose
from planner.optimise.solve import solve, solve_greedy
from planner.problem import SolveParams

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)

# (cause, problem breaking it, words of the message, problem keeping it, host then served)
CASES = [
    (
        "blackout",
        dict(requests=(HostRequest(A, blackout_dates=frozenset({TUESDAYS[2]})),), requests_only=True),
        ["Commune A", "dates indisponibles", "réduisez leurs dates indisponibles"],
        dict(requests=(HostRequest(A, blackout_dates=frozenset({date(2027, 1, 20)})),), requests_only=True),
        A,
    ),
    (
        "request_participants",
        dict(requests=(HostRequest(A, expected_participants=4),), requests_only=True),
        ["Commune A", "annoncent au plus 4 participants", "baissez le seuil d'ouverture à 4"],
        dict(requests=(HostRequest(A, expected_participants=6),), requests_only=True),
        A,
    ),
    (
        "km_budget",
        dict(requests=(HostRequest(D),), requests_only=True, rules=Rules(km_budget=500)),
        ["Commune D", "fait 600 km", "budget kilométrique de 500 km"],
        dict(requests=(HostRequest(D),), requests_only=True, rules=Rules(km_budget=600)),
        D,
    ),
    (
        "no_window",
        dict(resources=(bus(weekdays=(2,)),)),  # four Wednesdays: no window of 5
        ["aucun parcours de 5 séances", "mercredi", "ajoutez des jours de travail"],
        dict(resources=(bus(weekdays=(2,)),), rules=Rules(sessions_per_series=4)),
        None,
    ),
]


@pytest.mark.parametrize(("cause", "breaking", "words", "keeping", "host"), CASES, ids=[c[0] for c in CASES])
def test_each_cause_is_named_and_its_nearest_setting_plans(cause, breaking, words, keeping, host):
    prob = problem(**breaking)
    (found,) = diagnose(prob)
    assert found.cause == cause and found.resource == "bus"
    for w in words:
        assert w in found.message
    for run in (lambda p: solve(p, PARAMS), solve_greedy):
        # a season too short for every resource keeps the message of ``require_windows``
        with pytest.raises(
            InfeasibleError, match=r"aucun parcours (ne peut être tenu|de 5 séances ne tient)"
        ):
            run(prob)

    ok = problem(**keeping)
    assert diagnose(ok) == []
    plan = solve(ok, PARAMS)
    assert plan.series and plan.metrics.warnings == ()
    if host is not None:
        assert {s.host for s in plan.series} == {host}


def test_a_blocked_resource_beside_a_working_one_is_a_warning_of_the_plan():
    wednesday = bus(id="mercredi", label="Bus du mercredi", weekdays=(2,))
    prob = problem(resources=(bus(), wednesday))
    plan = solve(prob, PARAMS)
    assert plan.series and {s.resource for s in plan.series} == {"bus"}
    (warning,) = plan.metrics.warnings
    assert warning.startswith(
        "aucun parcours possible pour « Bus du mercredi » : aucun parcours de 5 séances"
    )
    assert solve_greedy(prob).metrics.warnings == (warning,)


def test_causes_are_typed_frozen_and_known():
    (found,) = diagnose(problem(resources=(bus(seats=4),)))
    assert isinstance(found, Infeasibility) and found.cause == "threshold_above_seats" in CAUSES
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.cause = "other"  # type: ignore[misc]


def test_a_resource_holding_locked_sessions_is_never_blocked():
    from datetime import time

    from planner.model import Session

    lock = Session("L-A", 1, "bus", A, TUESDAYS[0], time(9, 0), time(12, 0), locked=True)
    prob = problem(locked=(lock,), rules=Rules(min_participants=13))
    assert diagnose(prob) == []


def test_an_empty_plan_proven_so_is_refused_even_when_no_single_cause_is_found():
    """Each resource passes every filter alone, yet the solve came back empty: a proven (or
    heuristic) empty plan is refused in general words; an unproven one (stopped) is kept."""
    from planner.optimise.feasibility import checked

    prob = problem()
    plan = solve(prob, PARAMS)
    empty = dataclasses.replace(plan, series=(), sessions=(), routes=())
    for status in ("OPTIMAL", "HEURISTIC"):
        refused = dataclasses.replace(empty, metrics=dataclasses.replace(plan.metrics, status=status))
        with pytest.raises(InfeasibleError, match="aucun parcours ne peut être tenu avec ces réglages"):
            checked(refused, prob)
    stopped = dataclasses.replace(empty, metrics=dataclasses.replace(plan.metrics, status="STOPPED"))
    assert checked(stopped, prob) is stopped
    assert checked(plan, prob) is plan
