"""Web submissions become mail-like items: language, place and the owner's choices survive."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from daemon.intake.submission import Submission, to_message
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Ticket


@pytest.fixture
def pipeline(make_settings):
    settings = make_settings()
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def _ticket(pipeline, number):
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        session.expunge(ticket)
        return ticket


@pytest.mark.parametrize(
    ("description", "building", "unit", "language", "room"),
    [
        ("Hay una gotera en el techo del baño desde el lunes.", "3", "2ºB", "es", "2ºB"),
        ("卫生间天花板漏水，请尽快派人维修。", "3", "1502", "zh", "1502"),
        ("The bathroom ceiling has been leaking since Monday.", "3", "1502", "en", "1502"),
    ],
)
def test_language_and_place_of_a_form_submission(
    pipeline, description, building, unit, language, room
):
    raw = to_message(
        Submission(
            name="Ana",
            email="ana@owner.example",
            description=description,
            building=building,
            unit=unit,
            phone="600 000 000",
        ),
        "complaints@desk.example",
        "web",
    )
    result = pipeline.receive("web", f"k-{language}", raw)
    ticket = _ticket(pipeline, result.ticket)
    assert (ticket.language, ticket.channel) == (language, "web")
    assert ticket.location["building"] == "3" and ticket.location["room"] == room


def test_the_owners_choice_counts_on_the_form_but_not_in_mail(pipeline):
    submission = Submission(
        name="Ana",
        email="ana@owner.example",
        category="billing",
        description="Please check the noise from the lift at night.",
    )
    raw = to_message(submission, "complaints@desk.example", "web")
    web = _ticket(pipeline, pipeline.receive("web", "w1", raw).ticket)
    assert web.category == "billing"
    mailed = _ticket(
        pipeline,
        pipeline.receive("imap", "1:1", raw.replace(b"Message-ID: <", b"Message-ID: <x")).ticket,
    )
    assert mailed.category == "property_service" and mailed.channel == "email"
