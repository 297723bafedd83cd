"""Composed mail: the header shortcut writes what compat32 would, bodies and parts stay valid."""

from __future__ import annotations

import email
import json
import random
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.header import Header
from email.policy import compat32

import pytest

from daemon.config import Settings
from daemon.mail import compose as mail
from daemon.mail import outbox
from daemon.mail.compose import _SMTP_COMPAT, _subject, compose
from daemon.store.db import Database
from daemon.store.models import Outbox
from tests.paths import TESTS

COMPAT32_CRLF = compat32.clone(linesep="\r\n", max_line_length=78)
PIECES = ["a", "Zz", " ", "  ", "\t", "=?utf-8?q?x?=", ";", ",", "é", "水", "\x7f", "~", "!"]


@pytest.fixture
def settings():
    return Settings.model_validate(
        {"desk": {"address": "complaints@desk.example", "name": "物业客服中心"}}
    )


def test_header_shortcut_folds_exactly_like_compat32():
    rng = random.Random(7)
    values = ["", " a", "a ", "x" * 69, "x" * 70, "a " * 34 + "b", "a\r\nBcc: x@y"]
    values += ["".join(rng.choice(PIECES + ["x" * 30]) for _ in range(rng.randrange(12)))]
    values += ["".join(rng.choice(PIECES) for _ in range(rng.randrange(30))) for _ in range(3000)]
    for value in values:
        for name in ("Subject", "X-Complaintd-Ticket"):
            assert _folded(_SMTP_COMPAT, name, value) == _folded(COMPAT32_CRLF, name, value)


def _folded(fold_policy: policy.Policy, name: str, value: str) -> tuple[object, object]:
    """Both foldings of a header, or the error compat32 refuses it with."""
    try:
        return fold_policy.fold(name, value), fold_policy.fold_binary(name, value)
    except HeaderParseError as exc:
        return type(exc), str(exc)


def test_multipart_mail_is_crlf_and_parses_back(settings):
    text = "尊敬的业主：\n--===============1==\n" * 20
    html = "<p>Dear owner</p>\n--===============1==\n" * 20
    mail = compose(
        settings,
        to="owner@example.com",
        to_name="王芳",
        subject="[C20261123-0001] 我们已收到您的来信",
        text=text,
        html=html,
        ticket_number="C20261123-0001",
        in_reply_to="abc@owner.example",
    )
    assert b"\n" not in mail.raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in mail.raw.split(b"\r\n"))
    parsed = email.message_from_bytes(mail.raw, policy=policy.default)
    assert parsed["Subject"] == "[C20261123-0001] 我们已收到您的来信"
    assert parsed["To"].addresses[0].display_name == "王芳"
    assert parsed.get_body(("plain",)).get_content() == text
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    assert parsed["Message-ID"] == f"<{mail.message_id}>"


def test_no_header_injection_through_any_value(settings):
    mail = compose(
        settings,
        to="owner@example.com",
        to_name="Eve\r\nBcc: victim@example.com",
        subject="Hi\r\nBcc: victim@example.com",
        text="plain",
        ticket_number="C1\nBcc: victim@example.com",
        in_reply_to="x@y>\r\nBcc: victim@example.com",
        reply_to="a@b\nBcc: victim@example.com",
    )
    headers = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in headers.split(b"\r\n"))
    assert email.message_from_bytes(mail.raw, policy=policy.default)["Bcc"] is None


@pytest.mark.parametrize("length", [0, 1, 60, 69, 70, 78, 79, 120])
def test_an_ascii_subject_is_written_as_its_us_ascii_header_was(length):
    subject = ("word " * 30)[:length].strip()
    old = COMPAT32_CRLF.fold_binary("Subject", Header(subject, "us-ascii"))
    assert _SMTP_COMPAT.fold_binary("Subject", _subject(subject)) == old


# --- drafts: the bytes made when a mail is sent are the bytes compose made before -----------

COMPOSED = TESTS / "data" / "composed"
"""Inputs of seven mails and the bytes ``compose`` made of them before mail was queued as a
draft (commit 34a9c14, with Message-ID, Date and boundary fixed): the acknowledgements in
Chinese, Spanish and English with their HTML, an assignment mail, long subjects, a non-ASCII
recipient address and names that must be encoded or quoted."""


def _recorded() -> dict:
    return json.loads((COMPOSED / "inputs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", sorted(_recorded()["cases"]))
def test_a_stored_draft_makes_the_bytes_compose_made_before(case, db_url, monkeypatch):
    recorded = _recorded()
    inputs = recorded["cases"][case]
    date = datetime.fromisoformat(recorded["date"])
    monkeypatch.setattr(mail, "make_msgid", lambda domain: f"<{inputs['message_id']}>")
    monkeypatch.setattr(mail, "utcnow", lambda: date)
    monkeypatch.setattr(mail, "_boundary", lambda: inputs["boundary"])
    settings = Settings.model_validate({"desk": recorded["desk"]})
    composed = compose(settings, **inputs["kwargs"])
    db = Database(db_url)
    db.migrate()
    with db.transaction() as session:
        row = outbox.add(session, composed, purpose="test")
        session.flush()
        row_id = row.id
    with db.transaction() as session:
        row = session.get(Outbox, row_id)
        assert row.raw is None and row.draft is not None
        assert row.created_at == date
        stored = outbox.message_bytes(row)
    db.dispose()
    expected = (COMPOSED / f"{case}.eml").read_bytes()
    purpose = b"X-Complaintd-Purpose: test\r\n"  # added to every mail since these were made
    assert stored.count(purpose) == 1 and stored.split(b"\r\n\r\n")[0].count(purpose) == 1
    assert stored.replace(purpose, b"") == expected
    assert composed.raw == stored
