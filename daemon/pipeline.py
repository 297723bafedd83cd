"""Pipeline runner: store the raw item, run the steps in one transaction, quarantine failures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.attachments import AttachmentStore
from daemon.calendar import BusinessCalendar
from daemon.classifier import Classifier
from daemon.clock import utcnow
from daemon.config import Settings
from daemon.db import Database
from daemon.intake.base import Incoming
from daemon.models import RawItem
from daemon.reading import Reading, message_ids
from daemon.templates import Templates
from daemon.tokens import load_secret
from handlers import PIPELINE
from handlers.context import Done, Hold, Item

log = logging.getLogger(__name__)

FINISHED = ("done", "quarantined")
WEB_SOURCES = ("web", "feed:", "webhook")
"""Sources whose items came through a form rather than a mailbox."""


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
        self.secret = load_secret(settings)
        self.on_outbox = on_outbox or (lambda ids: None)

    def receive(self, source: str, key: str, raw: bytes, *, size: int | None = None) -> Result:
        """One item; see ``receive_batch``."""
        return self.receive_batch(source, [Incoming(key, raw, max(size or 0, len(raw)))])[0]

    def receive_batch(
        self,
        source: str,
        batch: list[Incoming],
        readings: list[Reading | None] | None = None,
    ) -> list[Result]:
        """Record and process a batch in one transaction, each item in its own savepoint.

        The raw bytes are inserted before the steps run, and a failing item rolls back only
        its own savepoint and lands in quarantine. A source marks items done only after this
        returns, so a crash before the commit leaves them to be fetched again. ``readings``
        are the items already parsed by the read-ahead helper (None: parse here).
        """
        results = []
        with self.db.transaction() as session:
            session.autoflush = False
            keys = [incoming.key for incoming in batch]
            known = {
                row.source_key: row
                for row in session.scalars(
                    select(RawItem).where(RawItem.source == source, RawItem.source_key.in_(keys))
                )
            }
            for incoming, reading in zip(batch, readings or [None] * len(batch), strict=True):
                row = known.get(incoming.key)
                if row is not None and row.status in FINISHED:
                    results.append(
                        Result(row.id, row.outcome or row.status, error=row.error, repeated=True)
                    )
                    continue
                if row is None:
                    row = known[incoming.key] = self._record(session, source, incoming)
                results.append(self._process(session, row, reading))
        self._after_commit(results)
        return results

    def process(self, raw_item_id: int) -> Result:
        """Run a stored item again (``quarantine retry``)."""
        with self.db.transaction() as session:
            session.autoflush = False
            result = self._process(session, session.get(RawItem, raw_item_id))
        self._after_commit([result])
        return result

    @staticmethod
    def _record(session: Session, source: str, incoming: Incoming) -> RawItem:
        row = RawItem(
            source=source,
            source_key=incoming.key,
            message_id=_sniff_message_id(incoming.raw),
            raw=incoming.raw,
            size=max(incoming.size, len(incoming.raw)),
            status="received",
            received_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return row

    def _process(
        self, session: Session, raw_item: RawItem, reading: Reading | None = None
    ) -> Result:
        item = Item(
            reading=reading,
            raw_item=raw_item,
            session=session,
            settings=self.settings,
            store=self.store,
            templates=self.templates,
            classifier=self.classifier,
            calendar=self.calendar,
            secret=self.secret,
            channel="web" if raw_item.source.startswith(WEB_SOURCES) else "email",
            oversize=raw_item.size > len(raw_item.raw),
        )
        try:
            with session.begin_nested():
                outcome = self._run_steps(item)
                raw_item.status = "quarantined" if item.hold_reason else "done"
                raw_item.outcome = outcome
                raw_item.error = item.hold_reason
                raw_item.ticket = item.ticket
                raw_item.processed_at = utcnow()
                session.flush()
        except Exception as exc:  # noqa: BLE001 - whatever fails, the item goes to quarantine
            error = f"{type(exc).__name__}: {exc}"[:2000]
            raw_item.status = raw_item.outcome = "quarantined"
            raw_item.error = error
            raw_item.ticket = None
            raw_item.processed_at = utcnow()
            session.flush()
            return Result(raw_item.id, "quarantined", error=error)
        return Result(
            raw_item.id,
            outcome,
            ticket=item.ticket.number if item.ticket else None,
            outbox_ids=[row.id for row in item.outbox],
            details=_details(item),
        )

    def _after_commit(self, results: list[Result]) -> None:
        outbox_ids = []
        for result in results:
            if result.outcome == "quarantined" and result.error:
                log.warning("item %s quarantined: %s", result.raw_item_id, result.error)
            elif not result.repeated:
                log.info(
                    "item %s %s: %s %s",
                    result.raw_item_id,
                    result.details.get("message_id"),
                    result.outcome,
                    result.ticket or "",
                )
            outbox_ids.extend(result.outbox_ids)
        if outbox_ids:
            self.on_outbox(outbox_ids)

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
