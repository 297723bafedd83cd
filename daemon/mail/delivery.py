"""Send rows a one-off command queued (ingest, quarantine retry): through rq when Redis is
configured, else here and now. Apart from dispatch so that dispatch and queue don't import each
other."""

from __future__ import annotations

from daemon.config import Settings
from daemon.mail.dispatch import Dispatcher
from daemon.store.db import Database


def deliver(settings: Settings, db: Database, ids: list[int]) -> None:
    """Send these rows now (one-off commands): through rq when Redis is configured, else here."""
    if settings.queue.redis_url:
        from daemon.mail.queue import MailQueue  # rq and redis only when used

        MailQueue(settings.queue.redis_url, settings.queue.queue_name).enqueue(ids)
    else:
        Dispatcher(settings, db).send(ids)
