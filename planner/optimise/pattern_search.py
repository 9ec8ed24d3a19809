"""A season plan searched over whole resource days: CP-SAT on day patterns, then put on dates.

The CP-SAT model of :mod:`planner.optimise.cpsat` decides every (window, slot, host) on its own;
on a team's day of three sessions its search spends its time on windows that are all alike. Here
a day is one decision: for each (resource, weekday), CP-SAT chooses how many windows hold each
*day pattern* (a host or nothing per slot, every pair drivable: :mod:`planner.optimise.patterns`),
with the same people, thresholds, caps and diminishing returns as the CP-SAT model. The patterns
are every drivable day over a short list of hosts per resource — the hosts the bounds' linear
programmes hold series at — so the model stays small and CP-SAT often proves it optimal for
those hosts within seconds.

The search starts from the programme's own days in whole windows (:func:`programme_days`): CP-SAT
over those few dozen patterns alone proves its best in well under a second, and that plan is a
far better start than the greedy plan (+10–15 % on the region's teams), kept even when the
machine is too busy for the wider search to improve it.

The days are then put on dates (:func:`to_windows`): each pattern's copies go to windows of its
weekday where every one of its series is an existing candidate (requests' blackout dates and
locked sessions checked there). The result is a list of chosen candidates with their people,
ready as a plan or as a complete starting point for the CP-SAT model.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Collection, Mapping

import numpy as np
from ortools.sat.python import cp_model

from planner.optimise.candidates import Candidate, Candidates, host_cap
from planner.optimise.cpsat import SCALE, solve_stoppable
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, person_weights, series_value
from planner.optimise.patterns import DayFrame, Pattern, PatternBound, day_column
from planner.problem import PlanningProblem, SolveParams
from planner.territory.catchment import split_among_series

#: Share of the days' search given to the programme's own days first (it is usually proven sooner).
FIRST_SHARE = 0.2
#: Growth of the hosts' list when CP-SAT has proven its plan for the shorter one, and the fewest
#: seconds left worth a wider search.
WIDEN = 1.6
WIDEN_MIN_S = 2.0
#: Most patterns offered for one (resource, weekday): the hosts list is shortened until they fit.
MAX_PATTERNS = 30_000
#: Hosts per resource whose drivable days are offered: those the linear programme holds series
#: at, then the best priced. A team holds ~60 series a year, mostly one per village.
DAY_HOSTS = 60

Chosen = list[tuple[Candidate, dict[str, int]]]


def drivable_days(frame: DayFrame, hosts: Collection[str], limit: int = MAX_PATTERNS) -> list[Pattern]:
    """Every day pattern of ``frame`` over ``hosts`` (in their order of preference), at most
    ``limit``: the list of hosts is cut from its end until the patterns fit."""
    hosts = list(hosts)
    while True:
        found = _patterns_over(frame, hosts, limit)
        if found is not None:
            return found
        hosts = hosts[: max(1, int(len(hosts) * 0.85))]


def _patterns_over(frame: DayFrame, hosts: list[str], limit: int) -> list[Pattern] | None:
    """Every drivable day over ``hosts`` (each host at most its ``most`` series), or ``None``
    beyond ``limit``."""
    m = len(frame.hosts)
    opts = [
        np.array([frame.index[s][h] for h in hosts if h in frame.index[s]], dtype=np.int64) for s in range(m)
    ]
    out: list[Pattern] = []
    chosen = [-1] * m

    def go(s: int, live: list[np.ndarray], count: dict[str, int]) -> bool:
        if s == m:
            if any(j >= 0 for j in chosen):
                out.append(tuple(chosen))
            return len(out) <= limit
        if not go(s + 1, live, count):  # slot left free
            return False
        for j in live[s]:
            h = frame.hosts[s][j]
            if count.get(h, 0) >= frame.most.get(h, m):
                continue
            chosen[s] = int(j)
            count[h] = count.get(h, 0) + 1
            nxt = list(live)
            for t in range(s + 1, m):
                if len(nxt[t]):
                    nxt[t] = nxt[t][frame.compat[(s, t)][j, nxt[t]]]
            ok = go(s + 1, nxt, count)
            count[h] -= 1
            chosen[s] = -1
            if not ok:
                return False
        return True

    return out if go(0, opts, {}) else None


def solve_patterns(
    problem: PlanningProblem,
    cands: Candidates,
    frames: list[DayFrame],
    columns: Mapping[tuple[str, int], list[Pattern]],
    params: SolveParams,
    *,
    time_limit_s: float,
    hint: Chosen | None = None,
    stop: threading.Event | None = None,
) -> tuple[str, dict[tuple[tuple[str, int], Pattern], int], dict[tuple[str, str, str], int]]:
    """CP-SAT over whole windows of the ``columns`` patterns (module docstring).

    ``hint`` (chosen candidates, e.g. the greedy plan) starts the search: its days join the
    patterns offered. Returns the status, windows per pattern and participants
    ``(host, resource, commune) -> n``.
    """
    start = as_patterns(frames, hint or [])
    columns = {
        key: list(dict.fromkeys([*pats, *(p for (k, p) in start if k == key)]))
        for key, pats in columns.items()
    }
    rules = problem.rules
    lo = rules.min_participants
    res = {r.id: r for r in problem.resources}
    weights = person_weights(problem, cands.group)
    by_key = {f.key: f for f in frames}
    m = cp_model.CpModel()
    w = {}
    km_of = {}
    site_terms: dict[tuple[str, str], list] = defaultdict(list)
    for key, pats in columns.items():
        f = by_key[key]
        day = []
        limited: dict[tuple[int, str], list] = defaultdict(list)
        for pat in pats:
            v = m.new_int_var(0, f.blocks, "")
            w[(key, pat)] = v
            day.append(v)
            col = day_column(f, pat)
            km_of[(key, pat)] = col.km
            for h, c in col.count.items():
                site_terms[(h, key[0])].append(c * v)
            for slot_host in col.limited:
                limited[slot_host].append(v)
        m.add(sum(day) <= f.blocks)
        for s in range(len(f.hosts)):  # windows whose slot s a locked session leaves free
            open_ = len({c.block for c in cands.free if (c.resource, c.weekday, c.slot) == (*key, s)})
            if open_ < f.blocks:
                m.add(sum(w[(key, pat)] for pat in pats if pat[s] >= 0) <= open_)
        for (s, h), vs in limited.items():
            m.add(sum(vs) <= f.limit[(s, h)])
    fixed_count: dict[tuple[str, str], int] = defaultdict(int)
    for c in cands.fixed:
        fixed_count[(c.host, c.resource)] += 1
    taken: dict[str, list] = defaultdict(list)
    p_vars = {}
    costs = []
    for site in sorted(set(site_terms) | set(fixed_count)):
        h, rid = site
        r = res[rid]
        # one variable for the series of the site: its patterns are thousands of terms, and the
        # rows below name it once per commune of the catchment
        most = fixed_count.get(site, 0) + sum(f.blocks * len(f.hosts) for f in frames if f.resource.id == rid)
        n = m.new_int_var(0, most, "")
        m.add(n == sum(site_terms.get(site, [])) + fixed_count.get(site, 0))
        caps = cands.caps(problem, rid, h)
        pools = cands.pools(problem, rid, h)
        ps = []
        for i in cands.catchment[h]:
            if cands.people.get(i, 0) <= 0 or caps.get(i, 0) <= 0:
                continue
            p = m.new_int_var(0, pools[i], "")
            p_vars[(h, rid, i)] = p
            ps.append(p)
            if i != h:
                m.add(p <= caps[i] * n)
            pen = weights[i] * attendance_penalty(problem, i, h, r)
            if pen > 0:
                costs.append(math.floor(SCALE * pen + 1e-9) * p)
            taken[i].append(p)
        fixed = fixed_count.get(site, 0)
        m.add(sum(ps) <= host_cap(problem, h, r.seats) * n)
        fixed_lo = min(lo * fixed, cands.reachable(problem, rid, h)) if fixed else 0
        m.add(sum(ps) >= lo * (n - fixed) + fixed_lo)
    terms = []
    g = cands.group
    y_vars: dict[str, list] = {}
    for i, ps in taken.items():
        u = cands.people[i]
        k_groups = min(MAX_GROUPS, -(-u // g))
        ys = y_vars[i] = []
        for k in range(k_groups):
            width = u - k * g if k == k_groups - 1 else g
            y = m.new_int_var(0, width, "")
            ys.append(y)
            terms.append(math.ceil(SCALE * weights[i] * rules.repeat_value**k - 1e-9) * y)
        m.add(sum(ps) == sum(ys))
    tw = rules.travel_weight
    travel = []
    for key, v in w.items():
        if tw:
            travel.append(math.floor(SCALE * tw * km_of[key] + 1e-9) * v)
    m.maximize(sum(terms) - sum(costs) - sum(travel))
    if start:
        for key, v in w.items():
            m.add_hint(v, start.get(key, 0))
        given: dict[tuple[str, str, str], int] = defaultdict(int)
        for c, take in hint or []:
            for code, n in take.items():
                given[(c.host, c.resource, code)] += n
        total: dict[str, int] = defaultdict(int)
        for key, v in p_vars.items():
            m.add_hint(v, given.get(key, 0))
            total[key[2]] += given.get(key, 0)
        for i, ys in y_vars.items():  # the groups fill in order: a complete hint
            left = total[i]
            for k, y in enumerate(ys):
                fill = left if k == len(ys) - 1 else min(g, left)
                m.add_hint(y, fill)
                left -= fill
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.cp_model_probing_level = 0  # probing ate the time before the hint was loaded
    code = solve_stoppable(solver, m, stop)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "UNKNOWN", {}, {}
    counts = {k: solver.value(v) for k, v in w.items() if solver.value(v)}
    people = {k: solver.value(v) for k, v in p_vars.items() if solver.value(v)}
    return solver.status_name(code), counts, people


def as_patterns(frames: list[DayFrame], chosen: Chosen) -> dict[tuple[tuple[str, int], Pattern], int]:
    """The days of a plan (free series) as day patterns, counted: ``(frame key, pattern) -> windows``."""
    by_key = {f.key: f for f in frames}
    days: dict[tuple[str, int, int], list[Candidate]] = defaultdict(list)
    for c, _ in chosen:
        if not c.locked and (c.resource, c.weekday) in by_key:
            days[(c.resource, c.weekday, c.block)].append(c)
    out: dict[tuple[tuple[str, int], Pattern], int] = defaultdict(int)
    for (rid, wd, _b), series in days.items():
        f = by_key[(rid, wd)]
        pat = [-1] * len(f.hosts)
        for c in series:
            j = f.index[c.slot].get(c.host)
            if j is None:
                break
            pat[c.slot] = j
        else:
            out[((rid, wd), tuple(pat))] += 1
    return dict(out)


def to_windows(
    problem: PlanningProblem,
    cands: Candidates,
    frames: list[DayFrame],
    counts: Mapping[tuple[tuple[str, int], Pattern], int],
    people: Mapping[tuple[str, str, str], int],
) -> Chosen:
    """The chosen days put on dates (module docstring), with their people split among series.

    A pattern copy goes to the first free window of its weekday where each of its series is a
    candidate of ``cands``; a copy that fits no window loses the series that cannot be held (the
    others keep their window). People are then split among the series of each site
    (:func:`planner.territory.catchment.split_among_series`); a site whose people no longer split
    within the thresholds (a series was lost) is left out.
    """
    by_key = {f.key: f for f in frames}
    index = {(c.resource, c.host, c.weekday, c.slot, c.block): c for c in cands.free}
    series: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    used: dict[tuple[str, int], set[int]] = defaultdict(set)
    lo = problem.rules.min_participants
    # the most constrained patterns (those with limited hosts) take their windows first
    order = sorted(
        counts.items(),
        key=lambda kv: (
            -sum(
                1
                for s, j in enumerate(kv[0][1])
                if j >= 0 and (s, by_key[kv[0][0]].hosts[s][j]) in by_key[kv[0][0]].limit
            ),
            kv[0],
        ),
    )
    for (key, pat), copies in order:
        f = by_key[key]
        rid, wd = key
        blocks = len(cands.windows.get(key, ()))
        for _ in range(copies):
            best, best_held = None, -1
            for b in range(blocks):
                if b in used[key]:
                    continue
                held = sum(1 for s, j in enumerate(pat) if j >= 0 and (rid, f.hosts[s][j], wd, s, b) in index)
                if held > best_held:
                    best, best_held = b, held
                if held == sum(1 for j in pat if j >= 0):
                    break
            if best is None:
                continue
            used[key].add(best)
            for s, j in enumerate(pat):
                c = index.get((rid, f.hosts[s][j], wd, s, best)) if j >= 0 else None
                if c is not None:
                    series[(c.host, rid)].append(c)
    fixed_by_site: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in cands.fixed:
        fixed_by_site[(c.host, c.resource)].append(c)
    out: Chosen = []
    for site in sorted(set(series) | set(fixed_by_site)):
        h, rid = site
        r = next(x for x in problem.resources if x.id == rid)
        cap = host_cap(problem, h, r.seats)
        held = fixed_by_site.get(site, []) + series.get(site, [])
        take = {i: n for (hh, rr, i), n in people.items() if (hh, rr) == site}
        take = {i: take[i] for i in sorted(take, key=lambda i: (i != h, i))}
        caps = cands.caps(problem, rid, h)
        bounds = [(0 if c.locked else min(lo, cap), cap) for c in held]
        split = split_among_series(take, bounds, [caps] * len(held))
        if split is None:
            if fixed_by_site.get(site):
                return []  # a locked series the days could not keep: no plan from here
            continue
        out.extend(zip(held, split, strict=True))
    return out


def chosen_value(problem: PlanningProblem, chosen: Chosen, group: int | None = None) -> float:
    """Level 1 of the objective of chosen series (as :func:`planner.optimise.objective.objective_value`
    of their plan: a series counts the share of K sessions it holds, km are return trips).

    ``group``: the group size of diminishing returns (a decomposed part passes the whole problem's).
    """
    k = problem.rules.sessions_per_series
    items = [(c.host, c.resource, min(len(c.dates), k) / k, take) for c, take in chosen]
    return series_value(problem, items, sum(c.km for c, _ in chosen), group=group)


def search_days(
    problem: PlanningProblem,
    cands: Candidates,
    days: PatternBound,
    params: SolveParams,
    *,
    time_limit_s: float,
    hint: Chosen | None = None,
    hosts_per_resource: int = DAY_HOSTS,
    stop: threading.Event | None = None,
) -> Chosen | None:
    """The best plan CP-SAT finds in ``time_limit_s`` over the drivable days of each resource's
    short list of hosts (module docstring), or ``None``.

    The programme's own days are searched first (``FIRST_SHARE`` of the time at most), then the
    drivable days over ``hosts_per_resource`` hosts per resource; while CP-SAT proves its plan
    optimal for those hosts with at least ``WIDEN_MIN_S`` left, the list grows ``WIDEN``-fold and
    the search goes on from the best plan. Each search starts from the best plan so far.

    ``days`` is the column-generation programme of ``problem`` (:func:`planner.optimise.patterns.pattern_bound`):
    its frames, and its hosts ranked by :meth:`PatternBound.ranked_hosts`. ``cands`` must offer the
    series of those hosts (their windows are checked there): :func:`widest_hosts`.
    """
    deadline = time.monotonic() + time_limit_s
    group = cands.group
    start_value = chosen_value(problem, hint, group) if hint else -math.inf
    plans: list[tuple[float, Chosen]] = []  # (value, plan) of every search that found one

    def record(found: Chosen | None) -> None:
        if found:
            plans.append((chosen_value(problem, found, group), found))

    record(
        _search(problem, cands, days, programme_days(days), params, FIRST_SHARE * time_limit_s, hint, stop)[1]
    )
    lists = {f.resource.id: days.ranked_hosts(f.resource.id, hosts_per_resource) for f in days.frames}
    offered = -1
    while stop is None or not stop.is_set():
        columns = {f.key: drivable_days(f, lists[f.resource.id]) for f in days.frames}
        if sum(map(len, columns.values())) == offered:
            break  # no more hosts, or no more patterns within MAX_PATTERNS
        offered = sum(map(len, columns.values()))
        best = max(plans, key=lambda vp: vp[0], default=(-math.inf, None))
        start = best[1] if best[0] >= start_value else hint  # each search from the best plan so far
        status, found = _search(
            problem, cands, days, columns, params, deadline - time.monotonic(), start, stop
        )
        record(found)
        if status != "OPTIMAL" or deadline - time.monotonic() < WIDEN_MIN_S:
            break
        lists = {rid: days.ranked_hosts(rid, math.ceil(len(hs) * WIDEN)) for rid, hs in lists.items()}
    return max(plans, key=lambda vp: vp[0])[1] if plans else None


def widest_hosts(days: PatternBound, rid: str, hosts_per_resource: int = DAY_HOSTS) -> list[str]:
    """Every host :func:`search_days` may offer resource ``rid`` once its list has grown twice."""
    first = len(days.ranked_hosts(rid, hosts_per_resource))
    return days.ranked_hosts(rid, math.ceil(math.ceil(first * WIDEN) * WIDEN))


def _search(
    problem: PlanningProblem,
    cands: Candidates,
    days: PatternBound,
    columns: Mapping[tuple[str, int], list[Pattern]],
    params: SolveParams,
    time_limit_s: float,
    hint: Chosen | None,
    stop: threading.Event | None,
) -> tuple[str, Chosen | None]:
    if time_limit_s <= 0.05:
        return "UNKNOWN", None
    status, counts, people = solve_patterns(
        problem, cands, days.frames, columns, params, time_limit_s=time_limit_s, hint=hint, stop=stop
    )
    if status == "UNKNOWN":
        return status, None
    return status, to_windows(problem, cands, days.frames, counts, people) or None


def programme_days(days: PatternBound) -> dict[tuple[str, int], list[Pattern]]:
    """The day patterns the column-generation programme ``days`` holds (windows > 0), per
    (resource, weekday)."""
    out: dict[tuple[str, int], list[Pattern]] = {f.key: [] for f in days.frames}
    by_key = {f.key: f for f in days.frames}
    for key, held in days.patterns.items():
        f = by_key[key]
        out[key] = [
            tuple(f.index[s][h] if h is not None else -1 for s, h in enumerate(hosts)) for _, hosts in held
        ]
    return out
