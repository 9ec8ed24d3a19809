"""SQLAlchemy 2 declarative models: requests and their reviews, plan versions, locked sessions,
access links, users (hashed passwords), workspaces, notifications, the sign-in throttle and the
audit log.

The schema itself is created by the Alembic migrations in ``migrations/versions``; these classes
must stay in step with them (``tests/store`` checks that the migrated schema matches).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

REQUEST_STATUSES = ("submitted", "accepted", "declined", "scheduled")


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite has no time zones; PostgreSQL would convert to the session zone. Storing naive UTC
    on both keeps the two backends identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class RequestRow(Base):
    """A host request ("demande d'accueil") with its contact person and its status."""

    __tablename__ = "host_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'accepted', 'declined', 'scheduled')", name="ck_request_status"
        ),
        CheckConstraint(
            "expected_participants IS NULL OR (expected_participants >= 0 AND expected_participants <= 500)",
            name="ck_request_participants",
        ),
        CheckConstraint("length(code_insee) = 5", name="ck_request_code_insee"),
        Index("ix_host_requests_code_status", "code_insee", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_insee: Mapped[str] = mapped_column(String(5))
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    has_power: Mapped[bool] = mapped_column(Boolean, default=False)
    toilets: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible_room: Mapped[bool] = mapped_column(Boolean, default=False)
    mobile_coverage: Mapped[bool] = mapped_column(Boolean, default=False)
    wifi: Mapped[bool] = mapped_column(Boolean, default=False)
    weekdays: Mapped[str] = mapped_column(String(40), default="")
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    blackout_dates: Mapped[str] = mapped_column(Text, default="")
    expected_participants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    home_visits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    publics: Mapped[str] = mapped_column(String(300), default="")
    themes: Mapped[str] = mapped_column(String(1000), default="")
    promoter: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_role: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    decision_reason: Mapped[str] = mapped_column(String(1000), default="")
    scheduled_dates: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviews: Mapped[list[ReviewRow]] = relationship(
        back_populates="request", cascade="all, delete-orphan", passive_deletes=True, order_by="ReviewRow.id"
    )


class ReviewRow(Base):
    """One status change of a request (submitted → accepted/declined → scheduled) and its reason."""

    __tablename__ = "request_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("host_requests.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[RequestRow] = relationship(back_populates="reviews")


class PlanVersionRow(Base):
    """A saved plan (JSON of :func:`planner.plan_json.plan_to_dict`) with its label and author.

    ``territory_spec`` is the plan's territory, ``parent_id`` the version it was made from,
    ``baseline_json`` the saupoudrage baseline computed with it (so that reopening the version
    shows the same comparison).
    """

    __tablename__ = "plan_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    n_sessions: Mapped[int] = mapped_column(Integer)
    plan_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    territory_spec: Mapped[str] = mapped_column(String(500), default="", server_default="", index=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    baseline_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class WorkspaceRow(Base):
    """The coordination's workspace for one territory: its settings (resources, season, rules,
    as JSON), its current plan version and a revision number that grows with every change
    (optimistic versioning: a change made on an older revision is merged or refused)."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    territory_spec: Mapped[str] = mapped_column(String(500), unique=True)
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL"), nullable=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class NotificationRow(Base):
    """A commune told of its dates as they stand in a plan version (by e-mail or otherwise)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_territory_code", "territory_spec", "code_insee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    territory_spec: Mapped[str] = mapped_column(String(500))
    code_insee: Mapped[str] = mapped_column(String(5))
    version_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LockedSessionRow(Base):
    """A session announced to the public, locked on the plan version ``plan_version_id``: a
    re-plan of that version keeps it unchanged. ``uid`` is the session's identity."""

    __tablename__ = "locked_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE", name="fk_locked_sessions_plan_version"),
        nullable=True,
        index=True,
    )
    uid: Mapped[str] = mapped_column(String(64), default="", server_default="")
    series: Mapped[str] = mapped_column(String(100))
    index: Mapped[int] = mapped_column(Integer)
    resource: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(5))
    date: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class AccessLinkRow(Base):
    """A commune's personal link: only the SHA-256 of its token is stored."""

    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_insee: Mapped[str] = mapped_column(String(5), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserRow(Base):
    """A password account (coordinator or funder); ``password_hash`` is an argon2 hash."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('coordinator', 'funder')", name="ck_user_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInThrottleRow(Base):
    """Sign-in attempts of one client (``client:<address>``) or of all clients (``all``) in a window.

    ``attempts`` counts the attempts of the window that began at ``window_start`` (a success gives
    its attempt back); ``last_success_at`` marks a client that signed in before, which a flood of
    wrong passwords from elsewhere does not lock out (:mod:`planner.store.throttle`).
    """

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditRow(Base):
    """Who did what, when. ``detail`` never holds contact data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


# --- what happened (planner.realised): counts only, never a participant's name -------------------

# The reason and source codes in the check constraints are the keys of
# planner.realised.outcome.CANCEL_REASONS and SOURCES (tests/store/test_realised.py checks it).


class RealisedImportRow(Base):
    """One import of realised activities into a plan version (file name not kept: it may name someone)."""

    __tablename__ = "realised_imports"
    __table_args__ = (CheckConstraint("source IN ('coop', 'sheet')", name="ck_realised_import_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(10))
    activities: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer)
    ambiguous: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RealisedSessionRow(Base):
    """What happened to one planned session (by ``uid``) of one plan version.

    ``series``, ``host`` and ``day`` copy the planned session, for lists that have no plan at hand.
    """

    __tablename__ = "realised_sessions"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "session_uid", name="uq_realised_session"),
        CheckConstraint("participants >= 0 AND participants <= 500", name="ck_realised_participants"),
        CheckConstraint(
            "(held AND cancel_reason = '' AND participants >= 1) OR "
            "(NOT held AND participants = 0 AND cancel_reason IN "
            "('weather', 'breakdown', 'no_show', 'staff_absent', 'venue_unavailable', 'other'))",
            name="ck_realised_held_or_reason",
        ),
        CheckConstraint("source IN ('entry', 'coop', 'sheet')", name="ck_realised_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    session_uid: Mapped[str] = mapped_column(String(64), index=True)
    series: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(5))
    day: Mapped[date] = mapped_column(Date)
    held: Mapped[bool] = mapped_column(Boolean)
    participants: Mapped[int] = mapped_column(Integer)
    cancel_reason: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(10))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("realised_imports.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    age_counts: Mapped[list[RealisedAgeRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="RealisedAgeRow.id"
    )
    residence_counts: Mapped[list[RealisedResidenceRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="RealisedResidenceRow.id"
    )


class RealisedAgeRow(Base):
    """Participants of one realised session in one age band (``"60-69"``, ``"70+"``)."""

    __tablename__ = "realised_age_counts"
    __table_args__ = (
        UniqueConstraint("realised_session_id", "band", name="uq_realised_age"),
        CheckConstraint("people > 0", name="ck_realised_age_people"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realised_session_id: Mapped[int] = mapped_column(
        ForeignKey("realised_sessions.id", ondelete="CASCADE"), index=True
    )
    band: Mapped[str] = mapped_column(String(10))
    people: Mapped[int] = mapped_column(Integer)


class RealisedResidenceRow(Base):
    """Participants of one realised session living in one commune."""

    __tablename__ = "realised_residence_counts"
    __table_args__ = (
        UniqueConstraint("realised_session_id", "code_insee", name="uq_realised_residence"),
        CheckConstraint("people > 0", name="ck_realised_residence_people"),
        CheckConstraint("length(code_insee) = 5", name="ck_realised_residence_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realised_session_id: Mapped[int] = mapped_column(
        ForeignKey("realised_sessions.id", ondelete="CASCADE"), index=True
    )
    code_insee: Mapped[str] = mapped_column(String(5))
    people: Mapped[int] = mapped_column(Integer)


class RealisedAttendanceRow(Base):
    """Repeat attendance of one parcours: people per number of sessions attended (JSON counts)."""

    __tablename__ = "realised_attendance"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "series", name="uq_realised_attendance"),
        CheckConstraint("anonymous >= 0", name="ck_realised_attendance_anonymous"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    series: Mapped[str] = mapped_column(String(100))
    session_uids: Mapped[str] = mapped_column(Text)
    by_sessions: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("realised_imports.id", ondelete="SET NULL"), nullable=True, index=True
    )


class RealisedLeftoverRow(Base):
    """An imported activity that fits no planned session, or several: kept for the coordinator."""

    __tablename__ = "realised_leftovers"
    __table_args__ = (
        CheckConstraint("status IN ('unmatched', 'ambiguous')", name="ck_realised_leftover_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("realised_imports.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    row: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    code_insee: Mapped[str] = mapped_column(String(5), default="")
    participants: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(1000))
    candidates: Mapped[str] = mapped_column(Text, default="")


class PublicationRow(Base):
    """A plan version published to the communes' and resources' calendar feeds.

    The latest publication is what the feeds serve; the earlier ones say which sessions moved
    or were cancelled since (see :mod:`planner.publish.revisions`).
    """

    __tablename__ = "calendar_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeedRow(Base):
    """A calendar feed link: a host commune's (derived from its personal link, valid as long as that
    link is) or a resource's (for its team). Only the SHA-256 of the feed token is stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (CheckConstraint("scope IN ('commune', 'resource')", name="ck_feed_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(100), index=True)
    access_link_id: Mapped[int | None] = mapped_column(ForeignKey("access_links.id"), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
