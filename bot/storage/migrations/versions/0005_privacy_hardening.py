"""Privacy hardening: mentor approval, a log of the bot's messages that quote people (for
redaction on erasure), unmet-demand reasons and report claims, reminders keyed on the session
start, attendance answers and the invite's SEQUENCE; drops the request's unused message columns.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval",
                sqltypes.AutoString(length=16),
                nullable=False,
                server_default="approved",
            )
        )
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unmet_reason", sqltypes.AutoString(length=32)))
        batch_op.add_column(sa.Column("unmet_reported_at", sqltypes.UTCDateTime()))
        batch_op.drop_column("message_channel")
        batch_op.drop_column("message_ts")
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance", sqltypes.AutoString(length=16)))
    with op.batch_alter_table("notification_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("due_key", sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_notification_once", type_="unique")
        batch_op.create_unique_constraint("uq_notification_once", ["kind", "session_id", "due_key"])
    op.create_table(
        "slack_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recipient_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("channel", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("ts", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("redact_pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("recipient_slack_id", "request_id", "mentor_id", "redact_pending"):
        op.create_index(f"ix_slack_message_{column}", "slack_message", [column])


def downgrade() -> None:
    for column in ("recipient_slack_id", "request_id", "mentor_id", "redact_pending"):
        op.drop_index(f"ix_slack_message_{column}", table_name="slack_message")
    op.drop_table("slack_message")
    with op.batch_alter_table("notification_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_once", type_="unique")
        batch_op.create_unique_constraint("uq_notification_once", ["kind", "session_id"])
        batch_op.drop_column("due_key")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("attendance")
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_ts", sqltypes.AutoString(length=32)))
        batch_op.add_column(sa.Column("message_channel", sqltypes.AutoString(length=32)))
        batch_op.drop_column("unmet_reported_at")
        batch_op.drop_column("unmet_reason")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_column("approval")
