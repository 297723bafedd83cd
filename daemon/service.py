"""The long-running service: intake loop, pipeline, and getting the mail out."""

from __future__ import annotations

import gc
import logging
import signal
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import sdnotify
from sqlalchemy.exc import SQLAlchemyError

from daemon.clock import utcnow
from daemon.config import Settings
from daemon.intake.background import BackgroundSource
from daemon.intake.base import Incoming, Source, SourceUnavailable, StopRequest
from daemon.intake.imap import ImapSource
from daemon.intake.maildir import MaildirSource
from daemon.intake.readahead import ReadAhead
from daemon.mail import outbox
from daemon.mail.dispatch import Dispatcher, DispatchThread
from daemon.mail.reading import Reading
from daemon.pipeline import Pipeline
from daemon.sla.scheduler import Scheduler, every_minute
from daemon.store.db import Database

if TYPE_CHECKING:
    from daemon.intake.feeds import FeedPoller

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0
"""How often unsent outbox rows are handed to Redis again (Redis may have lost them)."""


class Backoff:
    """Waits that double after each failure, up to a cap, and start over after a success."""

    def __init__(self, first: float = 1.0, cap: float = 60.0) -> None:
        self.first, self.cap, self.current = first, cap, first

    def next(self) -> float:
        delay, self.current = self.current, min(self.current * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.current = self.first


def make_source(settings: Settings) -> Source:
    limit = settings.storage.max_message_bytes
    if settings.imap is not None:
        return ImapSource(settings.imap, limit)
    return MaildirSource(settings.maildir.path, limit, settings.maildir.poll_seconds)


class Service:
    """Owns the loop, the signals and the error policy; each item is handled by the pipeline."""

    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.database.url, background_checkpoints=True)
        self.stop = StopRequest()
        self.notifier = sdnotify.SystemdNotifier()
        self.mail_queue = None
        self.dispatch_thread: DispatchThread | None = None
        self.last_sweep = 0.0

    @property
    def stopping(self) -> bool:
        return self.stop.is_set()

    def _on_signal(self, signum: int, _frame: object) -> None:
        """The first signal ends any wait at once and lets the batch in hand finish; a
        second one stops now."""
        if self.stopping:
            raise SystemExit(1)
        log.info("signal %s: finishing the item in hand, then stopping", signum)
        self.stop.set()

    def start_sending(self, once: bool = False) -> Pipeline:
        """The pipeline, with this process sending its mail unless rq workers do. A long-running
        sender sends at once what waited for its retry time (``run --once`` keeps to it)."""
        if self.settings.queue.redis_url:
            from daemon.mail.queue import MailQueue

            self.mail_queue = MailQueue(
                self.settings.queue.redis_url, self.settings.queue.queue_name
            )
            return Pipeline(self.settings, self.db, on_outbox=self._enqueue)
        with self.db.transaction() as session:
            outbox.release_claims(session)
            if not once:
                outbox.retry_now(session)
        self.dispatch_thread = DispatchThread(Dispatcher(self.settings, self.db))
        self.dispatch_thread.start()
        return Pipeline(self.settings, self.db, on_outbox=self.dispatch_thread.notify)

    def _enqueue(self, ids: list[int]) -> None:
        from redis.exceptions import RedisError

        try:
            self.mail_queue.enqueue(ids)
        except RedisError as exc:
            log.warning("cannot enqueue mail %s (will retry from the database): %s", ids, exc)

    def _sweep(self) -> None:
        if self.mail_queue is None or time.monotonic() - self.last_sweep < SWEEP_SECONDS:
            return
        self.last_sweep = time.monotonic()
        self.requeue_unsent()

    def requeue_unsent(self) -> list[int]:
        """Hand Redis again the rows due and unsent for SWEEP_SECONDS (it may have lost them; a
        younger row may still be in a worker's hands); returns their ids."""
        with self.db.transaction() as session:
            ids = outbox.due_ids(
                session, 1000, older_than=utcnow() - timedelta(seconds=SWEEP_SECONDS)
            )
        if ids:
            self._enqueue(ids)
        return ids

    def run(self, once: bool = False) -> int:
        """Process items until SIGTERM (or, with ``once``, until the source is empty).

        Returns the exit status: 1 when ``once`` could not reach the source.
        """
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        ahead = ReadAhead(self.settings)
        ahead.start()
        self.db.migrate(in_child=True)
        self.db.start_checkpoints()
        pipeline = self.start_sending(once)
        scheduler = Scheduler(self.settings, self.db)
        tick = every_minute(scheduler, pipeline.on_outbox)
        source = BackgroundSource(make_source(self.settings))
        feeds = self._feed_pollers()
        gc.freeze()  # what start-up built lives for good: later collections skip it
        self.notifier.notify("READY=1")
        backoff = Backoff()
        try:
            while not self.stopping:
                self.notifier.notify("WATCHDOG=1")
                self._sweep()
                self._poll_feeds(pipeline, feeds)
                try:
                    tick()  # deadlines: a pass a minute
                    busy = self._step(pipeline, source, ahead)
                    backoff.reset()
                    if not busy:
                        if once:
                            pipeline.on_outbox(scheduler.run_pass())
                            break
                        source.wait(5.0, self.stop)
                except SourceUnavailable as exc:
                    ahead.collect()  # the unfinished batch stays in the source for later
                    if once:
                        log.error("%s", exc)
                        return 1
                    delay = backoff.next()
                    log.warning("%s; retrying in %.0f s", exc, delay)
                    self._sleep(delay)
                except SQLAlchemyError as exc:
                    delay = backoff.next()
                    log.error(
                        "database error, batch left in the source: %s; retry in %.0f s", exc, delay
                    )
                    self._sleep(delay)
        finally:
            self.notifier.notify("STOPPING=1")
            ahead.close()
            source.close()
            for feed in feeds:
                feed.close()
            if self.dispatch_thread is not None:
                self.dispatch_thread.stop()
                if once:
                    Dispatcher(self.settings, self.db).send_all_due()
            self.db.stop_checkpoints()
            self.stop.close()
        return 0

    def _step(self, pipeline: Pipeline, source: BackgroundSource, ahead: ReadAhead) -> bool:
        """Take the next batch, then record the one taken before while the helper parses the
        next and the source fetches the one after; False when there was nothing to do, which
        is when to wait for news.

        The batches in hand and ahead are left out of fetches until they are finished.
        """
        in_hand = ahead.pending
        batch = source.fetch(_handles(in_hand))
        if self.dispatch_thread is not None:
            self.dispatch_thread.intake_backlog(bool(batch))
        readings = ahead.collect() if in_hand is not None else []
        if batch:
            ahead.submit(batch)
        if in_hand:
            if batch:
                source.prefetch(_handles(in_hand) | _handles(batch))
            source.finish(self._handle(pipeline, source.name, in_hand, readings))
        return bool(batch or in_hand)

    def _feed_pollers(self) -> list[FeedPoller]:
        """Only a desk with feeds loads the HTTP client."""
        if not self.settings.feeds:
            return []
        from daemon.intake.feeds import make_pollers

        return make_pollers(self.settings, self.db)

    def _poll_feeds(self, pipeline: Pipeline, feeds: list[FeedPoller]) -> None:
        """External form feeds that are due, between intake batches (each poll is bounded)."""
        for feed in feeds:
            if self.stopping:
                return
            if feed.due():
                feed.poll(pipeline)
                self.notifier.notify("WATCHDOG=1")

    def _handle(
        self,
        pipeline: Pipeline,
        source: str,
        batch: list[Incoming],
        readings: list[Reading | None],
    ) -> list[tuple[Incoming, bool]]:
        """The batch in one transaction; a stop request leaves the rest for the next start."""
        if self.stopping:
            return []
        results = pipeline.receive_batch(source, batch, readings)
        gc.collect()  # the batch's ORM objects hold each other in cycles; free them now
        return [
            (incoming, result.outcome == "quarantined")
            for incoming, result in zip(batch, results, strict=True)
        ]

    def _sleep(self, seconds: float) -> None:
        self.stop.wait(seconds)


def _handles(batch: list[Incoming] | None) -> set[object]:
    return {incoming.handle for incoming in batch or []}
