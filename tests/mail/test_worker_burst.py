"""``complaintd worker --burst`` sends what the mail queue holds and exits by itself (a cron job or
a drill), on a real Redis with an aiosmtpd server as the mail server."""

from __future__ import annotations

import subprocess

import pytest
from redis import Redis
from rq import Queue

from daemon.mail.queue import JOB_SIZE, MailQueue
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.e2e import clean_env, complaintd_argv, outbox_rows, smtp_section, write_config
from tests.mails import complaint

pytestmark = pytest.mark.redis

QUEUE = "complaintd-mail-burst"


def test_worker_burst_sends_the_queue_and_exits(make_settings, redis_server, smtp_sink, tmp_path):
    settings = make_settings(
        smtp=smtp_section(smtp_sink), queue={"redis_url": redis_server.url, "queue_name": QUEUE}
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    db = Database(settings.database.url)
    db.migrate()
    pipeline = Pipeline(settings, db, on_outbox=MailQueue(redis_server.url, QUEUE).enqueue)
    owners = [f"owner{i}@owner.example" for i in range(3)]
    for i, owner in enumerate(owners):
        raw = complaint(f"Complaint {i}: the entrance door of block 3 is broken.", sender=owner)
        assert pipeline.receive("test", str(i), raw).outcome == "ticket_created"
    db.dispose()
    queue = Queue(QUEUE, connection=Redis.from_url(redis_server.url))
    assert queue.count == 3 and smtp_sink.messages == []

    done = subprocess.run(
        complaintd_argv(config, "worker", "--burst"),
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == owners
    assert {row.status for row in outbox_rows(settings)} == {"sent"}
    assert queue.count == 0


def test_many_rows_are_handed_over_in_jobs_each_sent_within_its_claim(redis_server):
    name = "complaintd-mail-jobs"
    ids = list(range(1, 1001))  # what the 30 s sweep may hand over at once
    MailQueue(redis_server.url, name).enqueue(ids)
    jobs = Queue(name, connection=Redis.from_url(redis_server.url)).get_jobs()
    assert all(len(job.args[0]) <= JOB_SIZE for job in jobs)
    assert [i for job in jobs for i in job.args[0]] == ids
