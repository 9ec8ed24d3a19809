"""Daily routes: from the resource's base through the day's hosts and back.

:func:`day_routes` measures a day in the order of its sessions' start times. That order is
chosen by :func:`best_order`, the shortest tour from the base: every order is tried up to
``exact_up_to`` stops (5: a team's day of 3–4 short stops is solved exactly), beyond that the
OR-Tools routing library searches (integer metres, made in one place: :func:`_metres`).

- The saupoudrage baseline orders each day's stops with it when it builds the day.
- The optimised and greedy plans choose *which* hosts share a resource's days (a window of K
  dates) and in which slots. The objective counts a return trip per session; the routes chain
  the hosts of a day, so which series share a day matters. :func:`order_days` lays each
  resource's series out exactly (:mod:`planner.optimise.day_layout`: the fewest km, proven, in a
  small deterministic limit), so that a plan's km depend only on its series, not on where the
  search put them. A resource it does not prove keeps the days of :func:`local_days`, a local
  search: :func:`pair_days` swaps series between windows of the same weekday (each keeping its
  host and slot, on the dates of the other window, when that candidate exists) or moves one to a
  free slot whenever the routes then drive fewer km, then each day's series are re-assigned to
  slots along the shortest tour (either direction, any slots of the day) when that keeps every
  time rule and drives fewer km. The exact layout is taken only when it drives no more than the
  local search's (within :data:`KM_TOLERANCE`: its proof counts centimetres and leaves locked
  sessions out of the chain). All the sessions of a series move together, to an existing
  candidate, so every calendar rule still holds; the objective is unchanged.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from itertools import combinations, permutations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.model import Resource, Route, Session
from planner.optimise.candidates import Candidate, Candidates, day_slots, fits_beside, slot_fits, slot_start
from planner.optimise.day_layout import lay_out_each
from planner.problem import PlanningProblem
from planner.territory.travel import TravelMatrix

#: CP-SAT's limit (deterministic seconds) for one resource's exact layout (:func:`order_days`): the
#: region's 12 resources are proven in 0.001–0.06 each (~1.2 s of wall clock in all, with the model).
LAYOUT_LIMIT_S = 1.0
#: km by which the exact layout may exceed the local search's and still be taken (module docstring).
KM_TOLERANCE = 0.001
log = logging.getLogger(__name__)


def _metres(matrix: TravelMatrix, a: str, b: str) -> int:
    return round(matrix.km(a, b) * 1000)


def route_of(resource: Resource, day: date, hosts: Sequence[str], matrix: TravelMatrix) -> Route:
    """The route base → hosts (in order, consecutive repeats merged) → base, measured on the matrix."""
    stops = [resource.base]
    for h in hosts:
        if h != stops[-1] or len(stops) == 1:
            stops.append(h)
    stops.append(resource.base)
    km = sum(matrix.km(a, b) for a, b in itertools.pairwise(stops))
    minutes = sum(matrix.minutes(a, b) for a, b in itertools.pairwise(stops))
    return Route(resource.id, day, tuple(stops), km, minutes)


def day_routes(
    resources: Iterable[Resource], sessions: Iterable[Session], matrix: TravelMatrix
) -> tuple[Route, ...]:
    """One route per resource and working date, stops in the order of the sessions' start times."""
    res = {r.id: r for r in resources}
    days: dict[tuple[str, date], list[Session]] = defaultdict(list)
    for s in sessions:
        days[(s.resource, s.date)].append(s)
    routes = []
    for (rid, day), items in sorted(days.items()):
        items.sort(key=lambda s: s.start)
        routes.append(route_of(res[rid], day, [s.host for s in items], matrix))
    return tuple(routes)


def _length(base: str, order: Sequence[str], matrix: TravelMatrix) -> float:
    stops = [base, *order, base]
    return sum(matrix.km(a, b) for a, b in itertools.pairwise(stops))


def best_order(
    base: str, hosts: Sequence[str], matrix: TravelMatrix, time_limit_s: float = 1.0, exact_up_to: int = 5
) -> list[str]:
    """Shortest order to visit ``hosts`` from ``base`` and back.

    Up to ``exact_up_to`` stops every order is tried (a bus day has two); more stops use the
    OR-Tools routing library (path-cheapest-arc then guided local search, stopped after
    ``time_limit_s``).
    """
    hosts = list(hosts)
    if len(hosts) <= 1:
        return hosts
    if len(hosts) <= exact_up_to:
        return list(min(permutations(hosts), key=lambda o: _length(base, o, matrix)))
    nodes = [base, *hosts]
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return _metres(matrix, nodes[manager.IndexToNode(i)], nodes[manager.IndexToNode(j)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    search.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    search.solution_limit = 200
    solution = routing.SolveWithParameters(search)
    if solution is None:
        return hosts
    order, i = [], routing.Start(0)
    while not routing.IsEnd(i):
        node = manager.IndexToNode(i)
        if node:
            order.append(nodes[node])
        i = solution.Value(routing.NextVar(i))
    return order


def _day_ok(
    problem: PlanningProblem, cands: Candidates, r: Resource, placed: list[tuple[int, Candidate]]
) -> bool:
    """Slots ``placed`` ((slot, series) pairs) fit one day of ``r``, with the locked sessions."""
    m = problem.matrix
    if not all(slot_fits(r, k, c.host, m) for k, c in placed):
        return False
    for (k1, c1), (k2, c2) in combinations(placed, 2):
        if not cands.compatible(problem, r, k1, c1.host, k2, c2.host):
            return False
    dates = placed[0][1].dates
    fixed = [f for f in cands.fixed if f.resource == r.id and set(f.dates) & set(dates)]
    return all(
        fits_beside(r, k, c.host, slot_start(r, k, c.host, m), f, d, m)
        for k, c in placed
        for f in fixed
        for d in f.dates
        if d in dates
    )


def _day_km(problem: PlanningProblem, r: Resource, day: list[Candidate]) -> float:
    """Kilometres of one date of a day holding ``day`` (hosts in slot order)."""
    return (
        _length(r.base, [c.host for c in sorted(day, key=lambda c: c.slot)], problem.matrix) if day else 0.0
    )


def pair_days(
    problem: PlanningProblem, cands: Candidates, chosen: list[tuple[Candidate, dict[str, int]]]
) -> list[tuple[Candidate, dict[str, int]]]:
    """Series moved between windows of their weekday so that the routes drive fewer km.

    A series moves to another window (same host, weekday and slot) only as an existing
    candidate (calendar, requests and locked sessions already checked there) and only if the
    day it joins stays drivable (:meth:`Candidates.compatible`); two series may swap windows.
    First improvement, until none is left.
    """
    res = {r.id: r for r in problem.resources}
    index = {(c.resource, c.host, c.weekday, c.slot, c.block): c for c in cands.free}
    out = list(chosen)

    def days_of(rid: str, wd: int) -> dict[int, list[int]]:
        days: dict[int, list[int]] = defaultdict(list)
        for i, (c, _) in enumerate(out):
            if not c.locked and (c.resource, c.weekday) == (rid, wd):
                days[c.block].append(i)
        return days

    def fits(r: Resource, day: list[Candidate]) -> bool:
        slots = [c.slot for c in day]
        return len(set(slots)) == len(slots) and all(
            cands.compatible(problem, r, a.slot, a.host, b.slot, b.host) for a, b in combinations(day, 2)
        )

    for rid, wd in sorted({(c.resource, c.weekday) for c, _ in out if not c.locked}):
        r = res[rid]
        blocks = len(cands.windows.get((rid, wd), ()))
        improved = True
        while improved:
            improved = False
            days = days_of(rid, wd)
            for i, (c, _) in enumerate(out):
                if c.locked or (c.resource, c.weekday) != (rid, wd):
                    continue
                for b in range(blocks):
                    if b == c.block:
                        continue
                    here = [out[k][0] for k in days[c.block] if k != i]
                    there = [out[k][0] for k in days.get(b, ())]
                    mine = index.get((rid, c.host, wd, c.slot, b))
                    if mine is None:
                        continue
                    partner = next((k for k in days.get(b, ()) if out[k][0].slot == c.slot), None)
                    theirs = None
                    if partner is not None:
                        o = out[partner][0]
                        theirs = index.get((rid, o.host, wd, o.slot, c.block))
                        if theirs is None:
                            continue
                        there = [x for x in there if x is not o]
                    new_here = here + ([theirs] if theirs is not None else [])
                    new_there = [*there, mine]
                    if not (fits(r, new_here) and fits(r, new_there)):
                        continue
                    before = _day_km(problem, r, [out[k][0] for k in days[c.block]]) + _day_km(
                        problem, r, [out[k][0] for k in days.get(b, ())]
                    )
                    if _day_km(problem, r, new_here) + _day_km(problem, r, new_there) < before - 1e-6:
                        out[i] = (mine, out[i][1])
                        if partner is not None:
                            out[partner] = (theirs, out[partner][1])
                        improved = True
                        break
                if improved:
                    break
    return out


def local_days(
    problem: PlanningProblem, cands: Candidates, chosen: list[tuple[Candidate, dict[str, int]]]
) -> list[tuple[Candidate, dict[str, int]]]:
    """Series sharing a resource's days, paired by :func:`pair_days` then re-slotted along the
    shortest tour (:func:`best_order`): a local search from ``chosen``'s days.

    For each (resource, weekday, window) holding two series or more, the tour and its reverse
    are tried on every set of slots of the day (the slots in use first); the first assignment
    keeping the drive times, the day's ends and the locked sessions is taken if it drives
    strictly fewer km than the current order. Locked series never move.
    """
    chosen = pair_days(problem, cands, chosen)
    res = {r.id: r for r in problem.resources}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, (c, _) in enumerate(chosen):
        if not c.locked:
            groups[(c.resource, c.weekday, c.block)].append(i)
    out = list(chosen)
    for (rid, _wd, _b), idx in sorted(groups.items()):
        if len(idx) < 2:
            continue
        r = res[rid]
        series = sorted((chosen[i][0] for i in idx), key=lambda c: c.slot)
        now = _length(r.base, [c.host for c in series], problem.matrix)
        tour = best_order(r.base, [c.host for c in series], problem.matrix, time_limit_s=0.2)
        pool = list(series)
        ordered = [pool.pop(next(j for j, c in enumerate(pool) if c.host == h)) for h in tour]
        used = tuple(c.slot for c in series)
        slot_sets = [used] + [s for s in combinations(range(day_slots(r)), len(series)) if s != used]
        found = next(
            (
                list(zip(slots, seq, strict=True))
                for seq in (ordered, ordered[::-1])
                if _length(r.base, [c.host for c in seq], problem.matrix) < now - 1e-9
                for slots in slot_sets
                if _day_ok(problem, cands, r, list(zip(slots, seq, strict=True)))
            ),
            None,
        )
        if found is None:
            continue
        moved = {}
        for k, c in found:
            st = slot_start(r, k, c.host, problem.matrix)
            moved[id(c)] = replace(c, slot=k, start_min=st, end_min=st + r.session_minutes)
        for i in idx:
            c, take = chosen[i]
            out[i] = (moved[id(c)], take)
    return out


def _km(problem: PlanningProblem, r: Resource, series: Iterable[tuple[Candidate, dict[str, int]]]) -> float:
    """Route km of ``r``'s days holding ``series`` (every session, locked ones included)."""
    days: dict[date, list[tuple[int, str]]] = defaultdict(list)
    for c, _ in series:
        for k, d in enumerate(c.dates):
            days[d].append((c.times(k)[1], c.host))
    return sum(route_of(r, d, [h for _, h in sorted(stops)], problem.matrix).km for d, stops in days.items())


def order_days(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: list[tuple[Candidate, dict[str, int]]],
    *,
    layout_limit_s: float = LAYOUT_LIMIT_S,
) -> list[tuple[Candidate, dict[str, int]]]:
    """The series of ``chosen`` on the days and slots driving the fewest km, value unchanged.

    Each resource's series are laid out exactly (:func:`planner.optimise.day_layout.lay_out_each`,
    ``layout_limit_s`` deterministic seconds, one worker): the days then depend only on which
    series the plan holds, not on where the search put them. A resource whose layout is not
    proven in that limit (or too large to model, or shorter by the local search: the proof
    leaves its locked sessions out of the chain) keeps the local search's days (:func:`local_days`).

    Parameters
    ----------
    problem, cands
        The problem and the candidates ``chosen`` was picked from.
    chosen
        The plan's series (candidates) and their people; locked series never move.
    layout_limit_s
        CP-SAT's deterministic limit for each resource's exact layout.

    Returns
    -------
    list
        The same series (hosts, resources, weekdays, people), possibly on other windows and slots.
        A re-plan (``problem.previous``) keeps its days: moving them would move sessions already
        planned.
    """
    if problem.previous:
        return list(chosen)
    local = local_days(problem, cands, chosen)
    exacts = lay_out_each(problem, cands, chosen, time_limit_s=layout_limit_s)
    out = [item for item in local if item[0].locked]
    for r in problem.resources:
        mine = [item for item in local if item[0].resource == r.id]
        exact = exacts.get(r.id)
        if exact is not None and exact[1]:
            locked = [item for item in mine if item[0].locked]
            km_local, km_exact = _km(problem, r, mine), _km(problem, r, [*locked, *exact[0]])
            log.debug("%s: days laid out exactly, %.1f km (local search %.1f km)", r.id, km_exact, km_local)
            # the proof counts centimetres: a near tie may round against it by far less than 1 m
            if km_exact <= km_local + KM_TOLERANCE:
                out += exact[0]
                continue
        else:
            log.debug("%s: no exact layout proven, the local search's days", r.id)
        out += [item for item in mine if not item[0].locked]
    return out
