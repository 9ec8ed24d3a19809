"""The audit log: every change records who did what, when — inside the change's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planner.store.db import session_scope
from planner.store.models import AuditRow, utcnow


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: str


def record(
    session: Session, actor: str, action: str, entity: str, entity_id: object = "", detail: str = ""
) -> None:
    """Add an audit line to ``session`` (committed or rolled back with the change it describes).

    ``detail`` must never contain contact data (names, phones, e-mails).
    """
    session.add(
        AuditRow(
            at=utcnow(),
            actor=actor[:200],
            action=action[:50],
            entity=entity[:50],
            entity_id=str(entity_id)[:50],
            detail=detail,
        )
    )


def audit_entries(engine: Engine, *, entity: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """The most recent audit lines first (optionally of one kind of entity)."""
    with session_scope(engine) as session:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if entity:
            query = query.where(AuditRow.entity == entity)
        return [
            AuditEntry(r.at, r.actor, r.action, r.entity, r.entity_id, r.detail)
            for r in session.scalars(query)
        ]
