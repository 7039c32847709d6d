"""Speed-mentoring events: the event, who joined, the planned rounds, messages sent once.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speed_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=150), nullable=False),
        sa.Column("theme", sqltypes.AutoString(length=300), nullable=True),
        sa.Column("lead_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("starts_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("round_minutes", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sqltypes.AutoString(length=300), nullable=True),
        sa.Column("channel", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("signup_closes_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("announcement_ts", sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speed_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speed_event_status"), ["status"], unique=False)

    op.create_table(
        "event_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role", sqltypes.AutoString(length=8), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("timezone", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("joined_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["speed_event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "slack_id", name="uq_event_participant"),
    )
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_participant_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participant_slack_id"), ["slack_id"], unique=False
        )

    op.create_table(
        "event_pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("mentee_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mentor_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("follow_up_request_id", sa.Integer(), nullable=True),
        sa.Column("mentor_continues", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["speed_event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "round", "mentee_slack_id", name="uq_pairing_mentee"),
        sa.UniqueConstraint("event_id", "round", "mentor_slack_id", name="uq_pairing_mentor"),
    )
    with op.batch_alter_table("event_pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_pairing_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_pairing_mentee_slack_id"), ["mentee_slack_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_pairing_mentor_slack_id"), ["mentor_slack_id"], unique=False
        )

    op.create_table(
        "event_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["speed_event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "kind", "round", name="uq_event_notice"),
    )
    with op.batch_alter_table("event_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_notice_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("event_notice")
    op.drop_table("event_pairing")
    op.drop_table("event_participant")
    op.drop_table("speed_event")
