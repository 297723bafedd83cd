"""Storage and numbering on SQLite and PostgreSQL: unique, gap-free numbers under concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select

from daemon.db import Database
from daemon.models import NumberSequence, RawItem, Ticket
from daemon.numbering import format_number, next_value, number_pattern


def test_migrations_create_every_table(db_url):
    db = Database(db_url)
    db.migrate()
    db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert {"raw_items", "tickets", "events", "attachments", "outbox", "number_sequences"} <= tables
    db.dispose()


def test_times_round_trip_as_utc(db_url):
    db = Database(db_url)
    db.migrate()
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with db.transaction() as session:
        session.add(RawItem(source="t", source_key="1", raw=b"x", size=1, received_at=moment))
    with db.transaction() as session:
        stored = session.scalar(select(RawItem.received_at))
    assert stored == moment and stored.tzinfo is not None
    db.dispose()


def test_numbers_are_gap_free_with_concurrent_workers_and_rollbacks(db_url):
    db = Database(db_url)
    db.migrate()
    workers, per_worker = 6, 15
    errors: list[Exception] = []

    def work(worker: int) -> None:
        try:
            for i in range(per_worker):
                try:
                    with db.transaction() as session:
                        seq = next_value(session, "20261123")
                        number = format_number(
                            "C{date:%Y%m%d}-{seq:04d}", datetime(2026, 11, 23), seq
                        )
                        session.add(
                            Ticket(number=number, channel="t", language="en", subject="s", body="b")
                        )
                        if i % 5 == 4:
                            raise RuntimeError("rolled back on purpose")
                except RuntimeError:
                    pass
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with db.transaction() as session:
        numbers = sorted(session.scalars(select(Ticket.number)))
        last = session.scalar(select(NumberSequence.last))
    committed = workers * (per_worker - per_worker // 5)
    assert len(numbers) == committed == last
    assert numbers == [f"C20261123-{n:04d}" for n in range(1, committed + 1)]
    db.dispose()


def test_number_pattern_finds_numbers_in_subjects():
    pattern = number_pattern("C{date:%Y%m%d}-{seq:04d}")
    assert pattern.search("Re: [C20261123-0042] fuga").group(1) == "C20261123-0042"
    assert pattern.search("回复：C20261123-0042 漏水").group(1) == "C20261123-0042"
    assert pattern.search("XC20261123-0042") is None
    custom = number_pattern("TS-{seq:06d}")
    assert custom.search("about TS-000017 again").group(1) == "TS-000017"


def test_migrations_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from daemon.models import Base

    db = Database(db_url)
    db.migrate()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    db.dispose()


def test_head_names_the_newest_migration(db_url):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from daemon import db as database

    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == database.HEAD
    db = Database(db_url)
    assert database.revision(db.engine) is None
    db.migrate()
    assert database.revision(db.engine) == database.HEAD
    db.dispose()


def test_the_service_migrates_in_a_child_process(db_url, tmp_path):
    from daemon import db as database

    db = Database(db_url)
    db.migrate(in_child=True)
    assert database.revision(db.engine) == database.HEAD
    db.dispose()
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with pytest.raises(RuntimeError, match="database migration failed"):
        database.migrate_in_child(f"sqlite:///{blocked}/complaintd.db")
