"""Candidate series: the times, calendar windows and hosts a season's plan is chosen from.

*Time.* A resource's working day holds ``day_slots(r)`` sessions (at most
``max_sessions_per_day``, as many as fit with ``BREAK_MIN`` between them). The first slot starts
at ``day_start`` + the drive from the base, the last one ends so that the resource is back at
``day_end``; middle slots (teams) are evenly spaced. Start times are on the quarter hour, for
posters and calendars: the earliest start (first slot) is rounded *up*, the latest start (last
slot) *down*, middle slots to the nearest quarter — :func:`slot_fits` and
:func:`slots_compatible` then check the drive times with the rounded times. A series keeps its
host and slot, hence the same start time every week.

*Windows.* For each resource and working weekday, the open dates of that weekday are packed
greedily into consecutive *windows* of K dates obeying the interval rule: the next session is
``interval_days`` later (rounded to whole weeks, the weekday never changes); a closed date pushes
it one more week while the gap stays within ``interval ± tolerance``. A *candidate series* is
(resource, host, weekday, slot, window): exactly the calendar rules hold by construction. Windows
of one weekday are shared by every slot, so two slots of the same window are the same K days.

*Locked series* (announced sessions) become fixed candidates that keep their own dates and
times (:func:`locked_candidates`); the free candidates around them leave their days alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from planner.errors import InfeasibleError
from planner.model import WEEKDAY_NAMES_FR, Plan, PlanMetrics, Resource, Rules, Season, Session
from planner.optimise.objective import group_size
from planner.problem import PlanningProblem
from planner.rules.check import closed_dates, no_overlap_and_travel, power, resource_calendar
from planner.territory.catchment import catchments, neighbour_caps, pool_caps, unmet_people
from planner.territory.travel import TravelMatrix

BREAK_MIN = 30
ROUND_MIN = 15

# --------------------------------------------------------------------------------------------
# Time of day
# --------------------------------------------------------------------------------------------


def minutes_of(t: time) -> int:
    """Minutes since midnight."""
    return t.hour * 60 + t.minute


def clock(minutes: int) -> time:
    """Inverse of :func:`minutes_of`."""
    return time(minutes // 60, minutes % 60)


def drive_min(matrix: TravelMatrix, a: str, b: str) -> int:
    """Drive time in whole minutes (rounded up) — the solver's only source of drive times."""
    return 0 if a == b else math.ceil(matrix.minutes(a, b) - 1e-9)


def day_slots(r: Resource) -> int:
    """Sessions a working day of ``r`` can hold (with ``BREAK_MIN`` between them)."""
    span = minutes_of(r.day_end) - minutes_of(r.day_start)
    fit = (span + BREAK_MIN) // (r.session_minutes + BREAK_MIN)
    return max(1, min(r.max_sessions_per_day, fit))


def slot_start(r: Resource, slot: int, host: str, matrix: TravelMatrix) -> int:
    """Start (minutes since midnight) of ``slot`` at ``host`` for resource ``r``."""
    m = day_slots(r)
    start, end, dur = minutes_of(r.day_start), minutes_of(r.day_end), r.session_minutes
    if slot == 0:
        return round_up(start + drive_min(matrix, r.base, host))
    if slot == m - 1:
        return round_down(end - drive_min(matrix, host, r.base) - dur)
    step = (end - start - dur) / (m - 1)
    return ROUND_MIN * round((start + slot * step) / ROUND_MIN)


def round_up(minutes: int) -> int:
    """``minutes`` rounded up to the next quarter hour (``ROUND_MIN``): 14:05 → 14:15."""
    return ROUND_MIN * math.ceil(minutes / ROUND_MIN)


def round_down(minutes: int) -> int:
    """``minutes`` rounded down to a quarter hour (``ROUND_MIN``): 14:20 → 14:15."""
    return ROUND_MIN * math.floor(minutes / ROUND_MIN)


def slot_fits(r: Resource, slot: int, host: str, matrix: TravelMatrix) -> bool:
    """True when ``r`` can drive from its base, hold ``slot`` at ``host`` and drive back in its day."""
    s = slot_start(r, slot, host, matrix)
    return s >= minutes_of(r.day_start) + drive_min(
        matrix, r.base, host
    ) and s + r.session_minutes + drive_min(matrix, host, r.base) <= minutes_of(r.day_end)


def slots_compatible(r: Resource, s: int, h1: str, t: int, h2: str, matrix: TravelMatrix) -> bool:
    """True when slot ``s`` at ``h1`` then slot ``t`` (> s) at ``h2`` fit in one day of ``r``."""
    end1 = slot_start(r, s, h1, matrix) + r.session_minutes
    return end1 + drive_min(matrix, h1, h2) + BREAK_MIN <= slot_start(r, t, h2, matrix)


# --------------------------------------------------------------------------------------------
# Calendar windows
# --------------------------------------------------------------------------------------------


def allowed_gaps(rules: Rules) -> tuple[int, ...]:
    """Gaps (days) between two sessions of a series, in the order they are tried.

    Whole weeks only (the weekday never changes), within ``interval ± tolerance``.
    """
    lo, hi = (
        rules.interval_days - rules.interval_tolerance_days,
        rules.interval_days + rules.interval_tolerance_days,
    )
    gaps = tuple(g for g in range(7, hi + 1, 7) if g >= lo)
    if not gaps:
        raise InfeasibleError(
            f"intervalle de {rules.interval_days} jours ± {rules.interval_tolerance_days} : aucun écart "
            "en semaines entières ne convient — une série garde le même jour de semaine ; "
            "choisissez un intervalle multiple de 7 jours ou élargissez la tolérance"
        )
    return gaps


def chain_from(first: date, open_dates: set[date], k: int, gaps: tuple[int, ...]) -> tuple[date, ...] | None:
    """K session dates starting at ``first`` following the interval rule, or ``None``."""
    dates = [first]
    while len(dates) < k:
        nxt = next(
            (dates[-1] + timedelta(days=g) for g in gaps if dates[-1] + timedelta(days=g) in open_dates), None
        )
        if nxt is None:
            return None
        dates.append(nxt)
    return tuple(dates)


def weekday_dates(season: Season, weekday: int) -> list[date]:
    """Open dates of the season falling on ``weekday``."""
    d = season.start + timedelta(days=(weekday - season.start.weekday()) % 7)
    out = []
    while d <= season.end:
        if season.is_open(d):
            out.append(d)
        d += timedelta(days=7)
    return out


def series_windows(season: Season, weekday: int, rules: Rules) -> list[tuple[date, ...]]:
    """Disjoint windows of K dates on ``weekday``, packed from the start of the season."""
    dates = weekday_dates(season, weekday)
    open_set = set(dates)
    gaps = allowed_gaps(rules)
    windows: list[tuple[date, ...]] = []
    i = 0
    while i < len(dates):
        w = chain_from(dates[i], open_set, rules.sessions_per_series, gaps)
        if w is None:
            i += 1
            continue
        windows.append(w)
        i = dates.index(w[-1]) + 1
    return windows


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A possible series: K dates at one host with one resource in one slot.

    ``block`` is the window index within (resource, weekday); ``-1`` for a locked series, whose
    sessions keep their own times and ``locked_flags``. ``day_times`` (locked series only) gives,
    date by date, ``(slot, start_min, end_min)``: a locked session keeps exactly its times even
    when the locked sessions of one series start at different times; empty means every date uses
    (``slot``, ``start_min``, ``end_min``).
    """

    resource: str
    host: str
    weekday: int
    slot: int
    block: int
    dates: tuple[date, ...]
    start_min: int
    end_min: int
    km: float
    series_id: str = ""
    locked_flags: tuple[bool, ...] = ()
    day_times: tuple[tuple[int, int, int], ...] = ()

    @property
    def locked(self) -> bool:
        """True for a series carrying locked sessions."""
        return self.block < 0

    def times(self, k: int) -> tuple[int, int, int]:
        """``(slot, start_min, end_min)`` of the ``k``-th session (0-based)."""
        return self.day_times[k] if self.day_times else (self.slot, self.start_min, self.end_min)

    def times_on(self, day: date) -> tuple[int, int, int]:
        """``(slot, start_min, end_min)`` of the session held on ``day``."""
        return self.times(self.dates.index(day))


@dataclass
class Candidates:
    """Everything the model and the heuristics choose from."""

    free: list[Candidate]
    fixed: list[Candidate]
    windows: dict[tuple[str, int], list[tuple[date, ...]]]
    slots: dict[str, int]
    people: dict[str, int]
    catchment: dict[str, tuple[str, ...]]
    seats: dict[str, int] = field(default_factory=dict)
    group: int = 12
    compat: dict[tuple[str, int, str, int, str], bool] = field(default_factory=dict)
    series_caps: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    site_caps: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def caps(self, problem: PlanningProblem, rid: str, host: str) -> dict[str, int]:
        """Most people one series of resource ``rid`` at ``host`` counts from each commune.

        :func:`planner.territory.catchment.neighbour_caps` on the catchment of ``host`` (cached).
        """
        key = (rid, host)
        if key not in self.series_caps:
            r = next(x for x in problem.resources if x.id == rid)
            self.series_caps[key] = neighbour_caps(problem, r, host, self.catchment[host], self.people)
        return self.series_caps[key]

    def pools(self, problem: PlanningProblem, rid: str, host: str) -> dict[str, int]:
        """Most people all the series of ``rid`` at ``host`` count together from each commune (cached)."""
        key = (rid, host)
        if key not in self.site_caps:
            r = next(x for x in problem.resources if x.id == rid)
            self.site_caps[key] = pool_caps(problem, r, host, self.catchment[host], self.people)
        return self.site_caps[key]

    def reachable(
        self, problem: PlanningProblem, rid: str, host: str, left: Mapping[str, int] | None = None
    ) -> int:
        """People one series of ``rid`` at ``host`` can count (of ``left``, default everyone)."""
        left = self.people if left is None else left
        return sum(min(c, max(0, left.get(i, 0))) for i, c in self.caps(problem, rid, host).items())

    def compatible(self, problem: PlanningProblem, r: Resource, s: int, h1: str, t: int, h2: str) -> bool:
        """Cached :func:`slots_compatible` (order of the two slots handled)."""
        if s > t:
            s, h1, t, h2 = t, h2, s, h1
        key = (r.id, s, h1, t, h2)
        if key not in self.compat:
            self.compat[key] = slots_compatible(r, s, h1, t, h2, problem.matrix)
        return self.compat[key]


def host_power(problem: PlanningProblem, host: str) -> bool:
    """Whether ``host`` offers a power hookup (true unless its request says otherwise)."""
    q = problem.request_for(host)
    return True if q is None else q.has_power


def host_cap(problem: PlanningProblem, host: str, seats: int) -> int:
    """Maximum participants of one series at ``host`` (seats, capped by the request's estimate)."""
    q = problem.request_for(host)
    if q is not None and q.expected_participants is not None:
        return min(seats, q.expected_participants)
    return seats


def host_allowed(problem: PlanningProblem, r: Resource, host: str, weekday: int) -> bool:
    """Host-side rules: requests only, power for the bus, the request's weekdays."""
    q = problem.request_for(host)
    if problem.requests_only and q is None:
        return False
    if r.needs_power and not host_power(problem, host):
        return False
    return not (q is not None and q.weekdays and weekday not in q.weekdays)


def window_allowed(problem: PlanningProblem, host: str, dates: Iterable[date]) -> bool:
    """No date of the window is in the host's blackout dates."""
    q = problem.request_for(host)
    return q is None or not (set(dates) & q.blackout_dates)


def fits_beside(
    r: Resource, slot: int, host: str, start_min: int, other: Candidate, day: date, matrix: TravelMatrix
) -> bool:
    """True when a session (``slot`` at ``host`` from ``start_min``) and ``other``'s session on
    ``day`` keep different slots and, in time order, the drive and the break between them."""
    o_slot, o_start, o_end = other.times_on(day)
    if slot == o_slot:
        return False
    if start_min < o_start:
        return start_min + r.session_minutes + drive_min(matrix, host, other.host) + BREAK_MIN <= o_start
    return o_end + drive_min(matrix, other.host, host) + BREAK_MIN <= start_min


def locked_days(fixed: Iterable[Candidate]) -> dict[tuple[str, date], list[Candidate]]:
    """``(resource, date) -> locked series holding a session that day``."""
    busy: dict[tuple[str, date], list[Candidate]] = defaultdict(list)
    for c in fixed:
        for d in c.dates:
            busy[(c.resource, d)].append(c)
    return busy


def clear_of_locks(
    r: Resource,
    slot: int,
    host: str,
    start_min: int,
    dates: Iterable[date],
    busy: Mapping[tuple[str, date], list[Candidate]],
    matrix: TravelMatrix,
) -> bool:
    """True when a series in ``slot`` at ``host`` on ``dates`` fits beside every locked session
    of those days (:func:`fits_beside`)."""
    return all(
        fits_beside(r, slot, host, start_min, lk, d, matrix) for d in dates for lk in busy.get((r.id, d), ())
    )


def _apart(
    a: tuple[str, int, str, int, int], b: tuple[str, int, str, int, int], matrix: TravelMatrix
) -> bool:
    """Two sessions ``(series, slot, host, start, end)`` of one resource's day keep different slots
    and, in time order, the drive and the break between them (as :func:`fits_beside`)."""
    (_, s1, h1, _, en1), (_, s2, h2, st2, _) = sorted((a, b), key=lambda x: x[3])
    return s1 != s2 and en1 + drive_min(matrix, h1, h2) + BREAK_MIN <= st2


def locked_slot(r: Resource, s: Session, matrix: TravelMatrix) -> int:
    """The slot of a locked session: the slot whose start at its host is the closest."""
    st = minutes_of(s.start)
    return min(range(day_slots(r)), key=lambda k: abs(slot_start(r, k, s.host, matrix) - st))


def _place(problem: PlanningProblem, code: str) -> str:
    try:
        return problem.territory.commune(code).name
    except KeyError:
        return f"la commune {code}"


def _complete_series(
    where: str, sess: list[Session], k: int, gaps: tuple[int, ...], open_set: set[date]
) -> list[date]:
    """Dates of a K-session series keeping each locked session at its index (1-based)."""
    fail = InfeasibleError(
        f"le parcours verrouillé de {where} ({len(sess)} séance(s)) ne peut pas être complété à {k} séances "
        "dans la saison en gardant ses séances verrouillées à leur rang : déverrouillez-le ou changez la saison"
    )
    if any(s.index > k for s in sess):
        raise fail
    dates: list[date | None] = [None] * k
    for s in sess:
        dates[s.index - 1] = s.date
    lo = min(s.index for s in sess) - 1
    for i in range(lo - 1, -1, -1):  # backwards before the first locked session
        nxt = dates[i + 1]
        dates[i] = next((nxt - timedelta(days=g) for g in gaps if nxt - timedelta(days=g) in open_set), None)
        if dates[i] is None:
            raise fail
    for i in range(lo + 1, k):  # forwards, between and after the locked sessions
        prev = dates[i - 1]
        if dates[i] is None:
            dates[i] = next(
                (prev + timedelta(days=g) for g in gaps if prev + timedelta(days=g) in open_set), None
            )
            if dates[i] is None:
                raise fail
        elif (dates[i] - prev).days not in gaps:
            raise fail
    return [d for d in dates if d is not None]


def _validate_locked(
    problem: PlanningProblem, by_series: Mapping[str, list[Session]], res: Mapping[str, Resource]
) -> None:
    """Raise :class:`InfeasibleError` (French) when locked sessions cannot be kept as they are.

    Besides the season, the resource and the series' unity, the locked sessions must keep, on
    their own, the rules of :mod:`planner.rules.check` that do not depend on the rest of the plan
    (closed and blackout dates, the resource's hours and session length, the host's weekdays
    and power, the drive times of their days), and be held in the territory. A violation the
    coordinator accepted for them (``problem.accepted``) does not count.
    """
    from planner.rules.check import accepts

    codes = set(problem.territory.codes)
    for _sid, sess in sorted(by_series.items()):
        sess = sorted(sess, key=lambda s: s.index)
        first = sess[0]
        where = _place(problem, first.host)
        if first.resource not in res:
            raise InfeasibleError(
                f"le parcours verrouillé de {where} utilise un moyen inconnu « {first.resource} » : "
                "déverrouillez-le ou rajoutez ce moyen"
            )
        r = res[first.resource]
        for s in sess:
            excused = any(
                a.uid == s.uid and a.rule in ("closed_dates", "resource_calendar") for a in problem.accepted
            )
            if s.uid and excused:
                continue  # the coordinator accepted it; the rules below say exactly what
            if not problem.season.is_open(s.date) or s.date.weekday() not in r.weekdays:
                raise InfeasibleError(
                    f"la séance verrouillée n° {s.index} de {where} du {s.date:%d/%m/%Y} tombe hors saison, un "
                    f"jour fermé ou un jour non travaillé par {r.name} : déverrouillez-la ou changez la saison"
                )
        if len({(s.host, s.resource) for s in sess}) > 1:
            raise InfeasibleError(
                f"les séances verrouillées du parcours de {where} n'ont pas le même lieu ou moyen"
            )
        if first.host not in codes:
            raise InfeasibleError(
                f"un parcours verrouillé a lieu dans la commune {first.host}, hors du territoire : "
                "déverrouillez-le ou changez de territoire"
            )
        if problem.requests_only and problem.request_for(first.host) is None:
            raise InfeasibleError(
                f"le parcours verrouillé de {where} a lieu dans une commune sans demande d'accueil alors que "
                "seules les communes demandeuses accueillent : déverrouillez-le ou ajoutez sa demande"
            )
    alone = Plan(
        territory_spec=problem.territory.spec,
        season=problem.season,
        rules=problem.rules,
        resources=problem.resources,
        series=(),
        sessions=tuple(problem.locked),
        routes=(),
        unserved=(),
        metrics=PlanMetrics("", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0.0, 0.0),
    )
    for rule in (closed_dates, resource_calendar, power, no_overlap_and_travel):
        for v in rule(alone, problem):
            if any(accepts(a, v) for a in problem.accepted):
                continue
            raise InfeasibleError(
                f"{v.message} : séance verrouillée impossible à garder telle quelle, déverrouillez-la ou corrigez-la"
            )


def locked_candidates(problem: PlanningProblem) -> list[Candidate]:
    """Locked sessions grouped by series; a series with fewer than K sessions is completed.

    Each locked session keeps its index, date and times; the missing ones are added before the
    first locked session (backwards) and after it (forwards) on open dates of the same weekday,
    with the times of the first locked session, following the interval rule.
    :class:`InfeasibleError` (French) when that is impossible. A series whose irregular shape
    the coordinator accepted (a ``series_shape`` exception of ``problem.accepted`` about it or one
    of its sessions) is kept exactly as its locked sessions are, neither completed nor re-checked.
    """
    by_series: dict[str, list[Session]] = defaultdict(list)
    for s in problem.locked:
        by_series[s.series].append(s)
    res = {r.id: r for r in problem.resources}
    _validate_locked(problem, by_series, res)
    uids = {s.uid: s.series for s in problem.locked if s.uid}
    irregular = {a.series for a in problem.accepted if a.rule == "series_shape" and a.series in by_series}
    irregular |= {uids[a.uid] for a in problem.accepted if a.rule == "series_shape" and a.uid in uids}
    k = problem.rules.sessions_per_series
    gaps = allowed_gaps(problem.rules)
    # sessions already placed on a resource's day: (series, slot, host, start, end)
    taken: dict[tuple[str, date], list[tuple[str, int, str, int, int]]] = defaultdict(list)
    for s in problem.locked:
        slot = locked_slot(res[s.resource], s, problem.matrix)
        taken[(s.resource, s.date)].append((s.series, slot, s.host, minutes_of(s.start), minutes_of(s.end)))
    out = []
    for sid, sess in sorted(by_series.items()):
        sess.sort(key=lambda s: s.index)
        first = sess[0]
        r = res[first.resource]
        mine = (
            sid,
            locked_slot(r, first, problem.matrix),
            first.host,
            *map(minutes_of, (first.start, first.end)),
        )
        if sid in irregular:
            dates = [s.date for s in sess]
        else:
            open_set = {
                d
                for d in weekday_dates(problem.season, first.date.weekday())
                if window_allowed(problem, first.host, [d])
                and all(o[0] == sid or _apart(mine, o, problem.matrix) for o in taken.get((r.id, d), ()))
            }
            dates = _complete_series(_place(problem, first.host), sess, k, gaps, open_set)
        by_index = {s.index: s for s in sess}
        flags = [i + 1 in by_index for i in range(len(dates))]
        for d, flag in zip(dates, flags, strict=True):
            if not flag:
                taken[(r.id, d)].append(mine)
        own = [by_index.get(i + 1, first) for i in range(len(dates))]
        out.append(
            Candidate(
                resource=r.id,
                host=first.host,
                weekday=first.date.weekday(),
                slot=locked_slot(r, first, problem.matrix),
                block=-1,
                dates=tuple(dates),
                start_min=minutes_of(first.start),
                end_min=minutes_of(first.end),
                km=len(dates) * 2 * problem.matrix.km(r.base, first.host),
                series_id=sid,
                locked_flags=tuple(flags),
                day_times=tuple(
                    (locked_slot(r, s, problem.matrix), minutes_of(s.start), minutes_of(s.end)) for s in own
                ),
            )
        )
    return out


def build_candidates(
    problem: PlanningProblem,
    max_hosts_per_resource: int | None = None,
    *,
    with_free: bool = True,
    group: int | None = None,
    hosts: Mapping[str, Collection[str]] | None = None,
) -> Candidates:
    """Every candidate series of the problem (see the module docstring).

    Parameters
    ----------
    problem
        The planning problem.
    max_hosts_per_resource
        Keep, per resource, only the hosts with the largest reachable pool of people (large
        territories); ``None`` keeps every host.
    with_free
        ``False`` computes windows, catchments and locked series only (the baseline needs no more).
    group
        Group size of the objective (default :func:`group_size` of ``problem``; a decomposed
        part passes the whole problem's, so that every part values people alike).
    hosts
        ``resource id -> hosts`` it may use (:func:`planner.optimise.solve.priced_hosts`); a
        resource absent from it, or ``None``, may use every host. Applied before
        ``max_hosts_per_resource``.
    """
    people = unmet_people(problem)
    catch = catchments(problem)
    rules = problem.rules
    hosts_of = None if hosts is None else {rid: set(hs) for rid, hs in hosts.items()}
    fixed = locked_candidates(problem)
    busy = locked_days(fixed)
    cands = Candidates([], fixed, {}, {r.id: day_slots(r) for r in problem.resources}, people, catch)
    cands.seats = {r.id: r.seats for r in problem.resources}
    cands.group = group_size(problem) if group is None else group
    for r in problem.resources:
        reach = {h: cands.reachable(problem, r.id, h) for h in problem.territory.codes}
        hosts = [h for h in problem.territory.codes if reach[h] >= rules.min_participants]
        hosts = [h for h in hosts if host_cap(problem, h, r.seats) >= rules.min_participants]
        hosts = [h for h in hosts if any(slot_fits(r, s, h, problem.matrix) for s in range(day_slots(r)))]
        if hosts_of is not None and r.id in hosts_of:
            hosts = [h for h in hosts if h in hosts_of[r.id]]
        if max_hosts_per_resource is not None and len(hosts) > max_hosts_per_resource:
            hosts.sort(key=lambda h: (-reach[h], drive_min(problem.matrix, r.base, h), h))
            hosts = sorted(hosts[:max_hosts_per_resource])
        fits = {(h, s): slot_fits(r, s, h, problem.matrix) for h in hosts for s in range(day_slots(r))}
        for wd in r.weekdays:
            windows = series_windows(problem.season, wd, rules)
            cands.windows[(r.id, wd)] = windows
            for h in hosts if with_free else ():
                if not host_allowed(problem, r, h, wd):
                    continue
                km = rules.sessions_per_series * 2 * problem.matrix.km(r.base, h)
                for s in range(day_slots(r)):
                    if not fits[(h, s)]:
                        continue
                    st = slot_start(r, s, h, problem.matrix)
                    for b, w in enumerate(windows):
                        if not window_allowed(problem, h, w):
                            continue
                        if not clear_of_locks(r, s, h, st, w, busy, problem.matrix):
                            continue
                        cands.free.append(Candidate(r.id, h, wd, s, b, w, st, st + r.session_minutes, km))
    return cands


def require_windows(problem: PlanningProblem, cands: Candidates) -> None:
    """Raise :class:`InfeasibleError` when no resource can hold a single series in the season."""
    if cands.fixed or any(cands.windows.values()):
        return
    k = problem.rules.sessions_per_series
    days = sorted({wd for r in problem.resources for wd in r.weekdays})
    names = ", ".join(WEEKDAY_NAMES_FR[d] for d in days)
    raise InfeasibleError(
        f"aucun parcours de {k} séances ne tient dans la saison du {problem.season.start:%d/%m/%Y} au "
        f"{problem.season.end:%d/%m/%Y} les jours travaillés ({names}) : allongez la saison, "
        "réduisez le nombre de séances par parcours ou élargissez la tolérance sur l'intervalle"
    )
