"""Every figure of the weekly, monthly and quarterly reports over a generated quarter equals the
count worked out independently in Python from the tickets' known outcomes (SQLite and
PostgreSQL); ``--explain`` lists exactly the rows behind each figure."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from daemon.config import Settings
from daemon.report import definitions, figures, periods
from daemon.sla.calendar import BusinessCalendar
from daemon.store.db import Database
from tests.report import quarter

FIGURES = ("received", "closed", "open", "overdue")
RATES = ("on_time_rate", "closure_rate", "revisit_rate", "satisfaction_rate")


@pytest.fixture
def loaded(db_url: str) -> Iterator[tuple[Database, Settings, list[quarter.Spec]]]:
    settings = Settings.model_validate(
        {"database": {"url": db_url}, "desk": {"time_zone": quarter.ZONE}}
    )
    db = Database(db_url)
    db.migrate()
    specs = quarter.generate()
    quarter.store(db, specs)
    try:
        yield db, settings, specs
    finally:
        db.dispose()


def _periods() -> list[periods.Period]:
    """Every week that touches 2026-Q4, its months and the quarter."""
    found = [periods.parse("quarterly", "2026-Q4", quarter.ZONE)]
    found += [periods.parse("monthly", f"2026-{m}", quarter.ZONE) for m in ("10", "11", "12")]
    week = periods.containing("weekly", found[0].first, quarter.ZONE)
    while week.first <= found[0].last:
        found.append(week)
        week = week.next()
    return found


def _check(got: dict, want: dict, where: str) -> None:
    for name in FIGURES:
        assert got[name] == want[name], f"{where}: {name}"
    for name in RATES:
        assert got[name] == want[name], f"{where}: {name}"
        assert got["counts"][name] == want[f"{name}_counts"], f"{where}: {name} counts"
    assert got["first_answer_hours"]["median"] == pytest.approx(want["median"], abs=0.011)
    assert got["first_answer_hours"]["p90"] == pytest.approx(want["p90"], abs=0.011)


def test_every_figure_of_every_period_matches_the_tickets(loaded):
    db, settings, specs = loaded
    calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
    checked = Counter()
    with db.snapshot() as session:
        for period in _periods():
            report = figures.build(session, settings, period, quarter.NOW)
            want = quarter.expected(specs, period.start, period.end, calendar)
            before = period.previous()
            want_before = quarter.expected(specs, before.start, before.end, calendar)
            _check(report, want[None], period.label)
            for name in FIGURES:
                assert report["previous"][name] == want_before[None][name]
                assert report["change"][name] == want[None][name] - want_before[None][name]
            for department in quarter.DEPARTMENTS:
                _check(report["departments"][department], want[department], department)
            assert report["history"][-1]["on_time_rate"] == want[None]["on_time_rate"]
            assert report["history"][-2]["closure_rate"] == want_before[None]["closure_rate"]
            checked[period.kind] += 1
    assert checked == {"weekly": 14, "monthly": 3, "quarterly": 1}
    assert want[None]["received"] > 20  # the last week is not an empty one


def test_breakdowns_days_and_lists_match_the_tickets(loaded):
    db, settings, specs = loaded
    period = periods.parse("monthly", "2026-11", quarter.ZONE)
    with db.snapshot() as session:
        report = figures.build(session, settings, period, quarter.NOW)
    received = [s for s in specs if period.start <= s.created_at < period.end]
    assert report["by_channel"] == dict(Counter(s.channel for s in received))
    assert report["by_category"] == dict(Counter(s.category for s in received))
    assert report["by_severity"] == dict(Counter(s.severity for s in received))
    days = Counter(quarter.local(s.created_at).date().isoformat() for s in received)
    assert {d["date"]: d["received"] for d in report["daily"] if d["received"]} == dict(days)
    closed = Counter(
        quarter.local(s.closed_at).date().isoformat()
        for s in specs
        if s.status in quarter.CLOSED and s.closed_at and period.start <= s.closed_at < period.end
    )
    assert {d["date"]: d["closed"] for d in report["daily"] if d["closed"]} == dict(closed)
    assert len(report["daily"]) == 30
    hot = Counter(s.hot_topic for s in received if s.hot_topic)
    assert {h["topic"]: h["tickets"] for h in report["hot_topics"]} == dict(hot)
    assert [m["number"] for m in report["major"]] == sorted(
        (s.number for s in received if s.severity == "major"),
        key=lambda n: next(s.created_at for s in received if s.number == n),
    )
    as_of = min(period.end, quarter.NOW)
    want = {}
    for s in specs:
        late = [
            d.due_at
            for d in s.deadlines
            if s.created_at < as_of
            and not (s.status in quarter.CLOSED and s.closed_at and s.closed_at < as_of)
            and d.due_at < as_of
            and (
                (d.met_at is None and not (s.paused_at and s.paused_at <= d.due_at))
                or (d.met_at and d.met_at >= as_of)
            )
        ]
        if late:
            want[s.number] = math.ceil((as_of - min(late)).total_seconds() / 86400)
    got = {o["number"]: o["days_overdue"] for o in report["overdue_tickets"]}
    assert got == want
    assert len(got) == report["overdue"] > 0


def test_a_department_report_holds_only_that_department(loaded):
    db, settings, specs = loaded
    period = periods.parse("quarterly", "2026-Q4", quarter.ZONE)
    calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
    with db.snapshot() as session:
        report = figures.build(session, settings, period, quarter.NOW, "engineering")
    want = quarter.expected(specs, period.start, period.end, calendar)["engineering"]
    _check(report, want, "engineering")
    assert list(report["departments"]) == ["engineering"]
    assert {o["department"] for o in report["overdue_tickets"]} == {"engineering"}
    assert {m["department"] for m in report["major"]} <= {"engineering"}


@pytest.mark.parametrize("name", list(definitions.FIGURES))
def test_explain_lists_the_rows_behind_each_figure(loaded, name):
    db, settings, specs = loaded
    period = periods.parse("monthly", "2026-12", quarter.ZONE)
    w = figures.window(period, quarter.NOW)
    with db.snapshot() as session:
        rows = session.execute(definitions.rows(name, w)).all()
        report = figures.build(session, settings, period, quarter.NOW)
    if name in RATES:
        counts = report["counts"][name]
        assert len(rows) == counts["denominator"]
        assert sum(row.hit for row in rows) == counts["numerator"]
    else:
        assert len({row.number for row in rows}) == len(rows) == report[name]
    known = {s.number for s in specs}
    assert {row.number for row in rows} <= known


def test_a_report_reads_a_snapshot_without_holding_up_writers(loaded, db_url):
    db, settings, specs = loaded
    period = periods.parse("monthly", "2026-12", quarter.ZONE)
    writer = Database(db_url)
    try:
        with db.snapshot() as session:
            before = figures.build(session, settings, period, quarter.NOW)
            # Another process records a ticket meanwhile: it is not kept waiting...
            extra = quarter.generate(count=1, seed=99)[0]
            extra.number, extra.created_at = "C99999", period.start
            quarter.store(writer, [extra])
            # ...and the report goes on seeing the data as it was when it began.
            again = figures.build(session, settings, period, quarter.NOW)
            assert again["received"] == before["received"]
        with db.snapshot() as session:
            after = figures.build(session, settings, period, quarter.NOW)
        assert after["received"] == before["received"] + 1
    finally:
        writer.dispose()


def test_the_overdue_list_holds_the_longest_overdue_and_the_count_all(db_url):
    settings = Settings.model_validate({"database": {"url": db_url}})
    db = Database(db_url)
    db.migrate()
    specs = quarter.generate(count=figures.OVERDUE_LIMIT + 10, seed=5)
    for n, spec in enumerate(specs):  # all open, each a day later, none met
        spec.status, spec.closed_at, spec.paused_at = "investigating", None, None
        spec.created_at = quarter.FIRST + timedelta(hours=n)
        for due in spec.deadlines:
            due.due_at, due.met_at = spec.created_at + timedelta(hours=1), None
    quarter.store(db, specs)
    period = periods.parse("monthly", "2026-12", quarter.ZONE)
    with db.snapshot() as session:
        report = figures.build(session, settings, period, quarter.NOW)
    db.dispose()
    assert report["overdue"] == len(specs)
    listed = [row["number"] for row in report["overdue_tickets"]]
    assert listed == [spec.number for spec in specs[: figures.OVERDUE_LIMIT]]
