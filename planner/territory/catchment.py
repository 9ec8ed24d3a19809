"""Who can attend which host: catchments, whole people of unmet need, attendance and allocation.

A person is counted once: the people of commune ``i`` available to the itinerant offer are
``floor(unmet_need_i)`` (:func:`unmet_people`). A host ``h`` may draw participants from the
communes within reach of it (:func:`catchments`, the host itself included, radius the largest
``T_max`` of the publics in use). How many a series of resource ``r`` counts from a neighbour
follows ``r``'s attendance curve (:mod:`planner.territory.attendance`): at most
``⌊w · min(U_i, seats)⌋`` per series and ``⌊w · U_i⌋`` for all the series of ``r`` at ``h``
(:func:`neighbour_caps`, :func:`pool_caps`). Every allocation in the library goes through
:func:`allocate` (greedy plans, baseline) or the CP-SAT model of :mod:`planner.optimise.cpsat`,
and in both cases a commune never gives more people than it has left.
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence

import numpy as np

from planner.model import Resource
from planner.problem import PlanningProblem
from planner.territory.attendance import (
    GENERAL,
    AttendanceCurve,
    curve_of,
    neighbour_cap,
    pool_cap,
    rules_curve,
)


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
    known = _PEOPLE.get(problem)
    if known is None:  # a problem is frozen: computed once, handed out as a copy (callers spend it)
        known = {
            code: max(0, math.floor(problem.needs[code].unmet_need + 1e-9))
            for code in problem.territory.codes
        }
        _PEOPLE[problem] = known
    return dict(known)


#: Whole people of unmet need already computed, per problem.
_PEOPLE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def resource_curve(problem: PlanningProblem, resource: Resource) -> AttendanceCurve:
    """The attendance curve of ``resource``'s public (the rules' curve for the general public)."""
    rules = problem.rules
    default = rules_curve(rules.attendance_share, rules.attendance_half_minutes, rules.catchment_minutes)
    return curve_of(resource.public, default)


def attendance_share(problem: PlanningProblem, resource: Resource, commune: str, host: str) -> float:
    """``w``: 1 at home, else the curve of ``resource``'s public at the drive from ``commune`` to ``host``."""
    if commune == host:
        return 1.0
    return resource_curve(problem, resource).at(problem.matrix.minutes(commune, host))


def reach_minutes(problem: PlanningProblem) -> float:
    """The largest catchment (``T_max``) of the publics of the problem's resources."""
    return max(
        [problem.rules.catchment_minutes]
        + [resource_curve(problem, r).max_minutes for r in problem.resources if r.public != GENERAL]
    )


def _caps(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    catchment: Iterable[str],
    people: Mapping[str, int],
    cap: Callable[[AttendanceCurve, float, int], int],
) -> dict[str, int]:
    curve = resource_curve(problem, resource)
    m = problem.matrix
    return {
        c: people.get(c, 0) if c == host else cap(curve, m.minutes(c, host), people.get(c, 0))
        for c in catchment
    }


def neighbour_caps(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    catchment: Iterable[str],
    people: Mapping[str, int],
) -> dict[str, int]:
    """Most people one series of ``resource`` at ``host`` counts from each commune of ``catchment``.

    The host itself: all its people (the seats bound the series); a neighbour:
    :func:`planner.territory.attendance.neighbour_cap` (0 beyond the public's ``T_max``).
    """
    return _caps(
        problem, resource, host, catchment, people, lambda w, t, n: neighbour_cap(w, t, n, resource.seats)
    )


def pool_caps(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    catchment: Iterable[str],
    people: Mapping[str, int],
) -> dict[str, int]:
    """Most people all the series of ``resource`` at ``host`` count together from each commune."""
    return _caps(problem, resource, host, catchment, people, pool_cap)


def catchments(problem: PlanningProblem, minutes: float | None = None) -> dict[str, tuple[str, ...]]:
    """Communes of the territory within ``minutes`` drive of each commune (itself first).

    Parameters
    ----------
    problem
        The planning problem (its matrix and territory).
    minutes
        Catchment radius; default :func:`reach_minutes` (the rules' ``catchment_minutes``, or a
        public's larger ``T_max``).

    Returns
    -------
    dict[str, tuple[str, ...]]
        ``host -> communes whose people may attend there``, nearest first.
    """
    radius = reach_minutes(problem) if minutes is None else minutes
    known = _CATCHMENTS.setdefault(problem, {})
    if radius not in known:  # a problem is frozen: its catchments never change (tours try many moves)
        known[radius] = _catchments(problem, radius)
    return dict(known[radius])


#: Catchments already computed, per problem and radius.
_CATCHMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _catchments(problem: PlanningProblem, radius: float) -> dict[str, tuple[str, ...]]:
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


def allocate(
    catchment: Iterable[str],
    people: MutableMapping[str, int],
    seats: int,
    caps: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Take up to ``seats`` people from ``catchment`` (in its order), decrementing ``people``.

    Parameters
    ----------
    catchment
        Communes that may send people, in order of preference (host first).
    people
        Remaining people per commune; updated in place.
    seats
        Maximum number of participants.
    caps
        Most people taken from each commune (:func:`neighbour_caps`); ``None``: no cap.

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
        if caps is not None:
            k = min(k, caps.get(code, 0))
        if k > 0:
            taken[code] = k
            people[code] -= k
            left -= k
    return taken


def split_among_series(
    people: Mapping[str, int],
    bounds: Sequence[tuple[int, int]],
    caps: Sequence[Mapping[str, int]],
) -> list[dict[str, int]] | None:
    """Share the people a host counts (``commune -> people``) among its series.

    Series ``j`` receives between ``bounds[j][0]`` and ``bounds[j][1]`` people and at most
    ``caps[j][i]`` from commune ``i``. A flow problem, solved exactly in two phases (the lower
    bounds first, then everyone): ``None`` when no such split exists. Communes are served in the
    order of ``people`` (host first), series in the given order, so the split is repeatable.
    """
    communes = [c for c, n in people.items() if n > 0]
    n_series = len(bounds)
    src, sink = "s", "t"
    cap: dict[tuple[str, str], int] = defaultdict(int)
    adj: dict[str, list[str]] = defaultdict(list)

    def edge(a: str, b: str, c: int) -> None:
        if (a, b) not in cap and (b, a) not in cap:
            adj[a].append(b)
            adj[b].append(a)
        cap[(a, b)] += c

    series = [f"#{j}" for j in range(n_series)]
    for c in communes:
        edge(src, c, people[c])
        for j, sj in enumerate(series):
            edge(c, sj, max(0, caps[j].get(c, 0)))
    for j, sj in enumerate(series):
        edge(sj, sink, bounds[j][0])

    def augment() -> int:
        total = 0
        while True:
            parent = {src: src}
            queue = deque([src])
            while queue and sink not in parent:
                a = queue.popleft()
                for b in adj[a]:
                    if b not in parent and cap[(a, b)] > 0:
                        parent[b] = a
                        queue.append(b)
            if sink not in parent:
                return total
            path, b = [], sink
            while b != src:
                path.append((parent[b], b))
                b = parent[b]
            push = min(cap[e] for e in path)
            for a, b in path:
                cap[(a, b)] -= push
                cap[(b, a)] += push
            total += push

    if augment() < sum(lo for lo, _ in bounds):
        return None
    for j, sj in enumerate(series):
        cap[(sj, sink)] += bounds[j][1] - bounds[j][0]
    augment()
    out = [{c: cap[(sj, c)] for c in communes if cap[(sj, c)] > 0} for sj in series]
    return out if sum(sum(t.values()) for t in out) == sum(people[c] for c in communes) else None


def recount(
    problem: PlanningProblem,
    resource: Resource,
    host: str,
    seats: int,
    others: Iterable[tuple[str, str, Mapping[str, int]]],
) -> tuple[dict[str, int], dict[str, float]]:
    """Who a series of ``resource`` at ``host`` counts when it moves there by hand.

    ``others`` are the other series as ``(host, resource id, from_communes)``: their people stay
    theirs. The host's people first, then its neighbours up to the attendance caps, at most
    ``seats``. Returns ``(from_communes, from_minutes)``.
    """
    people = unmet_people(problem)
    m = problem.matrix
    radius = reach_minutes(problem)
    near = sorted(
        (c for c in problem.territory.codes if c == host or m.minutes(c, host) <= radius + 1e-9),
        key=lambda c: (c != host, m.minutes(c, host), c),
    )
    left = dict(people)
    same_site: dict[str, int] = defaultdict(int)
    for h, rid, take in others:
        for c, n in take.items():
            left[c] = left.get(c, 0) - n
            if (h, rid) == (host, resource.id):
                same_site[c] += n
    caps = neighbour_caps(problem, resource, host, near, people)
    pools = pool_caps(problem, resource, host, near, people)
    caps = {c: min(n, pools[c] - same_site[c]) for c, n in caps.items()}
    take = allocate(near, left, seats, caps)
    return take, {c: 0.0 if c == host else round(m.minutes(c, host), 1) for c in take}
