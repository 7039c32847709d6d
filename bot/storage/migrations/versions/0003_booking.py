"""booking: mentee time zone, one session per sequence, practice progress, a send-once log

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mentee_timezone", sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_session_sequence", ["request_id", "sequence"])
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress", sqltypes.AutoString(length=16), nullable=True))
    op.create_table(
        "notification_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["mentoring_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "session_id", name="uq_notification_once"),
    )


def downgrade() -> None:
    op.drop_table("notification_log")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("progress")
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.drop_constraint("uq_session_sequence", type_="unique")
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.drop_column("mentee_timezone")
