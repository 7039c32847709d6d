"""Messages naming people beyond their recipient (events): found by the person's erasure.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slack_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_slack_id", sqltypes.AutoString(length=32)))
        batch_op.create_index(
            batch_op.f("ix_slack_message_about_slack_id"), ["about_slack_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_message_about_slack_id"))
        batch_op.drop_column("about_slack_id")
