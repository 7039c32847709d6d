"""On demand: urgent fan-out slots, a waiting list, auto-pause and busy-time feeds.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missed_offers", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("auto_paused_at", sqltypes.UTCDateTime()))
        batch_op.add_column(sa.Column("busy_feed_url", sa.Text()))
        batch_op.add_column(sa.Column("busy_feed_failed_at", sqltypes.UTCDateTime()))
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_until", sqltypes.UTCDateTime()))
        batch_op.add_column(sa.Column("preferred_mentor_id", sa.Integer()))
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("uq_offer_one_pending")
        batch_op.create_index(
            "uq_offer_one_pending_per_slot",
            ["request_id", "slot"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("uq_offer_one_pending_per_slot")
        batch_op.create_index(
            "uq_offer_one_pending",
            ["request_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
        batch_op.drop_column("slot")
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.drop_column("preferred_mentor_id")
        batch_op.drop_column("waiting_until")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_column("busy_feed_failed_at")
        batch_op.drop_column("busy_feed_url")
        batch_op.drop_column("auto_paused_at")
        batch_op.drop_column("missed_offers")
