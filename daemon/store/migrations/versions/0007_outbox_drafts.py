"""outbox drafts: a mail is queued as its draft and made into bytes when it is sent

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 01:30:00

Building the MIME message took ~0.3 ms of each ticket's transaction; the row now keeps what
defines the mail (``draft``, JSON) and ``raw`` stays empty until the dispatcher fills it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTBOX = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("raw", sa.LargeBinary()),
    sa.column("draft", sa.JSON()),
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("draft", sa.JSON(), nullable=True))
        batch.alter_column("raw", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    """Downgrade schema: mail not yet made into bytes is made now, so that none is lost."""
    from daemon.mail.compose import render

    connection = op.get_bind()
    drafted = connection.execute(
        sa.select(_OUTBOX.c.id, _OUTBOX.c.draft).where(_OUTBOX.c.raw.is_(None))
    ).all()
    for row_id, draft in drafted:
        connection.execute(_OUTBOX.update().where(_OUTBOX.c.id == row_id).values(raw=render(draft)))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("raw", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("draft")
