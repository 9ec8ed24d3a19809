"""Repository functions: the only way pages and commands read or change stored data.

Each public function is one transaction (:func:`planner.store.db.session_scope`) that also writes
the audit log. Plan versions, locks and the coordination's settings are in
:mod:`planner.store.workspace`. Requests follow ``submitted → accepted | declined (with a reason) → scheduled``;
access rules (:mod:`planner.store.access`) are checked here, so a page cannot forget them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, delete, func, select, text

from planner.errors import AccessDenied, InputError
from planner.hosting.request_form import (
    CONTACT_FIELDS,
    CONTACT_RETENTION_MONTHS,
    STATUS_LABELS,
    RequestForm,
    RequestRecord,
    clean_text,
    to_host_request,
)
from planner.model import HostRequest, Plan, format_weekdays, parse_weekdays
from planner.store.access import Actor, as_actor, require_commune_scope, require_coordinator
from planner.store.audit import record
from planner.store.db import session_scope
from planner.store.models import RequestRow, ReviewRow, utcnow

DECISIONS = ("accepted", "declined")
# A commune's link may not flood the coordination: at most this many requests waiting for review.
MAX_PENDING_PER_COMMUNE = 10
MAX_REASON_LENGTH = 1000
# Allowed review transitions: a coordinator may change a decision, or cancel a scheduled request.
_REVIEW_FROM: dict[str, tuple[str, ...]] = {
    "accepted": ("submitted", "declined"),
    "declined": ("submitted", "accepted", "scheduled"),
}

# --- requests ----------------------------------------------------------------------------------

# RequestForm fields stored as they are in a RequestRow column of the same name (contacts aside);
# weekdays, blackout_dates and publics are converted to text by _fill and back by _form.
_SAME_FIELDS = (
    "code_insee",
    "venue",
    "address",
    "has_power",
    "toilets",
    "accessible_room",
    "mobile_coverage",
    "wifi",
    "period_start",
    "period_end",
    "expected_participants",
    "home_visits",
    "themes",
    "promoter",
    "notes",
)


def _fill(row: RequestRow, form: RequestForm) -> None:
    for name in _SAME_FIELDS + CONTACT_FIELDS:
        setattr(row, name, getattr(form, name))
    row.weekdays = format_weekdays(form.weekdays)
    row.blackout_dates = _dates_text(sorted(form.blackout_dates))
    row.publics = ", ".join(form.publics)


def _dates(text: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(x) for x in text.split(";") if x)


def _dates_text(days: Iterable[date]) -> str:
    """Inverse of :func:`_dates`: ``"2027-01-05;2027-01-12"``."""
    return ";".join(d.isoformat() for d in days)


def _form(row: RequestRow, include_contact: bool = True) -> RequestForm:
    names = _SAME_FIELDS + (CONTACT_FIELDS if include_contact else ())
    return RequestForm(
        **{name: getattr(row, name) for name in names},
        weekdays=parse_weekdays(row.weekdays),
        blackout_dates=frozenset(_dates(row.blackout_dates)),
        publics=tuple(p.strip() for p in row.publics.split(",") if p.strip()),
    )


def _record(row: RequestRow, include_contact: bool = True) -> RequestRecord:
    return RequestRecord(
        id=row.id,
        form=_form(row, include_contact),
        status=row.status,
        decision_reason=row.decision_reason,
        scheduled_dates=_dates(row.scheduled_dates),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _check_submitter(actor: Actor, form: RequestForm) -> None:
    if actor.role == "funder":
        raise AccessDenied("accès refusé : l'accès financeur est en lecture seule")
    require_commune_scope(actor, form.code_insee)


def _move(
    session, row: RequestRow, to_status: str, reason: str, actor: Actor, action: str, now: datetime
) -> None:
    """Change the status of ``row``, writing the step in its history and ``action`` in the audit log."""
    session.add(
        ReviewRow(
            request_id=row.id,
            from_status=row.status,
            to_status=to_status,
            reason=reason,
            actor=actor.label,
            at=now,
        )
    )
    row.status = to_status
    row.updated_at = now
    record(session, actor.label, action, "request", row.id, reason)


def _schedule(session, row: RequestRow, dates_text: str, actor: Actor, now: datetime) -> None:
    """Move ``row`` to ``scheduled`` on the dates of ``dates_text`` (see :func:`_dates_text`)."""
    _move(session, row, "scheduled", dates_text, actor, "schedule", now)
    row.scheduled_dates = dates_text


def _insert(session, form: RequestForm, actor: Actor, status: str, reason: str) -> int:
    now = utcnow()
    row = RequestRow(status="submitted", decision_reason="", scheduled_dates="", created_by=actor.label)
    row.created_at = row.updated_at = now
    _fill(row, form)
    session.add(row)
    session.flush()
    session.add(
        ReviewRow(
            request_id=row.id, from_status="", to_status="submitted", reason="", actor=actor.label, at=now
        )
    )
    record(session, actor.label, "submit", "request", row.id, f"commune {form.code_insee}")
    if status == "accepted":
        row.decision_reason = reason
        _move(session, row, "accepted", reason, actor, "accept", now)
    session.flush()
    return row.id


def _lock_commune(session, code_insee: str) -> None:
    """Serialise a commune's submissions until the transaction ends (count, then insert).

    SQLite's ``BEGIN IMMEDIATE`` already serialises every writer; PostgreSQL needs a lock, or
    concurrent submissions through one link would all see the same count and pass the limit.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"aller-vers:commune:{code_insee}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def submit_request(engine: Engine, req: RequestForm, actor: Actor | str) -> int:
    """Store a new request (status ``submitted``) and return its id.

    A commune may file only for itself; a funder may not file at all (:class:`AccessDenied`).
    """
    who = as_actor(actor)
    _check_submitter(who, req)
    with session_scope(engine) as session:
        if who.role == "commune":
            _lock_commune(session, req.code_insee)
            pending = session.scalar(
                select(func.count())
                .select_from(RequestRow)
                .where(RequestRow.code_insee == req.code_insee, RequestRow.status == "submitted")
            )
            if pending >= MAX_PENDING_PER_COMMUNE:
                raise InputError(
                    f"déjà {pending} demandes en attente pour cette commune : attendez la réponse de "
                    "la coordination ou contactez-la"
                )
        return _insert(session, req, who, "submitted", "")


def submit_requests(
    engine: Engine,
    forms: Sequence[RequestForm],
    actor: Actor | str,
    *,
    accept: bool = False,
    reason: str = "",
) -> list[int]:
    """Store several requests in ONE transaction: all are stored, or none if any fails.

    With ``accept`` (coordinators only) they are accepted at once, e.g. requests taken by phone.
    """
    who = as_actor(actor)
    if accept:
        require_coordinator(who, "accepter une demande")
    for form in forms:
        _check_submitter(who, form)
    status = "accepted" if accept else "submitted"
    with session_scope(engine) as session:
        return [_insert(session, form, who, status, clean_text(reason)) for form in forms]


def _get_row(session, request_id: int, *, for_update: bool = False) -> RequestRow:
    # FOR UPDATE: concurrent reviews of one request queue up on PostgreSQL (SQLite's
    # BEGIN IMMEDIATE already serialises writers), so a decision is never applied twice.
    row = session.get(RequestRow, request_id, with_for_update=for_update)
    if row is None:
        raise InputError(f"demande n° {request_id} introuvable")
    return row


def get_request(engine: Engine, request_id: int, actor: Actor | str) -> RequestRecord:
    """One request, if ``actor`` may see it (a commune only its own; a funder none)."""
    who = as_actor(actor)
    with session_scope(engine) as session:
        row = _get_row(session, request_id)
        require_commune_scope(who, row.code_insee)
        return _record(row)


def update_request(engine: Engine, request_id: int, form: RequestForm, actor: Actor | str) -> None:
    """Replace the content of a request not yet examined (a commune: only its own, same commune)."""
    who = as_actor(actor)
    with session_scope(engine) as session:
        row = _get_row(session, request_id, for_update=True)
        require_commune_scope(who, row.code_insee)
        require_commune_scope(who, form.code_insee)
        allowed = ("submitted", "accepted") if who.role == "coordinator" else ("submitted",)
        if row.status not in allowed:
            raise InputError(
                f"la demande n° {request_id} est déjà {STATUS_LABELS[row.status]} : "
                "contactez la coordination pour la modifier"
            )
        _fill(row, form)
        row.updated_at = utcnow()
        record(session, who.label, "update", "request", request_id, f"commune {form.code_insee}")


def review_request(engine: Engine, request_id: int, decision: str, reason: str, actor: Actor | str) -> None:
    """Accept or decline a request (coordinators only); a refusal needs a reason.

    Raises
    ------
    AccessDenied
        If ``actor`` is not a coordinator.
    InputError
        Unknown decision, missing or too long reason, request not found or in a state that
        cannot take this decision.
    """
    who = as_actor(actor)
    require_coordinator(who, "examiner une demande")
    if decision not in DECISIONS:
        raise InputError(f"décision inconnue : « {decision} » (accepted ou declined)")
    reason = clean_text(reason)
    if decision == "declined" and not reason:
        raise InputError("indiquez la raison du refus : la commune la verra")
    if len(reason) > MAX_REASON_LENGTH:
        raise InputError(f"raison trop longue : {len(reason)} caractères pour {MAX_REASON_LENGTH} au plus")
    with session_scope(engine) as session:
        row = _get_row(session, request_id, for_update=True)
        if row.status not in _REVIEW_FROM[decision]:
            raise InputError(
                f"la demande n° {request_id} est {STATUS_LABELS[row.status]} : "
                f"elle ne peut pas être {STATUS_LABELS[decision]}"
            )
        _move(
            session, row, decision, reason, who, "accept" if decision == "accepted" else "decline", utcnow()
        )
        row.decision_reason = reason
        if decision == "declined":
            row.scheduled_dates = ""


def mark_scheduled(
    engine: Engine, request_id: int, dates: Iterable[date], actor: Actor | str = "planification"
) -> None:
    """Record the planned dates of an accepted (or already scheduled) request: status ``scheduled``."""
    who = as_actor(actor)
    require_coordinator(who, "programmer une demande")
    days = tuple(sorted(set(dates)))
    if not days:
        raise InputError("aucune date à programmer")
    with session_scope(engine) as session:
        row = _get_row(session, request_id, for_update=True)
        if row.status not in ("accepted", "scheduled"):
            raise InputError(
                f"la demande n° {request_id} est {STATUS_LABELS[row.status]} : seule une demande acceptée "
                "peut être programmée"
            )
        _schedule(session, row, _dates_text(days), who, utcnow())


def schedule_from_plan(
    engine: Engine, plan: Plan, actor: Actor | str = "planification"
) -> dict[int, tuple[date, ...]]:
    """Mark every accepted or scheduled request whose commune hosts sessions in ``plan`` as
    scheduled on those dates (one transaction; returns ``request id -> dates``, ``()`` for a
    request put back to accepted). See :func:`planner.store.workspace.schedule_requests`, which
    :func:`planner.store.workspace.commit_plan` runs whenever a plan version becomes current.
    """
    from planner.store.workspace import schedule_requests

    who = as_actor(actor)
    require_coordinator(who, "programmer une demande")
    with session_scope(engine) as session:
        return schedule_requests(session, plan, who)


def list_requests(
    engine: Engine,
    *,
    code_insee: str | None = None,
    status: str | None = None,
    include_contact: bool = True,
) -> tuple[RequestRecord, ...]:
    """Stored requests in filing order, optionally of one commune and/or one status.

    Pages give a commune its own ``code_insee``; ``include_contact=False`` blanks contact data.
    Only ``None`` means every commune: an empty code selects nothing (a lost commune code must
    never widen a commune's view to all communes).
    """
    with session_scope(engine) as session:
        query = select(RequestRow).order_by(RequestRow.id)
        if code_insee is not None:
            query = query.where(RequestRow.code_insee == code_insee)
        if status:
            query = query.where(RequestRow.status == status)
        return tuple(_record(r, include_contact) for r in session.scalars(query))


@dataclass(frozen=True)
class RequestPage:
    """One page of requests matching some filters, and how many match in all."""

    records: tuple[RequestRecord, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def find_requests(
    engine: Engine,
    *,
    statuses: Sequence[str] = (),
    communes: Sequence[str] = (),
    page: int = 1,
    per_page: int = 25,
    include_contact: bool = True,
) -> RequestPage:
    """One page of the requests with these statuses in these communes, in filing order.

    Filtering, counting and paging happen in the database (``WHERE``, ``COUNT``, ``LIMIT`` /
    ``OFFSET``): a page costs the same with 50 or 5,000 requests. Empty filters select everything;
    a page past the end gives the last page.
    """
    if per_page < 1:
        raise InputError("au moins une demande par page")
    unknown = sorted(set(statuses) - set(STATUS_LABELS))
    if unknown:
        raise InputError(f"statut inconnu : « {unknown[0]} »")
    conditions = []
    if statuses:
        conditions.append(RequestRow.status.in_(list(statuses)))
    if communes:
        conditions.append(RequestRow.code_insee.in_(list(communes)))
    with session_scope(engine) as session:
        total = int(session.scalar(select(func.count()).select_from(RequestRow).where(*conditions)) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = session.scalars(
            select(RequestRow)
            .where(*conditions)
            .order_by(RequestRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        records = tuple(_record(r, include_contact) for r in rows)
    return RequestPage(records, total, page, per_page)


def request_communes(engine: Engine) -> list[str]:
    """The INSEE codes of the communes that filed at least one request (for a filter)."""
    with session_scope(engine) as session:
        return sorted(session.scalars(select(RequestRow.code_insee).distinct()))


@dataclass(frozen=True)
class Review:
    """One step of a request's history."""

    from_status: str
    to_status: str
    reason: str
    actor: str
    at: datetime


def request_history(engine: Engine, request_id: int, actor: Actor | str) -> list[Review]:
    """The review history of a request (same visibility as :func:`get_request`)."""
    who = as_actor(actor)
    with session_scope(engine) as session:
        row = _get_row(session, request_id)
        require_commune_scope(who, row.code_insee)
        return [Review(r.from_status, r.to_status, r.reason, r.actor, r.at) for r in row.reviews]


def request_counts(engine: Engine) -> dict[str, int]:
    """Number of requests per status (every status present, zeros included): the funder's view."""
    with session_scope(engine) as session:
        counts = dict(
            session.execute(select(RequestRow.status, func.count()).group_by(RequestRow.status)).all()
        )
    return {status: int(counts.get(status, 0)) for status in STATUS_LABELS}


def delete_request(engine: Engine, request_id: int, actor: Actor | str) -> None:
    """Delete a request, its history and its contact data (coordinators only).

    The audit log keeps that it was deleted, by whom and when — no contact data.
    """
    who = as_actor(actor)
    require_coordinator(who, "supprimer une demande")
    with session_scope(engine) as session:
        row = _get_row(session, request_id, for_update=True)
        code = row.code_insee
        session.execute(delete(ReviewRow).where(ReviewRow.request_id == request_id))
        session.delete(row)
        record(session, who.label, "delete", "request", request_id, f"commune {code}, contact effacé")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def purge_expired_contacts(engine: Engine, *, today: date, actor: Actor | str = "rétention") -> int:
    """Erase contact data kept longer than the retention period; return how many requests.

    A request's reference date is its last scheduled date, else the end of its availability
    period, else its last change; contacts go :data:`CONTACT_RETENTION_MONTHS` months after it.
    """
    who = as_actor(actor)
    require_coordinator(who, "purger les données personnelles")
    purged = 0
    with session_scope(engine) as session:
        for row in session.scalars(select(RequestRow)):
            if not any(getattr(row, name) for name in CONTACT_FIELDS):
                continue
            scheduled = _dates(row.scheduled_dates)
            reference = scheduled[-1] if scheduled else (row.period_end or row.updated_at.date())
            if _add_months(reference, CONTACT_RETENTION_MONTHS) < today:
                for name in CONTACT_FIELDS:
                    setattr(row, name, "")
                record(
                    session,
                    who.label,
                    "purge_contact",
                    "request",
                    row.id,
                    f"référence {reference.isoformat()}",
                )
                purged += 1
    return purged


def accepted_host_requests(engine: Engine) -> tuple[HostRequest, ...]:
    """Accepted (and already scheduled) requests as the optimiser's :class:`HostRequest` objects.

    Their ``id`` is ``"D<request id>"``; an availability period becomes blackout dates around it.
    """
    records = list_requests(engine, status=None, include_contact=False)
    return tuple(
        to_host_request(rec.form, f"D{rec.id}") for rec in records if rec.status in ("accepted", "scheduled")
    )
