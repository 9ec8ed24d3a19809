"""A bound of the whole season problem: the linear relaxation of the CP-SAT model, aggregated.

The CP-SAT model (:mod:`planner.optimise.cpsat`) cannot be built for a region with every host
(746,340 candidate series and ~781 M drive-time literals), and the solver splits large
territories and limits each resource's hosts. Its own bound then speaks of that restricted
problem, not of the one the coordinator asked. :func:`full_bound` bounds the problem asked —
every host, no split — by a linear programme solved with GLOP, small enough for a region:

- ``z[h,r,d,s] ≥ 0``: series of resource ``r`` at host ``h`` on weekday ``d`` in slot ``s``,
  at most the windows of ``(r, d)`` open to ``h`` in that slot (request weekdays and blackout
  dates, power, slot that fits the day, locked sessions around — exactly the filters of
  :func:`planner.optimise.candidates.build_candidates`);
- ``Σ_h z[h,r,d,s] ≤ B[r,d]``: a slot of a window holds one series (``B`` = windows; for a
  re-plan, whose previous series may keep dates outside the windows, ``⌊open dates / K⌋``);
- ``n[h,r] = Σ z + locked series``; ``p[h,r,i] ∈ [0, pool_i]``, ``p[h,r,i] ≤ cap_i · n[h,r]``
  (``i ≠ h``), ``lo · n_free ≤ Σ_i p[h,r,i] ≤ seats_hr · n[h,r]``;
- the drive-time rule between two slots of a day, as far as the drive from and to the base
  decides it (:func:`_day_cuts`);
- ``Σ_{h,r} p[h,r,i] = Σ_k y[i,k]``, ``y[i,k] ≤ width_k`` (groups of diminishing returns);
- km budget, communes that must host, and the objective of
  :mod:`planner.optimise.objective` (level 1, exact coefficients).

*Why it is an upper bound.* Every plan the solver may return (of the full problem, hence of any
restriction of it) gives a feasible point of this programme with the same level-1 value: set
``z`` to its series counted by (host, resource, weekday, slot), ``p`` to its participants and
``y`` to the groups they fill. Every constraint above is one of the model's, summed or
loosened: the drive-time rule between the slots of one day is kept only as :func:`_day_cuts`
(each cut sums the model's pairwise exclusions over the windows), the window symmetry is
dropped, one-series-per-slot is summed over the hosts, integrality is relaxed, locked series
lose their lower threshold (an irregular locked series counts ``share · people``, which may be
below it) and their dates stay out of the slot count. Removing constraints can only raise a
maximum, so the programme's optimum is at least the value of every such plan. The objective
uses the exact weights (the CP-SAT model rounds values up and costs down in ``1/SCALE`` units,
which only concerns its own bound). Level 2 (kilometres as a tie-break) is not part of the
figure: the bound is in the objective's units (people), as ``metrics.objective``. A re-plan's
stability bonus is not counted either: ``metrics.objective`` does not count it.

GLOP solves the programme to a primal–dual optimum; the value reported is that optimum plus a
small tolerance (:data:`SAFETY`), so that floating-point error cannot make it too low.

*Pricing.* The programme's solution also says which hosts are worth a series:
:attr:`FullBound.site_value` holds, per (host, resource), the LP's series there and the best
reduced cost of its ``z`` — :func:`planner.optimise.solve.solve` offers CP-SAT those hosts.
"""

from __future__ import annotations

import math
import time as _time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ortools.linear_solver import pywraplp

from planner.optimise.candidates import (
    BREAK_MIN,
    Candidates,
    build_candidates,
    clear_of_locks,
    day_slots,
    host_allowed,
    host_cap,
    locked_days,
    slot_fits,
    slot_start,
    weekday_dates,
    window_allowed,
)
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights
from planner.problem import PlanningProblem

#: Relative slack added to GLOP's optimum (its tolerances are ~1e-7): the bound never falls short.
SAFETY = 1e-6
#: GLOP parameters (text format of operations_research.glop.GlopParameters).
GLOP_PARAMS = ""


@dataclass
class FullBound:
    """The LP bound of the whole problem and what it says about hosts.

    Attributes
    ----------
    value
        Upper bound of level 1 of the objective over every plan of the problem (``inf`` when
        GLOP did not finish).
    status
        ``"OPTIMAL"`` when GLOP proved the LP optimum, else its status name.
    seconds
        Wall time to build and solve.
    variables, constraints
        Size of the programme.
    site_series
        ``(host, resource id) -> series`` in the LP optimum (fractional).
    site_reduced
        ``(host, resource id) -> best reduced cost of a series there`` (≤ 0 at the optimum when
        the LP holds none; close to 0: as good as what it holds).
    """

    value: float
    status: str
    seconds: float
    variables: int = 0
    constraints: int = 0
    site_series: dict[tuple[str, str], float] = field(default_factory=dict)
    site_reduced: dict[tuple[str, str], float] = field(default_factory=dict)
    prices: dict[str, float] = field(default_factory=dict)


def _free_blocks(problem: PlanningProblem, cands: Candidates) -> dict[tuple[str, int], int]:
    """Series a slot of ``(resource, weekday)`` can hold in the season (see the module docstring)."""
    k = problem.rules.sessions_per_series
    out = {}
    for (rid, wd), windows in cands.windows.items():
        count = len(windows)
        if problem.previous:  # previous series may keep dates outside the windows
            count = max(count, len(weekday_dates(problem.season, wd)) // k)
        out[(rid, wd)] = count
    return out


def _host_blocks(
    problem: PlanningProblem, cands: Candidates, busy, rid: str, host: str, wd: int, slot: int
) -> int:
    """Series of ``rid`` at ``host`` on weekday ``wd`` in ``slot`` the calendar allows."""
    r = next(x for x in problem.resources if x.id == rid)
    windows = cands.windows[(rid, wd)]
    q = problem.request_for(host)
    has_busy = any(key[0] == rid for key in busy)
    k = problem.rules.sessions_per_series
    if problem.previous:
        dates = [d for d in weekday_dates(problem.season, wd) if window_allowed(problem, host, [d])]
        return max(len(dates) // k, sum(1 for w in windows if window_allowed(problem, host, w)))
    if (q is None or not q.blackout_dates) and not has_busy:
        return len(windows)
    st = slot_start(r, slot, host, problem.matrix)
    return sum(
        1
        for w in windows
        if window_allowed(problem, host, w) and clear_of_locks(r, slot, host, st, w, busy, problem.matrix)
    )


def _day_cuts(problem: PlanningProblem, solver, lanes, blocks) -> None:
    """Two slots of one day: a late-ending first session and an early-starting second one exclude
    each other (the drive between them is at least 0 minutes).

    For slots ``s < t`` and a time ``τ``: hosts whose session in ``s`` ends after ``τ − BREAK_MIN``
    and hosts whose session in ``t`` starts by ``τ`` are pairwise incompatible on a day, so the
    series of both sets together are at most one per day, ``B`` over the windows. This keeps most
    of the drive-time rule (a far host in the morning and a far host in the afternoon) without a
    literal per pair of hosts.
    """
    inf = solver.infinity()
    res = {r.id: r for r in problem.resources}
    for (rid, wd, s), first in lanes.items():
        r = res[rid]
        ends = [(slot_start(r, s, h, problem.matrix) + r.session_minutes + BREAK_MIN, z) for h, z in first]
        for t in range(s + 1, day_slots(r)):
            second = [(slot_start(r, t, h, problem.matrix), z) for h, z in lanes.get((rid, wd, t), [])]
            for tau in sorted({a for a, _ in second}):
                late = [z for e, z in ends if e > tau]
                early = [z for a, z in second if a <= tau]
                if not late or not early:
                    continue
                row = solver.Constraint(-inf, float(blocks[(rid, wd)]))
                for z in late + early:
                    row.SetCoefficient(z, 1.0)


class RowBuilder(Protocol):
    """What :func:`people_rows` writes a linear programme through: a pywraplp solver
    (:class:`SolverRows`) or arrays (:class:`planner.optimise.whole_bound.WholeMaster`'s)."""

    def var(self, lb: float, ub: float, obj: float = 0.0) -> Any: ...

    def row(self, lo: float, hi: float) -> Any: ...

    def put(self, row: Any, col: Any, val: float) -> None: ...


class SolverRows:
    """:class:`RowBuilder` over a pywraplp solver (the objective's sense is the caller's)."""

    def __init__(self, solver: pywraplp.Solver) -> None:
        self.solver = solver
        self.objective = solver.Objective()

    def var(self, lb: float, ub: float, obj: float = 0.0) -> pywraplp.Variable:
        v = self.solver.NumVar(lb, ub, "")
        if obj:
            self.objective.SetCoefficient(v, obj)
        return v

    def row(self, lo: float, hi: float) -> pywraplp.Constraint:
        return self.solver.Constraint(lo, hi)

    def put(self, row: pywraplp.Constraint, col: pywraplp.Variable, val: float) -> None:
        row.SetCoefficient(col, val)


def people_rows(
    rows: RowBuilder,
    problem: PlanningProblem,
    cands: Candidates,
    n_of_site: Mapping[tuple[str, str], Any],
    fixed_count: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    """The people every site counts, in a programme where ``n_of_site[(host, resource)]`` is its
    series (locked ones included): ``p[h,r,i] ∈ [0, pool_i]``, ``p ≤ cap_i · n`` (``i ≠ h``),
    ``threshold · (n − locked) ≤ Σ_i p ≤ seats · n``, ``Σ_{h,r} p[h,r,i] = Σ_k y[i,k]`` with the groups of
    diminishing returns, and their values and attendance penalties in the objective (maximised).

    Returns each commune's need row: its dual is the price of one of its people.
    """
    inf = math.inf
    lo = problem.rules.min_participants
    repeat = problem.rules.repeat_value
    res = {r.id: r for r in problem.resources}
    weights = person_weights(problem, cands.group)
    taken: dict[str, list] = defaultdict(list)
    for (h, rid), n in n_of_site.items():
        r = res[rid]
        caps = cands.caps(problem, rid, h)
        pools = cands.pools(problem, rid, h)
        upper = rows.row(-inf, 0.0)  # Σp − seats·n ≤ 0
        lower = rows.row(-lo * fixed_count.get((h, rid), 0), inf)  # locked: no threshold
        rows.put(upper, n, -float(host_cap(problem, h, r.seats)))
        rows.put(lower, n, -float(lo))
        for i in cands.catchment[h]:
            if cands.people.get(i, 0) <= 0 or caps.get(i, 0) <= 0:
                continue
            pen = weights[i] * attendance_penalty(problem, i, h, r)
            p = rows.var(0.0, float(pools[i]), -pen if pen > 0 else 0.0)
            rows.put(upper, p, 1.0)
            rows.put(lower, p, 1.0)
            if i != h:
                row = rows.row(-inf, 0.0)  # p ≤ cap·n
                rows.put(row, p, 1.0)
                rows.put(row, n, -float(caps[i]))
            taken[i].append(p)
    g = cands.group
    need_row = {}
    for i, ps in taken.items():
        u = cands.people[i]
        k_groups = min(MAX_GROUPS, -(-u // g))
        need_row[i] = row = rows.row(0.0, 0.0)
        for p in ps:
            rows.put(row, p, 1.0)
        for k in range(k_groups):
            width = u - k * g if k == k_groups - 1 else g
            y = rows.var(0.0, float(width), weights[i] * repeat**k)
            rows.put(row, y, -1.0)
    return need_row


def full_bound(
    problem: PlanningProblem, cands: Candidates | None = None, *, time_limit_s: float = 60.0
) -> FullBound:
    """Solve the LP relaxation of the whole problem (module docstring) and return its bound.

    Parameters
    ----------
    problem
        The problem asked: every host, no split.
    cands
        Windows, catchments and locked series of ``problem``
        (:func:`planner.optimise.candidates.build_candidates` with ``with_free=False``); built
        when not given. Must not be a host-limited set.
    time_limit_s
        GLOP's time limit; an unfinished LP gives ``value = inf`` (no bound).
    """
    t0 = _time.monotonic()
    if cands is None:
        cands = build_candidates(problem, with_free=False)
    rules = problem.rules
    lo = rules.min_participants
    busy = locked_days(cands.fixed)
    blocks = _free_blocks(problem, cands)
    k_sessions = rules.sessions_per_series
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    objective = solver.Objective()
    objective.SetMaximization()

    fixed_count: dict[tuple[str, str], int] = defaultdict(int)
    for c in cands.fixed:
        fixed_count[(c.host, c.resource)] += 1
    # z variables, by site and by lane
    z_of_site: dict[tuple[str, str], list] = defaultdict(list)
    lanes: dict[tuple[str, int, int], list] = defaultdict(list)
    for r in problem.resources:
        slots = range(day_slots(r))
        for h in problem.territory.codes:
            if cands.reachable(problem, r.id, h) < lo or host_cap(problem, h, r.seats) < lo:
                continue
            fits = [s for s in slots if slot_fits(r, s, h, problem.matrix)]
            if not fits:
                continue
            km = k_sessions * 2 * problem.matrix.km(r.base, h)
            for wd in r.weekdays:
                if not blocks.get((r.id, wd)) or not host_allowed(problem, r, h, wd):
                    continue
                for s in fits:
                    ub = _host_blocks(problem, cands, busy, r.id, h, wd, s)
                    if ub <= 0:
                        continue
                    z = solver.NumVar(0.0, float(ub), "")
                    if rules.travel_weight:
                        objective.SetCoefficient(z, -rules.travel_weight * km)
                    z_of_site[(h, r.id)].append((z, km))
                    lanes[(r.id, wd, s)].append((h, z))
    for (rid, wd, _s), zs in lanes.items():
        row = solver.Constraint(-inf, float(blocks[(rid, wd)]))
        for _, z in zs:
            row.SetCoefficient(z, 1.0)
    _day_cuts(problem, solver, lanes, blocks)
    # series by site, n[h,r] − Σz = locked series; then the people they count
    n_of_site = {}
    for site in sorted(set(z_of_site) | set(fixed_count)):
        n_of_site[site] = n = solver.NumVar(0.0, inf, "")
        row = solver.Constraint(float(fixed_count.get(site, 0)), float(fixed_count.get(site, 0)))
        row.SetCoefficient(n, 1.0)
        for z, _ in z_of_site.get(site, []):
            row.SetCoefficient(z, -1.0)
    need_row = people_rows(SolverRows(solver), problem, cands, n_of_site, fixed_count)
    const = -rules.travel_weight * sum(c.km for c in cands.fixed)
    if rules.km_budget > 0:
        row = solver.Constraint(-inf, rules.km_budget - sum(c.km for c in cands.fixed))
        for zs in z_of_site.values():
            for z, km in zs:
                row.SetCoefficient(z, km)
    for h in problem.must_host:
        row = solver.Constraint(1.0 - sum(n for (hh, _), n in fixed_count.items() if hh == h), inf)
        for (hh, _rid), zs in z_of_site.items():
            if hh == h:
                for z, _ in zs:
                    row.SetCoefficient(z, 1.0)
    solver.SetTimeLimit(max(1, int(1000 * time_limit_s)))
    if GLOP_PARAMS:
        solver.SetSolverSpecificParametersAsString(GLOP_PARAMS)
    code = solver.Solve()
    seconds = _time.monotonic() - t0
    size = {"variables": solver.NumVariables(), "constraints": solver.NumConstraints()}
    if code == pywraplp.Solver.INFEASIBLE:
        return FullBound(-math.inf, "INFEASIBLE", seconds, **size)
    if code != pywraplp.Solver.OPTIMAL:
        return FullBound(math.inf, {1: "FEASIBLE", 5: "NOT_SOLVED"}.get(code, str(code)), seconds, **size)
    value = objective.Value() + const
    value += SAFETY * max(1.0, abs(value))
    site_series = {s: sum(z.solution_value() for z, _ in zs) for s, zs in z_of_site.items()}
    site_reduced = {s: max(z.reduced_cost() for z, _ in zs) for s, zs in z_of_site.items()}
    prices = {i: -row.dual_value() for i, row in need_row.items()}
    return FullBound(
        value,
        "OPTIMAL",
        seconds,
        site_series=site_series,
        site_reduced=site_reduced,
        prices=prices,
        **size,
    )
