"""A refused SMTP login loses no mail: the mail stays queued while the password is wrong (or
missing), the log says the login was refused, and once the admin fixes the password the same
mail arrives exactly once. Real aiosmtpd server with TLS and AUTH, real SQLite, real Redis and
``complaintd`` processes, as an admin would see it."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Worker

from daemon.mail.dispatch import Dispatcher
from daemon.mail.queue import MailQueue
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.conftest import SMTP_LOGIN
from tests.e2e import (
    clean_env,
    cli,
    complaintd_argv,
    outbox_rows,
    running,
    wait_until,
    write_config,
)
from tests.mails import complaint
from tests.servers import SmtpSink, free_port

OWNER = "lin@owner.example"
NEIGHBOUR = "chen@owner.example"
QUEUE = "complaintd-mail-login"
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS"  # the implicit-TLS sink: TLS from the start
)
PROBLEMS = {
    "wrong password": {"password": "Wrong-Pass-93f1"},  # 535 to AUTH
    "no login": {"user": None, "password": None},  # 530 to MAIL FROM
}


def _smtp(sink: SmtpSink, **extra: object) -> dict:
    user, password = SMTP_LOGIN
    section = {"host": sink.host, "port": sink.port, "security": sink.security}
    return section | {"user": user, "password": password, "ca_file": str(sink.ca_file)} | extra


def _complaint_file(tmp_path: Path) -> Path:
    path = tmp_path / "complaint.eml"
    path.write_bytes(complaint("The lift of block 2 has been stuck for three days.", sender=OWNER))
    return path


def _assert_queued_not_sent(settings, sink: SmtpSink, log: str, problem: str) -> None:
    """Nothing went out, nothing is failed, and the log names the refused login (no secret)."""
    rows = outbox_rows(settings)
    assert rows and {row.status for row in rows} == {"pending"}, [
        (row.status, row.last_error) for row in rows
    ]
    code = "535" if problem == "wrong password" else "530"
    assert all("login refused" in row.last_error and code in row.last_error for row in rows)
    assert sink.messages == []
    assert "SMTP login to" in log and "refused" in log, log
    assert PROBLEMS["wrong password"]["password"] not in log
    assert SMTP_LOGIN[1] not in log


def _assert_each_sent_once(settings, sink: SmtpSink) -> None:
    rows = outbox_rows(settings)
    assert {row.status for row in rows} == {"sent"}, [(r.status, r.last_error) for r in rows]
    received = sorted(str(m.message["Message-ID"]).strip("<>") for m in sink.messages)
    assert received == sorted(row.message_id for row in rows)
    acks = [m for m in sink.messages if m.rcpt_tos == [OWNER]]
    assert len(acks) == 1 and acks[0].login == SMTP_LOGIN[0]


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_mail_waits_out_a_refused_login_and_goes_once_it_is_fixed(
    make_settings, smtp_tls_sink, tmp_path, problem
):
    """``ingest`` sends at once (the in-process dispatcher); ``run --once`` after the retry time
    sends what waits."""
    config = tmp_path / "complaintd.toml"
    write_config(config, make_settings(smtp=_smtp(smtp_tls_sink, **PROBLEMS[problem])))
    done = cli(config, "ingest", str(_complaint_file(tmp_path)), "--json")
    assert json.loads(done.stdout)["outcome"] == "ticket_created"
    settings = make_settings(smtp=_smtp(smtp_tls_sink))
    _assert_queued_not_sent(settings, smtp_tls_sink, done.stderr, problem)

    write_config(config, settings)  # the admin fixes the password
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    cli(config, "--now", later, "run", "--once")
    _assert_each_sent_once(settings, smtp_tls_sink)
    cli(config, "--now", (datetime.now(UTC) + timedelta(days=2)).isoformat(), "run", "--once")
    _assert_each_sent_once(settings, smtp_tls_sink)


def _burst(config: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        complaintd_argv(config, "worker", "--burst"),
        cwd=config.parent,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.redis
@pytest.mark.parametrize("smtp_tls_sink", ["starttls"], indirect=True)
def test_rq_workers_keep_mail_through_a_refused_login(
    make_settings, smtp_tls_sink, redis_server, tmp_path
):
    """The same through Redis: a worker with the wrong password leaves the mail queued; handed
    to a worker again (as the service's sweep does) once the password is right, it goes once."""
    queue = {"redis_url": redis_server.url, "queue_name": QUEUE}
    config = tmp_path / "complaintd.toml"
    wrong = _smtp(smtp_tls_sink, **PROBLEMS["wrong password"])
    write_config(config, make_settings(smtp=wrong, queue=queue))
    cli(config, "ingest", str(_complaint_file(tmp_path)))
    settings = make_settings(smtp=_smtp(smtp_tls_sink), queue=queue)
    _assert_queued_not_sent(settings, smtp_tls_sink, _burst(config).stderr, "wrong password")

    write_config(config, settings)
    MailQueue(redis_server.url, QUEUE).enqueue([row.id for row in outbox_rows(settings)])
    _burst(config)
    _assert_each_sent_once(settings, smtp_tls_sink)


@pytest.mark.parametrize("smtp_tls_sink", ["tls"], indirect=True)
@pytest.mark.parametrize("problem", ["wrong password", "unreachable"])
def test_a_server_problem_outlasts_max_attempts(make_settings, smtp_tls_sink, problem):
    """``max_attempts`` counts tries a mail itself was refused; a refused login or a server that
    is not there fails no mail however often it is tried."""
    if problem == "unreachable":
        smtp = {"host": "127.0.0.1", "port": free_port(), "security": "none"}
    else:
        smtp = _smtp(smtp_tls_sink, **PROBLEMS["wrong password"])
    settings = make_settings(smtp=smtp, outbox={"max_attempts": 2})
    db = Database(settings.database.url)
    db.migrate()
    try:
        result = Pipeline(settings, db).receive(
            "test", "1", complaint("No hot water.", sender=OWNER)
        )
        dispatcher = Dispatcher(settings, db)
        for _ in range(4):
            assert dispatcher.send(result.outbox_ids) == 0
        [row] = outbox_rows(settings)
        assert (row.status, row.attempts) == ("pending", 4), row.last_error
        assert smtp_tls_sink.messages == []
    finally:
        db.dispose()


LONG_BACKOFF = {"retry_base_seconds": 3600}
"""A first retry an hour away: what a mail that has waited a while for the server is facing."""

ARRIVES_WITHIN = 10.0
"""Seconds from starting the process (Python, imports, database) until the waiting mail is in."""


def _assert_waits_an_hour(settings, sink: SmtpSink) -> None:
    rows = outbox_rows(settings)
    assert rows and sink.messages == []
    soonest = min(row.next_attempt_at for row in rows)
    assert soonest > datetime.now(UTC) + timedelta(minutes=50), soonest
    assert {row.status for row in rows} == {"pending"}


@pytest.mark.parametrize("smtp_tls_sink", ["tls"], indirect=True)
@pytest.mark.parametrize("problem", ["wrong password", "unreachable"])
def test_restarting_the_service_sends_the_waiting_mail_at_once(
    make_settings, smtp_tls_sink, tmp_path, problem
):
    """The admin fixes ``[smtp]`` and restarts ``complaintd run``: the mail that waited goes out
    within seconds, not at its retry time an hour away, and once."""
    if problem == "unreachable":
        broken = {"host": "127.0.0.1", "port": free_port(), "security": "none"}
    else:
        broken = _smtp(smtp_tls_sink, **PROBLEMS[problem])
    config = tmp_path / "complaintd.toml"
    write_config(config, make_settings(smtp=broken, outbox=LONG_BACKOFF))
    cli(config, "ingest", str(_complaint_file(tmp_path)))
    settings = make_settings(smtp=_smtp(smtp_tls_sink), outbox=LONG_BACKOFF)
    _assert_waits_an_hour(settings, smtp_tls_sink)

    write_config(config, settings)  # the admin fixes [smtp] and restarts the service
    cli(config, "run", "--once")  # a one-off run keeps to the back-off
    _assert_waits_an_hour(settings, smtp_tls_sink)
    with running(config) as service:
        smtp_tls_sink.wait_for(len(outbox_rows(settings)), timeout=ARRIVES_WITHIN)
        wait_until(lambda: _all_sent(settings), 10, "the outbox rows marked sent", service)
    _assert_each_sent_once(settings, smtp_tls_sink)

    with running(config, name="again") as service:  # a later start sends nothing again
        _deliver(settings, complaint("The gate of block 5 does not close.", sender=NEIGHBOUR))
        smtp_tls_sink.wait_for(len(smtp_tls_sink.messages) + 1, timeout=ARRIVES_WITHIN)
        wait_until(lambda: _all_sent(settings), 10, "the new ack marked sent", service)
    _assert_each_sent_once(settings, smtp_tls_sink)
    assert [m.rcpt_tos for m in smtp_tls_sink.messages].count([NEIGHBOUR]) == 1


@pytest.mark.redis
@pytest.mark.parametrize("smtp_tls_sink", ["starttls"], indirect=True)
def test_restarted_rq_workers_send_the_waiting_mail_at_once(
    make_settings, smtp_tls_sink, redis_server, tmp_path
):
    """The same with rq: workers restarted with the right password (two at once, as on two
    machines) send the mail that waited within seconds and once; nothing else hands it over."""
    queue = {"redis_url": redis_server.url, "queue_name": QUEUE}
    config = tmp_path / "complaintd.toml"
    wrong = _smtp(smtp_tls_sink, **PROBLEMS["wrong password"])
    write_config(config, make_settings(smtp=wrong, queue=queue, outbox=LONG_BACKOFF))
    cli(config, "ingest", str(_complaint_file(tmp_path)))
    _burst(config)
    settings = make_settings(smtp=_smtp(smtp_tls_sink), queue=queue, outbox=LONG_BACKOFF)
    _assert_waits_an_hour(settings, smtp_tls_sink)

    write_config(config, settings)
    _burst(config)  # a burst works what is queued: the waiting mail is not
    _assert_waits_an_hour(settings, smtp_tls_sink)
    with (
        running(config, "worker", name="worker-1") as first,
        running(config, "worker", name="worker-2"),
    ):
        smtp_tls_sink.wait_for(len(outbox_rows(settings)), timeout=ARRIVES_WITHIN)
        wait_until(lambda: _all_sent(settings), 10, "the outbox rows marked sent", first)
        redis = MailQueue(redis_server.url, QUEUE).redis
        wait_until(lambda: len(Worker.all(connection=redis)) == 2, 20, "both workers up", first)
    _assert_each_sent_once(settings, smtp_tls_sink)


def _all_sent(settings) -> bool:
    rows = outbox_rows(settings)
    return bool(rows) and all(row.status == "sent" for row in rows)


def _deliver(settings, raw: bytes) -> None:
    """Put a mail into the service's Maildir as a mail server would (tmp/, then new/)."""
    inbox = Path(settings.maildir.path)
    for folder in ("tmp", "new", "cur"):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.test"
    (inbox / "tmp" / name).write_bytes(raw)
    (inbox / "tmp" / name).rename(inbox / "new" / name)
