"""Day patterns: the season problem seen one resource day at a time, and its column-generation bound.

A resource's working day holds up to ``day_slots(r)`` sessions, at hosts it can drive between
(:func:`planner.optimise.candidates.slots_compatible`). A *day pattern* is such a day: a host (or
nothing) per slot, every pair of sessions compatible. The windows of a weekday (K dates each) are
interchangeable as far as the objective goes, so a plan is, per (resource, weekday), a multiset of
day patterns, one per window — every series of the pattern held on the window's K dates.

The *master* linear programme (:class:`PatternMaster`) chooses ``w[P] ≥ 0`` windows of each
pattern ``P`` (``Σ_P w ≤ B[r,d]``, the windows of the weekday), which makes ``n[h,r]``, the series
of ``r`` at ``h``; the people ``p[h,r,i]`` and the groups of diminishing returns ``y[i,k]`` are
those of :mod:`planner.optimise.bound` (same rows, same objective). Unlike that programme, whose
slots are filled independently (the drive between two hosts of one day only enters through a few
cuts), a column here *is* a drivable day: the relaxation is the convex hull of the days (a
Dantzig–Wolfe reformulation), much tighter for teams holding three sessions a day.

There are too many patterns to list (hundreds of hosts per slot, three slots). *Column
generation*: start from the single-session days, solve, and ask each (resource, weekday) for the
pattern of largest reduced cost — a best path through the slots, exact (:func:`best_patterns`);
add those with a positive one and solve again, until none is left. At any round,

    ``LP value + Σ_{r,d} B[r,d] · max(0, best reduced cost of (r, d))``

is an upper bound of the whole problem (the usual Lagrangian bound of column generation: lift the
dual of each day row by its best reduced cost and the duals become feasible for every pattern);
at the last round it equals the LP value.

*Why every plan is a point of the master.* Count, for each (resource, weekday), the windows by the
pattern of hosts they hold (slot by slot): ``w``; the series then count ``n``, the participants
``p`` and the groups ``y`` as in the plan. Every row is one of the CP-SAT model's, summed over
windows or loosened (:mod:`planner.optimise.bound` lists them); the drive-time rule holds because a
plan's day is a pattern, and it never holds a host more often than the series that host can ever
hold (:func:`most_series`: each needs the threshold in people), so pricing skips such days. Locked
series keep their own dates: they count in ``n`` as fixed series and
their days are left to the free rows of :mod:`planner.optimise.bound` (``B`` is not reduced: a
looser row, still an upper bound).
"""

from __future__ import annotations

import math
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    model_update_pb2,
    parameters_pb2,
    result_pb2,
    solution_pb2,
)
from ortools.math_opt.core.python import solver as _mathopt_core

from planner.model import Resource
from planner.optimise.bound import SAFETY, _free_blocks, _host_blocks, people_rows
from planner.optimise.candidates import (
    BREAK_MIN,
    Candidates,
    build_candidates,
    day_slots,
    host_allowed,
    host_cap,
    locked_days,
    slot_fits,
    slot_start,
)
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights
from planner.problem import PlanningProblem

#: Reduced costs below this are taken as zero (GLOP's tolerances are ~1e-7 on values of ~1).
RC_EPS = 1e-6


Pattern = tuple[int, ...]  # host index (in its frame's slot list) per slot, -1 for a free slot


@dataclass
class DayFrame:
    """What one (resource, weekday) can hold: hosts per slot and which pairs share a day."""

    resource: Resource
    weekday: int
    blocks: int
    hosts: list[list[str]]  # per slot, the hosts that fit it
    km: list[np.ndarray]  # per slot, the season km of a series there (K return trips)
    limit: dict[tuple[int, str], int]  # (slot, host) -> windows open to it, when fewer than blocks
    compat: dict[tuple[int, int], np.ndarray]  # (s, t) with s < t -> bool [hosts s × hosts t]
    most: dict[str, int] = field(default_factory=dict)  # host -> most series it can ever hold

    def __post_init__(self) -> None:
        self.index = [{h: j for j, h in enumerate(hs)} for hs in self.hosts]

    @property
    def key(self) -> tuple[str, int]:
        return (self.resource.id, self.weekday)


def single_sessions(frame: DayFrame) -> list[Pattern]:
    """The days of ``frame`` holding one session: the columns every master starts from."""
    m = len(frame.hosts)
    return [
        tuple(j if t == s else -1 for t in range(m))
        for s, hs in enumerate(frame.hosts)
        for j in range(len(hs))
    ]


@dataclass(frozen=True)
class DayColumn:
    """What one day pattern puts in a programme: series per host, season km (return trips), and
    the slots whose windows are limited for their host (``frame.limit``)."""

    count: dict[str, int]
    km: float
    limited: tuple[tuple[int, str], ...]


def day_column(frame: DayFrame, pattern: Pattern) -> DayColumn:
    """The column of ``pattern`` in ``frame`` (every master and the days' model read it here)."""
    count: dict[str, int] = defaultdict(int)
    km = 0.0
    limited = []
    for s, j in enumerate(pattern):
        if j < 0:
            continue
        h = frame.hosts[s][j]
        count[h] += 1
        km += float(frame.km[s][j])
        if (s, h) in frame.limit:
            limited.append((s, h))
    return DayColumn(dict(count), km, tuple(limited))


def _starts(problem: PlanningProblem, r: Resource, slot: int, hosts: list[str]) -> np.ndarray:
    return np.array([slot_start(r, slot, h, problem.matrix) for h in hosts], dtype=np.int64)


def _drive(problem: PlanningProblem, a: list[str], b: list[str]) -> np.ndarray:
    """Whole drive minutes (rounded up, as :func:`drive_min`) from each of ``a`` to each of ``b``."""
    m = problem.matrix
    ia = np.array([m.index(h) for h in a], dtype=np.int64)
    ib = np.array([m.index(h) for h in b], dtype=np.int64)
    minutes = np.ceil(m.drive_min[np.ix_(ia, ib)] - 1e-9).astype(np.int64)
    minutes[ia[:, None] == ib[None, :]] = 0
    return minutes


def day_frames(problem: PlanningProblem, cands: Candidates) -> list[DayFrame]:
    """Every (resource, weekday) with its hosts per slot (the filters of
    :func:`planner.optimise.candidates.build_candidates`) and the compatibility of their slots."""
    rules = problem.rules
    lo = rules.min_participants
    busy = locked_days(cands.fixed)
    blocks = _free_blocks(problem, cands)
    k = rules.sessions_per_series
    frames = []
    for r in problem.resources:
        m = day_slots(r)
        usable = [
            h
            for h in problem.territory.codes
            if cands.reachable(problem, r.id, h) >= lo and host_cap(problem, h, r.seats) >= lo
        ]
        fits = {h: [s for s in range(m) if slot_fits(r, s, h, problem.matrix)] for h in usable}
        most_of: dict[str, int] = {}
        for wd in r.weekdays:
            b = blocks.get((r.id, wd), 0)
            if not b:
                continue
            per_slot: list[list[str]] = [[] for _ in range(m)]
            limit = {}
            for h in usable:
                if not host_allowed(problem, r, h, wd):
                    continue
                for s in fits[h]:
                    ub = _host_blocks(problem, cands, busy, r.id, h, wd, s)
                    if ub <= 0:
                        continue
                    per_slot[s].append(h)
                    if ub < b:
                        limit[(s, h)] = ub
            if not any(per_slot):
                continue
            km = [np.array([k * 2 * problem.matrix.km(r.base, h) for h in hs]) for hs in per_slot]
            starts = [_starts(problem, r, s, hs) for s, hs in enumerate(per_slot)]
            compat = {}
            for s in range(m):
                for t in range(s + 1, m):
                    if not per_slot[s] or not per_slot[t]:
                        continue
                    ends = starts[s] + r.session_minutes + BREAK_MIN
                    drive = _drive(problem, per_slot[s], per_slot[t])
                    compat[(s, t)] = ends[:, None] + drive <= starts[t][None, :]
            lanes = b * m * len(r.weekdays)
            for h in {h for hs in per_slot for h in hs} - set(most_of):
                most_of[h] = most_series(problem, cands, r, h, lanes)
            most = {h: most_of[h] for hs in per_slot for h in hs}
            frames.append(DayFrame(r, wd, b, per_slot, km, limit, compat, most))
    return frames


def most_series(problem: PlanningProblem, cands: Candidates, r: Resource, host: str, upto: int) -> int:
    """Most series of ``r`` ``host`` can ever hold (at most ``upto``): ``n`` series need
    ``n · threshold`` people, of whom a neighbour gives at most ``min(pool, cap · n)``."""
    caps = cands.caps(problem, r.id, host)
    pools = cands.pools(problem, r.id, host)
    lo = problem.rules.min_participants
    own = pools.get(host, 0) if caps.get(host, 0) > 0 else 0
    cap = np.array([caps[i] for i in pools if i != host and caps.get(i, 0) > 0], dtype=np.int64)
    pool = np.array([pools[i] for i in pools if i != host and caps.get(i, 0) > 0], dtype=np.int64)
    n = np.arange(1, upto + 1)
    reach = own + np.minimum(pool[None, :], cap[None, :] * n[:, None]).sum(axis=1)
    ok = np.flatnonzero(reach >= lo * n)
    return int(n[ok[-1]]) if len(ok) else 0


def best_patterns(frame: DayFrame, gains: list[np.ndarray], *, extra: int = 0) -> list[tuple[float, Pattern]]:
    """The day pattern of ``frame`` with the largest total gain (exact), and up to ``extra`` more.

    ``gains[s][j]`` is what a series at host ``j`` of slot ``s`` adds; a free slot adds 0. The
    search runs slot by slot over the hosts of positive gain still compatible with every host
    chosen, pruned by the best gain left in the later slots (branch and bound on a few hundred
    hosts). The ``extra`` patterns are the best ones through each of the highest-gain hosts, so
    that a round of column generation adds more than one column per day.
    """
    m = len(gains)
    order = [np.flatnonzero(g > RC_EPS) for g in gains]
    order = [idx[np.argsort(-gains[s][idx], kind="stable")] for s, idx in enumerate(order)]

    def search(fixed: dict[int, int]) -> tuple[float, Pattern]:
        best_value, best = 0.0, (-1,) * m
        masks = [np.ones(len(o), dtype=bool) for o in order]
        for s, j in fixed.items():
            host = frame.hosts[s][j]
            for t in range(m):
                if t == s or not len(order[t]):
                    continue
                masks[t] &= _compat_row(frame, s, j, t, order[t])
                k = frame.index[t].get(host)
                if k is not None and frame.most.get(host, m) <= 1:
                    masks[t] &= order[t] != k
        chosen = [-1] * m
        for s, j in fixed.items():
            chosen[s] = j

        def rest_bound(s: int, masks: list[np.ndarray]) -> float:
            total = 0.0
            for t in range(s, m):
                if chosen[t] >= 0:
                    if t in fixed:
                        total += gains[t][chosen[t]]
                    continue
                if not len(order[t]):
                    continue
                live = order[t][masks[t]]
                if len(live):
                    total += gains[t][live[0]]
            return total

        def go(s: int, value: float, masks: list[np.ndarray]) -> None:
            nonlocal best_value, best
            if s == m:
                if value > best_value + 1e-12:
                    best_value, best = value, tuple(chosen)
                return
            if value + rest_bound(s, masks) <= best_value + 1e-12:
                return
            if chosen[s] >= 0:
                go(s + 1, value + gains[s][chosen[s]], masks)
                return
            for j in order[s][masks[s]]:
                if value + gains[s][j] + rest_bound(s + 1, masks) <= best_value + 1e-12:
                    break  # hosts in decreasing gain: the next ones do no better
                chosen[s] = j
                new = list(masks)
                host = frame.hosts[s][j]
                full = sum(
                    frame.hosts[t][chosen[t]] == host
                    for t in range(m)
                    if chosen[t] >= 0 and (t <= s or t in fixed)
                )
                for t in range(s + 1, m):
                    if chosen[t] < 0 and len(order[t]):
                        new[t] = masks[t] & _compat_row(frame, s, j, t, order[t])
                        k = frame.index[t].get(host)
                        if k is not None and full >= frame.most.get(host, m):
                            new[t] = new[t] & (order[t] != k)
                go(s + 1, value + gains[s][j], new)
                chosen[s] = -1
            go(s + 1, value, masks)  # the slot left free

        go(0, sum(gains[s][j] for s, j in fixed.items()) * 0.0, masks)
        if fixed and best == (-1,) * m:
            return 0.0, best
        return best_value, best

    found = [search({})]
    if extra:
        heads = sorted(((gains[s][j], s, j) for s in range(m) for j in order[s][:extra]), reverse=True)[
            :extra
        ]
        seen = {found[0][1]}
        for _, s, j in heads:
            value, pat = search({s: int(j)})
            if pat not in seen and value > RC_EPS:
                seen.add(pat)
                found.append((value, pat))
    return found


def _compat_row(frame: DayFrame, s: int, j: int, t: int, others: np.ndarray) -> np.ndarray:
    """Whether host ``j`` in slot ``s`` and each host of ``others`` in slot ``t`` share a day."""
    if s < t:
        return frame.compat[(s, t)][j, others]
    return frame.compat[(t, s)][others, j]


@dataclass
class PatternBound:
    """The column-generation bound of the whole problem (module docstring).

    Attributes
    ----------
    value
        Upper bound of level 1 of the objective over every plan (``inf`` if none was proven).
    lp_value
        The master's LP value at the last round (equals ``value`` when generation finished).
    status
        ``"OPTIMAL"`` when no pattern with a positive reduced cost is left, ``"STOPPED"`` when
        time ran out first (``value`` is then the Lagrangian bound of the last round).
    rounds, columns, seconds
        Rounds of generation, patterns in the master, wall time.
    patterns
        ``(resource id, weekday) -> [(windows in the LP optimum, hosts per slot)]``: the days the
        LP uses.
    site_series
        ``(host, resource id) -> series`` in the LP optimum.
    """

    value: float
    lp_value: float
    status: str
    rounds: int
    columns: int
    seconds: float
    patterns: dict[tuple[str, int], list[tuple[float, tuple[str | None, ...]]]] = field(default_factory=dict)
    site_series: dict[tuple[str, str], float] = field(default_factory=dict)
    history: list[tuple[float, float, float]] = field(default_factory=list)  # (s, lp, bound)
    site_gain: dict = field(default_factory=dict)
    prices: dict = field(default_factory=dict)

    def ranked_hosts(self, rid: str, most: int) -> list[str]:
        """Hosts of resource ``rid``: those the LP holds series at (most first), then the others by
        what a series there would earn at the LP's prices, ``most`` in all (or every held one)."""
        held = sorted(
            (h for (h, r), v in self.site_series.items() if r == rid and v > 1e-6),
            key=lambda h: (-self.site_series[(h, rid)], h),
        )
        seen = set(held)
        rest = sorted(
            (h for (h, r) in self.site_gain if r == rid and h not in seen),
            key=lambda h: (-self.site_gain[(h, rid)], h),
        )
        return (held + rest)[: max(most, len(held))]

    frames: list = field(default_factory=list)


class PatternMaster:
    """The master LP over day patterns (module docstring), built once and grown by columns."""

    def __init__(self, problem: PlanningProblem, cands: Candidates, frames: list[DayFrame]) -> None:
        self.problem = problem
        self.cands = cands
        self.frames = frames
        rules = problem.rules
        self.solver = solver = pywraplp.Solver.CreateSolver("GLOP")
        inf = solver.infinity()
        self.objective = objective = solver.Objective()
        objective.SetMaximization()
        self.travel = rules.travel_weight
        fixed_count: dict[tuple[str, str], int] = defaultdict(int)
        for c in cands.fixed:
            fixed_count[(c.host, c.resource)] += 1
        self.day_row = {}
        self.limit_row = {}
        for f in frames:
            self.day_row[f.key] = solver.Constraint(-inf, float(f.blocks))
            for (s, h), ub in f.limit.items():
                self.limit_row[(f.key, s, h)] = solver.Constraint(-inf, float(ub))
        hosts_of = defaultdict(set)
        for f in frames:
            for hs in f.hosts:
                hosts_of[f.resource.id].update(hs)
        sites = sorted({(h, rid) for rid, hs in hosts_of.items() for h in hs} | set(fixed_count))
        # n[h,r] − Σ_P count_h(P)·w[P] = fixed series: the row a pattern enters through
        self.site_row = {}
        self.n = {}
        for site in sites:
            self.n[site] = n = solver.NumVar(0.0, inf, "")
            self.site_row[site] = row = solver.Constraint(
                float(fixed_count.get(site, 0)), float(fixed_count.get(site, 0))
            )
            row.SetCoefficient(n, 1.0)
        self.need_row = people_rows(solver, problem, cands, self.n, fixed_count)
        self.const = -rules.travel_weight * sum(c.km for c in cands.fixed)
        self.km_row = None
        if rules.km_budget > 0:
            self.km_row = solver.Constraint(-inf, rules.km_budget - sum(c.km for c in cands.fixed))
        for h in problem.must_host:
            row = solver.Constraint(1.0 - sum(c for (hh, _), c in fixed_count.items() if hh == h), inf)
            for (hh, _rid), n in self.n.items():
                if hh == h:
                    row.SetCoefficient(n, 1.0)
        self.columns: dict[tuple[tuple[str, int], Pattern], pywraplp.Variable] = {}

    def add(self, frame: DayFrame, pattern: Pattern) -> bool:
        """Add the column of ``pattern`` (no-op when present); True when added."""
        key = (frame.key, pattern)
        if key in self.columns:
            return False
        w = self.solver.NumVar(0.0, self.solver.infinity(), "")
        self.day_row[frame.key].SetCoefficient(w, 1.0)
        rid = frame.resource.id
        col = day_column(frame, pattern)
        km = col.km
        for s, h in col.limited:
            self.limit_row[(frame.key, s, h)].SetCoefficient(w, 1.0)
        for h, c in col.count.items():
            self.site_row[(h, rid)].SetCoefficient(w, -float(c))
        if self.travel:
            self.objective.SetCoefficient(w, -self.travel * km)
        if self.km_row is not None:
            self.km_row.SetCoefficient(w, km)
        self.columns[key] = w
        return True

    def gains(self, frame: DayFrame) -> list[np.ndarray]:
        """Per slot and host, the reduced gain of a series there at the current duals."""
        rid = frame.resource.id
        km_dual = self.km_row.dual_value() if self.km_row is not None else 0.0
        out = []
        for s, hs in enumerate(frame.hosts):
            site = np.array([self.site_row[(h, rid)].dual_value() for h in hs])
            g = site - (self.travel + km_dual) * frame.km[s]
            for j, h in enumerate(hs):
                row = self.limit_row.get((frame.key, s, h))
                if row is not None:
                    g[j] -= row.dual_value()
            out.append(g)
        return out

    def snapshot(self) -> dict[tuple[tuple[str, int], Pattern], float]:
        """Windows of every pattern in the current LP solution."""
        return {key: w.solution_value() for key, w in self.columns.items()}

    def solve(self, time_limit_s: float) -> int:
        self.solver.SetTimeLimit(max(1, int(1000 * time_limit_s)))
        return self.solver.Solve()


def pattern_bound(
    problem: PlanningProblem,
    cands: Candidates | None = None,
    *,
    time_limit_s: float = 60.0,
    extra: int = 8,
    log: Callable[[str], None] | None = None,
    group: int | None = None,
    frames: list[DayFrame] | None = None,
    start: Iterable[tuple[tuple[str, int], Pattern]] = (),
) -> PatternBound:
    """Column generation over day patterns (module docstring): a bound of the whole problem.

    Parameters
    ----------
    problem
        The problem asked: every host, no split.
    cands
        Windows, catchments and locked series (``build_candidates(..., with_free=False)``).
    time_limit_s
        Wall-clock limit; when it runs out the Lagrangian bound of the last round is returned.
    extra
        Further columns per (resource, weekday) and round (:func:`best_patterns`).
    group
        Group size of the objective (a decomposed part passes the whole problem's).
    frames
        ``day_frames(problem, cands)``, when the caller has them.
    start
        Further columns to start from (``(frame key, pattern)``), e.g. the days each resource's
        Lagrangian bound generated (:attr:`planner.optimise.lagrange.ResourceBound.days`).
    """
    t0 = _time.monotonic()
    if cands is None:
        cands = build_candidates(problem, with_free=False, group=group)
    if frames is None:
        frames = day_frames(problem, cands)
    master = PatternMaster(problem, cands, frames)
    for f in frames:
        for pat in single_sessions(f):
            master.add(f, pat)
    by_key = {f.key: f for f in frames}
    for key, pat in start:
        master.add(by_key[key], pat)
    best_bound = math.inf
    history = []
    rounds = 0
    status = "STOPPED"
    lp = -math.inf
    solution: dict = {}
    site_gain: dict = {}
    prices: dict = {}
    while True:
        left = time_limit_s - (_time.monotonic() - t0)
        if left <= 0:
            break
        code = master.solve(left)
        if code != pywraplp.Solver.OPTIMAL:
            break
        rounds += 1
        lp = master.objective.Value() + master.const
        lift = 0.0
        added = 0
        solution = master.snapshot()  # duals and values are lost once a column is added
        site_gain = {site: row.dual_value() for site, row in master.site_row.items()}
        prices = {i: -row.dual_value() for i, row in master.need_row.items()}
        offers = []
        for f in frames:
            found = best_patterns(f, master.gains(f), extra=extra)
            day = master.day_row[f.key].dual_value()
            lift += f.blocks * max(0.0, found[0][0] - day)
            offers += [(f, pat) for value, pat in found if value - day > RC_EPS]
        for f, pat in offers:
            added += master.add(f, pat)
        bound = lp + lift
        best_bound = min(best_bound, bound)
        history.append((_time.monotonic() - t0, lp, best_bound))
        if log is not None:
            log(
                f"round {rounds}: lp {lp:.3f} bound {best_bound:.3f} added {added} ({_time.monotonic() - t0:.1f} s)"
            )
        if not added:
            status = "OPTIMAL"
            best_bound = min(best_bound, lp)
            break
    value = best_bound + SAFETY * max(1.0, abs(best_bound)) if math.isfinite(best_bound) else math.inf
    patterns: dict = defaultdict(list)
    site_series: dict = defaultdict(float)
    if rounds:
        for (key, pat), v in solution.items():
            if v > 1e-7:
                f = next(fr for fr in frames if fr.key == key)
                hosts = tuple(f.hosts[s][j] if j >= 0 else None for s, j in enumerate(pat))
                patterns[key].append((v, hosts))
                for h in hosts:
                    if h is not None:
                        site_series[(h, key[0])] += v
    return PatternBound(
        value,
        lp,
        status,
        rounds,
        len(master.columns),
        _time.monotonic() - t0,
        dict(patterns),
        dict(site_series),
        history,
        frames=frames,
        site_gain=site_gain,
        prices=prices,
    )


# --- The master of the whole problem, fast enough for a region ---------------------------------
#
# ``PatternMaster`` above is built through pywraplp and re-solved from scratch each round: on the
# region (1,754 communes, 12 resources: 328,476 rows, 400,000 columns) ~7 s to build and ~6 s a
# round, since GLOP through MPSolver drops its basis whenever a column is added. ``WholeMaster``
# holds the same programme as arrays and hands it to GLOP through MathOpt's solver core with the
# last basis (~70 simplex iterations a round instead of ~17,000). Its duals are degenerate, so
# :func:`whole_day_bound` stabilises them (a box around the resources' Lagrangian duals) and takes
# as bound only values computed from the duals themselves (:meth:`WholeMaster.people_bound`,
# :meth:`WholeMaster.lagrangian`), valid at any duals. Region: converged in ~50 s (6 rounds).


_GLOP = parameters_pb2.SOLVER_TYPE_GLOP
_AT_LOWER = solution_pb2.BASIS_STATUS_AT_LOWER_BOUND


class _Arrays:
    """A linear programme under construction: columns, rows and coefficients as lists."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.obj: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []

    def var(self, lb: float, ub: float, obj: float = 0.0) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.obj.append(obj)
        return len(self.lb) - 1

    def row(self, lo: float, hi: float) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        return len(self.lo) - 1

    def put(self, row: int, col: int, val: float) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.vals.append(val)


class WholeMaster:
    """The master LP over day patterns of the whole problem (:class:`PatternMaster`'s rows,
    same objective), as arrays solved by GLOP from the previous basis.

    Rows: each (resource, weekday)'s windows, the windows open to a (slot, host), each site's
    series ``n − Σ count·w = locked``, the people rows of :func:`planner.optimise.bound.people_rows`
    (rebuilt here as arrays, row for row), the km budget and the communes that must host. ``n``
    gets the upper bound ``locked + Σ windows × slots`` open to the site (no plan holds more), so
    that every column is boxed: :meth:`lagrangian` is then finite at any duals.
    """

    def __init__(self, problem: PlanningProblem, cands: Candidates, frames: list[DayFrame]) -> None:
        self.problem = problem
        self.frames = frames
        rules = problem.rules
        inf = math.inf
        a = _Arrays()
        self.travel = rules.travel_weight
        fixed_count: dict[tuple[str, str], int] = defaultdict(int)
        for c in cands.fixed:
            fixed_count[(c.host, c.resource)] += 1
        self.day_row = {f.key: a.row(-inf, float(f.blocks)) for f in frames}
        self.limit_row = {
            (f.key, s, h): a.row(-inf, float(ub)) for f in frames for (s, h), ub in f.limit.items()
        }
        lanes: dict[tuple[str, str], int] = defaultdict(int)
        for f in frames:
            for hs in f.hosts:
                for h in hs:
                    lanes[(h, f.resource.id)] += f.blocks
        sites = sorted(set(lanes) | set(fixed_count))
        self.site_row = {}
        n_of = {}
        for site in sites:
            fixed = float(fixed_count.get(site, 0))
            n_of[site] = n = a.var(0.0, fixed + lanes.get(site, 0))
            self.site_row[site] = row = a.row(fixed, fixed)
            a.put(row, n, 1.0)
        self.need_row = _people_arrays(a, problem, cands, n_of, fixed_count)
        self.const = -rules.travel_weight * sum(c.km for c in cands.fixed)
        self.km_row = None
        if rules.km_budget > 0:
            self.km_row = a.row(-inf, rules.km_budget - sum(c.km for c in cands.fixed))
        for h in problem.must_host:
            row = a.row(1.0 - sum(c for (hh, _), c in fixed_count.items() if hh == h), inf)
            for (hh, _rid), n in n_of.items():
                if hh == h:
                    a.put(row, n, 1.0)
        self.boxed = len(a.lb)  # columns before the patterns: n, p, y
        self.lb = np.array(a.lb)
        self.ub = np.array(a.ub)
        self.obj = np.array(a.obj)
        self.lo = np.array(a.lo)
        self.hi = np.array(a.hi)
        self.rows = np.array(a.rows, dtype=np.int64)
        self.cols = np.array(a.cols, dtype=np.int64)
        self.vals = np.array(a.vals)
        # per frame and slot: the row of each host's site, of its window limit (-1: none)
        self._site_idx = []
        self._limit_idx = []
        for f in frames:
            rid = f.resource.id
            self._site_idx.append(
                [np.array([self.site_row[(h, rid)] for h in hs], dtype=np.int64) for hs in f.hosts]
            )
            self._limit_idx.append(
                [
                    np.array([self.limit_row.get((f.key, s, h), -1) for h in hs], dtype=np.int64)
                    for s, hs in enumerate(f.hosts)
                ]
            )
        # the rows days enter, moved into the objective by people_bound (not the day rows: each
        # frame's days are bounded apart)
        self._dualised = np.array(
            sorted(
                set(self.site_row.values())
                | set(self.limit_row.values())
                | ({self.km_row} if self.km_row is not None else set())
            ),
            dtype=np.int64,
        )
        self._n_rows = np.array(list(self.site_row.values()), dtype=np.int64)
        self._n_cols = np.array([n_of[site] for site in self.site_row], dtype=np.int64)
        self._people: list | None = None
        self._box: np.ndarray | None = None  # the columns that box the site duals (set_box)
        self._new_box: tuple | None = None
        self._box_update: np.ndarray | None = None
        self.columns: dict[tuple[tuple[str, int], Pattern], int] = {}
        self._pending: list[tuple[DayFrame, Pattern]] = []
        self._solver = None
        self._basis: solution_pb2.BasisProto | None = None
        self.duals = np.zeros(len(self.lo))
        self.values = np.zeros(0)
        self.lp = -math.inf

    def set_box(self, rows: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        """Keep the duals of ``rows`` within ``[low, high]`` (boxstep stabilisation).

        A column ``+e_r`` worth ``low`` and one ``−e_r`` worth ``−high`` per row: their reduced
        costs are ``low − y_r`` and ``y_r − high``, so an optimal basis has ``low ≤ y_r ≤ high``.
        They loosen the programme (its value is only the master's when they are all zero) and
        never enter a bound: :meth:`lagrangian` and :meth:`people_bound` only read the duals.
        """
        obj = np.concatenate([low, -high])
        if self._box is None:
            self._new_box = (rows, obj)
            return
        self.obj[self._box] = obj
        self._box_update = obj

    def box_used(self) -> float:
        """Total value of the boxing columns in the last solution (0: the master's own optimum)."""
        if self._box is None or not len(self.values):
            return 0.0
        return float(self.values[self._box].sum())

    def add(self, frame: DayFrame, pattern: Pattern) -> bool:
        """Queue the column of ``pattern`` for the next solve (no-op when present)."""
        key = (frame.key, pattern)
        if key in self.columns:
            return False
        self.columns[key] = -1  # its index once flushed
        self._pending.append((frame, pattern))
        return True

    def _append(self, lb, ub, obj, rows, cols, vals) -> model_update_pb2.ModelUpdateProto:
        """Append columns (ids from ``len(self.lb)`` on) to the arrays; their update."""
        first, count = len(self.lb), len(lb)
        self.lb = np.concatenate([self.lb, lb])
        self.ub = np.concatenate([self.ub, ub])
        self.obj = np.concatenate([self.obj, obj])
        self.rows = np.concatenate([self.rows, rows])
        self.cols = np.concatenate([self.cols, cols])
        self.vals = np.concatenate([self.vals, vals])
        if self._basis is not None:
            self._basis.variable_status.ids.extend(range(first, first + count))
            self._basis.variable_status.values.extend([_AT_LOWER] * count)
        update = model_update_pb2.ModelUpdateProto()
        _fill_variables(update.new_variables, first, lb, ub)
        ids = np.arange(first, first + count)
        keep = obj != 0.0
        update.objective_updates.linear_coefficients.ids.extend(ids[keep].tolist())
        update.objective_updates.linear_coefficients.values.extend(obj[keep].tolist())
        _fill_matrix(update.linear_constraint_matrix_updates, rows, cols, vals)
        return update

    def _flush(self) -> list[model_update_pb2.ModelUpdateProto]:
        """Append the box and the queued columns to the arrays; their updates for the solver."""
        updates = []
        if self._new_box is not None:
            rows_b, obj_b = self._new_box
            self._new_box = None
            k = len(rows_b)
            first = len(self.lb)
            self._box = np.arange(first, first + 2 * k)
            updates.append(
                self._append(
                    np.zeros(2 * k),
                    np.full(2 * k, math.inf),
                    obj_b,
                    np.concatenate([rows_b, rows_b]),
                    self._box,
                    np.concatenate([np.ones(k), -np.ones(k)]),
                )
            )
        elif self._box_update is not None:
            update = model_update_pb2.ModelUpdateProto()
            update.objective_updates.linear_coefficients.ids.extend(self._box.tolist())
            update.objective_updates.linear_coefficients.values.extend(self._box_update.tolist())
            updates.append(update)
        self._box_update = None
        if not self._pending:
            return updates
        first = len(self.lb)
        rows, cols, vals, obj = [], [], [], []
        for c, (f, pat) in enumerate(self._pending, start=first):
            self.columns[(f.key, pat)] = c
            col = day_column(f, pat)
            entries = [(self.day_row[f.key], 1.0)]
            entries += [(self.limit_row[(f.key, s, h)], 1.0) for s, h in col.limited]
            entries += [(self.site_row[(h, f.resource.id)], -float(k)) for h, k in col.count.items()]
            if self.km_row is not None:
                entries.append((self.km_row, col.km))
            for row, val in entries:
                rows.append(row)
                cols.append(c)
                vals.append(val)
            obj.append(-self.travel * col.km)
        count_new = len(self._pending)
        self._pending = []
        updates.append(
            self._append(
                np.zeros(count_new),
                np.full(count_new, math.inf),
                np.array(obj),
                np.array(rows, dtype=np.int64),
                np.array(cols, dtype=np.int64),
                np.array(vals),
            )
        )
        return updates

    def _model(self) -> model_pb2.ModelProto:
        m = model_pb2.ModelProto()
        _fill_variables(m.variables, 0, self.lb, self.ub)
        m.objective.maximize = True
        nz = np.flatnonzero(self.obj)
        m.objective.linear_coefficients.ids.extend(nz.tolist())
        m.objective.linear_coefficients.values.extend(self.obj[nz].tolist())
        m.linear_constraints.ids.extend(range(len(self.lo)))
        m.linear_constraints.lower_bounds.extend(self.lo.tolist())
        m.linear_constraints.upper_bounds.extend(self.hi.tolist())
        _fill_matrix(m.linear_constraint_matrix, self.rows, self.cols, self.vals)
        return m

    def solve(self, time_limit_s: float) -> bool:
        """Solve from the last basis (the first time, from scratch); True when optimal."""
        updates = self._flush()
        if self._solver is None or not all(self._solver.update(u) for u in updates):
            self._solver = _mathopt_core.new(_GLOP, self._model(), parameters_pb2.SolverInitializerProto())
        params = parameters_pb2.SolveParametersProto()
        params.time_limit.FromNanoseconds(max(1, int(1e9 * time_limit_s)))
        params.glop.use_preprocessing = False  # GLOP only restarts from a basis without presolve
        model_params = model_parameters_pb2.ModelSolveParametersProto()
        if self._basis is not None:
            model_params.initial_basis.CopyFrom(self._basis)
        result = self._solver.solve(
            params, model_params, None, callback_pb2.CallbackRegistrationProto(), None, None
        )
        if result.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL or not result.solutions:
            return False
        sol = result.solutions[0]
        self.values = _dense(sol.primal_solution.variable_values, len(self.lb))
        self.duals = _dense(sol.dual_solution.dual_values, len(self.lo))
        self.lp = float(sol.primal_solution.objective_value) + self.const
        if sol.HasField("basis"):
            self._basis = solution_pb2.BasisProto()
            self._basis.constraint_status.CopyFrom(sol.basis.constraint_status)
            self._basis.variable_status.CopyFrom(sol.basis.variable_status)
        return True

    def people_bound(self, duals: np.ndarray, best: list[float]) -> float:
        """An upper bound of every plan from the duals of the rows days enter (sites, window
        limits, km budget) alone, the people's rows being solved exactly.

        Moving those rows into the objective leaves ``P(σ)``, the programme of people, groups and
        series ``n`` (each series costing its site's dual ``σ``), solved by GLOP from its last
        basis, and the days of each frame, at most ``B_f`` of them, each earning at most
        ``best[f]`` (:func:`best_patterns` at those duals). Valid for any duals; at the master's
        own it is :meth:`lagrangian`'s value, and smoothed duals often give a lower one.
        """
        boxed = self.boxed
        if self._people is None:
            m = model_pb2.ModelProto()
            _fill_variables(m.variables, 0, self.lb[:boxed], self.ub[:boxed])
            m.objective.maximize = True
            lo, hi = self.lo.copy(), self.hi.copy()
            lo[self._dualised], hi[self._dualised] = -math.inf, math.inf
            m.linear_constraints.ids.extend(range(len(lo)))
            m.linear_constraints.lower_bounds.extend(lo.tolist())
            m.linear_constraints.upper_bounds.extend(hi.tolist())
            mask = self.cols < boxed
            _fill_matrix(m.linear_constraint_matrix, self.rows[mask], self.cols[mask], self.vals[mask])
            self._people = [_mathopt_core.new(_GLOP, m, parameters_pb2.SolverInitializerProto()), None]
        y = np.asarray(duals, dtype=float)
        obj = self.obj[:boxed].copy()
        obj[self._n_cols] -= y[self._n_rows]
        update = model_update_pb2.ModelUpdateProto()
        update.objective_updates.linear_coefficients.ids.extend(range(boxed))
        update.objective_updates.linear_coefficients.values.extend(obj.tolist())
        solver, basis = self._people
        if not solver.update(update):
            return math.inf
        params = parameters_pb2.SolveParametersProto()
        params.glop.use_preprocessing = False
        model_params = model_parameters_pb2.ModelSolveParametersProto()
        if basis is not None:
            model_params.initial_basis.CopyFrom(basis)
        result = solver.solve(
            params, model_params, None, callback_pb2.CallbackRegistrationProto(), None, None
        )
        if result.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL or not result.solutions:
            return math.inf
        sol = result.solutions[0]
        if sol.HasField("basis"):
            self._people[1] = solution_pb2.BasisProto()
            self._people[1].CopyFrom(sol.basis)
        value = float(sol.primal_solution.objective_value)
        value += SAFETY * max(1.0, abs(value))  # GLOP's tolerances
        z = y[self._dualised]
        with np.errstate(invalid="ignore"):
            rows_part = np.where(
                z > 0, z * self.hi[self._dualised], np.where(z < 0, z * self.lo[self._dualised], 0.0)
            )
        days = sum(
            f.blocks * (max(0.0, b) + len(f.hosts) * RC_EPS) for f, b in zip(self.frames, best, strict=True)
        )
        return float(value + rows_part.sum() + days + self.const)

    def gains(self, frame_index: int, duals: np.ndarray) -> list[np.ndarray]:
        """Per slot and host of a frame, the reduced gain of a series there at ``duals``."""
        f = self.frames[frame_index]
        km_dual = duals[self.km_row] if self.km_row is not None else 0.0
        out = []
        for s in range(len(f.hosts)):
            lim = self._limit_idx[frame_index][s]
            g = duals[self._site_idx[frame_index][s]] - (self.travel + km_dual) * f.km[s]
            g = g - np.where(lim >= 0, duals[np.maximum(lim, 0)], 0.0)
            out.append(g)
        return out

    def lagrangian(self, duals: np.ndarray, best: list[float]) -> float:
        """An upper bound of every plan from any ``duals`` (one per row) and ``best[f]``, the best
        reduced gain of a day of frame ``f`` at those duals (:func:`best_patterns`).

        Every row but the frames' day rows is moved into the objective: for a plan's point ``x``,
        ``y_r · (row_r · x) ≤ y_r · hi_r`` when ``y_r ≥ 0`` (``y_r · lo_r`` when ``y_r < 0``), so
        ``c · x ≤ Σ_r y_r · bound_r + (c − Aᵀy) · x``; the boxed columns then add at most
        ``max(rc · lb, rc · ub)`` each, and the days of a frame, at most ``B_f`` of them, at most
        ``B_f · max(0, best[f])`` (patterns with gains under ``RC_EPS`` skipped: ``RC_EPS`` a slot).
        """
        y = np.array(duals, dtype=float)
        y[list(self.day_row.values())] = 0.0  # kept as constraints: the days' own term below
        with np.errstate(invalid="ignore"):
            rows_part = np.where(y > 0, y * self.hi, np.where(y < 0, y * self.lo, 0.0)).sum()
        boxed = self.boxed
        mask = self.cols < boxed
        rc = self.obj[:boxed] - np.bincount(  # reduced costs of n, p, y
            self.cols[mask], weights=y[self.rows[mask]] * self.vals[mask], minlength=boxed
        )
        box = np.maximum(rc * self.lb[:boxed], rc * self.ub[:boxed]).sum()
        days = sum(
            f.blocks * (max(0.0, b) + len(f.hosts) * RC_EPS) for f, b in zip(self.frames, best, strict=True)
        )
        return float(rows_part + box + days + self.const)


def _fill_variables(v: model_pb2.VariablesProto, first: int, lb: np.ndarray, ub: np.ndarray) -> None:
    v.ids.extend(range(first, first + len(lb)))
    v.lower_bounds.extend(lb.tolist())
    v.upper_bounds.extend(ub.tolist())
    v.integers.extend([False] * len(lb))


def _fill_matrix(m, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
    order = np.lexsort((cols, rows))
    m.row_ids.extend(rows[order].tolist())
    m.column_ids.extend(cols[order].tolist())
    m.coefficients.extend(vals[order].tolist())


def _dense(vec, size: int) -> np.ndarray:
    out = np.zeros(size)
    out[np.array(vec.ids, dtype=np.int64)] = np.array(vec.values)
    return out


def _people_arrays(
    a: _Arrays,
    problem: PlanningProblem,
    cands: Candidates,
    n_of_site: dict[tuple[str, str], int],
    fixed_count: dict[tuple[str, str], int],
) -> dict[str, int]:
    """:func:`planner.optimise.bound.people_rows` into ``a`` (same rows, same order): the people
    each site counts and the communes' groups of diminishing returns; each commune's need row."""
    inf = math.inf
    rules = problem.rules
    lo = rules.min_participants
    res = {r.id: r for r in problem.resources}
    weights = person_weights(problem, cands.group)
    taken: dict[str, list[int]] = defaultdict(list)
    for (h, rid), n in n_of_site.items():
        r = res[rid]
        caps = cands.caps(problem, rid, h)
        pools = cands.pools(problem, rid, h)
        upper = a.row(-inf, 0.0)
        lower = a.row(-lo * fixed_count.get((h, rid), 0), inf)
        a.put(upper, n, -float(host_cap(problem, h, r.seats)))
        a.put(lower, n, -float(lo))
        for i in cands.catchment[h]:
            if cands.people.get(i, 0) <= 0 or caps.get(i, 0) <= 0:
                continue
            pen = weights[i] * attendance_penalty(problem, i, h, r)
            p = a.var(0.0, float(pools[i]), -pen if pen > 0 else 0.0)
            a.put(upper, p, 1.0)
            a.put(lower, p, 1.0)
            if i != h:
                row = a.row(-inf, 0.0)
                a.put(row, p, 1.0)
                a.put(row, n, -float(caps[i]))
            taken[i].append(p)
    g = cands.group
    need_row = {}
    for i, ps in taken.items():
        u = cands.people[i]
        k_groups = min(MAX_GROUPS, -(-u // g))
        need_row[i] = row = a.row(0.0, 0.0)
        for p in ps:
            a.put(row, p, 1.0)
        for k in range(k_groups):
            width = u - k * g if k == k_groups - 1 else g
            y = a.var(0.0, float(width), weights[i] * rules.repeat_value**k)
            a.put(row, y, -1.0)
    return need_row


def whole_day_bound(
    problem: PlanningProblem,
    cands: Candidates,
    frames: list[DayFrame] | None = None,
    full=None,
    parts=None,
    time_limit_s: float = 60.0,
    *,
    box: float = 0.2,
    disjoint: int = 20,
    alpha: float = 0.5,
    extra: int = 0,
    tolerance: float = 1e-6,
    log: Callable[[str], None] | None = None,
) -> PatternBound:
    """The day-pattern bound of the whole problem (column generation on :class:`WholeMaster`).

    Each round solves the master from its last basis and prices the days of every frame. The
    master's own duals are degenerate (a site the master does not use may be priced anywhere in
    a wide interval, and the bound at those duals stays far above its value until the very last
    rounds), so the duals are *stabilised* around a centre — first what a series earns at each
    site in its resource's Lagrangian subproblem at the LP's prices (``parts``), then the duals
    of the least bound so far:

    - ``box > 0`` (boxstep, the default): the site duals are kept within ``centre ± box · mean
      |centre|`` by two columns per site (:meth:`WholeMaster.set_box`); the box moves to the
      master's duals when they give a lower bound, widens when it holds them back;
    - ``box = 0``: Wentges smoothing, pricing at ``α · centre + (1 − α) · y`` and keeping the
      days that also gain at ``y`` (at ``y`` itself on a mis-pricing; ``alpha = 0``: plain column
      generation).

    Whatever the stabilisation, the only values reported are bounds computed from the duals
    themselves (:meth:`WholeMaster.people_bound`, :meth:`WholeMaster.lagrangian`), valid at any
    duals; at the end (no day gains at the master's own duals, the box columns at zero) the bound
    is the master's optimum.

    Parameters
    ----------
    problem
        The problem asked: every host, no split.
    cands
        Windows, catchments and locked series (``build_candidates(..., with_free=False)``).
    frames
        ``day_frames(problem, cands)``, when the caller has them.
    full
        The LP bound of the whole problem (:class:`planner.optimise.bound.FullBound`), if known:
        the value never exceeds it.
    parts
        The resources' Lagrangian bounds (:func:`planner.optimise.lagrange.lagrangian_bound`):
        their days start the master and their site duals are the first centre. Without them the
        master runs unstabilised (plain column generation).
    time_limit_s
        Wall-clock limit; when it runs out the least bound found so far is returned
        (``status = "STOPPED"``).
    box
        Half-width of the box around the centre, relative to the centre's mean site dual.
    disjoint
        Further days per frame and round, each the best one avoiding the hosts of the days
        found before it (the frame's windows hold different hosts: one day per round is slow).
    alpha
        Weight of the centre in the smoothed duals (``box = 0`` only).
    extra
        Further days per frame and pricing through its best hosts (:func:`best_patterns`).
    tolerance
        Stop when the bound is within this fraction of the master's value.
    log
        Called with one line per round.

    Returns
    -------
    PatternBound
        ``value`` the bound (``inf`` if none was proven), ``lp_value`` the master's own value
        (``-inf`` until the box columns are all zero), ``history`` ``(s, lp, bound)`` per round.
    """
    t0 = _time.monotonic()
    if frames is None:
        frames = day_frames(problem, cands)
    master = WholeMaster(problem, cands, frames)
    for f in frames:
        for pat in single_sessions(f):
            master.add(f, pat)
    by_key = {f.key: f for f in frames}
    for part in (parts or {}).values():
        for key, pat in part.days:
            if key in by_key:
                master.add(by_key[key], pat)
    day_rows = np.array([master.day_row[f.key] for f in frames], dtype=np.int64)
    dualised = master._dualised

    def price(duals: np.ndarray, more: int) -> tuple[list[float], list[tuple[int, float, Pattern]]]:
        best, found = [], []
        for fi, f in enumerate(frames):
            gains = master.gains(fi, duals)
            days = best_patterns(f, gains, extra=more)
            best.append(days[0][0])
            found += [(fi, v, pat) for v, pat in days if v > RC_EPS]
            # and days of other hosts: the best one without the hosts of those found so far
            # (a frame's windows hold different hosts; one day a frame a round is slow)
            threshold = duals[day_rows[fi]] + RC_EPS
            gains = [g.copy() for g in gains]
            pat = days[0][1]
            for _ in range(disjoint):
                for s, j in enumerate(pat):
                    if j >= 0:
                        host = f.hosts[s][j]
                        for t in range(len(f.hosts)):
                            k = f.index[t].get(host)
                            if k is not None:
                                gains[t][k] = 0.0
                v, pat = best_patterns(f, gains)[0]
                if v <= threshold:
                    break
                found.append((fi, v, pat))
        return best, found

    bound = math.inf if full is None else float(full.value)
    # the stabilisation centre: the duals of the least bound so far, first what a series earns at
    # each site in its resource's Lagrangian subproblem (only the rows days enter matter)
    centre = None
    centre_value = math.inf
    if alpha > 0 and parts and all(p.site_duals for p in parts.values()):
        centre = np.zeros(len(master.lo))
        for rid, part in parts.items():
            for h, d in part.site_duals.items():
                row = master.site_row.get((h, rid))
                if row is not None:
                    centre[row] = d
            for key, d in part.limit_duals.items():
                row = master.limit_row.get(key)
                if row is not None:
                    centre[row] = d
        centre_value = master.people_bound(centre, price(centre, 0)[0])
        bound = min(bound, centre_value)
    history: list[tuple[float, float, float]] = []
    rounds = 0
    status = "STOPPED"
    true_lp = -math.inf
    boxed = box > 0 and centre is not None
    if boxed:
        sites = master._n_rows
        scale = float(np.mean(np.abs(centre[sites]))) or 1.0
        delta = box * scale
        master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
        while True:
            left = time_limit_s - (_time.monotonic() - t0)
            if left <= 0 or not master.solve(left):
                break
            rounds += 1
            y = master.duals
            best, found = price(y, extra)
            value = master.people_bound(y, best)
            bound = min(bound, value)
            added = sum(master.add(frames[fi], pat) for fi, v, pat in found if v - y[day_rows[fi]] > RC_EPS)
            boxed_out = master.box_used() > 1e-9
            if not boxed_out:
                true_lp = master.lp
            if value < centre_value:
                centre, centre_value = y.copy(), value
                master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
            elif not added and boxed_out:  # the box holds the duals back: widen it
                delta *= 4.0
                master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
            history.append((_time.monotonic() - t0, true_lp, bound))
            if log is not None:
                log(
                    f"round {rounds}: lp {master.lp:.3f} (own {true_lp:.3f}) bound {bound:.3f} "
                    f"added {added} box {delta:.4f} ({history[-1][0]:.1f} s)"
                )
            if (not added and not boxed_out) or bound - true_lp <= tolerance * max(1.0, abs(bound)):
                status = "OPTIMAL"
                break
    while not boxed:
        left = time_limit_s - (_time.monotonic() - t0)
        if left <= 0 or not master.solve(left):
            break
        rounds += 1
        y = master.duals
        added = 0
        best, found = price(y, 0 if alpha > 0 else extra)
        at_y = master.lagrangian(y, best)
        at_y += SAFETY * max(1.0, abs(at_y))  # floating-point sums over 10⁶ terms: the same slack
        bound = min(bound, at_y)
        if at_y < centre_value:
            centre, centre_value = y.copy(), at_y
        mispriced = alpha > 0
        if alpha > 0 and centre is not None:
            smooth = y.copy()
            smooth[dualised] = alpha * centre[dualised] + (1 - alpha) * y[dualised]
            best_s, offers = price(smooth, extra)
            value = master.people_bound(smooth, best_s)
            bound = min(bound, value)
            if value < centre_value:
                centre, centre_value = smooth, value
            for fi, _, pat in offers:  # kept when it also gains at the master's duals
                g = master.gains(fi, y)
                if sum(g[s][j] for s, j in enumerate(pat) if j >= 0) - y[day_rows[fi]] > RC_EPS:
                    added += master.add(frames[fi], pat)
            mispriced = not added
            if mispriced:
                _, found = price(y, extra)
        if not added:
            for fi, v, pat in found:
                if v - y[day_rows[fi]] > RC_EPS:
                    added += master.add(frames[fi], pat)
        history.append((_time.monotonic() - t0, master.lp, bound))
        if log is not None:
            log(
                f"round {rounds}: lp {master.lp:.3f} bound {bound:.3f} added {added} "
                f"{'(mispriced) ' if mispriced else ''}({history[-1][0]:.1f} s)"
            )
        if not added or bound - master.lp <= tolerance * max(1.0, abs(bound)):
            status = "OPTIMAL"  # no day gains, or the bound meets the master's value
            break
    value = bound  # every term already carries its slack (SAFETY)
    patterns: dict = defaultdict(list)
    site_series: dict = defaultdict(float)
    if rounds:
        for (key, pat), c in master.columns.items():
            v = master.values[c] if 0 <= c < len(master.values) else 0.0
            if v > 1e-7:
                f = by_key[key]
                hosts = tuple(f.hosts[s][j] if j >= 0 else None for s, j in enumerate(pat))
                patterns[key].append((float(v), hosts))
                for h in hosts:
                    if h is not None:
                        site_series[(h, key[0])] += float(v)
    return PatternBound(
        value,
        true_lp if boxed else master.lp,
        status,
        rounds,
        len(master.columns),
        _time.monotonic() - t0,
        dict(patterns),
        dict(site_series),
        history,
        frames=frames,
    )
