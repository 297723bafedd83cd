"""open tickets index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 15:40:00

The tickets still open, by creation time, as a partial index: what a report counts as open or
overdue at the end of a period starts from them (a few hundred, not the desk's history). It
replaces the (status, created_at) index, which the planners preferred to the closed_at range
for "closed in the period" and so read every closed ticket.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status NOT IN ('closed', 'revisited', 'fed_back')")


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index("ix_tickets_status_created", table_name="tickets")
    op.create_index(
        "ix_tickets_open", "tickets", ["created_at"], sqlite_where=OPEN, postgresql_where=OPEN
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_tickets_open", table_name="tickets")
    op.create_index("ix_tickets_status_created", "tickets", ["status", "created_at"])
