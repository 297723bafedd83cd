"""Scheduler benchmark: what a deadline pass costs when nothing is due, and with 1,000 due, on
SQLite and PostgreSQL, at 100,000 and 1,000,000 tickets (a tenth of them open).

Run from the repository root (as root: the private PostgreSQL runs as the postgres user)::

    .venv/bin/python bench/scheduler.py                  # both databases, 100k and 1M tickets
    .venv/bin/python bench/scheduler.py --sizes 100000 --databases sqlite

Each ticket has four deadline rows (feedback, answer, survey, repair), written with one
INSERT … SELECT per step: met rows for closed tickets, rows due in the coming days for open
ones. Then:

1. empty: ``Scheduler.run_pass`` at a moment when nothing is due, ``--repeat`` times (median
   and 95th percentile; the goal is ≤ 20 ms);
2. 1,000 due: the feedback deadline of 1,000 open tickets is made due a minute ago; one pass
   marks them missed and queues 1,000 escalation mails (composed, keyed, in the outbox);
3. memory: the peak of Python allocations during another such pass (tracemalloc) and the
   process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402

from daemon.clock import set_clock  # noqa: E402
from daemon.config import Settings  # noqa: E402
from daemon.sla.scheduler import Scheduler  # noqa: E402
from daemon.store.db import Database  # noqa: E402

GOAL_MS = 20.0
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
STEPS = ("feedback", "answer", "survey", "repair")

SQLITE_FILL = {
    "tickets": """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
        INSERT INTO tickets (id, number, status, channel, language, subject, body, kind,
            category, severity, department, assignee, owner_email, created_at, updated_at)
        SELECT i, 'B' || i, CASE WHEN i % 10 = 0 THEN 'investigating' ELSE 'closed' END,
            'email', 'zh', '漏水', '卫生间天花板漏水', 'repair_request', 'repair', 'general',
            'engineering', 'eng@desk.example', 'owner' || i || '@owner.example', :created,
            :created
        FROM n""",
    "deadlines": """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
        INSERT INTO deadlines (ticket_id, step, department, due_at, met_at, created_at, next_at,
            stage, round)
        SELECT i, :step, 'engineering', :due,
            CASE WHEN i % 10 = 0 THEN NULL ELSE :created END, :created,
            CASE WHEN i % 10 = 0
                 THEN strftime('%Y-%m-%d %H:%M:%f', :later, '+' || (i % 8000) || ' minutes')
                 ELSE NULL END,
            0, 0
        FROM n""",
}
POSTGRES_FILL = {
    "tickets": """
        INSERT INTO tickets (id, number, status, channel, language, subject, body, kind,
            category, severity, department, assignee, owner_email, created_at, updated_at)
        SELECT i, 'B' || i, CASE WHEN i % 10 = 0 THEN 'investigating' ELSE 'closed' END,
            'email', 'zh', '漏水', '卫生间天花板漏水', 'repair_request', 'repair', 'general',
            'engineering', 'eng@desk.example', 'owner' || i || '@owner.example',
            CAST(:created AS timestamp), CAST(:created AS timestamp)
        FROM generate_series(1, :count) AS i""",
    "deadlines": """
        INSERT INTO deadlines (ticket_id, step, department, due_at, met_at, created_at, next_at,
            stage, round)
        SELECT i, :step, 'engineering', CAST(:due AS timestamp),
            CASE WHEN i % 10 = 0 THEN NULL ELSE CAST(:created AS timestamp) END,
            CAST(:created AS timestamp),
            CASE WHEN i % 10 = 0
                 THEN CAST(:later AS timestamp) + (i % 8000) * interval '1 minute'
                 ELSE NULL END,
            0, 0
        FROM generate_series(1, :count) AS i""",
}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(db: Database, count: int) -> float:
    """``count`` tickets with four deadline rows each; returns the seconds it took."""
    started = time.perf_counter()
    postgres = db.engine.dialect.name == "postgresql"
    sql = POSTGRES_FILL if postgres else SQLITE_FILL
    created = _stamp(NOW - timedelta(days=1))
    with db.engine.begin() as connection:
        connection.execute(text(sql["tickets"]), {"count": count, "created": created})
        for step in STEPS:
            connection.execute(
                text(sql["deadlines"]),
                {
                    "count": count,
                    "step": step,
                    "created": created,
                    "due": _stamp(NOW + timedelta(days=3)),
                    "later": _stamp(NOW + timedelta(hours=1)),
                },
            )
        if postgres:
            connection.execute(text("SELECT setval('tickets_id_seq', :n)"), {"n": count})
            connection.execute(text("ANALYZE"))
        else:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def make_due(db: Database, how_many: int, skip: int = 0) -> None:
    """The feedback deadline of ``how_many`` open tickets (after the first ``skip``) passed a
    minute ago."""
    past = _stamp(NOW - timedelta(minutes=1))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE deadlines SET due_at = :past, next_at = :past "
                "WHERE step = 'feedback' AND ticket_id IN "
                "(SELECT id FROM tickets WHERE status = 'investigating' "
                "ORDER BY id LIMIT :n OFFSET :skip)"
            ),
            {"past": past, "n": how_many, "skip": skip},
        )


def settings_for(url: str, tmp: Path) -> Settings:
    return Settings.model_validate(
        {
            "desk": {"address": "complaints@desk.example", "default_language": "zh"},
            "database": {"url": url},
            "replies": {"secret": "bench", "approvers": {"deputy_gm": "dgm@desk.example"}},
            "routing": {"general_manager": "gm@desk.example"},
            "departments": {
                "engineering": {"head": "eng@desk.example", "language": "zh"},
                "customer_service": {"head": "cs@desk.example"},
            },
            "storage": {"attachments_dir": str(tmp / "attachments")},
        }
    )


def measure(url: str, count: int, repeat: int, tmp: Path) -> dict[str, float]:
    settings = settings_for(url, tmp)
    db = Database(url)
    db.migrate()
    filled = fill(db, count)
    scheduler = Scheduler(settings, db)
    set_clock(lambda: NOW)
    scheduler.run_pass(NOW)  # warm: connections, prepared statements
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        queued = scheduler.run_pass(NOW)
        times.append((time.perf_counter() - started) * 1000)
        assert queued == []
    make_due(db, 1000)
    started = time.perf_counter()
    queued = scheduler.run_pass(NOW)
    busy = time.perf_counter() - started
    assert len(queued) == 1000, len(queued)
    make_due(db, 1000, skip=1000)  # the same again, watched by tracemalloc (which slows it)
    tracemalloc.start()
    queued = scheduler.run_pass(NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(queued) == 1000, len(queued)
    times.sort()
    db.dispose()
    return {
        "fill_s": filled,
        "empty_median_ms": statistics.median(times),
        "empty_p95_ms": times[int(len(times) * 0.95) - 1],
        "due_1000_s": busy,
        "peak_alloc_mb": peak / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    results = []
    server = None
    try:
        for database in args.databases:
            for count in args.sizes:
                tmp = Path(tempfile.mkdtemp(prefix="bench-scheduler-"))
                if database == "sqlite":
                    url = f"sqlite:///{tmp}/bench.db"
                else:
                    if server is None:
                        from tests.servers import PostgresServer

                        server = PostgresServer()
                        server.start()
                    url = _fresh_postgres(server, f"bench_{count}")
                figures = measure(url, count, args.repeat, tmp)
                results.append((database, count, figures))
                _print(database, count, figures)
    finally:
        if server is not None:
            server.close()
    print()
    ok = all(f["empty_p95_ms"] <= GOAL_MS for _, _, f in results)
    print(
        f"goal: a pass finding nothing due in ≤ {GOAL_MS:g} ms (p95): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def _fresh_postgres(server: object, name: str) -> str:
    import psycopg

    with psycopg.connect(server.dsn_for("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.url_for(name)


def _print(database: str, count: int, f: dict[str, float]) -> None:
    print(
        f"{database:<10} {count:>9,} tickets ({count // 10:,} open, {4 * count:,} deadline rows; "
        f"filled in {f['fill_s']:.0f} s)\n"
        f"           nothing due: median {f['empty_median_ms']:.2f} ms, "
        f"p95 {f['empty_p95_ms']:.2f} ms\n"
        f"           1,000 due:   {f['due_1000_s']:.2f} s "
        f"({f['due_1000_s']:.2f} ms per escalation mail queued)\n"
        f"           memory:      peak Python allocations in that pass {f['peak_alloc_mb']:.1f} MB,"
        f" process peak RSS {f['rss_mb']:.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
