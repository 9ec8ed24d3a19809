"""The CP-SAT model that chooses among candidate series, and its search.

CP-SAT picks candidates ``x[c]`` and whole people ``p[h,i]`` (commune ``i`` at host ``h``):

- ``rule_one_series_per_slot``: a (resource, weekday, window, slot) holds at most one series;
- ``rule_day_drive_time``: two slots of the same day hold hosts the resource can drive between
  (pre-computed pairs, drive and ``BREAK_MIN`` included; first/last slot times include the drive
  from/to the base);
- ``rule_window_symmetry``: windows of a weekday offering the same candidates are used in order
  (symmetry breaking: the objective does not depend on dates);
- ``rule_catchment_allocation``: ``p[h,i]`` exists only for ``i`` within the catchment of ``h``;
- ``rule_threshold_and_seats``: ``n_h · min_participants ≤ Σ_i p[h,i] ≤ Σ seats`` over the ``n_h``
  series held at ``h`` (seats capped by the request's expected participants) — any such total
  splits into series each within [threshold, seats];
- ``rule_need_cap_and_groups``: ``Σ_h p[h,i] ≤ floor(unmet_need_i)`` — nobody counted twice —
  split into groups of ``g`` people (``g`` = the largest number of seats) for diminishing returns;
- locked series are fixed (their days are removed from the free slots, their hosts keep them);
- a re-plan adds the previous plan's series and a bonus for every session kept in place
  (:class:`planner.optimise.stability.StabilityTerms`, given as ``stability``).

The objective is :mod:`planner.optimise.objective`'s. Integers are made once with ``SCALE``
(1/10 000 of a person), values rounded up and costs down, so the model's bound is a valid bound
of the exact objective.
"""

from __future__ import annotations

import itertools
import math
import threading
import time as _time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.errors import InfeasibleError
from planner.optimise.candidates import Candidate, Candidates, host_cap
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, need_weight
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.territory.catchment import pool

SCALE = 10_000


@dataclass
class Choice:
    """Result of a search: the chosen series with their participants by commune."""

    chosen: list[tuple[Candidate, dict[str, int]]]
    status: str
    objective: float
    bound: float


def series_sizes(total: int, caps: list[int], minimum: int) -> list[int]:
    """Split ``total`` participants of a host into series within ``[minimum, cap]`` each."""
    sizes = [min(minimum, c) for c in caps]
    left = total - sum(sizes)
    for i, c in enumerate(caps):
        add = max(0, min(left, c - sizes[i]))
        sizes[i] += add
        left -= add
    return sizes


class SeasonModel:
    """The CP-SAT model over a :class:`Candidates` set (see the module docstring)."""

    def __init__(self, problem: PlanningProblem, cands: Candidates, stability=None) -> None:
        self.problem = problem
        self.cands = cands
        self.stability = stability
        self.rules = problem.rules
        self.group = cands.group
        self.res = {r.id: r for r in problem.resources}
        self.m = cp_model.CpModel()
        self.x = [self.m.new_bool_var(f"x{i}") for i in range(len(cands.free))]
        self.by_host: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(cands.free):
            self.by_host[c.host].append(i)
        self.fixed_by_host: dict[str, list[Candidate]] = defaultdict(list)
        for c in cands.fixed:
            self.fixed_by_host[c.host].append(c)
        self.hosts = sorted(set(self.by_host) | set(self.fixed_by_host))
        self.p: dict[tuple[str, str], cp_model.IntVar] = {}
        self.y: dict[tuple[str, int], cp_model.IntVar] = {}
        self.rule_one_series_per_slot()
        self.rule_day_drive_time()
        self.rule_window_symmetry()
        self.rule_catchment_allocation()
        self.rule_threshold_and_seats()
        self.rule_need_cap_and_groups()
        if self.stability is not None:
            self.stability.add_rules(self)
        self.set_objective()

    def cap(self, c: Candidate) -> int:
        """Maximum participants of candidate ``c``."""
        return host_cap(self.problem, c.host, self.res[c.resource].seats)

    # --- rules -----------------------------------------------------------------------------

    def rule_one_series_per_slot(self) -> None:
        """A (resource, weekday, window, slot) holds at most one series."""
        lanes: dict[tuple, list[int]] = defaultdict(list)
        for i, c in enumerate(self.cands.free):
            lanes[(c.resource, c.weekday, c.block, c.slot)].append(i)
        for idx in lanes.values():
            if len(idx) > 1:
                self.m.add_at_most_one(self.x[i] for i in idx)

    def rule_day_drive_time(self) -> None:
        """Two slots of the same day hold hosts the resource can drive between in time."""
        blocks: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, c in enumerate(self.cands.free):
            blocks[(c.resource, c.weekday, c.block)][c.slot].append(i)
        for (rid, _wd, _b), by_slot in blocks.items():
            r = self.res[rid]
            slots = sorted(by_slot)
            for a, s in enumerate(slots):
                for t in slots[a + 1 :]:
                    for j in by_slot[t]:
                        h2 = self.cands.free[j].host
                        bad = [
                            self.x[i]
                            for i in by_slot[s]
                            if not self.cands.compatible(self.problem, r, s, self.cands.free[i].host, t, h2)
                        ]
                        if bad:
                            self.m.add(sum(bad) + self.x[j] <= 1)

    def rule_window_symmetry(self) -> None:
        """Symmetry breaking: windows of a weekday offering the same candidates are used in order.

        Such windows are interchangeable (the objective does not depend on dates), so any plan
        can be permuted into one where an earlier window holds at least as many series.
        """
        blocks: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        keep = self.stability.no_symmetry if self.stability is not None else set()
        for i, c in enumerate(self.cands.free):
            if (c.resource, c.weekday, c.block) not in keep:  # a re-plan tells dates apart
                blocks[(c.resource, c.weekday)][c.block].append(i)
        for by_block in blocks.values():
            same: dict[frozenset, list[int]] = defaultdict(list)
            for b, idx in by_block.items():
                same[frozenset((self.cands.free[i].host, self.cands.free[i].slot) for i in idx)].append(b)
            for bs in same.values():
                bs.sort()
                for b1, b2 in itertools.pairwise(bs):
                    self.m.add(sum(self.x[i] for i in by_block[b1]) >= sum(self.x[i] for i in by_block[b2]))

    def rule_catchment_allocation(self) -> None:
        """Participants of a host, ``p[h,i]``, come only from communes within its catchment."""
        for h in self.hosts:
            for i in self.cands.catchment[h]:
                if self.cands.people.get(i, 0) > 0:
                    self.p[(h, i)] = self.m.new_int_var(0, self.cands.people[i], f"p_{h}_{i}")

    def rule_threshold_and_seats(self) -> None:
        """``n·min_participants ≤ Σ_i p[h,i] ≤ Σ seats`` over the ``n`` series held at ``h``.

        Any such total splits into series each within [threshold, seats] (:func:`series_sizes`).
        """
        for h in self.hosts:
            total = sum(v for (hh, _), v in self.p.items() if hh == h)
            free = self.by_host[h]
            fixed = self.fixed_by_host[h]
            lo = self.rules.min_participants
            fixed_lo = sum(min(lo, self.cap(c)) for c in fixed)
            if fixed:
                fixed_lo = min(fixed_lo, pool(self.cands.catchment[h], self.cands.people))
            self.m.add(total >= lo * sum(self.x[i] for i in free) + fixed_lo)
            self.m.add(
                total
                <= sum(self.cap(self.cands.free[i]) * self.x[i] for i in free) + sum(map(self.cap, fixed))
            )

    def rule_need_cap_and_groups(self) -> None:
        """``Σ_h p[h,i] ≤ floor(unmet_need_i)`` — nobody counted twice — split into value groups."""
        takers: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_, i), v in self.p.items():
            takers[i].append(v)
        g = self.group
        for i, vs in takers.items():
            u = self.cands.people[i]
            n = min(MAX_GROUPS, -(-u // g))
            ys = []
            for k in range(n):
                width = u - k * g if k == n - 1 else g
                y = self.m.new_int_var(0, width, f"y_{i}_{k}")
                self.y[(i, k)] = y
                ys.append(y)
            self.m.add(sum(vs) == sum(ys))

    def set_objective(self) -> None:
        """Maximise need-weighted people with diminishing returns minus travel (integers, ``SCALE``)."""
        tw = self.rules.travel_weight
        terms = []
        for (i, k), y in self.y.items():
            w = need_weight(self.cands.people[i], self.group)
            terms.append(math.ceil(SCALE * w * self.rules.repeat_value**k - 1e-9) * y)
        costs = [math.floor(SCALE * tw * c.km + 1e-9) * self.x[i] for i, c in enumerate(self.cands.free)]
        for (h, i), v in self.p.items():
            pen = need_weight(self.cands.people[i], self.group) * attendance_penalty(self.problem, i, h)
            if pen > 0:
                costs.append(math.floor(SCALE * pen + 1e-9) * v)
        const = -math.floor(SCALE * tw * sum(c.km for c in self.cands.fixed) + 1e-9)
        if self.stability is not None:
            terms += self.stability.objective_terms(self, SCALE)
        self.m.maximize(sum(terms) - sum(costs) + const)

    # --- hints and extraction ----------------------------------------------------------------

    def hint(self, chosen: list[tuple[Candidate, dict[str, int]]]) -> None:
        """Give a feasible solution (e.g. the greedy plan) as a starting point."""
        index = {c: i for i, c in enumerate(self.cands.free)}
        on = {index[c] for c, _ in chosen if c in index}
        for i, v in enumerate(self.x):
            self.m.add_hint(v, i in on)
        given: dict[tuple[str, str], int] = defaultdict(int)
        for c, take in chosen:
            for code, n in take.items():
                given[(c.host, code)] += n
        total: dict[str, int] = defaultdict(int)
        for key, v in self.p.items():
            self.m.add_hint(v, given.get(key, 0))
            total[key[1]] += given.get(key, 0)
        for (i, k), y in self.y.items():
            last = (i, k + 1) not in self.y
            width = total[i] - k * self.group
            self.m.add_hint(y, max(0, width if last else min(self.group, width)))

    def extract(self, solver: cp_model.CpSolver) -> list[tuple[Candidate, dict[str, int]]]:
        """Chosen series with their participants by commune, from a solved model."""
        out = []
        for h in self.hosts:
            series = list(self.fixed_by_host[h]) + [
                self.cands.free[i] for i in self.by_host[h] if solver.value(self.x[i])
            ]
            if not series:
                continue
            left = {i: solver.value(v) for (hh, i), v in self.p.items() if hh == h}
            total = sum(left.values())
            sizes = series_sizes(total, [self.cap(c) for c in series], self.rules.min_participants)
            for c, size in zip(series, sizes, strict=True):
                take: dict[str, int] = {}
                need = size
                for i in self.cands.catchment[h]:
                    k = min(need, left.get(i, 0))
                    if k > 0:
                        take[i] = k
                        left[i] -= k
                        need -= k
                out.append((c, take))
        return out


class _Monitor(cp_model.CpSolverSolutionCallback):
    """Reports progress, honours the stop event and the gap target."""

    def __init__(
        self,
        solver: cp_model.CpSolver,
        gap: float,
        on_progress: Callable[[ProgressEvent], None] | None,
        stop: threading.Event | None,
        offset: tuple[float, float],
    ) -> None:
        super().__init__()
        self.solver = solver
        self.gap = gap
        self.on_progress = on_progress
        self.stop = stop
        self.offset = offset
        self.t0 = _time.monotonic()
        self.best = -math.inf
        self.bound = math.inf
        self.lock = threading.Lock()

    def report(self, objective: float | None = None, bound: float | None = None) -> None:
        with self.lock:
            if objective is not None:
                self.best = max(self.best, objective)
            if bound is not None:
                self.bound = min(self.bound, bound)
            if self.on_progress is not None and self.best > -math.inf and self.bound < math.inf:
                self.on_progress(
                    ProgressEvent(
                        _time.monotonic() - self.t0,
                        self.best / SCALE + self.offset[0],
                        max(self.bound, self.best) / SCALE + self.offset[1],
                    )
                )

    def on_solution_callback(self) -> None:
        obj, bound = self.objective_value, self.best_objective_bound
        self.report(obj, bound)
        if (self.stop is not None and self.stop.is_set()) or (
            bound > 0 and (bound - obj) / bound <= self.gap
        ):
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        self.report(None, bound)


def solve_model(
    problem: PlanningProblem,
    cands: Candidates,
    params: SolveParams,
    *,
    time_limit_s: float,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
    hint: list[tuple[Candidate, dict[str, int]]] | None = None,
    offset: tuple[float, float] = (0.0, 0.0),
    solver_options: Mapping[str, object] | None = None,
    stability=None,
) -> Choice | None:
    """Build and solve the CP-SAT model.

    Returns ``None`` when ``stop`` was set before the search, and a :class:`Choice` with status
    ``"UNKNOWN"``, no series and a bound when no solution was found in time. That bound is
    ``math.inf`` unless the search reported one (:class:`_Monitor`): CP-SAT answers 0 as "best
    bound" when it stops before establishing any, which is no bound at all.

    ``offset`` (objective, bound) is added to the reported progress (decomposed solves).
    ``solver_options`` sets further CP-SAT parameters by name (e.g. ``{"stop_after_presolve":
    True}``), applied last. ``stability`` adds a re-plan's terms
    (:func:`planner.optimise.stability.extend`).

    Raises
    ------
    InfeasibleError
        When the model is proven infeasible (only locked sessions can make it so).
    """
    model = SeasonModel(problem, cands, stability)
    if hint:
        model.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.relative_gap_limit = params.gap
    for name, value in (solver_options or {}).items():
        setattr(solver.parameters, name, value)
    monitor = _Monitor(solver, params.gap, on_progress, stop, offset)
    solver.best_bound_callback = monitor.on_bound
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if stop is not None and stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    if stop is not None:
        if stop.is_set():
            return None
        watcher.start()
    try:
        code = solver.solve(model.m, monitor)
    finally:
        done.set()
    if code == cp_model.INFEASIBLE or code == cp_model.MODEL_INVALID:
        raise InfeasibleError(
            "aucun plan ne respecte les séances verrouillées avec ces règles : vérifiez leurs dates, "
            "leurs lieux et le seuil de participants, ou déverrouillez-en"
        )
    bound = solver.best_objective_bound
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        proven = monitor.bound  # only bounds the search reported; never CP-SAT's default 0
        return Choice([], "UNKNOWN", -math.inf, proven / SCALE if math.isfinite(proven) else math.inf)
    status = "OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE"
    if stop is not None and stop.is_set() and code != cp_model.OPTIMAL:
        status = "STOPPED"
    return Choice(model.extract(solver), status, solver.objective_value / SCALE, bound / SCALE)


def trivial_bound(problem: PlanningProblem, cands: Candidates) -> float:
    """An easy upper bound: people available, or total seats of every free slot, whichever is less."""
    people = sum(cands.people.values())
    seats = 0
    res = {r.id: r for r in problem.resources}
    for (rid, _wd), windows in cands.windows.items():
        seats += len(windows) * cands.slots[rid] * res[rid].seats
    seats += sum(res[c.resource].seats for c in cands.fixed)
    return float(min(people, seats))
