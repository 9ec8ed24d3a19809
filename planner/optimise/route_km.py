"""The « le moins de km » plan, repeatable, its series paired into days by an exact search.

The objective counts a return trip from the base per session
(:func:`planner.optimise.objective.plan_km`); the routes a plan drives chain the hosts of a
day (:func:`planner.optimise.routing.day_routes`), and which series share a day is left to a
local search (:func:`planner.optimise.routing.pair_days`) from wherever CP-SAT's plan put them.
Two runs finding plans of one value could therefore drive very different routes: the default
Vierzon season's « le moins de km » plan read 1,881, 2,071 and 2,132 km on three runs for the
same value (180.10).

:func:`fewest_km_plan` makes both steps repeatable and the second exact:

1. the value: CP-SAT's model of :mod:`planner.optimise.cpsat` in one worker with limits in
   deterministic time (:func:`deterministic`), so that one problem gives one plan;
2. the days: :func:`pair_series` keeps those series (same hosts, same number of series at each,
   same people: the same value) and chooses which share a day, in which slots, for the fewest
   route km, proven. Windows offering the same hosts and slots are interchangeable, so the model
   counts *days of each kind* (which host in which slot) per group of such windows — no
   symmetry left to search, a few hundred integers on Vierzon.

Should those series still drive more than the coordinator's balanced plan, the balanced plan's
own series are paired the same way instead: « le moins de km » never drives more than the plan
it is compared with. Locked sessions stay where they are and are not chained with the series of
their day in step 2 (the plan's routes measure every stop all the same).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time as _time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planner.model import Plan
from planner.optimise.candidates import Candidate, Candidates, build_candidates, clock, require_windows
from planner.optimise.cpsat import solve_model, solve_stoppable
from planner.optimise.feasibility import checked, require_feasible
from planner.optimise.greedy import greedy_choice
from planner.optimise.objective import group_size
from planner.problem import PlanningProblem, ProgressEvent, SolveParams

#: Largest territory taken (the limit of :mod:`planner.optimise.solve`'s search over every host).
MAX_COMMUNES = 90
#: Most kinds of day :func:`pair_series` may count (a team of four slots over many hosts would
#: need far more; the plan then keeps the local search's days).
MAX_KINDS = 50_000
#: Share of ``params.time_limit_s`` (deterministic seconds) for each of the two searches.
STAGE_SHARE = 0.5
log = logging.getLogger(__name__)

Chosen = list[tuple[Candidate, dict[str, int]]]


@dataclass(frozen=True)
class FewestKm:
    """The plan of :func:`fewest_km_plan` and what its km are."""

    plan: Plan
    #: The days of its series are proven to drive the fewest km (:func:`pair_series`; never with
    #: locked sessions, which the proof does not chain).
    km_proven: bool
    #: The best value drove more than the balanced plan: the plan holds the balanced plan's series.
    capped: bool


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


def _metres(km: float) -> int:
    return round(1000 * km)


def day_metres(problem: PlanningProblem, base: str, day: list[Candidate]) -> int:
    """Metres of the K dates of a day holding ``day`` (in slot order): return trips minus the
    saving of each two series following each other (``d(b,i) + d(b,j) − d(i,j)`` a date)."""
    m = problem.matrix
    total = sum(_metres(c.km) for c in day)
    for a, b in itertools.pairwise(day):
        total -= _metres(len(a.dates) * (m.km(base, a.host) + m.km(base, b.host) - m.km(a.host, b.host)))
    return total


def route_metres(problem: PlanningProblem, chosen: Chosen) -> int:
    """The routes' metres of ``chosen``'s free series, day by day (:func:`day_metres`)."""
    base = {r.id: r.base for r in problem.resources}
    days: dict[tuple[str, int, int], list[Candidate]] = defaultdict(list)
    for c, _ in chosen:
        if not c.locked:
            days[(c.resource, c.weekday, c.block)].append(c)
    return sum(
        day_metres(problem, base[rid], sorted(day, key=lambda c: c.slot)) for (rid, _, _), day in days.items()
    )


def chosen_of(plan: Plan, cands: Candidates) -> Chosen | None:
    """The candidates ``plan``'s free series hold, with their people, or ``None`` when a series
    matches no candidate (a plan edited by hand, or of other rules)."""
    index = {(c.resource, c.host, c.dates, clock(c.start_min)): c for c in cands.free}
    sessions: dict[str, list] = defaultdict(list)
    for s in plan.sessions:
        sessions[s.series].append(s)
    out = []
    for se in plan.series:
        own = sorted(sessions.get(se.id, []), key=lambda s: s.date)
        if not own or any(s.locked for s in own):
            continue  # locked series stay as they are
        c = index.get((se.resource, se.host, tuple(s.date for s in own), own[0].start))
        if c is None:
            return None
        out.append((c, dict(se.from_communes)))
    return out


def _window_groups(cands: Candidates) -> list[tuple[str, int, list[int]]]:
    """(resource, weekday, windows) whose windows offer the same (host, slot) candidates."""
    offer: dict[tuple[str, int, int], set] = defaultdict(set)
    for c in cands.free:
        offer[(c.resource, c.weekday, c.block)].add((c.host, c.slot))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for (rid, wd, b), hs in offer.items():
        groups[(rid, wd, frozenset(hs))].append(b)
    return sorted((rid, wd, sorted(bs)) for (rid, wd, _), bs in groups.items())


def pair_series(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: Chosen,
    params: SolveParams,
    stop: threading.Event | None = None,
) -> tuple[Chosen, bool] | None:
    """``chosen``'s series on the days and slots driving the fewest route km, and whether proven.

    Every series keeps its host, resource and people; only its window and slot change, to an
    existing candidate, on days whose slots can all be driven (:meth:`Candidates.compatible`).
    Per group of interchangeable windows (:func:`_window_groups`) an integer counts the days of
    each kind (a host or nothing in each slot); each site gets its number of series back.
    ``None`` when there are more than :data:`MAX_KINDS` kinds of day or no solution in time.
    """
    res = {r.id: r for r in problem.resources}
    fixed = [(c, t) for c, t in chosen if c.locked]
    free = [(c, t) for c, t in chosen if not c.locked]
    count: dict[tuple[str, str], int] = defaultdict(int)
    takes: dict[tuple[str, str], list[dict[str, int]]] = defaultdict(list)
    for c, t in free:
        count[(c.host, c.resource)] += 1
        takes[(c.host, c.resource)].append(t)
    index = {(c.resource, c.host, c.weekday, c.slot, c.block): c for c in cands.free}
    model = cp_model.CpModel()
    kinds: list[tuple[tuple[str, int, list[int]], tuple[Candidate | None, ...], cp_model.IntVar]] = []
    for group in _window_groups(cands):
        rid, wd, bs = group
        r = res[rid]
        slots = sorted({c.slot for c in cands.free if (c.resource, c.weekday, c.block) == (rid, wd, bs[0])})
        options = [
            [None]
            + [
                index[(rid, h, wd, s, bs[0])]
                for h, rr in sorted(count)
                if rr == rid and (rid, h, wd, s, bs[0]) in index
            ]
            for s in slots
        ]
        group_days = []
        for day in itertools.product(*options):
            held = [c for c in day if c is not None]
            if not held or not all(
                cands.compatible(problem, r, a.slot, a.host, b.slot, b.host)
                for a, b in itertools.combinations(held, 2)
            ):
                continue
            z = model.new_int_var(0, len(bs), f"z{len(kinds)}")
            kinds.append((group, day, z))
            group_days.append(z)
            if len(kinds) > MAX_KINDS:
                return None
        if group_days:
            model.add(sum(group_days) <= len(bs))
    at: dict[tuple[str, str], list] = defaultdict(list)
    for _, day, z in kinds:
        for c in day:
            if c is not None:
                at[(c.host, c.resource)].append(z)
    for site, n in count.items():
        model.add(sum(at[site]) == n)
    model.minimize(
        sum(day_metres(problem, res[g[0]].base, [c for c in day if c is not None]) * z for g, day, z in kinds)
    )
    solver = cp_model.CpSolver()
    for name, value in deterministic(params, STAGE_SHARE * params.time_limit_s).items():
        setattr(solver.parameters, name, value)
    code = solve_stoppable(solver, model, stop)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = list(fixed)
    windows: dict[tuple[str, int, tuple[int, ...]], list[int]] = {}
    for (rid, wd, bs), day, z in kinds:
        free_windows = windows.setdefault((rid, wd, tuple(bs)), list(bs))
        for _ in range(solver.value(z)):
            b = free_windows.pop(0)
            for c in day:
                if c is not None:
                    moved = index[(rid, c.host, wd, c.slot, b)]
                    out.append((moved, takes[(c.host, c.resource)].pop()))
    return out, code == cp_model.OPTIMAL


def fewest_km_plan(
    problem: PlanningProblem,
    params: SolveParams,
    *,
    balanced: Plan | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> FewestKm | None:
    """The plan of « le moins de km », repeatable (module docstring), or ``None`` when a re-plan
    or a territory of more than :data:`MAX_COMMUNES` communes (the caller then solves it as any plan).

    Parameters
    ----------
    problem
        The problem of « le moins de km » (:func:`planner.optimise.alternatives.variant_problem`).
    params
        ``time_limit_s`` is counted in CP-SAT's deterministic time, :data:`STAGE_SHARE` for each
        search; ``gap`` and ``seed`` as given, one worker (:func:`deterministic`).
    balanced
        The coordinator's plan: the search starts from it, and it drives the most km this plan may.
    on_progress, stop
        As for :func:`planner.optimise.solve.solve`.

    Returns
    -------
    FewestKm or None
        The plan (``metrics.status``, ``bound`` and ``gap`` of its value, as any plan) and what
        is proven of its km.

    Raises
    ------
    InfeasibleError
        As :func:`planner.optimise.solve.solve` (windows, settings leaving nothing).
    """
    from planner.optimise.solve import OPTIMAL_GAP, build_plan, post_check

    if problem.previous or len(problem.territory.communes) > MAX_COMMUNES:
        return None
    t0 = _time.monotonic()
    cands = build_candidates(problem, group=group_size(problem))
    require_windows(problem, cands)
    require_feasible(problem)
    start = chosen_of(balanced, cands) if balanced is not None else None
    share = STAGE_SHARE * params.time_limit_s
    first = solve_model(
        problem,
        cands,
        params,
        time_limit_s=share,
        on_progress=on_progress,
        stop=stop,
        hint=start if start is not None else greedy_choice(problem, cands),
        solver_options=deterministic(params, share),
    )
    if first is None or first.status == "UNKNOWN":
        return None

    def plan_of(chosen: Chosen, status: str) -> tuple[Plan, bool]:
        paired = pair_series(problem, cands, chosen, params, stop)
        plan = build_plan(
            problem,
            cands,
            chosen if paired is None else paired[0],
            kind="optimised",
            status=status,
            bound=first.bound,
            solve_seconds=_time.monotonic() - t0,
        )
        m = plan.metrics
        if m.status == "OPTIMAL" and m.gap > OPTIMAL_GAP:
            plan = replace(plan, metrics=replace(m, status="FEASIBLE"))
        # locked sessions are not chained with the series of their day: nothing proven then
        return plan, paired is not None and paired[1] and not problem.locked

    plan, proven = plan_of(first.chosen, first.status)
    capped = False
    if start is not None and plan.metrics.km > balanced.metrics.km + 1e-6:
        # the best value drives more than the balanced plan: its series, on the fewest km's days
        within, within_proven = plan_of(start, "FEASIBLE")  # not the best value of the rules
        if within.metrics.km <= balanced.metrics.km + 1e-6:
            plan, proven, capped = within, within_proven, True
            log.info("fewest km: the balanced plan's series, %.1f km", plan.metrics.km)
    post_check(plan, problem)
    return FewestKm(checked(plan, problem), proven, capped)
