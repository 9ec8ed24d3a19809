"""What a permanence and home visits are worth, on the parcours' yardstick.

A **permanence** at host ``h`` (a recurring stop for individual help, no threshold) puts within
reach the people of unmet need of ``h`` and, following the attendance curve of the resource's
public, a share of its neighbours' (:func:`reach`: ``U_h`` at home, ``⌊w(t) · U_i⌋`` from a
neighbour ``t`` minutes away — the same caps as all the series of one host,
:func:`planner.territory.catchment.pool_caps`). It can help at most
``capacity × hours × visits`` people over the season (:func:`capacity_people`); its people are
taken host first, then nearest neighbours (:func:`take`).

**Home visits** (« à domicile ») serve people of the commune itself, one per visit, at home.

Both are valued exactly like a parcours (:func:`planner.objective.series_value`): a person of
commune ``i`` is worth ``v_i`` (need × « priorité aux moins couverts »), with the same
diminishing returns per commune, shared with the parcours that serve the same commune, and the
same attendance penalty ``1 − w(t)`` for a person who drives to a neighbour. A person reached by a
permanence counts like one who follows a full parcours: both are one person of unmet need helped.

:func:`service_share` says which part of a series a plan's sessions hold (it is how
:func:`planner.optimise.objective.objective_value` counts all three service types).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, MutableMapping

from planner.model import DOMICILE, PERMANENCE, Resource, Series, Session
from planner.optimise.objective import Item, series_value
from planner.problem import PlanningProblem
from planner.territory.catchment import catchments, pool_caps, unmet_people


def capacity_people(capacity_per_hour: float, minutes: float, visits: int = 1) -> int:
    """People ``visits`` permanences of ``minutes`` can help: ``⌊capacity × hours × visits⌋``."""
    return math.floor(capacity_per_hour * minutes / 60.0 * visits + 1e-9)


def reach(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    people: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """People of unmet need a permanence of ``resource`` at ``host`` puts within reach, by commune.

    The host's people all; a neighbour's ``⌊w(t) · U_i⌋`` (the attendance curve of the
    resource's public, 0 beyond its catchment). Host first, then nearest first.
    """
    people = unmet_people(problem) if people is None else people
    near = catchments(problem)[host]
    caps = pool_caps(problem, resource, host, near, people)
    return {c: caps[c] for c in near if caps.get(c, 0) > 0}


def take(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    visits: int,
    minutes: float | None = None,
    people: MutableMapping[str, int] | None = None,
) -> dict[str, int]:
    """Who a permanence counts: its :func:`reach`, host first then nearest, up to its capacity.

    ``people`` (remaining people per commune) is decremented in place when given, so that a
    person is counted once across the stops of a plan.
    """
    left = unmet_people(problem) if people is None else people
    within = reach(problem, resource, host, left)
    room = capacity_people(
        resource.permanence_capacity, resource.permanence_minutes if minutes is None else minutes, visits
    )
    out: dict[str, int] = {}
    for code, n in within.items():
        k = min(n, left.get(code, 0), room)
        if k > 0:
            out[code] = k
            left[code] -= k
            room -= k
        if room <= 0:
            break
    return out


def permanence_value(
    problem: PlanningProblem,
    host: str,
    resource: Resource,
    people: Mapping[str, int],
    weights: Mapping[str, float] | None = None,
) -> float:
    """Value of a permanence of ``resource`` at ``host`` counting ``people`` (commune → people),
    alone in the plan: the objective's level 1 of that one item (:func:`take` gives ``people``)."""
    return series_value(problem, [(host, resource.id, 1.0, people)], 0.0, weights)


def home_visits_value(
    problem: PlanningProblem,
    commune: str,
    resource: Resource,
    visits: int,
    weights: Mapping[str, float] | None = None,
) -> float:
    """Value of ``visits`` home visits in ``commune``, alone in the plan (one person each, at home)."""
    return series_value(problem, [(commune, resource.id, 1.0, {commune: visits})], 0.0, weights)


def service_share(series: Series, sessions: Iterable[Session], k: int) -> float:
    """Part of ``series`` its ``sessions`` hold, as the objective counts it.

    A parcours: ``min(sessions, K) / K``. A permanence: the people its held visits can help
    (:func:`capacity_people` over their minutes) over the people it counts, at most 1. Home
    visits: visits held over visits counted, at most 1.
    """
    sessions = list(sessions)
    if series.service == PERMANENCE:
        if series.participants <= 0:
            return 0.0
        minutes = sum(
            (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) for s in sessions
        )
        helped = capacity_people(series.capacity, minutes)
        return min(1.0, helped / series.participants)
    if series.service == DOMICILE:
        return 0.0 if series.participants <= 0 else min(1.0, len(sessions) / series.participants)
    return min(len(sessions), k) / k


def plan_items(
    plan_series: Iterable[Series], sessions: Iterable[Session], k: int, known: set[str], fallback: str
) -> list[Item]:
    """The objective's items of a plan's series, whatever their service (see :func:`service_share`)."""
    by_series: dict[str, list[Session]] = {}
    for s in sessions:
        by_series.setdefault(s.series, []).append(s)
    return [
        (
            se.host,
            se.resource if se.resource in known else fallback,
            service_share(se, by_series.get(se.id, []), k),
            se.from_communes,
        )
        for se in plan_series
    ]
