"""A Lagrangian bound of the season problem: people priced, each resource on its own, in whole series.

The linear bounds (:mod:`planner.optimise.bound`, :mod:`planner.optimise.patterns`) may hold half
a series at a host: 1.5 series of 8 seats counting 12 people of a commune's first group, where
whole series count 8 (one) or 16, of which 4 in the second group (two). Pricing people removes
the coupling that hides this:

    ``L(λ) = Σ_i Σ_k width_k · max(0, v_ik − λ_i) + Σ_r U_r(λ)``

where ``λ_i`` is the price of a person of commune ``i``, ``v_ik`` the value of one in its
``k``-th group of diminishing returns, and ``U_r(λ)`` any upper bound of what resource ``r``
earns alone when every person of ``i`` it counts at host ``h`` earns ``λ_i − penalty(i, h)``.
For every ``λ``, ``L(λ)`` bounds the whole problem from above: the rows ``Σ_{h,r} p[h,r,i] =
Σ_k y[i,k]`` are moved into the objective with the multipliers ``λ``, which leaves the value of
every plan unchanged, and the maximum then splits into the communes' groups and the resources.

With prices fixed, a site (host, resource) earns ``f(n)`` with ``n`` whole series, exactly
(:func:`site_earnings`: the best-priced people within the caps, the seats and the threshold).
``U_r`` is the column-generation bound over day patterns (:mod:`planner.optimise.patterns`)
of the resource alone, where a site earns the concave envelope of ``f`` at whole numbers of
series — never more than ``f`` at a whole number, hence still an upper bound of every plan, and
no longer the value of half series. The prices come from the linear bound's duals, where ``L``
equals the linear bound itself with the envelope replaced by the continuous relaxation; the
envelope can only lower it.
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from planner.model import Resource
from planner.optimise.bound import SAFETY
from planner.optimise.candidates import Candidates, host_cap
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights
from planner.optimise.patterns import RC_EPS, DayFrame, best_patterns, day_column, single_sessions
from planner.problem import PlanningProblem

#: Most whole series of one site considered (beyond, the envelope's last slope goes on: a site
#: never holds that many in a season of windows).
MAX_SITE_SERIES = 60


def site_earnings(
    problem: PlanningProblem,
    cands: Candidates,
    r: Resource,
    host: str,
    prices: Mapping[str, float],
    fixed: int,
    most: int,
    weights: Mapping[str, float] | None = None,
) -> list[float]:
    """``f(n)`` for ``n = fixed … `` while feasible (at most ``most``): what ``n`` whole series of
    ``r`` at ``host`` earn when a person of ``i`` earns ``prices[i] − penalty``.

    Each commune gives at most its pool (the host) or ``min(pool, cap · n)`` (a neighbour), the
    series together at most ``seats · n`` and at least ``threshold · (n − fixed)`` (locked series
    have no threshold): the best-earning people first, the least-losing ones only to reach the
    threshold. Stops at the first ``n`` that cannot reach it. ``weights``: :func:`person_weights`
    (given when many sites are priced).
    """
    weights = person_weights(problem, cands.group) if weights is None else weights
    caps = cands.caps(problem, r.id, host)
    pools = cands.pools(problem, r.id, host)
    seats = host_cap(problem, host, r.seats)
    lo = problem.rules.min_participants
    offer = sorted(
        (
            (prices[i] - weights.get(i, 0.0) * attendance_penalty(problem, i, host, r), i)
            for i, cap in caps.items()
            if cap > 0 and cands.people.get(i, 0) > 0 and i in prices
        ),
        reverse=True,
    )
    earn = np.array([e for e, _ in offer], dtype=float)
    pool = np.array([pools[i] for _, i in offer], dtype=np.int64)
    cap = np.array([pools[i] if i == host else caps[i] for _, i in offer], dtype=np.int64)
    own = np.array([i == host for _, i in offer], dtype=bool)
    gain = earn > 0
    ns = np.arange(fixed, most + 1)
    can = np.where(own[None, :], pool[None, :], np.minimum(pool[None, :], cap[None, :] * ns[:, None]))
    room = seats * ns
    # the best-earning people first, within the seats (offers are sorted by earning)
    first = np.where(gain[None, :], can, 0)
    before = np.cumsum(first, axis=1) - first
    take = np.clip(np.minimum(first, room[:, None] - before), 0, None)
    # then, to reach the threshold, the least-losing of the others
    need = np.maximum(lo * (ns - fixed) - take.sum(axis=1), 0)
    rest = np.where(gain[None, :], 0, can)
    before = np.cumsum(rest, axis=1) - rest
    extra = np.clip(np.minimum(rest, need[:, None] - before), 0, None)
    ok = extra.sum(axis=1) >= need
    stop = int(np.argmin(ok)) if not ok.all() else len(ns)
    return [float(v) for v in ((take + extra) @ earn)[:stop]]


def envelope_slopes(values: list[float]) -> list[float]:
    """Slopes, unit by unit, of the upper concave envelope of ``(k, values[k])`` (non-increasing)."""
    hull: list[int] = []
    for k in range(len(values)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (values[b] - values[a]) * (k - a) <= (values[k] - values[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(k)
    slopes = []
    for a, b in itertools.pairwise(hull):
        slopes += [(values[b] - values[a]) / (b - a)] * (b - a)
    return slopes


def _runs(slopes: list[float]) -> list[tuple[float, int]]:
    """Equal consecutive slopes merged: ``(slope, how many units)`` (one variable per run)."""
    out: list[tuple[float, int]] = []
    for x in slopes:
        if out and abs(out[-1][0] - x) <= 1e-12 * max(1.0, abs(x)):
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((x, 1))
    return out


@dataclass
class ResourceBound:
    """``U_r(λ)``, and whether its column generation finished (else the Lagrangian lift of the
    last round, still a bound)."""

    value: float
    finished: bool
    #: ``(frame key, pattern)`` of the days generated beyond single sessions: a warm start for the
    #: master of every resource together (:func:`planner.optimise.patterns.pattern_bound`)
    days: list = field(default_factory=list)
    #: host -> dual of its series row at the last round: what one more series there earns (a
    #: stabilisation centre for the master of every resource, :func:`planner.optimise.whole_bound.whole_day_bound`)
    site_duals: dict = field(default_factory=dict)
    #: ``(frame key, slot, host) -> dual`` of the windows open to that slot, at the last round
    limit_duals: dict = field(default_factory=dict)


def resource_bound(
    problem: PlanningProblem,
    cands: Candidates,
    r: Resource,
    frames: list[DayFrame],
    prices: Mapping[str, float],
    *,
    deadline: float,
    weights: Mapping[str, float] | None = None,
) -> ResourceBound:
    """``U_r(λ)``: column generation over the day patterns of ``r`` alone, sites earning the
    envelope of :func:`site_earnings` (module docstring)."""
    fixed: dict[str, int] = defaultdict(int)
    for c in cands.fixed:
        if c.resource == r.id:
            fixed[c.host] += 1
    hosts = {h for f in frames for hs in f.hosts for h in hs} | set(fixed)
    weights = person_weights(problem, cands.group) if weights is None else weights
    lanes = sum(f.blocks * len(f.hosts) for f in frames)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    objective = solver.Objective()
    objective.SetMaximization()
    const = 0.0
    site_row = {}
    for h in sorted(hosts):
        most = min(MAX_SITE_SERIES, fixed[h] + lanes, max((f.most.get(h, 0) for f in frames), default=0))
        f_n = site_earnings(problem, cands, r, h, prices, fixed[h], max(most, fixed[h]), weights)
        if not f_n:
            return ResourceBound(math.inf, False)  # a locked series the threshold cannot hold: no bound
        const += f_n[0]
        row = solver.Constraint(0.0, 0.0)  # Σ segments − Σ count·w = 0
        for slope, length in _runs(envelope_slopes(f_n)):
            d = solver.NumVar(0.0, float(length), "")
            objective.SetCoefficient(d, slope)
            row.SetCoefficient(d, 1.0)
        site_row[h] = row
    day_row = {f.key: solver.Constraint(-inf, float(f.blocks)) for f in frames}
    limit_row = {
        (f.key, s, h): solver.Constraint(-inf, float(ub)) for f in frames for (s, h), ub in f.limit.items()
    }
    travel = problem.rules.travel_weight
    columns: dict = {}

    def add(f: DayFrame, pat: tuple[int, ...]) -> bool:
        if (f.key, pat) in columns:
            return False
        w = solver.NumVar(0.0, inf, "")
        day_row[f.key].SetCoefficient(w, 1.0)
        col = day_column(f, pat)
        for s, h in col.limited:
            limit_row[(f.key, s, h)].SetCoefficient(w, 1.0)
        for h, c in col.count.items():
            site_row[h].SetCoefficient(w, -float(c))
        if travel:
            objective.SetCoefficient(w, -travel * col.km)
        columns[(f.key, pat)] = w
        return True

    for f in frames:
        for pat in single_sessions(f):
            add(f, pat)
    singles = len(columns)
    best = math.inf
    while _time.monotonic() < deadline:
        solver.SetTimeLimit(max(1, int(1000 * (deadline - _time.monotonic()))))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        lp = objective.Value() + const
        duals = {h: row.dual_value() for h, row in site_row.items()}
        lift, offers = 0.0, []
        for f in frames:
            gains = []
            for s, hs in enumerate(f.hosts):
                g = [duals[h] - travel * float(f.km[s][j]) for j, h in enumerate(hs)]
                for j, h in enumerate(hs):
                    if (f.key, s, h) in limit_row:
                        g[j] -= limit_row[(f.key, s, h)].dual_value()
                gains.append(np.asarray(g, dtype=float))
            found = best_patterns(f, gains, extra=8)
            day = day_row[f.key].dual_value()
            lift += f.blocks * max(0.0, found[0][0] - day)
            offers += [(f, pat) for v, pat in found if v - day > RC_EPS]
        best = min(best, lp + lift)
        limits = {key: row.dual_value() for key, row in limit_row.items()}
        if not sum(add(f, pat) for f, pat in offers):
            return ResourceBound(min(best, lp), True, list(columns)[singles:], duals, limits)
    return ResourceBound(best, False, list(columns)[singles:])


def commune_part(problem: PlanningProblem, cands: Candidates, prices: Mapping[str, float]) -> float:
    """``Σ_i Σ_k width_k · max(0, v_ik − λ_i)`` over the communes some site can count."""
    weights = person_weights(problem, cands.group)
    g = cands.group
    total = 0.0
    for i, lam in prices.items():
        u = cands.people[i]
        k_groups = min(MAX_GROUPS, -(-u // g))
        for k in range(k_groups):
            width = u - k * g if k == k_groups - 1 else g
            total += width * max(0.0, weights[i] * problem.rules.repeat_value**k - lam)
    return total


def lagrangian_bound(
    problem: PlanningProblem,
    cands: Candidates,
    frames: list[DayFrame],
    prices: Mapping[str, float],
    *,
    time_limit_s: float = 30.0,
) -> tuple[float, dict[str, ResourceBound]]:
    """``L(λ)`` (module docstring); ``inf`` when a resource's bound did not finish in time.

    Not for problems with a km budget or communes that must host (their rows couple the
    resources too): the caller keeps the linear bound there.
    """
    deadline = _time.monotonic() + time_limit_s
    total = commune_part(problem, cands, prices) - problem.rules.travel_weight * sum(
        c.km for c in cands.fixed
    )
    # a commune no site counts has no price: it earns nothing either way
    parts = {}
    weights = person_weights(problem, cands.group)
    for r in problem.resources:
        mine = [f for f in frames if f.resource.id == r.id]
        part = resource_bound(problem, cands, r, mine, prices, deadline=deadline, weights=weights)
        parts[r.id] = part
        total += part.value
    # GLOP's tolerances: the same relative slack as the other bounds, so that it never falls short
    return total + SAFETY * max(1.0, abs(total)), parts
