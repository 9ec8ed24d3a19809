"""Matched activities → session outcomes and repeat attendance (counts only)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from planner.french import french_date
from planner.model import Plan, Session
from planner.realised.activity import Activity
from planner.realised.attendance import SeriesAttendance, attendance_from_people
from planner.realised.outcome import SessionOutcome


def _sum(maps: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for m in maps:
        total.update(m)
    return dict(total)


def outcome_of(session: Session, activities: Iterable[Activity], source: str) -> tuple[SessionOutcome, str]:
    """The outcome of ``session`` from the activities matched to it, and a warning (``""`` if none).

    Activities saying the session took place add up (one person helped twice in one session,
    in two « accompagnements individuels », counts twice: a participation, not a person); a
    session is cancelled only when all of them say so (the most frequent reason wins). Mixed
    lines are kept as held, with a warning.
    """
    items = list(activities)
    held = [a for a in items if not a.cancel_reason]
    if not held:
        reason = Counter(a.cancel_reason for a in items).most_common(1)[0][0]
        return SessionOutcome(uid=session.uid, held=False, cancel_reason=reason, source=source), ""
    warning = ""
    if len(held) < len(items):
        lines = ", ".join(str(a.row) for a in items if a.cancel_reason)
        warning = (
            f"séance du {french_date(session.date)} : les lignes {lines} la disent annulée, "
            "d'autres la disent tenue ; elle est retenue comme tenue"
        )
    outcome = SessionOutcome(
        uid=session.uid,
        held=True,
        participants=sum(a.participants for a in held),
        age_bands=_sum(a.age_bands for a in held),
        residence=_sum(a.residence for a in held),
        source=source,
    )
    return outcome, warning


def attendance_of(
    plan: Plan, matched: Mapping[str, tuple[Activity, ...]], held: Callable[[str], bool]
) -> tuple[SeriesAttendance, ...]:
    """Repeat attendance of each parcours over its held sessions present in ``matched``.

    Only for sources that identify people (activities with ``attendees``); a parcours whose
    activities identify nobody gets no attendance (it cannot be measured).
    """
    by_series: dict[str, dict[str, list[int]]] = {}
    anonymous: Counter[str] = Counter()
    for s in plan.sessions:
        activities = [a for a in matched.get(s.uid, ()) if not a.cancel_reason]
        if not activities or not held(s.uid):
            continue
        by_series.setdefault(s.series, {})[s.uid] = [p for a in activities for p in a.attendees]
        anonymous[s.series] += sum(a.anonymous for a in activities)
    return tuple(
        attendance_from_people(series, people, anonymous[series])
        for series, people in by_series.items()
        if any(people.values())
    )
