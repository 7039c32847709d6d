"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("expertise", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("timezone", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("weekly_capacity", sa.Integer(), nullable=False),
        sa.Column("paused_until", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_slack_id"), ["slack_id"], unique=True)

    op.create_table(
        "mentoring_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentee_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("format", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("urgency", sqltypes.AutoString(length=16), nullable=True),
        sa.Column("status", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("message_channel", sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("matched_at", sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentoring_request_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentoring_request_mentee_slack_id"), ["mentee_slack_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mentoring_request_status"), ["status"], unique=False)

    op.create_table(
        "roster_change",
        sa.Column("revision", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("revision"),
    )
    with op.batch_alter_table("roster_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_change_mentor_id"), ["mentor_id"], unique=False)

    roster_state = op.create_table(
        "roster_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The single counter row every roster writer bumps (see RosterState).
    op.bulk_insert(roster_state, [{"id": 1, "version": 0}])
    op.create_table(
        "mentor_embedding",
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("model", sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text_hash", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source_revision", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("phrase_count", sa.Integer(), nullable=False),
        sa.Column("profile_vector", sa.LargeBinary(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("phrase_vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mentor_id", "model"),
    )
    op.create_table(
        "mentoring_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["mentoring_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentoring_session_mentee_slack_id"), ["mentee_slack_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentoring_session_mentor_id"), ["mentor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentoring_session_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentoring_session_starts_at"), ["starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mentoring_session_status"), ["status"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("responded_at", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("message_channel", sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["mentoring_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "mentor_id", name="uq_offer_request_mentor"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_offer_one_accepted",
            ["request_id"],
            unique=True,
            sqlite_where=sa.text("status = 'accepted'"),
            postgresql_where=sa.text("status = 'accepted'"),
        )
        batch_op.create_index(
            "uq_offer_one_pending",
            ["request_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("meet_again", sa.Boolean(), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["mentoring_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "author_slack_id", "kind", name="uq_feedback_once"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_session_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("uq_offer_one_pending")
        batch_op.drop_index(
            "uq_offer_one_accepted",
            sqlite_where=sa.text("status = 'accepted'"),
            postgresql_where=sa.text("status = 'accepted'"),
        )
        batch_op.drop_index(batch_op.f("ix_offer_status"))
        batch_op.drop_index(batch_op.f("ix_offer_request_id"))
        batch_op.drop_index(batch_op.f("ix_offer_mentor_id"))

    op.drop_table("offer")
    with op.batch_alter_table("mentoring_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentoring_session_status"))
        batch_op.drop_index(batch_op.f("ix_mentoring_session_starts_at"))
        batch_op.drop_index(batch_op.f("ix_mentoring_session_request_id"))
        batch_op.drop_index(batch_op.f("ix_mentoring_session_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_mentoring_session_mentee_slack_id"))

    op.drop_table("mentoring_session")
    op.drop_table("mentor_embedding")
    op.drop_table("roster_state")
    with op.batch_alter_table("roster_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_change_mentor_id"))

    op.drop_table("roster_change")
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentoring_request_status"))
        batch_op.drop_index(batch_op.f("ix_mentoring_request_mentee_slack_id"))
        batch_op.drop_index(batch_op.f("ix_mentoring_request_created_at"))

    op.drop_table("mentoring_request")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_slack_id"))

    op.drop_table("mentor")
