"""Who can attend which host: catchments, whole people of unmet need, and allocation.

A person is counted once: the people of commune ``i`` available to the itinerant offer are
``floor(unmet_need_i)`` (:func:`unmet_people`). A host ``h`` draws participants from the communes
within ``Rules.catchment_minutes`` drive of it (:func:`catchments`, the host itself included).
Every allocation in the library goes through :func:`allocate` (greedy plans, baseline) or the
CP-SAT model of :mod:`planner.optimise.cpsat`, and in both cases a commune never gives more people
than it has left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, MutableMapping

import numpy as np

from planner.problem import PlanningProblem


def unmet_people(problem: PlanningProblem) -> dict[str, int]:
    """Whole people of unmet need per commune (``floor`` of the need model's estimate).

    Parameters
    ----------
    problem
        The planning problem.

    Returns
    -------
    dict[str, int]
        ``code_insee -> people``, for every commune of the territory.
    """
    return {
        code: max(0, math.floor(problem.needs[code].unmet_need + 1e-9)) for code in problem.territory.codes
    }


def catchments(problem: PlanningProblem, minutes: float | None = None) -> dict[str, tuple[str, ...]]:
    """Communes of the territory within ``minutes`` drive of each commune (itself first).

    Parameters
    ----------
    problem
        The planning problem (its matrix and territory).
    minutes
        Catchment radius; default ``problem.rules.catchment_minutes``.

    Returns
    -------
    dict[str, tuple[str, ...]]
        ``host -> communes whose people may attend there``, nearest first.
    """
    radius = problem.rules.catchment_minutes if minutes is None else minutes
    codes = problem.territory.codes
    m = problem.matrix
    rows = np.array([m.index(c) for c in codes])
    sub = m.drive_min[np.ix_(rows, rows)]  # sub[i, j]: from commune i to host j
    out: dict[str, tuple[str, ...]] = {}
    for j, host in enumerate(codes):
        col = sub[:, j].copy()
        col[j] = -1.0  # the host itself comes first
        near = np.flatnonzero(col <= radius + 1e-9)
        near = near[np.lexsort((near, col[near]))]
        out[host] = tuple(codes[i] for i in near)
    return out


def pool(catchment: Iterable[str], people: Mapping[str, int]) -> int:
    """People still available within a catchment."""
    return sum(people.get(c, 0) for c in catchment)


def allocate(catchment: Iterable[str], people: MutableMapping[str, int], seats: int) -> dict[str, int]:
    """Take up to ``seats`` people from ``catchment`` (in its order), decrementing ``people``.

    Parameters
    ----------
    catchment
        Communes that may send people, in order of preference (host first).
    people
        Remaining people per commune; updated in place.
    seats
        Maximum number of participants.

    Returns
    -------
    dict[str, int]
        ``code -> people taken`` (only positive entries).
    """
    taken: dict[str, int] = {}
    left = seats
    for code in catchment:
        if left <= 0:
            break
        k = min(left, people.get(code, 0))
        if k > 0:
            taken[code] = k
            people[code] -= k
            left -= k
    return taken
