"""Pipeline runner: store the raw item, run the steps in one transaction, quarantine failures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from daemon.attachments import AttachmentStore
from daemon.calendar import BusinessCalendar
from daemon.classifier import Classifier
from daemon.clock import utcnow
from daemon.config import Settings
from daemon.db import Database
from daemon.models import RawItem
from daemon.templates import Templates
from handlers import PIPELINE
from handlers.context import Done, Hold, Item
from handlers.parse import message_ids

log = logging.getLogger(__name__)

FINISHED = ("done", "quarantined")


@dataclass
class Result:
    """What became of one item; ``outbox_ids`` are the mails to dispatch now."""

    raw_item_id: int
    outcome: str
    ticket: str | None = None
    error: str | None = None
    outbox_ids: list[int] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    repeated: bool = False


def _sniff_message_id(raw: bytes) -> str | None:
    head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.decode("ascii", "replace").splitlines():
        if line.lower().startswith("message-id:"):
            ids = message_ids(line[11:])
            return ids[0][:998] if ids else None
    return None


class Pipeline:
    """Runs raw items through ``handlers.PIPELINE``; never raises for anything a sender wrote."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        on_outbox: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.store = AttachmentStore(
            settings.storage.attachments_dir, settings.storage.max_attachment_bytes
        )
        self.templates = Templates(settings.desk.templates_dir)
        self.classifier = Classifier(settings.classifier)
        self.calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
        self.on_outbox = on_outbox or (lambda ids: None)

    def receive(self, source: str, key: str, raw: bytes, *, size: int | None = None) -> Result:
        """Record the raw bytes (once per source key), then process them unless already done.

        A ``size`` larger than ``raw`` means the source kept back an oversize body.
        """
        with self.db.transaction() as session:
            row = session.scalar(
                select(RawItem).where(RawItem.source == source, RawItem.source_key == key)
            )
            if row is None:
                row = RawItem(
                    source=source,
                    source_key=key,
                    message_id=_sniff_message_id(raw),
                    raw=raw,
                    size=max(size or 0, len(raw)),
                    status="received",
                    received_at=utcnow(),
                )
                session.add(row)
                session.flush()
            elif row.status in FINISHED:
                return Result(row.id, row.outcome or row.status, error=row.error, repeated=True)
            raw_item_id = row.id
        return self.process(raw_item_id)

    def process(self, raw_item_id: int) -> Result:
        """Run all steps in one transaction; a failure puts the item in quarantine."""
        try:
            with self.db.transaction() as session:
                raw_item = session.get(RawItem, raw_item_id)
                item = Item(
                    raw_item=raw_item,
                    session=session,
                    settings=self.settings,
                    store=self.store,
                    templates=self.templates,
                    classifier=self.classifier,
                    calendar=self.calendar,
                    oversize=raw_item.size > len(raw_item.raw),
                )
                outcome = self._run_steps(item)
                raw_item.status = "quarantined" if item.hold_reason else "done"
                raw_item.outcome = outcome
                raw_item.error = item.hold_reason
                raw_item.ticket_id = item.ticket.id if item.ticket else None
                raw_item.processed_at = utcnow()
                session.flush()
                result = Result(
                    raw_item_id,
                    outcome,
                    ticket=item.ticket.number if item.ticket else None,
                    outbox_ids=[row.id for row in item.outbox],
                    details=_details(item),
                )
        except Exception as exc:  # noqa: BLE001 - whatever fails, the item goes to quarantine
            return self._quarantine(raw_item_id, exc)
        log.info(
            "item %s %s: %s %s",
            raw_item_id,
            result.details.get("message_id"),
            outcome,
            result.ticket or "",
        )
        if result.outbox_ids:
            self.on_outbox(result.outbox_ids)
        return result

    def _run_steps(self, item: Item) -> str:
        for step in PIPELINE:
            try:
                step.run(item)
            except Hold as hold:
                item.hold_reason = hold.reason
                return hold.outcome
            except Done as done:
                return done.outcome
        return "ticket_created"

    def _quarantine(self, raw_item_id: int, exc: Exception) -> Result:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("item %s quarantined: %s", raw_item_id, error)
        with self.db.transaction() as session:
            row = session.get(RawItem, raw_item_id)
            row.status = "quarantined"
            row.outcome = "quarantined"
            row.error = error
            row.processed_at = utcnow()
        return Result(raw_item_id, "quarantined", error=error)


def _details(item: Item) -> dict:
    ticket = item.ticket
    details = {"message_id": item.message_id, "language": item.language or None}
    if ticket is not None:
        details.update(
            language=ticket.language,
            kind=ticket.kind,
            category=ticket.category,
            severity=ticket.severity,
            department=ticket.department,
            location=ticket.location,
            deadlines=ticket.deadlines,
            hot_topic=ticket.hot_topic,
        )
    return details
