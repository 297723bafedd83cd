"""The dispatcher: sends due outbox rows, marks each sent once, retries transient failures."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import update

from daemon.clock import utcnow
from daemon.config import Settings
from daemon.mail import outbox
from daemon.mail.compose import render
from daemon.mail.groupcommit import GroupCommit
from daemon.mail.transport import (
    FileTransport,
    PermanentError,
    ServerUnavailable,
    SmtpTransport,
)
from daemon.store.db import Database
from daemon.store.models import Outbox

log = logging.getLogger(__name__)


def make_transport(settings: Settings) -> FileTransport | SmtpTransport:
    if settings.smtp is not None:
        return SmtpTransport(settings.smtp)
    return FileTransport(settings.outbox.dir)


class Dispatcher:
    """Claims rows, hands them to the transport, and records each result in its own row."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.transport = make_transport(settings)

    def retry_delay(self, attempts: int) -> timedelta:
        policy = self.settings.outbox
        seconds = min(
            policy.retry_base_seconds * 2 ** max(attempts - 1, 0), policy.retry_max_seconds
        )
        return timedelta(seconds=seconds)

    def send(self, ids: list[int]) -> int:
        """Send these rows if still pending and unclaimed; returns how many were sent.

        Each delivery is recorded as soon as it completes (see ``GroupCommit``): a crash
        re-sends at most the mails in flight, not the rows claimed."""
        with self.db.transaction() as session:
            rows = outbox.claim(session, ids)
        if not rows:
            return 0
        errors = self._make_bytes(rows)
        results = list(zip(rows, errors, strict=True))
        if unmade := [(row, error) for row, error in results if error is not None]:
            self._record(unmade)
        ready = [row for row, error in results if error is None]
        return asyncio.run(self._deliver(ready)) if ready else 0

    async def _deliver(self, rows: list[Outbox]) -> int:
        """Hand the rows to the transport and record each result as it comes back."""
        recorder = GroupCommit(self._record)
        sent = 0

        async def done(index: int, error: Exception | None) -> None:
            nonlocal sent
            sent += error is None
            await recorder.record((rows[index], error))

        sender = self.settings.desk.address
        mails = [(sender, row.recipient, row.message_id, row.raw) for row in rows]
        await self.transport.send_many(mails, done)
        return sent

    def _make_bytes(self, rows: list[Outbox]) -> list[Exception | None]:
        """Make the bytes of rows queued as drafts and store them before the first attempt;
        a draft that cannot be made into a mail counts as a failed attempt of its row."""
        errors: list[Exception | None] = []
        made = []
        for row in rows:
            errors.append(None)
            if row.raw is not None:
                continue
            try:
                row.raw = render(row.draft)
            except (KeyError, TypeError, ValueError) as exc:
                log.exception("mail %s to %s cannot be made", row.message_id, row.recipient)
                errors[-1] = ValueError(f"cannot make the mail from its draft: {exc!r}")
            else:
                made.append(row)
        if made:
            with self.db.transaction() as session:
                outbox.store_bytes(session, made)
        return errors

    def send_due(self, limit: int = 200) -> int:
        """Send up to ``limit`` rows that are due now (new rows and retries whose time has
        come); returns how many were sent."""
        with self.db.transaction() as session:
            ids = outbox.due_ids(session, limit)
        return self.send(ids) if ids else 0

    def send_all_due(self) -> int:
        """Send until no row is due: what fails waits for its retry time, which ends it."""
        sent = 0
        while True:
            with self.db.transaction() as session:
                ids = outbox.due_ids(session, 200)
            if not ids:
                return sent
            sent += self.send(ids)

    def _record(self, results: list[tuple[Outbox, Exception | None]]) -> None:
        """Write these results in one short transaction (an ORM bulk UPDATE by primary key).

        A mail fails for good when the server refuses it (5xx) or after ``max_attempts`` tries;
        a server that cannot be reached or refuses our login never fails a mail: it waits."""
        now = utcnow()
        max_attempts = self.settings.outbox.max_attempts
        changes = []
        for row, error in results:
            change = {"id": row.id, "attempts": row.attempts + 1, "claimed_until": None}
            if error is None:
                change.update(status="sent", sent_at=now, last_error=None)
            elif isinstance(error, PermanentError) or (
                change["attempts"] >= max_attempts and not isinstance(error, ServerUnavailable)
            ):
                change.update(status="failed", last_error=str(error)[:2000])
                log.warning("mail %s to %s failed: %s", row.message_id, row.recipient, error)
            else:
                delay = self.retry_delay(change["attempts"])
                change.update(next_attempt_at=now + delay, last_error=str(error)[:2000])
                log.info("mail %s to %s deferred: %s", row.message_id, row.recipient, error)
            changes.append(change)
        with self.db.transaction() as session:
            session.execute(update(Outbox), changes)


class DispatchThread(threading.Thread):
    """In-process sending for one machine: woken by new rows, and every few seconds for retries.

    While intake works through a backlog it holds back (one pass per ``max_hold`` seconds at
    most), so that recording what arrived comes first; it catches up once the backlog is gone.
    """

    def __init__(self, dispatcher: Dispatcher, interval: float = 5.0, max_hold: float = 10.0):
        super().__init__(name="dispatcher", daemon=True)
        self.dispatcher = dispatcher
        self.interval = interval
        self.max_hold = max_hold
        self.wake = threading.Event()
        self.wake.set()  # a first pass at once: mail left unsent before a restart goes out now
        self.stopping = threading.Event()
        self.caught_up = threading.Event()  # cleared while intake has a backlog
        self.caught_up.set()
        self.last_pass = 0.0

    def notify(self, _ids: list[int]) -> None:
        self.wake.set()

    def intake_backlog(self, busy: bool) -> None:
        """Intake says whether more items are waiting to be recorded."""
        if busy:
            self.caught_up.clear()
        elif not self.caught_up.is_set():
            self.caught_up.set()
            self.wake.set()  # what was held back goes out now

    def _held(self) -> bool:
        overdue = time.monotonic() - self.last_pass >= self.max_hold
        return not (self.caught_up.is_set() or overdue or self.stopping.is_set())

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(self.interval)
            while self._held():
                self.caught_up.wait(self.max_hold / 10)
            self.wake.clear()
            self.last_pass = time.monotonic()
            try:
                while (
                    self.dispatcher.send_due()
                    and not self.stopping.is_set()
                    and self.caught_up.is_set()
                ):
                    pass
            except Exception:  # noqa: BLE001 - keep sending after a database hiccup
                log.exception("dispatcher pass failed")

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.join(timeout=60)
