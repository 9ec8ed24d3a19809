"""Adjusting a plan by hand: lock sessions, move one or a whole series, swap two, add one.

Every function returns a new :class:`~planner.model.Plan` (plans are frozen). An edit is checked
at once against every rule of :func:`planner.rules.check.check_plan` and returned as an
:class:`Adjustment`: the edited plan and what it breaks, in plain French. A rule broken on
purpose is not a dead end: :func:`accept` records the violations as accepted exceptions in the
plan (``Plan.accepted``, shown by the checker apart from the errors) and locks the sessions
concerned, so that a re-plan keeps the coordinator's word. Only preferences may be so accepted:
an edit that breaks a hard rule (a resource in two places at once, a drive that cannot fit…,
:attr:`planner.rules.check.Violation.hard`) is refused by :func:`accept` and the plan stays as
it was. A hard rule the plan already broke before the edit (a plan saved before such rules were
refused, an older version restored) does not refuse it (:attr:`Adjustment.standing`): otherwise
no edit but the one mending it could ever be made, and none at all with two of them.

Identity: a session keeps its ``uid`` through every edit and its ``sequence`` grows by one each
time its date, time, host or resource changes (the calendars' revision number). A moved session
becomes locked by default: a date changed by hand is usually a date that has been announced.
After an edit the plan's figures (objective, participants, kilometres) are recomputed and its
status reads ``EDITED``: what the solver proved was about the plan before the edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from planner.errors import InputError
from planner.model import (
    DOMICILE,
    PARCOURS,
    PERMANENCE,
    AcceptedException,
    Plan,
    Route,
    Series,
    Session,
    session_uid,
)
from planner.optimise.objective import objective_value, reference_value
from planner.optimise.routing import route_of
from planner.problem import PlanningProblem
from planner.publish.equity import with_own_figures
from planner.rules.check import HARD_REASON, Violation, check_plan, exception_of, split_accepted
from planner.territory.catchment import recount

SessionKey = tuple[str, int]
EDITED = "EDITED"


def session_key(s: Session) -> SessionKey:
    """The identity of a session inside a plan: ``(series id, session number)``."""
    return (s.series, s.index)


def find_session(plan: Plan, key: SessionKey) -> Session:
    """The session of ``plan`` with this key.

    Raises
    ------
    InputError
        When the plan has no such session (a selection made on an older version of the plan).
    """
    for s in plan.sessions:
        if session_key(s) == tuple(key):
            return s
    raise InputError("séance introuvable dans le plan : il a changé depuis, choisissez-la de nouveau")


def locked_sessions(plan: Plan) -> tuple[Session, ...]:
    """The sessions of ``plan`` marked as locked (already announced)."""
    return tuple(s for s in plan.sessions if s.locked)


def with_locks(plan: Plan, keys: Iterable[SessionKey]) -> Plan:
    """A copy of ``plan`` where exactly the sessions in ``keys`` are locked.

    Unknown keys raise :class:`InputError` so that a stale selection is not silently ignored.
    """
    wanted = {tuple(k) for k in keys}
    known = {session_key(s) for s in plan.sessions}
    if wanted - known:
        raise InputError("séance introuvable dans le plan : il a changé depuis, choisissez-la de nouveau")
    sessions = tuple(replace(s, locked=session_key(s) in wanted) for s in plan.sessions)
    return replace(plan, sessions=sessions)


def set_locked(plan: Plan, keys: Iterable[SessionKey], locked: bool = True) -> Plan:
    """A copy of ``plan`` with the sessions in ``keys`` locked (or unlocked), others untouched."""
    current = {session_key(s) for s in plan.sessions if s.locked}
    change = {tuple(k) for k in keys}
    return with_locks(plan, current | change if locked else current - change)


def _route_for_day(problem: PlanningProblem, resource_id: str, day: date, sessions: list[Session]) -> Route:
    resource = next(r for r in problem.resources if r.id == resource_id)
    hosts = [s.host for s in sorted(sessions, key=lambda s: s.start)]
    return route_of(resource, day, hosts, problem.matrix)


def rebuild_routes(plan: Plan, problem: PlanningProblem, days: Iterable[tuple[str, date]]) -> Plan:
    """Recompute the routes of the given ``(resource, date)`` days from the plan's sessions.

    A day left without sessions loses its route. Kilometres and drive hours in the metrics are
    the sum of the routes (as the solver writes them), not the old figures plus a difference: a
    plan file's routes are rounded, and that difference drifted away from them edit after edit.
    The optimiser's objective and bound are kept as they were.
    """
    days = set(days)
    kept = [r for r in plan.routes if (r.resource, r.date) not in days]
    new: list[Route] = []
    for resource_id, day in sorted(days):
        todays = [s for s in plan.sessions if s.resource == resource_id and s.date == day]
        if todays:
            new.append(_route_for_day(problem, resource_id, day, todays))
    routes = tuple(sorted(kept + new, key=lambda r: (r.date, r.resource)))
    metrics = replace(
        plan.metrics,
        km=sum(r.km for r in routes),
        drive_hours=sum(r.drive_minutes for r in routes) / 60.0,
        sessions=len(plan.sessions),
    )
    return replace(plan, routes=routes, metrics=metrics)


def refresh_metrics(plan: Plan, problem: PlanningProblem) -> Plan:
    """The figures of a hand-edited plan, recomputed from its series and sessions.

    The objective is :func:`planner.optimise.objective.objective_value`; the solver's bound is
    kept (raised to the objective if an edit outside the rules went past it) and the status
    becomes ``EDITED``: the solver's proof was about the plan before the edit. The equity, euros
    and CO2 figures follow the new routes and hosts (:func:`planner.publish.equity.with_own_figures`).
    """
    k = problem.rules.sessions_per_series
    count: dict[str, int] = {}
    for s in plan.sessions:
        count[s.series] = count.get(s.series, 0) + 1
    objective = objective_value(plan, problem)
    bound = max(plan.metrics.bound, objective)
    gap = 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    metrics = replace(
        plan.metrics,
        status=EDITED,
        objective=objective,
        bound=bound,
        gap=gap,
        participants=sum(x.participants for x in plan.series),
        participants_full_series=sum(x.participants for x in plan.series if count.get(x.id, 0) >= k),
        sessions=len(plan.sessions),
    )
    if metrics.reference_rules is not None:  # a kept plan of the frontier: its yardstick follows the edit
        metrics = replace(metrics, reference_value=reference_value(replace(plan, metrics=metrics), problem))
    return with_own_figures(replace(plan, metrics=metrics))


@dataclass(frozen=True)
class Adjustment:
    """The result of a manual change: the new plan and the rules it breaks (empty when none).

    ``violations`` are the rules broken and not yet accepted; ``changed`` the keys of the
    sessions the edit touched (they are locked by :func:`accept`); ``before`` the hard
    violations the plan had before the edit (:attr:`standing`).
    """

    plan: Plan
    violations: tuple[Violation, ...]
    changed: tuple[SessionKey, ...] = ()
    before: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the adjusted plan breaks no rule (accepted exceptions aside)."""
        return not self.violations

    @property
    def hard(self) -> tuple[Violation, ...]:
        """The violations no coordinator may accept (:attr:`Violation.hard`) that the edit brings:
        those the plan already had (:attr:`standing`) do not refuse it."""
        was = {_identity(v) for v in self.before}
        return tuple(v for v in self.violations if v.hard and _identity(v) not in was)

    @property
    def standing(self) -> tuple[Violation, ...]:
        """Hard violations the plan already had before the edit, left as they were.

        They are not the edit's doing: refusing every edit for them would leave a plan stuck (a
        plan saved before hard rules were refused, an older version restored). They stay open in
        the check until the session in cause is moved or the plan re-planned.
        """
        was = {_identity(v) for v in self.before}
        return tuple(v for v in self.violations if v.hard and _identity(v) in was)

    @property
    def soft(self) -> tuple[Violation, ...]:
        """The preferences the edited plan breaks: what « accepter quand même » records."""
        return tuple(v for v in self.violations if not v.hard)

    @property
    def acceptable(self) -> bool:
        """True when « accepter quand même » may apply the edit: it breaks no hard rule."""
        return not self.hard


def _identity(v: Violation) -> tuple[str, str, str, str]:
    return (v.rule, v.message, v.uid, v.series)


def refusal(violations: Iterable[Violation]) -> str:
    """Why an edit breaking these hard rules cannot be accepted, in French."""
    said = " ; ".join(v.message for v in violations)
    return f"Cette modification ne peut pas être appliquée : {said}. {HARD_REASON} Le plan reste tel qu'il était."


def check_adjusted(
    plan: Plan, problem: PlanningProblem, proposed: Iterable[SessionKey] = ()
) -> tuple[Violation, ...]:
    """Every rule violation of a hand-adjusted plan that no accepted exception covers.

    The plan's own locked sessions are the locks to respect (the problem's earlier locks
    may refer to a previous version). The sessions in ``proposed`` (a move being checked) are
    not counted as announced even when locked: an announced session may keep an irregular time
    (:func:`planner.rules.check.check_plan`), a proposed move must keep the series' slot.
    """
    skip = {tuple(k) for k in proposed}
    locks = tuple(x for x in locked_sessions(plan) if session_key(x) not in skip)
    violations = check_plan(plan, replace(problem, locked=locks))
    open_, _ = split_accepted(violations, tuple(plan.accepted) + tuple(problem.accepted))
    return tuple(open_)


def accept(adj: Adjustment, *, by: str = "", on: date | None = None) -> Plan:
    """The adjusted plan with its violations accepted ("accepter quand même").

    Each violation becomes an :class:`~planner.model.AcceptedException` of the plan, and the
    sessions concerned (those the edit touched, those the violations name, every session of a
    series whose shape — number, weekday, rhythm, time — a violation is about) are locked: a
    re-plan keeps them as the coordinator set them.

    Raises
    ------
    InputError
        When the edit breaks a hard rule (:attr:`Adjustment.hard`): that is not a preference one
        may set aside, and nothing is accepted (:func:`refusal` says why). A hard rule the plan
        already broke before the edit (:attr:`Adjustment.standing`) does not refuse it.
    """
    if adj.hard:
        raise InputError(refusal(adj.hard))
    plan = adj.plan
    stamp = (on or date.today()).isoformat()
    # hard violations the plan already had (Adjustment.standing) are neither accepted nor locked
    new = tuple(exception_of(v, by=by, on=stamp) for v in adj.soft)
    keys = {tuple(k) for k in adj.changed}
    for v in adj.soft:
        if v.rule == "series_shape" or not v.session_index:
            # an irregular series is kept as a whole: a re-plan neither completes nor reshapes it
            keys |= {session_key(s) for s in plan.sessions if s.series == v.series}
        else:
            keys.add((v.series, v.session_index))
    known = {session_key(s) for s in plan.sessions}
    plan = set_locked(plan, keys & known)
    return replace(plan, accepted=_merged_exceptions(plan.accepted, new))


def _merged_exceptions(
    old: Iterable[AcceptedException], new: Iterable[AcceptedException]
) -> tuple[AcceptedException, ...]:
    out: list[AcceptedException] = []
    seen: set[tuple] = set()
    for a in (*old, *new):
        key = (a.rule, a.message, a.uid, a.series)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return tuple(out)


# ------------------------------------------------------------------------------------ edits
def _moved(before: Session, after: Session) -> Session:
    """``after`` with ``before``'s identity, its revision bumped when it really moved."""
    fields = ("date", "start", "end", "host", "resource")
    changed = any(getattr(before, f) != getattr(after, f) for f in fields)
    return replace(after, uid=before.uid, sequence=before.sequence + (1 if changed else 0))


def _at(s: Session, day: date, start: time) -> Session:
    """``s`` on ``day`` from ``start``, keeping its length (refused past midnight)."""
    length = datetime.combine(s.date, s.end) - datetime.combine(s.date, s.start)
    end = datetime.combine(day, start) + length
    if end.date() != day:
        raise InputError("la séance déplacée finirait après minuit")
    return replace(s, date=day, start=start, end=end.time())


def _refuse_locked(problem: PlanningProblem, sessions: Iterable[Session], what: str) -> None:
    for s in sorted(sessions, key=lambda x: x.index):
        if s.locked:
            name = _place(problem, s.host)
            raise InputError(
                f"la séance {s.index} du parcours de {name} du {s.date:%d/%m/%Y} est verrouillée "
                f"(déjà annoncée) : déverrouillez-la avant de {what}"
            )


def _place(problem: PlanningProblem, code: str) -> str:
    try:
        return problem.territory.commune(code).name
    except KeyError:
        return f"la commune {code}"


def _check_host(problem: PlanningProblem, host: str | None) -> None:
    if host is not None and host not in problem.territory.codes:
        raise InputError(f"la commune {host} n'est pas dans le territoire")


def _reallocate(plan: Plan, problem: PlanningProblem, series: Series, host: str) -> Series:
    """``series`` held at ``host``: its participants counted again there — the host's people, then
    the neighbours who would come (:func:`planner.territory.catchment.recount`), among people no
    other series of the plan counts."""
    resource = next((r for r in problem.resources if r.id == series.resource), None)
    if resource is None:
        return replace(series, host=host)
    others = [(x.host, x.resource, x.from_communes) for x in plan.series if x.id != series.id]
    take, minutes = recount(problem, resource, host, resource.seats, others)
    return replace(
        series, host=host, participants=sum(take.values()), from_communes=take, from_minutes=minutes
    )


def _finish(
    plan: Plan,
    problem: PlanningProblem,
    sessions: list[Session],
    series: tuple[Series, ...],
    changed: list[SessionKey],
) -> Adjustment:
    """Routes of the touched days, figures, and the check of the edited plan.

    The changed sessions are checked as proposals (:func:`check_adjusted`): even locked, they
    must keep their series' time slot unless the coordinator accepts otherwise.
    """
    keys = set(changed)
    touched = {(s.resource, s.date) for s in (*plan.sessions, *sessions) if session_key(s) in keys}
    ordered = tuple(sorted(sessions, key=lambda s: (s.date, s.start, s.resource)))
    edited = rebuild_routes(replace(plan, sessions=ordered, series=series), problem, touched)
    edited = refresh_metrics(edited, problem)
    after = check_adjusted(edited, problem, proposed=changed)
    # the plan's own hard violations matter only when the edited plan has some (the common edit
    # breaks none: no second check of the whole plan then)
    before = tuple(v for v in check_adjusted(plan, problem) if v.hard) if any(v.hard for v in after) else ()
    return Adjustment(edited, after, tuple(changed), before)


def move_session(
    plan: Plan,
    problem: PlanningProblem,
    key: SessionKey,
    *,
    new_date: date | None = None,
    new_host: str | None = None,
    new_start: time | None = None,
    whole_series: bool = False,
    series_times: bool = False,
    lock: bool = True,
) -> Adjustment:
    """Move one session to another date, start time or host, and check every rule.

    Parameters
    ----------
    plan, problem
        The current plan and the problem it solves (for the drive times and the rules).
    key
        ``(series id, session number)`` of the session to move.
    new_date, new_start, new_host
        What changes; ``None`` keeps the current value. The session keeps its length.
    whole_series
        With ``new_host``: move every session of the series (and the series itself) to the
        new host, since a series takes place at one host; its participants are drawn again
        from the new host's catchment.
    series_times
        With ``new_start``: every unlocked session of the series moves to the new time too (a
        series keeps one time slot).
    lock
        Lock the moved session (default), so that a re-plan keeps it.

    Returns
    -------
    Adjustment
        The new plan (routes, kilometres and figures updated) and the violations it has.

    Raises
    ------
    InputError
        When the session is unknown or locked (or, moving the whole series to another host,
        one of its sessions is), or the new host is not in the territory.
    """
    s = find_session(plan, key)
    _refuse_locked(problem, [s], "la déplacer")
    _check_host(problem, new_host)
    new_host = None if new_host == s.host else new_host
    siblings = [x for x in plan.sessions if x.series == s.series and session_key(x) != session_key(s)]
    if whole_series and new_host is not None:
        _refuse_locked(problem, siblings, "déplacer le parcours")
    start = new_start or s.start
    moved = _at(s, new_date or s.date, start)
    moved = _moved(s, replace(moved, host=new_host or s.host, locked=lock))
    changed = [session_key(s)]
    sessions: list[Session] = []
    for other in plan.sessions:
        if session_key(other) == session_key(s):
            sessions.append(moved)
            continue
        if other.series == s.series and not other.locked:
            after = other
            if whole_series and new_host is not None:
                after = replace(after, host=new_host)
            if series_times and new_start is not None and new_start != s.start:
                after = _at(after, after.date, start)
            if after != other:
                sessions.append(_moved(other, after))
                changed.append(session_key(other))
                continue
        sessions.append(other)
    series = plan.series
    if whole_series and new_host is not None:
        series = tuple(
            _reallocate(plan, problem, x, new_host) if x.id == s.series else x for x in plan.series
        )
    return _finish(plan, problem, sessions, series, changed)


def move_series(
    plan: Plan,
    problem: PlanningProblem,
    series_id: str,
    *,
    days: int = 0,
    new_start: time | None = None,
    new_host: str | None = None,
    lock: bool = True,
) -> Adjustment:
    """Move a whole series: every session ``days`` later (earlier if negative), to a new start
    time and/or to a new host (participants drawn again from its catchment).

    Raises
    ------
    InputError
        Unknown series, a locked session in it, or a host outside the territory.
    """
    mine = sorted((s for s in plan.sessions if s.series == series_id), key=lambda s: s.index)
    if not mine:
        raise InputError("parcours introuvable dans le plan : il a changé depuis, choisissez-le de nouveau")
    _refuse_locked(problem, mine, "déplacer le parcours")
    _check_host(problem, new_host)
    sessions: list[Session] = []
    changed: list[SessionKey] = []
    for other in plan.sessions:
        if other.series != series_id:
            sessions.append(other)
            continue
        after = _at(other, other.date + timedelta(days=days), new_start or other.start)
        after = replace(after, host=new_host or other.host, locked=lock)
        sessions.append(_moved(other, after))
        changed.append(session_key(other))
    series = plan.series
    if new_host is not None and new_host != mine[0].host:
        series = tuple(
            _reallocate(plan, problem, x, new_host) if x.id == series_id else x for x in plan.series
        )
    return _finish(plan, problem, sessions, series, changed)


def swap_sessions(
    plan: Plan, problem: PlanningProblem, a: SessionKey, b: SessionKey, *, lock: bool = True
) -> Adjustment:
    """Exchange the dates, times and resources of two sessions (each keeps its host and series).

    Raises
    ------
    InputError
        Unknown or locked session, or the same session twice.
    """
    sa, sb = find_session(plan, a), find_session(plan, b)
    if session_key(sa) == session_key(sb):
        raise InputError("choisissez deux séances différentes à échanger")
    _refuse_locked(problem, [sa, sb], "l'échanger")
    na = replace(sa, date=sb.date, start=sb.start, end=sb.end, resource=sb.resource, locked=lock)
    nb = replace(sb, date=sa.date, start=sa.start, end=sa.end, resource=sa.resource, locked=lock)
    new = {session_key(sa): _moved(sa, na), session_key(sb): _moved(sb, nb)}
    sessions = [new.get(session_key(s), s) for s in plan.sessions]
    changed = [session_key(sa), session_key(sb)]
    return _finish(plan, problem, sessions, plan.series, changed)


def add_session(
    plan: Plan,
    problem: PlanningProblem,
    *,
    host: str,
    resource: str,
    day: date,
    start: time,
    series_id: str | None = None,
    lock: bool = True,
) -> Adjustment:
    """Add a session by hand: one more session of an existing series of ``host``, or (without
    ``series_id``) a one-off session whose participants are the people of the host's catchment
    no series counts yet (up to the resource's seats).

    Raises
    ------
    InputError
        Unknown resource or series, a series held elsewhere, or a host outside the territory.
    """
    _check_host(problem, host)
    r = next((x for x in problem.resources if x.id == resource), None)
    if r is None:
        raise InputError("moyen itinérant inconnu : choisissez-en un de la liste")
    series = plan.series
    target = next((x for x in plan.series if x.id == series_id), None) if series_id is not None else None
    service = target.service if target is not None else PARCOURS  # a date added to a permanence is one
    minutes = {PARCOURS: r.session_minutes, PERMANENCE: r.permanence_minutes, DOMICILE: r.home_visit_minutes}
    end = datetime.combine(day, start) + timedelta(minutes=minutes[service])
    if end.date() != day:
        raise InputError("la séance ajoutée finirait après minuit")
    if series_id is not None:
        if target is None:
            raise InputError(
                "parcours introuvable dans le plan : il a changé depuis, choisissez-le de nouveau"
            )
        if target.host != host:
            raise InputError(
                f"ce parcours a lieu à {_place(problem, target.host)}, pas à {_place(problem, host)}"
            )
        index = 1 + max(s.index for s in plan.sessions if s.series == series_id)
        sid = series_id
    else:
        used = {x.id for x in plan.series}
        n = 1
        while f"M{n:02d}-{host}" in used:
            n += 1
        sid, index = f"M{n:02d}-{host}", 1
        others = [(x.host, x.resource, x.from_communes) for x in plan.series]
        take, minutes = recount(problem, r, host, r.seats, others)
        series = (*plan.series, Series(sid, host, resource, sum(take.values()), take, minutes))
    new = Session(sid, index, resource, host, day, start, end.time(), lock, service=service)
    taken = {s.uid for s in plan.sessions}
    uid = session_uid(plan.territory_spec, new)
    while uid in taken:
        uid = session_uid(plan.territory_spec + "+", replace(new, start=start, uid=uid))
    new = replace(new, uid=uid)
    sessions = [*plan.sessions, new]
    return _finish(plan, problem, sessions, series, [session_key(new)])


def candidate_dates(plan: Plan, key: SessionKey, horizon_days: int = 28) -> list[date]:
    """Open dates on the session's resource weekdays within ``horizon_days`` of its current date.

    Used to offer sensible targets for a move; the current date is excluded.
    """
    s = find_session(plan, key)
    resource = next((r for r in plan.resources if r.id == s.resource), None)
    weekdays = set(resource.weekdays) if resource else set(range(7))
    out: list[date] = []
    for offset in range(-horizon_days, horizon_days + 1):
        day = s.date + timedelta(days=offset)
        if offset and day.weekday() in weekdays and plan.season.is_open(day):
            out.append(day)
    return out


def replan_problem(
    problem: PlanningProblem, plan: Plan, keep_value: float = 0.0, *, frozen_before: date | None = None
) -> PlanningProblem:
    """The problem to re-solve from ``plan``: its locked sessions stay exactly as they are, its
    accepted exceptions stay accepted, and its other sessions are the ``previous`` plan a
    re-plan keeps unless moving them is worth more than ``keep_value`` per session
    (:mod:`planner.optimise.stability`).

    Sessions dated before ``frozen_before`` (today, for a season under way) have taken place:
    they are kept as they are, like locked ones.
    """
    past = (
        ()
        if frozen_before is None
        else tuple(replace(s, locked=True) for s in plan.sessions if s.date < frozen_before and not s.locked)
    )
    return replace(
        problem,
        locked=locked_sessions(plan) + past,
        accepted=tuple(plan.accepted),
        previous=tuple(plan.sessions),
        keep_value=keep_value,
    )


def _slot(s: Session) -> tuple:
    return (s.resource, s.host, s.date, s.start, s.end)


def missing_locked(plan: Plan, locked: Iterable[Session]) -> list[Session]:
    """Locked sessions that do not appear unchanged (same resource, host, date, times) in ``plan``."""
    present = {_slot(s) for s in plan.sessions}
    return [s for s in locked if _slot(s) not in present]
