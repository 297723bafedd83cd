"""``[smtp] security = "tls"`` and ``"starttls"`` against a real TLS server (aiosmtpd with a
self-signed certificate, AUTH required): mail goes out encrypted and authenticated, and a
server whose certificate we do not trust gets nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from daemon.mail.dispatch import Dispatcher
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox
from tests.conftest import SMTP_LOGIN
from tests.mails import complaint
from tests.servers import SmtpSink

OWNER = "wang@owner.example"
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS"  # the implicit-TLS sink: TLS from the start
)


def _acknowledge(settings) -> tuple[Database, list[int]]:
    """One complaint recorded; the ids of the mail it queued (not sent yet)."""
    db = Database(settings.database.url)
    db.migrate()
    raw = complaint("The lift of block 3 has been broken for a week.", sender=OWNER)
    result = Pipeline(settings, db).receive("test", "1", raw)
    assert result.outcome == "ticket_created" and result.outbox_ids
    return db, result.outbox_ids


def _smtp(sink: SmtpSink, **extra: object) -> dict:
    user, password = SMTP_LOGIN
    section = {"host": sink.host, "port": sink.port, "security": sink.security}
    return section | {"user": user, "password": password, "ca_file": str(sink.ca_file)} | extra


def test_mail_goes_out_encrypted_and_authenticated(make_settings, smtp_tls_sink):
    settings = make_settings(smtp=_smtp(smtp_tls_sink))
    db, ids = _acknowledge(settings)
    try:
        Dispatcher(settings, db).send(ids)
        [received] = smtp_tls_sink.wait_for(1)
        assert received.rcpt_tos == [OWNER]
        assert received.tls and received.login == SMTP_LOGIN[0]
        with db.transaction() as session:
            assert set(session.scalars(select(Outbox.status))) == {"sent"}
    finally:
        db.dispose()


@pytest.mark.parametrize("problem", ["untrusted certificate", "wrong password"])
def test_an_untrusted_server_or_a_refused_login_sends_nothing(
    make_settings, smtp_tls_sink, problem
):
    """Without our CA the self-signed certificate is refused (system CAs only: the mail waits
    for a retry); a wrong password is refused by the server. Nothing is sent either way."""
    extra = {"ca_file": None} if problem == "untrusted certificate" else {"password": "wrong"}
    settings = make_settings(smtp=_smtp(smtp_tls_sink, **extra))
    db, ids = _acknowledge(settings)
    try:
        Dispatcher(settings, db).send(ids)
        with db.transaction() as session:
            [row] = session.scalars(select(Outbox))
        if problem == "untrusted certificate":
            assert (row.status, row.attempts) == ("pending", 1), row.last_error
            assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
        else:
            assert row.status != "sent" and "535" in row.last_error
        assert smtp_tls_sink.messages == []
    finally:
        db.dispose()
