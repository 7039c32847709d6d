"""Learning from outcomes: question vectors that taught the matcher about a mentor.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("model", sqltypes.AutoString(length=300), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["mentoring_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "mentor_id", name="uq_evidence_request_mentor"),
    )
    op.create_index("ix_match_evidence_mentor_id", "match_evidence", ["mentor_id"])
    op.create_index("ix_match_evidence_request_id", "match_evidence", ["request_id"])
    op.create_index("ix_match_evidence_created_at", "match_evidence", ["created_at"])


def downgrade() -> None:
    op.drop_table("match_evidence")
