"""Unified numbers as the owner sees them: with ``{date}`` in ``desk.number_format`` the sequence
starts again every day of the desk (its time zone, not UTC); without it, it never restarts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from daemon.clock import set_clock
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.mails import complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENTS = [
    datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 1, 23, 59, tzinfo=SHANGHAI),
    datetime(2026, 12, 2, 0, 1, tzinfo=SHANGHAI),  # 16:01 UTC, still 1 December in UTC
    datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI),
]


def _numbers(make_settings, number_format: str) -> list[str]:
    """The numbers of one complaint received at each of MOMENTS, in order."""
    settings = make_settings(desk={"number_format": number_format})
    db = Database(settings.database.url)
    db.migrate()
    pipeline = Pipeline(settings, db)
    numbers = []
    try:
        for i, moment in enumerate(MOMENTS):
            set_clock(lambda moment=moment: moment)
            raw = complaint(f"Complaint {i}: the lift in my building is broken again, please.")
            result = pipeline.receive("test", str(i), raw)
            assert result.outcome == "ticket_created", result.error
            numbers.append(result.ticket)
    finally:
        set_clock(None)
        db.dispose()
    return numbers


def test_with_date_the_sequence_restarts_each_desk_day(make_settings):
    assert _numbers(make_settings, "C{date:%Y%m%d}-{seq:04d}") == [
        "C20261201-0001",
        "C20261201-0002",
        "C20261202-0001",
        "C20261202-0002",
        "C20261203-0001",
    ]


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("T{seq:06d}", ["T000001", "T000002", "T000003", "T000004", "T000005"]),
        ("{date:%Y}/{seq}", ["2026/1", "2026/2", "2026/3", "2026/4", "2026/5"]),
        ("{date:%y%m}-{seq:03d}", ["2612-001", "2612-002", "2612-003", "2612-004", "2612-005"]),
    ],
)
def test_other_formats(make_settings, number_format, expected):
    """Without ``{date}`` one sequence runs on; with a year or a month it restarts with the year
    or the month, so numbers never repeat."""
    assert _numbers(make_settings, number_format) == expected
