"""Look-ups every item of a batch would make, made once for the batch.

The duplicate step asks for earlier mail with the same fingerprint and the notify step for the
acknowledgements a recipient got within the hour: two statements per message, a fifth of the
pipeline's database time. For a batch whose items were read ahead, both are asked once for
all of them; the steps then add what the batch itself does, and ask the database themselves
for anything not known here (an item read in the pipeline, a batch run carefully again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from daemon.clock import utcnow
from daemon.mail.reading import Reading
from daemon.store.models import Outbox, RawItem

ACK = "ack"
ACK_WINDOW = timedelta(hours=1)


def fingerprint(message_id: str | None, sender: str | None, subject: str) -> str | None:
    """Message-ID plus sender and subject: broken clients reuse Message-IDs for different mail."""
    if not message_id:
        return None
    key = "\n".join((message_id, sender or "", subject))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Prefetched:
    """What the database held for a batch's fingerprints and acknowledgement recipients when
    the batch began, kept up to date with what the batch's own items do."""

    def __init__(self, same: dict[str, list[tuple[int, str]]], acks: dict[str, int]) -> None:
        self._same = same
        self._acks = acks

    @classmethod
    def for_batch(cls, session: Session, readings: Iterable[Reading | None]) -> Prefetched:
        known = [r for r in readings if r is not None]
        prints = {fingerprint(r.message_id, r.sender, r.subject) for r in known} - {None}
        recipients = {r.reply_to or r.sender for r in known} - {None}
        same: dict[str, list[tuple[int, str]]] = {p: [] for p in prints}
        acks = dict.fromkeys(recipients, 0)
        connection = session.connection()
        if prints:
            rows = connection.execute(
                select(RawItem.fingerprint, RawItem.id, RawItem.status).where(
                    RawItem.fingerprint.in_(prints)
                )
            )
            for print_, row_id, status in rows:
                same[print_].append((row_id, status))
        if recipients:
            counts = connection.execute(
                select(Outbox.recipient, func.count(Outbox.id))
                .where(
                    Outbox.recipient.in_(recipients),
                    Outbox.purpose == ACK,
                    Outbox.created_at >= utcnow() - ACK_WINDOW,
                )
                .group_by(Outbox.recipient)
            )
            acks.update((recipient, count) for recipient, count in counts)
        return cls(same, acks)

    def same_fingerprint(self, print_: str) -> list[tuple[int, str]] | None:
        """(raw item id, status) of the mail with this fingerprint; None: not known here."""
        return self._same.get(print_)

    def recorded(self, print_: str | None, raw_item_id: int, status: str) -> None:
        if print_ is not None and print_ in self._same:
            self._same[print_].append((raw_item_id, status))

    def acks_to(self, recipient: str) -> int | None:
        """Acknowledgements to the recipient within the hour; None: not known here."""
        return self._acks.get(recipient)

    def acknowledged(self, recipient: str) -> None:
        if recipient in self._acks:
            self._acks[recipient] += 1
