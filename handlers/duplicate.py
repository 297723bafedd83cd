"""Duplicate: the same message seen again (another source key, a re-delivery) is recorded once."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from daemon.models import RawItem
from handlers.context import Done, Item

name = "duplicate"


def fingerprint(item: Item) -> str | None:
    """Message-ID plus sender and subject: broken clients reuse Message-IDs for different mail."""
    if not item.message_id:
        return None
    key = "\n".join((item.message_id, item.sender or "", item.subject))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _duplicate(item: Item) -> bool:
    item.raw_item.fingerprint = fingerprint(item)
    if item.raw_item.fingerprint is None:
        return False
    same = select(RawItem.id, RawItem.status).where(
        RawItem.fingerprint == item.raw_item.fingerprint
    )
    # Filtered here rather than in SQL so that SQLite uses the fingerprint index.
    return any(
        status == "done" and row_id != item.raw_item.id
        for row_id, status in item.session.execute(same)
    )


def run(item: Item) -> None:
    if _duplicate(item):
        raise Done("duplicate", f"Message-ID {item.message_id} already recorded")
