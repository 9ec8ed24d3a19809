"""Repository functions for what happened: outcomes, attendance and imports, per plan version.

Realised data are counts only (see :mod:`planner.realised`). Each record belongs to the plan
version it was entered or imported for (``plan_versions.id``) and to a session by its ``uid``.
A re-plan keeps the ``uid`` of every session it keeps, so :func:`realised_for_version` reads,
for each session of a version, its newest record in that version or an earlier one: what
happened survives re-plans without being copied. Each public function is one transaction
that also writes the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, delete, select

from planner.errors import InputError
from planner.hosting.request_form import clean_text
from planner.model import Plan, Session
from planner.plan_json import plan_to_dict
from planner.realised.attendance import SeriesAttendance
from planner.realised.importing import ImportResult
from planner.realised.locks import sessions_to_lock
from planner.realised.outcome import SessionOutcome
from planner.realised.season import RealisedSeason, attendance_for_plan
from planner.store import workspace
from planner.store.access import Actor, as_actor, require_coordinator
from planner.store.audit import record
from planner.store.db import session_scope
from planner.store.models import (
    PlanVersionRow,
    RealisedAgeRow,
    RealisedAttendanceRow,
    RealisedImportRow,
    RealisedLeftoverRow,
    RealisedResidenceRow,
    RealisedSessionRow,
    utcnow,
)


@dataclass(frozen=True)
class StoredOutcome:
    """A stored outcome with its bookkeeping: plan version, planned parcours, host and day, who and when."""

    plan_version_id: int
    series: str
    host: str
    day: date
    outcome: SessionOutcome
    updated_by: str
    updated_at: datetime
    import_id: int | None


@dataclass(frozen=True)
class ImportInfo:
    """A stored import: its counts, who ran it and when (never the file's name)."""

    id: int
    plan_version_id: int
    source: str
    activities: int
    matched: int
    unmatched: int
    ambiguous: int
    actor: str
    at: datetime


@dataclass(frozen=True)
class Leftover:
    """An imported activity left aside: ``status`` is ``unmatched`` or ``ambiguous``."""

    import_id: int
    status: str
    row: int
    day: date
    place: str
    code_insee: str
    participants: int
    reason: str
    candidates: tuple[str, ...]


# --- plan versions -------------------------------------------------------------------------------


def find_plan_version(engine: Engine, plan: Plan) -> int | None:
    """The newest stored version whose content is ``plan``'s (``None`` if none)."""
    wanted = plan_to_dict(plan)
    with session_scope(engine) as session:
        rows = session.execute(
            select(PlanVersionRow.id, PlanVersionRow.plan_json)
            .where(PlanVersionRow.n_sessions == len(plan.sessions), PlanVersionRow.kind == plan.kind)
            .order_by(PlanVersionRow.id.desc())
        ).all()
    return next((vid for vid, text in rows if json.loads(text) == wanted), None)


def ensure_plan_version(engine: Engine, plan: Plan, label: str, author: str) -> int:
    """The stored version of ``plan``, saved under ``label`` first if it is not stored yet."""
    found = find_plan_version(engine, plan)
    return found if found is not None else workspace.save_version(engine, plan, label, author)


def _plan(engine: Engine, version_id: int) -> Plan:
    return workspace.load_version(engine, version_id)


# --- writing -------------------------------------------------------------------------------------


def _put_outcome(
    session, version_id: int, planned: Session, outcome: SessionOutcome, who: str, import_id: int | None
) -> None:
    """Insert or replace the outcome of ``outcome.uid`` in ``version_id``."""
    session.execute(
        delete(RealisedSessionRow).where(
            RealisedSessionRow.plan_version_id == version_id, RealisedSessionRow.session_uid == outcome.uid
        )
    )
    session.flush()
    session.add(
        RealisedSessionRow(
            plan_version_id=version_id,
            session_uid=outcome.uid,
            series=planned.series,
            host=planned.host,
            day=planned.date,
            held=outcome.held,
            participants=outcome.participants,
            cancel_reason=outcome.cancel_reason,
            source=outcome.source,
            import_id=import_id,
            updated_by=who,
            updated_at=utcnow(),
            age_counts=[RealisedAgeRow(band=b, people=n) for b, n in sorted(outcome.age_bands.items())],
            residence_counts=[
                RealisedResidenceRow(code_insee=c, people=n) for c, n in sorted(outcome.residence.items())
            ],
        )
    )


def _planned(plan: Plan, uid: str, version_id: int) -> Session:
    for s in plan.sessions:
        if s.uid == uid:
            return s
    raise InputError(f"cette séance n'est pas dans la version n° {version_id} du plan")


def record_outcome(engine: Engine, version_id: int, outcome: SessionOutcome, actor: Actor | str) -> None:
    """Record (or replace) what happened to one session of a plan version — the coordinator's entry.

    Raises
    ------
    AccessDenied
        If ``actor`` is not a coordinator.
    InputError
        Unknown version, or a session that is not in it.
    """
    who = as_actor(actor)
    require_coordinator(who, "saisir le réalisé")
    planned = _planned(_plan(engine, version_id), outcome.uid, version_id)
    with session_scope(engine) as session:
        _put_outcome(session, version_id, planned, outcome, who.label, None)
        state = (
            f"tenue, {outcome.participants} participant(s)"
            if outcome.held
            else f"annulée ({outcome.reason_label})"
        )
        record(
            session, who.label, "record", "realised_session", outcome.uid, f"version {version_id} : {state}"
        )


def record_outcomes(
    engine: Engine,
    version_id: int,
    outcomes: Iterable[SessionOutcome],
    actor: Actor | str,
    *,
    clear: Iterable[str] = (),
) -> int:
    """Record several entries at once, in ONE transaction: all are stored, or none.

    The coordinator's table of the season: ``outcomes`` replace what was recorded for their
    sessions in ``version_id``; ``clear`` lists session uids whose record is forgotten (set back
    to « non renseignée »). Returns the number of sessions changed.

    Raises
    ------
    AccessDenied
        If ``actor`` is not a coordinator.
    InputError
        Unknown version, or a session that is not in it (then nothing is stored).
    """
    who = as_actor(actor)
    require_coordinator(who, "saisir le réalisé")
    plan = _plan(engine, version_id)
    outcomes, clear = tuple(outcomes), tuple(clear)
    planned = {o.uid: _planned(plan, o.uid, version_id) for o in outcomes}
    for uid in clear:
        _planned(plan, uid, version_id)
    with session_scope(engine) as session:
        for outcome in outcomes:
            _put_outcome(session, version_id, planned[outcome.uid], outcome, who.label, None)
        gone = 0
        if clear:
            gone = session.execute(
                delete(RealisedSessionRow).where(
                    RealisedSessionRow.plan_version_id == version_id,
                    RealisedSessionRow.session_uid.in_(clear),
                )
            ).rowcount
        if outcomes or gone:
            held = sum(o.held for o in outcomes)
            record(
                session,
                who.label,
                "record",
                "realised_session",
                f"{len(outcomes)} séance(s)",
                f"version {version_id} : {held} tenue(s), {len(outcomes) - held} annulée(s), "
                f"{gone} effacée(s)",
            )
        return len(outcomes) + gone


def clear_outcome(engine: Engine, version_id: int, uid: str, actor: Actor | str) -> bool:
    """Forget what was recorded for session ``uid`` in ``version_id``; ``True`` if there was something."""
    who = as_actor(actor)
    require_coordinator(who, "effacer le réalisé")
    with session_scope(engine) as session:
        gone = session.execute(
            delete(RealisedSessionRow).where(
                RealisedSessionRow.plan_version_id == version_id, RealisedSessionRow.session_uid == uid
            )
        ).rowcount
        if gone:
            record(session, who.label, "clear", "realised_session", uid, f"version {version_id}")
        return bool(gone)


def _put_attendance(session, version_id: int, att: SeriesAttendance, import_id: int) -> None:
    session.execute(
        delete(RealisedAttendanceRow).where(
            RealisedAttendanceRow.plan_version_id == version_id, RealisedAttendanceRow.series == att.series
        )
    )
    session.flush()
    session.add(
        RealisedAttendanceRow(
            plan_version_id=version_id,
            series=att.series,
            session_uids=";".join(att.session_uids),
            by_sessions=json.dumps({str(k): n for k, n in att.by_sessions.items()}),
            anonymous=att.anonymous,
            import_id=import_id,
        )
    )


def save_import(engine: Engine, version_id: int, result: ImportResult, actor: Actor | str) -> int:
    """Store an import's outcomes, attendance and leftovers in ONE transaction; return its id.

    An imported outcome replaces what was recorded for that session in this version (importing
    the same file twice changes nothing); the parcours' attendance likewise. Unmatched and
    ambiguous activities are kept (date, place, count, reason) for the coordinator to review.
    """
    who = as_actor(actor)
    require_coordinator(who, "importer le réalisé")
    plan = _plan(engine, version_id)
    planned = {s.uid: s for s in plan.sessions}
    matching = result.matching
    with session_scope(engine) as session:
        row = RealisedImportRow(
            plan_version_id=version_id,
            source=result.source,
            activities=result.activities,
            matched=matching.activities_matched,
            unmatched=len(matching.unmatched),
            ambiguous=len(matching.ambiguous),
            actor=who.label,
            at=utcnow(),
        )
        session.add(row)
        session.flush()
        for outcome in result.outcomes:
            _put_outcome(session, version_id, planned[outcome.uid], outcome, who.label, row.id)
        for att in result.attendance:
            _put_attendance(session, version_id, att, row.id)
        leftovers = [("unmatched", u.activity, u.reason, ()) for u in matching.unmatched]
        leftovers += [("ambiguous", a.activity, a.reason, a.candidates) for a in matching.ambiguous]
        for status, activity, reason, candidates in leftovers:
            session.add(
                RealisedLeftoverRow(
                    import_id=row.id,
                    status=status,
                    row=activity.row,
                    day=activity.date,
                    place=clean_text(activity.place)[:300],
                    code_insee=activity.commune,
                    participants=activity.participants,
                    reason=reason[:1000],
                    candidates=";".join(candidates),
                )
            )
        record(
            session,
            who.label,
            "import",
            "realised_import",
            row.id,
            f"version {version_id} : {len(result.outcomes)} séance(s), {row.unmatched} non rattachée(s), "
            f"{row.ambiguous} ambiguë(s)",
        )
        return row.id


# --- reading -------------------------------------------------------------------------------------


def _outcome(row: RealisedSessionRow) -> SessionOutcome:
    return SessionOutcome(
        uid=row.session_uid,
        held=row.held,
        participants=row.participants,
        cancel_reason=row.cancel_reason,
        age_bands={a.band: a.people for a in row.age_counts},
        residence={r.code_insee: r.people for r in row.residence_counts},
        source=row.source,
    )


def _attendance(row: RealisedAttendanceRow) -> SeriesAttendance:
    return SeriesAttendance(
        series=row.series,
        session_uids=tuple(u for u in row.session_uids.split(";") if u),
        by_sessions={int(k): int(n) for k, n in json.loads(row.by_sessions).items()},
        anonymous=row.anonymous,
    )


def list_outcomes(engine: Engine, version_id: int | None = None) -> tuple[StoredOutcome, ...]:
    """Stored outcomes as recorded (of one version, or all), oldest version first."""
    with session_scope(engine) as session:
        query = select(RealisedSessionRow).order_by(RealisedSessionRow.plan_version_id, RealisedSessionRow.id)
        if version_id is not None:
            query = query.where(RealisedSessionRow.plan_version_id == version_id)
        return tuple(
            StoredOutcome(
                r.plan_version_id,
                r.series,
                r.host,
                r.day,
                _outcome(r),
                r.updated_by,
                r.updated_at,
                r.import_id,
            )
            for r in session.scalars(query)
        )


def realised_for_version(engine: Engine, version_id: int, plan: Plan | None = None) -> RealisedSeason:
    """What happened to the sessions of plan version ``version_id``.

    For each session (by ``uid``), its newest record in this version or an earlier one; for
    each parcours, the newest attendance whose sessions are all in it (see
    :func:`~planner.realised.season.attendance_for_plan`).

    Parameters
    ----------
    plan
        The version's plan, when the caller has it already (saves reading it again).
    """
    plan = plan or _plan(engine, version_id)
    uids = {s.uid for s in plan.sessions}
    with session_scope(engine) as session:
        rows = session.scalars(
            select(RealisedSessionRow)
            .where(RealisedSessionRow.plan_version_id <= version_id, RealisedSessionRow.session_uid.in_(uids))
            .order_by(RealisedSessionRow.plan_version_id, RealisedSessionRow.id)
        ).all()
        outcomes = {r.session_uid: _outcome(r) for r in rows}  # newest version last: it wins
        attendance_rows = session.scalars(
            select(RealisedAttendanceRow)
            .where(RealisedAttendanceRow.plan_version_id <= version_id)
            .order_by(RealisedAttendanceRow.plan_version_id, RealisedAttendanceRow.id)
        ).all()
        attendance = [_attendance(r) for r in attendance_rows]
    return RealisedSeason(outcomes, {a.series: a for a in attendance_for_plan(plan, attendance)})


def latest_realised_version(engine: Engine) -> int | None:
    """The newest plan version with something recorded (``None`` when nothing is)."""
    with session_scope(engine) as session:
        return session.scalar(
            select(RealisedSessionRow.plan_version_id)
            .order_by(RealisedSessionRow.plan_version_id.desc())
            .limit(1)
        )


def list_imports(engine: Engine, version_id: int | None = None) -> tuple[ImportInfo, ...]:
    """Stored imports (of one version, or all), newest first."""
    with session_scope(engine) as session:
        query = select(RealisedImportRow).order_by(RealisedImportRow.id.desc())
        if version_id is not None:
            query = query.where(RealisedImportRow.plan_version_id == version_id)
        return tuple(
            ImportInfo(
                r.id,
                r.plan_version_id,
                r.source,
                r.activities,
                r.matched,
                r.unmatched,
                r.ambiguous,
                r.actor,
                r.at,
            )
            for r in session.scalars(query)
        )


def leftovers(engine: Engine, import_id: int) -> tuple[Leftover, ...]:
    """The activities of an import that fit no session, or several, in file order."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(RealisedLeftoverRow)
            .where(RealisedLeftoverRow.import_id == import_id)
            .order_by(RealisedLeftoverRow.row, RealisedLeftoverRow.id)
        )
        return tuple(
            Leftover(
                r.import_id,
                r.status,
                r.row,
                r.day,
                r.place,
                r.code_insee,
                r.participants,
                r.reason,
                tuple(c for c in r.candidates.split(";") if c),
            )
            for r in rows
        )


def held_sessions_to_lock(engine: Engine, version_id: int) -> tuple[Session, ...]:
    """The sessions of ``version_id`` recorded as held, locked: a re-plan must keep them as they were."""
    plan = _plan(engine, version_id)
    return sessions_to_lock(plan, realised_for_version(engine, version_id, plan))
