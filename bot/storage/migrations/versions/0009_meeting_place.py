"""Where a mentor meets: a personal video link, a room, or "Slack huddle".

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_place", sqltypes.AutoString(length=300)))


def downgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_column("meeting_place")
