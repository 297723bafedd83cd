"""Report benchmark: the weekly report over 1,000,000 tickets (two years of a busy desk) on
SQLite and PostgreSQL; the goals are ≤ 10 s and ≤ 5 s. The monthly, quarterly and yearly
reports and the business-hours percentiles are timed too.

Run from the repository root (as root: the private PostgreSQL runs as the postgres user)::

    .venv/bin/python bench/report.py                         # 1M tickets, both databases
    .venv/bin/python bench/report.py --count 100000 --databases sqlite

The tickets are written with one INSERT … SELECT (a ticket every 63 s from 2025-01-01, so
about 9,600 a week): 95 % closed within two weeks, rated and mostly revisited, every 20th still
open; two deadline rows each (feedback, resolve), a tenth never met. The report is made as
``complaintd report weekly`` makes it (``figures.build`` in a snapshot), then drawn (charts,
HTML) separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402

from daemon.config import Settings  # noqa: E402
from daemon.mail.templates import Templates  # noqa: E402
from daemon.report import business, charts, figures, periods, render  # noqa: E402
from daemon.report.strings import Words  # noqa: E402
from daemon.sla.calendar import BusinessCalendar  # noqa: E402
from daemon.store.db import Database  # noqa: E402

GOALS = {"sqlite": 10.0, "postgresql": 5.0}
ZONE = "Asia/Shanghai"
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai: 2026-W49 is due
BASE = "2025-01-01 00:00:00"
STEP_SECONDS = 63

_TICKET_COLUMNS = """(id, number, status, channel, language, subject, body, kind, category,
    severity, department, hot_topic, satisfaction, first_answer_at, resolved_at, revisited_at,
    closed_at, created_at, updated_at)"""
_TICKET_VALUES = """i, 'B' || i,
    CASE WHEN i % 20 = 0 THEN 'investigating' ELSE 'closed' END,
    CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'web' WHEN 2 THEN 'phone' ELSE 'visit' END,
    'zh', '漏水', '卫生间天花板漏水',
    CASE i % 3 WHEN 0 THEN 'complaint' WHEN 1 THEN 'repair_request' ELSE 'inquiry' END,
    CASE i % 5 WHEN 0 THEN 'repair' WHEN 1 THEN 'property_service' WHEN 2 THEN 'billing'
        WHEN 3 THEN 'construction_quality' ELSE 'other' END,
    CASE WHEN i % 97 = 0 THEN 'major' WHEN i % 31 = 0 THEN 'hot' ELSE 'general' END,
    CASE i % 5 WHEN 0 THEN 'engineering' WHEN 1 THEN 'property' WHEN 2 THEN 'finance'
        WHEN 3 THEN 'engineering' ELSE 'customer_service' END,
    CASE WHEN i % 31 = 0 THEN 'H' || (i % 7) END,
    CASE WHEN i % 20 <> 0 AND i % 4 <> 0 THEN 1 + i % 5 END,
    {at}(i * {step} + (i % 50) * 3600),
    CASE WHEN i % 20 <> 0 THEN {at}(i * {step} + (i % 14) * 86400 + 3600) END,
    CASE WHEN i % 20 <> 0 AND i % 3 <> 0 THEN {at}(i * {step} + (i % 14) * 86400 + 30000) END,
    CASE WHEN i % 20 <> 0 THEN {at}(i * {step} + (i % 14) * 86400 + 7200) END,
    {at}(i * {step}), {at}(i * {step})"""
_DEADLINE = """INSERT INTO deadlines (ticket_id, step, department, due_at, met_at, created_at,
        stage, round)
    SELECT i, :step, CASE i % 5 WHEN 0 THEN 'engineering' WHEN 1 THEN 'property'
        WHEN 2 THEN 'finance' WHEN 3 THEN 'engineering' ELSE 'customer_service' END,
        {at}(i * {step} + :due),
        CASE WHEN i % 10 <> 0 THEN {at}(i * {step} + (i % 5) * 86400) END,
        {at}(i * {step}), 0, 0
    FROM {series}"""

SQLITE = {
    "at": "strftime('%Y-%m-%d %H:%M:%f', '" + BASE + "', '+' || ({arg}) || ' seconds')",
    "series": "n",
    "with": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) ",
}
POSTGRES = {
    "at": "(TIMESTAMP '" + BASE + "' + ({arg}) * interval '1 second')",
    "series": "generate_series(1, :count) AS i",
    "with": "",
}


def _sql(template: str, dialect: dict[str, str]) -> str:
    """Put the dialect's time arithmetic in place of ``{at}(seconds)``."""
    out, rest = (
        [],
        template.replace("{step}", str(STEP_SECONDS)).replace("{series}", dialect["series"]),
    )
    while "{at}(" in rest:
        before, _, after = rest.partition("{at}(")
        depth, index = 1, 0
        while depth:
            depth += {"(": 1, ")": -1}.get(after[index], 0)
            index += 1
        out.append(before + dialect["at"].replace("{arg}", after[: index - 1]))
        rest = after[index:]
    return "".join(out) + rest


def fill(db: Database, count: int) -> float:
    started = time.perf_counter()
    dialect = POSTGRES if db.engine.dialect.name == "postgresql" else SQLITE
    tickets = (
        f"{dialect['with']}INSERT INTO tickets {_TICKET_COLUMNS} "
        f"SELECT {_sql(_TICKET_VALUES, dialect)} FROM {dialect['series']}"
    )
    with db.engine.begin() as connection:
        connection.execute(text(tickets), {"count": count})
        for step, due in (("feedback", 3 * 86400), ("resolve", 7 * 86400)):
            connection.execute(
                text(dialect["with"] + _sql(_DEADLINE, dialect)),
                {"count": count, "step": step, "due": due},
            )
        if dialect is POSTGRES:
            connection.execute(text("SELECT setval('tickets_id_seq', :n)"), {"n": count})
    with db.engine.connect() as connection:
        if dialect is POSTGRES:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        else:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def timed(db: Database, settings: Settings, kind: str, repeat: int) -> tuple[float, dict]:
    """Median seconds of ``figures.build`` for the last complete period of ``kind``."""
    period = periods.last_complete(kind, NOW, ZONE)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with db.snapshot() as session:
            report = figures.build(session, settings, period, NOW)
        times.append(time.perf_counter() - started)
    return statistics.median(times), report


def measure(url: str, count: int, repeat: int) -> dict[str, float]:
    settings = Settings.model_validate({"database": {"url": url}, "desk": {"time_zone": ZONE}})
    db = Database(url)
    db.migrate()
    result: dict[str, float] = {"fill_s": fill(db, count)}
    result["weekly_s"], weekly = timed(db, settings, "weekly", repeat)
    result["received"] = weekly["received"]
    words = Words(settings, "zh")
    started = time.perf_counter()
    images = render.data_uris(charts.render(weekly, words))
    render.html(weekly, words, Templates(), images)
    result["draw_s"] = time.perf_counter() - started
    calendar = BusinessCalendar.from_settings(settings.calendar, ZONE)
    for kind in ("monthly", "quarterly", "yearly"):
        result[f"{kind}_s"], _ = timed(db, settings, kind, 1)
    for kind in ("weekly", "yearly"):
        period = periods.last_complete(kind, NOW, ZONE)
        started = time.perf_counter()
        with db.snapshot() as session:
            answers = business.first_answer_hours(session, calendar, figures.window(period, NOW))
        result[f"answers_{kind}_s"] = time.perf_counter() - started
        result[f"answered_{kind}"] = answers[None]["answered"]
    db.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = None
    ok = True
    try:
        for database in args.databases:
            tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
            if database == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
            else:
                if server is None:
                    from tests.servers import PostgresServer

                    server = PostgresServer()
                    server.start()
                url = _fresh_postgres(server, "bench_report")
            f = measure(url, args.count, args.repeat)
            met = f["weekly_s"] <= GOALS[database]
            ok = ok and met
            print(
                f"{database:<10} {args.count:,} tickets, {2 * args.count:,} deadline rows "
                f"(filled in {f['fill_s']:.0f} s)\n"
                f"           weekly report 2026-W49 ({f['received']:,} received): "
                f"{f['weekly_s']:.2f} s (median of {args.repeat}; goal ≤ {GOALS[database]:g} s: "
                f"{'met' if met else 'MISSED'})\n"
                f"           charts and HTML: {f['draw_s']:.2f} s; monthly {f['monthly_s']:.2f} s,"
                f" quarterly {f['quarterly_s']:.2f} s, yearly {f['yearly_s']:.2f} s\n"
                f"           first-answer percentiles alone: weekly {f['answers_weekly_s']:.3f} s "
                f"({f['answered_weekly']:,} answered), yearly {f['answers_yearly_s']:.2f} s "
                f"({f['answered_yearly']:,})",
                flush=True,
            )
    finally:
        if server is not None:
            server.close()
    return 0 if ok else 1


def _fresh_postgres(server: object, name: str) -> str:
    import psycopg

    with psycopg.connect(server.dsn_for("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.url_for(name)


if __name__ == "__main__":
    sys.exit(main())
