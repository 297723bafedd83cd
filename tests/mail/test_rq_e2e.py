"""End to end with Redis: ``complaintd run`` enqueues mail jobs, ``complaintd worker``s send them.

Dovecot in, aiosmtpd out, Redis and rq in between; both the service and the workers run as real
processes from the CLI, on SQLite (one machine) and on PostgreSQL with two workers (several).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

from daemon.config import Settings
from tests.e2e import (
    assert_acknowledged,
    complaint,
    imap_section,
    message_id,
    outbox_rows,
    running,
    smtp_section,
    tickets,
    wait_until,
    write_config,
)
from tests.servers import DovecotServer, RedisServer, SmtpSink

pytestmark = [pytest.mark.imap, pytest.mark.redis]

QUEUE = "complaintd-mail-test"


def _assert_queue_drained(redis_url: str) -> None:
    connection = Redis.from_url(redis_url)
    queue = Queue(QUEUE, connection=connection)
    assert queue.count == 0
    assert FailedJobRegistry(queue=queue).count == 0


def test_mail_is_sent_by_an_rq_worker(
    dovecot: DovecotServer,
    redis_server: RedisServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        queue={"redis_url": redis_server.url, "queue_name": QUEUE},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    sent = {
        "wang@owner.example": complaint("王先生 <wang@owner.example>", "zh"),
        "ana@owner.example": complaint("Ana <ana@owner.example>", "es"),
        "john@owner.example": complaint("John <john@owner.example>", "en"),
    }
    for message in sent.values():
        dovecot.append(message.as_bytes())

    with running(config) as service:
        wait_until(lambda: len(tickets(settings)) == 3, 20, "3 tickets", service)
        # No worker yet: the acknowledgements wait as jobs in Redis, not in the service.
        time.sleep(0.3)
        assert smtp_sink.messages == []
        assert Queue(QUEUE, connection=Redis.from_url(redis_server.url)).count >= 1
        assert {r.status for r in outbox_rows(settings)} == {"pending"}

        with running(config, "worker", name="worker") as worker:
            received = smtp_sink.wait_for(3, timeout=20)
            wait_until(
                lambda: {r.status for r in outbox_rows(settings)} == {"sent"},
                10,
                "every outbox row marked sent",
                worker,
            )
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)

    found = tickets(settings)
    assert {t.owner_email: t.language for t in found} == {
        "wang@owner.example": "zh",
        "ana@owner.example": "es",
        "john@owner.example": "en",
    }
    for ticket in found:
        assert_acknowledged(ticket, received, message_id(sent[ticket.owner_email]))
    assert len(smtp_sink.messages) == 3
    assert len({message_id(r.message) for r in received}) == 3
    assert dovecot.count("Processed") == 3
    _assert_queue_drained(redis_server.url)


def test_two_workers_on_postgresql_send_every_acknowledgement_once(
    dovecot: DovecotServer,
    redis_server: RedisServer,
    smtp_sink: SmtpSink,
    pg_db_url: str,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(
        database={"url": pg_db_url},
        imap=imap_section(dovecot, batch_size=5),
        smtp=smtp_section(smtp_sink),
        queue={"redis_url": redis_server.url, "queue_name": QUEUE},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    languages = ["zh", "es", "en"]
    sent = {}
    for i in range(12):
        owner = f"owner{i}@owner.example"
        sent[owner] = complaint(f"Owner {i} <{owner}>", languages[i % 3])
        dovecot.append(sent[owner].as_bytes())

    with (
        running(config, "worker", name="worker-1"),
        running(config, "worker", name="worker-2"),
        running(config) as service,
    ):
        received = smtp_sink.wait_for(12, timeout=30)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)
        wait_until(
            lambda: {r.status for r in outbox_rows(settings)} == {"sent"},
            10,
            "every outbox row marked sent",
            service,
        )

    found = tickets(settings)
    assert len(found) == 12
    assert len({t.number for t in found}) == 12
    for ticket in found:
        assert ticket.language == languages[int(ticket.owner_email[5:-14]) % 3]
        assert_acknowledged(ticket, received, message_id(sent[ticket.owner_email]))
    assert len(smtp_sink.messages) == 12
    assert dovecot.count("Processed") == 12
    _assert_queue_drained(redis_server.url)
