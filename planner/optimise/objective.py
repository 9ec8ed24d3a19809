"""The objective of a season plan: what serving people is worth, and what travel costs.

Maximise, lexicographically,

1. ``Σ_i v_i · Σ_k repeat_value^k · y[i,k] − Σ_{h,r,i} v_i · a_r(i,h) · p[h,r,i] − travel_weight · km``,
2. then ``− km``: between plans of equal value, the one that drives less wins.

*Value of a person.* ``v_i = need_weight(U_i) · priority_weight(c_i)``:

- ``need_weight = U_i / (U_i + 2g)`` grows with the commune's unmet need ``U_i`` (``g`` = the
  largest number of seats), so that a series goes where it serves a real group;
- ``priority_weight = (1 + P · (1 − c_i)) / (1 + P)`` grows with how poorly fixed places cover
  the commune (``c_i``, the E2SFCA coverage of :mod:`planner.territory.need`); ``P`` is
  « priorité aux moins couverts » (``Rules.priority``, default 2): a person of a commune no fixed
  place covers counts 1, one of a commune covered at 44 % (Graçay) ``(1 + 2 · 0.56) / 3 = 0.71``,
  one of a fully covered commune ``1/3``. With ``P = 0`` coverage plays no part.

*Diminishing returns.* The ``k``-th group of ``g`` people of the same commune is worth
``repeat_value^k`` of the first (``Rules.repeat_value``, per commune served rather than per host,
which stops the model from "repeating" a commune through a neighbouring host).

*Attendance.* ``a_r(i,h) = 1 − w_r(t_ih)`` (:func:`attendance_penalty`): a person who drives ``t``
minutes to the session counts ``w(t)`` of a person served at home, ``w`` being the attendance
curve of the resource's public (:mod:`planner.territory.attendance`; 39 % at 5 min, 25 % at 10,
16 % at 15 by default). The same curve caps how many of them a series counts
(:func:`planner.territory.catchment.neighbour_caps`).

*Kilometres.* ``km`` counts a return trip from the resource's base for every session (a route
that chains two hosts drives no more than that). By default ``travel_weight = 0``: kilometres
never trade people, they only decide between plans of equal value (level 2), and an optional
season budget (``Rules.km_budget``) bounds them. The CP-SAT model makes the order exact by
scaling level 1 by :func:`lexicographic_scale` (more than any plan's kilometres).

A one-off session counts 1/K of a full series per participant, so the saupoudrage baseline is
measured on the same scale.

:func:`objective_value` computes level 1 on any plan; the CP-SAT model
(:mod:`planner.optimise.cpsat`), the greedy plan and the reasons of :mod:`planner.optimise.explain`
use the same functions with the same coefficients.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from planner.model import Plan, Resource, Rules
from planner.problem import PlanningProblem
from planner.territory.catchment import attendance_share, unmet_people

MAX_GROUPS = 8
NEED_HALF_GROUPS = 2


def group_size(problem: PlanningProblem) -> int:
    """People in one "group" for diminishing returns: the largest number of seats."""
    return max(r.seats for r in problem.resources)


def need_weight(unmet_people: int, group: int) -> float:
    """Value of one person of a commune, growing with its unmet need: ``U / (U + NEED_HALF_GROUPS·g)``."""
    return unmet_people / (unmet_people + NEED_HALF_GROUPS * group) if unmet_people > 0 else 0.0


def priority_weight(coverage: float, priority: float) -> float:
    """« Priorité aux moins couverts »: ``(1 + priority · (1 − coverage)) / (1 + priority)``.

    1 for a commune no fixed place covers, ``1 / (1 + priority)`` for a fully covered one.
    """
    return (1.0 + priority * (1.0 - coverage)) / (1.0 + priority)


def person_weights(problem: PlanningProblem, group: int | None = None) -> dict[str, float]:
    """``v_i``: value of one person of the first group of each commune (need × priority)."""
    g = group_size(problem) if group is None else group
    people = unmet_people(problem)
    p = problem.rules.priority
    return {
        code: need_weight(people[code], g) * priority_weight(problem.needs[code].coverage, p)
        for code in problem.territory.codes
    }


def attendance_penalty(problem: PlanningProblem, commune: str, host: str, resource: Resource) -> float:
    """Share of a person's value lost by coming from ``commune`` to ``host``: ``1 − w(t)``.

    0 at home; ``w`` is the attendance curve of ``resource``'s public.
    """
    return 1.0 - attendance_share(problem, resource, commune, host)


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


#: Most integer units level 2 may span: keeps ``lex · SCALE · people`` well inside what CP-SAT's
#: linear relaxation computes exactly (doubles) on a whole region.
MAX_TIE_UNITS = 100_000


def tie_unit(km_per_lane: Iterable[float]) -> float:
    """Kilometres per integer unit of level 2: 1 km, or a power of ten on very large problems.

    ``km_per_lane`` holds, for every slot a series can take, the most kilometres a series there
    can drive.
    """
    total = sum(km_per_lane)
    return 1.0 if total <= MAX_TIE_UNITS else 10.0 ** math.ceil(math.log10(total / MAX_TIE_UNITS))


def tie_km(km: float, unit: float = 1.0) -> int:
    """Kilometres as the integers of the tie-break (rounded to ``unit`` km)."""
    return round(km / unit)


def lexicographic_scale(km_per_lane: Iterable[float], unit: float = 1.0) -> int:
    """Factor of level 1 making level 2 (:func:`tie_km`) a pure tie-break: any plan drives less
    than the sum over the lanes, so one unit of level 1 outweighs it."""
    return 1 + sum(tie_km(k, unit) for k in km_per_lane)


Item = tuple[str, str, float, Mapping[str, int]]  # (host, resource id, share of a full series, take)


def series_value(
    problem: PlanningProblem,
    series: Iterable[Item],
    km: float,
    weights: Mapping[str, float] | None = None,
    group: int | None = None,
) -> float:
    """Level 1 of the objective for ``(host, resource id, share, {commune: people})`` items.

    ``share`` is the part of a full series held (``min(sessions, K) / K``); ``km`` the plan's
    kilometres as the objective counts them. :func:`objective_value` and the reasons of
    :mod:`planner.optimise.explain` both go through here.
    """
    rules = problem.rules
    g = group_size(problem) if group is None else group
    v = person_weights(problem, g) if weights is None else weights
    res = {r.id: r for r in problem.resources}
    effective: dict[str, float] = defaultdict(float)
    penalty = 0.0
    for host, rid, share, take in series:
        for code, n in take.items():
            effective[code] += share * n
            penalty += share * n * v.get(code, 0.0) * attendance_penalty(problem, code, host, res[rid])
    value = sum(commune_value(e, v.get(c, 0.0), rules, g) for c, e in effective.items())
    return value - penalty - rules.travel_weight * km


def effective_people(items: Iterable[Item]) -> dict[str, float]:
    """``E_i = Σ share · people from i`` over the items of :func:`series_value`."""
    out: dict[str, float] = defaultdict(float)
    for _, _, share, take in items:
        for code, n in take.items():
            out[code] += share * n
    return out


def value_change(
    problem: PlanningProblem,
    effective: Mapping[str, float],
    removed: Iterable[Item],
    added: Iterable[Item],
    km_change: float,
    weights: Mapping[str, float],
) -> float:
    """Change of level 1 when the series ``removed`` leave a plan whose people are ``effective``
    (:func:`effective_people`) and the series ``added`` join it, driving ``km_change`` more.

    Only the communes they touch are recomputed: the same value as the difference of two
    :func:`series_value` calls, at a fraction of the cost (reasons try many such changes).
    """
    rules = problem.rules
    g = group_size(problem)
    res = {r.id: r for r in problem.resources}
    removed, added = list(removed), list(added)
    after = dict.fromkeys({c for *_, take in removed + added for c in take}, 0.0)
    for code in after:
        after[code] = effective.get(code, 0.0)
    penalty = 0.0
    for sign, items in ((-1.0, removed), (1.0, added)):
        for host, rid, share, take in items:
            for code, n in take.items():
                after[code] += sign * share * n
                penalty += (
                    sign
                    * share
                    * n
                    * weights.get(code, 0.0)
                    * attendance_penalty(problem, code, host, res[rid])
                )
    change = sum(
        commune_value(max(0.0, e), weights.get(c, 0.0), rules, g)
        - commune_value(effective.get(c, 0.0), weights.get(c, 0.0), rules, g)
        for c, e in after.items()
    )
    return change - penalty - rules.travel_weight * km_change


def plan_km(plan: Plan, problem: PlanningProblem) -> float:
    """Kilometres as the objective counts them: a return trip from the base per session."""
    base = {r.id: r.base for r in plan.resources} | {r.id: r.base for r in problem.resources}
    return sum(2 * problem.matrix.km(base[s.resource], s.host) for s in plan.sessions)


def objective_value(plan: Plan, problem: PlanningProblem) -> float:
    """The optimiser's objective (level 1) evaluated on any plan (optimised, greedy or baseline).

    ``Σ_communes value(E_i) − attendance penalties − travel_weight · km`` with ``E_i = Σ_series
    (sessions/K) · people from i`` (a one-off session counts 1/K of a full series), ``value`` from
    :func:`commune_value` with the weights of :func:`person_weights`, and ``km`` from
    :func:`plan_km`. ``K`` is ``problem.rules.sessions_per_series``. Permanences and home visits
    count the part their sessions hold (:func:`planner.optimise.permanences.service_share`).
    """
    from planner.optimise.permanences import plan_items  # it builds on this module

    # a series of a resource the problem does not know (hand-made files) counts as the first one
    known = {r.id for r in problem.resources}
    items = plan_items(
        plan.series, plan.sessions, problem.rules.sessions_per_series, known, problem.resources[0].id
    )
    return series_value(problem, items, plan_km(plan, problem))


def reference_value(plan: Plan, problem: PlanningProblem) -> float:
    """« Valeur selon vos réglages » recomputed from a plan file: the plan's value under the
    rules its metrics record as the reference (``reference_rules``, a variant of the frontier,
    :mod:`planner.optimise.alternatives`), or under its own rules when it records none.

    ``problem`` is the problem the plan answers (territory, need, drive times); its rules are
    replaced.
    """
    rules = plan.metrics.reference_rules or plan.rules
    return objective_value(plan, replace(problem, rules=rules))
