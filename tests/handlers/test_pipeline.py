"""The pipeline on the embedded default: what owners and staff would check after each mail."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from sqlalchemy import select

from daemon.mail import outbox
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Attachment, Bounce, Event, Outbox, RawItem, Ticket
from tests.mails import complaint

NUMBER = re.compile(r"^C\d{8}-\d{4}$")


@pytest.fixture
def pipeline(make_settings):
    settings = make_settings()
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def _ack(pipeline: Pipeline, result) -> email.message.EmailMessage:
    with pipeline.db.transaction() as session:
        row = session.scalar(select(Outbox).where(Outbox.id.in_(result.outbox_ids)))
        return email.message_from_bytes(outbox.message_bytes(row), policy=policy.default)


def test_chinese_complaint_gets_number_and_chinese_ack(pipeline):
    raw = complaint(
        "你好，3栋2单元1502卫生间天花板漏水一个星期了，请尽快派人维修。",
        subject="卫生间漏水",
        name="王女士",
        sender="wang@owner.example",
        charset="gb18030",
    )
    result = pipeline.receive("test", "1", raw)
    assert result.outcome == "ticket_created"
    assert NUMBER.match(result.ticket)
    ack = _ack(pipeline, result)
    assert ack["To"].addresses[0].addr_spec == "wang@owner.example"
    assert result.ticket in ack["Subject"]
    text = ack.get_body(("plain",)).get_content()
    assert "统一编号" in text and result.ticket in text and "王女士" in text
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == f"<{result.details['message_id']}>"
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
        assert ticket.language == "zh"
        assert (ticket.category, ticket.department) == ("repair", "engineering")
        assert ticket.location == {"building": "3", "unit": "2", "room": "1502"}
        assert "漏水" in ticket.body
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.ticket_id == ticket.id))]
        assert kinds == ["received", "classified", "routed", "acknowledged", "unassigned"]


@pytest.mark.parametrize(
    ("body", "language", "phrase"),
    [
        ("Hay humedad en el techo del baño desde hace una semana. Torre 2, 5ºB.", "es", "número"),
        (
            "The lift in Block 3 has been broken since Monday and my mother cannot use the stairs.",
            "en",
            "number",
        ),
    ],
)
def test_ack_in_the_owners_language(pipeline, body, language, phrase):
    result = pipeline.receive(
        "test", language, complaint(body, charset="iso-8859-1" if language == "es" else "utf-8")
    )
    assert result.details["language"] == language
    assert phrase in _ack(pipeline, result).get_body(("plain",)).get_content()


def test_numbers_are_sequential_within_a_day(pipeline):
    numbers = [
        pipeline.receive("test", str(i), complaint(f"Broken light number {i} in the hall.")).ticket
        for i in range(3)
    ]
    seqs = [int(n.split("-")[1]) for n in numbers]
    assert seqs == [1, 2, 3]


def test_same_message_twice_is_one_ticket(pipeline):
    raw = complaint("Water leaks from the ceiling.", message_id="<same@owner.example>")
    first = pipeline.receive("imap", "1:1", raw)
    again = pipeline.receive("imap", "1:1", raw)
    other_key = pipeline.receive("imap", "2:7", raw)
    assert first.outcome == "ticket_created"
    assert again.repeated and again.outcome == "ticket_created"
    assert other_key.outcome == "duplicate" and not other_key.outbox_ids
    with pipeline.db.transaction() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1


def test_reused_message_id_with_other_content_is_not_a_duplicate(pipeline):
    one = complaint("Leak.", subject="Leak", message_id="<x@x>", sender="a@owner.example")
    two = complaint("Noise.", subject="Noise", message_id="<x@x>", sender="b@owner.example")
    assert pipeline.receive("t", "1", one).outcome == "ticket_created"
    assert pipeline.receive("t", "2", two).outcome == "ticket_created"


def test_reply_with_number_in_subject_joins_the_ticket(pipeline):
    first = pipeline.receive("t", "1", complaint("The gate is broken."))
    follow = complaint(
        "Here is a photo.",
        subject=f"Re: [{first.ticket}] gate",
        attachments=[("gate.jpg", "image/jpeg", b"\xff\xd8\xff" + b"0" * 500)],
    )
    result = pipeline.receive("t", "2", follow)
    assert result.outcome == "appended" and result.ticket == first.ticket
    assert not result.outbox_ids
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == first.ticket))
        assert [e.kind for e in ticket.events][-1] == "message"
        assert [a.filename for a in ticket.attachments] == ["gate.jpg"]


def test_reply_to_our_acknowledgement_joins_the_ticket(pipeline):
    first = pipeline.receive("t", "1", complaint("The gate is broken."))
    ack_id = _ack(pipeline, first)["Message-ID"].strip("<>")
    reply = complaint(
        "Still broken today.",
        subject="Re: something",
        headers={"In-Reply-To": f"<{ack_id}>", "References": f"<{ack_id}>"},
    )
    result = pipeline.receive("t", "2", reply)
    assert (result.outcome, result.ticket) == ("appended", first.ticket)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"List-Id": "<owners.list.example>"},
        {"Subject": "自动回复：我正在休假"},
        {"Subject": "Respuesta automática: Fuera de la oficina"},
        {"Subject": "Automatic reply: back on Monday"},
        {"Return-Path": "<>"},
    ],
)
def test_automatic_mail_is_never_answered(pipeline, headers):
    headers = dict(headers)
    subject = headers.pop("Subject", "Re: your complaint")
    result = pipeline.receive("t", "1", complaint("I am away.", subject=subject, headers=headers))
    assert result.outcome == "ignored_autoreply"
    assert not result.outbox_ids


def test_auto_submitted_no_is_a_person(pipeline):
    raw = complaint("The lift is broken again.", headers={"Auto-Submitted": "no"})
    assert pipeline.receive("t", "1", raw).outcome == "ticket_created"


def test_complaint_mentioning_vacation_is_not_an_auto_reply(pipeline):
    raw = complaint(
        "When I came back from vacation the flat was flooded.",
        subject="Out of office hours noise and a flood",
    )
    assert pipeline.receive("t", "1", raw).outcome == "ticket_created"


def test_our_own_mail_coming_back_is_ignored(pipeline):
    first = pipeline.receive("t", "1", complaint("Leak."))
    with pipeline.db.transaction() as session:
        own = outbox.message_bytes(
            session.scalar(select(Outbox).where(Outbox.id.in_(first.outbox_ids)))
        )
    assert pipeline.receive("t", "2", own).outcome == "ignored_autoreply"


def test_bounce_is_recorded_against_the_address(pipeline):
    dsn = (
        b"From: MAILER-DAEMON@mx.desk.example\r\nTo: complaints@desk.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nI could not deliver your mail.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.desk.example\r\n\r\n"
        b"Final-Recipient: rfc822; gone@owner.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B--\r\n"
    )
    result = pipeline.receive("t", "1", dsn)
    assert result.outcome == "bounce" and not result.outbox_ids
    with pipeline.db.transaction() as session:
        assert session.scalars(select(Bounce.address)).all() == ["gone@owner.example"]


def test_header_injection_in_subject_does_not_reach_our_mail(pipeline):
    raw = (
        b"From: owner@owner.example\r\nTo: complaints@desk.example\r\n"
        b"Subject: =?utf-8?b?TGVhaw0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=\r\n"
        b"Message-ID: <inj@owner.example>\r\n\r\nThere is a leak in the kitchen.\r\n"
    )
    result = pipeline.receive("t", "1", raw)
    with pipeline.db.transaction() as session:
        sent = outbox.message_bytes(
            session.scalar(select(Outbox).where(Outbox.id.in_(result.outbox_ids)))
        )
    header_lines = sent.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [line for line in header_lines if line.lower().startswith(b"bcc")]
    ack = _ack(pipeline, result)
    assert ack["Bcc"] is None
    assert "Leak Bcc: victim@evil.example" in ack["Subject"]


def test_acknowledgements_to_one_sender_are_rate_limited(pipeline):
    limit = pipeline.settings.desk.max_acks_per_sender_per_hour
    results = [
        pipeline.receive("t", str(i), complaint(f"Complaint number {i} about noise."))
        for i in range(limit + 2)
    ]
    assert all(r.outcome == "ticket_created" for r in results)
    assert sum(bool(r.outbox_ids) for r in results) == limit
    with pipeline.db.transaction() as session:
        assert session.scalar(select(Event.id).where(Event.kind == "ack_suppressed"))


def test_attachments_are_stored_once_by_hash(pipeline, make_settings):
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 100
    raw = complaint("Photo of the crack.", attachments=[("裂缝.jpg", "image/jpeg", photo)])
    result = pipeline.receive("t", "1", raw)
    with pipeline.db.transaction() as session:
        stored = session.scalar(select(Attachment))
        assert stored.filename == "裂缝.jpg" and stored.size == len(photo) and stored.stored
    assert pipeline.store.path_for(stored.sha256).read_bytes() == photo
    assert result.outcome == "ticket_created"


def test_oversize_attachment_is_recorded_but_not_kept(make_settings):
    settings = make_settings(storage={"max_attachment_bytes": 1000})
    db = Database(settings.database.url)
    db.migrate()
    raw = complaint("Video.", attachments=[("v.mp4", "video/mp4", b"0" * 5000)])
    Pipeline(settings, db).receive("t", "1", raw)
    with db.transaction() as session:
        stored = session.scalar(select(Attachment))
    assert (stored.size, stored.stored) == (5000, False)


def test_oversize_message_is_quarantined_and_owner_told_the_limit(pipeline):
    headers = complaint("x", subject="Fotos de la humedad", sender="ana@owner.example")
    head = headers.split(b"\n\n", 1)[0] + b"\n\n"
    result = pipeline.receive("maildir", "big", head, size=40 * 1024 * 1024)
    assert result.outcome == "quarantined"
    notice = _ack(pipeline, result)
    assert notice["To"].addresses[0].addr_spec == "ana@owner.example"
    assert "30.0 MB" in notice.get_body(("plain",)).get_content()
    with pipeline.db.transaction() as session:
        item = session.get(RawItem, result.raw_item_id)
        assert item.status == "quarantined" and "limit" in item.error


def test_mail_without_sender_is_quarantined_then_retried(pipeline):
    raw = b"To: complaints@desk.example\r\nSubject: leak\r\n\r\nleak in 3B\r\n"
    result = pipeline.receive("t", "1", raw)
    assert result.outcome == "quarantined" and "sender" in result.error
    with pipeline.db.transaction() as session:
        item = session.get(RawItem, result.raw_item_id)
        assert item.raw == raw
        item.raw = raw.replace(b"To:", b"From: fixed@owner.example\r\nTo:")
    assert pipeline.process(result.raw_item_id).outcome == "ticket_created"


def test_a_crashing_step_quarantines_only_that_item(pipeline, monkeypatch):
    from handlers import language

    real = language.detect

    def explode(text, *args):
        if "BOOM" in text:
            raise RuntimeError("classifier exploded")
        return real(text, *args)

    monkeypatch.setattr(language, "detect", explode)
    bad = pipeline.receive("t", "1", complaint("BOOM"))
    good = pipeline.receive("t", "2", complaint("A normal complaint about the lift."))
    assert bad.outcome == "quarantined" and "classifier exploded" in bad.error
    assert good.outcome == "ticket_created"
    with pipeline.db.transaction() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1
