"""Duplicate: the same message seen again (another source key, a re-delivery) is recorded once."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from daemon.intake import prefetch
from daemon.store.models import RawItem
from handlers.context import Done, Item

name = "duplicate"

_RAW_ITEMS = RawItem.__table__
_SAME_FINGERPRINT = select(_RAW_ITEMS.c.id, _RAW_ITEMS.c.status).where(
    _RAW_ITEMS.c.fingerprint == bindparam("of_fingerprint")
)
"""Built once and run as Core on the session's connection: every item asks it."""


def fingerprint(item: Item) -> str | None:
    return prefetch.fingerprint(item.message_id, item.sender, item.subject)


def _duplicate(item: Item) -> bool:
    raw_item = item.raw_item
    raw_item.fingerprint = same = fingerprint(item)
    if same is None:
        return False
    rows = item.prefetched.same_fingerprint(same) if item.prefetched else None
    if rows is None:
        rows = item.session.connection().execute(_SAME_FINGERPRINT, {"of_fingerprint": same})
    # Filtered here rather than in SQL so that SQLite uses the fingerprint index.
    return any(status == "done" and row_id != raw_item.id for row_id, status in rows)


def run(item: Item) -> None:
    if _duplicate(item):
        raise Done("duplicate", f"Message-ID {item.message_id} already recorded")
