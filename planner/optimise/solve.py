"""Solve a season: the optimised plan, the greedy plan and the saupoudrage baseline.

:func:`solve` builds the candidate series (:mod:`planner.optimise.candidates`), computes the greedy plan
(:mod:`planner.optimise.greedy`) as a starting hint, and runs CP-SAT until the first of: proven
optimality, relative gap ≤ ``params.gap``, the time limit, or ``stop.is_set()``.

*Decomposition.* A large territory (more than ``DECOMPOSE_ABOVE`` communes) with resources based
far apart is split: resources whose bases lie within ``GROUP_MINUTES`` of each other form a
group, every commune goes to the group of its nearest base, and each group is solved on its own
(time shared by size; a group that finishes early leaves its time to the next ones). In a
(sub)territory of more than ``MAX_HOSTS`` communes each resource only considers the hosts the
LP relaxation of the whole problem finds worth a series (:func:`priced_hosts`), and those its
group's day-pattern programme holds series at. The groups' bounds then bound the *decomposed,
host-limited problem* only: they are reported as ``metrics.restricted_bound``, and
``metrics.bound`` is a bound of the whole problem: the least of the LP (:mod:`planner.optimise.bound`),
the Lagrangian bound with that LP's prices (:mod:`planner.optimise.lagrange`) and, for an undivided
territory, the column-generation bound over day patterns (:mod:`planner.optimise.patterns`).
Small territories (Vierzon) are solved whole, with every host, and CP-SAT's bound is the whole
problem's.

*Whole days.* In a restricted search each group first has its days searched whole (days of two
sessions always, days of three when the group's time allows ``MIN_DAY_S``)
(:mod:`planner.optimise.pattern_search`: CP-SAT chooses how many windows hold each drivable day
over the hosts of its group's programme), from the greedy plan; CP-SAT's model of single series
(:mod:`planner.optimise.cpsat`) then continues from the better of the two with what is left of
the group's time, unless the days already lie within ``params.gap`` of the group's programme.

Every plan of chosen candidates leaves through :func:`build_plan`: its series laid out over the
days with the fewest km (:func:`planner.optimise.routing.order_days`: exactly per resource when
proven, else a local search), series ids
``S01-18279``, sessions and reasons for what was left out (:mod:`planner.optimise.explain`); then
:func:`finish_plan` (also the way out of permanence plans and scored tours) adds routes
(:mod:`planner.optimise.routing`) and metrics, whose ``objective`` is
:func:`planner.optimise.objective.objective_value` for every kind of plan.
"""

from __future__ import annotations

import logging
import math
import threading
import time as _time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from functools import partial

from planner.errors import InfeasibleError
from planner.model import (
    PARCOURS,
    Plan,
    PlanMetrics,
    Rules,
    Series,
    Session,
    Territory,
    Unserved,
    session_uid,
)
from planner.optimise.baseline import baseline_choice
from planner.optimise.bound import FullBound, full_bound
from planner.optimise.candidates import (
    Candidate,
    Candidates,
    build_candidates,
    clock,
    drive_min,
    require_windows,
)
from planner.optimise.cpsat import Choice, solve_model, trivial_bound
from planner.optimise.explain import explain
from planner.optimise.feasibility import checked, require_feasible
from planner.optimise.greedy import fixed_allocation, greedy_choice
from planner.optimise.lagrange import lagrangian_bound
from planner.optimise.objective import group_size, objective_value
from planner.optimise.pattern_search import chosen_value, search_days, widest_hosts
from planner.optimise.patterns import PatternBound, day_frames, pattern_bound
from planner.optimise.routing import day_routes, order_days
from planner.optimise.whole_bound import trim_heap, whole_day_bound
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.publish.equity import with_equity_figures
from planner.rules.check import accepts, check_plan, series_shape, split_accepted

DECOMPOSE_ABOVE = 200
GROUP_MINUTES = 30.0
MAX_HOSTS = 90
#: Largest gap still called optimal (CP-SAT stops at ``params.gap``; this says « prouvé »).
OPTIMAL_GAP = 1e-3
#: Share of the time limit kept for assembling a split territory's plan (routes, reasons, checks):
#: ~4 s of 110 on the region with the machine busy (it was 20–25 s before the reasons were indexed).
FINISH_SHARE = 0.1
#: CP-SAT parameters of every search (``solver_options`` override them). Probing in presolve
#: took 5–13 s on a region group of 3,600 candidates before the greedy hint was even loaded,
#: so that a group with a few seconds found nothing; without it the hint is in within ~1 s.
SOLVER_DEFAULTS: dict[str, object] = {"cp_model_probing_level": 0}
#: Most of the time limit the LP bound of the whole problem may take.
BOUND_SHARE = 0.4
#: Share of a group's time for the search over whole days (:mod:`planner.optimise.pattern_search`);
#: CP-SAT's model of single series continues from its plan with the rest.
DAY_SHARE = 0.8
#: Fewest seconds worth a days' search of three sessions a day (its first stage, the programme's own
#: days, is proven in well under a second on a region team; with less CP-SAT's model of single
#: series does better from the greedy plan).
MIN_DAY_S = 2.0
#: Fewest seconds worth CP-SAT's model of single series after the days' search: building it takes
#: ~2 s on a region team's 6,000 candidates.
MIN_SERIES_S = 3.0
#: Most seconds for a group's column-generation programme (its hosts and days).
DAY_BOUND_S = 15.0
#: Most of the time limit the Lagrangian bound of the whole problem may take (~11 s on the region).
PRICED_SHARE = 0.12
#: The day-pattern master of the whole problem (:func:`planner.optimise.whole_bound.whole_day_bound`)
#: takes ~3.6–4 times the LP's seconds (Cher, two Cher years, three departments, the region:
#: 0.4 s to 50 s); it runs when that fits in this share of the time limit.
MASTER_SHARE = 0.1
MASTER_PER_LP_S = 4.0
#: Longer than that, it runs while the groups search, when it should converge within this share
#: of the search time (the region: ~50 s of ~99).
BACKGROUND_SHARE = 0.7
#: Share of the search kept back for its last round (region: rounds of 4–16 s after the first).
MASTER_ROUND_SHARE = 0.1
DEFAULT_PARAMS = SolveParams()
log = logging.getLogger(__name__)

Chosen = list[tuple[Candidate, dict[str, int]]]


# --------------------------------------------------------------------------------------------
# Plan assembly
# --------------------------------------------------------------------------------------------


def _series_ids(chosen: Chosen) -> list[str]:
    used = {c.series_id for c, _ in chosen if c.series_id}
    ids, n = [], 0
    for c, _ in chosen:
        if c.series_id:
            ids.append(c.series_id)
            continue
        while True:
            n += 1
            sid = f"S{n:02d}-{c.host}"
            if sid not in used:
                break
        used.add(sid)
        ids.append(sid)
    return ids


def _identities(problem: PlanningProblem, sessions: list[Session]) -> list[Session]:
    """Locked sessions keep the identity they were announced with; new ones get one."""
    announced = {(s.series, s.index): s for s in problem.locked}
    out = []
    for s in sessions:
        was = announced.get((s.series, s.index)) if s.locked else None
        if was is not None and was.uid:
            out.append(replace(s, uid=was.uid, sequence=was.sequence))
        else:
            out.append(replace(s, uid=session_uid(problem.territory.spec, s)))
    return out


def gap_of(objective: float, bound: float) -> float:
    """Relative gap ``(bound − objective) / bound`` (0 when the bound is not positive)."""
    return 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)


def build_plan(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: Chosen,
    *,
    kind: str,
    status: str,
    bound: float | None,
    solve_seconds: float,
    series_length: int | None = None,
) -> Plan:
    """Turn chosen candidates into a :class:`~planner.model.Plan` with routes, reasons and metrics.

    ``bound`` ``None`` means "no proof": the trivial bound is reported. ``series_length``
    overrides ``rules.sessions_per_series`` in the plan (the baseline's series have 1 session).
    """
    chosen = order_days(problem, cands, chosen)
    chosen = sorted(chosen, key=lambda t: (t[0].dates[0], t[0].resource, t[0].slot, t[0].host))
    ids = _series_ids(chosen)
    series, sessions = [], []
    for sid, (c, take) in zip(ids, chosen, strict=True):
        minutes = {
            code: round(problem.matrix.minutes(code, c.host), 1) if code != c.host else 0.0 for code in take
        }
        series.append(Series(sid, c.host, c.resource, sum(take.values()), dict(take), minutes))
        flags = c.locked_flags or (False,) * len(c.dates)
        for k, (d, locked) in enumerate(zip(c.dates, flags, strict=True)):
            _, start, end = c.times(k)
            sessions.append(Session(sid, k + 1, c.resource, c.host, d, clock(start), clock(end), locked))
    rules = (
        problem.rules if series_length is None else replace(problem.rules, sessions_per_series=series_length)
    )
    return finish_plan(
        problem,
        series,
        _identities(problem, sessions),
        explain(problem, cands, chosen),
        kind=kind,
        status=status,
        bound=trivial_bound(problem, cands) if bound is None else bound,
        solve_seconds=solve_seconds,
        rules=rules,
    )


def finish_plan(
    problem: PlanningProblem,
    series: list[Series],
    sessions: list[Session],
    unserved: tuple[Unserved, ...],
    *,
    kind: str = "optimised",
    status: str,
    bound: float,
    solve_seconds: float,
    rules: Rules | None = None,
) -> Plan:
    """The plan of these series and sessions with its routes and every figure.

    Sessions are sorted by date, start and resource; ``metrics.objective`` is
    :func:`planner.optimise.objective.objective_value`, ``bound`` at least the objective and
    ``gap`` :func:`gap_of` them; ``participants_full_series`` counts the parcours series holding
    all of ``problem.rules.sessions_per_series``. ``rules`` (default ``problem.rules``) are the
    plan's. Used by :func:`build_plan`, :func:`planner.optimise.services.solve_services` and
    :func:`planner.tours.score.with_figures`.
    """
    sessions = sorted(sessions, key=lambda s: (s.date, s.start, s.resource))
    routes = day_routes(problem.resources, sessions, problem.matrix)
    k = problem.rules.sessions_per_series
    count: dict[str, int] = {}
    for s in sessions:
        count[s.series] = count.get(s.series, 0) + 1
    metrics = PlanMetrics(
        status=status,
        objective=0.0,
        bound=0.0,
        gap=0.0,
        solve_seconds=solve_seconds,
        need_total=sum(n.need for n in problem.needs.values()),
        unmet_need_total=sum(n.unmet_need for n in problem.needs.values()),
        participants=sum(s.participants for s in series),
        participants_full_series=sum(
            s.participants for s in series if s.service == PARCOURS and count.get(s.id, 0) >= k
        ),
        sessions=len(sessions),
        km=sum(r.km for r in routes),
        drive_hours=sum(r.drive_minutes for r in routes) / 60.0,
    )
    plan = Plan(
        territory_spec=problem.territory.spec,
        season=problem.season,
        rules=problem.rules if rules is None else rules,
        resources=problem.resources,
        series=tuple(series),
        sessions=tuple(sessions),
        routes=routes,
        unserved=unserved,
        metrics=metrics,
        kind=kind,
    )
    plan = with_equity_figures(plan, problem.needs)
    objective = objective_value(plan, problem)
    b = max(bound, objective)
    return replace(
        plan, metrics=replace(plan.metrics, objective=objective, bound=b, gap=gap_of(objective, b))
    )


def post_check(plan: Plan, problem: PlanningProblem) -> None:
    """Run :func:`planner.rules.check.check_plan`; a violation is a bug of the solver (unless the
    coordinator accepted it for a locked session: ``problem.accepted``)."""
    _fail_on(split_accepted(check_plan(plan, problem), problem.accepted)[0])


def carry_over(plan: Plan, problem: PlanningProblem) -> Plan:
    """A re-plan's sessions under the identities of the sessions they continue
    (:func:`planner.optimise.stability.carry_identities`), with the accepted exceptions that
    still apply."""
    from planner.optimise.stability import carry_identities

    plan = carry_identities(plan, problem.previous)
    if not problem.accepted:
        return plan
    found = check_plan(plan, problem)
    return replace(plan, accepted=tuple(a for a in problem.accepted if any(accepts(a, v) for v in found)))


def post_check_baseline(plan: Plan, problem: PlanningProblem) -> None:
    """Post-check of a saupoudrage plan: series of one session, but locked series keep K sessions.

    Every rule is checked with the plan's one-session rules, except the shape of the locked
    series, checked against ``problem``'s rules (they are the announced series, kept whole).
    """
    one = replace(problem, rules=plan.rules, must_host=())  # the saupoudrage imposes no commune
    locked = {s.series for s in plan.sessions if s.locked}
    if not locked:
        post_check(plan, one)
        return
    violations = check_plan(plan, one, skip={"series_shape"})
    for keep, rules_of in ((True, problem), (False, one)):
        part = replace(
            plan,
            series=tuple(x for x in plan.series if (x.id in locked) == keep),
            sessions=tuple(s for s in plan.sessions if (s.series in locked) == keep),
        )
        violations += series_shape(part, rules_of)
    _fail_on(violations)


def _fail_on(violations: list) -> None:
    if violations:
        listed = "; ".join(str(v) for v in list(violations)[:5])
        raise AssertionError(f"solver produced a plan breaking its rules ({len(violations)}): {listed}")


# --------------------------------------------------------------------------------------------
# Decomposition
# --------------------------------------------------------------------------------------------


def decompose(
    problem: PlanningProblem, above: int | None = None, group_minutes: float = GROUP_MINUTES
) -> list[PlanningProblem]:
    """Split a large problem into groups of nearby resources (see the module docstring).

    Parameters
    ----------
    problem
        The whole problem.
    above
        Split only territories with more communes than this (default ``DECOMPOSE_ABOVE``).
    group_minutes
        Resources whose bases are this close (drive minutes) stay in one group.
    """
    limit = DECOMPOSE_ABOVE if above is None else above
    if len(problem.territory.communes) <= limit or len(problem.resources) < 2:
        return [problem]
    m = problem.matrix
    res = list(problem.resources)
    parent = list(range(len(res)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(res):
        for j in range(i + 1, len(res)):
            if drive_min(m, a.base, res[j].base) <= group_minutes:
                parent[find(i)] = find(j)
    groups: dict[int, list] = {}
    for i, r in enumerate(res):
        groups.setdefault(find(i), []).append(r)
    if len(groups) == 1:
        return [problem]
    keys = sorted(groups)
    bases = {k: [r.base for r in groups[k]] for k in keys}
    owner_of_res = {r.id: k for k in keys for r in groups[k]}
    forced = {s.host: owner_of_res.get(s.resource) for s in problem.locked}
    members: dict[int, list] = {k: [] for k in keys}
    for c in problem.territory.communes:
        k = forced.get(c.code_insee)
        if k is None:
            k = min(keys, key=lambda g: (min(m.minutes(b, c.code_insee) for b in bases[g]), g))
        members[k].append(c)
    subs = []
    for k in keys:
        if not members[k]:
            continue
        codes = {c.code_insee for c in members[k]}
        rids = {r.id for r in groups[k]}
        territory = Territory(
            spec=problem.territory.spec,
            name=problem.territory.name,
            communes=tuple(members[k]),
            fixed_sites=tuple(f for f in problem.territory.fixed_sites if f.code_insee in codes),
        )
        subs.append(
            PlanningProblem(
                territory=territory,
                needs={c: problem.needs[c] for c in codes},
                matrix=problem.matrix,
                resources=tuple(groups[k]),
                season=problem.season,
                rules=problem.rules,
                requests=tuple(q for q in problem.requests if q.code_insee in codes),
                locked=tuple(s for s in problem.locked if s.resource in rids),
                requests_only=problem.requests_only,
                accepted=problem.accepted,
                previous=tuple(s for s in problem.previous if s.resource in rids),
                keep_value=problem.keep_value,
            )
        )
    return subs


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


class _Progress:
    """Adds finished groups' results and keeps the reported objective/bound monotone."""

    def __init__(self, on_progress: Callable[[ProgressEvent], None] | None, t0: float) -> None:
        self.on_progress = on_progress
        self.t0 = t0
        self.best = float("-inf")
        self.bound = float("inf")
        self.full: float | None = None  # bound of the problem asked, when the search is restricted
        self.lock = threading.Lock()

    def __call__(self, ev: ProgressEvent) -> None:
        if self.on_progress is None:
            return
        with self.lock:
            self.best = max(self.best, ev.objective)
            self.bound = max(self.best, min(self.bound, ev.bound) if self.full is None else self.full)
            self.on_progress(ProgressEvent(_time.monotonic() - self.t0, self.best, self.bound))


def _logged(master: PatternBound) -> float:
    """The whole problem's day-pattern bound, logged."""
    log.info("day-pattern bound of the whole problem: %s %.2f", master.status, master.value)
    return master.value


def _max_hosts(sub: PlanningProblem) -> int | None:
    return MAX_HOSTS if len(sub.territory.communes) > MAX_HOSTS else None


def _group_days(
    sub: PlanningProblem, cands: Candidates, group: int, share: float
) -> tuple[PatternBound, Candidates]:
    """The day-pattern programme of a group (:func:`planner.optimise.patterns.pattern_bound`) and its
    candidates, joined by the hosts the programme ranks first for each resource (the days' search
    chooses among them)."""
    days = pattern_bound(sub, time_limit_s=max(1.0, min(DAY_BOUND_S, 0.2 * share)), group=group)
    if not days.rounds:
        return days, cands
    hosts = {r.id: set(widest_hosts(days, r.id)) for r in sub.resources}
    known = {r.id: {c.host for c in cands.free if c.resource == r.id} for r in sub.resources}
    if all(hosts[rid] <= known[rid] for rid in hosts):
        return days, cands
    return days, build_candidates(sub, group=group, hosts={rid: hosts[rid] | known[rid] for rid in hosts})


def priced_hosts(sub: PlanningProblem, full: FullBound, least: int = MAX_HOSTS) -> dict[str, set[str]]:
    """Hosts each resource of ``sub`` may use, chosen from the LP of the whole problem.

    For every resource: every host where the LP (:mod:`planner.optimise.bound`) holds a series
    of *any* resource (a place worth a series to someone is worth trying for every resource that
    reaches it), the hosts whose reduced cost for this resource is the highest (the next best
    prices) until ``least`` hosts, and always the requested hosts, the hosts of its locked or
    previous sessions and the communes that must host. No ranking over the whole territory: a host
    is left out only when the LP of the whole problem finds it worth less than those kept (and the
    bound of the whole problem still tells how far the plan can be from the optimum).
    """
    codes = set(sub.territory.codes)
    used = {h for (h, _), n in full.site_series.items() if n > 1e-6 and h in codes}
    always = {q.code_insee for q in sub.requests} | set(sub.must_host)
    out: dict[str, set[str]] = {}
    for r in sub.resources:
        mine = always | used | {s.host for s in (*sub.locked, *sub.previous) if s.resource == r.id}
        ranked = sorted(
            (h for (h, rid) in full.site_reduced if rid == r.id and h in codes and h not in mine),
            key=lambda h: (-full.site_reduced[(h, r.id)], -full.site_series.get((h, r.id), 0.0), h),
        )
        out[r.id] = (mine | set(ranked[: max(0, least - len(mine & codes))])) & codes
    return out


def solve(
    problem: PlanningProblem,
    params: SolveParams = DEFAULT_PARAMS,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
    *,
    solver_options: Mapping[str, object] | None = None,
) -> Plan:
    """The optimised season plan (``kind="optimised"``).

    Parameters
    ----------
    problem
        What to plan.
    params
        Time limit, gap target, workers, seed.
    on_progress
        Called from solver threads with (elapsed, best objective, bound); never touches a UI.
    stop
        Setting it stops the search; the best plan so far is returned with status ``STOPPED``.
    solver_options
        Further CP-SAT parameters by name (tuning, tests), passed to
        :func:`planner.optimise.cpsat.solve_model`.

    Notes
    -----
    When the search is restricted (territory split into groups, hosts limited), bounds of the
    whole problem (the LP, :func:`planner.optimise.bound.full_bound`, at most ``BOUND_SHARE`` of the
    time; the Lagrangian bound at its prices, at most ``PRICED_SHARE``; the day-pattern master of the
    whole problem when it should converge within ``MASTER_SHARE``, or else in a thread beside the
    groups' search when a second worker is allowed and it should converge within
    ``BACKGROUND_SHARE`` of the search (the days' searches then use one); the day-pattern programme of
    an undivided territory) give ``metrics.bound`` and ``gap``, the groups' bounds go to
    ``metrics.restricted_bound``, and the LP's prices and the groups' programmes choose each
    resource's hosts (:func:`priced_hosts`). Each group's days are searched whole first (module
    docstring). « OPTIMAL » needs every group proven and a gap of at most ``OPTIMAL_GAP`` against the
    bound of the whole problem.

    When CP-SAT finds no solution in a group in its share of the time (a busy machine, or
    ``solver_options`` cutting the search), the greedy plan of that group stands in; once the
    other groups are done, the group is searched again from that greedy plan with the time they
    left. A group still without a solution keeps the greedy plan: the plan is then ``FEASIBLE``,
    ``metrics.greedy_parts`` counts such groups and the status words say it.

    Raises
    ------
    InfeasibleError
        When the locked sessions cannot be kept under the rules (French explanation).
    """
    from planner.optimise import stability

    t0 = _time.monotonic()
    progress = _Progress(on_progress, t0)
    subs = decompose(problem)
    g = group_size(problem)
    restricted = len(subs) > 1 or any(len(sub.territory.communes) > MAX_HOSTS for sub in subs)
    full: FullBound | None = None
    whole: Candidates | None = None
    background: Future[PatternBound] | None = None  # the whole problem's master, while groups search
    # wall-clock: the plan's assembly (routes, reasons, checks) comes out of the same time limit
    search_s = params.time_limit_s * (1.0 - FINISH_SHARE if len(subs) > 1 else 1.0)
    if restricted:  # the solver's own proof will speak of a restriction: bound the problem asked
        whole = build_candidates(problem, with_free=False, group=g)
        full = full_bound(problem, whole, time_limit_s=max(1.0, BOUND_SHARE * params.time_limit_s))
        if math.isfinite(full.value):
            progress.full = full.value
        log.info("LP bound of the whole problem: %s %.2f in %.1f s", full.status, full.value, full.seconds)
    priced = full is not None and full.status == "OPTIMAL"
    priced_bound = math.inf
    if priced and not problem.must_host and problem.rules.km_budget <= 0:
        # people priced by the LP, each resource alone in whole series: a tighter bound
        frames = day_frames(problem, whole)
        priced_bound, parts = lagrangian_bound(
            problem, whole, frames, full.prices, time_limit_s=PRICED_SHARE * params.time_limit_s
        )
        log.info("Lagrangian bound of the whole problem: %.2f (LP %.2f)", priced_bound, full.value)
        expected = MASTER_PER_LP_S * full.seconds  # the whole master's seconds, from its LP's
        master_of = partial(whole_day_bound, problem, whole, frames, full, parts, centre_bound=priced_bound)
        if len(subs) > 1 and expected <= MASTER_SHARE * params.time_limit_s:
            # the day-pattern master of the whole problem, when it should converge in its share:
            # the best bound of the family (4.1 % instead of 5.6 % on a Cher year, in ~1 s). An
            # undivided territory gets it from its one group's programme below.
            priced_bound = min(
                priced_bound, _logged(master_of(time_limit_s=MASTER_SHARE * params.time_limit_s))
            )
        elif len(subs) > 1 and expected <= BACKGROUND_SHARE * search_s and params.workers > 1:
            # too long to wait for (~50 s on the region): it runs while the groups search, on the
            # core CP-SAT's second worker would take (the days' searches then get one)
            trim_heap()  # what the LP freed in this thread's arena: the master's thread has its own
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whole-master")
            background = pool.submit(
                master_of,
                # a round started before its limit ends (its pricing is not cut): kept back
                time_limit_s=max(0.0, (1.0 - MASTER_ROUND_SHARE) * search_s - (_time.monotonic() - t0)),
                stop=stop,
            )
            pool.shutdown(wait=False)
        if math.isfinite(priced_bound):
            progress.full = min(full.value, priced_bound)
    prepared = []
    for sub in subs:
        if len(sub.territory.communes) <= MAX_HOSTS:
            prepared.append((sub, build_candidates(sub, group=g)))
        elif priced:
            prepared.append((sub, build_candidates(sub, group=g, hosts=priced_hosts(sub, full))))
        else:  # no LP prices (out of time): the largest reachable pools, as a last resort
            prepared.append((sub, build_candidates(sub, MAX_HOSTS, group=g)))
    require_windows(problem, _merge(prepared))
    require_feasible(problem)  # an empty plan is not « optimal »: say which setting to change
    terms = [stability.extend(sub, cands) for sub, cands in prepared]  # re-plans only
    # large problems: each group's days are also searched whole (pattern_search), when its time allows
    days: list[PatternBound | None] = [None] * len(prepared)
    # time by size: candidates, times the sessions of a day (a team's days are the hard ones)
    sizes = [max(1, len(c.free)) * max(c.slots.values(), default=1) for _, c in prepared]
    trivial = [trivial_bound(sub, c) for sub, c in prepared]
    parts: list[Chosen] = [[] for _ in prepared]
    statuses = [""] * len(prepared)
    objs = [0.0] * len(prepared)
    bounds = list(trivial)
    hints: list[Chosen | None] = [None] * len(prepared)
    hint_values = [-math.inf] * len(prepared)
    searched = [False] * len(prepared)  # the hint comes from the days' search, not the greedy plan
    # first pass in order; a group without a CP-SAT solution keeps its greedy plan for now and
    # gets a second chance with the time the others left (wall-clock: the pass reads the clock)
    for attempt in range(2):
        todo = [i for i in range(len(prepared)) if attempt == 0 or statuses[i] == "GREEDY"]
        for n, i in enumerate(todo):
            sub, cands = prepared[i]
            remaining = search_s - (_time.monotonic() - t0)
            share = remaining * sizes[i] / sum(sizes[j] for j in todo[n:])
            group_end = _time.monotonic() + share
            if attempt == 1 and share < 1.0:
                break
            if stop is not None and stop.is_set():
                if attempt == 0:
                    parts[i], statuses[i], objs[i] = (
                        fixed_allocation(sub, cands, dict(cands.people)),
                        "STOPPED",
                        0.0,
                    )
                continue
            if hints[i] is None:
                # days of two sessions are few and quick to search; three need time
                quick = max(cands.slots.values(), default=1) <= 2
                if restricted and terms[i] is None and (quick or DAY_SHARE * share >= MIN_DAY_S):
                    days[i], cands = _group_days(sub, cands, g, share)
                    prepared[i] = (sub, cands)
                hints[i] = (
                    greedy_choice(sub, cands) if terms[i] is None else stability.hint(sub, cands, terms[i])
                )
                hint_value = hint_values[i] = chosen_value(sub, hints[i], g)
                if days[i] is not None and days[i].rounds:
                    # the workers asked, one while the whole master runs beside: the second
                    # rarely adds (region, load ~3: 4,595.7 with two, 4,596.3 with one)
                    found = search_days(
                        sub,
                        cands,
                        days[i],
                        params if background is None else replace(params, workers=1),
                        time_limit_s=DAY_SHARE * share,
                        hint=hints[i],
                        stop=stop,
                    )
                    found_value = chosen_value(sub, found, g) if found else -math.inf
                    log.info(
                        "group %d: days' search %.2f, greedy %.2f, %.1f s given",
                        i + 1,
                        found_value,
                        hint_value,
                        DAY_SHARE * share,
                    )
                    if found_value >= hint_value - 1e-9:
                        hints[i], hint_values[i], searched[i] = found, found_value, True
                    share = max(0.1, group_end - _time.monotonic())  # what is left of the group's time
            value = hint_values[i]
            within = searched[i] and value >= (1.0 - params.gap) * days[i].value
            if attempt == 0 and searched[i] and (within or share < MIN_SERIES_S):
                # within the gap asked of the group's own programme (every host of the group, a
                # bound of the group): nothing left for CP-SAT's model of single series to find;
                # or too little time left for that model even to be built
                proven = value >= (1.0 - OPTIMAL_GAP) * days[i].value  # proven as CP-SAT would say it
                parts[i], statuses[i], objs[i] = hints[i], "OPTIMAL" if proven else "FEASIBLE", value
                bounds[i] = max(value, min(trivial[i], days[i].value))
                log.info(
                    "group %d/%d: best days %.2f, group bound %.2f", i + 1, len(prepared), value, bounds[i]
                )
                continue
            others = sum(objs[j] for j in range(len(prepared)) if j != i)
            choice: Choice | None = solve_model(
                sub,
                cands,
                params,
                time_limit_s=max(0.1, share),
                on_progress=progress,
                stop=stop,
                hint=hints[i],
                offset=(others, sum(bounds[j] for j in range(len(prepared)) if j != i)),
                solver_options={**SOLVER_DEFAULTS, **(solver_options or {})},
                stability=terms[i],
            )
            # CP-SAT may stop before it has even matched its starting plan: keep the better one
            start_value = hint_values[i] if terms[i] is None else -math.inf
            if choice is not None and choice.status != "UNKNOWN" and choice.objective < start_value - 1e-3:
                choice = Choice(hints[i], "FEASIBLE", start_value, max(choice.bound, start_value))
            if choice is None or choice.status == "UNKNOWN":
                # no solution from CP-SAT (stopped or out of time): the greedy plan (or the days'
                # plan) stands in
                stopped = stop is not None and stop.is_set()
                if attempt == 0:
                    parts[i], objs[i] = hints[i], hint_values[i]
                statuses[i] = "STOPPED" if stopped else ("FEASIBLE" if searched[i] else "GREEDY")
                b = trivial[i] if choice is None else min(trivial[i], choice.bound)
                bounds[i] = max(min(bounds[i], b), objs[i])
                kept = "the days'" if searched[i] else "the greedy"
                log.warning("group %d: no CP-SAT solution in %.1f s, %s plan kept", i + 1, share, kept)
            else:
                parts[i], statuses[i], objs[i] = choice.chosen, choice.status, choice.objective
                bounds[i] = choice.bound
            if days[i] is not None and days[i].rounds:  # the group's programme bounds it too
                bounds[i] = max(objs[i], min(bounds[i], days[i].value))
            log.info(
                "group %d/%d: %d communes, resources %s, %d candidates, %.1f s given: %s objective %.2f "
                "bound %.2f",
                i + 1,
                len(prepared),
                len(sub.territory.communes),
                ",".join(r.id for r in sub.resources),
                len(cands.free),
                share,
                statuses[i],
                objs[i],
                bounds[i],
            )
        if "GREEDY" not in statuses:
            break
    chosen = [item for part in parts for item in part]
    if "STOPPED" in statuses:
        status = "STOPPED"
    elif all(s == "OPTIMAL" for s in statuses):
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    if background is not None:  # its time limit is the search's: done, or nearly
        priced_bound = min(priced_bound, _logged(background.result()))
    merged = prepared[0][1] if len(prepared) == 1 else _merge(prepared)
    log.info("search done after %.1f s; assembling the plan", _time.monotonic() - t0)
    plan = build_plan(
        problem,
        merged,
        chosen,
        kind="optimised",
        status=status,
        bound=sum(bounds),
        solve_seconds=_time.monotonic() - t0,
    )
    m = plan.metrics
    if restricted:  # metrics.bound and gap speak of the problem asked, never of the restriction
        whole_bound = full.value if full is not None and math.isfinite(full.value) else math.inf
        whole_bound = min(whole_bound, priced_bound)
        if len(subs) == 1 and days[0] is not None and days[0].rounds:  # the group is the whole problem
            whole_bound = min(whole_bound, days[0].value)
        whole_bound = max(m.objective, min(whole_bound, trivial_bound(problem, whole)))
        m = replace(m, bound=whole_bound, gap=gap_of(m.objective, whole_bound), restricted_bound=m.bound)
    m = replace(m, greedy_parts=statuses.count("GREEDY"))
    if m.status == "OPTIMAL" and m.gap > OPTIMAL_GAP:
        m = replace(m, status="FEASIBLE")
    plan = replace(plan, metrics=m)
    post_check(plan, problem)
    return checked(carry_over(plan, problem), problem)


def _merge(prepared: list[tuple[PlanningProblem, Candidates]]) -> Candidates:
    """One :class:`Candidates` view over decomposed groups (for reasons and bounds)."""
    merged = Candidates([], [], {}, {}, {}, {})
    for _, c in prepared:
        merged.free.extend(c.free)
        merged.fixed.extend(c.fixed)
        merged.windows.update(c.windows)
        merged.slots.update(c.slots)
        merged.people.update(c.people)
        merged.catchment.update(c.catchment)
        merged.seats.update(c.seats)
        merged.compat.update(c.compat)
        merged.group = c.group
    return merged


def _heuristic(problem: PlanningProblem, kind: str) -> Plan:
    t0 = _time.monotonic()
    prepared = [
        (sub, build_candidates(sub, _max_hosts(sub), with_free=kind != "baseline"))
        for sub in decompose(problem)
    ]
    if kind != "baseline":
        require_windows(problem, _merge(prepared))
        require_feasible(problem)
    choose = baseline_choice if kind == "baseline" else greedy_choice
    chosen = [item for sub, c in prepared for item in choose(sub, c)]
    cands = prepared[0][1] if len(prepared) == 1 else _merge(prepared)
    length = 1 if kind == "baseline" else None
    plan = build_plan(
        problem,
        cands,
        chosen,
        kind=kind,
        status="HEURISTIC",
        bound=None,
        solve_seconds=_time.monotonic() - t0,
        series_length=length,
    )
    if length is None:
        post_check(plan, problem)
        return checked(plan, problem)
    post_check_baseline(plan, problem)
    return plan


def solve_baseline(problem: PlanningProblem) -> Plan:
    """The saupoudrage plan on the same resource days (``kind="baseline"``), see :mod:`planner.optimise.baseline`."""
    return _heuristic(problem, "baseline")


def solve_greedy(problem: PlanningProblem) -> Plan:
    """The greedy series plan, largest unmet need first (``kind="greedy"``), see :mod:`planner.optimise.greedy`."""
    return _heuristic(problem, "greedy")


def season_weeks(problem: PlanningProblem) -> int:
    """Number of weeks of the season (for benchmark growth tables)."""
    return (problem.season.end - problem.season.start + timedelta(days=1)).days // 7


__all__ = ["InfeasibleError", "build_plan", "gap_of", "solve", "solve_baseline", "solve_greedy"]
