"""Mail jobs on Redis for several machines: rq carries row ids only, the rows stay in SQL."""

from __future__ import annotations

import logging
import os
import signal
from functools import cache
from pathlib import Path

from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.exc import SQLAlchemyError

from daemon import config
from daemon.mail import outbox
from daemon.mail.dispatch import Dispatcher
from daemon.store.db import Database

log = logging.getLogger(__name__)


JOB_SIZE = 200
"""Rows per job at most: each job is sent well within the claim it takes on its rows (a job of
the sweep's 1000 rows could outlast it, and another worker could send the rest again)."""


class MailQueue:
    """Enqueues outbox row ids; losing Redis loses nothing because unsent rows are re-enqueued."""

    def __init__(self, redis_url: str, name: str) -> None:
        self.redis = Redis.from_url(redis_url)
        self.queue = Queue(name, connection=self.redis)

    def enqueue(self, ids: list[int]) -> None:
        """Hand the rows to the workers, in jobs of at most JOB_SIZE rows."""
        ids = list(ids)
        for start in range(0, len(ids), JOB_SIZE):
            self.queue.enqueue(
                send_job, ids[start : start + JOB_SIZE], job_timeout=600, result_ttl=0
            )

    def enqueue_waiting(self, db: Database) -> list[int]:
        """Make the mail waiting for a retry due now and hand it to the workers, in jobs of
        JOB_SIZE rows: at a worker's start, when the admin may just have fixed ``[smtp]``."""
        with db.transaction() as session:
            ids = outbox.retry_now(session)
        self.enqueue(ids)
        return ids


@cache
def _dispatcher(config_path: str | None) -> Dispatcher:
    settings = config.load(Path(config_path) if config_path else None)
    return Dispatcher(settings, Database(settings.database.url))


def send_job(ids: list[int]) -> int:
    """The rq job: send these outbox rows (already-sent or claimed ones are skipped)."""
    return _dispatcher(os.environ.get(config.CONFIG_ENV)).send(ids)


COMMAND_POLL_SECONDS = 1.0
"""How long rq's command listener waits for a message before it looks whether to stop."""


class MailWorker(SimpleWorker):
    """A non-forking rq worker (mail jobs are short, and a fork per job costs ~21 ms here) that
    stops within seconds of SIGTERM, whenever it comes.

    rq listens for its commands (shutdown, stop-job) on a thread that waits 60 s for each message,
    and redis-py 8 waits for that thread without a time-out when the worker stops: a stop took up
    to a minute, past systemd's TimeoutStopSec. The listener here wakes every second and is
    stopped with a bounded wait. rq installs its signal handlers only after start-up; a SIGTERM
    during start-up is noted here and honoured by rq's loop before its first wait."""

    def bootstrap(self, *args: object, **kwargs: object) -> None:
        signal.signal(signal.SIGTERM, self._stop_after_start)  # until rq installs its own
        super().bootstrap(*args, **kwargs)

    def _stop_after_start(self, signum: int, frame: object) -> None:
        self._stop_requested = True

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def unsubscribe(self) -> None:
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=2 * COMMAND_POLL_SECONDS)
            self.pubsub.close()
            self.pubsub_thread = None


def run_worker(settings: config.Settings, burst: bool = False) -> None:
    """Work the mail queue until SIGTERM (the job in hand is finished first) or, with ``burst``,
    until it is empty. A long-running worker first hands over the mail waiting for a retry."""
    mail_queue = MailQueue(settings.queue.redis_url, settings.queue.queue_name)
    if not burst:
        db = Database(settings.database.url)
        try:
            mail_queue.enqueue_waiting(db)
        except SQLAlchemyError as exc:  # the jobs will meet the database as it is anyway
            log.warning("cannot hand over the mail waiting for a retry: %s", exc)
        finally:
            db.dispose()
    worker = MailWorker([mail_queue.queue], connection=mail_queue.redis)
    worker.work(burst=burst, with_scheduler=False)
