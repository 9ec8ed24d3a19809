"""Workspaces per territory (settings, current plan version, revision), plan versions tied to a
territory with their baseline, locks that belong to a plan version, commune notifications.

Revision ID: 0002_workspaces
Revises: 0002_sign_in_throttle
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_workspaces"
down_revision = "0002_sign_in_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the workspace and notification tables and the version/lock columns."""
    with op.batch_alter_table("plan_versions") as batch:
        batch.add_column(sa.Column("territory_spec", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("parent_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("baseline_json", sa.Text, nullable=True))
        batch.create_index("ix_plan_versions_territory_spec", ["territory_spec"])
    with op.batch_alter_table("locked_sessions") as batch:
        batch.add_column(sa.Column("plan_version_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("uid", sa.String(64), nullable=False, server_default=""))
        batch.create_foreign_key(
            "fk_locked_sessions_plan_version",
            "plan_versions",
            ["plan_version_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_locked_sessions_plan_version_id", ["plan_version_id"])
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("territory_spec", sa.String(500), nullable=False, unique=True),
        sa.Column("settings_json", sa.Text, nullable=False),
        sa.Column(
            "current_version_id",
            sa.Integer,
            sa.ForeignKey("plan_versions.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("territory_spec", sa.String(500), nullable=False),
        sa.Column("code_insee", sa.String(5), nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_notifications_territory_code", "notifications", ["territory_spec", "code_insee"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added."""
    op.drop_index("ix_notifications_territory_code", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("workspaces")
    with op.batch_alter_table("locked_sessions") as batch:
        batch.drop_index("ix_locked_sessions_plan_version_id")
        batch.drop_constraint("fk_locked_sessions_plan_version", type_="foreignkey")
        batch.drop_column("uid")
        batch.drop_column("plan_version_id")
    with op.batch_alter_table("plan_versions") as batch:
        batch.drop_index("ix_plan_versions_territory_spec")
        batch.drop_column("baseline_json")
        batch.drop_column("parent_id")
        batch.drop_column("territory_spec")
