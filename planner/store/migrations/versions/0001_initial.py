"""Initial schema: requests, reviews, plan versions, locked sessions, access links, users, audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "host_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_insee", sa.String(5), nullable=False),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("has_power", sa.Boolean, nullable=False),
        sa.Column("toilets", sa.Boolean, nullable=False),
        sa.Column("accessible_room", sa.Boolean, nullable=False),
        sa.Column("mobile_coverage", sa.Boolean, nullable=False),
        sa.Column("wifi", sa.Boolean, nullable=False),
        sa.Column("weekdays", sa.String(40), nullable=False),
        sa.Column("period_start", sa.Date, nullable=True),
        sa.Column("period_end", sa.Date, nullable=True),
        sa.Column("blackout_dates", sa.Text, nullable=False),
        sa.Column("expected_participants", sa.Integer, nullable=True),
        sa.Column("publics", sa.String(300), nullable=False),
        sa.Column("themes", sa.String(1000), nullable=False),
        sa.Column("promoter", sa.String(300), nullable=False),
        sa.Column("notes", sa.String(2000), nullable=False),
        sa.Column("contact_name", sa.String(120), nullable=False),
        sa.Column("contact_role", sa.String(120), nullable=False),
        sa.Column("contact_phone", sa.String(30), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decision_reason", sa.String(1000), nullable=False),
        sa.Column("scheduled_dates", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'declined', 'scheduled')", name="ck_request_status"
        ),
        sa.CheckConstraint(
            "expected_participants IS NULL OR (expected_participants >= 0 AND expected_participants <= 500)",
            name="ck_request_participants",
        ),
        sa.CheckConstraint("length(code_insee) = 5", name="ck_request_code_insee"),
    )
    op.create_index("ix_host_requests_status", "host_requests", ["status"])
    op.create_index("ix_host_requests_code_status", "host_requests", ["code_insee", "status"])

    op.create_table(
        "request_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("host_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(12), nullable=False),
        sa.Column("to_status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_request_reviews_request_id", "request_reviews", ["request_id"])

    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("n_sessions", sa.Integer, nullable=False),
        sa.Column("plan_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )

    op.create_table(
        "locked_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("index", sa.Integer, nullable=False),
        sa.Column("resource", sa.String(100), nullable=False),
        sa.Column("host", sa.String(5), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("start", sa.Time, nullable=False),
        sa.Column("end", sa.Time, nullable=False),
    )

    op.create_table(
        "access_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_insee", sa.String(5), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("last_used_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_access_links_code_insee", "access_links", ["code_insee"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("role IN ('coordinator', 'funder')", name="ck_user_role"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("entity_id", sa.String(50), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    """Drop every table."""
    for table in (
        "audit_log",
        "users",
        "access_links",
        "locked_sessions",
        "plan_versions",
        "request_reviews",
        "host_requests",
    ):
        op.drop_table(table)
