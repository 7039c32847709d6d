"""Goals, development actions and takeaways: the next step after a session.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal", sa.Text(), nullable=True))
    op.create_table(
        "development_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("mentee_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("suggested_by_mentor", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["mentoring_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("development_action", schema=None) as batch_op:
        for column in ("session_id", "mentee_slack_id", "mentor_id", "status", "created_at"):
            batch_op.create_index(
                batch_op.f(f"ix_development_action_{column}"), [column], unique=False
            )
    op.create_table(
        "takeaway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("mentee_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["mentoring_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("takeaway", schema=None) as batch_op:
        for column in ("session_id", "mentee_slack_id", "mentor_id", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_takeaway_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("takeaway")
    op.drop_table("development_action")
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.drop_column("goal")
