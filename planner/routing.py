"""Daily routes: from the resource's base through the day's hosts and back.

In an optimised plan the order of a day's stops is fixed by the slots (morning, afternoon…), so
:func:`day_routes` only measures them. Where the order is free — a team's day of several short
stops in the saupoudrage baseline — :func:`best_order` asks the OR-Tools routing library for the
shortest tour from the base (integer metres, made in one place: :func:`_metres`). With two stops or
fewer (the bus) both orders are simply compared.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import permutations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.model import Resource, Route, Session
from planner.travel import TravelMatrix


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
