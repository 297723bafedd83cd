"""What severity does through the pipeline: a possible major goes to the customer-service head
(flagged in the history) and only a confident major pages the general manager; the head's
decision by reply is the same reclassification as the command line, and a major decided so is
reported to the general manager; major outranks hot."""

from __future__ import annotations

import email
from email.policy import default as DEFAULT

import pytest
from sqlalchemy import select

from daemon.mail import outbox
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Correction, Event, Outbox, Ticket
from tests.mails import complaint

CS_HEAD = "cs.head@desk.example"
GM = "gm@desk.example"
ENGINEERING = "eng.head@desk.example"
PROPERTY = "property.head@desk.example"


@pytest.fixture
def desk(make_settings):
    settings = make_settings(
        desk={"address": "complaints@desk.example", "default_language": "en"},
        departments={
            "engineering": {"head": ENGINEERING, "language": "en"},
            "property": {"head": PROPERTY, "language": "en"},
            "customer_service": {"head": CS_HEAD, "language": "en"},
        },
        routing={"general_manager": GM, "hot_threshold": 3, "hot_window_hours": 48},
    )
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def mails(desk, ids, purpose):
    with desk.db.transaction() as session:
        rows = session.scalars(select(Outbox).where(Outbox.id.in_(ids), Outbox.purpose == purpose))
        return [
            (row.recipient, email.message_from_bytes(outbox.message_bytes(row), policy=DEFAULT))
            for row in rows
        ]


def ticket(desk, number):
    with desk.db.transaction() as session:
        found = session.scalar(select(Ticket).where(Ticket.number == number))
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.ticket_id == found.id))]
        session.expunge(found)
        return found, kinds


def test_weak_danger_asks_the_customer_service_head_and_does_not_page_the_gm(desk):
    raw = complaint(
        "My neighbour's lift door closed on my arm this morning, it left a bruise. "
        "Please check the door sensor.",
        subject="Lift door",
        sender="owner@owner.example",
    )
    result = desk.receive("test", "weak", raw)
    found, kinds = ticket(desk, result.ticket)
    assert found.severity != "major" and kinds.count("possible_major") == 1
    assert not mails(desk, result.outbox_ids, "major_alert")
    [(to, asked)] = mails(desk, result.outbox_ids, "decision_request")
    assert to == CS_HEAD
    text = asked.get_body(("plain",)).get_content()
    assert "#reclassify severity=major" in text and "#reclassify severity=general" in text
    assert str(asked["Reply-To"]).startswith(f"complaints+{result.ticket}.m.")

    decided = reply(desk, asked, CS_HEAD, "#reclassify severity=major", "decide")
    assert decided.outcome == "department_reply"
    found, kinds = ticket(desk, result.ticket)
    assert found.severity == "major" and "reclassified" in kinds
    [(to, alert)] = mails(desk, decided.outbox_ids, "major_alert")
    assert to == GM and f"decided by {CS_HEAD}" in alert.get_body(("plain",)).get_content()
    with desk.db.transaction() as session:
        labels = session.scalars(select(Correction.new).where(Correction.field == "severity"))
        assert list(labels) == ["major"]  # kept as a labelled example for `classifier train`


def test_a_confident_major_pages_the_gm_and_asks_nobody(desk):
    raw = complaint(
        "Strong smell of gas in the stairwell of Block 2 and the kids are dizzy.",
        subject="Gas",
        sender="owner@owner.example",
    )
    result = desk.receive("test", "gas", raw)
    assert result.details["severity"] == "major"
    assert [to for to, _ in mails(desk, result.outbox_ids, "major_alert")] == [GM]
    assert not mails(desk, result.outbox_ids, "decision_request")


def test_a_major_that_joins_a_hot_topic_stays_major(desk):
    numbers = []
    for room in (301, 402):
        raw = complaint(
            f"Block 7, flat {room}: the corridor lights on our floor are out again.",
            subject="Corridor lights",
            sender=f"owner{room}@owner.example",
        )
        numbers.append(desk.receive("test", f"k{room}", raw).ticket)
    raw = complaint(
        "Block 7, flat 503: the corridor lights are out and the switch box sparks and smokes, "
        "my son got an electric shock from it.",
        subject="Corridor lights",
        sender="owner503@owner.example",
    )
    major = desk.receive("test", "k503", raw)
    found, _ = ticket(desk, major.ticket)
    assert found.hot_topic and found.severity == "major"
    assert [to for to, _ in mails(desk, major.outbox_ids, "major_alert")] == [GM]
    peers = {ticket(desk, number)[0].severity for number in numbers}
    assert peers == {"hot"} and ticket(desk, numbers[0])[0].hot_topic == found.hot_topic


def reply(desk, to_mail, sender, body, key):
    """Answer one of our mails as a mail client does: to its Reply-To, quoting it."""
    quoted = "\n".join(
        "> " + line for line in to_mail.get_body(("plain",)).get_content().splitlines()
    )
    raw = complaint(
        f"{body}\n\nOn Mon, 23 Nov 2026 at 10:31, Complaint desk wrote:\n{quoted}",
        subject=f"Re: {to_mail['Subject']}",
        sender=sender,
        headers={"In-Reply-To": to_mail["Message-ID"]},
    ).replace(b"To: complaints@desk.example", f"To: {to_mail['Reply-To']}".encode())
    return desk.receive("test", key, raw)


def test_a_major_decided_on_the_command_line_also_pages_the_gm(desk):
    from argparse import Namespace

    from daemon.classify import corrections

    raw = complaint(
        "The lift door closed on my arm this morning and left a bruise.",
        subject="Lift door",
        sender="owner@owner.example",
    )
    number = desk.receive("test", "weak-cli", raw).ticket
    args = Namespace(
        number=number, category=None, kind=None, severity="major", actor=CS_HEAD, json=False
    )
    assert corrections.command(desk.settings, desk.db, args) == 0
    found, kinds = ticket(desk, number)
    assert found.severity == "major" and "reclassified" in kinds and "major_alert" in kinds
    with desk.db.transaction() as session:
        rows = session.scalars(select(Outbox).where(Outbox.purpose == "major_alert")).all()
        assert [row.recipient for row in rows] == [GM]


def test_a_hot_topic_is_about_one_building_of_one_estate(desk):
    from daemon.config import EstateSettings

    desk.settings.estates = [
        EstateSettings(name="Greenfield Court", buildings=["Block 5"]),
        EstateSettings(name="Riverside Park", buildings=["Block 5"]),
    ]
    results = []
    for n, estate in enumerate(["Greenfield Court", "Riverside Park", "Greenfield Court"]):
        raw = complaint(
            f"{estate}, Block 5, flat {n}01: the corridor lights on our floor are out.",
            subject="Corridor lights",
            sender=f"owner{n}@owner.example",
        )
        results.append(desk.receive("test", f"estate{n}", raw))
    assert all(not r.details["hot_topic"] for r in results)  # two estates, not three reports
    raw = complaint(
        "Greenfield Court, Block 5, flat 901: the corridor lights are out again.",
        subject="Corridor lights",
        sender="owner9@owner.example",
    )
    fourth = desk.receive("test", "estate9", raw)
    assert fourth.details["hot_topic"] == results[0].ticket
    assert ticket(desk, results[1].ticket)[0].hot_topic is None
