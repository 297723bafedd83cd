"""indexes for the period reports

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:15:00

A report counts the tickets received, closed and resolved in a period and those still open at
its end: each is a range over one of these columns, so a week's report reads that week's
tickets and not the desk's whole history.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_tickets_created_at": ["created_at"],
    "ix_tickets_closed_at": ["closed_at"],
    "ix_tickets_resolved_at": ["resolved_at"],
    "ix_tickets_status_created": ["status", "created_at"],
}


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns)


def downgrade() -> None:
    """Downgrade schema."""
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
