"""Languages: the language each person chose for the bot's messages (`/mentor language`), and
the language a mentee asked to be mentored in.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_setting",
        sa.Column("slack_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqltypes.AutoString(length=8), nullable=True),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slack_id"),
    )
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sqltypes.AutoString(length=8)))


def downgrade() -> None:
    with op.batch_alter_table("mentoring_request", schema=None) as batch_op:
        batch_op.drop_column("language")
    op.drop_table("person_setting")
