"""Every rule of a plan, written once, as a small function returning violations.

Each rule is a pure function ``(plan, problem) -> list[Violation]``; an empty list means the
plan keeps the rule. :func:`check_plan` runs them all. The tests, the "move a session" check
of the pages (:mod:`planner.rules.adjust`) and the solver's post-check all use these functions, so
a rule has one meaning everywhere. Messages are plain French and name the commune and date.

The problem is the reference: its rules, season, resources, requests and locks are what the
plan must obey (a plan's own copy of them is not trusted). To check a saupoudrage baseline
(series of one session, no threshold), pass a problem whose rules say so, or skip rules.

Choices made here (the semantics of PRODUCT.md, "Rules of a good plan"):

- **Interval.** Consecutive sessions of a series (by index) are ``g`` days apart with
  ``max(1, interval − tolerance) ≤ g ≤ interval + tolerance``; with the default 7 ± 7 and
  the same-weekday rule this means one week, or two when a closed date pushed a session.
- **Drive times** are the matrix's (float minutes), compared with a 10⁻⁶ minute slack.
- **Catchment**: a commune may send people to a host when the drive from the commune to the
  host is at most the ``T_max`` of the series' public (``catchment_minutes`` for the general
  public; the host itself always may).
- **Attendance**: a series counts at most ``⌊w · min(U_i, seats)⌋`` people of a neighbour and the
  series of one resource at one host together at most ``⌊w · U_i⌋``
  (:mod:`planner.territory.attendance`, ``U_i`` = ``floor(unmet_need)``).
- **Kilometre budget**: with ``km_budget`` > 0, the sessions counted as return trips from the
  base drive at most that (the routes, which chain hosts, drive no more).
- **People** available in a commune are ``floor(unmet_need)``, summed over all series.
- **Threshold**: a series holding an announced (locked) session of the problem may have fewer
  than ``min_participants`` (it goes on with the people left); the seats still bound it.
- **Requests**: a host's request is :meth:`PlanningProblem.request_for` (the first one);
  a host with no request accepts every day, has power and is allowed unless ``requests_only``.
- **Routes**: one route per (resource, date) with sessions, from the base and back to it;
  stops equal the day's hosts in start-time order once repeated consecutive stops are merged
  (``A, A, B`` = ``A, B``); ``km`` and ``drive_minutes`` within 1 % of the matrix (or 0.1).
- **Hard or soft**: a violation is *hard* (:attr:`Violation.hard`) when it is a physical
  impossibility — a resource in two places at once, a drive that does not fit between two
  sessions, a resource without the service or the power socket it needs, more people than seats
  or than a permanence receives — or a figure that would be false (people counted twice or
  outside the territory, counts that do not add up, routes or gap not matching the plan).
  « Accepter quand même » never covers a hard violation; every other rule is a preference of the
  coordinator (rhythm, weekday, hours, day ends, threshold, catchment, budget, locks…) that they may
  accept knowingly.
- **Gap**: the reference is :attr:`planner.problem.ProgressEvent.gap`, i.e.
  ``(bound − objective) / bound``, 0 when the bound is 0 or less, never negative.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise

from planner.errors import InputError
from planner.french import french_time
from planner.model import (
    DOMICILE,
    PARCOURS,
    PERMANENCE,
    SERVICE_LABELS_FR,
    WEEKDAY_NAMES_FR,
    AcceptedException,
    HostRequest,
    Plan,
    Resource,
    Route,
    Series,
    Session,
)
from planner.problem import PlanningProblem, ProgressEvent
from planner.rhythm import parse_rhythm
from planner.territory.catchment import (
    attendance_share,
    neighbour_caps,
    pool_caps,
    resource_curve,
    unmet_people,
)

EPS_MIN = 1e-6
GAP_TOLERANCE = 1e-6
ROUTE_REL_TOLERANCE = 0.01
ROUTE_ABS_TOLERANCE = 0.1


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, a plain-French message, and where (series, session).

    ``uid`` is the identity of the session concerned (empty for a rule about a whole series or
    the whole plan): it is what an accepted exception refers to.

    ``hard`` marks what no coordinator can decide away: a physical impossibility (a resource in
    two places at once, a drive that cannot fit between two sessions, a resource without the
    service or the power socket it needs, more people than seats) or a figure that would be false
    (people counted twice, counts that do not add up, routes or gap not matching the plan). No
    « accepter quand même » covers it (:func:`accepts`, :data:`HARD_REASON`). The others are the
    coordinator's preferences (rhythm, weekday, hours, threshold, budget…) and may be accepted.
    """

    rule: str
    message: str
    series: str = ""
    session_index: int = 0
    uid: str = ""
    hard: bool = False


#: Why a hard violation cannot be accepted, in French (shown beside it).
HARD_REASON = (
    "Ce n'est pas une préférence que l'on peut écarter en connaissance de cause, mais une impossibilité "
    "(ou un chiffre qui deviendrait faux) : « accepter quand même » ne s'applique pas."
)


Rule = Callable[[Plan, PlanningProblem], list[Violation]]


# ----------------------------------------------------------------------------- wording helpers


def _name(problem: PlanningProblem, code: str) -> str:
    try:
        return problem.territory.commune(code).name
    except KeyError:
        return f"commune {code}"


def _day(d: date) -> str:
    return f"{WEEKDAY_NAMES_FR[d.weekday()]} {d:%d/%m/%Y}"


def _hhmm(t: time) -> str:
    return french_time(t)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: float) -> str:
    whole = math.ceil(minutes - EPS_MIN)
    return f"{whole // 60} h {whole % 60:02d}"


def _late(minutes: float) -> str:
    """« 1 minute », « 12 minutes », « 1 h 05 » for a positive delay in minutes."""
    whole = math.ceil(minutes - EPS_MIN)
    if whole < 60:
        return f"{whole} minute{'s' if whole > 1 else ''}"
    return f"{whole // 60} h {whole % 60:02d}"


def _what(problem: PlanningProblem, s: Session) -> str:
    """« la séance 2 du parcours de Vierzon le mardi 12/01/2027 », « la permanence de Vierzon du
    mardi 12/01/2027 », « la visite à domicile à Vierzon du … » (no internal identifier)."""
    if s.service == PERMANENCE:
        return f"la permanence de {_name(problem, s.host)} du {_day(s.date)}"
    if s.service == DOMICILE:
        return f"la visite à domicile n° {s.index} à {_name(problem, s.host)} du {_day(s.date)}"
    return f"la séance {s.index} du parcours de {_name(problem, s.host)} le {_day(s.date)}"


def _res(problem: PlanningProblem, resource_id: str) -> str:
    """A resource as the coordinator named it (« Bus numérique »), else its identifier."""
    r = _resources(problem).get(resource_id)
    return r.name if r is not None else f"« {resource_id} »"


def _parcours(problem: PlanningProblem, series: Series, plan: Plan | None = None) -> str:
    """« le parcours de Vierzon commençant le mardi 12/01/2027 » (no internal identifier); « la
    permanence de Vierzon (le 2e mardi du mois) », « les visites à domicile à Vierzon »."""
    if series.service == PERMANENCE:
        rhythm = _rhythm(series)
        return f"la permanence de {_name(problem, series.host)}" + (f" ({rhythm.label_fr})" if rhythm else "")
    if series.service == DOMICILE:
        return f"les visites à domicile à {_name(problem, series.host)}"
    text = f"le parcours de {_name(problem, series.host)}"
    days = [s.date for s in plan.sessions if s.series == series.id] if plan is not None else []
    # the first date tells two series of one host apart, and depends on nothing else of the plan
    return f"{text} commençant le {_day(min(days))}" if days else text


def _rhythm(series: Series):
    """The series' rhythm, or ``None`` when it has none (or an unreadable one)."""
    try:
        return parse_rhythm(series.rhythm) if series.rhythm else None
    except InputError:
        return None


def _v(
    rule: str, message: str, s: Session | None = None, series: str = "", *, hard: bool = False
) -> Violation:
    text = message[0].upper() + message[1:]
    if s is not None:
        return Violation(rule, text, s.series, s.index, s.uid, hard=hard)
    return Violation(rule, text, series, hard=hard)


# ----------------------------------------------------------------------------- shared lookups


def _resources(problem: PlanningProblem) -> dict[str, Resource]:
    return {r.id: r for r in problem.resources}


def _requests(problem: PlanningProblem) -> dict[str, HostRequest]:
    first: dict[str, HostRequest] = {}
    for q in problem.requests:
        first.setdefault(q.code_insee, q)
    return first


def _by_series(plan: Plan) -> dict[str, list[Session]]:
    groups: dict[str, list[Session]] = defaultdict(list)
    for s in plan.sessions:
        groups[s.series].append(s)
    return {k: sorted(v, key=lambda s: (s.index, s.date)) for k, v in groups.items()}


def _by_day(plan: Plan) -> dict[tuple[str, date], list[Session]]:
    groups: dict[tuple[str, date], list[Session]] = defaultdict(list)
    for s in plan.sessions:
        groups[(s.resource, s.date)].append(s)
    return {k: sorted(v, key=lambda s: (s.start, s.end)) for k, v in sorted(groups.items())}


def _drive(problem: PlanningProblem, a: str, b: str) -> float | None:
    """Drive minutes from ``a`` to ``b``, or ``None`` when a code is not in the matrix."""
    if a == b:
        return 0.0
    try:
        return problem.matrix.minutes(a, b)
    except KeyError:
        return None


def _session_minutes(s: Session) -> int:
    return _minutes(s.end) - _minutes(s.start)


# ----------------------------------------------------------------------------- rules


def _series_listing(
    plan: Plan, problem: PlanningProblem, groups: dict[str, list[Session]]
) -> list[Violation]:
    """Series ids unique, every session belongs to a series, every series to a known resource."""
    rule, resources = "series_shape", _resources(problem)
    counts = Counter(s.id for s in plan.series)
    twice = {x.id: x for x in plan.series if counts[x.id] > 1}
    out = [
        _v(rule, f"{_parcours(problem, x, plan)} est décrit plusieurs fois", series=sid)
        for sid, x in twice.items()
    ]
    out += [
        _v(
            rule,
            f"{_what(problem, groups[sid][0])} n'appartient à aucun parcours du plan",
            groups[sid][0],
        )
        for sid in sorted(set(groups) - set(counts))
    ]
    out += [
        _v(
            rule,
            f"{_parcours(problem, x, plan)} utilise un moyen inconnu « {x.resource} »",
            series=x.id,
        )
        for x in plan.series
        if x.resource not in resources
    ]
    return out


def _series_members(
    series: Series, sessions: list[Session], problem: PlanningProblem, plan: Plan
) -> list[Violation]:
    """K sessions numbered 1..K, all at the series' host with the series' resource."""
    rule, k = "series_shape", problem.rules.sessions_per_series
    out: list[Violation] = []
    indices = [s.index for s in sessions]
    if indices != list(range(1, k + 1)):
        numbers = ", ".join(map(str, indices)) or "aucune"
        out.append(
            _v(
                rule,
                f"{_parcours(problem, series, plan)} compte {len(sessions)} séance(s) (numéros : {numbers}) "
                f"au lieu de {k} séances numérotées de 1 à {k}",
                series=series.id,
            )
        )
    for s in sessions:
        if s.host != series.host:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} n'a pas lieu chez l'hôte du parcours ({_name(problem, series.host)})",
                    s,
                )
            )
        if s.resource != series.resource:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} n'est pas assurée par le moyen du parcours ({_res(problem, series.resource)})",
                    s,
                )
            )
    return out


def _series_rhythm(sessions: list[Session], problem: PlanningProblem) -> list[Violation]:
    """Same weekday and start time as the first session; gaps within ``interval ± tolerance``.

    An announced (locked) session keeps the time it was announced at, even when it differs
    from the first session's: the coordinator's word wins over the regular slot.
    """
    rule, rules = "series_shape", problem.rules
    announced = set(problem.locked)
    low = max(1, rules.interval_days - rules.interval_tolerance_days)
    high = rules.interval_days + rules.interval_tolerance_days
    out: list[Violation] = []
    first = sessions[0]
    for s in sessions[1:]:
        if s.date.weekday() != first.date.weekday():
            weekday = WEEKDAY_NAMES_FR[first.date.weekday()]
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} ne tombe pas le même jour de semaine que la première séance ({weekday})",
                    s,
                )
            )
        if s.start != first.start and s not in announced:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} commence à {_hhmm(s.start)} au lieu de {_hhmm(first.start)} comme la première séance",
                    s,
                )
            )
    for prev, nxt in pairwise(sessions):
        gap = (nxt.date - prev.date).days
        if not low <= gap <= high:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, nxt)} a lieu {_gap_fr(gap)} la séance {prev.index} "
                    f"(intervalle attendu : entre {low} et {high} jours)",
                    nxt,
                )
            )
    return out


def _gap_fr(days: int) -> str:
    """« 21 jours après », « 21 jours avant », « le même jour que » (a swap puts them out of order)."""
    if days == 0:
        return "le même jour que"
    n = abs(days)
    return f"{n} jour{'s' if n > 1 else ''} {'après' if days > 0 else 'avant'}"


def series_shape(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Each series: exactly K sessions numbered 1..K, one host, one resource, same weekday and
    start time, gaps within ``interval ± tolerance`` (at least one day); no session without series.
    """
    groups = _by_series(plan)
    out = _series_listing(plan, problem, groups)
    for series in plan.series:
        sessions = groups.get(series.id, [])
        out += _service_of_sessions(series, sessions, problem, plan)
        if series.service != PARCOURS:
            continue
        out += _series_members(series, sessions, problem, plan)
        if sessions:
            out += _series_rhythm(sessions, problem)
    return out


def _service_of_sessions(
    series: Series, sessions: list[Session], problem: PlanningProblem, plan: Plan
) -> list[Violation]:
    """Every session of a series is of the series' service type."""
    return [
        _v(
            "series_shape",
            f"{_what(problem, s)} est une {SERVICE_LABELS_FR[s.service]} dans {_parcours(problem, series, plan)}",
            s,
        )
        for s in sessions
        if s.service != series.service
    ]


def permanence_rhythm(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Each permanence: a readable rhythm, every visit on a day of that rhythm (« le 2e mardi du
    mois »), at most one visit per period of the rhythm, at the series' host, with its resource,
    all at the same time; visits numbered 1, 2, … in date order. Home visits: at their commune,
    with their resource, counting only the commune's own people."""
    rule = "permanence_rhythm"
    groups = _by_series(plan)
    out: list[Violation] = []
    for series in plan.series:
        sessions = groups.get(series.id, [])
        if series.service == DOMICILE:
            out += [
                _v(rule, f"{_what(problem, s)} n'a pas lieu dans la commune de ses visites", s)
                for s in sessions
                if s.host != series.host or s.resource != series.resource
            ]
            if set(series.from_communes) - {series.host}:
                out.append(
                    _v(
                        rule,
                        f"{_parcours(problem, series, plan)} comptent des personnes d'une autre commune",
                        series=series.id,
                    )
                )
            continue
        if series.service != PERMANENCE:
            continue
        what = _parcours(problem, series, plan)
        rhythm = _rhythm(series)
        if rhythm is None:
            out.append(_v(rule, f"{what} n'a pas de rythme lisible (« {series.rhythm} »)", series=series.id))
            continue
        if not sessions:
            out.append(_v(rule, f"{what} n'a aucune date", series=series.id))
            continue
        periods: dict[tuple[int, int], Session] = {}
        for s in sorted(sessions, key=lambda s: s.date):
            if not rhythm.matches(s.date):
                out.append(_v(rule, f"{_what(problem, s)} ne tombe pas {rhythm.label_fr}", s))
            elif rhythm.period(s.date) in periods:
                out.append(
                    _v(
                        rule,
                        f"{_what(problem, s)} : deux permanences dans la même période ({rhythm.label_fr})",
                        s,
                    )
                )
            periods.setdefault(rhythm.period(s.date), s)
            if s.host != series.host or s.resource != series.resource:
                out.append(
                    _v(rule, f"{_what(problem, s)} n'a pas lieu chez l'hôte ou avec le moyen de {what}", s)
                )
        first = sessions[0]
        out += [
            _v(rule, f"{_what(problem, s)} commence à {_hhmm(s.start)} au lieu de {_hhmm(first.start)}", s)
            for s in sessions[1:]
            if s.start != first.start
        ]
        if [s.index for s in sessions] != list(range(1, len(sessions) + 1)) or [
            s.date for s in sessions
        ] != sorted(s.date for s in sessions):
            out.append(
                _v(rule, f"{what} : les dates ne sont pas numérotées 1, 2, … dans l'ordre", series=series.id)
            )
    return out


def closed_dates(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """No session outside the season, on a closed date, or on a blackout date of its host's request."""
    rule, season = "closed_dates", problem.season
    requests = _requests(problem)
    out: list[Violation] = []
    for s in plan.sessions:
        if not season.start <= s.date <= season.end:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} tombe hors de la saison (du {season.start:%d/%m/%Y} au {season.end:%d/%m/%Y})",
                    s,
                )
            )
        elif s.date in season.closed_dates:
            reason = season.closed_reasons.get(s.date, "fermeture")
            out.append(_v(rule, f"{_what(problem, s)} tombe un jour fermé ({reason})", s))
        q = requests.get(s.host)
        if q is not None and s.date in q.blackout_dates:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} tombe un jour où {_name(problem, s.host)} n'est pas disponible",
                    s,
                )
            )
    return out


def resource_calendar(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Sessions only on the resource's weekdays and hours, with its session length, at most
    ``max_sessions_per_day`` a day, and on a weekday the host's request accepts."""
    rule = "resource_calendar"
    resources, requests = _resources(problem), _requests(problem)
    out: list[Violation] = []
    for s in plan.sessions:
        r = resources.get(s.resource)
        if r is None:
            out.append(
                _v(rule, f"{_what(problem, s)} est confiée à un moyen inconnu « {s.resource} »", s, hard=True)
            )
            continue
        weekday = WEEKDAY_NAMES_FR[s.date.weekday()]
        if s.date.weekday() not in r.weekdays:
            out.append(_v(rule, f"{_what(problem, s)} : {r.name} ne travaille pas le {weekday}", s))
        if s.start < r.day_start or s.end > r.day_end:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} ({_hhmm(s.start)}–{_hhmm(s.end)}) dépasse la journée de {r.name} "
                    f"({_hhmm(r.day_start)}–{_hhmm(r.day_end)})",
                    s,
                )
            )
        expected = {
            PARCOURS: r.session_minutes,
            PERMANENCE: r.permanence_minutes,
            DOMICILE: r.home_visit_minutes,
        }[s.service]
        if s.service not in r.services:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} : {r.name} n'assure pas de {SERVICE_LABELS_FR[s.service]}",
                    s,
                    hard=True,
                )
            )
        if _session_minutes(s) != expected:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} dure {_session_minutes(s)} min au lieu de {expected} min",
                    s,
                )
            )
        q = requests.get(s.host)
        if q is not None and q.weekdays and s.date.weekday() not in q.weekdays:
            out.append(
                _v(rule, f"{_what(problem, s)} : {_name(problem, s.host)} n'accueille pas le {weekday}", s)
            )
    for (rid, day), all_sessions in _by_day(plan).items():
        r = resources.get(rid)
        sessions = [s for s in all_sessions if s.service != DOMICILE]  # visits fill the free time
        if r is not None and len(sessions) > r.max_sessions_per_day:
            out.append(
                _v(
                    rule,
                    f"{r.name} tient {len(sessions)} séances le {_day(day)} "
                    f"(au plus {r.max_sessions_per_day} par jour)",
                    sessions[-1],
                )
            )
    return out


def _day_ends(r: Resource, first: Session, last: Session, problem: PlanningProblem) -> list[Violation]:
    """Leave the base at ``day_start`` at the earliest, be back by ``day_end``."""
    rule, out = "no_overlap_and_travel", []
    to_first = _drive(problem, r.base, first.host)
    if to_first is not None and _minutes(first.start) + EPS_MIN < _minutes(r.day_start) + to_first:
        arrival = _clock(_minutes(r.day_start) + to_first)
        out.append(
            _v(
                rule,
                f"{_what(problem, first)} commence à {_hhmm(first.start)} : parti de sa base à "
                f"{_hhmm(r.day_start)}, {r.name} n'arrive pas avant {arrival}, "
                f"{_late(_minutes(r.day_start) + to_first - _minutes(first.start))} trop tard",
                first,
            )
        )
    back = _drive(problem, last.host, r.base)
    if back is not None and _minutes(last.end) + back > _minutes(r.day_end) + EPS_MIN:
        home = _clock(_minutes(last.end) + back)
        out.append(
            _v(
                rule,
                f"après {_what(problem, last)}, {r.name} rentre à sa base à {home}, "
                f"{_late(_minutes(last.end) + back - _minutes(r.day_end))} après la fin de sa journée "
                f"({_hhmm(r.day_end)})",
                last,
            )
        )
    return out


def _between(prev: Session, nxt: Session, problem: PlanningProblem) -> list[Violation]:
    """Two consecutive sessions of a resource's day: no overlap, and the drive fits between."""
    rule = "no_overlap_and_travel"
    if nxt.start < prev.end:
        text = f"{_what(problem, nxt)} chevauche {_what(problem, prev)} : {_res(problem, nxt.resource)} ne peut être à deux endroits"
        return [_v(rule, text, nxt, hard=True)]
    drive = _drive(problem, prev.host, nxt.host)
    if drive is not None and _minutes(nxt.start) + EPS_MIN < _minutes(prev.end) + drive:
        arrival = _clock(_minutes(prev.end) + drive)
        text = (
            f"{_what(problem, nxt)} commence à {_hhmm(nxt.start)}, mais le trajet depuis "
            f"{_name(problem, prev.host)} ({drive:.0f} min) n'arrive qu'à {arrival}"
        )
        return [_v(rule, text, nxt, hard=True)]
    return []


def no_overlap_and_travel(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """A resource is never in two places at once and always has the drive time: from its base
    to the first host after ``day_start``, between hosts, and back to base by ``day_end``."""
    resources = _resources(problem)
    out: list[Violation] = []
    for (rid, _), sessions in _by_day(plan).items():
        r = resources.get(rid)
        if r is None:
            continue  # reported by resource_calendar
        out += _day_ends(r, sessions[0], sessions[-1], problem)
        for prev, nxt in pairwise(sessions):
            out += _between(prev, nxt, problem)
    return out


def seats_and_threshold(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """``min_participants ≤ participants ≤ seats`` and ``participants = Σ from_communes``.

    A series holding an announced (locked) session goes on below the threshold: the solver
    keeps it with the people left (the coordinator's word wins, as for its start times).
    """
    rule, rules = "seats_and_threshold", problem.rules
    resources = _resources(problem)
    announced = {s.series for s in problem.locked}
    out: list[Violation] = []
    for series in plan.series:
        total = sum(series.from_communes.values())
        if series.participants != total:
            out.append(
                _v(
                    rule,
                    f"{_parcours(problem, series, plan)} annonce {series.participants} participants mais en compte {total} par commune",
                    series=series.id,
                    hard=True,
                )
            )
        if series.service != PARCOURS:
            out += _service_capacity(series, plan, problem)
            continue
        if series.participants < rules.min_participants and series.id not in announced:
            out.append(
                _v(
                    rule,
                    f"{_parcours(problem, series, plan)} n'a que {series.participants} participants "
                    f"(seuil d'ouverture : {rules.min_participants})",
                    series=series.id,
                )
            )
        r = resources.get(series.resource)
        if r is not None and series.participants > r.seats:
            out.append(
                _v(
                    rule,
                    f"{_parcours(problem, series, plan)} a {series.participants} participants pour {r.seats} places",
                    series=series.id,
                    hard=True,
                )
            )
    return out


def _service_capacity(series: Series, plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """A permanence counts no more people than its visits can help (capacity × hours), with the
    capacity of its resource; home visits count one person per visit, no more than asked."""
    from planner.optimise.permanences import capacity_people

    rule = "seats_and_threshold"
    sessions = [s for s in plan.sessions if s.series == series.id]
    what = _parcours(problem, series, plan)
    out: list[Violation] = []
    if series.service == PERMANENCE:
        r = _resources(problem).get(series.resource)
        if r is not None and abs(series.capacity - r.permanence_capacity) > 1e-9:
            out.append(
                _v(
                    rule,
                    f"{what} annonce {series.capacity:g} personnes par heure, "
                    f"{r.name} en reçoit {r.permanence_capacity:g}",
                    series=series.id,
                    hard=True,
                )
            )
        room = capacity_people(series.capacity, sum(_session_minutes(s) for s in sessions))
        if series.participants > room:
            out.append(
                _v(
                    rule,
                    f"{what} compte {series.participants} personnes, plus que ses {len(sessions)} date(s) "
                    f"ne peuvent en recevoir ({room})",
                    series=series.id,
                    hard=True,
                )
            )
    else:
        q = _requests(problem).get(series.host)
        asked = 0 if q is None else q.home_visits
        if series.participants != len(sessions):
            out.append(
                _v(
                    rule,
                    f"{what} comptent {series.participants} personnes pour {len(sessions)} visite(s)",
                    series=series.id,
                )
            )
        if len(sessions) > asked:
            out.append(
                _v(
                    rule,
                    f"{what} : {len(sessions)} visite(s) prévue(s) pour {asked} demandée(s)",
                    series=series.id,
                )
            )
    return out


def participants_allocation(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """People come only from communes within the catchment of the host, and a commune never
    gives more people, over all series, than ``floor(unmet_need)``."""
    rule, resources = "participants_allocation", _resources(problem)
    used: dict[str, int] = defaultdict(int)
    out: list[Violation] = []
    for series in plan.series:
        r = resources.get(series.resource)
        radius = problem.rules.catchment_minutes if r is None else resource_curve(problem, r).max_minutes
        for code, people in sorted(series.from_communes.items()):
            used[code] += people
            if people < 0:
                out.append(
                    _v(
                        rule,
                        f"{_parcours(problem, series, plan)} compte {people} personnes de {_name(problem, code)}",
                        series=series.id,
                        hard=True,
                    )
                )
            if code not in problem.needs:
                out.append(
                    _v(
                        rule,
                        f"{_parcours(problem, series, plan)} compte des personnes de la commune {code}, hors du territoire",
                        series=series.id,
                        hard=True,
                    )
                )
                continue
            drive = _drive(problem, code, series.host)
            if drive is None or drive > radius + EPS_MIN:
                far = "?" if drive is None else f"{drive:.0f}"
                out.append(
                    _v(
                        rule,
                        f"{_parcours(problem, series, plan)} compte {people} personnes de {_name(problem, code)}, "
                        f"à {far} min de route (rayon d'attraction : {radius:g} min)",
                        series=series.id,
                    )
                )
    for code, people in sorted(used.items()):
        need = problem.needs.get(code)
        if need is None:
            continue
        available = max(0, math.floor(need.unmet_need + 1e-9))
        if people > available:
            out.append(
                _v(
                    rule,
                    f"{_name(problem, code)} compte {people} participants sur l'ensemble des parcours, "
                    f"plus que son besoin non couvert ({available} personnes) : des personnes sont comptées deux fois",
                    hard=True,
                )
            )
    return out


def attendance(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """A series counts no more people of a neighbour than its public would send there
    (:func:`planner.territory.catchment.neighbour_caps`), and the series of one resource at one
    host together no more than :func:`planner.territory.catchment.pool_caps`."""
    rule, resources = "attendance", _resources(problem)
    people = unmet_people(problem)
    drawn: dict[tuple[str, str, str], int] = defaultdict(int)
    told: set[tuple[str, str, str]] = set()  # one message per excess, not two
    out: list[Violation] = []
    for series in plan.series:
        r = resources.get(series.resource)
        neighbours = [c for c in series.from_communes if c != series.host and c in people]
        if r is None or not neighbours:
            continue
        if series.service != PARCOURS:  # no series of seats: the pool bounds it (below)
            for code in neighbours:
                drawn[(series.resource, series.host, code)] += series.from_communes[code]
            continue
        caps = neighbour_caps(problem, r, series.host, neighbours, people)
        for code in sorted(neighbours):
            n = series.from_communes[code]
            drawn[(series.resource, series.host, code)] += n
            if n > caps[code]:
                told.add((series.resource, series.host, code))
                share = attendance_share(problem, r, code, series.host)
                out.append(
                    _v(
                        rule,
                        f"le parcours {series.id} à {_name(problem, series.host)} compte {n} personnes de "
                        f"{_name(problem, code)} ; à {problem.matrix.minutes(code, series.host):.0f} min de route, "
                        f"on n'en attend que {caps[code]} ({100 * share:.0f} % de ce que la même série réunirait sur place)",
                        series=series.id,
                    )
                )
    for (rid, host, code), n in sorted(drawn.items()):
        cap = pool_caps(problem, resources[rid], host, [code], people)[code]
        if n > cap and (rid, host, code) not in told:
            out.append(
                _v(
                    rule,
                    f"les parcours à {_name(problem, host)} comptent ensemble {n} personnes de {_name(problem, code)}, "
                    f"plus que les {cap} qui feraient le trajet",
                )
            )
    return out


def km_budget(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """With a budget (``km_budget`` > 0), the sessions counted as return trips stay within it."""
    budget = problem.rules.km_budget
    if budget <= 0:
        return []
    resources = _resources(problem)
    km = sum(
        2 * problem.matrix.km(resources[s.resource].base, s.host)
        for s in plan.sessions
        if s.resource in resources
    )
    if km <= budget + 1e-6:
        return []
    return [
        _v(
            "km_budget",
            f"les séances comptent {km:.0f} km (aller-retour depuis la base), plus que le budget de la saison "
            f"({budget:.0f} km)",
        )
    ]


def must_host(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Every commune the coordinator imposed (``problem.must_host``) holds at least one session."""
    hosts = {s.host for s in plan.sessions}
    return [
        _v("must_host", f"{_name(problem, code)} devait accueillir un parcours et n'en accueille aucun")
        for code in problem.must_host
        if code not in hosts
    ]


def locked_unchanged(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Every locked session of the problem is in the plan, identical, and still locked."""
    rule = "locked_unchanged"
    found = {(s.series, s.index): s for s in plan.sessions}
    fields = ("resource", "host", "date", "start", "end")
    out: list[Violation] = []
    for lock in problem.locked:
        s = found.get((lock.series, lock.index))
        if s is None:
            out.append(
                _v(rule, f"{_what(problem, lock)}, verrouillée (déjà annoncée), a disparu du plan", lock)
            )
            continue
        changed = [f for f in fields if getattr(s, f) != getattr(lock, f)]
        if changed:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, lock)}, verrouillée (déjà annoncée), a été modifiée ({', '.join(changed)})",
                    lock,
                )
            )
        if not s.locked:
            out.append(_v(rule, f"{_what(problem, lock)} n'est plus marquée verrouillée", lock))
    return out


def power(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """A resource that needs power goes only to hosts with power (no request: power assumed)."""
    rule = "power"
    resources, requests = _resources(problem), _requests(problem)
    out: list[Violation] = []
    for s in plan.sessions:
        r, q = resources.get(s.resource), requests.get(s.host)
        if r is not None and r.needs_power and q is not None and not q.has_power:
            out.append(
                _v(
                    rule,
                    f"{_what(problem, s)} : {r.name} a besoin d'une prise électrique que {_name(problem, s.host)} n'a pas",
                    s,
                    hard=True,
                )
            )
    return out


def hosts_allowed(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """Hosts are communes of the territory and, with ``requests_only``, communes with a request."""
    rule = "hosts_allowed"
    codes, requests = set(problem.territory.codes), _requests(problem)
    out: list[Violation] = []
    for series in plan.series:
        if series.host not in codes:
            out.append(
                _v(
                    rule,
                    f"un parcours a lieu dans la commune {series.host}, hors du territoire",
                    series=series.id,
                    hard=True,
                )
            )
        elif problem.requests_only and series.host not in requests:
            out.append(
                _v(
                    rule,
                    f"{_parcours(problem, series, plan)} a lieu à {_name(problem, series.host)}, qui n'a pas fait de demande",
                    series=series.id,
                )
            )
    return out


def reported_gap(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """``metrics.gap`` equals ``(bound − objective) / bound`` (0 when bound ≤ 0), within 10⁻⁶,
    and the objective does not exceed the bound."""
    rule, m = "reported_gap", plan.metrics
    values = (m.objective, m.bound, m.gap)
    if not all(math.isfinite(x) for x in values):
        return [
            _v(
                rule,
                f"l'objectif, la borne ou l'écart n'est pas un nombre fini ({m.objective}, {m.bound}, {m.gap})",
                hard=True,
            )
        ]
    out: list[Violation] = []
    expected = ProgressEvent(0.0, m.objective, m.bound).gap
    if abs(m.gap - expected) > GAP_TOLERANCE:
        out.append(
            _v(
                rule,
                f"l'écart annoncé ({m.gap:.6f}) ne correspond pas à (borne − objectif) / borne = {expected:.6f} "
                f"(objectif {m.objective:g}, borne {m.bound:g})",
                hard=True,
            )
        )
    if m.objective > m.bound + GAP_TOLERANCE * max(1.0, abs(m.bound)):
        out.append(
            _v(rule, f"l'objectif ({m.objective:g}) dépasse la borne prouvée ({m.bound:g})", hard=True)
        )
    return out


def _merged(stops: Iterable[str]) -> list[str]:
    out: list[str] = []
    for code in stops:
        if not out or out[-1] != code:
            out.append(code)
    return out


def _close(reported: float, expected: float) -> bool:
    return abs(reported - expected) <= max(ROUTE_ABS_TOLERANCE, ROUTE_REL_TOLERANCE * abs(expected))


def _route_violations(
    route: Route, r: Resource, sessions: list[Session], problem: PlanningProblem
) -> list[str]:
    """What is wrong with one route (French phrases without the route's name)."""
    out: list[str] = []
    stops = list(route.stops)
    if len(stops) < 2 or stops[0] != r.base or stops[-1] != r.base:
        out.append(f"ne part pas de sa base ({_name(problem, r.base)}) ou n'y revient pas")
    expected = _merged([r.base, *(s.host for s in sessions), r.base])
    if _merged(stops) != expected:
        names = " → ".join(_name(problem, c) for c in expected)
        out.append(f"ne suit pas les séances du jour dans l'ordre (attendu : {names})")
    legs = list(pairwise(stops))
    if any(_drive(problem, a, b) is None for a, b in legs):
        return [*out, "passe par une commune sans temps de trajet connu"]
    km = sum(0.0 if a == b else problem.matrix.km(a, b) for a, b in legs)
    minutes = sum(_drive(problem, a, b) or 0.0 for a, b in legs)
    if not _close(route.km, km):
        out.append(f"annonce {route.km:.1f} km au lieu de {km:.1f} km")
    if not _close(route.drive_minutes, minutes):
        out.append(f"annonce {route.drive_minutes:.0f} min de route au lieu de {minutes:.0f} min")
    return out


def routes_consistent(plan: Plan, problem: PlanningProblem) -> list[Violation]:
    """One route per resource and working day, from the base and back, through the day's
    hosts in time order, with ``km`` and ``drive_minutes`` matching the matrix within 1 %."""
    rule = "routes_consistent"
    resources, days = _resources(problem), _by_day(plan)
    out: list[Violation] = []
    seen: set[tuple[str, date]] = set()
    for route in sorted(plan.routes, key=lambda r: (r.date, r.resource)):
        key, label = (
            (route.resource, route.date),
            f"la tournée de {_res(problem, route.resource)} du {_day(route.date)}",
        )
        r, sessions = resources.get(route.resource), days.get(key)
        if key in seen:
            problems = ["est décrite plusieurs fois"]
        elif r is None or not sessions:
            problems = ["ne correspond à aucune séance du plan"]
        else:
            problems = _route_violations(route, r, sessions, problem)
        seen.add(key)
        out += [_v(rule, f"{label} {text}", hard=True) for text in problems]
    for rid, day in days:
        if (rid, day) not in seen and rid in resources:
            out.append(_v(rule, f"il manque la tournée de {_res(problem, rid)} du {_day(day)}", hard=True))
    return out


#: Every rule, in the order :func:`check_plan` runs them.
RULES: dict[str, Rule] = {
    "series_shape": series_shape,
    "permanence_rhythm": permanence_rhythm,
    "closed_dates": closed_dates,
    "resource_calendar": resource_calendar,
    "no_overlap_and_travel": no_overlap_and_travel,
    "seats_and_threshold": seats_and_threshold,
    "participants_allocation": participants_allocation,
    "attendance": attendance,
    "km_budget": km_budget,
    "must_host": must_host,
    "locked_unchanged": locked_unchanged,
    "power": power,
    "hosts_allowed": hosts_allowed,
    "reported_gap": reported_gap,
    "routes_consistent": routes_consistent,
}


def check_plan(plan: Plan, problem: PlanningProblem, *, skip: Iterable[str] = ()) -> list[Violation]:
    """Run every rule of :data:`RULES` on ``plan`` and return all violations (empty = valid).

    Parameters
    ----------
    plan
        The plan to check.
    problem
        What the plan must obey (rules, season, resources, requests, locks, drive times).
    skip
        Names of rules not to run (e.g. ``{"series_shape", "seats_and_threshold"}`` for a
        saupoudrage baseline checked against the optimiser's rules).
    """
    unknown = set(skip) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules: {sorted(unknown)}")
    out: list[Violation] = []
    for name, rule in RULES.items():
        if name not in skip:
            out.extend(rule(plan, problem))
    return out


# ----------------------------------------------------------------------------- accepted exceptions


def exception_of(v: Violation, *, by: str = "", on: str = "") -> AcceptedException:
    """The :class:`~planner.model.AcceptedException` that accepts ``v`` ("accepter quand même")."""
    return AcceptedException(rule=v.rule, message=v.message, uid=v.uid, series=v.series, by=by, on=on)


def accepts(a: AcceptedException, v: Violation) -> bool:
    """True when ``a`` accepts ``v``: same rule, same message, same session (or same series).

    The message is part of the match on purpose: a return at 17 h 45 is not the return at
    17 h 31 the coordinator accepted. A hard violation (:attr:`Violation.hard`) is never accepted,
    even by an exception written in a plan file by hand.
    """
    if v.hard or a.rule != v.rule or a.message != v.message:
        return False
    return a.uid == v.uid if v.uid else a.series == v.series


def split_accepted(
    violations: Iterable[Violation], accepted: Iterable[AcceptedException]
) -> tuple[list[Violation], list[Violation]]:
    """``(open, accepted)``: the violations no exception accepts, and those one does."""
    exceptions = list(accepted)
    open_: list[Violation] = []
    ok: list[Violation] = []
    for v in violations:
        (ok if any(accepts(a, v) for a in exceptions) else open_).append(v)
    return open_, ok


@dataclass(frozen=True)
class CheckResult:
    """Every rule of a plan, with the coordinator's accepted exceptions set apart.

    Attributes
    ----------
    open
        Violations nobody accepted: what the checker reports as errors.
    accepted
        Violations accepted on purpose (shown as accepted exceptions, not as errors).
    stale
        Accepted exceptions that no longer match any violation (the plan changed since).
    """

    open: tuple[Violation, ...]
    accepted: tuple[Violation, ...]
    stale: tuple[AcceptedException, ...]

    @property
    def ok(self) -> bool:
        """True when every violation, if any, was accepted."""
        return not self.open


def check_with_exceptions(plan: Plan, problem: PlanningProblem, *, skip: Iterable[str] = ()) -> CheckResult:
    """:func:`check_plan` with the exceptions of ``plan.accepted`` and ``problem.accepted`` set apart."""
    violations = check_plan(plan, problem, skip=skip)
    exceptions = tuple(plan.accepted) + tuple(problem.accepted)
    open_, ok = split_accepted(violations, exceptions)
    stale = tuple(a for a in plan.accepted if not any(accepts(a, v) for v in ok))
    return CheckResult(tuple(open_), tuple(ok), stale)
