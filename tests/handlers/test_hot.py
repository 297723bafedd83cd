"""Hot topics across batches: peers stored by an earlier batch join a topic formed by an earlier
item of the current batch once, with one history line each, though it is not flushed yet (no
customer-service head, so no alert flushes it)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from daemon.intake.base import Incoming
from daemon.intake.readahead import ReadAhead
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Event, Ticket
from tests.mails import leak_reports


@pytest.fixture
def settings(make_settings, tmp_path):
    return make_settings(
        desk={"time_zone": "Asia/Shanghai", "default_language": "zh"},
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
        service={"parse_helper": True},
    )


@pytest.fixture
def pipeline(settings):
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


@pytest.fixture
def receive(pipeline, settings):
    """Batches parsed ahead, as the service does: the items of a batch share one flush."""
    helper = ReadAhead(settings)

    def receive_batch(batch: list[Incoming]):
        helper.submit(batch)
        return pipeline.receive_batch("imap", batch, helper.collect())

    yield receive_batch
    helper.close()


def test_a_topic_formed_in_a_batch_is_joined_once_by_its_stored_peers(pipeline, receive):
    first = receive(leak_reports(101, 202))
    assert all(not r.details["hot_topic"] for r in first)

    later = receive(leak_reports(303, 404, 505))

    topic = first[0].ticket
    assert [r.details["hot_topic"] for r in later] == [topic] * 3
    with pipeline.db.transaction() as session:
        assert set(session.scalars(select(Ticket.hot_topic))) == {topic}
        joined = select(Event.ticket_id, func.count()).where(Event.kind == "hot_topic")
        counts = session.execute(joined.group_by(Event.ticket_id)).all()
        assert len(counts) == 5 and {count for _ticket, count in counts} == {1}
