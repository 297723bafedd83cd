"""indexes for the hot-topic window and the acknowledgement limit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 23:50:00

Both look-ups run for every new ticket; with one-column indexes they read a building's whole
history, or every mail ever sent to an address, so they slowed down as the desk aged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_tickets_hot", "tickets", ["building", "category", "created_at"])
    op.drop_index("ix_tickets_building", table_name="tickets")
    op.create_index("ix_outbox_recent", "outbox", ["recipient", "purpose", "created_at"])
    op.drop_index("ix_outbox_recipient", table_name="outbox")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index("ix_outbox_recipient", "outbox", ["recipient"])
    op.drop_index("ix_outbox_recent", table_name="outbox")
    op.create_index("ix_tickets_building", "tickets", ["building"])
    op.drop_index("ix_tickets_hot", table_name="tickets")
