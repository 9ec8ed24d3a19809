"""The CP-SAT model that chooses among candidate series, and its search.

CP-SAT picks candidates ``x[c]`` and whole people ``p[h,r,i]`` (commune ``i`` in the series of
resource ``r`` at host ``h``: a *site*):

- ``rule_one_series_per_slot``: a (resource, weekday, window, slot) holds at most one series;
- ``rule_day_drive_time``: two slots of the same day hold hosts the resource can drive between
  (pre-computed pairs, drive and ``BREAK_MIN`` included; first/last slot times include the drive
  from/to the base);
- ``rule_window_symmetry``: windows of a weekday offering the same candidates are used in order
  (symmetry breaking: the objective does not depend on dates);
- ``rule_catchment_allocation``: ``p[h,r,i]`` exists only for ``i`` whose people would come to
  ``h`` (attendance curve of ``r``'s public): at most ``cap_i`` per series, ``pool_i`` in all;
- ``rule_threshold_and_seats``: ``n · min_participants ≤ Σ_i p[h,r,i] ≤ Σ seats`` over the ``n``
  series of the site (seats capped by the request's expected participants) — any such total
  splits into series each within [threshold, seats] and the per-series caps;
- ``rule_need_cap_and_groups``: ``Σ p[·,·,i] ≤ floor(unmet_need_i)`` — nobody counted twice —
  split into groups of ``g`` people (``g`` = the largest number of seats) for diminishing returns;
- ``rule_km_budget``: the season's kilometres (return trips) within ``Rules.km_budget``, if set;
- ``rule_must_host``: the communes of ``problem.must_host`` hold a series;
- locked series are fixed (their days are removed from the free slots, their hosts keep them);
- a re-plan adds the previous plan's series and a bonus for every session kept in place
  (:class:`planner.optimise.stability.StabilityTerms`, given as ``stability``).

Long sums are named once: a site's number of series is one variable (:meth:`SeasonModel.series_count`,
used by the catchment, threshold and imposed-host rows) and a lane's use one boolean
(:meth:`SeasonModel.lane_used`, used by the drive-time and symmetry rows), so that no row repeats
a site's or a lane's candidates (a region team: 1.4 M terms to 0.2 M, presolve 3.6 s to 1.0 s,
``bench/results/series_model_rows.md``).

The objective is :mod:`planner.optimise.objective`'s. Integers are made once with ``SCALE``
(1/10 000 of a person), values rounded up and costs down, so the model's bound is a valid bound
of the exact objective. Level 1 is multiplied by ``lex`` (:func:`planner.optimise.objective.lexicographic_scale`)
and the whole kilometres subtracted: fewer km only ever decides between plans of equal value.
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
from planner.optimise.objective import (
    MAX_GROUPS,
    attendance_penalty,
    lexicographic_scale,
    person_weights,
    tie_km,
    tie_unit,
)
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.territory.catchment import split_among_series

Site = tuple[str, str]  # (host, resource id): the series of one resource at one host

SCALE = 10_000


@dataclass
class Choice:
    """Result of a search: the chosen series with their participants by commune."""

    chosen: list[tuple[Candidate, dict[str, int]]]
    status: str
    objective: float
    bound: float


def _sum(terms) -> cp_model.LinearExpr:
    """``sum(terms)`` built in one go (Python's ``sum`` nests one expression per term)."""
    return cp_model.LinearExpr.sum(list(terms))


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
        self.weights = person_weights(problem, self.group)
        self.m = cp_model.CpModel()
        self.x = [self.m.new_bool_var(f"x{i}") for i in range(len(cands.free))]
        self.by_site: dict[Site, list[int]] = defaultdict(list)
        for i, c in enumerate(cands.free):
            self.by_site[(c.host, c.resource)].append(i)
        self.fixed_by_site: dict[Site, list[Candidate]] = defaultdict(list)
        for c in cands.fixed:
            self.fixed_by_site[(c.host, c.resource)].append(c)
        self.sites = sorted(set(self.by_site) | set(self.fixed_by_site))
        self.lanes: dict[tuple[str, int, int, int], list[int]] = defaultdict(list)
        for i, c in enumerate(cands.free):
            self.lanes[(c.resource, c.weekday, c.block, c.slot)].append(i)
        self.used: dict[tuple[str, int, int, int], cp_model.IntVar] = {}  # rule_one_series_per_slot
        self.count_vars: dict[Site, cp_model.IntVar] = {}  # made by _count_var
        self.n = {site: self._count_var(site) for site in self.sites}
        self.p: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self.p_by_site: dict[Site, list[cp_model.IntVar]] = defaultdict(list)
        self.y: dict[tuple[str, int], cp_model.IntVar] = {}
        self.same_windows: list[tuple[str, int, tuple[int, ...]]] = []  # interchangeable windows
        lanes = self._lane_km()
        self.km_unit = tie_unit(lanes)
        self.lex = lexicographic_scale(lanes, self.km_unit)
        self.rule_one_series_per_slot()
        self.rule_day_drive_time()
        self.rule_window_symmetry()
        self.rule_catchment_allocation()
        self.rule_threshold_and_seats()
        self.rule_need_cap_and_groups()
        self.rule_km_budget()
        self.rule_must_host()
        if self.stability is not None:
            self.stability.add_rules(self)
        self.set_objective()

    def cap(self, c: Candidate) -> int:
        """Maximum participants of candidate ``c``."""
        return host_cap(self.problem, c.host, self.res[c.resource].seats)

    def _lane_km(self) -> list[float]:
        lanes: dict[tuple, float] = defaultdict(float)
        for c in self.cands.free:
            key = (c.resource, c.weekday, c.block, c.slot)
            lanes[key] = max(lanes[key], c.km)
        return list(lanes.values())

    def _count_var(self, site: Site):
        """The series held at ``site``: one integer variable (``fixed`` + the free candidates
        chosen) when two or more free candidates share the site — the rules name it once per
        commune of the catchment, where the sum would repeat every candidate of the site."""
        free, fixed = self.by_site.get(site, []), len(self.fixed_by_site.get(site, []))
        if len(free) < 2:
            return sum(self.x[i] for i in free) + fixed
        h, rid = site
        n = self.m.new_int_var(fixed, fixed + len(free), f"n_{h}_{rid}")
        self.m.add(n == _sum(self.x[i] for i in free) + fixed)
        self.count_vars[site] = n
        return n

    def series_count(self, site: Site):
        """Number of series held at ``site`` (a variable, or a short linear expression)."""
        return self.n[site]

    # --- rules -----------------------------------------------------------------------------

    def lane_used(self, lane: tuple[str, int, int, int]):
        """Whether ``lane`` (resource, weekday, window, slot) holds a series: its one candidate,
        or a boolean equal to the sum of its candidates (:meth:`rule_one_series_per_slot`)."""
        u = self.used.get(lane)
        return u if u is not None else self.x[self.lanes[lane][0]]

    def rule_one_series_per_slot(self) -> None:
        """A (resource, weekday, window, slot) holds at most one series.

        ``exactly one of (its candidates, not used)``: at most one series, and ``used`` says
        whether there is one (:meth:`rule_day_drive_time` and :meth:`rule_window_symmetry`
        name it instead of the lane's candidates).
        """
        for lane, idx in self.lanes.items():
            if len(idx) > 1:
                u = self.m.new_bool_var("u_{}_{}_{}_{}".format(*lane))
                self.used[lane] = u
                self.m.add_exactly_one([*(self.x[i] for i in idx), ~u])

    def rule_day_drive_time(self) -> None:
        """Two slots of the same day hold hosts the resource can drive between in time.

        For a candidate ``j`` of the later slot ``t``: ``Σ bad + x_j ≤ 1`` over the candidates of
        the earlier slot ``s`` it cannot follow, or, when those are most of the slot, the same
        with ``Σ bad = used_s − Σ good`` (the slot holds at most one series): the same plans,
        a row the length of the few hosts near ``j`` (a team's consecutive slots) instead of
        the whole slot.
        """
        free = self.cands.free
        blocks: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, c in enumerate(free):
            blocks[(c.resource, c.weekday, c.block)][c.slot].append(i)
        # the windows of a weekday mostly offer the same hosts: which ones fit is worked out once
        splits: dict[tuple, dict[str, tuple[list[int], list[int]]]] = {}
        for (rid, wd, b), by_slot in blocks.items():
            r = self.res[rid]
            slots = sorted(by_slot)
            for a, s in enumerate(slots):
                earlier = by_slot[s]
                hosts = tuple(free[i].host for i in earlier)
                for t in slots[a + 1 :]:
                    split = splits.setdefault((rid, s, t, hosts), {})
                    for j in by_slot[t]:
                        h2 = free[j].host
                        if h2 not in split:
                            fits = [self.cands.compatible(self.problem, r, s, h1, t, h2) for h1 in hosts]
                            split[h2] = (
                                [k for k, ok in enumerate(fits) if ok],
                                [k for k, ok in enumerate(fits) if not ok],
                            )
                        good, bad = split[h2]
                        if not bad:
                            continue
                        if len(bad) <= len(good) + 1:
                            self.m.add(_sum(self.x[earlier[k]] for k in bad) + self.x[j] <= 1)
                        else:
                            used = self.lane_used((rid, wd, b, s))
                            self.m.add(used - _sum(self.x[earlier[k]] for k in good) + self.x[j] <= 1)

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
                first = self.cands.free[by_block[bs[0]][0]]
                self.same_windows.append((first.resource, first.weekday, tuple(bs)))
                # the series of a window: one per slot used (the windows offer the same slots)
                slots = sorted({self.cands.free[i].slot for i in by_block[bs[0]]})
                held = {
                    b: sum(self.lane_used((first.resource, first.weekday, b, s)) for s in slots) for b in bs
                }
                for b1, b2 in itertools.pairwise(bs):
                    self.m.add(held[b1] >= held[b2])

    def rule_catchment_allocation(self) -> None:
        """Participants ``p[h,r,i]`` come only from communes whose people would come to ``h``.

        Per series of ``r`` at most :meth:`Candidates.caps` people of each neighbour, for all of
        them together at most :meth:`Candidates.pools` (the attendance curve of ``r``'s public).
        """
        for site in self.sites:
            h, rid = site
            caps = self.cands.caps(self.problem, rid, h)
            pools = self.cands.pools(self.problem, rid, h)
            n = self.series_count(site)
            for i in self.cands.catchment[h]:
                if self.cands.people.get(i, 0) <= 0 or caps.get(i, 0) <= 0:
                    continue
                v = self.m.new_int_var(0, pools[i], f"p_{h}_{rid}_{i}")
                self.p[(h, rid, i)] = v
                self.p_by_site[site].append(v)
                if i != h:
                    self.m.add(v <= caps[i] * n)

    def rule_threshold_and_seats(self) -> None:
        """``n·min_participants ≤ Σ_i p[h,r,i] ≤ Σ seats`` over the ``n`` series of ``r`` at ``h``.

        With the per-series caps of :meth:`rule_catchment_allocation`, any such total splits into
        series each within [threshold, seats] (:func:`planner.territory.catchment.split_among_series`).
        """
        lo = self.rules.min_participants
        for site in self.sites:
            h, rid = site
            total = _sum(self.p_by_site[site])
            fixed = self.fixed_by_site[site]
            cap = host_cap(self.problem, h, self.res[rid].seats)  # the same for every series of the site
            fixed_lo = sum(min(lo, cap) for _ in fixed)
            if fixed:
                fixed_lo = min(fixed_lo, self.cands.reachable(self.problem, rid, h))
            n = self.series_count(site)
            self.m.add(total >= lo * (n - len(fixed)) + fixed_lo)
            self.m.add(total <= cap * n)

    def rule_need_cap_and_groups(self) -> None:
        """``Σ_{h,r} p[h,r,i] ≤ floor(unmet_need_i)`` — nobody counted twice — split into value groups."""
        takers: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_, _, i), v in self.p.items():
            takers[i].append(v)
        for i, vs in self.extra_takers().items():
            takers[i].extend(vs)
        g = self.group
        for i, vs in takers.items():
            u = self.cands.people.get(i, 0)
            n = min(MAX_GROUPS, -(-u // g))
            ys = []
            for k in range(n):
                width = u - k * g if k == n - 1 else g
                y = self.m.new_int_var(0, width, f"y_{i}_{k}")
                self.y[(i, k)] = y
                ys.append(y)
            self.m.add(sum(vs) == sum(ys))

    def rule_km_budget(self) -> None:
        """``Σ km ≤ Rules.km_budget`` (each session a return trip from the base), when a budget is set."""
        budget = self.rules.km_budget
        if budget <= 0:
            return
        fixed = sum(c.km for c in self.cands.fixed)
        tenths = [math.ceil(10 * c.km - 1e-9) for c in self.cands.free]
        self.m.add(
            sum(t * x for t, x in zip(tenths, self.x, strict=True)) + self.extra_km_tenths()
            <= math.floor(10 * (budget - fixed) + 1e-9)
        )

    def rule_must_host(self) -> None:
        """Every commune of ``problem.must_host`` holds at least one series."""
        at: dict[str, list[Site]] = defaultdict(list)
        for site in self.sites:
            at[site[0]].append(site)
        for h in self.problem.must_host:
            self.m.add(sum(self.series_count(s) for s in at[h]) + self.extra_held_at(h) >= 1)

    # hooks for a model holding other services beside the parcours (services.JointModel)

    def extra_takers(self) -> dict[str, list]:
        """People variables of other services, by commune, sharing its need and groups (none)."""
        return {}

    def extra_km_tenths(self):
        """Other services' kilometres in tenths, counted in the budget (none: 0)."""
        return 0

    def extra_held_at(self, host: str):
        """Other services held at ``host``, counted by ``must_host`` (none: 0)."""
        return 0

    def set_objective(self) -> None:
        """Maximise level 1 (need-weighted people with diminishing returns minus travel, integers of
        ``SCALE``) times :attr:`lex`, minus the whole kilometres (level 2, a tie-break)."""
        tw = self.rules.travel_weight
        terms = []
        for (i, k), y in self.y.items():
            terms.append(math.ceil(SCALE * self.weights[i] * self.rules.repeat_value**k - 1e-9) * y)
        costs = [math.floor(SCALE * tw * c.km + 1e-9) * self.x[i] for i, c in enumerate(self.cands.free)]
        for (h, rid, i), v in self.p.items():
            pen = self.weights[i] * attendance_penalty(self.problem, i, h, self.res[rid])
            if pen > 0:
                costs.append(math.floor(SCALE * pen + 1e-9) * v)
        const = -math.floor(SCALE * tw * sum(c.km for c in self.cands.fixed) + 1e-9)
        if self.stability is not None:
            terms += self.stability.objective_terms(self, SCALE)
        level1 = _sum(terms) - _sum(costs) + const
        tie = _sum(tie_km(c.km, self.km_unit) * self.x[i] for i, c in enumerate(self.cands.free))
        self.m.maximize(self.lex * level1 - tie)

    # --- hints and extraction ----------------------------------------------------------------

    def in_window_order(
        self, chosen: list[tuple[Candidate, dict[str, int]]]
    ) -> list[tuple[Candidate, dict[str, int]]]:
        """``chosen`` with interchangeable windows permuted so that earlier ones hold at least as
        many series (:meth:`rule_window_symmetry`), every series keeping its host and slot."""
        index = {(c.resource, c.host, c.weekday, c.slot, c.block): c for c in self.cands.free}
        count: dict[tuple[str, int, int], int] = defaultdict(int)
        for c, _ in chosen:
            if not c.locked:
                count[(c.resource, c.weekday, c.block)] += 1
        moved: dict[tuple[str, int, int], int] = {}
        for rid, wd, bs in self.same_windows:
            busiest = sorted(bs, key=lambda b: (-count[(rid, wd, b)], b))
            moved |= {(rid, wd, old): new for old, new in zip(busiest, bs, strict=True)}
        out = []
        for c, take in chosen:
            new = moved.get((c.resource, c.weekday, c.block), c.block)
            out.append(
                (index.get((c.resource, c.host, c.weekday, c.slot, new), c) if not c.locked else c, take)
            )
        return out

    def hint(self, chosen: list[tuple[Candidate, dict[str, int]]]) -> None:
        """Give a feasible solution (e.g. the greedy plan) as a starting point."""
        chosen = self.in_window_order(chosen)
        index = {c: i for i, c in enumerate(self.cands.free)}
        on = {index[c] for c, _ in chosen if c in index}
        for i, v in enumerate(self.x):
            self.m.add_hint(v, i in on)
        for lane, u in self.used.items():
            self.m.add_hint(u, any(i in on for i in self.lanes[lane]))
        for site, n in self.count_vars.items():
            self.m.add_hint(n, sum(i in on for i in self.by_site[site]) + len(self.fixed_by_site[site]))
        given: dict[tuple[str, str, str], int] = defaultdict(int)
        for c, take in chosen:
            for code, n in take.items():
                given[(c.host, c.resource, code)] += n
        total: dict[str, int] = defaultdict(int)
        for key, v in self.p.items():
            self.m.add_hint(v, given.get(key, 0))
            total[key[2]] += given.get(key, 0)
        for (i, k), y in self.y.items():
            last = (i, k + 1) not in self.y
            width = total[i] - k * self.group
            self.m.add_hint(y, max(0, width if last else min(self.group, width)))

    def extract(self, solver: cp_model.CpSolver) -> list[tuple[Candidate, dict[str, int]]]:
        """Chosen series with their participants by commune, from a solved model."""
        out = []
        lo = self.rules.min_participants
        for site in self.sites:
            h, rid = site
            series = list(self.fixed_by_site[site]) + [
                self.cands.free[i] for i in self.by_site[site] if solver.value(self.x[i])
            ]
            if not series:
                continue
            people = {
                i: solver.value(self.p[(h, rid, i)]) for i in self.cands.catchment[h] if (h, rid, i) in self.p
            }
            caps = self.cands.caps(self.problem, rid, h)
            bounds = [(0 if c.locked else min(lo, self.cap(c)), self.cap(c)) for c in series]
            takes = split_among_series(people, bounds, [caps] * len(series))
            if takes is None:  # a locked series below the threshold: fill in order, as before
                takes = _fill_in_order(people, [self.cap(c) for c in series], lo, caps)
            out.extend(zip(series, takes, strict=True))
        return out


def _fill_in_order(
    people: dict[str, int], caps_of_series: list[int], lo: int, caps: dict[str, int]
) -> list[dict[str, int]]:
    """Sizes from :func:`series_sizes`, filled commune by commune within the per-series caps."""
    left = dict(people)
    out = []
    for size in series_sizes(sum(people.values()), caps_of_series, lo):
        take: dict[str, int] = {}
        for i in left:
            k = min(size - sum(take.values()), left[i], caps.get(i, 0))
            if k > 0:
                take[i] = k
                left[i] -= k
        out.append(take)
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
        lex: int = 1,
    ) -> None:
        super().__init__()
        self.lex = lex
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
                        level_one(self.best, self.lex) + self.offset[0],
                        level_one_bound(max(self.bound, self.best), self.lex) + self.offset[1],
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


def level_one(objective: float, lex: int) -> float:
    """Level 1 of the objective (people) from the model's ``lex · L − km`` (``0 ≤ km < lex``)."""
    return math.ceil(objective / lex - 1e-9) / SCALE


def level_one_bound(bound: float, lex: int) -> float:
    """A valid bound of level 1 (people) from a bound of the model's ``lex · L − km``."""
    return ((math.floor(bound + 1e-6) + lex - 1) // lex) / SCALE


def solve_stoppable(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    stop: threading.Event | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> int:
    """``solver.solve(model, callback)``, stopped within 50 ms once ``stop`` is set (« Arrêter »)."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if stop is not None and stop.is_set():
                solver.stop_search()
                return

    if stop is not None:
        threading.Thread(target=watch, daemon=True).start()
    try:
        return solver.solve(model, callback)
    finally:
        done.set()


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
    monitor = _Monitor(solver, params.gap, on_progress, stop, offset, model.lex)
    solver.best_bound_callback = monitor.on_bound
    if stop is not None and stop.is_set():
        return None
    code = solve_stoppable(solver, model.m, stop, monitor)
    if code == cp_model.INFEASIBLE or code == cp_model.MODEL_INVALID:
        raise InfeasibleError(_infeasible_message(problem))
    bound = solver.best_objective_bound
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        proven = monitor.bound  # only bounds the search reported; never CP-SAT's default 0
        return Choice(
            [],
            "UNKNOWN",
            -math.inf,
            level_one_bound(proven, model.lex) if math.isfinite(proven) else math.inf,
        )
    status = "OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE"
    if stop is not None and stop.is_set() and code != cp_model.OPTIMAL:
        status = "STOPPED"
    return Choice(
        model.extract(solver),
        status,
        level_one(solver.objective_value, model.lex),
        level_one_bound(bound, model.lex),
    )


def _infeasible_message(problem: PlanningProblem) -> str:
    """What can make the model infeasible: locked sessions, imposed hosts, a km budget."""
    names = {c.code_insee: c.name for c in problem.territory.communes}
    parts = []
    if problem.locked:
        parts.append("les séances verrouillées")
    if problem.must_host:
        parts.append("un parcours à " + ", ".join(names.get(h, h) for h in problem.must_host))
    if problem.rules.km_budget > 0:
        parts.append(f"le budget de {problem.rules.km_budget:.0f} km")
    what = " et ".join(parts) or "les séances verrouillées"
    return (
        f"aucun plan ne respecte à la fois {what} avec ces règles : vérifiez les dates, les lieux, le seuil "
        "de participants et le budget, ou relâchez une de ces exigences"
    )


def trivial_bound(problem: PlanningProblem, cands: Candidates) -> float:
    """An easy upper bound: people available, or total seats of every free slot, whichever is less."""
    people = sum(cands.people.values())
    seats = 0
    res = {r.id: r for r in problem.resources}
    for (rid, _wd), windows in cands.windows.items():
        seats += len(windows) * cands.slots[rid] * res[rid].seats
    seats += sum(res[c.resource].seats for c in cands.fixed)
    return float(min(people, seats))
