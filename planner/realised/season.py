"""Everything known of what happened in one plan: session outcomes and repeat attendance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from planner.model import Plan, Session
from planner.realised.attendance import SeriesAttendance
from planner.realised.outcome import SessionOutcome


@dataclass(frozen=True)
class RealisedSeason:
    """Outcomes by session ``uid`` and repeat attendance by parcours id.

    Sessions without an outcome are « not yet recorded » (future, or not entered yet).
    """

    outcomes: Mapping[str, SessionOutcome] = field(default_factory=dict)
    attendance: Mapping[str, SeriesAttendance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for uid, outcome in self.outcomes.items():
            if uid != outcome.uid:
                raise ValueError(f"outcome of {outcome.uid!r} filed under {uid!r}")
        for series, att in self.attendance.items():
            if series != att.series:
                raise ValueError(f"attendance of {att.series!r} filed under {series!r}")
        object.__setattr__(self, "outcomes", MappingProxyType(dict(self.outcomes)))
        object.__setattr__(self, "attendance", MappingProxyType(dict(self.attendance)))

    @classmethod
    def of(
        cls, outcomes: Iterable[SessionOutcome], attendance: Iterable[SeriesAttendance] = ()
    ) -> RealisedSeason:
        """Build from lists (a later outcome of the same session replaces an earlier one)."""
        return cls({o.uid: o for o in outcomes}, {a.series: a for a in attendance})

    def outcome(self, session: Session) -> SessionOutcome | None:
        """The outcome of a planned session, ``None`` when not recorded."""
        return self.outcomes.get(session.uid)

    def for_plan(self, plan: Plan) -> RealisedSeason:
        """Only what concerns ``plan``: outcomes of its sessions, attendance of its parcours.

        A parcours' attendance is kept only if every session it covers is still in that
        parcours (a re-plan may renumber parcours: see :func:`attendance_for_plan`).
        """
        uids = {s.uid for s in plan.sessions}
        return RealisedSeason(
            {u: o for u, o in self.outcomes.items() if u in uids},
            {a.series: a for a in attendance_for_plan(plan, self.attendance.values())},
        )

    def held(self, plan: Plan) -> tuple[Session, ...]:
        """The sessions of ``plan`` recorded as held, in plan order."""
        return tuple(s for s in plan.sessions if (o := self.outcomes.get(s.uid)) is not None and o.held)


def attendance_for_plan(plan: Plan, attendance: Iterable[SeriesAttendance]) -> tuple[SeriesAttendance, ...]:
    """Attach attendance counts to the parcours of ``plan`` holding the sessions they cover.

    Counts are filed under the parcours id of the plan they were recorded for; after a re-plan
    the same sessions (same ``uid``) may belong to a parcours with another id. Counts whose
    sessions are no longer all in one parcours of ``plan`` are dropped (they no longer describe
    a parcours of this plan).
    """
    series_of = {s.uid: s.series for s in plan.sessions}
    out: dict[str, SeriesAttendance] = {}
    for att in attendance:
        owners = {series_of.get(u) for u in att.session_uids}
        if len(owners) != 1 or None in owners:
            continue
        (series,) = owners
        out[series] = SeriesAttendance(series, att.session_uids, att.by_sessions, att.anonymous)
    return tuple(out.values())
