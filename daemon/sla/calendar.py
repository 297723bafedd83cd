"""The business calendar SLA deadlines are counted on: working days and business hours.

A day is a working day by this precedence: configured extra days off (never), configured
extra working days (always), public holidays from the ``holidays`` package (never),
official make-up working days such as China's 调休 weekends (always), then the working week.

Business time is the real time elapsed between opening (``day_start``) and closing
(``day_end``) of each working day, both taken in the desk's local time zone; instants are
compared and returned in UTC, so a deadline across a DST change lands on the right instant.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

if TYPE_CHECKING:
    from daemon.config import CalendarSettings

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Names of the days of the week as the config writes them, Monday first."""

MAX_GAP_DAYS = 400
"""Longest run of days off tolerated before the calendar is declared broken (no endless loop)."""

_ONE_DAY = timedelta(days=1)

log = logging.getLogger(__name__)


class BusinessCalendar:
    """Working days and business hours of one desk; loads public holidays lazily per year."""

    def __init__(
        self,
        time_zone: str = "UTC",
        *,
        country: str | None = None,
        subdivision: str | None = None,
        working_days: Iterable[str] = WEEKDAYS[:5],
        day_start: time = time(9, 0),
        day_end: time = time(18, 0),
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        """Validate everything up front so a bad calendar stops the daemon at start."""
        self.tz = _zone(time_zone)
        self.country = country.upper() if country else None
        self.subdivision = subdivision or None
        self.weekdays = _weekday_numbers(working_days)
        if day_end <= day_start:
            raise ValueError("day_end must be later than day_start")
        if day_start.tzinfo is not None or day_end.tzinfo is not None:
            raise ValueError("day_start and day_end are local wall-clock times, without zone")
        self.day_start = day_start
        self.day_end = day_end
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        if clash := self.extra_days_off & self.extra_working_days:
            raise ValueError(f"dates both extra days off and extra working days: {sorted(clash)}")
        self._holidays: set[date] = set()
        self._makeup_days: set[date] = set()
        self._loaded_years: set[int] = set()
        self._ensured_years: set[int] = set()
        self._known_years = range(MINYEAR, MAXYEAR + 1)
        self._lock = threading.Lock()
        # A day's tickets all ask for the same few deadlines.
        self._close_after = lru_cache(maxsize=1024)(self._count_working_days)
        if self.country:
            self._fetch_year(None)

    @classmethod
    def from_settings(cls, settings: CalendarSettings, time_zone: str) -> BusinessCalendar:
        """Build the calendar from the ``[calendar]`` section and ``desk.time_zone``."""
        return cls(
            time_zone,
            country=settings.country,
            subdivision=settings.subdivision,
            working_days=settings.working_days,
            day_start=settings.day_start,
            day_end=settings.day_end,
            extra_days_off=settings.extra_days_off,
            extra_working_days=settings.extra_working_days,
        )

    # ----- days -----

    def is_working_day(self, d: date) -> bool:
        """Whether the desk works on local date ``d`` (see the module docstring for precedence).

        Years the ``holidays`` package does not cover (e.g. Spain before 2008) have no public
        holidays; a warning is logged once per such year.
        """
        if d in self.extra_days_off:
            return False
        if d in self.extra_working_days:
            return True
        self._ensure_year(d.year)
        if d in self._holidays:
            return False
        return d.weekday() in self.weekdays or d in self._makeup_days

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a public holiday per the ``holidays`` package (config not applied)."""
        self._ensure_year(d.year)
        return d in self._holidays

    def is_makeup_day(self, d: date) -> bool:
        """Whether ``d`` is an official make-up working day (e.g. a 调休 Saturday in China)."""
        self._ensure_year(d.year)
        return d in self._makeup_days

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(MAX_GAP_DAYS):
            d += _ONE_DAY
            if self.is_working_day(d):
                return d
        raise RuntimeError(f"no working day within {MAX_GAP_DAYS} days after {d}")

    def opening_hours(self, d: date) -> tuple[datetime, datetime]:
        """Opening and closing instants (UTC) of local date ``d``, working day or not."""
        return self._instant(d, self.day_start), self._instant(d, self.day_end)

    # ----- instants -----

    def is_business_time(self, at: datetime) -> bool:
        """Whether ``at`` lies within opening hours of a working day, both edges included."""
        d = self._local_date(at)
        opening, closing = self.opening_hours(d)
        return self.is_working_day(d) and opening <= at <= closing

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business of the ``days``-th working day after ``start``'s local date.

        ``days == 0`` means today's close if today is a working day not yet closed, else the
        next working day's close.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        d = self._local_date(start)
        if days == 0:
            if self.is_working_day(d) and start < self.opening_hours(d)[1]:
                return self.opening_hours(d)[1]
            return self.opening_hours(self.next_working_day(d))[1]
        return self._close_after(d, days)

    def _count_working_days(self, d: date, days: int) -> datetime:
        """Close of business of the ``days``-th working day after local date ``d``."""
        for _ in range(days):
            d = self.next_working_day(d)
        return self.opening_hours(d)[1]

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` of business time after ``start`` (see ``add_business_time``)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        return self.add_business_time(start, timedelta(hours=hours))

    def add_business_time(self, start: datetime, span: timedelta) -> datetime:
        """Walk ``span`` of business time from ``start``; used to shift paused SLA deadlines.

        A start outside business time begins at the next opening; a walk ending exactly at
        closing time returns the closing instant, not the next opening.
        """
        if span < timedelta(0):
            raise ValueError("span must not be negative")
        d, at = self._clock_in(start)
        remaining = span
        while True:
            closing = self.opening_hours(d)[1]
            if remaining <= closing - at:
                return at + remaining
            remaining -= closing - at
            d = self.next_working_day(d)
            at = self.opening_hours(d)[0]

    def business_seconds_between(self, a: datetime, b: datetime) -> float:
        """Business time from ``a`` to ``b`` in seconds; negative when ``b`` is before ``a``."""
        if b < a:
            return -self.business_seconds_between(b, a)
        total = timedelta(0)
        d, last = self._local_date(a), self._local_date(b)
        while d <= last:
            total += self._overlap(d, a, b)
            d += _ONE_DAY
        return total.total_seconds()

    # ----- helpers -----

    def _overlap(self, d: date, a: datetime, b: datetime) -> timedelta:
        """Business time of local date ``d`` that falls between ``a`` and ``b``."""
        if not self.is_working_day(d):
            return timedelta(0)
        opening, closing = self.opening_hours(d)
        return max(timedelta(0), min(b, closing) - max(a, opening))

    def _clock_in(self, at: datetime) -> tuple[date, datetime]:
        """The first business instant at or after ``at``, with its local working day."""
        d = self._local_date(at)
        if self.is_working_day(d):
            opening, closing = self.opening_hours(d)
            if at <= closing:
                return d, max(at.astimezone(UTC), opening)
        d = self.next_working_day(d)
        return d, self.opening_hours(d)[0]

    def _local_date(self, at: datetime) -> date:
        """The desk's local date at instant ``at``; naive datetimes are refused as ambiguous."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"datetime without time zone: {at!r}")
        return at.astimezone(self.tz).date()

    def _instant(self, d: date, wall: time) -> datetime:
        """UTC instant of local wall-clock time ``wall`` on ``d`` (a time in a DST gap moves on)."""
        return datetime.combine(d, wall, tzinfo=self.tz).astimezone(UTC)

    def _ensure_year(self, year: int) -> None:
        """Load holidays of ``year`` and its neighbours, which may hold its observed days."""
        if not self.country or year in self._ensured_years:
            return
        if year not in self._known_years:
            log.warning(
                "no public holidays for %s in %d: only the working week and config apply",
                self.country,
                year,
            )
        for y in range(max(MINYEAR, year - 1), min(MAXYEAR, year + 1) + 1):
            if y not in self._loaded_years:
                self._fetch_year(y)
        self._ensured_years.add(year)

    def _fetch_year(self, year: int | None) -> None:
        """Ask the ``holidays`` package for one year (``None``: only check country/subdivision)."""
        with self._lock:
            if year in self._loaded_years:
                return
            try:
                table = holidays.country_holidays(
                    self.country, subdiv=self.subdivision, years=[] if year is None else year
                )
            except NotImplementedError as exc:
                raise ValueError(f"no public holidays known for this calendar: {exc}") from exc
            if year is None:
                first = getattr(table, "start_year", MINYEAR)
                self._known_years = range(first, getattr(table, "end_year", MAXYEAR) + 1)
                return
            self._holidays.update(table.keys())
            # Official weekend working days (China's 调休); older package versions lack them.
            self._makeup_days.update(getattr(table, "weekend_workdays", ()))
            self._loaded_years.add(year)


def _zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


def _weekday_numbers(names: Iterable[str]) -> frozenset[int]:
    """Weekday numbers (Monday 0) of the configured working week, which must not be empty."""
    numbers = set()
    for name in names:
        if name.lower() not in WEEKDAYS:
            raise ValueError(f"unknown weekday: {name!r}")
        numbers.add(WEEKDAYS.index(name.lower()))
    if not numbers:
        raise ValueError("working_days must name at least one day of the week")
    return frozenset(numbers)
