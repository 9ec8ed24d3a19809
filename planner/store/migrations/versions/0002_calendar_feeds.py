"""Calendar feeds: publications of plan versions, and the feed links of communes and resources.

Revision ID: 0002_calendar_feeds
Revises: 0001_initial
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_calendar_feeds"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the publication log and the feed links."""
    op.create_table(
        "calendar_publications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_version_id", sa.Integer, sa.ForeignKey("plan_versions.id"), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_calendar_publications_plan_version_id", "calendar_publications", ["plan_version_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.Column("access_link_id", sa.Integer, sa.ForeignKey("access_links.id"), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.CheckConstraint("scope IN ('commune', 'resource')", name="ck_feed_scope"),
    )
    op.create_index("ix_calendar_feeds_target", "calendar_feeds", ["target"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("calendar_feeds")
    op.drop_table("calendar_publications")
