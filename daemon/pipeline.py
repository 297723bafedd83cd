"""Pipeline runner: store the raw item, run the steps in one transaction, quarantine failures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.classify.classifier import Classifier
from daemon.clock import utcnow
from daemon.config import Settings
from daemon.intake.base import Incoming
from daemon.intake.prefetch import Prefetched
from daemon.mail.attachments import AttachmentStore
from daemon.mail.reading import Reading, message_ids
from daemon.mail.templates import Templates
from daemon.mail.tokens import load_secret
from daemon.sla.calendar import BusinessCalendar
from daemon.store.db import Database, reserve_ids
from daemon.store.models import RawItem
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
    for line in head.decode("ascii", "surrogateescape").splitlines():  # as the parser reads it
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
        """Record and process a batch in one transaction.

        The raw bytes commit together with everything the steps did. The items share one flush
        at the end (an item touching an earlier one's Message-IDs or addresses gets a flush
        first, so its checks see it); if any item fails, the batch runs again with the raw bytes
        flushed first and a savepoint per item, so that the failing one alone rolls back and
        lands in quarantine, its bytes kept. A source marks items done only after this returns,
        so a crash before the commit leaves them to be fetched again. ``readings`` are the items
        the read-ahead helper parsed (None: parse here).
        """
        readings = readings or [None] * len(batch)
        try:
            results = self._receive(source, batch, readings, careful=False)
        except _ItemFailed:
            results = self._receive(source, batch, readings, careful=True)
        self._after_commit(results)
        return results

    def process(self, raw_item_id: int) -> Result:
        """Run a stored item again (``quarantine retry``)."""
        with self.db.transaction() as session:
            session.autoflush = False
            result = self._process_carefully(session, session.get(RawItem, raw_item_id))
        self._after_commit([result])
        return result

    def _receive(
        self,
        source: str,
        batch: list[Incoming],
        readings: list[Reading | None],
        careful: bool,
    ) -> list[Result]:
        results: list[Result | None] = []
        with self.db.transaction() as session:
            session.autoflush = False
            known = {
                row.source_key: row
                for row in session.scalars(
                    select(RawItem).where(
                        RawItem.source == source,
                        RawItem.source_key.in_([incoming.key for incoming in batch]),
                    )
                )
            }
            todo: dict[str, tuple[RawItem, Reading | None, list[int]]] = {}
            new = []
            for incoming, reading in zip(batch, readings, strict=True):
                row = known.get(incoming.key)
                if row is not None and row.status in FINISHED:
                    results.append(
                        Result(row.id, row.outcome or row.status, error=row.error, repeated=True)
                    )
                    continue
                if row is None:
                    row = known[incoming.key] = self._record(session, source, incoming)
                    new.append(row)
                todo.setdefault(incoming.key, (row, reading, []))[2].append(len(results))
                results.append(None)
            if careful or not reserve_ids(session, new):
                session.flush()
            if careful:
                done = [self._process_carefully(session, row, r) for row, r, _ in todo.values()]
            else:
                done = self._process_together(session, [(row, r) for row, r, _ in todo.values()])
            for (_row, _reading, places), result in zip(todo.values(), done, strict=True):
                results[places[0]] = result
                for place in places[1:]:  # the same key twice in one batch
                    results[place] = replace(result, outbox_ids=[], repeated=True)
        return results

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
        return row

    def _item(self, session: Session, raw_item: RawItem, reading: Reading | None) -> Item:
        return Item(
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

    def _process_together(
        self, session: Session, entries: list[tuple[RawItem, Reading | None]]
    ) -> list[Result]:
        """The fast way: no savepoints, one flush, look-ups asked once for the batch; raises
        _ItemFailed if any item fails."""
        items = []
        pending: set[str] = set()
        prefetched = Prefetched.for_batch(session, [reading for _row, reading in entries])
        for raw_item, reading in entries:
            if reading is None or _touched_by(reading) & pending:
                session.flush()
                pending.clear()
            item = self._item(session, raw_item, reading)
            item.prefetched = prefetched
            try:
                outcome = self._run_steps(item)
            except Exception as exc:
                raise _ItemFailed from exc
            _mark_done(raw_item, item, outcome)
            prefetched.recorded(raw_item.fingerprint, raw_item.id, raw_item.status)
            pending |= _touched_by(item)
            items.append((item, outcome))
        try:
            session.flush()
        except Exception as exc:
            raise _ItemFailed from exc
        return [_result(item, outcome) for item, outcome in items]

    def _process_carefully(
        self, session: Session, raw_item: RawItem, reading: Reading | None = None
    ) -> Result:
        """One item in its own savepoint: whatever fails, it goes to quarantine alone."""
        item = self._item(session, raw_item, reading)
        try:
            with session.begin_nested():
                outcome = self._run_steps(item)
                _mark_done(raw_item, item, outcome)
                session.flush()
        except Exception as exc:  # noqa: BLE001 - whatever fails, the item goes to quarantine
            error = f"{type(exc).__name__}: {exc}"[:2000]
            raw_item.status = raw_item.outcome = "quarantined"
            raw_item.error = error
            raw_item.ticket = None
            raw_item.processed_at = utcnow()
            session.flush()
            return Result(raw_item.id, "quarantined", error=error)
        return _result(item, outcome)

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


class _ItemFailed(Exception):
    """An item failed on the fast way; the batch is run again carefully."""


def _touched_by(source: Reading | Item) -> set[str]:
    """The Message-IDs and addresses an item's checks look up (duplicates, threads, the
    acknowledgement limit): an item sharing one with an earlier item must see it flushed."""
    keys = {source.message_id, source.sender, source.reply_to, *source.in_reply_to}
    keys.discard(None)
    return keys


def _mark_done(raw_item: RawItem, item: Item, outcome: str) -> None:
    raw_item.status = "quarantined" if item.hold_reason else "done"
    raw_item.outcome = outcome
    raw_item.error = item.hold_reason
    raw_item.ticket = item.ticket
    raw_item.processed_at = utcnow()


def _result(item: Item, outcome: str) -> Result:
    return Result(
        item.raw_item.id,
        outcome,
        ticket=item.ticket.number if item.ticket else None,
        outbox_ids=[row.id for row in item.outbox],
        details=_details(item),
    )


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
