"""Time to the first answer in business hours, as nearest-rank percentiles.

The database gives two integers per answered ticket of the period (received and first answered,
in epoch seconds); business time between them is the difference of a running business-seconds
clock, read for all tickets at once from the calendar's opening hours with numpy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.report.definitions import T, Window, epoch_seconds, received_where
from daemon.sla.calendar import BusinessCalendar

PERCENTILES = {"median": 0.5, "p90": 0.9}


def _clock(calendar: BusinessCalendar, first: float, last: float) -> tuple[np.ndarray, ...]:
    """Opening and closing instants of the working days from ``first`` to ``last`` (epoch
    seconds) and the business seconds before each opening."""
    day = datetime.fromtimestamp(first, UTC).astimezone(calendar.tz).date() - timedelta(days=1)
    stop = datetime.fromtimestamp(last, UTC).astimezone(calendar.tz).date() + timedelta(days=1)
    opens, closes = [], []
    while day <= stop:
        if calendar.is_working_day(day):
            opening, closing = calendar.opening_hours(day)
            opens.append(opening.timestamp())
            closes.append(closing.timestamp())
        day += timedelta(days=1)
    opens_a, closes_a = np.array(opens, dtype=float), np.array(closes, dtype=float)
    before = np.concatenate(([0.0], np.cumsum(closes_a - opens_a)[:-1]))
    return opens_a, closes_a, before


def _business_seconds(at: np.ndarray, clock: tuple[np.ndarray, ...]) -> np.ndarray:
    opens, closes, before = clock
    if len(opens) == 0:
        return np.zeros_like(at)
    index = np.searchsorted(opens, at, side="right") - 1
    safe = np.clip(index, 0, None)
    within = np.clip(at - opens[safe], 0, closes[safe] - opens[safe])
    return np.where(index < 0, 0.0, before[safe] + within)


def nearest_rank(values: np.ndarray, share: float) -> float | None:
    """The smallest value with at least ``share`` of the values at or below it."""
    if len(values) == 0:
        return None
    ordered = np.sort(values)
    return float(ordered[max(math.ceil(share * len(ordered)) - 1, 0)])


def first_answer_hours(
    session: Session, calendar: BusinessCalendar, w: Window, department: str | None = None
) -> dict[str | None, dict[str, float | int | None]]:
    """Per department (and ``None`` for all): median and 90th percentile of the business hours
    from receipt to the first answer, over the tickets received in the period and answered."""
    query = select(
        T.c.department, epoch_seconds(T.c.created_at), epoch_seconds(T.c.first_answer_at)
    ).where(received_where(w), T.c.first_answer_at.is_not(None))
    if department is not None:
        query = query.where(T.c.department == department)
    rows = session.execute(query).all()
    result: dict[str | None, dict[str, float | int | None]] = {None: _summary(np.array([]))}
    if not rows:
        return result
    departments = np.array([row[0] for row in rows], dtype=object)
    received = np.array([row[1] for row in rows], dtype=float)
    answered = np.array([row[2] for row in rows], dtype=float)
    clock = _clock(calendar, float(received.min()), float(max(answered.max(), received.max())))
    hours = (_business_seconds(answered, clock) - _business_seconds(received, clock)) / 3600
    groups: dict[str, list[int]] = defaultdict(list)
    for index, name in enumerate(departments):
        groups[name].append(index)
    result[None] = _summary(hours)
    for name, indexes in groups.items():
        result[name] = _summary(hours[indexes])
    return result


def _summary(hours: np.ndarray) -> dict[str, float | int | None]:
    summary: dict[str, float | int | None] = {"answered": int(len(hours))}
    for name, share in PERCENTILES.items():
        value = nearest_rank(hours, share)
        summary[name] = None if value is None else round(value, 2)
    return summary
