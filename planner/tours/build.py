"""A current tour as a plan: its vehicles as resources, its sessions grouped into series.

*Vehicles.* A vehicle named in the tour is a resource of ``given`` (a resources file, or the
plan's own) when its identifier, label or name matches; without ``given``, each vehicle becomes a
resource with the defaults of its kind (a name with « équipe » or « médiateur » is a team, else a
bus), based at the territory's most populated commune (:func:`planner.inputs.tables.default_resources`),
working the weekdays and hours the tour uses (the day starts early enough to drive from the base
to the first stop, ends late enough to drive back), sessions of the tour's most common length.

*Series.* The optimiser's yardstick counts parcours: K sessions, one a week, at one host with one
resource and slot. The tour's sessions of the same vehicle, commune, weekday and hours are chained
while consecutive dates are within ``interval ± tolerance`` days (:class:`~planner.model.Rules`),
and each chain is cut into series of at most K sessions. A monthly stop thus makes series of one
session, each worth 1/K of a parcours (as the saupoudrage baseline), and the rules checker lists
them as parcours too short — listed, never fixed.

*Permanences and home visits.* A line of type « permanence » is one series for the season (one
vehicle, commune, weekday and hours), its rhythm written as :mod:`planner.rhythm` codes it
(« 2e mardi du mois » → ``monthly:2:1``); the home visits of one commune are one series, one
session per visit.

*People.* Each series counts, in the order of its first date, among people no earlier series
counts (:func:`count_people`): a parcours the host's people then the neighbours who would come
(:func:`planner.territory.catchment.recount`, as a series moved by hand), a permanence the people
it puts within reach up to what its visits can help (:func:`planner.optimise.permanences.take`,
the optimiser's own), home visits one person of the commune each.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, time
from itertools import pairwise

from planner.errors import InputError
from planner.inputs.tables import RESOURCE_DEFAULTS, default_resources
from planner.model import PARCOURS, PERMANENCE, Resource, Rules, Series, Session, Territory, session_uid
from planner.optimise.permanences import take as permanence_take
from planner.problem import PlanningProblem
from planner.rhythm import FORTNIGHTLY, MONTHLY, WEEKLY, Rhythm
from planner.territory.catchment import recount, unmet_people
from planner.territory.travel import TravelMatrix
from planner.tours.load import Tour

EARLIEST, LATEST = 6 * 60, 22 * 60


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _slug(name: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", _key_keep(name)).strip("-")[:40] or "vehicule"
    out, n = base, 1
    while out in used:
        n += 1
        out = f"{base}-{n}"
    used.add(out)
    return out


def _key_keep(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _derived(name: str, rid: str, lines, territory: Territory, matrix: TravelMatrix) -> Resource:
    """A resource for a vehicle the tour names, fitted to the days and hours it runs."""
    kind = "team" if re.search(r"equipe|mediat|team", _key(name)) else "bus"
    defaults = RESOURCE_DEFAULTS[kind]
    base = default_resources(territory)[0].base
    weekdays = tuple(sorted({d.weekday() for x in lines for d in x.dates}))
    services = tuple(dict.fromkeys(x.service for x in lines))
    durations = Counter(
        _minutes(x.end) - _minutes(x.start) for x in lines if x.service == PARCOURS for _ in x.dates
    ) or Counter(_minutes(x.end) - _minutes(x.start) for x in lines for _ in x.dates)
    perm = Counter(
        _minutes(x.end) - _minutes(x.start) for x in lines if x.service == PERMANENCE for _ in x.dates
    )
    leave = min(_minutes(x.start) - matrix.minutes(base, x.host) for x in lines)
    back = max(_minutes(x.end) + matrix.minutes(x.host, base) for x in lines)
    start = max(EARLIEST, min(_minutes(time(9, 0)), int(leave // 15) * 15))
    end = min(LATEST, max(_minutes(time(17, 30)), -int(-back // 15) * 15))
    per_day = Counter((d, x.vehicle) for x in lines for d in x.dates)
    return Resource(
        id=rid,
        kind=kind,
        seats=int(defaults["seats"]),
        base=base,
        weekdays=weekdays or (1,),
        day_start=_clock(start),
        day_end=_clock(end),
        max_sessions_per_day=max(int(defaults["max_sessions_per_day"]), max(per_day.values(), default=1)),
        session_minutes=durations.most_common(1)[0][0] if durations else int(defaults["session_minutes"]),
        needs_power=defaults["needs_power"] == "true",
        label=name or "Bus numérique",
        services=services,
        **({"permanence_minutes": perm.most_common(1)[0][0]} if perm else {}),
    )


def tour_resources(
    tour: Tour, territory: Territory, matrix: TravelMatrix, given: Sequence[Resource] = ()
) -> tuple[tuple[Resource, ...], dict[str, str]]:
    """The resources of a tour and ``vehicle as written → resource id`` (see the module docstring).

    Raises
    ------
    InputError
        A vehicle that none of ``given`` names, located on its first line.
    """
    vehicles = list(dict.fromkeys(x.vehicle for x in tour.lines))
    if given:
        names = {}
        for r in given:
            for text in (r.id, r.label, r.name):
                if text:
                    names.setdefault(_key(text), r.id)
        ids: dict[str, str] = {}
        for v in vehicles:
            if not v and len(given) == 1:
                ids[v] = given[0].id
            elif _key(v) in names:
                ids[v] = names[_key(v)]
            else:
                line = next(x.line for x in tour.lines if x.vehicle == v)
                known = ", ".join(r.name for r in given)
                raise InputError(
                    f"véhicule inconnu : « {v or '(vide)'} » (moyens connus : {known})",
                    file=tour.source,
                    row=line,
                    column="Véhicule",
                )
        used = set(ids.values())
        return tuple(r for r in given if r.id in used) or tuple(given[:1]), ids
    used: set[str] = set()
    resources, ids = [], {}
    for v in vehicles:
        rid = "bus-1" if len(vehicles) == 1 else _slug(v or "vehicule", used)
        lines = [x for x in tour.lines if x.vehicle == v and x.dates]
        if not lines:
            continue
        try:
            resources.append(_derived(v, rid, lines, territory, matrix))
        except InputError as exc:
            raise InputError(exc.message, file=tour.source, row=lines[0].line, column="Véhicule") from None
        ids[v] = rid
    return tuple(resources), ids


def tour_sessions(tour: Tour, ids: dict[str, str], territory_spec: str) -> list[Session]:
    """Every session of the tour (series still unnamed), sorted by date and time."""
    out = []
    for x in tour.lines:
        for d in x.dates:
            s = Session("", 0, ids[x.vehicle], x.host, d, x.start, x.end, locked=x.locked, service=x.service)
            out.append(replace(s, uid=session_uid(territory_spec, s)))
    return sorted(out, key=lambda s: (s.date, s.start, s.resource))


def _chains(sessions: Iterable[Session], rules: Rules) -> list[list[Session]]:
    low = max(1, rules.interval_days - rules.interval_tolerance_days)
    high = rules.interval_days + rules.interval_tolerance_days
    groups: dict[tuple, list[Session]] = defaultdict(list)
    for s in sessions:
        groups[(s.resource, s.host, s.date.weekday(), s.start, s.end, s.service)].append(s)
    out = []
    for key, items in groups.items():
        items.sort(key=lambda s: s.date)
        if key[-1] != PARCOURS:  # a permanence stop, or a commune's home visits: one series
            out.append(items)
            continue
        chain = [items[0]]
        for prev, nxt in pairwise(items):
            if low <= (nxt.date - prev.date).days <= high and len(chain) < rules.sessions_per_series:
                chain.append(nxt)
            else:
                out.append(chain)
                chain = [nxt]
        out.append(chain)
    return sorted(out, key=lambda c: (c[0].date, c[0].start, c[0].resource, c[0].host))


def _rhythm(chain: Sequence[Session]) -> str:
    """The rhythm code of a permanence's dates (:mod:`planner.rhythm`), ``""`` when none fits."""
    first = chain[0].date
    week = (first.day - 1) // 7 + 1
    for rhythm in (  # the most specific first
        *([Rhythm(MONTHLY, first.weekday(), week)] if week <= 4 else []),
        Rhythm(MONTHLY, first.weekday(), -1),
        Rhythm(FORTNIGHTLY, first.weekday(), ((first - date(2024, 1, 1)).days // 7) % 2),
        Rhythm(WEEKLY, first.weekday()),
    ):
        if all(rhythm.matches(s.date) for s in chain):
            return rhythm.code
    return ""


def count_people(
    problem: PlanningProblem, chain: Sequence[Session], r: Resource, series: Sequence[Series]
) -> tuple[dict[str, int], dict[str, float]]:
    """Who the series of sessions ``chain`` counts, among the people no series of ``series``
    counts: ``(from_communes, from_minutes)``. A parcours: the host's people then the neighbours
    who would come, up to the seats (:func:`planner.territory.catchment.recount`); a permanence:
    the people it puts within reach, up to what its visits can help
    (:func:`planner.optimise.permanences.take`); home visits: one person of the commune each."""
    first = chain[0]
    if first.service == PARCOURS:
        others = [(x.host, x.resource, x.from_communes) for x in series]
        return recount(problem, r, first.host, r.seats, others)
    left = dict(unmet_people(problem))
    for x in series:
        for c, n in x.from_communes.items():
            left[c] = left.get(c, 0) - n
    if first.service == PERMANENCE:
        minutes = _minutes(first.end) - _minutes(first.start)
        take = permanence_take(problem, r, first.host, len(chain), minutes, left)
    else:  # home visits: one person of the commune each
        take = {first.host: n} if (n := min(len(chain), max(0, left.get(first.host, 0)))) else {}
    m = problem.matrix
    return take, {c: 0.0 if c == first.host else round(m.minutes(c, first.host), 1) for c in take}


def group_series(
    sessions: Sequence[Session], problem: PlanningProblem, fixed: Sequence[Series] = ()
) -> tuple[tuple[Series, ...], tuple[Session, ...]]:
    """Group unnamed sessions into series and count their people (see the module docstring).

    ``fixed`` are series kept as they are (their people stay theirs); the new series are named
    ``T01-18100``, ``T02-…`` after the ids ``fixed`` already uses.
    """
    res = {r.id: r for r in problem.resources}
    series, named = list(fixed), []
    used = {x.id for x in fixed}
    n = 0
    for chain in _chains(sessions, problem.rules):
        first = chain[0]
        while True:
            n += 1
            sid = f"T{n:02d}-{first.host}"
            if sid not in used:
                break
        used.add(sid)
        r = res[first.resource]
        take, minutes = count_people(problem, chain, r, series)
        extra = {}
        if first.service == PERMANENCE:
            extra = {"rhythm": _rhythm(chain), "capacity": r.permanence_capacity}
        series.append(
            Series(
                sid,
                first.host,
                first.resource,
                sum(take.values()),
                take,
                minutes,
                service=first.service,
                **extra,
            )
        )
        named += [replace(s, series=sid, index=k) for k, s in enumerate(chain, start=1)]
    return tuple(series), tuple(named)
