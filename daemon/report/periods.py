"""Report periods counted in the desk's time zone: ISO weeks (Monday to Sunday), months,
quarters and years, each from local midnight to local midnight."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("weekly", "monthly", "quarterly", "yearly")
"""The report kinds, each with its own period length."""

_FORMS = {
    "weekly": (re.compile(r"(\d{4})-W(\d{2})"), "2026-W49"),
    "monthly": (re.compile(r"(\d{4})-(\d{2})"), "2026-12"),
    "quarterly": (re.compile(r"(\d{4})-Q([1-4])"), "2026-Q4"),
    "yearly": (re.compile(r"(\d{4})"), "2026"),
}


class PeriodError(ValueError):
    """A period that is malformed or does not fit the report kind; the message shows the form."""


@dataclass(frozen=True)
class Period:
    """Local dates ``first`` to ``last`` (both included) of one report period in ``zone``."""

    kind: str
    first: date
    last: date
    zone: str

    @property
    def label(self) -> str:
        if self.kind == "weekly":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "monthly":
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind == "quarterly":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def start(self) -> datetime:
        """The instant (UTC) the period begins: local midnight of its first day."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The instant (UTC) the period ends, excluded: local midnight after its last day."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def previous(self) -> Period:
        return containing(self.kind, self.first - timedelta(days=1), self.zone)

    def next(self) -> Period:
        return containing(self.kind, self.last + timedelta(days=1), self.zone)


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def containing(kind: str, day: date, zone: str) -> Period:
    """The period of this kind that holds local date ``day``."""
    if kind == "weekly":
        first = day - timedelta(days=day.weekday())
        return Period(kind, first, first + timedelta(days=6), zone)
    if kind == "monthly":
        first = day.replace(day=1)
    elif kind == "quarterly":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == "yearly":
        first = date(day.year, 1, 1)
    else:
        raise PeriodError(f"unknown report kind {kind!r}; one of {', '.join(KINDS)}")
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[kind]
    following = date(
        first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1
    )
    return Period(kind, first, following - timedelta(days=1), zone)


def parse(kind: str, text: str, zone: str) -> Period:
    """The period ``text`` names (2026-W49, 2026-12, 2026-Q4, 2026), which must fit ``kind``."""
    if kind not in _FORMS:
        raise PeriodError(f"unknown report kind {kind!r}; one of {', '.join(KINDS)}")
    pattern, example = _FORMS[kind]
    match = pattern.fullmatch(text.strip())
    if not match:
        raise PeriodError(f"a {kind} period is written like {example}, not {text!r}")
    year = int(match[1])
    try:
        if kind == "weekly":
            return containing(kind, date.fromisocalendar(year, int(match[2]), 1), zone)
        if kind == "monthly":
            return containing(kind, date(year, int(match[2]), 1), zone)
        if kind == "quarterly":
            return containing(kind, date(year, (int(match[2]) - 1) * 3 + 1, 1), zone)
        return containing(kind, date(year, 1, 1), zone)
    except ValueError as exc:
        raise PeriodError(f"no such {kind} period: {text!r} ({exc})") from exc


def last_complete(kind: str, now: datetime, zone: str) -> Period:
    """The latest period of this kind that has ended by ``now`` (desk time)."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return containing(kind, today, zone).previous()
