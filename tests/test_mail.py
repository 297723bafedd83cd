"""Composed mail: the header shortcut writes what compat32 would, bodies and parts stay valid."""

from __future__ import annotations

import email
import random
from email import policy
from email.errors import HeaderParseError
from email.header import Header
from email.policy import compat32

import pytest

from daemon.config import Settings
from daemon.mail import _SMTP_COMPAT, _subject, compose

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
