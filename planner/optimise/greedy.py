"""A simple greedy series plan: the host reaching the largest unmet need first.

Used as the benchmark's reference heuristic and as the CP-SAT search's starting hint. Again and
again it takes the host whose catchment still offers the most value (people of unmet need,
weighted as in the objective: need weight and diminishing returns per commune), puts a series
there on the earliest free slot of a resource that can serve it (calendar, drive time with the
other slot of the day), fills it with the most valuable people of the catchment and repeats
until no series can open. Same candidates, same rules, same objective as the optimiser.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping

from planner.optimise.candidates import Candidate, Candidates, host_cap
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, need_weight
from planner.problem import PlanningProblem
from planner.territory.catchment import allocate, pool


def fixed_allocation(
    problem: PlanningProblem, cands: Candidates, people: dict[str, int]
) -> list[tuple[Candidate, dict[str, int]]]:
    """Fill the locked series first (host first, up to the seats), decrementing ``people``."""
    return [
        (c, allocate(cands.catchment[c.host], people, host_cap(problem, c.host, cands.seats[c.resource])))
        for c in cands.fixed
    ]


class _Values:
    """Marginal value of one more person of a commune (need weight × diminishing returns)."""

    def __init__(self, problem: PlanningProblem, cands: Candidates) -> None:
        self.g = cands.group
        self.rv = problem.rules.repeat_value
        self.w = {c: need_weight(n, self.g) for c, n in cands.people.items()}
        self.given: dict[str, int] = defaultdict(int)

    def slope(self, code: str, given: Mapping[str, int]) -> float:
        return self.w[code] * self.rv ** min(given[code] // self.g, MAX_GROUPS - 1)

    def best(
        self, problem: PlanningProblem, host: str, catchment: Iterable[str], left: Mapping[str, int], cap: int
    ) -> tuple[dict[str, int], float]:
        """Most valuable ``cap`` people of the catchment: ({commune: people}, value), nothing taken."""
        given = defaultdict(int, self.given)
        pen = {c: self.w[c] * attendance_penalty(problem, c, host) for c in catchment}
        avail = {c: left.get(c, 0) for c in catchment if left.get(c, 0) > 0}
        take: dict[str, int] = defaultdict(int)
        value, need = 0.0, cap
        while need > 0 and avail:
            code = max(avail, key=lambda c: (self.slope(c, given) - pen[c], c))
            n = min(need, avail[code], self.g - given[code] % self.g)
            value += n * (self.slope(code, given) - pen[code])
            take[code] += n
            given[code] += n
            avail[code] -= n
            if avail[code] == 0:
                del avail[code]
            need -= n
        return dict(take), value


def greedy_choice(problem: PlanningProblem, cands: Candidates) -> list[tuple[Candidate, dict[str, int]]]:
    """Greedy series plan over ``cands`` (see the module docstring).

    Returns
    -------
    list of (Candidate, {commune: people})
        Locked series first, then the greedy series.
    """
    rules = problem.rules
    res = {r.id: r for r in problem.resources}
    people = dict(cands.people)
    chosen = fixed_allocation(problem, cands, people)
    values = _Values(problem, cands)
    for _, take in chosen:
        for code, n in take.items():
            values.given[code] += n
    used_lane: set[tuple] = set()
    day: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    by_host: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands.free:
        by_host[c.host].append(c)
    for items in by_host.values():
        items.sort(key=lambda c: (c.dates[0], c.slot, c.resource))
    caps = {
        h: max(host_cap(problem, h, cands.seats[c.resource]) for c in items) for h, items in by_host.items()
    }

    def value(h: str) -> float:
        if pool(cands.catchment[h], people) < rules.min_participants:
            return 0.0
        return values.best(problem, h, cands.catchment[h], people, caps[h])[1]

    heap = [(-value(h), h) for h in sorted(by_host)]
    heapq.heapify(heap)
    while heap:
        neg, h = heapq.heappop(heap)
        v = value(h)
        if v <= 0:
            continue
        if v < -neg - 1e-9:
            heapq.heappush(heap, (-v, h))
            continue
        placed = None
        for c in by_host[h]:
            if (c.resource, c.weekday, c.block, c.slot) in used_lane:
                continue
            r = res[c.resource]
            if not all(
                cands.compatible(problem, r, c.slot, c.host, s2, h2)
                for s2, h2 in day[(c.resource, c.weekday, c.block)]
            ):
                continue
            take, gain = values.best(problem, h, cands.catchment[h], people, host_cap(problem, h, r.seats))
            if sum(take.values()) >= rules.min_participants and gain > rules.travel_weight * c.km:
                placed = (c, take)
            break
        if placed is None:
            continue
        c, take = placed
        for code, n in take.items():
            people[code] -= n
            values.given[code] += n
        chosen.append((c, take))
        used_lane.add((c.resource, c.weekday, c.block, c.slot))
        day[(c.resource, c.weekday, c.block)].append((c.slot, h))
        v = value(h)
        if v > 0:
            heapq.heappush(heap, (-v, h))
    return chosen
