"""Which series share a day, and in which slots: an exact search for the fewest route km.

The objective counts a return trip from the base per session
(:func:`planner.optimise.objective.plan_km`); the routes a plan drives chain the hosts of a day
(:func:`planner.optimise.routing.day_routes`). Once the series are chosen (host, resource,
people: the value), :func:`lay_out` chooses their windows and slots for the fewest route km and
proves it, so that a plan's km no longer depend on where the value's search happened to put
them (2,544 km or 2,309 km for the same balanced Vierzon plan).

Windows of a weekday offering the same (host, slot) candidates are interchangeable, so the model
counts *days of each kind* per group of such windows (:func:`_window_groups`) — no symmetry left
to search. Of the days holding one multiset of hosts only the shortest drivable one is a kind
(the others serve the same series and drive more): about two thousand integers for a team of
three slots over 26 hosts. Each resource is laid out on its own (their days never meet).

Every series keeps its host, resource, weekday and people; it moves only to an existing candidate
(calendar, requests, locked sessions already checked there), on days whose slots can all be
driven (:meth:`Candidates.compatible`): the value and every rule are unchanged. Locked series
stay where they are and are not chained with the series of their day (the plan's routes measure
every stop all the same).
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict

from ortools.sat.python import cp_model

from planner.model import Resource
from planner.optimise.candidates import Candidate, Candidates
from planner.optimise.cpsat import solve_stoppable
from planner.problem import PlanningProblem, SolveParams

Chosen = list[tuple[Candidate, dict[str, int]]]

#: Most drivable days examined per resource (4,900 for the region's largest team: 38 hosts, three
#: slots); beyond, no exact layout: the resource keeps the local search's days.
MAX_DAYS = 50_000


def deterministic(params: SolveParams, time_limit_s: float) -> dict[str, object]:
    """CP-SAT parameters of a repeatable search: one worker (``params.workers`` threads race,
    and interleaving them in a fixed order took 4.4 s instead of 0.2 s on Vierzon), the limit
    counted in deterministic time (the wall-clock limit only guards a machine far slower than
    that clock)."""
    return {
        "num_workers": 1,
        "random_seed": params.seed,
        "max_deterministic_time": max(0.05, time_limit_s),
        "max_time_in_seconds": max(1.0, 3 * time_limit_s),
        "cp_model_probing_level": 0,
    }


def _window_groups(offered: list[Candidate], hosts: set[str]) -> list[tuple[int, list[int], frozenset]]:
    """(weekday, windows, offer) of a resource's candidates ``offered``: windows offering the same
    (host, slot) candidates among ``hosts`` (the others cannot tell them apart)."""
    offer: dict[tuple[int, int], set] = defaultdict(set)
    for c in offered:
        if c.host in hosts:
            offer[(c.weekday, c.block)].add((c.host, c.slot))
    groups: dict[tuple[int, frozenset], list[int]] = defaultdict(list)
    for (wd, b), hs in offer.items():
        groups[(wd, frozenset(hs))].append(b)
    return sorted((wd, sorted(bs), hs) for (wd, hs), bs in groups.items())


def _kinds(
    problem: PlanningProblem,
    cands: Candidates,
    r: Resource,
    hosts: list[str],
    offer: frozenset,
    budget: list[int],
) -> list[tuple[tuple[tuple[int, str], ...], float]] | None:
    """The shortest drivable day of each multiset of ``hosts`` that fits one day of ``r``:
    ((slot, host) in slot order, km of one date); of equal km the least order of hosts, in the
    first slots that fit. ``None`` once ``budget[0]`` drivable days are spent."""
    slots = sorted({s for _, s in offer})
    at_slot = {t: [h for h in hosts if (h, t) in offer] for t in slots}
    stops = [r.base, *hosts]
    km = {(a, b): problem.matrix.km(a, b) for a in stops for b in stops}
    # looked up once: the search below asks for tens of thousands of pairs on a region team
    ok = {
        (s, h, t, g): cands.compatible(problem, r, s, h, t, g)
        for s, t in itertools.combinations(slots, 2)
        for h in at_slot[s]
        for g in at_slot[t]
    }
    best: dict[tuple[str, ...], tuple[float, tuple[str, ...], tuple[tuple[int, str], ...]]] = {}

    def extend(placed: tuple[tuple[int, str], ...], order: tuple[str, ...], partial: float) -> bool:
        """Every drivable day continuing ``placed`` (slot order), by a drivable day at a time:
        a day holding two hosts that cannot be driven is never extended."""
        last = placed[-1][0] if placed else -1
        for t in slots:
            if t <= last:
                continue
            for h in at_slot[t]:
                if not all(ok[(s, g, t, h)] for s, g in placed):
                    continue
                budget[0] -= 1
                if budget[0] < 0:
                    return False
                day, seq = (*placed, (t, h)), (*order, h)
                going = partial + km[(order[-1] if order else r.base, h)]
                key, found = tuple(sorted(seq)), (going + km[(h, r.base)], seq)
                if key not in best or found < best[key][:2]:
                    best[key] = (*found, day)
                if not extend(day, seq, going):
                    return False
        return True

    if not extend((), (), 0.0):
        return None
    return [(day, length) for length, _, day in (best[k] for k in sorted(best))]


def lay_out_resource(
    problem: PlanningProblem,
    cands: Candidates,
    r: Resource,
    series: Chosen,
    *,
    time_limit_s: float,
    seed: int = 0,
    stop: threading.Event | None = None,
    offered: list[Candidate] | None = None,
) -> tuple[Chosen, bool] | None:
    """The free ``series`` of ``r`` on the days and slots driving the fewest route km.

    Parameters
    ----------
    problem, cands
        The problem and its candidates (every move is to one of ``cands.free``).
    r
        The resource; ``series`` are its free series (candidates of ``cands.free``, with people).
    time_limit_s
        CP-SAT's limit in deterministic seconds (one worker, ``seed``: :func:`deterministic`).
    stop
        Setting it stops the search.
    offered
        ``r``'s candidates in ``cands.free``, when the caller has them (read from ``cands`` else).

    Returns
    -------
    tuple or None
        The series laid out (same hosts and people, ordered by window and slot) and whether
        CP-SAT proved it shortest; ``None`` when more than :data:`MAX_DAYS` drivable days would
        be examined, when a series is not one of ``cands.free`` (a saupoudrage plan, a day
        already re-slotted) or when no layout is found in time.
    """
    if offered is None:
        offered = [c for c in cands.free if c.resource == r.id]
    if not series:
        return [], True
    count: dict[str, int] = defaultdict(int)
    takes: dict[str, list[dict[str, int]]] = defaultdict(list)
    for c, t in series:
        count[c.host] += 1
        takes[c.host].append(t)
    for h in takes:  # people in a fixed order: the layout does not depend on the series' order
        takes[h].sort(key=lambda t: sorted(t.items()))
    index = {(c.host, c.weekday, c.slot, c.block): c for c in offered}
    if any(index.get((c.host, c.weekday, c.slot, c.block)) != c for c, _ in series):
        return None  # the layout would swap them for other candidates
    hosts = sorted(count)
    model = cp_model.CpModel()
    kinds: list[tuple[int, list[int], tuple[tuple[int, str], ...], cp_model.IntVar]] = []
    at: dict[str, list] = defaultdict(list)
    cost = []
    budget = [MAX_DAYS]
    known: dict[frozenset, list] = {}  # the days of an offer do not depend on the weekday
    for wd, bs, offer in _window_groups(offered, set(hosts)):
        if offer not in known:
            days = _kinds(problem, cands, r, hosts, offer, budget)
            if days is None:
                return None
            known[offer] = days
        days = known[offer]
        group = []
        for placed, km in days:
            s, h = placed[0]
            k = len(index[(h, wd, s, bs[0])].dates)
            z = model.new_int_var(0, len(bs), f"z{len(kinds)}")
            kinds.append((wd, bs, placed, z))
            group.append(z)
            for _, h in placed:
                at[h].append(z)
            # centimetres: rounding then stays far below the 1 m a plan's km are compared at
            cost.append(round(100_000 * k * km))
        model.add(cp_model.LinearExpr.sum(group) <= len(bs))
    for h, n in count.items():
        if not at[h]:
            return None
        model.add(cp_model.LinearExpr.sum(at[h]) == n)
    model.minimize(cp_model.LinearExpr.weighted_sum([z for *_, z in kinds], cost))
    solver = cp_model.CpSolver()
    for name, value in deterministic(SolveParams(seed=seed), time_limit_s).items():
        setattr(solver.parameters, name, value)
    solver.parameters.max_deterministic_time = time_limit_s  # no floor: the caller's limit holds
    # the LP at every node proves it: a Cher team's 27 series in 0.25 s, not proven in 14 s
    # without; presolve only costs here (region: 0.29 deterministic s for 12 resources, 1.27 with)
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_presolve = False
    code = solve_stoppable(solver, model, stop)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out: Chosen = []
    windows: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for wd, bs, placed, z in kinds:
        free_windows = windows.setdefault((wd, tuple(bs)), list(bs))
        for _ in range(solver.value(z)):
            b = free_windows.pop(0)
            for s, h in placed:
                out.append((index[(h, wd, s, b)], takes[h].pop(0)))
    return out, code == cp_model.OPTIMAL


def lay_out_each(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: Chosen,
    *,
    time_limit_s: float,
    seed: int = 0,
    stop: threading.Event | None = None,
) -> dict[str, tuple[Chosen, bool] | None]:
    """Each resource's free series of ``chosen`` laid out by :func:`lay_out_resource`, by
    resource id (resources without free series are left out); the candidates are read once."""
    offered: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands.free:
        offered[c.resource].append(c)
    out = {}
    for r in problem.resources:
        mine = [(c, t) for c, t in chosen if c.resource == r.id and not c.locked]
        if mine:
            out[r.id] = lay_out_resource(
                problem,
                cands,
                r,
                mine,
                time_limit_s=time_limit_s,
                seed=seed,
                stop=stop,
                offered=offered[r.id],
            )
    return out


def lay_out(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: Chosen,
    params: SolveParams,
    time_limit_s: float,
    stop: threading.Event | None = None,
) -> tuple[Chosen, bool] | None:
    """``chosen`` with every resource's free series laid out by :func:`lay_out_resource`.

    Parameters
    ----------
    problem, cands, chosen
        As for :func:`lay_out_resource`; locked series are kept as they are.
    params
        ``seed`` of each search (one worker).
    time_limit_s
        CP-SAT's deterministic limit for each resource.
    stop
        Setting it stops the search.

    Returns
    -------
    tuple or None
        The series and whether every resource's layout is proven; ``None`` when a resource has
        no layout.
    """
    found = lay_out_each(problem, cands, chosen, time_limit_s=time_limit_s, seed=params.seed, stop=stop)
    if any(f is None for f in found.values()):
        return None
    out = [(c, t) for c, t in chosen if c.locked]
    for f in found.values():
        out += f[0]
    return out, all(f[1] for f in found.values())
