"""SQLite checkpoints off the service's commits: the log still gets copied and starts over."""

from __future__ import annotations

import time

from sqlalchemy import text

from daemon.store.db import Database
from daemon.store.models import RawItem

BLOB = b"x" * 200_000


def _write(db: Database, count: int, start: int = 0) -> None:
    with db.transaction() as session:
        session.add_all(
            RawItem(source="t", source_key=str(start + n), raw=BLOB, size=len(BLOB))
            for n in range(count)
        )


def _wal_round(wal) -> bytes:
    """The log header's checkpoint sequence number: it changes each time the log starts over."""
    with wal.open("rb") as log:
        return log.read(16)[12:16]


def test_the_default_engine_checkpoints_in_its_commits(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/c.db")
    db.migrate()
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 8000
    assert db.checkpointer is None
    db.dispose()


def test_the_service_engine_leaves_checkpoints_to_its_thread(tmp_path):
    path = tmp_path / "c.db"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    db.migrate()
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    _write(db, 200)  # ~40 MB: past SQLite's own limit of 8,000 pages, yet nothing was copied
    wal = tmp_path / "c.db-wal"
    assert wal.stat().st_size > 40_000_000
    before = _wal_round(wal)
    db.start_checkpoints()
    deadline = time.monotonic() + 10
    for key in range(1000, 2000):
        time.sleep(0.3)
        _write(db, 1, start=key)  # a writer starts the log over once all of it was copied
        if _wal_round(wal) != before or time.monotonic() > deadline:
            break
    assert _wal_round(wal) != before, "the log was never copied and started over"
    started = time.monotonic()
    db.dispose()  # stops the thread
    assert time.monotonic() - started < 5
    assert not db.checkpointer._thread.is_alive()
    fresh = Database(f"sqlite:///{path}")
    with fresh.transaction() as session:
        assert session.query(RawItem).count() > 200
    fresh.dispose()
