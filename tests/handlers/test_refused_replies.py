"""A mail to one of our signed reply addresses that fails the check belongs to staff: it is kept
on the ticket the address names (or held in quarantine), customer service is told, nobody is
acknowledged and no ticket is made — also without the number in the subject."""

from __future__ import annotations

from sqlalchemy import func, select

from daemon.store.models import RawItem, Ticket
from tests.handlers.test_replies import CS_HEAD, HEAD, STRANGER, _leak, _mails, _ticket, desk
from tests.mails import complaint

__all__ = ["desk"]  # the fixture, shared with test_replies


def _to(desk, reply_to: str, sender: str, key: str, body: str = "#resolved all done"):
    """A mail to ``reply_to`` with a subject that names no ticket and no In-Reply-To."""
    raw = complaint(body, subject="Re: your mail", sender=sender).replace(
        b"To: complaints@desk.example", f"To: {reply_to}".encode()
    )
    return desk.receive("test", key, raw)


def _tickets(desk) -> int:
    with desk.db.transaction() as session:
        return session.scalar(select(func.count(Ticket.id)))


def _tampered(reply_to: str) -> str:
    """The same address with one letter of its signature changed."""
    local, _, domain = reply_to.partition("@")
    last = "a" if local[-1] != "a" else "b"
    return f"{local[:-1]}{last}@{domain}"


def test_a_tampered_token_is_kept_on_its_ticket_and_customer_service_told(desk):
    number, _, assignment = _leak(desk)
    before, _ = _ticket(desk, number)

    result = _to(desk, _tampered(str(assignment["Reply-To"])), HEAD, "tampered")

    assert (result.outcome, result.ticket) == ("appended", number)
    assert _tickets(desk) == 1
    mails = _mails(desk, result.outbox_ids)
    assert [(purpose, to) for purpose, to, _ in mails] == [("refused_attempt", CS_HEAD)]
    after, kinds = _ticket(desk, number)
    assert (after.status, after.pending) == (before.status, before.pending)
    assert kinds[-3:] == ["message", "command_refused", "refused_attempt"]
    assert "resolution" not in kinds


def test_a_stranger_with_a_copied_address_gets_nothing(desk):
    number, _, assignment = _leak(desk)

    result = _to(desk, str(assignment["Reply-To"]), STRANGER, "stranger", "Please call me.")

    assert result.outcome == "appended" and _tickets(desk) == 1
    assert [to for _, to, _ in _mails(desk, result.outbox_ids)] == [CS_HEAD]
    assert "command_refused" in _ticket(desk, number)[1]


def test_an_address_naming_no_known_ticket_waits_for_staff_in_quarantine(desk):
    _leak(desk)
    unknown = "complaints+C19990101-0001.d.aaaaaaaaaaaaaaaa@desk.example"

    result = _to(desk, unknown, STRANGER, "unknown", "I want my money back.")

    assert result.outcome == "quarantined" and result.ticket is None
    assert _tickets(desk) == 1
    [(purpose, to, mail)] = _mails(desk, result.outbox_ids)
    assert (purpose, to) == ("refused_attempt", CS_HEAD)
    text = mail.get_body(("plain",)).get_content()
    assert STRANGER in text and unknown in text
    with desk.db.transaction() as session:
        item = session.get(RawItem, result.raw_item_id)
        assert item.status == "quarantined" and "refused reply" in item.error


def test_garbage_after_the_plus_is_refused_too(desk):
    _leak(desk)
    result = _to(desk, "complaints+hello@desk.example", STRANGER, "garbage", "Leak in 3-1502")
    assert result.outcome == "quarantined" and _tickets(desk) == 1
    assert [to for _, to, _ in _mails(desk, result.outbox_ids)] == [CS_HEAD]
