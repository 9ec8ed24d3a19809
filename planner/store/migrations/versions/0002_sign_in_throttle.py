"""Sign-in throttle: attempts per client and for all clients, kept in the database.

Revision ID: 0002_sign_in_throttle
Revises: 0004_realised
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sign_in_throttle"
down_revision = "0004_realised"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``sign_in_throttle`` table."""
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime, nullable=False),
        sa.Column("last_success_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    """Drop the ``sign_in_throttle`` table."""
    op.drop_table("sign_in_throttle")
