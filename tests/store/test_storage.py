"""Storage and numbering on SQLite and PostgreSQL: unique, gap-free numbers under concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from daemon.store.db import Database
from daemon.store.models import NumberSequence, RawItem, Ticket
from daemon.store.numbering import format_number, next_value, number_pattern


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

    from daemon.store import db as database
    from daemon.store.models import Base

    db = Database(db_url)
    database.upgrade(db.engine)  # every migration from the first, not the fresh-database path
    assert database.revision(db.engine) == database.HEAD
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    db.dispose()


def _schema(engine) -> dict:
    found = inspect(engine)
    schema = {}
    for table in found.get_table_names():
        schema[table] = (
            {(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)},
            {(i["name"], tuple(i["column_names"]), i["unique"]) for i in found.get_indexes(table)},
            {
                (fk["referred_table"], tuple(fk["constrained_columns"]))
                for fk in found.get_foreign_keys(table)
            },
            tuple(found.get_pk_constraint(table)["constrained_columns"]),
        )
    return schema


def test_a_new_database_is_built_as_the_migrations_would_build_it(db_url, tmp_path):
    from daemon.store import db as database

    created = Database(db_url)
    created.migrate(in_child=True)  # empty: built from the models in this process, no child
    assert database.revision(created.engine) == database.HEAD
    replayed = Database(f"sqlite:///{tmp_path}/replayed.db")
    if created.engine.dialect.name == "postgresql":
        replayed = Database(db_url.replace("/test_", "/replay_"))
        with created.engine.connect() as connection:
            name = replayed.engine.url.database
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f'CREATE DATABASE "{name}"'
            )
    try:
        database.upgrade(replayed.engine)
        assert _schema(created.engine) == _schema(replayed.engine)
    finally:
        replayed.dispose()
        if created.engine.dialect.name == "postgresql":
            with created.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                )
        created.dispose()


def test_head_names_the_newest_migration(db_url):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from daemon.store import db as database

    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == database.HEAD
    db = Database(db_url)
    assert database.revision(db.engine) is None
    db.migrate()
    assert database.revision(db.engine) == database.HEAD
    db.dispose()


def test_the_service_migrates_in_a_child_process(db_url, tmp_path, monkeypatch):
    from alembic import command
    from alembic.config import Config

    from daemon.store import db as database

    db = Database(db_url)
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # a database made by an older version
    monkeypatch.setattr(database, "upgrade", None)  # not in this process
    db.migrate(in_child=True)
    assert database.revision(db.engine) == database.HEAD
    db.dispose()
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with pytest.raises(RuntimeError, match="database migration failed"):
        database.migrate_in_child(f"sqlite:///{blocked}/complaintd.db")


def test_mail_queued_as_a_draft_is_made_into_bytes_when_the_schema_goes_back(db_url):
    from alembic import command
    from alembic.config import Config

    from daemon.config import Settings
    from daemon.mail import outbox
    from daemon.mail.compose import compose
    from daemon.store import db as database

    db = Database(db_url)
    database.upgrade(db.engine)
    settings = Settings.model_validate({"desk": {"address": "complaints@desk.example"}})
    mail = compose(settings, to="王芳@owner.example", subject="漏水", text="文", html="<p>文</p>")
    with db.transaction() as session:
        outbox.add(session, mail, purpose="ack")
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT raw FROM outbox")).scalar() == mail.raw
    database.upgrade(db.engine)
    assert database.revision(db.engine) == database.HEAD
    db.dispose()
