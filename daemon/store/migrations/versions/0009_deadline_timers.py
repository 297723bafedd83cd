"""deadline timers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:10:00

A deadline row is also its own timer: ``next_at`` is when the scheduler must look at it next
(a reminder, the moment it is missed, an escalation step), indexed, so a pass reads only what is
due. ``stage`` counts the actions done, ``escalated_at`` is when the last escalation went out,
``round`` grows when an agreed extension makes it a new promise. The insert sentinel lets a
batch's rows go in one statement on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(sa.Column("next_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("_sentinel", sa.Integer(), nullable=True))
    op.create_index("ix_deadlines_next_at", "deadlines", ["next_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_deadlines_next_at", "deadlines")
    with op.batch_alter_table("deadlines") as batch:
        for name in ("_sentinel", "round", "escalated_at", "stage", "next_at"):
            batch.drop_column(name)
