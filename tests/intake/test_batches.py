"""A fetched batch is processed as if its items had come one by one, with or without the
read-ahead helper process, and a failing item never takes its neighbours down with it
(on SQLite and on PostgreSQL, whose raw items get their ids reserved differently)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from daemon.intake.base import Incoming
from daemon.intake.readahead import ReadAhead
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Event, Outbox, RawItem, Ticket
from tests.mails import complaint
from tests.numbering import gap_free

CUSTOMER_SERVICE_HEAD = "kefu@desk.example"


@pytest.fixture
def settings(make_settings, tmp_path, db_url):
    return make_settings(
        database={"url": db_url},
        desk={"time_zone": "Asia/Shanghai", "default_language": "zh"},
        calendar={"country": "CN"},
        departments={
            "engineering": {"head": "gongcheng@desk.example", "language": "zh"},
            "customer_service": {"head": CUSTOMER_SERVICE_HEAD, "language": "zh"},
        },
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
        service={"parse_helper": True},
    )


@pytest.fixture
def pipeline(settings):
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


@pytest.fixture
def helper(settings):
    ahead = ReadAhead(settings)
    yield ahead
    ahead.close()


def leak(building: int, room: int) -> bytes:
    return complaint(
        f"您好，{building}栋1单元{room}卫生间水管漏水，请尽快派人维修。",
        subject="卫生间漏水",
        sender=f"owner{room}@owner.example",
    )


def mixed_batch(limit: int) -> list[Incoming]:
    """What a real mailbox holds after a busy hour: a repeat, a prolific sender, a hot topic."""
    raws = [complaint("Water leaks from the ceiling.", message_id="<same@owner.example>")]
    raws += [
        complaint(f"Complaint number {i} about noise.", sender="many@owner.example")
        for i in range(limit + 2)
    ]
    raws.append(complaint("Water leaks from the ceiling.", message_id="<same@owner.example>"))
    raws += [leak(3, 101), leak(3, 202), leak(3, 303)]
    return [Incoming(f"1:{i}", raw, len(raw)) for i, raw in enumerate(raws, 1)]


@pytest.mark.parametrize("read_ahead", [False, True], ids=["inline", "helper"])
def test_a_batch_is_processed_as_if_item_by_item(pipeline, helper, read_ahead):
    limit = pipeline.settings.desk.max_acks_per_sender_per_hour
    batch = mixed_batch(limit)
    readings = None
    if read_ahead:
        helper.submit(batch)
        readings = helper.collect()
        assert all(readings)

    results = pipeline.receive_batch("imap", batch, readings)

    outcomes = [r.outcome for r in results]
    assert outcomes[0] == "ticket_created"
    assert outcomes[limit + 3] == "duplicate"  # the same message under another key
    assert outcomes.count("ticket_created") == len(batch) - 1
    with pipeline.db.transaction() as session:
        acks = select(Outbox.recipient).where(Outbox.purpose == "ack")
        assert list(session.scalars(acks)).count("many@owner.example") == limit
        assert session.scalar(select(func.count(Ticket.id))) == len(batch) - 1
        assert session.scalar(select(func.count(RawItem.id))) == len(batch)
        suppressed = select(func.count(Event.id)).where(Event.kind == "ack_suppressed")
        assert session.scalar(suppressed) == 2
        numbers = sorted(session.scalars(select(Ticket.number)))
        assert gap_free(numbers)
        hot = session.scalars(select(Ticket).where(Ticket.hot_topic.is_not(None))).all()
        assert {t.owner_email for t in hot} == {f"owner{r}@owner.example" for r in (101, 202, 303)}
        alerts = select(Outbox).where(Outbox.purpose == "hot_topic_alert")
        assert [row.recipient for row in session.scalars(alerts)] == [CUSTOMER_SERVICE_HEAD]


def test_a_step_failing_on_one_item_quarantines_it_alone(pipeline, monkeypatch):
    from handlers import language

    real = language.detect

    def explode(text, *args):
        if "BOOM" in text:
            raise RuntimeError("language detector exploded")
        return real(text, *args)

    monkeypatch.setattr(language, "detect", explode)
    raws = [complaint("The lift is stuck."), complaint("BOOM"), complaint("The gate is broken.")]
    batch = [Incoming(f"k{i}", raw, len(raw)) for i, raw in enumerate(raws)]
    results = pipeline.receive_batch("imap", batch)
    assert [r.outcome for r in results] == ["ticket_created", "quarantined", "ticket_created"]
    assert "language detector exploded" in results[1].error
    assert all(r.outbox_ids for r in (results[0], results[2]))
    with pipeline.db.transaction() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 2
        assert session.get(RawItem, results[1].raw_item_id).raw == raws[1]


def test_the_same_key_twice_in_a_batch_is_one_item(pipeline):
    raw = complaint("The lift is stuck.")
    results = pipeline.receive_batch("imap", [Incoming("k", raw, len(raw))] * 2)
    assert results[0].outcome == "ticket_created" and results[0].outbox_ids
    assert results[1].repeated and not results[1].outbox_ids
    with pipeline.db.transaction() as session:
        assert session.scalar(select(func.count(RawItem.id))) == 1


def test_readings_from_the_helper_match_parsing_here(helper, settings):
    from daemon.mail.attachments import AttachmentStore
    from daemon.mail.reading import read

    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400
    raws = [
        complaint("卫生间漏水", charset="gb18030", attachments=[("裂缝.jpg", "image/jpeg", photo)]),
        complaint("Ruido de la obra.", charset="iso-8859-1", sender="ana@owner.example"),
    ]
    batch = [Incoming(str(i), raw, len(raw)) for i, raw in enumerate(raws)]
    helper.submit(batch)
    readings = helper.collect()
    store = AttachmentStore(settings.storage.attachments_dir, 10**8)
    for raw, reading in zip(raws, readings, strict=True):
        here = read(raw, store)
        assert (reading.subject, reading.sender, reading.text) == (
            here.subject,
            here.sender,
            here.text,
        )
        assert reading.attachments == here.attachments
    assert store.path_for(readings[0].attachments[0].sha256).read_bytes() == photo


def test_a_dead_helper_means_parsing_here(helper, pipeline):
    raw = complaint("The lift is stuck.")
    batch = [Incoming("k", raw, len(raw))]
    helper.submit(batch)
    helper.process.kill()
    helper.process.wait()
    assert helper.collect() == [None]
    assert pipeline.receive_batch("imap", batch, [None])[0].outcome == "ticket_created"
    helper.submit(batch)  # the next batch has a helper again
    assert helper.collect()[0] is not None


def test_a_stuck_helper_is_stopped_and_the_batch_parsed_here(helper, monkeypatch):
    import os
    import signal
    import time

    from daemon.intake import readahead

    raw = complaint("The lift is stuck.")
    helper.submit([Incoming("k", raw, len(raw))])
    assert helper.collect()[0] is not None  # started and answering, at its own pace
    monkeypatch.setattr(readahead, "ANSWER_SECONDS", 0.5)
    stuck = helper.process
    os.kill(stuck.pid, signal.SIGSTOP)
    helper.submit([Incoming("k", raw, len(raw))])
    started = time.monotonic()
    assert helper.collect() == [None]
    assert time.monotonic() - started < 10
    assert stuck.poll() is not None  # killed, not left behind


def test_look_ups_asked_once_per_batch_see_earlier_batches(pipeline, helper):
    limit = pipeline.settings.desk.max_acks_per_sender_per_hour
    first = [
        complaint(f"Noise report {i}.", sender="many@owner.example", message_id=f"<n{i}@o>")
        for i in range(limit - 1)
    ]
    second = [
        complaint("Noise report 0.", sender="many@owner.example", message_id="<n0@o>"),
        *(complaint(f"More noise {i}.", sender="many@owner.example") for i in range(3)),
    ]
    results = []
    for key, raws in (("a", first), ("b", second)):
        batch = [Incoming(f"{key}:{i}", raw, len(raw)) for i, raw in enumerate(raws)]
        helper.submit(batch)
        readings = helper.collect()
        assert all(readings)  # the fast way, with the batch's look-ups asked at once
        results += pipeline.receive_batch("imap", batch, readings)
    outcomes = [r.outcome for r in results]
    assert outcomes[limit - 1] == "duplicate"  # recorded in the batch before
    acknowledged = [r for r in results if r.outbox_ids]
    assert len(acknowledged) == limit  # the limit counts the earlier batch's acks too
    assert acknowledged[-1] is results[limit]
