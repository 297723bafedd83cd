"""deadline rows and ticket milestones

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:50:00

Each deadline becomes a row with its due time and whether it was met or missed, so the scheduler
finds what is due by index and the reports count on-time rates in SQL. Tickets record when they
were first answered, resolved and revisited. Time-driven mail is keyed in sent_keys, so it
is queued once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MILESTONES = ("first_answer_at", "resolved_at", "revisited_at")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("met_at", sa.DateTime(), nullable=True),
        sa.Column("missed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("ticket_id", "step"),
    )
    op.create_index("ix_deadlines_ticket_id", "deadlines", ["ticket_id"])
    op.create_index("ix_deadlines_open_due", "deadlines", ["met_at", "due_at"])
    op.create_index("ix_deadlines_due", "deadlines", ["due_at"])
    op.create_table(
        "sent_keys",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sent_keys_ticket_id", "sent_keys", ["ticket_id"])
    with op.batch_alter_table("tickets") as batch:
        for name in MILESTONES:
            batch.add_column(sa.Column(name, sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("tickets") as batch:
        for name in MILESTONES:
            batch.drop_column(name)
    op.drop_table("sent_keys")
    op.drop_table("deadlines")
