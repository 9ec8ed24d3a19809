"""Tiny hand-made season problems shared by the optimiser tests (B2).

::

    A (18001, base) --10-- B (18002) --10-- C (18003) --40-- D (18004)

    E (18005): 50 min from everyone.          (numbers: drive minutes = km)

A–C 20, B–D 50, A–D 60. Catchment 15 min: A:{A,B}, B:{A,B,C}, C:{B,C}, D:{D}, E:{E}.
Unmet need (people): A 40, B 12, C 12, D 30, E 4.

One bus based at A, Tuesdays, 09:00–17:30, two sessions of 180 min, 12 seats; the season
holds exactly the 5 Tuesdays 2027-01-05 … 2027-02-02, i.e. one window of 5 sessions: two
series at most (morning and afternoon).
"""

from __future__ import annotations

import itertools
from datetime import date, time

import numpy as np

from planner.model import Commune, CommuneNeed, HostRequest, Resource, Rules, Season, Session, Territory
from planner.problem import PlanningProblem
from planner.territory.travel import TravelMatrix

CODES = ("18001", "18002", "18003", "18004", "18005")
A, B, C, D, E = CODES
UNMET = {A: 40.0, B: 12.0, C: 12.0, D: 30.0, E: 4.0}
MINUTES = {
    (A, B): 10,
    (B, C): 10,
    (A, C): 20,
    (C, D): 40,
    (B, D): 50,
    (A, D): 60,
    (A, E): 50,
    (B, E): 50,
    (C, E): 50,
    (D, E): 50,
}
SEASON = Season(date(2027, 1, 5), date(2027, 2, 2))
TUESDAYS = tuple(date(2027, 1, 5 + 7 * k) if k < 4 else date(2027, 2, 2) for k in range(5))


def matrix(overrides: dict[tuple[str, str], float] | None = None) -> TravelMatrix:
    """The drawn matrix (symmetric, km = minutes), with optional overrides."""
    minutes = dict(MINUTES) | dict(overrides or {})
    n = len(CODES)
    m = np.zeros((n, n))
    for (a, b), v in minutes.items():
        i, j = CODES.index(a), CODES.index(b)
        m[i, j] = m[j, i] = v
    return TravelMatrix(CODES, m.copy(), m.copy())


def bus(**kw) -> Resource:
    """The bus of the drawing (keywords override)."""
    fields = dict(
        id="bus",
        kind="bus",
        seats=12,
        base=A,
        weekdays=(1,),
        day_start=time(9, 0),
        day_end=time(17, 30),
        max_sessions_per_day=2,
        session_minutes=180,
        needs_power=True,
    )
    return Resource(**(fields | kw))


def problem(
    *,
    unmet: dict[str, float] | None = None,
    resources: tuple[Resource, ...] | None = None,
    season: Season = SEASON,
    rules: Rules | None = None,
    requests: tuple[HostRequest, ...] = (),
    locked: tuple[Session, ...] = (),
    requests_only: bool = False,
    overrides: dict[tuple[str, str], float] | None = None,
) -> PlanningProblem:
    """The drawn problem; ``rules`` default to travel_weight 0 (hand-checked optimum)."""
    unmet = UNMET | (unmet or {})
    communes = tuple(
        Commune(code, f"Commune {letter}", 1000, 47.0, 2.0 + 0.1 * k)
        for k, (code, letter) in enumerate(zip(CODES, "ABCDE", strict=False))
    )
    return PlanningProblem(
        territory=Territory("tiny", "Tiny", communes),
        needs={c: CommuneNeed(c, unmet[c], 0.0, unmet[c]) for c in CODES},
        matrix=matrix(overrides),
        resources=resources or (bus(),),
        season=season,
        rules=rules or Rules(travel_weight=0.0),
        requests=requests,
        locked=locked,
        requests_only=requests_only,
    )


def assert_plan_rules(plan, prob: PlanningProblem) -> None:
    """Direct assertions of every rule of a plan (independent of planner.rules.check)."""
    import math
    from collections import defaultdict
    from datetime import datetime, timedelta

    rules = plan.rules
    res = {r.id: r for r in prob.resources}
    m = prob.matrix

    def mins(t):
        return t.hour * 60 + t.minute

    by_series = defaultdict(list)
    for s in plan.sessions:
        by_series[s.series].append(s)
    assert set(by_series) == {se.id for se in plan.series}
    for se in plan.series:
        sess = sorted(by_series[se.id], key=lambda s: s.index)
        assert [s.index for s in sess] == list(range(1, rules.sessions_per_series + 1))
        assert {(s.host, s.resource) for s in sess} == {(se.host, se.resource)}
        assert len({s.date.weekday() for s in sess}) == 1
        locked_starts = [lk.start for lk in sorted(prob.locked, key=lambda x: x.index) if lk.series == se.id]
        if len(set(locked_starts)) > 1:  # locks at different times: locked sessions keep theirs,
            assert {s.start for s in sess if not s.locked} <= {locked_starts[0]}  # others the first's
        else:
            assert len({s.start for s in sess}) == 1
        for a, b in itertools.pairwise(sess):
            gap = (b.date - a.date).days
            assert (
                rules.interval_days - rules.interval_tolerance_days
                <= gap
                <= rules.interval_days + rules.interval_tolerance_days
            )
        r = res[se.resource]
        assert rules.min_participants <= se.participants <= r.seats or any(s.locked for s in sess)
        assert se.participants == sum(se.from_communes.values())
        for code in se.from_communes:
            assert m.minutes(code, se.host) <= rules.catchment_minutes + 1e-9
        if r.needs_power:
            q = prob.request_for(se.host)
            assert q is None or q.has_power
    for s in plan.sessions:
        r = res[s.resource]
        assert prob.season.is_open(s.date)
        assert s.date.weekday() in r.weekdays
        assert mins(s.start) >= mins(r.day_start) + math.ceil(m.minutes(r.base, s.host))
        assert mins(s.end) + math.ceil(m.minutes(s.host, r.base)) <= mins(r.day_end)
        assert mins(s.end) - mins(s.start) == r.session_minutes or s.locked
    days = defaultdict(list)
    for s in plan.sessions:
        days[(s.resource, s.date)].append(s)
    for items in days.values():
        items.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(items):
            assert mins(a.end) + math.ceil(m.minutes(a.host, b.host)) <= mins(b.start)
    taken = defaultdict(int)
    for se in plan.series:
        for code, n in se.from_communes.items():
            taken[code] += n
    for code, n in taken.items():
        assert n <= math.floor(prob.needs[code].unmet_need + 1e-9)
    for lk in prob.locked:
        assert lk in plan.sessions
    mt = plan.metrics
    assert mt.bound >= mt.objective - 1e-9
    assert abs(mt.gap - (0.0 if mt.bound <= 0 else (mt.bound - mt.objective) / mt.bound)) < 1e-9
    del datetime, timedelta
