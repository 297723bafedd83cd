"""Database engine and sessions: SQLite in WAL mode by default, PostgreSQL for several machines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATE_URL_ENV = "COMPLAINTD_MIGRATE_URL"
HEAD = "0011"
"""The newest migration (a test keeps it true): a database already there needs no Alembic,
which the long-running service then never loads (about 11 MB)."""


SNAPSHOT_OPTION = "complaintd_snapshot"
"""Execution option of connections that only read (see ``Database.snapshot``)."""


def make_engine(url: str, autocheckpoint: bool = True) -> Engine:
    """An engine whose transactions serialise writers, so numbering stays gap-free.

    ``autocheckpoint=False``: SQLite does not checkpoint in this engine's commits (a
    ``Checkpointer`` must)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # Few cached statements: a batch's multi-row INSERTs differ in their number of rows, and
    # sqlite3's default cache of 128 prepared ones grew to ~8 MB per connection.
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False, "cached_statements": 16}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint every ~32 MB of WAL rather than 4 MB: a batch of mail with attachments
        # writes a few MB, and pages written again before the checkpoint are copied once.
        cursor.execute(f"PRAGMA wal_autocheckpoint={8000 if autocheckpoint else 0}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # A reader's snapshot (``Database.snapshot``) takes no write lock and holds up no writer.
        reader = connection.get_execution_options().get(SNAPSHOT_OPTION)
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    return engine


def revision(engine: Engine) -> str | None:
    """The migration the database is at (None for a new database)."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


_ALEMBIC_VERSION = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""Alembic's own bookkeeping table, as Alembic creates it."""


def is_empty(engine: Engine) -> bool:
    """No tables at all: a database made for us, not yet used."""
    return not inspect(engine).get_table_names()


def create(engine: Engine) -> None:
    """Build a new database from the models and mark it as at ``HEAD`` (Alembic's advice for
    a fresh database): one step instead of replaying every migration."""
    from daemon.store.models import Base

    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        _ALEMBIC_VERSION.create(connection)
        connection.execute(_ALEMBIC_VERSION.insert().values(version_num=HEAD))


def migrate(engine: Engine, in_child: bool = False) -> None:
    """Bring the schema to the newest migration; safe to call at every start. ``in_child``
    runs Alembic, when it is needed, in a short-lived process (see ``migrate_in_child``)."""
    current = revision(engine)
    if current == HEAD:
        return
    if current is None and is_empty(engine):
        create(engine)
    elif in_child:
        migrate_in_child(engine.url.render_as_string(hide_password=False))
    else:
        upgrade(engine)


def upgrade(engine: Engine) -> None:
    """Run the migrations from where the database is to ``HEAD``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def migrate_in_child(url: str) -> None:
    """``migrate`` in a short-lived process: a long-running service need not keep Alembic."""
    env = {**os.environ, MIGRATE_URL_ENV: url}
    done = subprocess.run(
        [sys.executable, "-m", "daemon.store.db"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"database migration failed: {done.stderr.strip()[-2000:]}")


_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def reserve_ids(session: Session, rows: list[Any]) -> bool:
    """Give new rows of one table their ids before the INSERT, so that other rows can name them
    while the row itself is written once, finished (an UPDATE rewrites a raw message's bytes).

    SQLite: the ids after the largest, safe because the transaction holds the write lock;
    PostgreSQL: the table's sequence. False (nothing done) on other databases.
    """
    if not rows:
        return True
    table = type(rows[0]).__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = connection.execute(_NEXT_IDS, {"table": table.name, "n": len(rows)}).scalars()
    elif connection.dialect.name == "sqlite":
        first = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar() + 1
        ids = range(first, first + len(rows))
    else:
        return False
    for row, new_id in zip(rows, ids, strict=True):
        row.id = new_id
    return True


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A read-only session on one consistent view of the data (reports): on SQLite a deferred
    transaction, which never waits for or holds up writers; on PostgreSQL REPEATABLE READ.
    Rolled back at the end."""
    options: dict[str, Any] = {SNAPSHOT_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    connection = engine.connect().execution_options(**options)
    with connection, Session(bind=connection) as session:
        yield session
        session.rollback()


class Database:
    """The engine plus a session factory; one session and one transaction per unit of work."""

    def __init__(self, url: str, background_checkpoints: bool = False) -> None:
        """``background_checkpoints``: on SQLite, commits leave copying the log into the
        database file to a thread of its own (see ``daemon.store.checkpoints``), started by
        ``start_checkpoints``; for the long-running service."""
        sqlite = make_url(url).get_backend_name() == "sqlite"
        background = background_checkpoints and sqlite
        self.engine = make_engine(url, autocheckpoint=not background)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.checkpointer = None
        if background:
            from daemon.store.checkpoints import Checkpointer

            self.checkpointer = Checkpointer(self.engine)

    def start_checkpoints(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.start()

    def stop_checkpoints(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()

    def migrate(self, in_child: bool = False) -> None:
        """See ``migrate``; ``in_child`` keeps Alembic out of this process."""
        migrate(self.engine, in_child)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the block ends, roll back when it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def snapshot(self) -> AbstractContextManager[Session]:
        """See ``snapshot``."""
        return snapshot(self.engine)

    def dispose(self) -> None:
        self.stop_checkpoints()
        self.engine.dispose()


if __name__ == "__main__":
    migrate(make_engine(os.environ[MIGRATE_URL_ENV]))
