"""Mentors' "questions I can help with" examples.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("help_questions", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_column("help_questions")
