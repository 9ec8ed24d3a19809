"""Home visits asked in a host request (« visites à domicile demandées »): a number, never a person.

Revision ID: 0005_home_visits
Revises: 0002_workspaces
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_home_visits"
down_revision = "0002_workspaces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``host_requests.home_visits`` (0 for the requests already stored)."""
    with op.batch_alter_table("host_requests") as batch:
        batch.add_column(sa.Column("home_visits", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop ``host_requests.home_visits``."""
    with op.batch_alter_table("host_requests") as batch:
        batch.drop_column("home_visits")
