"""The CP-SAT model of permanences: which stops, on which rhythm slot, for a rotating resource.

A resource that holds permanences works a **rotation**: with a monthly rhythm on Tuesdays and
Fridays it has eight slots (1st…4th Tuesday, 1st…4th Friday of the month), each a day that
comes back every month; fortnightly, two per weekday; weekly, one. A slot holds a permanence in
the morning and one in the afternoon at most (a mixed resource: the morning only, the afternoon
going to the parcours). A candidate **stop** is a host on a slot at a position: its dates are the
rhythm's open dates of the season (closed dates and the host's blackout dates skipped), its
times fixed by the drive from the base (morning as early, afternoon as late as the day allows),
its capacity ``⌊capacity/h × hours × visits⌋`` (:func:`planner.optimise.permanences.capacity_people`).

Rules of the model:

- ``rule_one_stop_per_lane``: a (resource, slot, position) holds at most one stop;
- ``rule_day_drive_time``: a morning and an afternoon stop of the same slot leave the drive and
  ``BREAK_MIN`` between them;
- home visits asked (``z[c]``, at most the visits asked in ``c``) count as people of their
  commune, met at home (their days are placed afterwards: a relaxation, the bound stays valid);
- ``rule_people``: ``t[h,i]`` people of commune ``i`` counted at host ``h`` — only within the
  reach of :func:`planner.optimise.permanences.reach` (the attendance pool of the host, shared
  with the parcours of the same resource at that host), at most the capacity of the stops held
  at ``h``; a commune never gives more than its people (the same groups as the parcours model,
  for the same diminishing returns).

The objective is the parcours objective (:mod:`planner.optimise.objective`) on the same integer
scale as :mod:`planner.optimise.cpsat` (values rounded up and costs down: the bound is valid),
level 2 the kilometres of the stops (return trips).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from planner.model import Resource
from planner.optimise.candidates import BREAK_MIN, drive_min, host_allowed, minutes_of, round_down, round_up
from planner.optimise.objective import MAX_GROUPS, attendance_penalty, tie_km
from planner.optimise.permanences import capacity_people
from planner.problem import PlanningProblem
from planner.rhythm import Rhythm, parse_rhythm_setting, rhythms_of
from planner.rules.calendar import rhythm_days
from planner.territory.catchment import catchments, pool_caps

SCALE = 10_000
MORNING, AFTERNOON = 0, 1


@dataclass(frozen=True)
class Stop:
    """A candidate permanence: ``host`` on ``rhythm`` at ``position`` (0 morning, 1 afternoon)."""

    resource: str
    host: str
    rhythm: Rhythm
    position: int
    dates: tuple[date, ...]
    start_min: int
    end_min: int
    capacity: int
    km: float
    series_id: str = ""  # a locked (announced) permanence: its series, held whatever the value

    @property
    def fixed(self) -> bool:
        """True for a locked permanence (see :func:`locked_stops`)."""
        return bool(self.series_id)

    @property
    def lane(self) -> tuple[str, str, int]:
        """The (resource, slot, position) it occupies."""
        return (self.resource, self.rhythm.code, self.position)


def resource_rhythms(r: Resource) -> list[Rhythm]:
    """The slots of ``r``'s rotation: its imposed rhythm, or every rhythm of its kind on its weekdays."""
    kind, fixed = parse_rhythm_setting(r.permanence_rhythm)
    if fixed is not None:
        return [fixed] if fixed.weekday in r.weekdays else []
    return rhythms_of(kind, r.weekdays)


def build_stops(
    problem: PlanningProblem,
    r: Resource,
    positions: Iterable[int] = (MORNING, AFTERNOON),
    latest_back: int | None = None,
) -> list[Stop]:
    """Every candidate stop of ``r`` (see the module docstring).

    ``latest_back`` (minutes since midnight): a morning stop must let ``r`` be back at its base
    by then (a mixed resource's afternoon starts from its base at that time).
    """
    m, season, dur = problem.matrix, problem.season, r.permanence_minutes
    day_start, day_end = minutes_of(r.day_start), minutes_of(r.day_end)
    catch = catchments(problem)
    out: list[Stop] = []
    for rhythm in resource_rhythms(r):
        all_dates, _ = rhythm_days(season, rhythm)
        for h in problem.territory.codes:
            if not host_allowed(problem, r, h, rhythm.weekday):
                continue
            q = problem.request_for(h)
            dates = tuple(d for d in all_dates if q is None or d not in q.blackout_dates)
            if not dates or not catch.get(h):
                continue
            go, back = drive_min(m, r.base, h), drive_min(m, h, r.base)
            for pos in positions:
                if pos == MORNING:
                    start = round_up(day_start + go)
                    limit = day_end if latest_back is None else min(day_end, latest_back)
                    ok = start + dur + back <= limit
                else:
                    start = round_down(day_end - back - dur)
                    ok = start >= day_start + go
                if not ok:
                    continue
                cap = capacity_people(r.permanence_capacity, dur, len(dates))
                km = 2 * m.km(r.base, h) * len(dates)
                out.append(Stop(r.id, h, rhythm, pos, dates, start, start + dur, cap, km))
    return out


def _rhythm_of_dates(kind: str, dates: list[date]) -> Rhythm | None:
    """The rhythm of ``kind`` every date follows (the first that fits), else ``None``."""
    first = dates[0]
    nth = (first.day - 1) // 7 + 1
    weeks = {"weekly": (0,), "fortnightly": (0, 1), "monthly": (nth, -1) if nth <= 4 else (-1,)}[kind]
    for week in weeks:
        rhythm = Rhythm(kind, first.weekday(), week)
        if all(rhythm.matches(d) for d in dates):
            return rhythm
    return None


def locked_stops(problem: PlanningProblem) -> list[Stop]:
    """The announced permanences (``problem.locked`` of service ``"permanence"``), one stop each.

    A locked series keeps its host, resource and times; its rhythm is the one of the resource's
    kind its dates follow, and it is held on every open date of that rhythm (its locked dates
    included). Raises :class:`InputError` when the dates follow no such rhythm, the times differ
    from one date to the next, or the numbers do not follow the dates.
    """
    from planner.errors import InputError

    res = {r.id: r for r in problem.resources}
    groups: dict[str, list] = defaultdict(list)
    for s in problem.locked:
        if s.service == "permanence":
            groups[s.series].append(s)
    out = []
    for sid, sessions in sorted(groups.items()):
        sessions.sort(key=lambda s: s.date)
        first = sessions[0]
        r = res.get(first.resource)
        name = problem.territory.commune(first.host).name if first.host in problem.needs else first.host
        if r is None or "permanence" not in r.services:
            raise InputError(f"la permanence verrouillée de {name} est confiée à un moyen qui n'en tient pas")
        where = (first.host, first.resource, first.start, first.end)
        if any((s.host, s.resource, s.start, s.end) != where for s in sessions):
            raise InputError(
                f"les permanences verrouillées de {name} n'ont pas toutes le même lieu et le même horaire"
            )
        kind, imposed = parse_rhythm_setting(r.permanence_rhythm)
        rhythm = _rhythm_of_dates(kind, [s.date for s in sessions])
        if rhythm is None or (imposed is not None and rhythm != imposed):
            raise InputError(
                f"les permanences verrouillées de {name} ne suivent pas le rythme du moyen ({r.permanence_rhythm})"
            )
        q = problem.request_for(first.host)
        held, _ = rhythm_days(problem.season, rhythm)
        dates = sorted(
            {d for d in held if q is None or d not in q.blackout_dates} | {s.date for s in sessions}
        )
        if any(dates.index(s.date) + 1 != s.index for s in sessions):
            raise InputError(f"les numéros des permanences verrouillées de {name} ne suivent pas leurs dates")
        start, end = minutes_of(first.start), minutes_of(first.end)
        position = MORNING if start < 12 * 60 else AFTERNOON
        cap = capacity_people(r.permanence_capacity, end - start, len(dates))
        km = 2 * problem.matrix.km(r.base, first.host) * len(dates)
        out.append(Stop(r.id, first.host, rhythm, position, tuple(dates), start, end, cap, km, sid))
    return out


def stops_compatible(problem: PlanningProblem, a: Stop, b: Stop) -> bool:
    """A morning stop ``a`` and an afternoon stop ``b`` of one slot fit in the same day."""
    return a.end_min + drive_min(problem.matrix, a.host, b.host) + BREAK_MIN <= b.start_min


class PermanenceTerms:
    """The permanence variables and rules, added to a CP-SAT model (see the module docstring).

    Attributes
    ----------
    x
        One boolean per stop.
    t
        ``(host, resource, commune) -> people`` counted by the permanences of that resource there.
    """

    def __init__(
        self,
        m: cp_model.CpModel,
        problem: PlanningProblem,
        stops: list[Stop],
        people: Mapping[str, int],
        home: Mapping[str, int] | None = None,
    ) -> None:
        self.m, self.problem, self.stops = m, problem, stops
        self.res = {r.id: r for r in problem.resources}
        self.x = [m.new_bool_var(f"perm{j}") for j in range(len(stops))]
        self.t: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self.pools: dict[tuple[str, str], dict[str, int]] = {}
        self.rule_one_stop_per_lane()
        self.rule_day_drive_time()
        self.rule_slot_symmetry()
        for j, stop in enumerate(stops):
            if stop.fixed:  # announced: held
                m.add(self.x[j] == 1)
        self.rule_people(people)
        # home visits asked, as people of their commune at home: their days are not modelled
        # (they are placed afterwards), so this only relaxes — the bound stays valid
        self.z = {c: m.new_int_var(0, n, f"home_{c}") for c, n in sorted((home or {}).items()) if n > 0}

    def rule_one_stop_per_lane(self) -> None:
        """A (resource, slot, position) holds at most one stop."""
        lanes: dict[tuple, list[int]] = defaultdict(list)
        for j, s in enumerate(self.stops):
            lanes[s.lane].append(j)
        for idx in lanes.values():
            if len(idx) > 1:
                self.m.add_at_most_one(self.x[j] for j in idx)

    def rule_day_drive_time(self) -> None:
        """Morning and afternoon of one slot leave the drive and the break between them."""
        by_slot: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for j, s in enumerate(self.stops):
            by_slot[(s.resource, s.rhythm.code)][s.position].append(j)
        for slot in by_slot.values():
            for b in slot.get(AFTERNOON, []):
                bad = [
                    self.x[a]
                    for a in slot.get(MORNING, [])
                    if not stops_compatible(self.problem, self.stops[a], self.stops[b])
                ]
                if bad:
                    self.m.add(sum(bad) + self.x[b] <= 1)

    def rule_slot_symmetry(self) -> None:
        """Symmetry breaking: slots of a resource offering the same stops (same hosts, times,
        capacities, kilometres: the 1st and the 3rd Tuesday of a season without holidays on
        Tuesdays) are interchangeable, so they are used in order of their morning host."""
        slots: dict[tuple[str, str], list[int]] = defaultdict(list)
        for j, s in enumerate(self.stops):
            slots[(s.resource, s.rhythm.code)].append(j)
        ranks = {h: k + 1 for k, h in enumerate(self.problem.territory.codes)}
        same: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
        for key, idx in slots.items():
            sig = frozenset(
                (
                    self.stops[j].host,
                    self.stops[j].position,
                    self.stops[j].capacity,
                    self.stops[j].start_min,
                    self.stops[j].end_min,
                    round(self.stops[j].km, 6),
                    self.stops[j].series_id,  # a slot holding an announced permanence is itself
                )
                for j in idx
            )
            same[(key[0], self.stops[idx[0]].rhythm.weekday, sig)].append(key)
        for keys in same.values():
            keys.sort(key=lambda k: k[1])
            order = [
                sum(
                    ranks[self.stops[j].host] * self.x[j]
                    for j in slots[k]
                    if self.stops[j].position == MORNING
                )
                for k in keys
            ]
            for a, b in itertools.pairwise(order):
                self.m.add(a >= b)

    def rule_people(self, people: Mapping[str, int]) -> None:
        """People counted at each host: within its attendance pool, at most the stops' capacity."""
        sites: dict[tuple[str, str], list[int]] = defaultdict(list)
        for j, s in enumerate(self.stops):
            sites[(s.host, s.resource)].append(j)
        catch = catchments(self.problem)
        for (h, rid), idx in sorted(sites.items()):
            pools = pool_caps(self.problem, self.res[rid], h, catch[h], people)
            self.pools[(h, rid)] = pools
            held = sum(self.x[j] for j in idx)
            here = []
            for i, cap in pools.items():
                if cap <= 0:
                    continue
                v = self.m.new_int_var(0, cap, f"t_{h}_{rid}_{i}")
                self.t[(h, rid, i)] = v
                self.m.add(v <= cap * held)
                here.append(v)
            self.m.add(sum(here) <= sum(self.stops[j].capacity * self.x[j] for j in idx))

    def held_at(self, host: str):
        """Number of stops held at ``host`` (a linear expression)."""
        return sum(self.x[j] for j, s in enumerate(self.stops) if s.host == host)

    def km_tenths(self):
        """The stops' kilometres (return trips, every visit) in tenths, rounded up."""
        return sum(math.ceil(10 * s.km - 1e-9) * self.x[j] for j, s in enumerate(self.stops))

    def takers(self) -> dict[str, list[cp_model.IntVar]]:
        """The people variables of each commune."""
        out: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_, _, i), v in self.t.items():
            out[i].append(v)
        for c, v in self.z.items():
            out[c].append(v)
        return out

    def costs(self, weights: Mapping[str, float], scale: int) -> list:
        """Attendance penalties and the travel weight's cost, as integer terms (rounded down)."""
        tw = self.problem.rules.travel_weight
        out = [math.floor(scale * tw * s.km + 1e-9) * self.x[j] for j, s in enumerate(self.stops) if tw > 0]
        for (h, rid, i), v in self.t.items():
            pen = weights[i] * attendance_penalty(self.problem, i, h, self.res[rid])
            if pen > 0:
                out.append(math.floor(scale * pen + 1e-9) * v)
        return out

    def tie(self, unit: float = 1.0):
        """Level 2: the stops' kilometres in integer units."""
        return sum(tie_km(s.km, unit) * self.x[j] for j, s in enumerate(self.stops))

    def lane_km(self) -> list[float]:
        """For each lane, the most kilometres a stop there drives."""
        lanes: dict[tuple, float] = defaultdict(float)
        for s in self.stops:
            lanes[s.lane] = max(lanes[s.lane], s.km)
        return list(lanes.values())

    def chosen(self, solver: cp_model.CpSolver) -> list[tuple[Stop, dict[str, int]]]:
        """Chosen stops with the people each counts (a host's people shared in stop order)."""
        out = []
        by_site: dict[tuple[str, str], list[Stop]] = defaultdict(list)
        for j, s in enumerate(self.stops):
            if solver.value(self.x[j]):
                by_site[(s.host, s.resource)].append(s)
        for (h, rid), stops in sorted(by_site.items()):
            left = {i: solver.value(v) for (hh, r, i), v in self.t.items() if (hh, r) == (h, rid)}
            for s in sorted(stops, key=lambda s: (s.dates[0], s.position)):
                room, take = s.capacity, {}
                for i in sorted(left, key=lambda i: (i != h, self.problem.matrix.minutes(i, h), i)):
                    k = min(room, left[i])
                    if k > 0:
                        take[i] = k
                        left[i] -= k
                        room -= k
                out.append((s, take))
        return out


def add_groups(
    m: cp_model.CpModel, takers: Mapping[str, list], people: Mapping[str, int], group: int
) -> dict[tuple[str, int], cp_model.IntVar]:
    """``Σ takers_i = Σ_k y[i,k]`` with ``y[i,k] ≤ g`` and at most the commune's people: the
    groups of the objective's diminishing returns (as in :mod:`planner.optimise.cpsat`)."""
    y: dict[tuple[str, int], cp_model.IntVar] = {}
    for i, vs in takers.items():
        u = people.get(i, 0)
        if u <= 0:
            m.add(sum(vs) == 0)
            continue
        n = min(MAX_GROUPS, -(-u // group))
        ys = []
        for k in range(n):
            width = u - k * group if k == n - 1 else group
            y[(i, k)] = m.new_int_var(0, width, f"y_{i}_{k}")
            ys.append(y[(i, k)])
        m.add(sum(vs) == sum(ys))
    return y


def group_terms(
    y: Mapping[tuple[str, int], cp_model.IntVar], weights: Mapping[str, float], repeat: float, scale: int
):
    """The groups' values as integer terms (rounded up: the bound stays valid)."""
    return [math.ceil(scale * weights[i] * repeat**k - 1e-9) * v for (i, k), v in y.items()]
