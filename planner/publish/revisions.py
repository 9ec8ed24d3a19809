"""What a calendar must say about each session, given what earlier publications said.

A session keeps its identity (:attr:`planner.model.Session.uid`) for its whole life; a calendar
client updates an event it already holds only when the new copy has a higher ``SEQUENCE``, and
removes it only when told ``STATUS:CANCELLED``. So publishing a plan needs the plans published
before it: :func:`calendar_revisions` walks them in order and returns, for the plan published
now, every session with the revision number to write and every session that was published
before but is gone (cancelled).

A session that moves (date, time, commune or resource) gets a revision one higher than the last
one published, even if the plan that moved it forgot to bump :attr:`~planner.model.Session.sequence`;
a plan's own (higher) sequence always wins. A session moved to another commune or resource is
also cancelled in the calendar of the commune or resource it left (:func:`for_host`,
:func:`for_resource`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from planner.model import Plan, Session, session_uid


@dataclass(frozen=True)
class Revision:
    """One event to publish.

    Parameters
    ----------
    session
        The session as it is now (or, when ``cancelled``, as it was last published).
    uid
        Its identity (:func:`identity`).
    sequence
        The iCalendar ``SEQUENCE`` to write.
    cancelled
        True for a session published before and no longer in the plan.
    previous
        The session as last published, when it was (to cancel it where it was).
    """

    session: Session
    uid: str
    sequence: int
    cancelled: bool = False
    previous: Session | None = None


def identity(plan: Plan, s: Session) -> str:
    """A session's identity; a session built without one gets the one it would have been given."""
    return s.uid or session_uid(plan.territory_spec, s)


def _what_and_when(s: Session) -> tuple:
    return (s.date, s.start, s.end, s.host, s.resource)


def _identities(plan: Plan) -> list[tuple[str, Session]]:
    """``(uid, session)`` of a plan; a uid repeated within one plan (never made by the planner)
    is made distinct so that no event overwrites another."""
    seen: set[str] = set()
    out = []
    for s in plan.sessions:
        uid = identity(plan, s)
        if uid in seen:
            uid = f"{uid}-{s.series}-{s.index}"
        seen.add(uid)
        out.append((uid, s))
    return out


def calendar_revisions(plan: Plan, previous: Sequence[Plan] = ()) -> tuple[Revision, ...]:
    """The events of ``plan`` after the publications ``previous`` (oldest first).

    Returns the plan's sessions, in plan order, with their ``SEQUENCE``, then the sessions of
    earlier publications that the plan no longer holds, cancelled, by date. Cancelled sessions
    dated before the plan's season are left out: they belong to a past season and happened.
    """
    # uid -> (session as last published, its sequence, cancelled?)
    state: dict[str, tuple[Session, int, bool]] = {}
    last: dict[str, Session] = {}
    for version in (*previous, plan):
        present = _identities(version)
        present_uids = set()
        for uid, s in present:
            present_uids.add(uid)
            if uid in state:
                old, seq, was_cancelled = state[uid]
                changed = was_cancelled or _what_and_when(old) != _what_and_when(s)
                state[uid] = (s, max(s.sequence, seq + 1 if changed else seq), False)
            else:
                state[uid] = (s, s.sequence, False)
        for uid, (old, seq, was_cancelled) in list(state.items()):
            if uid not in present_uids and not was_cancelled:
                state[uid] = (old, seq + 1, True)
        if version is not plan:
            last.update(present)
    revisions = [Revision(s, uid, state[uid][1], previous=last.get(uid)) for uid, s in _identities(plan)]
    gone = [
        Revision(old, uid, seq, cancelled=True, previous=old)
        for uid, (old, seq, cancelled) in state.items()
        if cancelled and old.date >= plan.season.start
    ]
    gone.sort(key=lambda r: (r.session.date, r.session.start, r.uid))
    return (*revisions, *gone)


def _cancelled_here(r: Revision) -> Revision:
    assert r.previous is not None
    return replace(r, session=r.previous, cancelled=True)


def for_host(revisions: Iterable[Revision], code_insee: str) -> list[Revision]:
    """The events of one host commune's calendar, with sessions that moved away from it cancelled."""
    out = []
    for r in revisions:
        if r.session.host == code_insee:
            out.append(r)
        elif not r.cancelled and r.previous is not None and r.previous.host == code_insee:
            out.append(_cancelled_here(r))
    return out


def for_resource(revisions: Iterable[Revision], resource_id: str) -> list[Revision]:
    """The events of one resource's calendar, with sessions handed to another resource cancelled."""
    out = []
    for r in revisions:
        if r.session.resource == resource_id:
            out.append(r)
        elif not r.cancelled and r.previous is not None and r.previous.resource == resource_id:
            out.append(_cancelled_here(r))
    return out
