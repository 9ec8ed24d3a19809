"""The "saupoudrage" baseline: one session per commune, in turn, on the same resource days.

This is the practice the monograph describes (one 3-hour workshop a year per commune). Every
working date of every resource (its weekdays, open dates of the season, minus the days of
locked sessions) is filled while the kilometre budget lasts (if any), slot by slot, with the next commune of a queue — requesting
communes first, then by decreasing unmet need — that can open a session there (power, request
weekdays and blackout dates, reach from the base, threshold of participants among the people who
would come, :mod:`planner.territory.catchment`).
A commune is visited in turn: one the day cannot take (too far to pair with the day's other
stops, a weekday it refused…) keeps its place in the queue, a commune visited goes to the back,
behind every one still waiting — a return visit only fills a slot none of them can take (the
people already counted stay counted). A return visit of a resource to a host counts only what
its earlier visits there left of each neighbour's attendance pool
(:func:`planner.territory.catchment.pool_caps`): a commune whose people are spent, or already
drawn there, leaves the queue instead of opening a session under the threshold, and a day no
commune can fill stays free. A day
with several stops is ordered by :func:`planner.optimise.routing.best_order`. Each session is a series of
length 1; the objective (:func:`planner.optimise.objective.objective_value`) values it at 1/K of a full
series per participant, so both plans are measured on the same scale.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from planner.model import Resource
from planner.optimise.candidates import (
    Candidate,
    Candidates,
    day_slots,
    host_allowed,
    host_cap,
    slot_fits,
    slot_start,
    weekday_dates,
    window_allowed,
)
from planner.optimise.greedy import fixed_allocation
from planner.optimise.routing import best_order
from planner.problem import PlanningProblem
from planner.territory.catchment import allocate


def _queue(problem: PlanningProblem, people: dict[str, int]) -> list[str]:
    requested = {q.code_insee for q in problem.requests}
    codes = [c for c in problem.territory.codes if not problem.requests_only or c in requested]
    return sorted(codes, key=lambda c: (c not in requested, -people.get(c, 0), c))


def _day_feasible(problem: PlanningProblem, cands: Candidates, r: Resource, hosts: list[str]) -> bool:
    return all(
        cands.compatible(problem, r, a, hosts[a], b, hosts[b])
        for a in range(len(hosts))
        for b in range(a + 1, len(hosts))
    ) and all(slot_fits(r, k, h, problem.matrix) for k, h in enumerate(hosts))


def _caps_left(
    problem: PlanningProblem,
    cands: Candidates,
    rid: str,
    host: str,
    drawn: dict[tuple[str, str, str], int],
) -> dict[str, int]:
    """Most people one more session of ``rid`` at ``host`` counts from each commune: the series
    cap, less what the earlier sessions of ``rid`` there drew from the commune's pool."""
    pools = cands.pools(problem, rid, host)
    return {
        c: max(0, min(n, pools[c] - drawn[(rid, host, c)])) for c, n in cands.caps(problem, rid, host).items()
    }


def _reach(caps: dict[str, int], people: dict[str, int]) -> int:
    """People a session with ``caps`` can still count among ``people`` (before the seats)."""
    return sum(min(n, max(0, people.get(c, 0))) for c, n in caps.items())


def baseline_choice(problem: PlanningProblem, cands: Candidates) -> list[tuple[Candidate, dict[str, int]]]:
    """The saupoudrage plan as chosen series of length 1 (locked series kept first)."""
    rules = problem.rules
    people = dict(cands.people)
    chosen = fixed_allocation(problem, cands, people)
    drawn: dict[tuple[str, str, str], int] = defaultdict(int)  # people counted per (resource, host, commune)
    for c, take in chosen:
        for code, n in take.items():
            drawn[(c.resource, c.host, code)] += n
    busy = {(c.resource, d) for c, _ in chosen for d in c.dates}
    budget, km_used = rules.km_budget, sum(c.km for c, _ in chosen)
    queue = _queue(problem, cands.people)
    days: list[tuple[date, Resource]] = sorted(
        ((d, r) for r in problem.resources for wd in r.weekdays for d in weekday_dates(problem.season, wd)),
        key=lambda t: (t[0], t[1].id),
    )
    block = 0
    for d, r in days:
        if (r.id, d) in busy or not queue:
            continue
        picked: list[str] = []
        takes: dict[str, dict[str, int]] = {}
        for h in queue:  # in turn; a commune the day cannot take keeps its place
            if len(picked) >= day_slots(r):
                break
            ok = (
                host_allowed(problem, r, h, d.weekday())
                and window_allowed(problem, h, [d])
                and host_cap(problem, h, r.seats) >= rules.min_participants
            )
            # Not cands.reachable: a return visit only counts what the earlier ones left of the pools.
            caps = _caps_left(problem, cands, r.id, h, drawn) if ok else {}
            ok = ok and _reach(caps, people) >= rules.min_participants
            km = 2 * problem.matrix.km(r.base, h)
            ok = ok and (budget <= 0 or km_used + km <= budget + 1e-9)
            if ok and _day_feasible(problem, cands, r, best_order(r.base, [*picked, h], problem.matrix, 0.1)):
                km_used += km
                picked.append(h)
                takes[h] = allocate(cands.catchment[h], people, host_cap(problem, h, r.seats), caps)
                for c, n in takes[h].items():
                    drawn[(r.id, h, c)] += n
        if not picked:
            continue
        for k, h in enumerate(best_order(r.base, picked, problem.matrix, 0.1)):
            st = slot_start(r, k, h, problem.matrix)
            c = Candidate(
                r.id,
                h,
                d.weekday(),
                k,
                block,
                (d,),
                st,
                st + r.session_minutes,
                2 * problem.matrix.km(r.base, h),
            )
            chosen.append((c, takes[h]))
        block += 1
        queue = [
            h
            for h in [*(h for h in queue if h not in takes), *picked]  # the visited go to the back
            if any(
                _reach(_caps_left(problem, cands, x.id, h, drawn), people) >= rules.min_participants
                for x in problem.resources
            )
        ]
    return chosen
