"""Dispatcher benchmark: how fast queued mail goes out when every delivery is recorded as it
completes (group commit, one connection waits for its result's commit before its next mail).

Run from the repository root::

    .venv/bin/python bench/dispatch.py                # 2,000 acknowledgements
    .venv/bin/python bench/dispatch.py --count 500

It queues ``--count`` acknowledgements through the pipeline into a fresh SQLite database (not
timed), then times ``Dispatcher.send_due`` passes (200 rows each) over SMTP to an aiosmtpd sink
on loopback, and counts the database transactions that recorded results (fewer than mails:
results that arrive while one is being written share the next).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from daemon.config import Settings  # noqa: E402
from daemon.intake.base import Incoming  # noqa: E402
from daemon.mail.dispatch import Dispatcher  # noqa: E402
from daemon.pipeline import Pipeline  # noqa: E402
from daemon.store.db import Database  # noqa: E402
from tests.e2e import complaint  # noqa: E402
from tests.servers import SmtpSink  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    sink = SmtpSink()
    sink.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings.model_validate(
                {
                    "desk": {"address": "complaints@desk.example"},
                    "database": {"url": f"sqlite:///{folder}/bench.db"},
                    "storage": {"attachments_dir": f"{folder}/attachments"},
                    "replies": {"secret": "bench"},
                    "smtp": {"host": sink.host, "port": sink.port, "security": "none"},
                }
            )
            db = Database(settings.database.url)
            db.migrate()
            pipeline = Pipeline(settings, db)
            for first in range(0, args.count, 200):
                batch = []
                for i in range(first, min(first + 200, args.count)):
                    raw = complaint(f"Owner {i} <owner{i}@owner.example>", "en").as_bytes()
                    batch.append(Incoming(f"k{i}", raw, len(raw)))
                pipeline.receive_batch("bench", batch)
            dispatcher = Dispatcher(settings, db)
            writes = 0
            record = dispatcher._record

            def counted(*results: object) -> None:
                nonlocal writes
                writes += 1
                record(*results)

            dispatcher._record = counted  # type: ignore[method-assign]
            started = time.perf_counter()
            sent = 0
            while passed := dispatcher.send_due():  # what send_all_due does, when all goes out
                sent += passed
            elapsed = time.perf_counter() - started
            db.dispose()
    finally:
        sink.stop()
    print(f"sent {sent} of {args.count} mails in {elapsed:.2f} s: {sent / elapsed:.0f} mails/s")
    print(f"{writes} result transactions ({sent / max(writes, 1):.1f} results each on average)")
    print(f"the sink received {len(sink.messages)} mails")


if __name__ == "__main__":
    main()
