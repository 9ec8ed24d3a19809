"""Adjusting a plan by hand: lock sessions, move one, and re-plan around the locked ones.

Every function returns a new :class:`~planner.model.Plan` (plans are frozen). A move is
checked at once against every rule of :func:`planner.rules.check.check_plan`, so the coordinator
sees in plain French what the move breaks, if anything.

A moved session becomes locked by default: a date changed by hand is usually a date that
has been announced, and re-planning (:func:`replan_problem`) keeps locked sessions unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from planner.errors import InputError
from planner.model import Plan, Route, Series, Session
from planner.optimise.routing import route_of
from planner.problem import PlanningProblem
from planner.rules.check import Violation, check_plan
from planner.territory.catchment import recount

SessionKey = tuple[str, int]


def session_key(s: Session) -> SessionKey:
    """The identity of a session inside a plan: ``(series id, session number)``."""
    return (s.series, s.index)


def find_session(plan: Plan, key: SessionKey) -> Session:
    """The session of ``plan`` with this key.

    Raises
    ------
    InputError
        When the plan has no such session.
    """
    for s in plan.sessions:
        if session_key(s) == tuple(key):
            return s
    raise InputError(f"séance introuvable dans le plan : parcours {key[0]}, séance {key[1]}")


def locked_sessions(plan: Plan) -> tuple[Session, ...]:
    """The sessions of ``plan`` marked as locked (already announced)."""
    return tuple(s for s in plan.sessions if s.locked)


def with_locks(plan: Plan, keys: Iterable[SessionKey]) -> Plan:
    """A copy of ``plan`` where exactly the sessions in ``keys`` are locked.

    Unknown keys raise :class:`InputError` so that a stale selection is not silently ignored.
    """
    wanted = {tuple(k) for k in keys}
    known = {session_key(s) for s in plan.sessions}
    missing = wanted - known
    if missing:
        series, index = sorted(missing)[0]
        raise InputError(f"séance introuvable dans le plan : parcours {series}, séance {index}")
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

    A day left without sessions loses its route. Kilometres and drive hours in the metrics
    change by the difference; the optimiser's objective and bound are kept as they were.
    """
    days = set(days)
    kept = [r for r in plan.routes if (r.resource, r.date) not in days]
    old = [r for r in plan.routes if (r.resource, r.date) in days]
    new: list[Route] = []
    for resource_id, day in sorted(days):
        todays = [s for s in plan.sessions if s.resource == resource_id and s.date == day]
        if todays:
            new.append(_route_for_day(problem, resource_id, day, todays))
    routes = tuple(sorted(kept + new, key=lambda r: (r.date, r.resource)))
    d_km = sum(r.km for r in new) - sum(r.km for r in old)
    d_min = sum(r.drive_minutes for r in new) - sum(r.drive_minutes for r in old)
    metrics = replace(
        plan.metrics,
        km=max(0.0, plan.metrics.km + d_km),
        drive_hours=max(0.0, plan.metrics.drive_hours + d_min / 60.0),
        sessions=len(plan.sessions),
    )
    return replace(plan, routes=routes, metrics=metrics)


@dataclass(frozen=True)
class Adjustment:
    """The result of a manual change: the new plan and the rules it breaks (empty when none)."""

    plan: Plan
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """True when the adjusted plan breaks no rule."""
        return not self.violations


def check_adjusted(
    plan: Plan, problem: PlanningProblem, proposed: Iterable[SessionKey] = ()
) -> tuple[Violation, ...]:
    """Every rule violation of a hand-adjusted plan.

    The plan's own locked sessions are the locks to respect (the problem's earlier locks
    may refer to a previous version). The sessions in ``proposed`` (a move being checked) are
    not counted as announced even when locked: an announced session may keep an irregular time
    (:func:`planner.rules.check.check_plan`), a proposed move must keep the series' slot.
    """
    skip = {tuple(k) for k in proposed}
    locks = tuple(x for x in locked_sessions(plan) if session_key(x) not in skip)
    return tuple(check_plan(plan, replace(problem, locked=locks)))


def move_session(
    plan: Plan,
    problem: PlanningProblem,
    key: SessionKey,
    *,
    new_date: date | None = None,
    new_host: str | None = None,
    new_start: time | None = None,
    whole_series: bool = False,
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
        new host, since a series takes place at one host.
    lock
        Lock the moved session (default), so that a re-plan keeps it.

    Returns
    -------
    Adjustment
        The new plan (routes and kilometres updated) and the violations it has.

    Raises
    ------
    InputError
        When the session is unknown or locked (or, moving the whole series to another host,
        one of its sessions is), or the new host is not in the territory.
    """
    s = find_session(plan, key)
    if s.locked:
        raise InputError(
            f"la séance {s.index} du parcours {s.series} est verrouillée (déjà annoncée) : "
            "déverrouillez-la avant de la déplacer"
        )
    if new_host is not None and new_host not in problem.territory.codes:
        raise InputError(f"la commune {new_host} n'est pas dans le territoire")
    if whole_series and new_host is not None:
        for other in sorted(plan.sessions, key=lambda x: x.index):
            if other.series == s.series and other.locked:
                raise InputError(
                    f"la séance {other.index} du parcours {s.series} est verrouillée (déjà annoncée) : "
                    "déverrouillez-la avant de déplacer le parcours"
                )
    length = datetime.combine(s.date, s.end) - datetime.combine(s.date, s.start)
    start = new_start or s.start
    end_dt = datetime.combine(s.date, start) + length
    if end_dt.date() != s.date:
        raise InputError("la séance déplacée finirait après minuit")
    moved = replace(
        s,
        date=new_date or s.date,
        start=start,
        end=end_dt.time(),
        host=new_host or s.host,
        locked=lock,
    )
    touched = {(s.resource, s.date), (moved.resource, moved.date)}
    sessions: list[Session] = []
    for other in plan.sessions:
        if session_key(other) == session_key(s):
            sessions.append(moved)
        elif whole_series and new_host is not None and other.series == s.series:
            sessions.append(replace(other, host=new_host))
            touched.add((other.resource, other.date))
        else:
            sessions.append(other)
    series = plan.series
    if whole_series and new_host is not None:
        series = tuple(
            _moved_series(problem, plan, x, new_host) if x.id == s.series else x for x in plan.series
        )
    new_plan = rebuild_routes(replace(plan, sessions=tuple(sessions), series=series), problem, touched)
    return Adjustment(new_plan, check_adjusted(new_plan, problem, proposed=[session_key(moved)]))


def _moved_series(problem: PlanningProblem, plan: Plan, series: Series, host: str) -> Series:
    """``series`` at ``host``: its participants are counted again there (the host's people, then
    the neighbours who would come, :func:`planner.territory.catchment.recount`)."""
    resource = next((r for r in problem.resources if r.id == series.resource), None)
    if resource is None:
        return replace(series, host=host)
    others = [(x.host, x.resource, x.from_communes) for x in plan.series if x.id != series.id]
    take, minutes = recount(problem, resource, host, resource.seats, others)
    return replace(
        series, host=host, participants=sum(take.values()), from_communes=take, from_minutes=minutes
    )


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


def replan_problem(problem: PlanningProblem, plan: Plan) -> PlanningProblem:
    """The problem to re-solve so that the plan's locked sessions stay exactly as they are."""
    return replace(problem, locked=locked_sessions(plan))


def _slot(s: Session) -> tuple:
    return (s.resource, s.host, s.date, s.start, s.end)


def missing_locked(plan: Plan, locked: Iterable[Session]) -> list[Session]:
    """Locked sessions that do not appear unchanged (same resource, host, date, times) in ``plan``."""
    present = {_slot(s) for s in plan.sessions}
    return [s for s in locked if _slot(s) not in present]
