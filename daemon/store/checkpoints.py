"""SQLite checkpoints on a thread of their own, for the long-running service.

By default SQLite copies the write-ahead log into the database file inside the commit that
crosses the limit, and that writer waits for the copy and its fsync: about a tenth of the
pipeline's time in a burst. The service turns that off for its own connections and copies
here instead, in PASSIVE mode, which never blocks a writer; the sqlite3 module lets other
threads run meanwhile. Other processes (CLI, web) keep SQLite's automatic checkpoints.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

EVERY_SECONDS = 1.0


class Checkpointer:
    """Copies the log into the database file every ``every`` seconds until stopped."""

    def __init__(self, engine: Engine, every: float = EVERY_SECONDS) -> None:
        self.engine = engine
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def stop(self) -> None:
        """Stop, after a last copy."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.checkpoint()

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One copy: (busy, frames in the log, frames copied), as SQLite reports it. Outside
        any transaction (a checkpoint cannot run inside one), on a pooled connection."""
        connection = self.engine.raw_connection()
        try:
            return connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            log.warning("SQLite checkpoint failed (will try again): %s", exc)
            return None
        finally:
            connection.close()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.checkpoint()
