"""digest_log (one row per digest week, the claim that makes it go out once) and mentors'
availability windows

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("available_from", sqltypes.AutoString(length=5)))
        batch_op.add_column(sa.Column("available_until", sqltypes.AutoString(length=5)))
    op.create_table(
        "digest_log",
        sa.Column("week", sqltypes.AutoString(length=8), nullable=False),
        sa.Column("sent_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("week"),
    )


def downgrade() -> None:
    op.drop_table("digest_log")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_column("available_until")
        batch_op.drop_column("available_from")
