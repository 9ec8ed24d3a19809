"""The « le moins de km » plan, repeatable, its series laid out on days by an exact search.

The default Vierzon season's « le moins de km » plan read 1,881, 2,071 and 2,132 km on three runs
for the same value (180.10): CP-SAT's workers raced to different plans of that value, and which
series shared a day was left to a local search from wherever they were put.

:func:`fewest_km_plan` makes both steps repeatable and the second exact:

1. the value: CP-SAT's model of :mod:`planner.optimise.cpsat` in one worker with limits in
   deterministic time (:func:`planner.optimise.day_layout.deterministic`), so that one problem
   gives one plan;
2. the days: :func:`planner.optimise.day_layout.lay_out` keeps those series (same hosts, same
   number of series at each, same people: the same value) and chooses which share a day, in
   which slots, for the fewest route km, proven, with :data:`STAGE_SHARE` of the time limit (every
   plan's days are laid out so by :func:`planner.optimise.routing.order_days` in a small fixed
   limit; here the proof is what the explanation quotes).

Should those series still drive more than the coordinator's balanced plan, the balanced plan's
own series are laid out the same way instead: « le moins de km » never drives more than the plan
it is compared with. Locked sessions stay where they are and are not chained with the series of
their day in step 2 (the plan's routes measure every stop all the same).
"""

from __future__ import annotations

import logging
import threading
import time as _time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from planner.model import Plan
from planner.optimise.candidates import Candidate, Candidates, build_candidates, clock, require_windows
from planner.optimise.cpsat import solve_model
from planner.optimise.day_layout import deterministic, lay_out
from planner.optimise.feasibility import checked, require_feasible
from planner.optimise.greedy import greedy_choice
from planner.optimise.objective import group_size
from planner.problem import PlanningProblem, ProgressEvent, SolveParams

#: Largest territory taken (the limit of :mod:`planner.optimise.solve`'s search over every host).
MAX_COMMUNES = 90
#: Share of ``params.time_limit_s`` (deterministic seconds) for each of the two searches.
STAGE_SHARE = 0.5
log = logging.getLogger(__name__)

Chosen = list[tuple[Candidate, dict[str, int]]]


@dataclass(frozen=True)
class FewestKm:
    """The plan of :func:`fewest_km_plan` and what its km are."""

    plan: Plan
    #: The days of its series are proven to drive the fewest km (:func:`planner.optimise.day_layout.lay_out`; never with
    #: locked sessions, which the proof does not chain).
    km_proven: bool
    #: The best value drove more than the balanced plan: the plan holds the balanced plan's series.
    capped: bool


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
        paired = lay_out(problem, cands, chosen, params, STAGE_SHARE * params.time_limit_s, stop)
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
