"""The objective of a season plan: what serving people is worth, and what travel costs.

Maximise ``Σ_i w_i · Σ_k repeat_value^k · y[i,k] − Σ_{h,i} w_i · a(i,h) · p[h,i] − travel_weight · km``.
The value of serving a commune grows with its unmet need ``U_i`` — ``w_i = U_i / (U_i + 2g)`` — with
diminishing returns: the ``k``-th group of ``g`` people of the same commune is worth
``repeat_value^k`` of the first, so a second group in one commune is worth less than a first group
elsewhere with equal need. This is ``Rules.repeat_value`` applied per commune served rather than
per host, which stops the model from "repeating" a commune through a neighbouring host.
``a(i,h)`` is the attendance penalty: a person from a neighbour counts up to ``ATTENDANCE_DECAY``
(30 %) less at the edge of the catchment (the public of these workshops drives little: going to
the public is the point). ``km`` counts a return trip from the resource's base for every session
(a route that chains two hosts drives no more than that). A one-off session counts 1/K of a full
series per participant, so the saupoudrage baseline is measured on the same scale.

:func:`objective_value` computes this function on any plan; the CP-SAT model
(:mod:`planner.optimise.cpsat`) optimises the same function with the same coefficients.
"""

from __future__ import annotations

from collections import defaultdict

from planner.model import Plan, Rules
from planner.problem import PlanningProblem
from planner.territory.catchment import unmet_people

MAX_GROUPS = 8
NEED_HALF_GROUPS = 2
ATTENDANCE_DECAY = 0.3


def group_size(problem: PlanningProblem) -> int:
    """People in one "group" for diminishing returns: the largest number of seats."""
    return max(r.seats for r in problem.resources)


def need_weight(unmet_people: int, group: int) -> float:
    """Value of one person of a commune, growing with its unmet need: ``U / (U + NEED_HALF_GROUPS·g)``."""
    return unmet_people / (unmet_people + NEED_HALF_GROUPS * group) if unmet_people > 0 else 0.0


def attendance_penalty(problem: PlanningProblem, commune: str, host: str) -> float:
    """Share of a person's value lost by coming from ``commune`` to ``host``.

    0 at home, ``ATTENDANCE_DECAY`` at the edge of the catchment (a public that drives little).
    """
    if commune == host:
        return 0.0
    minutes = problem.matrix.minutes(commune, host)
    return ATTENDANCE_DECAY * min(1.0, minutes / problem.rules.catchment_minutes)


def commune_value(effective: float, weight: float, rules: Rules, group: int) -> float:
    """Value of serving ``effective`` people of one commune (concave, piecewise linear).

    The ``k``-th group of ``group`` people (0-based) is worth ``weight · repeat_value^k`` per person;
    beyond ``MAX_GROUPS`` groups the last slope goes on.
    """
    value, k, left = 0.0, 0, effective
    while left > 1e-12:
        take = left if k == MAX_GROUPS - 1 else min(left, group)
        value += weight * rules.repeat_value**k * take
        left -= take
        k += 1
    return value


def objective_value(plan: Plan, problem: PlanningProblem) -> float:
    """The optimiser's objective evaluated on any plan (optimised, greedy or baseline).

    ``Σ_communes value(E_i) − attendance penalties − travel_weight · km`` with ``E_i = Σ_series (sessions/K) · people
    from i`` (a one-off session counts 1/K of a full series), ``value`` from :func:`commune_value`
    and ``km`` a return trip from the resource's base per session. ``K`` is
    ``problem.rules.sessions_per_series``.
    """
    rules = problem.rules
    k = rules.sessions_per_series
    g = group_size(problem)
    people = unmet_people(problem)
    count: dict[str, int] = defaultdict(int)
    base = {r.id: r.base for r in plan.resources} | {r.id: r.base for r in problem.resources}
    km = 0.0
    for s in plan.sessions:
        count[s.series] += 1
        km += 2 * problem.matrix.km(base[s.resource], s.host)
    effective: dict[str, float] = defaultdict(float)
    penalty = 0.0
    for se in plan.series:
        share = min(count[se.id], k) / k
        for code, n in se.from_communes.items():
            effective[code] += share * n
            w = need_weight(people.get(code, 0), g)
            penalty += share * n * w * attendance_penalty(problem, code, se.host)
    value = sum(commune_value(e, need_weight(people.get(c, 0), g), rules, g) for c, e in effective.items())
    return value - penalty - rules.travel_weight * km
