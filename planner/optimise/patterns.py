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
at the last round it equals the LP value. For the whole region this master is too slow through
pywraplp; :mod:`planner.optimise.whole_bound` holds it as arrays and stabilises its duals.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from planner.model import Resource
from planner.optimise.bound import SAFETY, SolverRows, _free_blocks, _host_blocks, people_rows
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
        self.need_row = people_rows(SolverRows(solver), problem, cands, self.n, fixed_count)
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


def held_days(
    frames: list[DayFrame], windows: Mapping[tuple[tuple[str, int], Pattern], float]
) -> tuple[dict[tuple[str, int], list[tuple[float, tuple[str | None, ...]]]], dict[tuple[str, str], float]]:
    """The days a master's solution holds (``(frame key, pattern) -> windows``), as
    :attr:`PatternBound.patterns` and :attr:`PatternBound.site_series` read them."""
    by_key = {f.key: f for f in frames}
    patterns: dict = defaultdict(list)
    site_series: dict = defaultdict(float)
    for (key, pat), v in windows.items():
        if v > 1e-7:
            f = by_key[key]
            hosts = tuple(f.hosts[s][j] if j >= 0 else None for s, j in enumerate(pat))
            patterns[key].append((float(v), hosts))
            for h in hosts:
                if h is not None:
                    site_series[(h, key[0])] += float(v)
    return dict(patterns), dict(site_series)


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
    patterns, site_series = held_days(frames, solution if rounds else {})
    return PatternBound(
        value,
        lp,
        status,
        rounds,
        len(master.columns),
        _time.monotonic() - t0,
        patterns,
        site_series,
        history,
        frames=frames,
        site_gain=site_gain,
        prices=prices,
    )
