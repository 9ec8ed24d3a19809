"""The day-pattern bound of the whole problem, fast enough for a region.

:class:`planner.optimise.patterns.PatternMaster` is built through pywraplp and re-solved from scratch each round: on the
region (1,754 communes, 12 resources: 328,476 rows, 400,000 columns) ~7 s to build and ~6 s a
round, since GLOP through MPSolver drops its basis whenever a column is added. ``WholeMaster``
holds the same programme as arrays and hands it to GLOP through MathOpt's solver core with the
last basis (~70 simplex iterations a round instead of ~17,000). Its duals are degenerate, so
:func:`whole_day_bound` stabilises them (a box around the resources' Lagrangian duals) and takes
as bound only values computed from the duals themselves (:meth:`WholeMaster.people_bound`,
:meth:`WholeMaster.lagrangian`), valid at any duals. Region: converged in ~50 s (6 rounds).

Memory (issue 11, region ≤ 2 GB): a GLOP instance of the region's master holds ~500 MiB, so
there is one: :meth:`WholeMaster.people_bound` solves its programme in the master's own solver
(the days' columns fixed at zero), and is skipped in rounds where it cannot lower the bound
(:meth:`WholeMaster.people_floor`); :func:`trim_heap` hands back what glibc keeps free. The
master beside an LP of the region peaks at ~1,270 MiB instead of ~1,970 (``bench/memory_region.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import threading
import time as _time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
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
from pybind11_abseil.status import StatusNotOk

from planner.optimise.bound import SAFETY, people_rows
from planner.optimise.candidates import Candidates
from planner.optimise.patterns import (
    RC_EPS,
    DayFrame,
    Pattern,
    PatternBound,
    best_patterns,
    day_column,
    day_frames,
    held_days,
    single_sessions,
)
from planner.problem import PlanningProblem

_GLOP = parameters_pb2.SOLVER_TYPE_GLOP
_AT_LOWER = solution_pb2.BASIS_STATUS_AT_LOWER_BOUND
_FIXED = solution_pb2.BASIS_STATUS_FIXED_VALUE
_BASIC = solution_pb2.BASIS_STATUS_BASIC


_LIBC = ctypes.util.find_library("c")


def trim_heap() -> None:
    """Hand the allocator's free pages back to the system (glibc's ``malloc_trim``; elsewhere a
    no-op).

    The LP and the master's rounds leave hundreds of MiB free inside glibc's arenas, counted in
    the process's memory until reused; the master runs in its own thread, hence its own arena,
    and cannot reuse what the LP freed in the main one.
    """
    if _LIBC is None:
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(_LIBC).malloc_trim(0)


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
    (written as arrays), the km budget and the communes that must host. ``n``
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
        self.need_row = people_rows(a, problem, cands, n_of, fixed_count)
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
        self._people_basis: solution_pb2.BasisProto | None = None  # of P(σ), people_bound
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

        ``P(σ)`` is solved by the master's own GLOP (its columns after ``boxed`` fixed at zero,
        the dualised rows freed, then put back): a second solver would hold a second copy of
        the programme (~450 MiB on the region). Before the master's first solve it is built
        alone and dropped.
        """
        boxed = self.boxed
        y = np.asarray(duals, dtype=float)
        obj = self._people_objective(y)
        params = parameters_pb2.SolveParametersProto()
        params.glop.use_preprocessing = False
        model_params = model_parameters_pb2.ModelSolveParametersProto()
        if self._solver is None:  # before the master's first solve: P(σ) alone, not kept
            solver = _mathopt_core.new(
                _GLOP, self._people_model(obj), parameters_pb2.SolverInitializerProto()
            )
        else:
            solver = self._solver
            for u in self._flush():
                if not solver.update(u):
                    self._solver = None  # rebuilt by the next solve
                    return math.inf
            if not solver.update(self._people_update(obj, True)):
                self._solver = None
                return math.inf
            if self._people_basis is None:  # from the master's basis GLOP fails: all slacks
                self._people_basis = solution_pb2.BasisProto()
                self._people_basis.constraint_status.ids.extend(range(len(self.lo)))
                self._people_basis.constraint_status.values.extend([_BASIC] * len(self.lo))
                self._people_basis.variable_status.ids.extend(range(boxed))
                self._people_basis.variable_status.values.extend([_AT_LOWER] * boxed)  # lb = 0
            basis = model_params.initial_basis
            basis.CopyFrom(self._people_basis)
            known = len(basis.variable_status.ids)  # columns added since: fixed at zero in P(σ)
            basis.variable_status.ids.extend(range(known, len(self.lb)))
            basis.variable_status.values.extend([_FIXED] * (len(self.lb) - known))
        try:
            result = solver.solve(
                params, model_params, None, callback_pb2.CallbackRegistrationProto(), None, None
            )
        except StatusNotOk:  # GLOP gave up (ABNORMAL): no bound from these duals
            if solver is self._solver:
                self._solver = None  # in an unknown state: rebuilt by the next solve
            return math.inf
        if solver is self._solver and not solver.update(self._people_update(obj, False)):
            self._solver = None
        if result.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL or not result.solutions:
            return math.inf
        sol = result.solutions[0]
        if sol.HasField("basis"):
            self._people_basis = solution_pb2.BasisProto()
            self._people_basis.CopyFrom(sol.basis)
        value = float(sol.primal_solution.objective_value)
        value += SAFETY * max(1.0, abs(value))  # GLOP's tolerances
        return value + self._people_rest(y, best)

    def people_floor(self, duals: np.ndarray, best: list[float]) -> float:
        """A value :meth:`people_bound` is not under at these duals, without solving ``P(σ)``.

        The master's last solution, restricted to the people's columns, is a point of ``P(σ)``
        (its rows are the master's, less the dualised ones): its value there is at most
        ``P(σ)``'s optimum. :func:`whole_day_bound` skips :meth:`people_bound` when this already
        reaches the least bound so far (up to GLOP's tolerances on that point).
        """
        y = np.asarray(duals, dtype=float)
        obj = self._people_objective(y)
        value = float(obj @ self.values[: self.boxed]) if len(self.values) else -math.inf
        value += SAFETY * max(1.0, abs(value))
        return value + self._people_rest(y, best)

    def _people_objective(self, y: np.ndarray) -> np.ndarray:
        """``P(σ)``'s objective: the boxed columns', each series ``n`` costing its site's dual."""
        obj = self.obj[: self.boxed].copy()
        obj[self._n_cols] -= y[self._n_rows]
        return obj

    def _people_rest(self, y: np.ndarray, best: list[float]) -> float:
        """:meth:`people_bound` but ``P(σ)``: the dualised rows' bounds and the days' gains."""
        d = self._dualised
        return _rows_part(y[d], self.lo[d], self.hi[d]) + self._days_part(best) + self.const

    def _days_part(self, best: list[float]) -> float:
        """The days of each frame, at most ``B_f``, each earning at most ``best[f]`` (patterns
        with gains under ``RC_EPS`` skipped: ``RC_EPS`` a slot)."""
        return float(
            sum(
                f.blocks * (max(0.0, b) + len(f.hosts) * RC_EPS)
                for f, b in zip(self.frames, best, strict=True)
            )
        )

    def _people_model(self, obj: np.ndarray) -> model_pb2.ModelProto:
        """``P(σ)`` alone (the columns before ``boxed``, the dualised rows free), objective ``obj``."""
        boxed = self.boxed
        m = model_pb2.ModelProto()
        _fill_variables(m.variables, 0, self.lb[:boxed], self.ub[:boxed])
        m.objective.maximize = True
        m.objective.linear_coefficients.ids.extend(range(boxed))
        m.objective.linear_coefficients.values.extend(obj.tolist())
        lo, hi = self.lo.copy(), self.hi.copy()
        lo[self._dualised], hi[self._dualised] = -math.inf, math.inf
        m.linear_constraints.ids.extend(range(len(lo)))
        m.linear_constraints.lower_bounds.extend(lo.tolist())
        m.linear_constraints.upper_bounds.extend(hi.tolist())
        mask = self.cols < boxed
        _fill_matrix(m.linear_constraint_matrix, self.rows[mask], self.cols[mask], self.vals[mask])
        return m

    def _people_update(self, obj: np.ndarray, into: bool) -> model_update_pb2.ModelUpdateProto:
        """The master's solver into ``P(σ)`` (objective ``obj``), or back (``into`` false)."""
        boxed = self.boxed
        update = model_update_pb2.ModelUpdateProto()
        update.objective_updates.linear_coefficients.ids.extend(range(boxed))
        update.objective_updates.linear_coefficients.values.extend(
            (obj if into else self.obj[:boxed]).tolist()
        )
        after = len(self.lb) - boxed
        update.variable_updates.upper_bounds.ids.extend(range(boxed, len(self.lb)))
        update.variable_updates.upper_bounds.values.extend(
            [0.0] * after if into else self.ub[boxed:].tolist()
        )
        rows = self._dualised.tolist()
        for bounds, free, own in (
            (update.linear_constraint_updates.lower_bounds, -math.inf, self.lo),
            (update.linear_constraint_updates.upper_bounds, math.inf, self.hi),
        ):
            bounds.ids.extend(rows)
            bounds.values.extend([free] * len(rows) if into else own[self._dualised].tolist())
        return update

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
        boxed = self.boxed
        mask = self.cols < boxed
        rc = self.obj[:boxed] - np.bincount(  # reduced costs of n, p, y
            self.cols[mask], weights=y[self.rows[mask]] * self.vals[mask], minlength=boxed
        )
        box = np.maximum(rc * self.lb[:boxed], rc * self.ub[:boxed]).sum()
        return float(_rows_part(y, self.lo, self.hi) + box + self._days_part(best) + self.const)


def _rows_part(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """``Σ_r y_r · hi_r`` (``y_r > 0``) or ``y_r · lo_r`` (``y_r < 0``): the rows moved into the
    objective, at their bounds."""
    with np.errstate(invalid="ignore"):
        return float(np.where(y > 0, y * hi, np.where(y < 0, y * lo, 0.0)).sum())


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
    extra: int = 0,
    tolerance: float = 1e-6,
    log: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    centre_bound: float | None = None,
) -> PatternBound:
    """The day-pattern bound of the whole problem (column generation on :class:`WholeMaster`).

    Each round solves the master from its last basis and prices the days of every frame. The
    master's own duals are degenerate (a site the master does not use may be priced anywhere in
    a wide interval, and the bound at those duals stays far above its value until the very last
    rounds), so the duals are *stabilised* around a centre — first what a series earns at each
    site in its resource's Lagrangian subproblem at the LP's prices (``parts``), then the duals
    of the least bound so far (boxstep): the site duals are kept within ``centre ± box · mean |centre|`` by two columns per
    site (:meth:`WholeMaster.set_box`); the box moves to the master's duals when they give a lower
    bound, widens when it holds them back. Without a centre (no ``parts``) or with ``box = 0`` it
    is plain column generation.

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
    extra
        Further days per frame and pricing through its best hosts (:func:`best_patterns`).
    tolerance
        Stop when the bound is within this fraction of the master's value.
    log
        Called with one line per round.
    stop
        Once set, no further round starts (« Arrêter » while it runs beside the search).
    centre_bound
        The Lagrangian bound that gave ``parts`` (:func:`planner.optimise.lagrange.lagrangian_bound`),
        when the caller has it: the first centre's value, instead of a pricing pass and a people
        programme at the centre (~10 s of the region's first round under load, for a value within
        0.1 of it: 4,883.75 against 4,883.65).

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
    if box > 0 and parts and all(p.site_duals for p in parts.values()):
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
        if centre_bound is not None and math.isfinite(centre_bound):
            centre_value = centre_bound  # a bound already: the box moves when a round beats it
        else:
            centre_value = master.people_bound(centre, price(centre, 0)[0])
        bound = min(bound, centre_value)
    history: list[tuple[float, float, float]] = []
    rounds = 0
    skipped = 0  # rounds whose people_bound could not lower the bound
    status = "STOPPED"
    true_lp = -math.inf
    boxed = centre is not None
    if boxed:
        sites = master._n_rows
        scale = float(np.mean(np.abs(centre[sites]))) or 1.0
        delta = box * scale
        master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
    while True:
        left = time_limit_s - (_time.monotonic() - t0)
        if left <= 0 or (stop is not None and stop.is_set()) or not master.solve(left):
            break
        rounds += 1
        y = master.duals
        best, found = price(y, extra)
        if boxed:
            # the master's point already values P(σ) at or above the least bound so far: nothing
            # people_bound could find (the bound and the centre move only below it)
            floor = master.people_floor(y, best)
            if floor - 10 * SAFETY * max(1.0, abs(floor)) >= centre_value:
                value, skipped = math.inf, skipped + 1  # not solved: no bound of its own
            else:
                value = master.people_bound(y, best)
        else:  # plain column generation: the master's own duals
            value = master.lagrangian(y, best)
            value += SAFETY * max(1.0, abs(value))  # floating-point sums over 10⁶ terms: the same slack
        bound = min(bound, value)
        added = sum(master.add(frames[fi], pat) for fi, v, pat in found if v - y[day_rows[fi]] > RC_EPS)
        boxed_out = boxed and master.box_used() > 1e-9
        if not boxed_out:
            true_lp = master.lp
        if boxed and value < centre_value:
            centre, centre_value = y.copy(), value
            master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
        elif boxed and not added and boxed_out:  # the box holds the duals back: widen it
            delta *= 4.0
            master.set_box(sites, centre[sites] - delta, centre[sites] + delta)
        trim_heap()  # the round's solver results and pricing arrays
        history.append((_time.monotonic() - t0, true_lp, bound))
        if log is not None:
            log(
                f"round {rounds}: lp {master.lp:.3f} (own {true_lp:.3f}) bound {bound:.3f} added {added}"
                + (f" box {delta:.4f} skipped {skipped}" if boxed else "")
                + f" ({history[-1][0]:.1f} s)"
            )
        if (not added and not boxed_out) or bound - true_lp <= tolerance * max(1.0, abs(bound)):
            status = "OPTIMAL"  # no day gains at the master's own duals, or the bound meets its value
            break
    value = bound  # every term already carries its slack (SAFETY)
    windows = {
        key: master.values[c] for key, c in master.columns.items() if rounds and 0 <= c < len(master.values)
    }
    patterns, site_series = held_days(frames, windows)
    return PatternBound(
        value,
        true_lp,
        status,
        rounds,
        len(master.columns),
        _time.monotonic() - t0,
        patterns,
        site_series,
        history,
        frames=frames,
    )
