"""A simple greedy series plan: the host reaching the largest unmet need first.

Used as the benchmark's reference heuristic and as the CP-SAT search's starting hint. Again and
again it takes the site (host and resource) that still offers the most value (people of unmet
need, weighted as in the objective: person weight, attendance and diminishing returns per
commune), puts a series there on the earliest free slot of that resource (calendar, drive time
with the other slot of the day, km budget), fills it with the most valuable people who would
come and repeats until no series can open. Same candidates, same rules, same objective as the
optimiser.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping

from planner.optimise.candidates import Candidate, Candidates, host_cap
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights
from planner.problem import PlanningProblem
from planner.territory.catchment import allocate


def fixed_allocation(
    problem: PlanningProblem, cands: Candidates, people: dict[str, int]
) -> list[tuple[Candidate, dict[str, int]]]:
    """Fill the locked series first (host first, up to the seats and the attendance caps),
    decrementing ``people``."""
    return [
        (
            c,
            allocate(
                cands.catchment[c.host],
                people,
                host_cap(problem, c.host, cands.seats[c.resource]),
                cands.caps(problem, c.resource, c.host),
            ),
        )
        for c in cands.fixed
    ]


class Overlay(dict):
    """Changes over a base mapping of counts: reads fall through to the base (0 when absent),
    writes stay here. What a copy of the base would do, without copying it."""

    def __init__(self, base: Mapping[str, int]) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, key: str) -> int:
        return self.base[key] if isinstance(self.base, Overlay) else self.base.get(key, 0)

    def get(self, key: str, default: int = 0) -> int:
        if key in self:
            return dict.__getitem__(self, key)
        if isinstance(self.base, Overlay) or key in self.base:
            return self.__missing__(key)
        return default


class MarginalValues:
    """Marginal value of one more person of a commune (person weight × diminishing returns)."""

    def __init__(
        self, problem: PlanningProblem, cands: Candidates, weights: Mapping[str, float] | None = None
    ) -> None:
        self.g = cands.group
        self.rv = problem.rules.repeat_value
        self.w = person_weights(problem, self.g) if weights is None else weights
        self.given: dict[str, int] = defaultdict(int)
        self.res = {r.id: r for r in problem.resources}
        self._penalties: dict[tuple[str, str], dict[str, float]] = {}

    def slope(self, code: str, given: Mapping[str, int]) -> float:
        return self.w[code] * self.rv ** min(given[code] // self.g, MAX_GROUPS - 1)

    def best(
        self,
        problem: PlanningProblem,
        cands: Candidates,
        site: tuple[str, str],
        left: Mapping[str, int],
        cap: int,
        taken: Mapping[str, int] | None = None,
        *,
        given: Mapping[str, int] | None = None,
    ) -> tuple[dict[str, int], float]:
        """Most valuable ``cap`` people one more series at ``site`` counts: ({commune: people}, value).

        ``taken`` is what the series already at the site count from each commune (the pool
        caps bound them together); nothing is taken from ``left``. ``given``: the people each
        commune already counts, when not :attr:`given`.
        """
        host, rid = site
        caps = cands.caps(problem, rid, host)
        pools = cands.pools(problem, rid, host)
        taken = taken or {}
        given = Overlay(self.given if given is None else given)
        pen = self._penalties.get(site)
        if pen is None:  # what coming to the site costs a person of each commune, once per site
            r = self.res[rid]
            pen = self._penalties[site] = {
                c: self.w[c] * attendance_penalty(problem, c, host, r) for c in caps
            }
        avail = {c: min(left.get(c, 0), caps[c], pools[c] - taken.get(c, 0)) for c in caps}
        avail = {c: n for c, n in avail.items() if n > 0}
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
        Locked series first, then the series at the communes of ``problem.must_host``, then the
        greedy series.
    """
    rules = problem.rules
    res = {r.id: r for r in problem.resources}
    people = dict(cands.people)
    chosen = fixed_allocation(problem, cands, people)
    values = MarginalValues(problem, cands)
    at_site: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c, take in chosen:
        for code, n in take.items():
            values.given[code] += n
            at_site[(c.host, c.resource)][code] += n
    used_lane: set[tuple] = set()
    day: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    by_site: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in cands.free:
        by_site[(c.host, c.resource)].append(c)
    for items in by_site.values():
        items.sort(key=lambda c: (c.dates[0], c.slot))
    caps = {site: host_cap(problem, site[0], cands.seats[site[1]]) for site in by_site}
    km_used = sum(c.km for c in cands.fixed)
    budget = rules.km_budget

    def value(site: tuple[str, str]) -> float:
        if cands.reachable(problem, site[1], site[0], people) < rules.min_participants:
            return 0.0
        return values.best(problem, cands, site, people, caps[site], at_site[site])[1]

    def place(site: tuple[str, str], forced: bool = False) -> bool:
        nonlocal km_used
        for c in by_site[site]:
            if (c.resource, c.weekday, c.block, c.slot) in used_lane:
                continue
            if budget > 0 and km_used + c.km > budget + 1e-9:
                continue
            r = res[c.resource]
            if not all(
                cands.compatible(problem, r, c.slot, c.host, s2, h2)
                for s2, h2 in day[(c.resource, c.weekday, c.block)]
            ):
                continue
            take, gain = values.best(problem, cands, site, people, caps[site], at_site[site])
            if sum(take.values()) < rules.min_participants:
                return False
            if not forced and gain <= rules.travel_weight * c.km:
                return False
            for code, n in take.items():
                people[code] -= n
                values.given[code] += n
                at_site[site][code] += n
            chosen.append((c, take))
            km_used += c.km
            used_lane.add((c.resource, c.weekday, c.block, c.slot))
            day[(c.resource, c.weekday, c.block)].append((c.slot, c.host))
            return True
        return False

    for h in problem.must_host:
        if not any(c.host == h for c, _ in chosen):
            for site in sorted(s for s in by_site if s[0] == h):
                if place(site, forced=True):
                    break
    heap = [(-value(site), site) for site in sorted(by_site)]
    heapq.heapify(heap)
    while heap:
        neg, site = heapq.heappop(heap)
        v = value(site)
        if v <= 0:
            continue
        if v < -neg - 1e-9:
            heapq.heappush(heap, (-v, site))
            continue
        if not place(site):
            continue
        v = value(site)
        if v > 0:
            heapq.heappush(heap, (-v, site))
    return chosen
