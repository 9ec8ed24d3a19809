"""What happened: realised sessions (counts only), age and residence counts, repeat attendance,
imports and their leftover activities — each tied to a plan version.

Revision ID: 0004_realised
Revises: 0002_calendar_feeds
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_realised"
down_revision = "0002_calendar_feeds"
branch_labels = None
depends_on = None

_REASONS = "('weather', 'breakdown', 'no_show', 'staff_absent', 'venue_unavailable', 'other')"


def _version_fk() -> sa.Column:
    return sa.Column(
        "plan_version_id",
        sa.Integer,
        sa.ForeignKey("plan_versions.id", ondelete="CASCADE"),
        nullable=False,
    )


def _import_fk(nullable: bool = True, ondelete: str = "SET NULL") -> sa.Column:
    return sa.Column(
        "import_id", sa.Integer, sa.ForeignKey("realised_imports.id", ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    """Create the realised tables."""
    op.create_table(
        "realised_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        _version_fk(),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("matched", sa.Integer, nullable=False),
        sa.Column("unmatched", sa.Integer, nullable=False),
        sa.Column("ambiguous", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.CheckConstraint("source IN ('coop', 'sheet')", name="ck_realised_import_source"),
    )
    op.create_index("ix_realised_imports_plan_version_id", "realised_imports", ["plan_version_id"])

    op.create_table(
        "realised_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        _version_fk(),
        sa.Column("session_uid", sa.String(64), nullable=False),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("host", sa.String(5), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("held", sa.Boolean, nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
        sa.Column("cancel_reason", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        _import_fk(),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("plan_version_id", "session_uid", name="uq_realised_session"),
        sa.CheckConstraint("participants >= 0 AND participants <= 500", name="ck_realised_participants"),
        sa.CheckConstraint(
            "(held AND cancel_reason = '' AND participants >= 1) OR "
            f"(NOT held AND participants = 0 AND cancel_reason IN {_REASONS})",
            name="ck_realised_held_or_reason",
        ),
        sa.CheckConstraint("source IN ('entry', 'coop', 'sheet')", name="ck_realised_source"),
    )
    op.create_index("ix_realised_sessions_plan_version_id", "realised_sessions", ["plan_version_id"])
    op.create_index("ix_realised_sessions_session_uid", "realised_sessions", ["session_uid"])
    op.create_index("ix_realised_sessions_import_id", "realised_sessions", ["import_id"])

    for table, column, length, extra in (
        ("realised_age_counts", "band", 10, []),
        (
            "realised_residence_counts",
            "code_insee",
            5,
            [sa.CheckConstraint("length(code_insee) = 5", name="ck_realised_residence_code")],
        ),
    ):
        short = "age" if column == "band" else "residence"
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "realised_session_id",
                sa.Integer,
                sa.ForeignKey("realised_sessions.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column(column, sa.String(length), nullable=False),
            sa.Column("people", sa.Integer, nullable=False),
            sa.UniqueConstraint("realised_session_id", column, name=f"uq_realised_{short}"),
            sa.CheckConstraint("people > 0", name=f"ck_realised_{short}_people"),
            *extra,
        )
        op.create_index(f"ix_{table}_realised_session_id", table, ["realised_session_id"])

    op.create_table(
        "realised_attendance",
        sa.Column("id", sa.Integer, primary_key=True),
        _version_fk(),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("session_uids", sa.Text, nullable=False),
        sa.Column("by_sessions", sa.Text, nullable=False),
        sa.Column("anonymous", sa.Integer, nullable=False),
        _import_fk(),
        sa.UniqueConstraint("plan_version_id", "series", name="uq_realised_attendance"),
        sa.CheckConstraint("anonymous >= 0", name="ck_realised_attendance_anonymous"),
    )
    op.create_index("ix_realised_attendance_plan_version_id", "realised_attendance", ["plan_version_id"])
    op.create_index("ix_realised_attendance_import_id", "realised_attendance", ["import_id"])

    op.create_table(
        "realised_leftovers",
        sa.Column("id", sa.Integer, primary_key=True),
        _import_fk(nullable=False, ondelete="CASCADE"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("code_insee", sa.String(5), nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("candidates", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('unmatched', 'ambiguous')", name="ck_realised_leftover_status"),
    )
    op.create_index("ix_realised_leftovers_import_id", "realised_leftovers", ["import_id"])


def downgrade() -> None:
    """Drop the realised tables."""
    for table in (
        "realised_leftovers",
        "realised_attendance",
        "realised_residence_counts",
        "realised_age_counts",
        "realised_sessions",
        "realised_imports",
    ):
        op.drop_table(table)
