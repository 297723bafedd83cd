"""The owner's answer to the satisfaction question, in the words the README names (a digit 1-5,
满意 / 不满意 / satisfecho / insatisfecho / unsatisfied) and the ways owners say "not": a
satisfied owner's ticket is fed back, an unsatisfied owner's is re-opened and revisited."""

from __future__ import annotations

import pytest

from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.handlers.test_replies import CS_HEAD, HEAD, OWNER, _leak, _mails, _reply, _ticket
from tests.mails import complaint

SATISFIED = ("fed_back", [])
UNSATISFIED = ("investigating", ["revisit_in_person"])


@pytest.fixture
def desk(make_settings):
    settings = make_settings(
        desk={"address": "complaints@desk.example", "default_language": "zh"},
        departments={"engineering": {"head": HEAD}, "customer_service": {"head": CS_HEAD}},
    )
    db = Database(settings.database.url)
    db.migrate()
    yield Pipeline(settings, db)
    db.dispose()


ANSWERS = {
    "5": (5, SATISFIED),
    "４分": (4, SATISFIED),
    "3": (3, SATISFIED),
    "1": (1, UNSATISFIED),
    "满意": (4, SATISFIED),
    "非常满意，师傅很专业": (5, SATISFIED),
    "不满意，墙上还是湿的": (2, UNSATISFIED),
    "不太满意": (2, UNSATISFIED),
    "没有很满意，还在滴水": (2, UNSATISFIED),
    "Satisfecho, gracias": (4, SATISFIED),
    "Muy satisfecha": (5, SATISFIED),
    "Insatisfecho": (2, UNSATISFIED),
    "No estoy satisfecho": (2, UNSATISFIED),
    "No estoy nada satisfecha con la reparación": (2, UNSATISFIED),
    "Satisfied": (4, SATISFIED),
    "Unsatisfied, it still leaks": (2, UNSATISFIED),
    "I am not satisfied": (2, UNSATISFIED),
    "Not very satisfied.": (2, UNSATISFIED),
    "No, I'm very satisfied!": (5, SATISFIED),
}
"""What the owner answers to the resolution mail -> the rating, the state, who else is told."""


def _rated(desk, answer: str, n: int) -> tuple[int | None, tuple[str, list[str]]]:
    """A leak of its own, resolved, and the owner's ``answer`` to the resolution mail."""
    raw = complaint(
        f"{n}栋卫生间天花板漏水，请派师傅维修。",
        subject="卫生间漏水",
        sender=f"owner{n}@owner.example",
    )
    result = desk.receive("test", f"leak-{n}", raw)
    [(_, _, assignment)] = _mails(desk, result.outbox_ids, "assignment")
    resolved = _reply(desk, assignment, HEAD, "#已解决 已更换楼上的水管", f"done-{n}")
    [(_, owner, resolution)] = _mails(desk, resolved.outbox_ids, "resolution")
    rated = _reply(desk, resolution, owner, answer, f"rated-{n}")
    ticket, kinds = _ticket(desk, result.ticket)
    assert ticket.revisited_at is not None and "satisfaction" in kinds, answer
    mails = [(purpose, to) for purpose, to, _ in _mails(desk, rated.outbox_ids)]
    assert ("satisfaction_feedback", HEAD) in mails, answer
    return ticket.satisfaction, (ticket.status, [p for p, to in mails if to == CS_HEAD])


def test_the_owners_words_rate_the_ticket(desk):
    got = {answer: _rated(desk, answer, n) for n, answer in enumerate(ANSWERS)}
    assert got == ANSWERS


def test_words_that_are_no_rating_join_the_ticket_as_a_message(desk):
    number, _, assignment = _leak(desk)
    resolved = _reply(desk, assignment, HEAD, "#resolved 已修好", "done")
    [(_, _, resolution)] = _mails(desk, resolved.outbox_ids, "resolution")
    _reply(desk, resolution, OWNER, "师傅什么时候再来看看？", "asked")
    ticket, kinds = _ticket(desk, number)
    assert ticket.satisfaction is None and ticket.pending == {"satisfaction": True}
    assert "message" in kinds and "satisfaction" not in kinds
